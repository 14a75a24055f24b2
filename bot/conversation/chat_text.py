"""How a chat message is made comparable before the intent model reads it (issue 13).

People type "jaaaa", "Zwólle", "ik ben 19" and "3512ab"; the training data cannot hold every
stretched word, every one of 2,458 places, every age or postcode. So the text is lower-cased, accents
and letters typed three times or more are folded, and what the intake asks for gets a shared marker
next to the words themselves: a place given as an answer ``_plaats_``, a common first name
``_naam_``, a postcode ``_postcode_``, a number ``_getal_``, an e-mail address ``_email_``, a phone
number ``_telefoon_``. The model then learns "a bare place name is an answer" from a few places and
applies it to all of them. The markers are added, never substituted, so a place that is also a word
("hee", "bergen") keeps its word.
"""
from __future__ import annotations

import re
import unicodedata
from typing import FrozenSet, Iterable, List

from bot.analytics.names import FIRST_NAMES, WORD_LIKE

_EMAIL = re.compile(r"[\w.%+-]+@[\w.-]+\.[a-z]{2,}")
_PHONE = re.compile(r"(?<!\d)(?:\+31|0031|0)[ -]?(?:6[ -]?(?:\d[ -]?){8}|[1-9]\d{1,2}[ -]?\d{6,7})(?!\d)")
_POSTCODE = re.compile(r"(?<!\d)[1-9]\d{3} ?[a-z]{2}(?![a-z])")
_NUMBER = re.compile(r"(?<![\w])\d+(?![\w])")
_DIGITS = re.compile(r"\d+")
_REPEATS = re.compile(r"(\D)\1{2,}")
_NON_WORD = re.compile(r"[^\w@+]+", re.UNICODE)

# Places in the CBS list that are also everyday words in a chat: they keep their word, no marker.
PLACE_WORDS_IN_CHAT = frozenset("""
    hee goes bergen zetten anderen best echt lent made son beek kamp wijk mill haren buren lage sint
    hoorn nederland well ee oost west noord zuid eind baak ane arum hank lomm nuis onna rhee est
    """.split())
MAX_PLACE_WORDS = 4
# First names of the redactor's list (bot/analytics/names.py) that are not also words in a chat,
# Dutch or English ("can you help", "max 2 jaar", "de floor").
NAMES = FIRST_NAMES - WORD_LIKE - frozenset("can max floor will dean bas sem sep mats noor".split())


def fold(text: str) -> str:
    """Lower case, no accents, no letter typed three times or more ("jaaaa" -> "jaa")."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _REPEATS.sub(r"\1\1", text)


def place_names(names: Iterable[str]) -> FrozenSet[str]:
    """The folded, word-normalised names of a place lookup, everyday words left out."""
    out = set()
    for name in names:
        words = _NON_WORD.sub(" ", fold(name)).split()
        if words and not (len(words) == 1 and words[0] in PLACE_WORDS_IN_CHAT) and len(words) <= MAX_PLACE_WORDS:
            out.add(" ".join(words))
    return frozenset(out)


# The words around a place when it is the answer to "waar woon je?" ("ik woon in Assen", "uit de
# buurt van Ede"). A place inside any other message ("open dag in Assen", "goeiemorgen uit Almere",
# "een kamer in Utrecht") gets no marker: there the other words say what the message is.
ANSWER_WORDS = frozenset("""
    ik woon wonen woonachtig in te bij uit kom kom' van de het buurt omgeving regio gemeente dorp stad
    vlakbij dichtbij naast nabij eh uh uhm ehm hier daar gewoon zit ben
    """.split())


def _place_answer(words: List[str], places: FrozenSet[str]) -> bool:
    """True when the message is a place, alone or with only answer words around it."""
    i, found = 0, False
    while i < len(words):
        for size in range(min(MAX_PLACE_WORDS, len(words) - i), 0, -1):
            if " ".join(words[i:i + size]) in places:
                found = True
                i += size
                break
        else:
            if words[i] not in ANSWER_WORDS:
                return False
            i += 1
    return found


def normalise_chat(text: str, places: FrozenSet[str] = frozenset()) -> str:
    """The text the intent model sees: folded words, with markers for what the intake asks."""
    text = fold(text)
    markers = []
    if _EMAIL.search(text):
        markers.append("_email_")
        text = _EMAIL.sub(" ", text)
    if _PHONE.search(text):
        markers.append("_telefoon_")
        text = _PHONE.sub(" ", text)
    if _POSTCODE.search(text):
        markers.append("_postcode_")
    if _NUMBER.search(text):
        markers.append("_getal_")
    words = _NON_WORD.sub(" ", _DIGITS.sub("0", text)).split()
    if places and _place_answer(words, places):
        markers.append("_plaats_")
    if any(w in NAMES for w in words):
        markers.append("_naam_")
    return " ".join(words + markers)
