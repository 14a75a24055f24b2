"""Fills the regional slots from the metadata of the message that starts a session (widget
``data-region``, Telegram ``/start <regio>``); ``utter_greet`` has a variation for them. Says a response
in its regional version where the region's pack (content/regios/) has one. Logic lives in
bot/conversation/regional.py and bot/content/packs.py.

The region is read once per session, in ``action_session_start``, and not by a slot-mapping validation
action: Rasa calls such an action after every user message, a round trip to this server (with the
whole tracker) on every turn for a value that only the first message of a session carries (issue 14).
The widget sends its ``data-region`` and the Telegram bridge its deep-link region with every message,
so the first message of every session has it; a region that changes within a session (a second
``/start <regio>`` within the hour) applies from the next session on."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import yaml

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content.initiatives import find as find_initiative, split_entry
from bot.content.packs import regional_answer
from bot.ops.config import PROJECT_ROOT
from bot.conversation.regional import regional_welcome


@lru_cache(maxsize=1)
def project_domain() -> Dict[Text, Any]:
    """The project's domain as far as these actions read it (responses, session_config), from domain/
    once per process. Rasa sends its domain only to the ``validate_*`` actions
    (``enable_selective_domain`` in bot/ops/endpoints.py): sending ~60 KB with every other call cost
    more than the action itself (bench/profile_turn.py)."""
    merged: Dict[Text, Any] = {"responses": {}}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["responses"].update(part.get("responses") or {})
        if part.get("session_config"):
            merged["session_config"] = part["session_config"]
    return merged


def welcome_slots(metadata: Any) -> Dict[Text, Any]:
    """The regional welcome's slot values for a message's metadata; empty without a known region, so
    the slots carried over from an earlier session stay as they were. With an initiative's entry
    (``data-initiatief``, ``/start <regio>-<initiatief>``) also the ``initiative`` slot (issue 28);
    its region applies when the entry named none."""
    if not isinstance(metadata, dict):
        return {}
    region, initiative = split_entry(metadata.get("region"), metadata.get("initiative"))
    found = find_initiative(initiative) if initiative else None
    welcome = regional_welcome(region) or (regional_welcome(found.region_code) if found else None)
    extra = {"initiative": initiative} if initiative else {}
    if welcome is None:
        return extra
    return {**extra, "regional": True, "welcome_region": welcome.name,
            "welcome_organisation": welcome.organisation or "een adviseur",
            "welcome_extra": f" {welcome.welcome}" if welcome.welcome else "",
            "content_region": welcome.code}


def region_of(tracker: Tracker) -> Optional[str]:
    """The arbeidsmarktregio whose regional answers apply: the slot (site, deep link or postcode for
    events), else the place the intake found."""
    place = tracker.get_slot("place")
    return tracker.get_slot("content_region") or (place.get("region_code") if isinstance(place, dict) else None)


def utter_regional(dispatcher: CollectingDispatcher, domain: DomainDict, response: str,
                   region: Optional[str], language: Optional[str] = None, **values: Any) -> None:
    """The region's own text for ``response`` (with the national buttons), or the national response.
    The regional packs are Dutch: with ``language`` "en" (the slot) the national response is sent, so
    Rasa picks its English variation (issue 23)."""
    answer = None if language == "en" else regional_answer(response, region)
    if answer is None:
        dispatcher.utter_message(response=response, **values)
        return
    variations = (domain.get("responses") or project_domain()["responses"]).get(response) or [{}]
    text = answer.text
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    dispatcher.utter_message(text=text, buttons=variations[0].get("buttons") or [])


class ActionSessionStart(Action):
    """Rasa's own session start (carry the slots over, as domain/sessie.yml asks) plus the regional
    slots from the metadata of the message that opened the session (``session_started_metadata``)."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        session = domain.get("session_config") or project_domain().get("session_config") or {}
        if session.get("carry_over_slots_to_new_session", True):
            events.extend(carried_over_slots(tracker))
        metadata = tracker.get_slot("session_started_metadata")
        events.extend(SlotSet(name, value) for name, value in welcome_slots(metadata).items())
        events.append(ActionExecuted("action_listen"))
        return events


def carried_over_slots(tracker: Tracker) -> List[EventType]:
    """The slot events of the session that ends, like Rasa's default ``action_session_start`` carries
    them (its applied events start again at every restart and session start)."""
    slots: List[EventType] = []
    for event in tracker.applied_events():
        if event.get("event") in ("restart", "session_started"):
            slots = []
        elif event.get("event") == "slot":
            slots.append(SlotSet(event["name"], event.get("value")))
    return slots
