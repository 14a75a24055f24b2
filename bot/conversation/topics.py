"""Which answer fits a question about jobs, training or a doubt: a keyword choice, no model.

The doubt answers must be specific (girls in tech, maths, no diploma, age, language, physical
work), so the bot looks at the words. Buttons send the topic as an entity (``topic``), which wins.
The answers themselves are responses in domain/; this module only picks the name.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

# (topic, keywords). Order matters: the first topic with a hit wins.
DOUBT_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("gender", ("meisje", "meiden", "meid", "vrouw", "girl", "mannen", "jongens", "dame")),
    ("language", ("nederlands", "taal", "dutch", "spreek", "nt2", "inburger")),
    ("maths", ("wiskunde", "reken", "wis ", "math", "sommen", "cijfers", "natuurkunde", "dyslexie")),
    ("diploma", ("diploma", "papieren", "havo", "vmbo", "school", "opleiding", "gestopt", "niet afgemaakt", "dropout")),
    ("age", ("oud", "leeftijd", "te laat", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "45", "50")),
    ("physical", ("zwaar", "vies", "vuil", "sjouw", "sterk", "rug", "blessure", "fysiek", "gevaarlijk", "hoogte", "lichamelijk", "beperking")),
]

JOB_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("ict", ("ict", "computer", "programmer", "developer", "software", "gamen", "game", "code", "it ", "netwerk", "data")),
    ("installatie", ("elektr", "install", "warmtepomp", "zonnepane", "loodgieter", "energie", "laadpa", "stroom")),
    ("bouw", ("bouw", "timmer", "metsel", "infra", "wegen", "dakdek", "steiger", "schilder")),
    ("metaal", ("metaal", "las", "cnc", "fabriek", "machine", "robot", "mechatron", "maakindustrie", "productie")),
    ("mobiliteit", ("auto", "monteur", "fiets", "vrachtwagen", "trein", "vliegtuig", "mobiliteit", "automotive")),
    ("proces", ("proces", "operator", "chemie", "scheeps", "maritiem", "haven", "voedsel")),
]

TRAINING_TOPICS: List[Tuple[str, Tuple[str, ...]]] = [
    ("bbl", ("bbl", "bol", "werken en leren", "leren en werken", "leerbedrijf", "leerwerk", "werk en leer", "naast mijn werk", "geld verdienen")),
    ("switch", ("omscho", "zij-instro", "zij instro", "zijinstro", "volwassen", "uitkering", "overstap", "34e", "avond", "deeltijd")),
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


def detect_topic(intent: str, text: Optional[str]) -> Optional[str]:
    table = _TABLES.get(intent)
    if not table or not text:
        return None
    padded = " " + re.sub(r"\s+", " ", text.lower()) + " "
    for topic, keywords in table:
        for keyword in keywords:
            if keyword.strip().isdigit():
                if re.search(rf"\b{keyword.strip()}\b", padded):
                    return topic
            elif keyword in padded:
                return topic
    return None


def pick_response(intent: str, text: Optional[str], topic_entity: Optional[str] = None) -> Optional[str]:
    """The response name to send, or None when the intent is not one this module answers."""
    table = RESPONSES.get(intent)
    if table is None:
        return None
    if topic_entity in table and topic_entity is not None:
        return table[topic_entity]
    return table[detect_topic(intent, text)]
