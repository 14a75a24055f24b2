""""Wat betekent ...?" (issue 23): a short B1 explanation of a word from the bot's own texts.

The words and their explanations are in ``content/woordenlijst.yml`` (the content team keeps them).
:func:`find_term` recognises the clear ways people ask for a meaning ("wat betekent X", "wat is een
X", "wat bedoel je met X", "X? wat is dat", "wat is dat, X") and returns the entry only when X is a
word of the list. The NLU pipeline uses it to set the intent ``ask_meaning`` for those messages
(bot/conversation/rasa_pattern_intents.py), unless the model found the word's own intent (``wat is
bbl`` stays ask_training, whose answer explains BBL and BOL); action_explain_term answers from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from bot.ops.config import PROJECT_ROOT

GLOSSARY = PROJECT_ROOT / "content" / "woordenlijst.yml"

# Words around the asked word that do not belong to it: "wat is een cao precies?"
FILLERS = {"een", "de", "het", "die", "dat", "dit", "deze", "nou", "nu", "eigenlijk", "precies", "dan", "toch",
           "eh", "ehm", "uhm", "hè", "he", "jij", "je", "u", "woord", "begrip", "term", "daar", "mee", "er",
           "is", "zijn", "betekent", "bedoel", "bedoelt", "ook", "al", "weer", "even", "pls", "please", "aub",
           "sorry", "hoor", "ik", "snap", "weet", "niet", "wat", "want", "maar", "ja", "nee", "oke", "ok",
           "binnen", "2", "twee", "3", "drie", "met", "jullie", "van", "bij", "in", "een", "zo'n", "zon",
           "dus", "hier", "staat", "stond", "zeggen", "wil", "wilt", "mij", "me", "uitleggen", "leg", "uit"}
MAX_WORDS = 4  # the asked phrase, without fillers: longer is a sentence, not a word

_TOKEN = re.compile(r"[\w][\w'’-]*", re.UNICODE)
# The question around the word: the part in group "x" is the word that was asked about.
_PATTERNS = [
    re.compile(r"^(?:en\s+|maar\s+|sorry\s*,?\s*)?wat\s+(?:betekent|betekend|betekenen|beteken|betekende|is\s+de\s+betekenis\s+van)\s+(?P<x>.+)$"),
    re.compile(r"^(?:en\s+|maar\s+)?wat\s+(?:bedoel|bedoelt|bedoelen)\s+(?:je|jij|u|jullie|ze|jullie)\s+(?:met|mee)\s+(?P<x>.+)$"),
    re.compile(r"^(?:en\s+|maar\s+)?wat\s+(?:is|zijn|was)\s+(?:dat|dit)\s*,?\s+(?P<x>.+)$"),
    re.compile(r"^(?:en\s+|maar\s+)?wat\s+(?:is|zijn)\s+(?:een|de|het|dat|die|zo'?n)\s+(?P<x>.+)$"),
    re.compile(r"^(?:en\s+|maar\s+)?wat\s+(?:is|zijn)\s+(?P<x>.+)$"),
    re.compile(r"^(?:en\s+|maar\s+)?wat\s+wil\s+(?P<x>.+)\s+zeggen$"),
    re.compile(r"^(?:de\s+)?betekenis\s+van\s+(?P<x>.+)$"),
    re.compile(r"^(?:kun\s+je|kan\s+je|kunt\s+u)\s+(?P<x>.+?)\s+(?:uitleggen|uitleg\w*)$"),
    re.compile(r"^(?P<x>.+?)\s*[?,:]+\s*(?:wat|wa|wtf)\s+(?:is|betekent|bedoel\s+je\s+met|zijn)\s*(?:dat|dit|dat\s+eigenlijk|je\s+daarmee)?$"),
    re.compile(r"^(?P<x>.+?)\s*[?,:]*\s*(?:wat\s+betekent\s+dat|wat\s+is\s+dat|wat\s+bedoel\s+je\s+daarmee|wat\s+bedoel\s+je)$"),
]


@dataclass(frozen=True)
class Term:
    key: str
    words: Tuple[str, ...]
    explanation: str
    source: Optional[str] = None
    owner: Optional[str] = None  # the intent whose own answer explains this word ("eigen_intent")


def _tokens(text: str) -> List[str]:
    return [t.replace("’", "'") for t in _TOKEN.findall((text or "").lower())]


def load(path: Path = GLOSSARY) -> Dict[str, Term]:
    return dict(_load(Path(path)))


@lru_cache(maxsize=4)
def _load(path: Path) -> Tuple[Tuple[str, Term], ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = []
    for key, entry in (data.get("terms") or {}).items():
        words = tuple(" ".join(_tokens(str(w))) for w in entry.get("woorden") or [key])
        terms.append((str(key), Term(str(key), words, str(entry.get("uitleg") or "").strip(), entry.get("bron"),
                                     entry.get("eigen_intent"))))
    return tuple(terms)


def _clean(text: str) -> str:
    """Lower case, chat spelling tamed: one space, no trailing ?!. and no quotes."""
    text = (text or "").lower().replace("’", "'").replace('"', " ").replace("“", " ").replace("”", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(hoi|hey|hallo|hee|he|yo)\s*[,!]?\s+", "", text)
    return re.sub(r"[\s?!.]+$", "", text).strip()


def asked_phrase(text: Optional[str]) -> Optional[str]:
    """The word(s) someone asks the meaning of, when the message is one of the clear patterns."""
    cleaned = _clean(text or "")
    for pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            phrase = match.group("x").strip(" ,?!.'\"")
            if phrase:
                return phrase
    return None


def _match(tokens: List[str], terms: Mapping[str, Term]) -> Optional[Term]:
    """The term whose written form covers every word of the phrase that is not a filler."""
    wanted = [t for t in tokens if t not in FILLERS]
    if not wanted or len(wanted) > MAX_WORDS:
        return None
    best: Optional[Tuple[int, Term]] = None
    for term in terms.values():
        for form in term.words:
            parts = form.split()
            found = any(tokens[i:i + len(parts)] == parts for i in range(len(tokens) - len(parts) + 1))
            if found and set(wanted) <= set(parts) and (best is None or len(parts) > best[0]):
                best = (len(parts), term)
    return best[1] if best else None


def find_term(text: Optional[str], terms: Optional[Mapping[str, Term]] = None) -> Optional[Term]:
    """The glossary entry a message asks the meaning of, or None (no clear question, or a word that
    is not in the list)."""
    phrase = asked_phrase(text)
    if phrase is None:
        return None
    return _match(_tokens(phrase), load() if terms is None else terms)
