"""Thin Rasa action for questions about pay (issue 23, item 3). Which answer comes next and the
amounts (content/facts.yml) are decided in bot/conversation/salary.py and tested there.

It reads and sets no slot, so it works outside and inside a form: a rule can run it at any question
and then let the form ask that question again."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation import salary
from bot.conversation.english import to_english_values


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def answer_salary(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say the salary answer that fits this message and what the bot said before."""
    response = salary.choose(tracker.latest_message.get("text"), _entity(tracker, "topic"),
                             salary.history(tracker.events), place=_entity(tracker, "location") is not None)
    values = salary.values()
    if tracker.get_slot("language") == "en":  # "€ 2.600 tot € 2.900" in the English variations
        values = to_english_values(values)
    dispatcher.utter_message(response=response, **values)


def is_salary_follow_up(tracker: Tracker) -> bool:
    """'en met bbl?' or 'per maand?' right after a salary answer, read by NLU as something else."""
    said = salary.history(tracker.events)
    return salary.is_follow_up(tracker.latest_message.get("text"), said[-1] if said else None)


class ActionAnswerSalary(Action):
    def name(self) -> Text:
        return salary.ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        answer_salary(dispatcher, tracker)
        return []
