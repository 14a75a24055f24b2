""""Hoi" in the middle of a conversation (issue 26 item 5).

The first greeting of a session is the whole welcome with its AI notice (utter_greet). A greeting
later on, while a form is open or after a few turns, gets one short line that says where we were
("Hoi! We waren bij de vraag waar je woont."), so the person can go on instead of reading the whole
welcome again. The words are data: content/waar_we_waren.yml.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Iterable, Mapping, Optional

import yaml

from bot.ops.config import PROJECT_ROOT

PHRASES = PROJECT_ROOT / "content" / "waar_we_waren.yml"
# From this many earlier messages (not greetings) on, "hoi" is a greeting halfway, not a start.
TURNS_BEFORE_SHORT = 2
GREETING_INTENTS = ("greet",)
# Intents that are no topic of their own: "ja", "nee", "dank je" leave the last topic as it was.
NO_TOPIC = ("greet", "affirm", "deny", "thank", "inform", "nlu_fallback", "out_of_scope", "skip", "goodbye")


@lru_cache(maxsize=1)
def phrases() -> Dict[str, Dict[str, Dict[str, str]]]:
    return yaml.safe_load(PHRASES.read_text(encoding="utf-8")) or {}


def since_session_start(events: Iterable[Mapping[str, Any]]) -> list:
    """A new session (after an hour of silence) starts with the whole welcome again."""
    result: list = []
    for event in events:
        if event.get("event") == "session_started":
            result = []
        else:
            result.append(event)
    return result


def _intent(event: Mapping[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def welcomed(events: Iterable[Mapping[str, Any]]) -> bool:
    """Did this session already show the whole welcome (and so its AI notice)?"""
    return any(e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == "utter_greet"
               for e in events)


def earlier_turns(events: Iterable[Mapping[str, Any]]) -> int:
    """The person's messages before this one that were not a greeting."""
    users = [e for e in events if e.get("event") == "user"]
    return sum(1 for e in users[:-1] if _intent(e) not in GREETING_INTENTS)


def last_topic(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The intent of the person's last question with a topic (before this message)."""
    users = [e for e in events if e.get("event") == "user"][:-1]
    for event in reversed(users):
        intent = _intent(event)
        if intent and intent not in NO_TOPIC:
            return intent
    return None


def where_we_were(events: Iterable[Mapping[str, Any]], active_loop: Optional[str], requested_slot: Optional[str],
                  english: bool = False) -> Optional[str]:
    """What follows "We waren bij", or None when there is nothing to name. Forms first: the open question."""
    language = "en" if english else "nl"
    table = phrases()
    if active_loop and requested_slot in (table.get("questions") or {}):
        return table["questions"][requested_slot][language]
    topic = last_topic(list(events))
    if topic in (table.get("topics") or {}):
        return table["topics"][topic][language]
    return None


def greet_halfway(events: Iterable[Mapping[str, Any]], active_loop: Optional[str]) -> bool:
    """True when this greeting comes halfway: a form is open, or the whole welcome was already
    shown in this session and the person has said a few things since. Never before the welcome with
    its AI notice was shown at least once, unless a form is open (then the intake's own intro said it)."""
    session = since_session_start(events)
    if active_loop:
        return True
    return welcomed(session) and earlier_turns(session) >= TURNS_BEFORE_SHORT
