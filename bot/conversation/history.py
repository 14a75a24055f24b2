"""What the bot said earlier in the conversation, read from Rasa's tracker events (issue 23: never
the same answer twice in a row). Used by bot.conversation.salary and bot.conversation.topics."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional


@dataclass(frozen=True)
class Said:
    """One bot message: the response it came from (None for a text sent as is) and its text."""
    response: Optional[str]
    text: str = ""


def bot_messages(events: Iterable[Mapping[str, Any]]) -> List[Said]:
    """The bot's messages in this session, oldest first (Rasa tracker events as dicts)."""
    said: List[Said] = []
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            said = []
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            said.append(Said(metadata.get("utter_action"), event.get("text") or ""))
    return said


def last(events: Iterable[Mapping[str, Any]]) -> Optional[Said]:
    said = bot_messages(events)
    return said[-1] if said else None


def same_text(a: str, b: str) -> bool:
    return " ".join((a or "").split()).lower() == " ".join((b or "").split()).lower()
