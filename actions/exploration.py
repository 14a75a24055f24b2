"""Thin actions for "ontdek wat bij je past" (issue 3); the decisions live in bot/conversation/exploration.py.
A question typed in the middle is answered first, as in the intake (issue 23: actions/asking.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asking import answer_question
from actions.conversation import _entity
from bot.conversation import exploration
from bot.intake import asking


class ValidateExplorationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_exploration_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """A question in the middle of "ontdek wat bij je past" is answered first, then the question
        comes again (issue 23 item 1), as in the intake."""
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text")
        fits = exploration.normalise_answer(requested, _entity(tracker, "explore_choice") or text) is not None
        if requested and asking.is_interruption(intent, text, fits):
            values = answer_question(dispatcher, tracker, domain, intent)
            return [SlotSet(requested, None), *(SlotSet(k, v) for k, v in values.items() if k != requested),
                    SlotSet("requested_slot", requested)]
        return await super().run(dispatcher, tracker, domain)

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        answer = exploration.normalise_answer(slot, _entity(tracker, "explore_choice") or value)
        if answer is None:
            dispatcher.utter_message(response="utter_explore_pick_button")
        return {slot: answer}

    def validate_explore_style(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_style", value, dispatcher, tracker)

    def validate_explore_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_place", value, dispatcher, tracker)

    def validate_explore_activity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_activity", value, dispatcher, tracker)


class ActionExplorationResult(Action):
    """Two or three concrete jobs with what a day looks like, then the next steps."""

    def name(self) -> Text:
        return "action_exploration_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        jobs = exploration.suggest(*(tracker.get_slot(s) for s in exploration.SLOTS))
        dispatcher.utter_message(response="utter_explore_result_intro")
        for job in jobs:
            dispatcher.utter_message(text=exploration.job_message(job))
        dispatcher.utter_message(response="utter_explore_next")
        return [SlotSet("explore_interests", ", ".join(job.name for job in jobs))] + [
            SlotSet(slot, None) for slot in exploration.SLOTS]
