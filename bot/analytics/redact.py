"""Removes personal data from a question before it is stored (``analytics_unanswered``).

Rule-based, because it must run in the worker without a model: e-mail addresses, URLs, bank
accounts, phone numbers, postcodes, dates, times and every other number (ages, house numbers) by
pattern; names by a first-name list (bot.analytics.names), by cues ("ik heet …", "groetjes …")
and by capitalisation: a capitalised word in the middle of a sentence that is not a known place,
region or everyday capitalised word is taken for a name, with its "van der"-style particles and
surname. Places stay: "open dag in Goes" is what the content team needs, and a place alone does
not identify anyone. When in doubt, the word goes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, List

from bot.analytics.names import FIRST_NAMES, WORD_LIKE

EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+", re.I)
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|net|eu|be|io|info)(?:/\S*)?\b", re.I)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d){10}\b", re.I)
# +31 6 12345678, 06-12345678, 0612 345 678, (010) 123 45 67, 0031 6 ...: 9+ digits with separators
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s\-./()]{0,2}\d){8,13}(?!\w)")
POSTCODE = re.compile(r"\b\d{4}\s?(?!(?:en|of|uur|km|jr)\b)[A-Za-z]{2}\b")
MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
          "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
DATE = re.compile(r"\b\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?\b|\b\d{1,2}\s(?:" + MONTHS + r")\b(?:\s\d{4})?", re.I)
TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NUMBER_WORDS = re.compile(r"\b(?:twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien|twintig|"
                          r"(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)en(?:twintig|dertig|veertig|vijftig|zestig)|"
                          r"dertig|veertig|vijftig|zestig)\b", re.I)

HANDLE = re.compile(r"(?<![\w@])@\w{3,}")
PATTERNS = ((EMAIL, "[e-mail]"), (HANDLE, "[gebruikersnaam]"), (URL, "[url]"), (IBAN, "[rekening]"), (PHONE, "[telefoon]"),
            (POSTCODE, "[postcode]"), (DATE, "[datum]"), (TIME, "[tijd]"), (NUMBER, "[getal]"),
            (NUMBER_WORDS, "[getal]"))

NAME = "[naam]"
# after these the next word is a name, whatever its case
NAME_CUES = re.compile(r"\b(ik heet|mijn naam is|naam is|noem me|je kunt me|heet ik|groetjes|groeten|gr\.?|"
                       r"vriendelijke groet,?|mvg,?|met vriendelijke groet,?|mijn (?:broer|zus|moeder|vader|"
                       r"vriend|vriendin|zoon|dochter|mentor|juf|meester|docent|buurman|buurvrouw)(?: heet| is)?)"
                       r"[\s:,]+([^\W\d_][\w'-]*)", re.I)
PARTICLES = frozenset("van de der den het te ten ter 't von da di el al bin".split())
WORD = re.compile(r"\[[a-z-]+\]|[^\W\d_][\w'’-]*|\S", re.U)
SENTENCE_END = frozenset(".!?:;\n")

# Capitalised everyday words that are no names (lower case here).
KNOWN_CAPITALISED = frozenset("""
ik je jij u hij zij we wij jullie ze het de een hoi hallo hey hi hoe wat waar wanneer waarom wie welke
kan kun mag moet wil is zijn ben heb hebben weet ja nee oké ok dank bedankt sorry goedemorgen goedemiddag
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni juli
augustus september oktober november december nederland nederlands engels duits frans turks arabisch
pools marokkaans surinaams europa amsterdam randstad techniek gouden poort aanvalsplan google whatsapp
telegram instagram tiktok youtube linkedin philips asml shell tata defensie rijkswaterstaat prorail steel
bouw installatie elektro mbo hbo vmbo havo vwo bbl bol roc uwv duo svb gemeente covid corona
""".split())


@lru_cache(maxsize=1)
def place_names() -> FrozenSet[str]:
    """Every place, gemeente and region name (lower case)."""
    from bot.routing.regions import load_gazetteer

    gaz = load_gazetteer()
    names = set(gaz.names) | {r.name.lower() for r in gaz.regions.values()}
    return frozenset(names | {g.name.lower() for g in gaz.gemeenten.values()})


@lru_cache(maxsize=1)
def place_words() -> FrozenSet[str]:
    """Place names and each word of a multi-word name ("den", "haag"): not taken for a name."""
    words = set()
    for name in place_names():
        words.add(name)
        words.update(w for w in re.split(r"[\s-]+", name) if len(w) > 2)
    return frozenset(words)


def _is_name(word: str, sentence_start: bool, places: FrozenSet[str]) -> bool:
    lower = word.lower()
    if lower in FIRST_NAMES and lower not in WORD_LIKE:
        return True
    capitalised = word[:1].isupper() and not word.split("-")[0].isupper()
    if not capitalised or sentence_start:
        return False
    return lower not in KNOWN_CAPITALISED and lower not in places


# after a cue's name: more words of it ("jan-willem bakker,"): particles, capitalised words, or a
# lower-case word that ends the clause
CUE_TAIL = re.compile(r"^(?:\s+(?:" + "|".join(sorted(PARTICLES)) + r")\b|\s+[A-Z][\w'-]*|\s+[^\W\d_][\w'-]*(?=[,.!?;:]|$))+")


def _cue(match: re.Match) -> str:
    return f"{match.group(1)} {NAME}"


def _names(text: str, places: FrozenSet[str]) -> str:
    full_places = place_names()
    parts, last = [], 0
    for match in NAME_CUES.finditer(text):
        parts.append(text[last:match.start()])
        parts.append(_cue(match))
        tail = CUE_TAIL.match(text[match.end():])
        last = match.end() + (tail.end() if tail else 0)
    parts.append(text[last:])
    text = "".join(parts)
    tokens: List[re.Match] = list(WORD.finditer(text))
    out: List[str] = []
    last = 0
    start = True
    after_name = particle = False
    for index, match in enumerate(tokens):
        word = match.group(0)
        out.append(text[last:match.start()])
        last = match.end()
        replaced = word
        if word.startswith("["):
            after_name = word == NAME
        elif word[0].isalpha():
            lower = word.lower()
            nxt = tokens[index + 1].group(0) if index + 1 < len(tokens) else ""
            if after_name and lower in PARTICLES and (nxt[:1].isupper() or nxt.lower() in PARTICLES):
                replaced = ""  # "van der" in "[naam] van der Berg": part of the name
                particle = True
            elif after_name and word[:1].isupper() and lower not in KNOWN_CAPITALISED and \
                    (particle or lower not in full_places):
                replaced = ""  # the surname after a first name
            elif _is_name(word, start, places):
                replaced = NAME
                after_name = True
            else:
                after_name = False
            if replaced != "":
                particle = False
        start = word in SENTENCE_END or (start and not word[:1].isalnum() and not word.startswith("["))
        out.append(replaced)
    out.append(text[last:])
    joined = "".join(out)
    joined = re.sub(r"(\[naam\])(?:\s+(?=\s|[,.!?]|$))+", r"\1", joined)
    return re.sub(r"(\[naam\])(?:\s*\[naam\])+", r"\1", re.sub(r"[ \t]{2,}", " ", joined)).strip()


# Terminal escape sequences (ECMA-48): CSI "ESC [ … final" (also its 8-bit form 0x9B), OSC/DCS/APC/PM/SOS
# strings up to their terminator (BEL or ESC \\, also 8-bit), and the two-byte "ESC x" forms.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]P^_X]|[\x9d\x90\x9e\x9f\x98])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?")
# What is left: C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi controls that
# make a terminal (or a page) show text in another order than it is stored ("Trojan source").
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str, keep_lines: bool = True) -> str:
    """``text`` without terminal escapes and control characters, so what a person typed can neither
    move a terminal's cursor, change its title or colours, nor hide part of itself when someone prints
    it (``python -m bot funnel``). ``keep_lines=False`` also turns tabs and newlines into spaces, for
    output that must stay one line per item. A carriage return becomes a newline first, so "a\\rb" cannot
    overwrite "a" on a terminal."""
    text = ESCAPE_SEQUENCE.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)
    return re.sub(r"\s+", " ", text).strip() if not keep_lines else text


def redact(text: str) -> str:
    """The question without personal data: patterns first (they contain digits), then names.
    Control characters and terminal escapes go before anything is stored."""
    text = strip_controls((text or "")[:500])
    for pattern, placeholder in PATTERNS:
        text = pattern.sub(placeholder, text)
    return _names(text, place_words())


STOPWORDS = frozenset("""
ik je jij u de het een en of is in op te van voor met dat die dit er wat hoe kan kun mag ook nog wel
niet maar dan als om bij aan naar zijn ben heb hebben mijn me mij jullie we wij ze zij hij hoi hallo
""".split())


def signature(redacted: str) -> str:
    """The question's content words, sorted: similar questions share most of them."""
    words = {w for w in re.findall(r"[^\W\d_]+", redacted.lower()) if w not in STOPWORDS and len(w) > 1}
    words -= {"naam", "getal", "telefoon", "postcode", "datum", "url", "mail", "rekening", "tijd"}
    return " ".join(sorted(words))[:255]


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Jaccard overlap of two signatures' words."""
    left, right = set(a.split()), set(b.split())
    if not left or not right:
        return a == b
    return len(left & right) / len(left | right) >= threshold
