"""Which language is a message in? Small, dependency-free guesses.

The bot speaks Dutch, and simple English to people who write English (issue 23, item 11): the
``language`` slot (nl/en) picks the English variations of the responses in domain/. Other languages
(Polish, Turkish, Arabic ...) get a short English answer and a counsellor (issue 3).

Both guesses are cautious. Dutch messages full of English loanwords ("idk wat ik wil", "ik ben nog
niet ready") stay Dutch; short or neutral messages ("ok", "ja", a postcode, a name, a button) say
nothing, so the conversation keeps the language it had.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Iterable, Optional

import yaml

# Frequent Dutch function words and chat forms; one of these is strong evidence for Dutch.
DUTCH_WORDS = {
    "ik", "je", "jij", "u", "wij", "we", "het", "de", "een", "en", "is", "niet", "wat", "hoe", "waar",
    "waarom", "wrm", "ben", "bent", "heb", "hebt", "heeft", "mijn", "mn", "me", "mij", "kan", "kun",
    "wil", "wel", "ook", "maar", "nee", "ja", "dat", "dit", "die", "met", "voor", "van", "op", "naar",
    "er", "zijn", "graag", "hoi", "hallo", "doei", "ff", "nog", "geen", "als", "dan", "om", "te",
    "werk", "baan", "opleiding", "spreek", "nederlands", "weet", "welke", "hoeveel", "dank", "bedankt",
}
# Frequent function words of the languages newcomers often write (English first).
FOREIGN_WORDS = {
    "the", "you", "i", "am", "are", "is", "do", "does", "can", "could", "please", "speak", "english",
    "what", "how", "where", "my", "your", "need", "want", "help", "job", "work", "looking", "for",
    "a", "an", "and", "to", "of", "in", "with", "not", "dont", "don't", "hello", "hi", "there", "this",
    "sie", "ich", "nicht", "und", "arbeit", "suche", "je", "cherche", "travail", "vous", "parlez",
    "busco", "trabajo", "hablas", "necesito", "ayuda", "szukam", "pracy", "czy", "mówisz",
    "merhaba", "iş", "arıyorum", "musun", "yardım", "caut", "lucru", "estou", "procura", "emprego",
}
# Words that are Dutch and also common in the other languages above: no evidence either way.
SHARED_WORDS = {"is", "in", "je", "u", "me", "op", "die", "a", "hoi", "hallo"}
# Scripts that Dutch is never written in: Arabic, Cyrillic, Greek, Hebrew, CJK, Devanagari, ...
NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u4e00-\u9fff\u0e00-\u0e7f]")
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def looks_non_dutch(text: str | None) -> bool:
    """True when the message is most likely not Dutch: mostly another script, or at least two
    words of another language and no Dutch ones, or clearly more foreign words than Dutch ones."""
    if not text or text.startswith("/"):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and sum(1 for c in letters if NON_LATIN.match(c)) / len(letters) > 0.5:
        return True
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return False
    dutch = sum(1 for w in words if w in DUTCH_WORDS and w not in SHARED_WORDS)
    foreign = sum(1 for w in words if w in FOREIGN_WORDS)
    return (dutch == 0 and foreign >= 2) or (foreign >= 3 and foreign > 2 * dutch)


# --- Dutch or English (issue 23, item 11) ---------------------------------------------------------
ENGLISH = "en"
DUTCH = "nl"

# Words only English uses. Left out on purpose: loanwords Dutch chat uses every day ("ok", "hi", "hey",
# "sorry", "please", "pls", "yes", "no", "thanks", "job", "ready", "idk", "bro", "nice", "chill",
# "training", "events", "skills") and words that are also Dutch ("is", "in", "we", "me", "u", "of",
# "want", "help", "die", "over", "door", "as", "it" (IT), "school", "hoe").
ENGLISH_WORDS = frozenset("""
the a an and or but to for from with about of at on by be am are was were been being do does did
don't dont doesn't doesnt didn't can't cant cannot won't wont isn't isnt i'm im i've i'd you you're
youre your yours my mine i he she they them their our us his her this these those there here that
what how where why who when which whose much many more some any anything something nothing
can could would should will shall may might must need needs have has had get got make made go
going know think understand speak speaking talk talking english dutch language person people
real someone somebody anyone human counsellor advisor adviser earn earns earning money salary pay
paid wage wages work working works looking look find become learn study studying course courses
apply live living old years year age name called thank hello goodbye bye please yeah yep nope
guarantee jobs job's electrician electricians plumber plumbers welder welders mechanic mechanics
technician technicians engineer engineering construction building factory day days week month
open tell explain mean means meaning want wants wanted like would love just only also very too
really not never always maybe because if then than so why please thanks where's what's how's
""".split()) - frozenset({"please", "thanks", "bye", "was", "been", "had", "open", "week", "he", "jobs",
                                     "yeah", "yep", "nope"})

# Words only Dutch uses (the function words and chat forms of DUTCH_WORDS, minus the shared ones).
DUTCH_ONLY_WORDS = frozenset((DUTCH_WORDS - SHARED_WORDS) | set("""
jij jou jouw jullie zij hij ze wie wanneer welk zo ook nou toch even eens al nu straks morgen vandaag
heel echt zeker misschien moet moeten mag mogen zou zal gaat ga gaan doe doen doet zit zitten woon
woont wonen heet noem weet weten snap begrijp denk vind vindt lijkt leuk verdien verdient verdienen
hoeveel salaris geld opleiding opleidingen leren werken school geen niks niets iets iemand mens
adviseur praten bellen sturen klopt goed prima oke oké bedankt dankjewel dankje alsjeblieft aub
nederlands engels taal alleen jaar oud postcode woonplaats bij tot uit aan onder tussen zonder
""".split()) - ENGLISH_WORDS - {"we", "school", "even"})

# Non-English foreign words: a message with one of these is another language, not English.
OTHER_LANGUAGE_WORDS = frozenset(FOREIGN_WORDS - ENGLISH_WORDS - DUTCH_WORDS - {"i", "a", "and", "to", "of", "in", "you",
                                                                  "is", "hi", "there", "job", "help",
                                                                  "hello", "please", "english", "speak"})


@lru_cache(maxsize=1)
def button_payloads(domain_dir: Optional[str] = None) -> FrozenSet[str]:
    """The text payloads of the buttons in domain/ (lower case). A button sends Dutch text ("Ik zit op
    school") also when its title is English, so a payload says nothing about the person's language."""
    from bot.ops.config import PROJECT_ROOT

    folder = Path(domain_dir) if domain_dir else PROJECT_ROOT / "domain"
    found = set()
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for variations in (data.get("responses") or {}).values():
            for variation in variations or []:
                for button in (variation or {}).get("buttons") or []:
                    payload = str(button.get("payload") or "").strip().lower()
                    if payload and not payload.startswith("/"):
                        found.add(payload)
    return frozenset(found)


def detect_language(text: Optional[str], payloads: Optional[Iterable[str]] = None) -> Optional[str]:
    """"en" for a clearly English message, "nl" for a clearly Dutch one, None when unsure.

    None for: nothing, a button (a payload starting with "/", or the text of a text button), digits,
    names, places and loanwords alone ("ok", "ja", "yes pls", "3012 AB", "Sam"), another script, and
    other languages (Polish, Turkish, ...: they keep the short English answer of issue 3).
    English needs English words and no Dutch ones ("how much do electricians earn", "what is bbl");
    Dutch needs two Dutch words, or one in a message of two words or more, and more Dutch than
    English ("ik ben nog niet ready", "idk wat ik wil", "hoeveel verdien je").
    """
    if not text or not text.strip() or text.strip().startswith("/"):
        return None
    known = button_payloads() if payloads is None else {p.strip().lower() for p in payloads}
    if " ".join(text.lower().split()) in known:
        return None
    letters = [c for c in text if c.isalpha()]
    if letters and sum(1 for c in letters if NON_LATIN.match(c)) / len(letters) > 0.3:
        return None
    words = [w.lower().replace("’", "'") for w in WORD.findall(text)]
    if not words or any(w in OTHER_LANGUAGE_WORDS for w in words):
        return None
    english = sum(1 for w in words if w in ENGLISH_WORDS) + 0.5 * sum(1 for w in words if w == "is")
    dutch = sum(1 for w in words if w in DUTCH_ONLY_WORDS)
    if dutch == 0 and english >= 1.5:
        return ENGLISH
    if english >= 3 and english >= 3 * dutch:
        return ENGLISH
    if dutch >= 1 and dutch > english and (dutch >= 2 or len(words) >= 2):
        return DUTCH
    return None
