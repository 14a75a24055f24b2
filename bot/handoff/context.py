"""What the conversation itself tells the counsellor: what the bot already explained, the person's
hesitations and the questions it could not answer, each in the person's own words.

Built from the tracker's events, so the counsellor gets context without a transcript (data
minimisation: only the few sentences that matter, each cut to a readable length).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

MAX_ITEMS = 5
MAX_CHARS = 300

EXPLAINED = {
    "ask_jobs": "beroepen in de techniek",
    "ask_salary": "wat je verdient in de techniek",
    "ask_training": "opleidingsroutes (mbo-niveaus, BBL en BOL, omscholing)",
    "ask_guarantee": "de 10-jaar werk- en ontwikkelgarantie (nog in uitwerking)",
    "ask_events": "open dagen, beroepentuinen en meeloopdagen",
    "explore_options": "de verkenning 'ontdek wat bij je past'",
    "doubt_fit": "twijfels of techniek bij je past",
}
UNANSWERED_INTENTS = {"out_of_scope", "nlu_fallback"}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _user_turns(events: Iterable[Mapping[str, Any]]) -> List[tuple]:
    turns = []
    for event in events:
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = (event.get("text") or "").strip()
        turns.append((intent, text))
    return turns


def _own_words(text: str) -> Optional[str]:
    """Button payloads ("/request_human") are not the person's own words."""
    return _clip(text) if text and not text.startswith("/") else None


def conversation_context(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    turns = _user_turns(events)
    explained: List[str] = []
    hesitations: List[str] = []
    unanswered: List[str] = []
    reason: Optional[str] = None
    for intent, text in turns:
        topic = EXPLAINED.get(intent)
        if topic and topic not in explained:
            explained.append(topic)
        words = _own_words(text)
        if intent == "doubt_fit" and words and words not in hesitations:
            hesitations.append(words)
        if intent in UNANSWERED_INTENTS and words and words not in unanswered:
            unanswered.append(words)
        if intent == "request_human" and words:
            reason = words
    intents = {intent for intent, _ in turns}
    if "ask_events" in intents:
        suggestion = "Samen een open dag of meeloopdag uitkiezen."
    elif "doubt_fit" in intents:
        suggestion = "Kennismakingsgesprek waarin de twijfels eerst aan bod komen."
    else:
        suggestion = "Kennismakingsgesprek over wat bij deze persoon past."
    return {
        "bot_explained": explained[:MAX_ITEMS],
        "hesitations": hesitations[:MAX_ITEMS],
        "unanswered_questions": unanswered[:MAX_ITEMS],
        "reason": reason,
        "suggested_next_step": suggestion,
    }
