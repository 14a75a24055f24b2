"""Fills the regional-welcome slots from the message metadata (widget ``data-region``, Telegram
``/start <regio>``); ``utter_greet`` has a variation for them. Logic lives in bot/conversation/regional.py."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from bot.conversation.regional import RegionalWelcome, regional_welcome


def _welcome(tracker: Tracker) -> Optional[RegionalWelcome]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return regional_welcome(metadata.get("region"))


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message; it only sets these slots when a message names a region."""

    async def extract_regional(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return {"regional": True} if _welcome(tracker) else {}

    async def extract_welcome_region(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        welcome = _welcome(tracker)
        return {"welcome_region": welcome.name} if welcome else {}

    async def extract_welcome_organisation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                           domain: DomainDict) -> Dict[Text, Any]:
        welcome = _welcome(tracker)
        return {"welcome_organisation": welcome.organisation or "een adviseur"} if welcome else {}
