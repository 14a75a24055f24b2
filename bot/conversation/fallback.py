"""What to say when the bot did not understand: the decision, without Rasa.

First miss: a friendly "dat weet ik niet" with what the bot can do. Second miss in a row: offer a
counsellor. A message in another language: a short English answer plus the counsellor offer. An
English message is no other language any more (issue 23): it gets the normal misses, whose English
variations (language slot en) answer it.
The count needs no slot: it is read from the conversation's own events.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from bot.conversation.language import ENGLISH, detect_language, looks_non_dutch

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
    if detect_language(text) == ENGLISH:
        # "do you speak english?": yes (the English variation of utter_other_language); any other
        # English message the bot could not place is a normal miss, answered in English.
        if re.search(r"\benglish\b", text or "", re.I):
            return OTHER_LANGUAGE
    elif looks_non_dutch(text):
        return OTHER_LANGUAGE
    return SECOND_MISS if previous_turn_was_miss(events) else FIRST_MISS
