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

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

import yaml

from bot.intake.asking import INFO_INTENTS

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
        elif kind == "user" and not (loop and requested and _answers(events[index + 1:], requested, _intent(event))):
            free.append(event)
    return free


def _answers(after: List[Mapping[str, Any]], slot: str, intent: Optional[str] = None) -> bool:
    """True when this turn answered the form's question. A question typed at a form's question
    (an informational intent, bot.intake.asking.INFO_INTENTS) is answered by the form's validator,
    which sets the slot back to None in the same turn (actions/actions.py ``ValidateIntakeForm.run``):
    that turn asked something and answered nothing, so it is a free turn (its topic counts)."""
    value, seen = None, False
    for event in after:
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("name") == slot:
            value, seen = event.get("value"), True
    if not seen:
        return False
    return value is not None or intent not in INFO_INTENTS


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


def conversation_context(events: Iterable[Mapping[str, Any]], slots: Optional[Mapping[str, Any]] = None,
                         guardian: bool = False) -> Dict[str, Any]:
    """The hand-off's ``extra`` from the conversation: the topics (old wording), the suggested next
    step, "Spreekt Engels", and the context codes (issue 24) that the preview showed."""
    events = list(events)
    topics = [] if guardian else explained_topics(events)
    codes = context_codes(events, slots, guardian=guardian)
    if EXPLAINED["ask_events"] in topics:
        suggestion = "Samen een open dag of meeloopdag uitkiezen."
    elif EXPLAINED["doubt_fit"] in topics or codes["doubts"]:
        suggestion = "Kennismakingsgesprek waarin de twijfels eerst aan bod komen."
    else:
        suggestion = "Kennismakingsgesprek over wat bij deze persoon past."
    context: Dict[str, Any] = {"bot_explained": topics, "suggested_next_step": suggestion, "context": codes}
    if spoken_language(events) == "en":
        context["attention"] = [SPEAKS_ENGLISH]
    return context


# --- Context codes (issue 24) ----------------------------------------------------------------------
# What the conversation tells the counsellor, as codes: asked about (topics), doubts, what they ask
# for, who asks, language needs, urgency and the jobs "ontdek wat bij je past" ended on. The words for
# each code are data (content/handoff_context.yml). The preview shows every code it carries
# (``preview_lines``), and the hand-off carries nothing else: codes, never the person's own words.
CONTEXT_FILE = Path(__file__).resolve().parents[2] / "content" / "handoff_context.yml"
KINDS = ("topics", "doubts", "asks_for", "asker", "language_needs", "urgent", "explored_jobs")

_TOPIC_OF_INTENT = {"ask_salary": "salary", "ask_jobs": "jobs", "ask_training": "training",
                    "ask_guarantee": "guarantee", "ask_events": "events", "explore_options": "explore",
                    "ask_meaning": "meaning"}
_TRAINING_TOPICS = {"bbl": "bbl", "switch": "switch", "levels": "levels"}
_DOUBT_OF_TOPIC = {"gender": "girls_in_tech", "maths": "maths", "diploma": "no_diploma", "age": "age",
                   "language": "language", "physical": "heavy_work"}
_CONTACT_ASK = {"phone": "callback", "telefoon": "callback", "whatsapp": "whatsapp", "email": "email",
                "telegram": "telegram"}
# A diploma (or papers) from abroad: its own doubt, whatever the NLU's topic. Only the code leaves.
_DIPLOMA_WORDS = re.compile(r"\b(diploma\w*|papieren|getuigschrift\w*|certificaat\w*|opleiding\w*|degree|"
                            r"qualification\w*)\b")
_ABROAD_WORDS = re.compile(r"\b(buitenland\w*|syri\w*|turk\w*|marok\w*|oekra\w*|ukrain\w*|pol(en|en?s|ish)|"
                           r"eritre\w*|afghan\w*|iran\w*|ira[kq]\w*|somali\w*|suriname?\w*|erken\w*|erkend|idw|"
                           r"nuffic|foreign|abroad|herkomst|thuisland|mijn land|ander land)\b")
_APPOINTMENT = re.compile(r"\b(afspraak|afspreken|langs\s?komen|langskomen|op kantoor|gesprek plannen|appointment)\b")
_INFO_ONLY = re.compile(r"\b(alleen|eerst|gewoon)\s+(wat\s+|even\s+)?(info\w*|informatie)\b|\bjust (some )?info")


@lru_cache(maxsize=1)
def context_words() -> Dict[str, Any]:
    return yaml.safe_load(CONTEXT_FILE.read_text(encoding="utf-8"))


def _topic_entity(event: Mapping[str, Any]) -> Optional[str]:
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == "topic" and entity.get("value"):
            return str(entity["value"]).lower()
    return None


def _add(items: List[str], code: Optional[str]) -> None:
    if code and code not in items:
        items.append(code)


def _slot_values(events: List[Mapping[str, Any]]) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot":
            values[event.get("name")] = event.get("value")
        elif event.get("event") == "restart":
            values = {}
    return values


def context_codes(events: Iterable[Mapping[str, Any]], slots: Optional[Mapping[str, Any]] = None,
                  guardian: bool = False) -> Dict[str, Any]:
    """The codes, from the user turns no form took as an answer and the slots the intake set
    (``slots`` wins over the events' last values; the intake resets its slots after a submit).

    ``guardian``: the under-16 route; the guardian reads the preview, so only who asks, the language
    and the jobs from "ontdek wat bij je past" go along (what a child asked or doubted stays theirs)."""
    events = list(events)
    known = {**_slot_values(events), **{k: v for k, v in (slots or {}).items() if v is not None}}
    topics: List[str] = []
    doubts: List[str] = []
    asks: List[str] = []
    for event in free_turns(events):
        intent, text = _intent(event), " ".join(str(event.get("text") or "").lower().split())[:400]
        if text.startswith("/") and not intent:
            continue
        if intent == "doubt_fit":
            topic = _topic_entity(event)  # the pipeline's topic extractor (bot.conversation.topics) set it
            _add(doubts, _DOUBT_OF_TOPIC.get(topic or "", "general"))
        elif intent in _TOPIC_OF_INTENT:
            code = _TOPIC_OF_INTENT[intent]
            if intent == "ask_training":
                code = _TRAINING_TOPICS.get(_topic_entity(event) or "", code)
            _add(topics, code)
        if _DIPLOMA_WORDS.search(text) and _ABROAD_WORDS.search(text):
            _add(doubts, "foreign_diploma")
        if _APPOINTMENT.search(text):
            _add(asks, "appointment")
        if _INFO_ONLY.search(text):
            _add(asks, "info_only")
    if "foreign_diploma" in doubts and "no_diploma" in doubts:
        doubts.remove("no_diploma")  # the diploma doubt was about one from abroad
    if "events" in topics:
        _add(asks, "open_day")
    method = known.get("contact_method")
    if guardian:
        method = "email"
    if method in _CONTACT_ASK:
        asks.insert(0, _CONTACT_ASK[method])
    language: List[str] = []
    if known.get("language") == "en":
        language.append("en")
    if "language" in doubts:
        language.append("nt2")
    explored = [j.strip() for j in str(known.get("explore_interests") or "").split(",") if j.strip()][:3]
    codes: Dict[str, Any] = {
        "topics": topics[:MAX_ITEMS], "doubts": doubts[:MAX_ITEMS], "asks_for": asks[:MAX_ITEMS],
        "asker": known.get("asker_role") or "self", "language_needs": language,
        "urgent": bool(known.get("intake_quick")), "explored_jobs": explored,
    }
    if guardian:
        codes.update({"topics": [], "doubts": [], "asks_for": [], "urgent": False,
                      "language_needs": [c for c in language if c == "en"]})
    return codes


def _words(kind: str, code: str, who: str) -> str:
    table = context_words().get(kind) or {}
    entry = table.get(code)
    return str(entry.get(who) or "") if isinstance(entry, Mapping) else ""


_TABLE_OF = {"topics": "topics", "doubts": "doubts", "asks_for": "asks_for", "asker": "askers",
             "language_needs": "language_needs"}


def labels(codes: Optional[Mapping[str, Any]], kind: str, who: str = "adviseur") -> List[str]:
    """The words of one kind's codes, for the person (``preview``) or the counsellor (``adviseur``)."""
    codes = codes or {}
    if kind == "urgent":
        return [str(context_words()["urgent"][who])] if codes.get("urgent") else []
    if kind == "explored_jobs":
        return [str(j) for j in codes.get("explored_jobs") or []]
    value = codes.get(kind)
    values = [value] if isinstance(value, str) else list(value or [])
    return [w for w in (_words(_TABLE_OF[kind], str(v), who) for v in values) if w]


def preview_lines(codes: Optional[Mapping[str, Any]]) -> List[str]:
    """One line per kind that has something, as the person reads it before consent."""
    lines = []
    for kind in KINDS:
        items = labels(codes, kind, "preview")
        if items:
            lines.append(context_words()["preview_lines"][kind].format(items=", ".join(items)))
    return lines


def reason_text(codes: Optional[Mapping[str, Any]]) -> str:
    """"Waarom contact" for the counsellor, made of the codes the preview showed."""
    words = context_words()["reason"]
    parts = [words[kind].format(items=", ".join(labels(codes, kind)))
             for kind in ("topics", "doubts", "explored_jobs", "urgent") if labels(codes, kind)]
    text = "; ".join(parts) or words["none"]
    return text[:1].upper() + text[1:] + "."


def requested_text(codes: Optional[Mapping[str, Any]]) -> Optional[str]:
    """"Vraagt om" for the counsellor: what they ask for, or None when nothing is known."""
    items = labels(codes, "asks_for")
    return ", ".join(items) if items else None


def coded(codes: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The codes with the counsellor's words, as the v2 summary carries them."""
    codes = codes or {}
    pairs = lambda kind: [{"code": str(c), "label": l} for c, l in  # noqa: E731
                          zip([codes.get(kind)] if isinstance(codes.get(kind), str) else codes.get(kind) or [],
                              labels(codes, kind))]
    asker = pairs("asker")
    return {
        "topics": pairs("topics"), "doubts": pairs("doubts"), "asks_for": pairs("asks_for"),
        "asker": asker[0] if asker else {"code": "self", "label": _words("askers", "self", "adviseur")},
        "language_needs": pairs("language_needs"), "urgent": bool(codes.get("urgent")),
        "explored_jobs": [str(j) for j in codes.get("explored_jobs") or []],
    }
