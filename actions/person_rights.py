"""Thin actions for erasure (AVG art. 17/19) and access (art. 15); the logic is bot.handoff.person_rights.

Flow: "wis mijn gegevens" + the confirmation button, or "wat weten jullie van mij?", start
``person_check_form``. It asks for the contact the person gave (or "Alleen dit gesprek"), sends a code
to that contact through the outbox, takes the code, and ``action_person_check_done`` erases or shows.
The pending code lives in the lead store (bot.store.person_checks), not in the tracker.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.handoff import person_rights as rights
from bot.handoff.settings import load_handoff_settings
from bot.ops.config import load_settings
from bot.store.erasure import is_confirmed
from bot.store.person_checks import forget_checks

SETTINGS = load_settings()
PERSON_SLOTS = ("person_purpose", "person_contact", "person_route", "person_code", "person_leads")
# The widget (web/static/gouden-poort-widget.js) clears its browser storage when it sees this. Under
# "data" because Rasa's socket.io output emits the custom message's keys as emit() arguments.
CLEAR_STORAGE = {"data": {"gouden_poort": {"clear_storage": True}}}
# After "stop": the widget offers "Wis dit gesprek ook hier" (a shared computer; issue 25 item 7).
OFFER_CLEAR = {"data": {"gouden_poort": {"offer_clear": True}}}


def _start(purpose: str) -> List[EventType]:
    return [*(SlotSet(s, None) for s in PERSON_SLOTS), SlotSet("person_purpose", purpose),
            FollowupAction("person_check_form")]


class ActionDeleteData(Action):
    """Asks first; the "Ja, wis alles" button starts the proof of control (person_check_form)."""

    def name(self) -> Text:
        return "action_delete_data"

    def run(self, dispatcher, tracker, domain):
        if not is_confirmed(tracker.latest_message.get("entities") or []):
            # Erasure cannot be undone and a misread message must never trigger it: ask first.
            # The "Ja" button sends /delete_data{"confirmed": "ja"}.
            dispatcher.utter_message(response="utter_confirm_delete")
            if tracker.active_loop_name == "intake_form":
                # The intake waits (data/rules/intake.yml): with no question open, "Nee, niet wissen"
                # is no answer to it; the form asks the same question again after the "nee".
                return [SlotSet("requested_slot", None)]
            return []
        return _start("erase")


class ActionRequestAccess(Action):
    def name(self) -> Text:
        return "action_request_access"

    def run(self, dispatcher, tracker, domain):
        return _start("access")


class ActionAskPersonContact(Action):
    def name(self) -> Text:
        return "action_ask_person_contact"

    def run(self, dispatcher, tracker, domain):
        verb = "wissen" if tracker.get_slot("person_purpose") == "erase" else "laten zien"
        dispatcher.utter_message(
            text=(f"Gaf je ons ook in een ander gesprek of op een ander apparaat je gegevens? Typ dan het "
                  f"e-mailadres, telefoonnummer of de Telegram-naam die je toen gaf. Ik stuur je eerst een code, "
                  f"zodat ik zeker weet dat het van jou is. Daarna kan ik alles {verb}."),
            buttons=[{"title": "Alleen dit gesprek", "payload": "Alleen dit gesprek"},
                     {"title": "Stoppen", "payload": "/stop"}])
        return []


class ValidatePersonCheckForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_person_check_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return ["person_contact"] + (["person_code"] if tracker.get_slot("person_route") == "code" else [])

    def validate_person_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        outcome = rights.request_code(load_handoff_settings(), tracker.sender_id,
                                      tracker.get_slot("person_purpose") or "access", str(value or ""))
        if outcome.text:
            dispatcher.utter_message(text=outcome.text)
        if outcome.route == "invalid":
            return {"person_contact": None}
        # The contact itself is not kept in a slot: the lead store's check row holds what is needed.
        return {"person_contact": "gegeven", "person_route": outcome.route}

    def validate_person_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        settings = load_handoff_settings()
        result = rights.check_code(settings, tracker.sender_id, str(value or ""))
        if result.status == "ok":
            return {"person_code": "ok", "person_leads": list(result.lead_ids)}
        dispatcher.utter_message(text=rights.code_answer(settings, result))
        return {"person_code": None} if result.status == "wrong" else {"person_code": "mislukt"}


class ActionPersonCheckDone(Action):
    def name(self) -> Text:
        return "action_person_check_done"

    def run(self, dispatcher, tracker, domain):
        route, purpose = tracker.get_slot("person_route"), tracker.get_slot("person_purpose")
        reset = [SlotSet(s, None) for s in PERSON_SLOTS]
        if route == "code" and tracker.get_slot("person_code") != "ok":
            return reset
        settings = load_handoff_settings()
        lead_ids = tracker.get_slot("person_leads") or []
        phone = route == "phone"
        if purpose != "erase":
            dispatcher.utter_message(text=rights.access_text(settings, tracker.sender_id, lead_ids, phone))
            return reset
        report = rights.erase_everywhere(settings, SETTINGS.tracker_store_url, tracker.sender_id, lead_ids,
                                         rights.mail_sink_dir(SETTINGS.var_dir))
        dispatcher.utter_message(text=rights.erasure_text(report, settings, phone), json_message=CLEAR_STORAGE)
        return [AllSlotsReset()]


class ActionStopPersonCheck(Action):
    """"Stop" while we wait for a contact or code: the pending code is forgotten, nothing is erased."""

    def name(self) -> Text:
        return "action_stop_person_check"

    def run(self, dispatcher, tracker, domain):
        forget_checks(SETTINGS.database_url, tracker.sender_id)
        dispatcher.utter_message(text="Oké, ik stop. Ik heb niets gewist en niets laten zien.")
        return [SlotSet(s, None) for s in PERSON_SLOTS]
