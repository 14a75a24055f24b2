"""Keep the reference (issue 26 item 7): "Stuur mij dit" after the promise sends the reference and the
promise once, through the outbox, to the e-mail address or Telegram chat stored on the lead
(bot/handoff/reference.py). With phone or WhatsApp there is nowhere we may write: the chat says so,
and the reference stays in the chat (the widget's copy button)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.english import to_english
from bot.handoff import reference
from bot.ops.config import load_settings
from bot.store.models import utcnow

SETTINGS = load_settings()
ANSWERS = {(reference.SENT, "email"): "utter_reference_sent_email",
           (reference.SENT, "telegram"): "utter_reference_sent_telegram",
           (reference.ALREADY, "email"): "utter_reference_already_email",
           (reference.ALREADY, "telegram"): "utter_reference_already_telegram"}


class ActionSendReference(Action):
    def name(self) -> Text:
        return "action_send_reference"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        english = tracker.get_slot("language") == "en"
        outcome = reference.send_reference(SETTINGS.database_url, tracker.sender_id, utcnow(), english=english,
                                           translate=to_english)
        if outcome.kind == reference.NO_LEAD:
            dispatcher.utter_message(response="utter_followup_no_lead")
        elif outcome.kind == reference.CANNOT:
            dispatcher.utter_message(response="utter_reference_cannot", reference=outcome.reference)
        else:
            where = reference.mask(outcome.channel, outcome.address)
            dispatcher.utter_message(response=ANSWERS[(outcome.kind, outcome.channel)], reference=outcome.reference,
                                     address=where)
        return []
