"""Thin Rasa action for "wat betekent ...?" (issue 23). The words and their explanations are in
content/woordenlijst.yml; recognising the word is bot/conversation/glossary.py. Reads and sets no
slot, so a rule can run it inside a form too."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation import glossary


class ActionExplainTerm(Action):
    def name(self) -> Text:
        return "action_explain_term"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text")
        term = glossary.find_term(text)
        if term is not None:
            dispatcher.utter_message(text=term.explanation)
        elif glossary.asked_phrase(text) is not None:
            dispatcher.utter_message(response="utter_meaning_unknown")
        else:  # "wat betekent dat?" without the word
            dispatcher.utter_message(response="utter_meaning_which")
        return []
