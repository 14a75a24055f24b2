"""Before and during the intake: the honest way to a person, and what we already know (issue 23
items 2, 5 and 6). Decisions in bot/conversation/reach_person.py and bot/intake/known.py."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.regional import region_of
from bot.conversation import reach_person
from bot.conversation.english import to_english_values
from bot.content.packs import organisation_contact
from bot.handoff.settings import load_handoff_settings
from bot.store.models import utcnow
from bot.intake.known import asker_in, known_before_intake, known_summary

HANDOFF = load_handoff_settings()

def user_texts(tracker: Tracker) -> List[str]:
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]


def honest_values(tracker: Tracker) -> Dict[str, Any]:
    """The placeholders of the honest answers, in the person's language (the English variations)."""
    contact = organisation_contact(region_of(tracker))
    values = reach_person.promise_values(utcnow(), HANDOFF.promise_workdays, contact)
    return in_language(values, tracker)


def in_language(values: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
    return to_english_values(values) if tracker.get_slot("language") == "en" else values


def before_intake(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Says honestly what happens (no live person; who reaches out, by when; how to call yourself),
    fills in what was already said, and for someone in a hurry keeps the questions to a minimum."""
    text = tracker.latest_message.get("text") or ""
    values = honest_values(tracker)
    urgent = reach_person.wants_now(text)
    known = known_before_intake(user_texts(tracker), {name: tracker.get_slot(name) for name in (
        "age_band", "place", "interests", "events_place", "events_place_resolved", "explore_interests")})
    if known.get("asker_role") and not tracker.get_slot("asker_role"):  # not acknowledged yet
        dispatcher.utter_message(response=f"utter_asker_{known['asker_role']}", child=known["asker_child"])
    if urgent or reach_person.asks_for_person(text):
        # "ik wil gwoon met een mens praten": first the truth, then the callback
        response = "utter_no_live_person_today" if reach_person.asks_for_today(text) else "utter_no_live_person"
        dispatcher.utter_message(response=response, **values)
        if values["contact_ways"]:
            dispatcher.utter_message(response="utter_reach_organisation", **values)
        dispatcher.utter_message(response="utter_quick_callback")
    else:
        dispatcher.utter_message(response="utter_intake_intro", **values)
    summary = known_summary(known)
    if summary:
        dispatcher.utter_message(response="utter_already_known", known=summary)
    return [SlotSet(name, value) for name, value in known.items()] + (
        [SlotSet("intake_quick", True)] if urgent else [])


class ActionHumanInForm(Action):
    """"Ik wil een mens" in the middle of the intake: the honest answer, then the same question in one
    line. Someone in a hurry skips the questions we can do without."""

    def name(self) -> Text:
        return "action_human_in_form"

    def run(self, dispatcher, tracker, domain):
        text = tracker.latest_message.get("text") or ""
        values = honest_values(tracker)
        response = "utter_no_live_person_today" if reach_person.asks_for_today(text) else "utter_human_in_form"
        dispatcher.utter_message(response=response, **values)
        if values["contact_ways"] and reach_person.wants_now(text):
            dispatcher.utter_message(response="utter_reach_organisation", **values)
        return [SlotSet("intake_quick", True)] if reach_person.wants_now(text) else []


class ActionInformOutsideForm(Action):
    """Something told outside a form ("Ik ben zijn vader, mijn zoon is 17"): a parent or teacher is
    acknowledged as such at once (issue 23 item 5), then the offer of a counsellor."""

    def name(self) -> Text:
        return "action_inform_outside_form"

    def run(self, dispatcher, tracker, domain):
        asker = asker_in(tracker.latest_message.get("text"))
        if asker is None:
            dispatcher.utter_message(response="utter_inform_outside_form")
            return []
        dispatcher.utter_message(response="utter_asker_seen", child=asker[1])
        return [SlotSet("asker_role", asker[0]), SlotSet("asker_child", asker[1])]
