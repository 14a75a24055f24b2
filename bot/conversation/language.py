"""Is a message written in Dutch? A small, dependency-free guess for the fallback.

The bot only speaks Dutch. When someone writes in another language we answer briefly in English
and offer a counsellor (issue 3). The guess is cautious: Dutch messages full of English loanwords
("idk wat ik wil", "ik ben nog niet ready") must stay Dutch.
"""
from __future__ import annotations

import re

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
