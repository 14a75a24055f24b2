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
from pathlib import Path
from typing import FrozenSet, List, Optional, Tuple

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

# Handles: "@fatima.techgirl", "kasper#4821", and after "mijn snap/insta/tiktok (is)": the next word.
HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,}\w|\b[^\W\d_]\w*#\d{3,5}\b")
HANDLE_CUE = re.compile(r"\b((?:insta(?:gram)?|snap(?:chat)?|tiktok|discord|twitter|facebook|fb|telegram|x|"
                        r"gebruikersnaam|username|account)(?:\s+(?:is|naam|heet))?(?:\s+is)?\s*[:=]?)\s+([^\s,!?]+[^\s,!?.])", re.I)
# "sanne_xo", "roxanne.vdb", "techmeisje_2009", "dirk_jan_88": a handle by its form (not a placeholder).
HANDLE_FORM = re.compile(r"(?<![\w@\[])(?=[\w.]*[_.])(?=[^\s]*[^\W\d_])[\w]+(?:[._][\w]+)+(?![\w\]])")
STREET = re.compile(r"\b[^\W\d_][\w'-]*(?:straat|weg|laan|plein|singel|gracht|kade|dijk|steeg|dreef|hof|pad)"
                    r"(?:\s+\d+\s?[a-z]?\b(?:\s+bis\b)?)?", re.I)
HOUSE_NUMBER = re.compile(r"\b\d+[a-z]\b", re.I)
# numbers spelled out, several in a row: "zes twaalf drie vier"
SPELLED_DIGITS = re.compile(r"\b(?:(?:nul|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|"
                            r"veertien|vijftien|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|"
                            r"vijftig|zestig|zeventig|tachtig|negentig)\b[\s,-]*){3,}", re.I)
PATTERNS = ((EMAIL, "[e-mail]"), (HANDLE, "[gebruikersnaam]"), (URL, "[url]"), (IBAN, "[rekening]"),
            (PHONE, "[telefoon]"), (SPELLED_DIGITS, "[telefoon] "), (POSTCODE, "[postcode]"), (DATE, "[datum]"),
            (TIME, "[tijd]"), (HOUSE_NUMBER, "[getal]"), (NUMBER, "[getal]"), (NUMBER_WORDS, "[getal]"))

NAME = "[naam]"
# after these the next word is a name, whatever its case
NAME_CUES = re.compile(r"\b(ik heet|mijn naam is|naam is|mijn naam:?|noem me|je kunt me|heet ik|groetjes(?: van)?|"
                       r"groeten(?: van)?|gr\.?|vriendelijke groet,?|mvg,?|met vriendelijke groet,?|dit is|hier is|"
                       r"vraag(?:je)? van|namens|vraag naar|meneer|mevrouw|mr\.?|mw\.?|juf|meester|"
                       r"mijn (?:(?:oudste |jongste |kleine |grote )?(?:broer(?:tje)?|zus(?:je)?|moeder|vader|"
                       r"vriend|vriendin|zoon|dochter|mentor|juf|meester|docent|leraar|lerares|buurman|buurvrouw|"
                       r"oom|tante|neef|nicht|opa|oma|stiefvader|stiefmoeder))(?: heet| is)?)"
                       r"[\s:,]+([^\W\d_][\w'’-]*)", re.I)
# "ik ben kerem", "met Gerda": a name unless the word is an everyday word ("ik ben bang", "ik ben een ...")
SOFT_CUES = re.compile(r"(?:\bik ben|\bwij zijn|\bwe zijn|^\W*met|\bvoor|\bmag|\bdoet|\bzeg tegen|\bplek voor|"
                       r"\ben)\s+([^\W\d_][\w'’-]*)", re.I)
AFTER_NAME_CUES = re.compile(r"\b([^\W\d_][\w'’-]*)(?=[\s,]+hier\b)", re.I)
PARTICLES = frozenset("van de der den het te ten ter 't von da di el al bin ben ibn abu".split())
WORD = re.compile(r"\[[a-z-]+\]|['’]t\b|[^\W\d_][\w'’-]*|\S", re.U)
SENTENCE_END = frozenset(".!?:;\n")
LEXICON = Path(__file__).resolve().parent / "lexicon"

# Capitalised everyday words that are no names (lower case here).
KNOWN_CAPITALISED = frozenset("""
ik je jij u hij zij we wij jullie ze het de een hoi hallo hey hi hoe wat waar wanneer waarom wie welke
kan kun mag moet wil is zijn ben heb hebben weet ja nee oké ok dank bedankt sorry goedemorgen goedemiddag
goedendag goedenavond beste aan dit
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni juli
augustus september oktober november december nederland nederlands engels duits frans turks arabisch
pools marokkaans surinaams europa amsterdam randstad techniek gouden poort aanvalsplan google whatsapp
telegram instagram tiktok youtube linkedin philips asml shell tata defensie rijkswaterstaat prorail steel
bouw installatie elektro mbo hbo vmbo havo vwo bbl bol roc uwv duo svb gemeente covid corona chatbot
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


def _words(name: str) -> FrozenSet[str]:
    words = set()
    for line in (LEXICON / name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(w.lower() for w in line.split())
    return frozenset(words)


@lru_cache(maxsize=1)
def lexicon() -> Tuple[FrozenSet[str], FrozenSet[str], FrozenSet[str], FrozenSet[str]]:
    """(everyday words, words that are also a first name, first names, job/course/place words)."""
    domain = set(_words("vakwoorden.txt")) | set(KNOWN_CAPITALISED) | set(place_words())
    try:
        import yaml

        data = yaml.safe_load((Path(__file__).resolve().parents[2] / "content" / "exploration.yml").read_text("utf-8"))
        for job in data.get("jobs", []):
            domain.update(w.lower() for w in re.findall(r"[^\W\d_][\w'-]*", str(job.get("name", ""))))
    except (OSError, ValueError):
        pass
    names = (set(_words("voornamen.txt")) | set(FIRST_NAMES)) - set(WORD_LIKE)
    ambiguous = set(_words("dubbelzinnig.txt")) | set(WORD_LIKE)
    return _words("woorden.txt") - names, frozenset(ambiguous), frozenset(names), frozenset(domain)


def _known(lower: str) -> bool:
    """An everyday, job, course or place word, also as a compound ("rioleringsmedewerker")."""
    words, _ambiguous, _names, domain = lexicon()
    if lower in words or lower in domain:
        return True
    parts = lower.split("-")
    if len(parts) > 1:
        return all(_known(p) for p in parts if p)
    for i in range(2, len(lower) - 3):
        head, tail = lower[:i], lower[i:]
        if len(head) == 2 and len(tail) < 6:
            continue
        if (tail in words or tail in domain) and (head in words or head in domain or
                                                 (head.endswith("s") and head[:-1] in words)):
            return True
    return False


def _kind(word: str) -> str:
    """"name", "ambiguous", "word" or "unknown" for one word, by the lexicon."""
    lower = word.lower().strip("'’")
    _words_, ambiguous, names, domain = lexicon()
    if lower in domain:
        return "word"
    if lower in names:
        return "name"
    if lower in ambiguous:
        return "ambiguous"
    return "word" if _known(lower) else "unknown"


def _is_name(word: str, sentence_start: bool, nxt: str) -> bool:
    kind = _kind(word)
    if kind == "name":
        return True
    capitalised = word[:1].isupper() and not word.split("-")[0].isupper()
    if not capitalised:
        return False
    if kind == "unknown":
        return True
    if kind == "ambiguous":
        # "Fleur hier", "Bram, ...", "Koen Verbeek": at the start only with a sign it is a name
        return not sentence_start or nxt in ("", ",", "!", ".", "hier") or (nxt[:1].isupper() and _kind(nxt) != "word")
    return False


# after a cue's name: more words of it ("jan-willem bakker,"): particles, capitalised words, or a
# lower-case word that ends the clause
CUE_TAIL = re.compile(r"^(?:\s+(?:" + "|".join(sorted(p.replace("'", "\\'") for p in PARTICLES)) +
                      r")\b|\s+[A-Z][\w'-]*|\s+[^\W\d_][\w'-]*(?=[,.!?;:]|$))+")


def _cue(match: re.Match) -> str:
    return f"{match.group(1)} {NAME}"


def _soft_cue(match: re.Match) -> str:
    word = match.group(1)
    if _kind(word) in ("word",) or word.startswith("["):
        return match.group(0)
    return match.group(0)[:match.start(1) - match.start(0)] + NAME


def _names(text: str, places: FrozenSet[str] = frozenset()) -> str:
    full_places = place_names()
    parts, last = [], 0
    for match in NAME_CUES.finditer(text):
        if _kind(match.group(2)) == "word" and match.group(2).lower() in lexicon()[3]:
            continue  # "meneer Techniek" is no cue worth trusting; "mijn mentor Lasser" is rare
        parts.append(text[last:match.start()])
        parts.append(_cue(match))
        tail = CUE_TAIL.match(text[match.end():])
        last = match.end() + (tail.end() if tail else 0)
    parts.append(text[last:])
    text = "".join(parts)
    text = SOFT_CUES.sub(_soft_cue, text)
    text = AFTER_NAME_CUES.sub(lambda m: m.group(0) if _kind(m.group(1)) == "word" else NAME, text)
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
        elif word[0].isalpha() or word[1:2] == "t":
            lower = word.lower()
            nxt = tokens[index + 1].group(0) if index + 1 < len(tokens) else ""
            if after_name and lower.replace("’", "'") in PARTICLES and (nxt[:1].isupper() or nxt.lower().replace("’", "'") in PARTICLES or (particle and nxt[:1].isalpha()) or
                                                     (nxt[:1].isalpha() and _kind(nxt) != "word")):
                replaced = ""  # "van der" in "[naam] van der Berg": part of the name
                particle = True
            elif after_name and (word[:1].isupper() or particle) and lower not in KNOWN_CAPITALISED and \
                    (particle or lower not in full_places):
                replaced = ""  # the surname after a first name
                particle = False
            elif _is_name(word, start, nxt):
                replaced = NAME
                after_name = True
            else:
                after_name = False
            if replaced not in ("",):
                particle = False
        start = word in SENTENCE_END or (start and not word[:1].isalnum() and not word.startswith("["))
        out.append(replaced)
    out.append(text[last:])
    joined = "".join(out)
    joined = re.sub(r"(\[naam\])(?:\s+(?=\s|[,.!?]|$))+", r"\1", joined)
    return re.sub(r"(\[naam\])(?:[\s-]*\[naam\])+", r"\1", re.sub(r"[ \t]{2,}", " ", joined)).strip()


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
    text = HANDLE_CUE.sub(lambda m: f"{m.group(1)} [gebruikersnaam]", text)
    text = HANDLE_FORM.sub("[gebruikersnaam]", text)
    text = STREET.sub("[adres]", text)
    return _names(text)


# Left after redaction, these say the sentence may still name someone: a word we do not know right
# after a name ("[naam] qorbani": a surname in lower case?).
DOUBT = re.compile(r"\[naam\]\s+([^\W\d_][\w'’-]*)")


def redact_question(text: str) -> Optional[str]:
    """:func:`redact`, or None when in doubt: a question where an unknown word follows a name is
    dropped rather than stored."""
    clean = redact(text)
    for match in DOUBT.finditer(clean):
        if _kind(match.group(1)) in ("unknown", "name"):
            return None
    return clean


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
