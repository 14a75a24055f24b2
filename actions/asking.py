"""How the intake asks (issue 23): the question in full, once; after an answer to something else or a
miss, in one short line; after two misses with a way forward. And a question typed in the middle of a
form is answered first. The decisions are in bot/intake/asking.py and bot/intake/decisions.py."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import ActionAnswerTopic
from actions.events import ActionEvents
from actions.glossary import ActionExplainTerm
from actions.greeting import greet
from actions.salary import ActionAnswerSalary
from actions.reach_person import ActionHumanInForm
from actions.regional import region_of, utter_regional
from bot.conversation.response_names import response_names
from bot.intake import asking

FORMS = ("intake_form", "exploration_form")


def responses_since_form_start(tracker: Tracker, form: str = "intake_form") -> List[Optional[str]]:
    """The response names the bot used since ``form`` last started, oldest first."""
    names: List[Optional[str]] = []
    for event in tracker.events:
        if event.get("event") == "active_loop" and event.get("name") == form:
            names = []
        elif event.get("event") == "bot":
            names.append((event.get("metadata") or {}).get("utter_action"))
    return names


def validator_asked(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if (event.get("event") == "bot" and not (event.get("metadata") or {}).get("utter_action")
                and (event.get("data") or {}).get("buttons") and str(event.get("text") or "").rstrip().endswith("?")):
            return True
    return False


def answered_this_turn(tracker: Tracker) -> bool:
    """Did the bot answer a question in this turn (before the form asks again)? Then the question
    comes back in one line; after a detour such as "wis mijn gegevens?" it comes back in full."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        name = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if name and name not in ("utter_keep_data", "utter_preview_changed"):
            return True
    return False


def for_someone_else(tracker: Tracker) -> bool:
    return tracker.get_slot("asker_role") not in (None, "self")


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, slot: str,
        **values: Any) -> Optional[str]:
    """Asks ``slot`` in the words that fit this moment; returns the response used (None: no words).
    When the validator just asked its own question with buttons ("Bedoel je Rotterdam?"), that is the
    question of this turn: asking the form's question too would be two at once."""
    if validator_asked(tracker):
        return None
    response = asking.ask_response(slot, responses_since_form_start(tracker), tracker.get_slot("intake_misses"),
                                   response_names(), for_other=for_someone_else(tracker))
    if response:
        dispatcher.utter_message(response=response, **values)
    return response


class AskSlot(Action):
    """action_ask_<slot> for the intake questions whose words need nothing else."""

    slot = "first_name"

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher, tracker, domain):
        ask(dispatcher, tracker, domain, self.slot, child=tracker.get_slot("asker_child") or "je kind")
        return []


ASK_ACTIONS = [type(f"ActionAsk_{slot}", (AskSlot,), {"slot": slot})
               for slot in ("age_band", "situation", "interests", "location", "minor_route", "contact_method",
                            "contact_time")]


# --- Questions in the middle of a form --------------------------------------------------------------
def _guarantee(dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(response="utter_guarantee")
    dispatcher.utter_message(response="utter_guarantee_status")
    return []


def _events(dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
    """With a place from the intake the events near it; without one, the general answer (the intake is
    asking where they live right now, so asking it a second time would be one question too many)."""
    if isinstance(tracker.get_slot("place"), dict) or tracker.get_slot("events_place"):
        return ActionEvents().run(dispatcher, tracker, domain)
    utter_regional(dispatcher, domain, "utter_events", region_of(tracker))
    dispatcher.utter_message(response="utter_events_after_intake")
    return []


ANSWERS = {
    "ask_jobs": lambda d, t, dm: ActionAnswerTopic().run(d, t, dm),
    "ask_training": lambda d, t, dm: ActionAnswerTopic().run(d, t, dm),
    "doubt_fit": lambda d, t, dm: ActionAnswerTopic().run(d, t, dm),
    "ask_salary": lambda d, t, dm: ActionAnswerSalary().run(d, t, dm),
    "ask_meaning": lambda d, t, dm: ActionExplainTerm().run(d, t, dm),
    "ask_guarantee": _guarantee,
    "ask_events": _events,
    # "wanneer belt de adviseur?" while the intake runs: no lead yet, so the honest promise
    "ask_followup": lambda d, t, dm: ActionHumanInForm().run(d, t, dm),
    # "hoi" halfway (issue 26 item 5): "Hoi! We waren bij ...", then the question in one line
    "greet": lambda d, t, dm: greet(d, t),
}


def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                    intent: str) -> Dict[Text, Any]:
    """Answers an informational question as outside a form; the slot values its action sets."""
    events = ANSWERS.get(intent, ANSWERS["ask_jobs"])(dispatcher, tracker, domain) or []
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
