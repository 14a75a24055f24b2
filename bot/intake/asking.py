"""How the intake asks its questions: in full the first time, in one short line when it comes back
to the same question, and with a way forward after two failed tries (issue 23 items 1 and 8).

A person who asks "hoeveel verdien je?" in the middle of the intake gets the answer first, then the
question again; repeating the whole question word for word reads like a machine that did not listen.
Two failed tries at one question never become a third: the question comes back with buttons, a
skip, or the offer to reach a person.

The choice is made from the response names the bot used so far (bot events carry them in their
metadata), so it needs no slot of its own and survives a restarted action server.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional

ASK = "utter_ask_"
REASK = "utter_reask_"
STUCK = "utter_stuck_"
FOR_OTHER = "_for_other"
ASKING_PREFIXES = (ASK, REASK, STUCK)
# After this many failed tries the question comes back with a way forward (utter_stuck_<slot>).
TRIES_BEFORE_HELP = 2


def slot_of_response(name: Optional[str]) -> Optional[str]:
    """'utter_reask_age_band' -> 'age_band'; None for responses that ask nothing."""
    for prefix in ASKING_PREFIXES:
        if name and name.startswith(prefix):
            slot = name[len(prefix):]
            return slot[: -len(FOR_OTHER)] if slot.endswith(FOR_OTHER) else slot
    return None


def last_asked_slot(bot_responses: Iterable[Optional[str]]) -> Optional[str]:
    """The slot of the most recent question, given the bot's response names, oldest first."""
    last = None
    for name in bot_responses:
        slot = slot_of_response(name)
        if slot:
            last = slot
    return last


def ask_response(slot: str, bot_responses: Iterable[Optional[str]], misses: Optional[Mapping[str, int]],
                 known: Iterable[str], for_other: bool = False) -> Optional[str]:
    """The response that asks ``slot`` now, or None when the question needs no words (the last message
    already asked it with its way forward). ``known`` are the response names the domain has."""
    known = set(known)
    responses = list(bot_responses)
    tries = (misses or {}).get(slot, 0)
    again = last_asked_slot(responses) == slot
    if tries >= TRIES_BEFORE_HELP and f"{STUCK}{slot}" in known:
        if responses and responses[-1] == f"{STUCK}{slot}":
            return None
        return f"{STUCK}{slot}"
    if again and f"{REASK}{slot}" in known:
        return f"{REASK}{slot}"
    if for_other and f"{ASK}{slot}{FOR_OTHER}" in known:
        return f"{ASK}{slot}{FOR_OTHER}"
    return f"{ASK}{slot}"


# --- Is this message a question, not an answer? ----------------------------------------------------
_QUESTION_START = re.compile(
    r"^(wat|wie|waar|wanneer|waarom|wrm|hoe|hoeveel|hoelang|welke|welk|kan|kun|kunnen|mag|moet|is|zijn|ben|"
    r"heb|hebben|krijg|krijgen|verdien|verdient|bestaat|zit|werkt|doe|doen|gaat|what|how|why|when|where|"
    r"can|do|does|is|are|will)\b")


def is_question(text: Optional[str]) -> bool:
    """A typed question ("hoeveel verdien je?", "wat is bbl"), as opposed to an answer ("ict", "17")."""
    low = " ".join(str(text or "").lower().split())
    if not low or low.startswith("/"):
        return False
    return "?" in low or bool(_QUESTION_START.match(low))


# --- A question in the middle of the intake -------------------------------------------------------
# The intents that ask for information. At any question of a form, such a message is answered first
# and the form's question comes back in one short line; it never gets the slot's validation error.
INFO_INTENTS = ("ask_jobs", "ask_salary", "ask_training", "ask_guarantee", "ask_events", "doubt_fit",
                "ask_meaning", "ask_followup", "greet")


def is_interruption(intent: Optional[str], text: Optional[str], answer_fits: bool) -> bool:
    """True when the message is a question to answer, not an answer to the form's question: an
    informational intent, and a button that asks for it, a typed question, or no fitting answer.
    "ict" at "Wat lijkt je leuk?" is an answer (ask_jobs, but it fits); "wat verdien je in de ict?" is not."""
    if intent not in INFO_INTENTS:
        return False
    raw = str(text or "").strip()
    return raw.startswith("/") or is_question(raw) or not answer_fits
