"""What the conversation itself tells the counsellor: the topics the bot already explained, and a
suggested next step that follows from those topics.

Never the person's own words. The consent preview ("Dit sturen we naar …", bot.intake.decisions
.confirmation_text) is what the person agreed to share; it shows these topics and nothing here goes
beyond them. Hesitations and questions the bot could not answer stayed in the mail before, verbatim,
without the person ever seeing that: those are left out (issue 11). A counsellor who wants to know
more asks in the first conversation.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping

MAX_ITEMS = 5

EXPLAINED = {
    "ask_jobs": "beroepen in de techniek",
    "ask_salary": "wat je verdient in de techniek",
    "ask_training": "opleidingsroutes (mbo-niveaus, BBL en BOL, omscholing)",
    "ask_guarantee": "de 10-jaar werk- en ontwikkelgarantie (nog in uitwerking)",
    "ask_events": "open dagen, beroepentuinen en meeloopdagen",
    "explore_options": "de verkenning 'ontdek wat bij je past'",
    "doubt_fit": "twijfels of techniek bij je past",
}


def _intents(events: Iterable[Mapping[str, Any]]) -> List[str]:
    return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
            for e in events if e.get("event") == "user"]


def explained_topics(events: Iterable[Mapping[str, Any]]) -> List[str]:
    """The topics, in the order they came up; the preview and the mail show the same list."""
    topics: List[str] = []
    for intent in _intents(events):
        topic = EXPLAINED.get(intent)
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:MAX_ITEMS]


def conversation_context(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    events = list(events)
    topics = explained_topics(events)
    if EXPLAINED["ask_events"] in topics:
        suggestion = "Samen een open dag of meeloopdag uitkiezen."
    elif EXPLAINED["doubt_fit"] in topics:
        suggestion = "Kennismakingsgesprek waarin de twijfels eerst aan bod komen."
    else:
        suggestion = "Kennismakingsgesprek over wat bij deze persoon past."
    return {"bot_explained": topics, "suggested_next_step": suggestion}
