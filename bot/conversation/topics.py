"""Which answer fits a question about jobs, training or a doubt (issue 13: by understanding, not
by substring).

First choice is the ``topic`` entity: buttons send it in their payload, and in typed text the
pipeline finds it with this module's tables (bot/conversation/rasa_topic_extractor.py, issue 21).
When there is none, the same keyword match runs on the whole message. It looks at whole words
only: a keyword matches a word that *is* it (``=it``) or a word that *starts with* it (``reken`` ->
"rekenen"), never a piece inside another word, so "gouden" is not "oud" and "zit" is not "it". Multi-word keywords match consecutive words.
The answers themselves are responses in domain/; this module only picks the name.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

# (topic, keywords). "=word" must be the whole word; other keywords match the start of a word.
# Order matters: the first topic with a hit wins. English keywords (issue 23) answer English questions.
DOUBT_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("gender", ("meisje", "meid", "vrouw", "girl", "=man", "mannen", "jongens", "dame", "=mannenwereld",
                "woman", "=women", "=female")),
    ("language", ("nederlands", "taal", "dutch", "spreek", "nt2", "inburger", "=talen")),
    ("maths", ("wiskunde", "reken", "=wis", "math", "sommen", "=som", "cijfers", "natuurkunde", "dyslexie")),
    ("diploma", ("diploma", "papieren", "havo", "vmbo", "school", "gestopt", "niet afgemaakt", "dropout",
                 "startkwalificatie")),
    ("age", ("oud", "leeftijd", "te laat", "=bejaard", "jaren 30",
             "too old", "too late")),
    ("physical", ("zwaar", "vies", "vuil", "sjouw", "sterk", "=rug", "rugklacht", "blessure", "fysiek",
                  "gevaarlijk", "hoogte", "lichamelijk", "beperking", "tillen",
                  "heavy", "dirty", "dangerous")),
]

JOB_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("ict", ("ict", "computer", "programm", "developer", "software", "gamen", "game", "=code", "coderen",
             "=it", "netwerk", "=data", "=tech")),
    ("installatie", ("elektr", "install", "warmtepomp", "zonnepane", "loodgiet", "energie", "laadpa",
                     "stroom", "solar", "plumb", "heat pump")),
    ("bouw", ("bouw", "timmer", "metsel", "infra", "wegenbouw", "dakdek", "steiger", "schilder", "construct", "carpent",
              "bricklay")),
    ("metaal", ("metaal", "=las", "lass", "laswerk", "cnc", "fabriek", "machine", "robot", "mechatron",
                "maakindustrie", "productie", "weld",
                "=metal", "factory")),
    ("mobiliteit", ("=auto", "auto's", "=autos", "automonteur", "autotechn", "automotive", "autobedrijf",
                    "garage", "fiets", "vrachtwagen", "trein", "vliegtuig", "mobiliteit",
                    "=car", "=cars", "mechanic", "truck")),
    ("proces", ("proces", "operator", "chemie", "chemisch", "scheeps", "maritiem", "haven", "voedsel")),
]

TRAINING_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("bbl", ("bbl", "=bol", "werken en leren", "leren en werken", "werk en leer", "leerbedrijf", "leerwerk",
             "naast mijn werk", "geld verdienen")),
    ("switch", ("omscho", "zij-instro", "zijinstro", "zij instro", "volwassen", "uitkering", "overstap",
                "=34e", "avond", "deeltijd", "retrain",
                "career change")),
    ("levels", ("niveau", "entree", "hbo", "mbo", "hoe lang", "duurt", "doorstro")),
]

# The response for each (intent, topic); topic None is the overview with buttons.
RESPONSES: Dict[str, Dict[Optional[str], str]] = {
    "doubt_fit": {
        None: "utter_doubt_general", "gender": "utter_doubt_gender", "language": "utter_doubt_language",
        "maths": "utter_doubt_maths", "diploma": "utter_doubt_diploma", "age": "utter_doubt_age",
        "physical": "utter_doubt_physical",
    },
    "ask_jobs": {
        None: "utter_jobs_overview", "ict": "utter_jobs_ict", "installatie": "utter_jobs_installatie",
        "bouw": "utter_jobs_bouw", "metaal": "utter_jobs_metaal", "mobiliteit": "utter_jobs_mobiliteit",
        "proces": "utter_jobs_proces",
    },
    "ask_training": {
        None: "utter_training_overview", "bbl": "utter_training_bbl", "switch": "utter_training_switch",
        "levels": "utter_training_levels",
    },
}

_TABLES = {"doubt_fit": DOUBT_TOPICS, "ask_jobs": JOB_TOPICS, "ask_training": TRAINING_TOPICS}
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)
# "ik ben al 37": an age from 30 on is the age doubt (younger people do not doubt their age here).
_AGE_FROM = 30


def words(text: str) -> List[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def _word_matches(keyword: str, word: str) -> bool:
    if keyword.startswith("="):
        return word == keyword[1:]
    return word.startswith(keyword)


def _find(keyword: str, tokens: Sequence[str]) -> Optional[Tuple[int, int]]:
    """(start, end) token positions where ``keyword`` occurs as whole words / word starts."""
    parts = keyword.split()
    for start in range(len(tokens) - len(parts) + 1):
        window = tokens[start:start + len(parts)]
        # Inner words of a multi-word keyword are whole words; the last one may be a word start.
        if all(w == p.lstrip("=") for w, p in zip(window[:-1], parts[:-1])) and _word_matches(parts[-1], window[-1]):
            return start, start + len(parts)
    return None


def find_topic(intent: str, text: Optional[str]) -> Optional[Tuple[str, str]]:
    """(topic, the words that gave it away) or None."""
    table = _TABLES.get(intent)
    if not table or not text:
        return None
    tokens = words(text)
    for topic, keywords in table:
        for keyword in keywords:
            hit = _find(keyword, tokens)
            if hit:
                return topic, " ".join(tokens[hit[0]:hit[1]])
        if topic == "age":
            for token in tokens:
                if token.isdigit() and _AGE_FROM <= int(token) < 100:
                    return topic, token
    return None


def detect_topic(intent: str, text: Optional[str]) -> Optional[str]:
    found = find_topic(intent, text)
    return found[0] if found else None


def pick_response(intent: str, text: Optional[str], topic_entity: Optional[str] = None) -> Optional[str]:
    """The response name to send, or None when the intent is not one this module answers.

    ``topic_entity`` is the value NLU (or a button) gave: a known topic wins; an unknown value (DIET
    found a span the synonym list does not know, e.g. "lasrobot") is read with the keyword table,
    and only then the whole message."""
    table = RESPONSES.get(intent)
    if table is None:
        return None
    if topic_entity is not None:
        if topic_entity in table:
            return table[topic_entity]
        from_span = detect_topic(intent, topic_entity)
        if from_span is not None:
            return table[from_span]
    return table[detect_topic(intent, text)]


# ---------------------------------------------------------------- never the same answer twice (issue 23)
# When the answer would be the bot's previous message again, the next useful one in this list comes
# instead: another job in that family, then the "Ontdek wat bij je past" offer; for training and
# doubts a way on (a counsellor, an open day).
_JOBS_NEXT = ("utter_jobs_explore", "utter_jobs_overview")
_TRAINING_NEXT = ("utter_training_more", "utter_training_overview")
_DOUBT_NEXT = ("utter_doubt_more", "utter_doubt_general")
REPEAT_NEXT: Dict[str, Tuple[str, ...]] = {
    "utter_jobs_overview": _JOBS_NEXT,
    "utter_jobs_installatie": ("utter_jobs_installatie_more",) + _JOBS_NEXT,
    "utter_jobs_bouw": ("utter_jobs_bouw_more",) + _JOBS_NEXT,
    "utter_jobs_ict": ("utter_jobs_ict_more",) + _JOBS_NEXT,
    "utter_jobs_metaal": ("utter_jobs_metaal_more",) + _JOBS_NEXT,
    "utter_jobs_mobiliteit": ("utter_jobs_mobiliteit_more",) + _JOBS_NEXT,
    "utter_jobs_proces": ("utter_jobs_proces_more",) + _JOBS_NEXT,
    "utter_training_overview": _TRAINING_NEXT,
    "utter_training_bbl": _TRAINING_NEXT,
    "utter_training_switch": _TRAINING_NEXT,
    "utter_training_levels": _TRAINING_NEXT,
    "utter_doubt_general": _DOUBT_NEXT,
    "utter_doubt_gender": _DOUBT_NEXT,
    "utter_doubt_maths": _DOUBT_NEXT,
    "utter_doubt_diploma": _DOUBT_NEXT,
    "utter_doubt_age": _DOUBT_NEXT,
    "utter_doubt_language": _DOUBT_NEXT,
    "utter_doubt_physical": _DOUBT_NEXT,
}


def avoid_repeat(response: str, previous_response: Optional[str], previous_text: str = "",
                 texts_of: Callable[[str], Sequence[str]] = lambda name: ()) -> str:
    """``response``, unless it is the bot's previous message again (same response name, or one of
    its texts equal to the previous text): then the next useful answer of ``REPEAT_NEXT``."""
    def repeats(name: str) -> bool:
        if previous_response is not None and name == previous_response:
            return True
        said = " ".join((previous_text or "").split()).lower()
        return bool(said) and any(" ".join(t.split()).lower() == said for t in texts_of(name))

    for candidate in (response,) + REPEAT_NEXT.get(response, ()):
        if not repeats(candidate):
            return candidate
    return response  # every alternative was just said: cannot happen with two different names
