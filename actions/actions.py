"""Rasa custom actions. Kept thin: every decision lives in ``bot/`` and is tested there."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import validation
from bot.config import load_settings
from bot.leads import NewLead, create_lead

SETTINGS = load_settings()


def _slot_result(slot: str, checked: validation.Checked, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    if not checked.ok:
        dispatcher.utter_message(text=checked.error)
    return {slot: checked.value}


class ValidateIntakeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_intake_form"

    def validate_first_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        return _slot_result("first_name", validation.check_first_name(value), dispatcher)

    def validate_age(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> Dict[Text, Any]:
        return _slot_result("age", validation.check_age(value), dispatcher)

    def validate_postcode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        return _slot_result("postcode", validation.check_postcode(value), dispatcher)


def _channel(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "onbekend")


class ActionSubmitIntake(Action):
    def name(self) -> Text:
        return "action_submit_intake"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[Text, Any]]:
        if not tracker.get_slot("consent"):
            dispatcher.utter_message(response="utter_no_consent")
            return []
        age = tracker.get_slot("age")
        lead = create_lead(SETTINGS.database_url, NewLead(
            conversation_id=tracker.sender_id,
            channel=_channel(tracker),
            first_name=tracker.get_slot("first_name"),
            age=int(age) if age is not None else None,
            postcode=tracker.get_slot("postcode"),
            consent=True,
        ))
        dispatcher.utter_message(response="utter_lead_saved", first_name=tracker.get_slot("first_name"),
                                 lead_id=lead.id)
        return [SlotSet("lead_id", lead.id)]
