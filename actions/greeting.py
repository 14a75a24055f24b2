"""Greeting (issue 26 item 5): the whole welcome with its AI notice the first time; "hoi" halfway gets
"Hoi! We waren bij ..." (bot/conversation/greeting.py, words in content/waar_we_waren.yml).
In a form the form's question follows in one short line (actions/asking.py answers "hoi" there)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation import greeting


def greet(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    loop = tracker.active_loop_name
    if not greeting.greet_halfway(tracker.events, loop):
        dispatcher.utter_message(response="utter_greet")
        return []
    where = greeting.where_we_were(greeting.since_session_start(tracker.events), loop,
                                   tracker.get_slot("requested_slot"), english=tracker.get_slot("language") == "en")
    if loop:
        # the form asks its question right after this line
        dispatcher.utter_message(response="utter_greet_again_form" if where else "utter_greet_again_form_plain",
                                 where=where or "")
    elif where:
        dispatcher.utter_message(response="utter_greet_again", where=where)
    else:
        dispatcher.utter_message(response="utter_greet_again_plain")
    return []


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        return greet(dispatcher, tracker)
