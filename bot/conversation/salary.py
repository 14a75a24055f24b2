"""What the bot says about pay (issue 23, item 3): figures, not only "dat staat in de cao".

The figures live in ``content/facts.yml`` (section ``salaries``: source, period and status per
figure); the sentences are responses in ``domain/onderwerpen.yml`` whose ``{placeholders}`` are
filled from :func:`values`. This module only decides which response comes next:

- the first question: an overview with a few starting salaries and what a cao is (``utter_salary``);
- a question about one job family ("wat verdien je in de ict"): that family's figures;
- "en met bbl?", "later?", "in mijn regio?": that detail;
- asked again ("ja maar hoeveel dan?? per maand"): the next detail nobody has heard yet (growth with
  experience, BBL pay by age, regional differences and the counsellor), and never the response
  the bot sent just before.

No Rasa here: :func:`choose` takes the message and what the bot said before, as names.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.conversation import topics
from bot.conversation.history import Said, bot_messages
from bot.ops.config import PROJECT_ROOT

FACTS = PROJECT_ROOT / "content" / "facts.yml"
ACTION = "action_answer_salary"

OVERVIEW = "utter_salary"
BBL = "utter_salary_bbl"
GROWTH = "utter_salary_growth"
REGION = "utter_salary_region"
FAMILY = {
    "installatie": "utter_salary_installatie", "bouw": "utter_salary_bouw", "metaal": "utter_salary_metaal",
    "ict": "utter_salary_ict", "mobiliteit": "utter_salary_mobiliteit", "proces": "utter_salary_proces",
}
# What comes next when someone asks again without saying what about.
ORDER = (OVERVIEW, GROWTH, BBL, REGION)
# Button payloads send these as the ``topic`` entity (domain/onderwerpen.yml).
DETAIL_TOPICS = {"bbl": BBL, "groei": GROWTH, "regio": REGION}

_BBL_WORDS = ("bbl", "leerling", "leerbedrijf", "leerwerk", "werken en leren", "leren en werken",
              "tijdens de opleiding", "tijdens je opleiding", "tijdens mijn opleiding")
_GROWTH_WORDS = ("later", "ervaring", "groei", "doorgroei", "vakkracht", "na een paar jaar", "na een tijdje",
                 "omhoog", "meer verdienen", "opslag", "=max", "maximaal", "ervaren")
_REGION_WORDS = ("regio", "in de buurt", "bij mij", "hier in", "randstad", "provincie", "per plaats")


def _mentions(text: str, keywords: Iterable[str]) -> bool:
    tokens = topics.words(text or "")
    return any(topics._find(keyword, tokens) for keyword in keywords)


def family_of(text: Optional[str], topic: Optional[str] = None) -> Optional[str]:
    """The job family asked about: the button's topic, else the jobs keyword table on the text."""
    if topic in FAMILY:
        return topic
    return topics.detect_topic("ask_jobs", text)


def asked_detail(text: Optional[str], topic: Optional[str] = None) -> Optional[str]:
    """The detail a message asks for (BBL, growth, region), from the button's topic or the words."""
    if topic in DETAIL_TOPICS:
        return DETAIL_TOPICS[topic]
    if _mentions(text or "", _BBL_WORDS):
        return BBL
    if _mentions(text or "", _GROWTH_WORDS):
        return GROWTH
    if _mentions(text or "", _REGION_WORDS):
        return REGION
    return None


def choose(text: Optional[str], topic: Optional[str], history: Sequence[Said], place: bool = False) -> str:
    """The salary response to send now.

    ``history`` is what the bot said in this conversation, oldest first; its last item is the bot's
    previous message. ``place`` is True when the message names a place (a regional question)."""
    said = [s.response for s in history if s.response]
    previous = history[-1] if history else None
    wanted: List[str] = []
    family = family_of(text, topic)
    detail = asked_detail(text, topic) or (REGION if place else None)
    if detail:
        wanted.append(detail)
    if family:
        wanted.append(FAMILY[family])
    # Then what nobody has heard yet, in the order that helps most; then the oldest said.
    fresh = [r for r in ORDER if r not in said]
    heard = sorted((r for r in ORDER if r in said), key=lambda r: max(i for i, s in enumerate(said) if s == r))
    for response in wanted + fresh + heard:
        if previous is None or response != previous.response:
            return response
    return REGION  # unreachable: ORDER holds four responses and only one can be the previous


# ---------------------------------------------------------------- figures from content/facts.yml

def euro(amount: float) -> str:
    """Dutch notation: € 2.600."""
    return "€ " + f"{int(round(amount)):,}".replace(",", ".")


def monthly(per_hour: float, hours_per_week: float) -> int:
    """Gross per month from an hourly wage, rounded to 10 euro."""
    return int(round(per_hour * hours_per_week * 52 / 12 / 10.0)) * 10


def span(pair: Sequence[float]) -> str:
    low, high = pair
    return f"{euro(low)} tot {euro(high)}"


@lru_cache(maxsize=4)
def _load(path: Path) -> Dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("salaries") or {}


def salaries(path: Path = FACTS) -> Dict[str, Any]:
    return _load(Path(path))


def values(path: Path = FACTS) -> Dict[str, str]:
    """Every placeholder of the utter_salary* responses: ``{family}_starter``, ``{family}_vakkracht``,
    ``bbl_18`` .. ``bbl_20``, ``wml_18`` .. ``wml_21``."""
    data = salaries(path)
    filled: Dict[str, str] = {}
    for family, figures in (data.get("families") or {}).items():
        filled[f"{family}_starter"] = span(figures["starter"])
        filled[f"{family}_vakkracht"] = span(figures["vakkracht"])
    wage = data.get("minimum_wage") or {}
    hours = float(wage.get("hours_per_week") or 38)
    for age, rate in (wage.get("per_hour") or {}).items():
        filled[f"wml_{age}"] = euro(monthly(float(rate), hours))
    for age, rate in (wage.get("bbl_per_hour") or {}).items():
        filled[f"bbl_{age}"] = euro(monthly(float(rate), hours))
    return filled


# ---------------------------------------------------------------- conversation history

def history(events: Iterable[Mapping[str, Any]]) -> List[Said]:
    """The bot's messages in this session, oldest first (Rasa tracker events as dicts)."""
    return bot_messages(events)


_FOLLOW_UP = re.compile(r"^\W*(en|maar|ja|oke|ok|hoeveel|per|dus|netto|bruto)\b", re.I)
# "what is bbl?", "wat betekent bbl": a question about the word, not about pay (ask_training, ask_meaning)
_WHAT_IS = re.compile(r"^\W*(what is|what's|what does|wat is|wat betekent)\b(?!.*\b(pay|salary|loon|salaris|verdien\w*|earn\w*)\b)", re.I)


def is_follow_up(text: Optional[str], previous: Optional[Said]) -> bool:
    """A short follow-up right after a salary answer ("en met bbl?", "per maand?", "ja maar hoeveel
    dan") that NLU read as another intent or did not understand: it is still about pay."""
    if previous is None or not (previous.response or "").startswith("utter_salary") or not text:
        return False
    if text.lstrip().startswith("/") or _WHAT_IS.search(text):  # a button ("Wat is BBL?"), or the word itself
        return False
    tokens = topics.words(text)
    if not tokens or len(tokens) > 7:
        return False
    return bool(_FOLLOW_UP.search(text)) or asked_detail(text) is not None or "maand" in tokens
