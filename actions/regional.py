"""Fills the regional slots from the message metadata (widget ``data-region``, Telegram
``/start <regio>``); ``utter_greet`` has a variation for them. Says a response in its regional
version where the region's pack (content/regios/) has one. Logic lives in bot/conversation/regional.py
and bot/content/packs.py."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from bot.content.packs import regional_answer
from bot.conversation.regional import RegionalWelcome, regional_welcome


def _welcome(tracker: Tracker) -> Optional[RegionalWelcome]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return regional_welcome(metadata.get("region"))


def region_of(tracker: Tracker) -> Optional[str]:
    """The arbeidsmarktregio whose regional answers apply: the slot (site, deep link or postcode for
    events), else the place the intake found."""
    place = tracker.get_slot("place")
    return tracker.get_slot("content_region") or (place.get("region_code") if isinstance(place, dict) else None)


def utter_regional(dispatcher: CollectingDispatcher, domain: DomainDict, response: str,
                   region: Optional[str], **values: Any) -> None:
    """The region's own text for ``response`` (with the national buttons), or the national response."""
    answer = regional_answer(response, region)
    if answer is None:
        dispatcher.utter_message(response=response, **values)
        return
    variations = (domain.get("responses") or {}).get(response) or [{}]
    text = answer.text
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    dispatcher.utter_message(text=text, buttons=variations[0].get("buttons") or [])


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

    async def extract_welcome_extra(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        welcome = _welcome(tracker)
        return {"welcome_extra": f" {welcome.welcome}" if welcome.welcome else ""} if welcome else {}

    async def extract_content_region(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        welcome = _welcome(tracker)
        return {"content_region": welcome.code} if welcome else {}
