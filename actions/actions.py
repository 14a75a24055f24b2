"""Rasa custom actions. Kept thin: every decision lives in ``bot/`` and is tested there.

- ``validate_intake_form``: turns answers into clean slot values (bot.intake.validation, bot.intake.decisions),
  counts misses and decides which question comes next (bot.intake.decisions.required_slots).
- ``action_ask_*``: questions whose wording depends on earlier answers (contact value, which Laren,
  the confirmation that names the counsellor).
- ``action_check_existing_lead``: "hooguit één keer doorverwijzen": if this conversation already
  has a referral we say who has it instead of starting the form again.
- ``action_submit_intake``: stores the lead (bot.intake.referral.create_lead) — or, in a conversation
  that already has one, says who has it.
- erasure and access: actions/person_rights.py.
"""
from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asking import answered_this_turn, answer_question, responses_since_form_start, validator_asked
from actions.followup import said_guardian_pending
from actions.next_step import website_values
from actions.reach_person import ActionHumanInForm, before_intake, honest_values
from actions.person_rights import OFFER_CLEAR
from bot.conversation import reach_person
from bot.conversation.english import to_english
from bot.intake import asking
from bot.intake import email_typos
from bot.intake import decisions as intake
from bot.intake import validation
from bot.ops.config import load_settings
from bot.channels.limits import TOO_MANY_LEADS
from bot.intake.referral import create_lead, lead_limit_reached, origin_from_metadata
from bot.store.leads import existing_lead_for, open_lead_counts
from bot.store.models import utcnow
from bot.store.retention import mark_ended, periods
from bot.routing.assign import NoCounsellorAvailable
from bot.handoff.context import context_codes, conversation_context, preview_lines
from bot.handoff.outbox import enqueue_handoff
from bot.handoff.followup import answer_nudge, opt_out_conversation
from bot.handoff.settings import load_handoff_settings
from bot.routing.counsellors import load_registry
from bot.handoff.promise import confirmation_text
from bot.handoff import guardian
from bot.handoff.settings import load_handoff_settings

SETTINGS = load_settings()
HANDOFF = load_handoff_settings()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # out-of-office dates are Dutch calendar days
log = logging.getLogger(__name__)

# Slots this form owns; reset after a submit, a stop or an erasure.
INTAKE_SLOTS = intake.ALL_SLOTS + ("place", "location_options", "routing", "intake_misses", "intake_stuck",
                                   "intake_quick", "asker_role", "asker_child", "email_suggestion")


def _slots(tracker: Tracker) -> Dict[str, Any]:
    return {name: tracker.get_slot(name) for name in INTAKE_SLOTS}


def _reset(keep: tuple = ()) -> List[EventType]:
    return [SlotSet(name, None) for name in INTAKE_SLOTS if name not in keep]


def _ended_without_lead(tracker: Tracker) -> Dict[str, str]:
    """The conversation ends here without a lead: the purge deletes it (bot.store.retention). Returns
    the periods the answer names, read from the same settings the purge uses."""
    mark_ended(SETTINGS.database_url, tracker.sender_id)
    return periods()


def _buttons(options: List[tuple], tracker: Optional[Tracker] = None) -> List[Dict[str, str]]:
    return [{"title": _said(title, tracker), "payload": payload} for title, payload in options]


def _said(text: str, tracker: Optional[Tracker]) -> str:
    """A sentence made in Python, in the person's language (issue 23 item 11: bot.conversation.english)."""
    return to_english(text) if tracker is not None and tracker.get_slot("language") == "en" else text


class ValidateIntakeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_intake_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return intake.required_slots(_slots(tracker))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """A question typed at any question of the form ("hoeveel verdien je?") is answered first; the
        form's question then comes back in one short line (actions/asking.py). No validation error."""
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text")
        fits = intake.answer_fits(requested, text, _slots(tracker)) if requested else True
        if requested and not fits and reach_person.asks_for_person(text):
            # "is er iemand online?" even when the classifier was unsure: the honest answer, then the question
            events = ActionHumanInForm().run(dispatcher, tracker, domain)
            return [SlotSet(requested, None), *events, SlotSet("requested_slot", requested)]
        if requested and asking.is_interruption(intent, text, fits):
            values = answer_question(dispatcher, tracker, domain, intent)
            # the same question comes next (this form orders its own questions: bot.intake.decisions)
            return [SlotSet(requested, None), *(SlotSet(k, v) for k, v in values.items() if k != requested),
                    SlotSet("requested_slot", requested)]
        return await super().run(dispatcher, tracker, domain)

    def _checked(self, slot: str, checked: validation.Checked, dispatcher: CollectingDispatcher,
                 tracker: Tracker, extra: Optional[Dict[str, Any]] = None) -> Dict[Text, Any]:
        """A valid value resets the slot's miss count. A miss: the first shows the error; the second
        takes a sensible answer for a question we can do without, or lets the question come back with
        a way forward (utter_stuck_<slot>); a third on a question we need ends the intake kindly with
        the regional contact (issue 23 item 8: never a third try at the same words)."""
        misses = tracker.get_slot("intake_misses") or {}
        if checked.ok:
            result = {slot: checked.value, **(extra or {})}
            if misses.get(slot):
                result["intake_misses"] = {k: v for k, v in misses.items() if k != slot}
            return result
        misses, _ = intake.register_miss(misses, slot)
        step = intake.after_failed_try(slot, misses[slot])
        if step == intake.FIRST_TRY:
            dispatcher.utter_message(text=_said(checked.error, tracker))
        elif step == intake.ACCEPT:
            dispatcher.utter_message(response=f"utter_accepted_{slot}")
            return {slot: intake.ACCEPT_AFTER_TWO[slot], "intake_misses": {k: v for k, v in misses.items() if k != slot},
                    **(extra or {})}
        elif step == intake.GIVE_UP:
            return {slot: None, "intake_misses": misses, "intake_stuck": slot, **(extra or {})}
        return {slot: None, "intake_misses": misses, **(extra or {})}

    def _skipped(self, slot: str, value: Any) -> bool:
        return slot in intake.SKIPPABLE and value == intake.SKIPPED

    def _corrected(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                   tracker: Tracker) -> Optional[Dict[Text, Any]]:
        """"nee wacht, ik ben 19" at another question: the age is corrected, that question comes again."""
        band = intake.age_correction(slot, value)
        if band is None:
            return None
        dispatcher.utter_message(text=f"Oké, ik heb je leeftijd aangepast: {band} jaar.")
        return {slot: None, **intake.after_age_change(tracker.get_slot("age_band"), band)}

    def validate_first_name(self, value, dispatcher, tracker, domain):
        if self._skipped("first_name", value):
            return {"first_name": value}
        return self._corrected("first_name", value, dispatcher, tracker) or self._checked(
            "first_name", validation.check_first_name(value), dispatcher, tracker)

    def validate_age_band(self, value, dispatcher, tracker, domain):
        checked = validation.check_age_band(value)
        # Under 16 nothing else personal is asked; what an older answer left behind is dropped.
        extra = {name: None for name in intake.NOT_FROM_MINORS} if checked.ok and validation.is_minor_band(checked.value) else {}
        if extra and tracker.get_slot("asker_role") in intake.GUARDIAN_ASKERS:
            extra["minor_route"] = "guardian"  # the parent asking is the one who consents
        return self._checked("age_band", checked, dispatcher, tracker, extra=extra)

    def validate_situation(self, value, dispatcher, tracker, domain):
        if self._skipped("situation", value):
            return {"situation": value}
        return self._corrected("situation", value, dispatcher, tracker) or self._checked(
            "situation", validation.check_situation(value), dispatcher, tracker)

    def validate_interests(self, value, dispatcher, tracker, domain):
        if self._skipped("interests", value):
            return {"interests": value}
        return self._corrected("interests", value, dispatcher, tracker) or self._checked(
            "interests", validation.check_interests(value), dispatcher, tracker)

    def validate_location(self, value, dispatcher, tracker, domain):
        corrected = self._corrected("location", value, dispatcher, tracker)
        if corrected:
            return corrected
        result = intake.check_location(value)
        if result.place or result.options:
            # a place (or a choice between places) found: valid, so the miss count starts again
            return self._checked("location", validation.Checked(value=str(value)[:120]), dispatcher, tracker, extra={
                "place": result.place or None, "location_options": result.options or None,
                "location_choice": None, "routing": None})
        users, asked = 0, False  # did our previous turn ask "Bedoel je ...?"
        for event in reversed(tracker.events):
            users += event.get("event") == "user"
            if users > 1:
                break
            asked = asked or (event.get("event") == "bot" and str(event.get("text") or "").startswith(("Bedoel je", "Do you mean")))
        if result.suggestion or (result.declined_suggestion and asked):
            # "rotterdm": "Bedoel je Rotterdam?" with buttons; "Nee, iets anders": the question again.
            # Neither is a miss: the person did give a place, or answered our question.
            buttons = _buttons(intake.suggestion_buttons(result.suggestion), tracker) if result.suggestion else []
            dispatcher.utter_message(text=_said(result.error, tracker), buttons=buttons)
            return {"location": None, "place": None, "location_options": None}
        error = intake.LOCATION_NOT_FOUND if result.declined_suggestion else result.error
        return self._checked("location", validation.Checked(error=error), dispatcher, tracker,
                             extra={"place": None, "location_options": None})

    def validate_location_choice(self, value, dispatcher, tracker, domain):
        checked = intake.check_location_choice(value, tracker.get_slot("location_options") or [])
        if checked.ok:
            return {"location_choice": value, "place": checked.value}
        return self._checked("location_choice", checked, dispatcher, tracker)

    def validate_minor_route(self, value, dispatcher, tracker, domain):
        # "nee", "niks", "stop", or a second answer that is no choice: the intake ends kindly (no loop).
        checked = intake.minor_route_after_miss(intake.check_minor_route(value), tracker.get_slot("intake_misses"))
        return self._corrected("minor_route", value, dispatcher, tracker) or self._checked(
            "minor_route", checked, dispatcher, tracker)

    def validate_contact_method(self, value, dispatcher, tracker, domain):
        corrected = self._corrected("contact_method", value, dispatcher, tracker)
        if corrected:
            return corrected
        checked = validation.check_contact_method(value)
        extra = {"contact_value": None} if checked.ok and checked.value != tracker.get_slot("contact_method") else {}
        return self._checked("contact_method", checked, dispatcher, tracker, extra=extra)

    def validate_contact_value(self, value, dispatcher, tracker, domain):
        # "kees@gmial.com": ask "Bedoel je kees@gmail.com?" first (bot.intake.email_typos)
        method = intake.contact_method_for(_slots(tracker))
        pending = tracker.get_slot("email_suggestion") if method == "email" else None
        chosen = email_typos.answer_to_suggestion(value, pending)
        suggestion = email_typos.suggest_email(value) if method == "email" and chosen is None else None
        if suggestion:
            # Nothing is stored yet: the suggestion as a button, or the address as it was typed.
            dispatcher.utter_message(text=_said(f"Bedoel je {suggestion}?", tracker), buttons=_buttons(
                [(suggestion, suggestion), ("Nee, het klopt zo", email_typos.KEEP_AS_TYPED)], tracker))
            return {"contact_value": None, "email_suggestion": email_typos.pending_suggestion(value, suggestion)}
        checked = validation.check_contact_value(method, chosen or value)
        if not checked.ok:
            # "toch liever e-mail": another way to be reached, asked next (issue 23 items 8 and 10)
            switch = intake.contact_correction(value, _slots(tracker))
            if switch:
                return {**switch, "email_suggestion": None, "intake_misses": {
                    k: v for k, v in (tracker.get_slot("intake_misses") or {}).items() if k != "contact_value"}}
        result = self._checked("contact_value", checked, dispatcher, tracker)
        return {**result, "email_suggestion": None} if pending else result

    def validate_contact_time(self, value, dispatcher, tracker, domain):
        if self._skipped("contact_time", value):
            return {"contact_time": value}
        return self._corrected("contact_time", value, dispatcher, tracker) or self._checked(
            "contact_time", validation.check_contact_time(value), dispatcher, tracker)

    def validate_confirm(self, value, dispatcher, tracker, domain):
        if value in ("send", "stop", "change"):
            return {"confirm": value}
        # "nee ik heet Rick", "mijn postcode is 3012", "toch liever e-mail": that field changes and
        # the preview is made anew (action_ask_confirm), or the new address is asked first.
        changes = intake.preview_correction(value, _slots(tracker))
        if changes is not None:
            dispatcher.utter_message(response="utter_preview_changed")
            return changes
        return self._checked("confirm", validation.Checked(error="Kies 'Ja, versturen', 'Iets aanpassen' of 'Stoppen'."),
                             dispatcher, tracker)

    def validate_change_field(self, value, dispatcher, tracker, domain):
        checked = validation.check_change_field(value)
        if not checked.ok:
            return self._checked("change_field", checked, dispatcher, tracker)
        cleared = {checked.value: None, "change_field": None, "confirm": None, "routing": None}
        if checked.value == "location":
            cleared.update({"place": None, "location_options": None, "location_choice": None})
        if checked.value == "contact_value":
            cleared.update({"contact_method": None})
        if checked.value == "age_band":
            # Under or over 16 changes whose contact data and consent we may take: ask them again.
            cleared.update({"minor_route": None, "contact_method": None, "contact_value": None})
        return cleared


class ActionAskLocationChoice(Action):
    """Laren, Zevenhuizen, Hengelo…: one button per gemeente where this woonplaats exists."""

    def name(self) -> Text:
        return "action_ask_location_choice"

    def run(self, dispatcher, tracker, domain):
        options = tracker.get_slot("location_options") or []
        dispatcher.utter_message(
            response="utter_ask_location_choice", place=tracker.get_slot("location") or "",
            # The payload is the option's number, not its label: a long label such as "Laren (gemeente
            # Laren, regio Gooi en Vechtstreek)" can be misread by the NLU (once even as delete_data).
            buttons=_buttons([(o["label"], str(n)) for n, o in enumerate(options, start=1)]))
        return []


class ActionAskContactValue(Action):
    def name(self) -> Text:
        return "action_ask_contact_value"

    def run(self, dispatcher, tracker, domain):
        slots = _slots(tracker)
        method = intake.contact_method_for(slots)
        if validator_asked(tracker):  # "Bedoel je kees@gmail.com?" is this turn's question
            return []
        # the parent asking for their child is the guardian: "je e-mailadres" is theirs
        guardian_is_asking = tracker.get_slot("asker_role") in intake.GUARDIAN_ASKERS
        suffix = "guardian" if intake.is_guardian_route(slots) and not guardian_is_asking else "self"
        again = asking.last_asked_slot(responses_since_form_start(tracker)) == "contact_value"
        tries = (tracker.get_slot("intake_misses") or {}).get("contact_value", 0)
        if tries >= asking.TRIES_BEFORE_HELP:
            dispatcher.utter_message(response="utter_stuck_contact_value", buttons=_buttons(intake.other_methods(slots), tracker))
        else:
            dispatcher.utter_message(response=f"utter_{'reask' if again else 'ask'}_contact_value_{method}_{suffix}")
        return []


class ActionAskConfirm(Action):
    """Routes now, so the person consents to sharing with a *named* counsellor, and shows exactly
    what will be sent. The decision is kept in the ``routing`` slot: the submit uses that same
    counsellor, never a different one."""

    def name(self) -> Text:
        return "action_ask_confirm"

    def run(self, dispatcher, tracker, domain):
        slots = _slots(tracker)
        send = "Ja, mail mijn ouder" if intake.is_guardian_route(slots) else "Ja, versturen"
        buttons = _buttons([(send, "/affirm"), ("Iets aanpassen", '/deny{"confirmed": "change"}'), ("Stoppen", "/stop")],
                           tracker)
        tries = (tracker.get_slot("intake_misses") or {}).get("confirm", 0)
        if slots.get("routing") and (tries or answered_this_turn(tracker)):
            # The preview was just shown and nothing in it changed: the question again in one line.
            dispatcher.utter_message(response="utter_stuck_confirm" if tries >= asking.TRIES_BEFORE_HELP
                                     else "utter_reask_confirm", buttons=buttons)
            return []
        try:
            decision = intake.plan_routing(slots["place"], open_lead_counts(SETTINGS.database_url),
                                          datetime.now(AMSTERDAM).date())
        except NoCounsellorAvailable:
            dispatcher.utter_message(response="utter_no_counsellor_available", **_ended_without_lead(tracker))
            return [ActiveLoop(None), SlotSet("requested_slot", None), *_reset()]
        routing = intake.routing_to_slot(decision)
        # the context codes (issue 24): every one the hand-off carries is a line the person reads here
        codes = context_codes(tracker.events, slots, guardian=intake.is_guardian_route(slots))
        dispatcher.utter_message(text=_said(intake.confirmation_text(slots, routing, context_lines=preview_lines(codes)),
                                            tracker), buttons=buttons)
        return [SlotSet("routing", routing)]


class ActionAskChangeField(Action):
    def name(self) -> Text:
        return "action_ask_change_field"

    def run(self, dispatcher, tracker, domain):
        fields = intake.changeable_fields(_slots(tracker))
        dispatcher.utter_message(response="utter_ask_change_field", buttons=_buttons(
            [(validation.CHANGEABLE[f][0], validation.CHANGEABLE[f][0]) for f in fields]))
        return []


def _say_existing(dispatcher: CollectingDispatcher, lead) -> None:
    dispatcher.utter_message(response="utter_already_referred",
                             counsellor=(lead.counsellor_name or "een adviseur").split()[0],
                             organisation=lead.organisation or "de Gouden Poort", lead_id=lead.id)


class ActionCheckExistingLead(Action):
    """Before the form starts: one referral per conversation."""

    def name(self) -> Text:
        return "action_check_existing_lead"

    def run(self, dispatcher, tracker, domain):
        lead = existing_lead_for(SETTINGS.database_url, tracker.sender_id)
        if lead is None:
            # Asked a guardian already: a second request would only send a second mail.
            if not said_guardian_pending(dispatcher, tracker):
                return before_intake(dispatcher, tracker)
            return [FollowupAction("action_listen")]
        _say_existing(dispatcher, lead)
        return [SlotSet("lead_id", lead.id), FollowupAction("action_listen")]


class ActionSubmitIntake(Action):
    def name(self) -> Text:
        return "action_submit_intake"

    def run(self, dispatcher, tracker, domain):
        slots = _slots(tracker)
        if slots.get("intake_stuck"):
            # a third miss at a question we need: no lead, and the way to a person themselves
            dispatcher.utter_message(response="utter_intake_stuck", **honest_values(tracker), **_ended_without_lead(tracker))
            return _reset()
        if validation.is_minor_band(slots.get("age_band")) and slots.get("minor_route") != "guardian":
            response = "utter_minor_info" if slots.get("minor_route") == "info" else "utter_minor_stopped"
            dispatcher.utter_message(response=response, **_ended_without_lead(tracker), **website_values(tracker))
            return _reset()
        if slots.get("confirm") != "send" or not slots.get("routing") or not slots.get("place"):
            dispatcher.utter_message(response="utter_no_consent", **_ended_without_lead(tracker))
            return _reset()
        channel = tracker.get_latest_input_channel() or "onbekend"
        client, chat = origin_from_metadata(tracker.latest_message.get("metadata"), channel)
        if lead_limit_reached(SETTINGS.database_url, client, SETTINGS.limit_leads_per_day, utcnow()):
            dispatcher.utter_message(text=TOO_MANY_LEADS)
            return []        # slots kept: nothing the person typed is lost
        routing = slots["routing"]
        if intake.is_guardian_route(slots):
            return self._ask_guardian(dispatcher, tracker, slots, routing, client, chat)
        handoff_context = conversation_context(tracker.events, slots)
        # exactly the preview the person saw: the mail carries nothing beyond it
        consent_text = intake.confirmation_text(slots, routing, context_lines=preview_lines(handoff_context["context"]))
        chosen = {}

        def hand_off(session, lead, counsellor):
            # Same transaction as the lead: the outbox row exists exactly when the lead does.
            chosen["counsellor"] = counsellor
            enqueue_handoff(session, lead, counsellor, handoff_context)

        result = create_lead(SETTINGS.database_url, intake.new_lead_from_slots(
            tracker.sender_id, channel, slots, routing, consent_text, SETTINGS.consent_text_version,
            client_key=client, channel_ref=chat, context=handoff_context["context"],
            initiative=tracker.get_slot("initiative")), on_created=hand_off)
        # Contact details someone already gave in another conversation make a new request, answered
        # like any other: the chat tells nobody whether, or with whom, that contact has a request
        # (issue 22 item 2); the hand-off flags it to the counsellors (bot.handoff.outbox).
        if not result.created:
            _say_existing(dispatcher, result.lead)
            return [SlotSet("lead_id", result.lead.id), *_reset()]
        promise = confirmation_text(result.lead.id, chosen["counsellor"], result.lead.contact_method,
                                    result.lead.created_at)
        dispatcher.utter_message(response="utter_lead_saved", promise=_said(promise, tracker))
        dispatcher.utter_message(response="utter_erasure_hint")
        return [SlotSet("lead_id", result.lead.id), *_reset()]

    def _ask_guardian(self, dispatcher, tracker, slots, routing, client=None, chat=None):
        """Under 16: no lead and no hand-off yet, only a mail to the guardian (bot.handoff.guardian).
        The counsellor gets exactly the lines the guardian reads, nothing from the conversation. The
        client key goes along to the lead (the leads-per-address limit counts it); a guardian address
        that had its share of mails gets none."""
        handoff = load_handoff_settings()
        codes = context_codes(tracker.events, slots, guardian=True)
        lines = intake.shared_lines(slots, context_lines=preview_lines(codes))
        counsellor = {"name": routing["counsellor_name"], "first_name": routing["counsellor_first_name"],
                      "organisation": routing["organisation"]}
        consent_text = "\n".join(["De ouder of verzorger kreeg per e-mail:", *lines,
                                  f"Naar: {routing['counsellor_first_name']} van {routing['organisation']}"])
        lead = intake.new_lead_from_slots(tracker.sender_id, tracker.get_latest_input_channel() or "onbekend",
                                          slots, routing, consent_text, SETTINGS.consent_text_version,
                                          client_key=client, channel_ref=chat, context=codes,
                                          initiative=tracker.get_slot("initiative"))
        if guardian.request_consent(SETTINGS.database_url, handoff, lead, lines, counsellor,
                                    context={"context": codes}) is None:
            mark_ended(SETTINGS.database_url, tracker.sender_id)
            dispatcher.utter_message(text=guardian.capped_text())
            return _reset()
        dispatcher.utter_message(text=guardian.asked_text(handoff.guardian_days))
        return _reset()


class ActionStopIntake(Action):
    def name(self) -> Text:
        return "action_stop_intake"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_intake_stopped", **_ended_without_lead(tracker))
        dispatcher.utter_message(json_message=OFFER_CLEAR)
        return _reset()


class ActionStop(Action):
    """"Stop" outside a form: besides saying so, it ends every follow-up message to this person.
    Without a lead the conversation has ended and is purged; with one it stays with the lead."""

    def name(self) -> Text:
        return "action_stop"

    def run(self, dispatcher, tracker, domain):
        opt_out_conversation(SETTINGS.database_url, tracker.sender_id, utcnow())
        if existing_lead_for(SETTINGS.database_url, tracker.sender_id) is None:
            dispatcher.utter_message(response="utter_stop_general", **_ended_without_lead(tracker))
        else:
            dispatcher.utter_message(response="utter_stop_general_lead")
        dispatcher.utter_message(json_message=OFFER_CLEAR)
        return []


class ActionYesNo(Action):
    """"ja"/"nee" outside a form. When a follow-up nudge is open for this conversation's lead, it is
    the answer to "Heeft je adviseur al contact met je gehad?": recorded on the lead (a "nee" alerts
    the counsellor, and past the promised date the coordinator). Otherwise the usual short answer."""

    def name(self) -> Text:
        return "action_yes_no"

    def run(self, dispatcher, tracker, domain):
        had_contact = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        answer = answer_nudge(SETTINGS.database_url, tracker.sender_id, had_contact,
                              tracker.latest_message.get("text"), utcnow(), HANDOFF,
                              lambda region: [c.email for c in load_registry().coordinators_of(region)])
        if answer == "ja":
            dispatcher.utter_message(response="utter_nudge_yes")
        elif answer == "nee":
            lead = existing_lead_for(SETTINGS.database_url, tracker.sender_id)
            first = ((lead.counsellor_name if lead else "") or "je adviseur").split()[0]
            dispatcher.utter_message(response="utter_nudge_no", counsellor=first)
        else:
            dispatcher.utter_message(response="utter_what_next" if had_contact else "utter_deny_ok")
        return []
