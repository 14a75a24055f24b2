"""What the conversation itself tells the counsellor: the topics the bot already explained, a
suggested next step that follows from those topics, and "spreekt Engels" when the person wrote English
(issue 23: the ``language`` slot; a line under "Let op", so the counsellor is ready).

Never the person's own words. The consent preview ("Dit sturen we naar …", bot.intake.decisions
.confirmation_text) is what the person agreed to share; it shows these topics and nothing here goes
beyond them. Hesitations and questions the bot could not answer stayed in the mail before, verbatim,
without the person ever seeing that: those are left out (issue 11). A counsellor who wants to know
more asks in the first conversation.

Only what the person said outside a form counts (``free_turns``): an answer the intake form took is
never a topic, a hesitation or an unanswered question, whatever intent the NLU gave it (issue 13:
the situation button "Ik ben gestopt met school", scored nlu_fallback, once showed up in the mail as
a question the bot could not answer).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

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


def _intent(event: Mapping[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def free_turns(events: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The user turns that no form took as an answer, oldest first.

    A turn is a form's answer when a form was active and, before the next user message, the slot
    the form had asked for was set (accepted, or set and then cleared by the validator). Whatever
    the NLU made of such a message ("Ik ben gestopt met school" scored as nlu_fallback, "ik weet niet
    of ik slim genoeg ben" as doubt_fit), it answered the form's question: it is no question the bot
    left unanswered and no topic the bot explained. Interruptions ("waarom vraag je dat?") set no
    slot and stay free turns.
    """
    events = list(events)
    loop: Optional[str] = None
    requested: Optional[str] = None
    free: List[Mapping[str, Any]] = []
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "active_loop":
            loop = event.get("name")
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind in ("restart", "session_started"):
            loop, requested = None, None
        elif kind == "user" and not (loop and requested and _answers(events[index + 1:], requested)):
            free.append(event)
    return free


def _answers(after: List[Mapping[str, Any]], slot: str) -> bool:
    for event in after:
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot:
            return True
    return False


def explained_topics(events: Iterable[Mapping[str, Any]]) -> List[str]:
    """The topics, in the order they came up; the preview and the mail show the same list. Only
    turns no form took as an answer count (see ``free_turns``)."""
    topics: List[str] = []
    for intent in (_intent(e) for e in free_turns(events)):
        topic = EXPLAINED.get(intent)
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:MAX_ITEMS]


SPEAKS_ENGLISH = "Spreekt Engels: de chat en de intake waren in eenvoudig Engels. Neem contact op in eenvoudig Engels."


def spoken_language(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The last value of the ``language`` slot (nl/en), or None when it was never set."""
    language = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "language":
            language = event.get("value")
        elif event.get("event") == "restart":
            language = None
    return language


def conversation_context(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    events = list(events)
    topics = explained_topics(events)
    if EXPLAINED["ask_events"] in topics:
        suggestion = "Samen een open dag of meeloopdag uitkiezen."
    elif EXPLAINED["doubt_fit"] in topics:
        suggestion = "Kennismakingsgesprek waarin de twijfels eerst aan bod komen."
    else:
        suggestion = "Kennismakingsgesprek over wat bij deze persoon past."
    context: Dict[str, Any] = {"bot_explained": topics, "suggested_next_step": suggestion}
    if spoken_language(events) == "en":
        context["attention"] = [SPEAKS_ENGLISH]
    return context
