"""What to say when the bot did not understand: the decision, without Rasa.

First miss: a friendly "dat weet ik niet" with what the bot can do. Second miss in a row: offer a
counsellor. A message in another language: a short English answer plus the counsellor offer.
The count needs no slot: it is read from the conversation's own events.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from bot.conversation.language import looks_non_dutch

FALLBACK_ACTION = "action_handle_fallback"

FIRST_MISS = "utter_fallback_first"
SECOND_MISS = "utter_fallback_offer_counsellor"
OTHER_LANGUAGE = "utter_other_language"


def previous_turn_was_miss(events: Iterable[Mapping[str, Any]]) -> bool:
    """True when the bot answered the user's previous message with the fallback action.

    ``events`` are Rasa tracker events as dicts, oldest first; the last user event is the
    message being answered now.
    """
    turns: list[list[str]] = []  # per user message: the actions the bot ran after it
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns.append([])
        elif kind == "action" and turns:
            turns[-1].append(event.get("name") or "")
        elif kind == "restart" or kind == "session_started":
            turns = []
    if len(turns) < 2:
        return False
    return FALLBACK_ACTION in turns[-2]


def choose_response(text: str | None, events: Iterable[Mapping[str, Any]]) -> str:
    """The response to send for a message the bot could not place."""
    if looks_non_dutch(text):
        return OTHER_LANGUAGE
    return SECOND_MISS if previous_turn_was_miss(events) else FIRST_MISS
