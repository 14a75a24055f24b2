"""Turning what people type into clean slot values, with a kind Dutch answer when that fails.

Each validator returns a ``Checked``: either a value, or a message to show. They never raise on user
input, whatever it is (markup, emoji, 10,000 characters).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from bot.intake.phone import normalise_email, normalise_phone, normalise_telegram

MAX_NAME_LENGTH = 40
SKIPPED = "overgeslagen"  # the value of a question the person skipped (bot.intake.decisions.SKIPPED)


@dataclass(frozen=True)
class Checked:
    value: Any = None
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None


_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*$")
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$", re.UNICODE)
_NAME_PREFIX = re.compile(r"^(ik heet|mijn naam is|noem me maar|noem me|ik ben|naam:?|my name is|call me|i am|i'm)\s+",
                          re.IGNORECASE)
MAX_NAME_WORDS = 3
# Words no first name is made of: a sentence typed at "Hoe mag ik je noemen?" ("ik weet het niet",
# "sorry I don't speak Dutch", "waarom wil je dat weten") is no name, however well it fits the letters.
_NOT_NAME_WORDS = {
    "ik", "jij", "je", "het", "een", "wat", "waarom", "wrm", "hoe", "weet", "niet", "geen", "nee", "ja",
    "is", "ben", "heb", "wil", "wel", "maar", "dat", "dit", "mijn", "mn", "hoi", "hallo", "doei", "sorry",
    "i", "you", "the", "don't", "dont", "speak", "what", "why", "not", "yes", "no", "hello", "hi", "idk",
    "stop", "snap", "begrijp", "zeg", "liever", "naam",
}
_AGE = re.compile(r"\b(\d{1,3})\b")


# A bijnaam as gamers and chatters write it: letters, digits, "_" (and "." or "-") in one word, up to
# 30 characters, with at least one letter ("xX_Dennis_2008Xx", "kev.04"). The question says "een
# bijnaam is genoeg", so it must be accepted (issue 23 item 8: a handle was refused 25 times).
MAX_NICKNAME_LENGTH = 30
_NICKNAME = re.compile(r"^(?=[\w.\-]*[^\W\d_])[\w][\w.\-]{0,29}$", re.UNICODE)


def _name_or_nickname(raw: str) -> Optional[str]:
    words = raw.lower().split()
    if not raw or any(w in _NOT_NAME_WORDS for w in words):
        return None
    if len(raw) <= MAX_NAME_LENGTH and _NAME_OK.match(raw) and len(words) <= MAX_NAME_WORDS:
        return raw[:1].upper() + raw[1:]
    handle = raw.lstrip("@")
    if len(words) == 1 and _NICKNAME.match(handle):
        return handle  # a handle keeps its own spelling
    return None


def check_first_name(text: Optional[str]) -> Checked:
    """A first name or a bijnaam, and nothing more: "Sam, ik ben 17" keeps "Sam" (the age is read
    elsewhere), so we never store more than was asked."""
    raw = _NAME_PREFIX.sub("", (text or "").strip()[:200]).strip(" .!")
    name = _name_or_nickname(raw)
    if name is None:
        first_part = _NAME_PREFIX.sub("", re.split(r"[,;!?]|\s+(?:en|and)\s+", raw, maxsplit=1)[0].strip()).strip(" .!")
        name = _name_or_nickname(first_part) if first_part != raw else None
    if name is None:
        return Checked(error="Ik kan dat niet goed als naam lezen. Typ alleen je voornaam of een bijnaam, bijvoorbeeld: Sam.")
    return Checked(value=name)


def check_age(text: Any) -> Checked:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number: Optional[int] = int(text)
    else:
        match = _AGE.search(str(text or ""))
        number = int(match.group(1)) if match else None
    if number is None:
        return Checked(error="Ik zie geen leeftijd. Typ je leeftijd in cijfers, bijvoorbeeld: 17.")
    if number < 12 or number > 67:
        return Checked(error="Die leeftijd klopt volgens mij niet helemaal. Typ je leeftijd in cijfers, bijvoorbeeld: 17.")
    return Checked(value=number)


def normalise_postcode(text: Optional[str]) -> Optional[str]:
    """'1234ab', '1234 AB' and '1234' all become '1234AB' / '1234'; anything else is None."""
    match = _POSTCODE.match(text or "")
    if not match:
        return None
    digits, letters = match.group(1), match.group(2)
    return digits + letters.upper() if letters else digits


def check_postcode(text: Optional[str]) -> Checked:
    postcode = normalise_postcode(text)
    if postcode is None:
        return Checked(error="Dat lijkt geen postcode. Een postcode heeft 4 cijfers en vaak 2 letters, bijvoorbeeld: 4331 AB.")
    return Checked(value=postcode)


# --- Age band -----------------------------------------------------------------------------------
# We keep a band, not the age or a birth date: a counsellor needs "16–17" to know the school
# situation and whether a parent is involved; the exact age adds nothing but privacy risk.
MIN_AGE, MAX_AGE = 12, 67
DIGITAL_CONSENT_AGE = 16  # UAVG art. 5: under 16 a parent or guardian consents
AGE_BANDS = ((12, 15), (16, 17), (18, 20), (21, 23), (24, 27), (28, 35), (36, 45), (46, 55), (56, 67))


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    raise ValueError(f"age {age} outside {MIN_AGE}-{MAX_AGE}")


def is_minor_band(band: Optional[str]) -> bool:
    """True for bands below the digital consent age (12-15)."""
    if not band or "-" not in band:
        return False
    return int(band.split("-")[1]) < DIGITAL_CONSENT_AGE


_AGE_WORDS = {"twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17,
              "achttien": 18, "negentien": 19, "twintig": 20}


def check_age_band(text: Any) -> Checked:
    """Reads an age like check_age, but kindly explains what we do with ages outside 12–67."""
    if isinstance(text, str) and text.strip().lower() in _AGE_WORDS:
        text = _AGE_WORDS[text.strip().lower()]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number: Optional[int] = int(text)
    else:
        match = _AGE.search(str(text or "")[:200])
        number = int(match.group(1)) if match else None
    if number is None:
        return Checked(error="Ik zie geen leeftijd. Typ je leeftijd in cijfers, bijvoorbeeld: 17.")
    if number < MIN_AGE:
        return Checked(error=("Leuk dat je nu al nadenkt over techniek! Een adviseur helpt jongeren vanaf 12 jaar. "
                              "Typ je leeftijd nog een keer als je je vergist hebt, of kijk samen met je ouders "
                              "op de website naar techniekactiviteiten bij jou in de buurt."))
    if number > MAX_AGE:
        return Checked(error=("Dank je! Onze adviseurs helpen mensen tot 67 jaar. Heb je je vergist? "
                              "Typ dan je leeftijd nog een keer in cijfers."))
    return Checked(value=age_band(number))


# --- Situation and interests (buttons, but typing works too) ---------------------------------------
SITUATIONS = {
    "school": ("Ik zit op school", ("school", "studeer", "studie", "opleiding", "mbo", "vmbo", "havo", "vwo", "hbo", "klas",
                                    "student", "study", "studying")),
    "gestopt": ("Ik ben gestopt met school", ("gestopt", "afgehaakt", "geen school", "gestopt met school", "uitgevallen",
                                              "dropped out", "quit school", "left school")),
    "werk": ("Ik werk", ("werk", "baan", "job", "in dienst", "work", "working")),
    "werkzoekend": ("Ik zoek werk", ("zoek werk", "werkzoekend", "werkloos", "geen werk", "zoek een baan", "op zoek",
                                     "looking for work", "looking for a job", "unemployed", "no job")),
    "anders": ("Iets anders", ("anders", "iets anders", "overig", "something else", "other")),
}
# "ik weet het niet" at "Wat doe je nu?" (a question you may skip): skipped, not asked again.
_DONT_KNOW = re.compile(r"^(ik )?(weet (het |ik )?(echt )?niet|geen idee|idk|weet ik veel|i don'?t know)\b")


def check_situation(text: Optional[str]) -> Checked:
    low = (text or "").strip().lower()[:200]
    if _DONT_KNOW.match(low):
        return Checked(value=SKIPPED)
    # Longest keyword first: "zoek werk" must beat "werk", "gestopt met school" must beat "school".
    pairs = sorted(((kw, code) for code, (_label, kws) in SITUATIONS.items() for kw in kws),
                   key=lambda p: -len(p[0]))
    for code, (label, _kws) in SITUATIONS.items():
        if low == label.lower():
            return Checked(value=code)
    for keyword, code in pairs:
        if re.search(rf"\b{re.escape(keyword)}\b", low):
            return Checked(value=code)
    return Checked(error="Kies wat het best bij je past met een van de knoppen. Past niets? Kies dan 'Iets anders'.")


INTERESTS = {
    "bouw": ("Bouw en infra", ("bouw", "timmer", "metsel", "infra", "wegen", "bouwen", "construction", "building")),
    "installatie": ("Installatie en energie", ("installatie", "energie", "zonnepanel", "warmtepomp", "loodgiet", "cv",
                                               "energy", "solar", "plumb")),
    "elektro": ("Elektrotechniek", ("elektro", "elektricien", "elektriciteit", "stroom", "electric")),
    "metaal": ("Metaal en maakindustrie", ("metaal", "lassen", "lasser", "maakindustrie", "fabriek", "cnc", "productie",
                                           "metal", "weld", "factory")),
    "ict": ("ICT en tech", ("ict", "computer", "programmeren", "software", "it", "data", "robot", "coding", "programming")),
    "mobiliteit": ("Auto's en mobiliteit", ("auto", "motor", "fiets", "mobiliteit", "vrachtwagen", "vliegtuig",
                                            "car", "cars", "mechanic", "truck")),
    "weet_niet": ("Weet ik nog niet", ("weet ik nog niet", "weet niet", "weet het niet", "geen idee", "nog niet")),
}


def check_interests(value: Any) -> Checked:
    """Returns {'choices': [...codes], 'text': free text or None}; any non-empty answer is fine,
    because free text in the person's own words is exactly what a counsellor wants to read."""
    if isinstance(value, dict) and "choices" in value:
        return Checked(value={"choices": list(value.get("choices") or []), "text": value.get("text")})
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value or "")
    text = re.sub(r"\s+", " ", text).strip()[:300]
    if not text or not re.search(r"[^\W\d_]", text):
        return Checked(error="Vertel in een paar woorden wat je leuk lijkt, of kies een van de knoppen.")
    low = text.lower()
    # A keyword matches at the start of a word ("lass" in "lassen"); a short one only as a whole word,
    # so "iets met auto's" is no ICT ("it") and "cv-ketel" still is installatie.
    choices = [code for code, (label, kws) in INTERESTS.items()
               if low == label.lower() or any(re.search(rf"\b{re.escape(kw)}" + (r"\b" if len(kw) <= 3 else ""), low)
                                              for kw in kws)]
    is_label = any(low == label.lower() for label, _ in INTERESTS.values())
    return Checked(value={"choices": choices, "text": None if is_label else text})


def interests_label(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value or "")
    labels = [INTERESTS[c][0] for c in value.get("choices") or [] if c in INTERESTS]
    if value.get("text"):
        labels.append(f"\u201c{value['text']}\u201d")
    return ", ".join(labels) or "nog niet bekend"


# --- Contact --------------------------------------------------------------------------------------
CONTACT_METHODS = {
    # "Bellen of WhatsApp" (the one button before issue 24) still reads as phone: "bel" comes first.
    "phone": ("Bellen", ("bel", "telefoon", "sms", "mobiel", "06", "phone", "call")),
    "email": ("E-mail", ("mail", "e-mail", "email")),
    "telegram": ("Telegram", ("telegram",)),
    "whatsapp": ("WhatsApp", ("whatsapp", "whats app", "app")),
}


def check_contact_method(text: Optional[str]) -> Checked:
    low = (text or "").strip().lower()[:100]
    for code, (label, kws) in CONTACT_METHODS.items():
        if low == label.lower() or any(kw in low for kw in kws):
            return Checked(value=code)
    return Checked(error="Hoe wil je dat de adviseur contact opneemt? Kies bellen, WhatsApp, e-mail of Telegram.")


def check_contact_value(method: Optional[str], text: Optional[str]) -> Checked:
    if method == "email":
        email = normalise_email(text)
        if email is None:
            return Checked(error="Dat e-mailadres klopt nog niet helemaal. Het ziet er zo uit: naam@voorbeeld.nl")
        return Checked(value=email)
    if method == "telegram":
        handle = normalise_telegram(text)
        if handle is None:
            phone = normalise_phone(text)
            if phone:
                return Checked(value=phone)
            return Checked(error="Typ je Telegram-gebruikersnaam, bijvoorbeeld @sam_2008, of je 06-nummer.")
        return Checked(value=handle)
    phone = normalise_phone(text)
    if phone is None:
        return Checked(error=("Dat telefoonnummer kan ik niet lezen. Typ een Nederlands nummer, "
                              "bijvoorbeeld 06 12345678 of 010 1234567."))
    return Checked(value=phone)


CONTACT_TIMES = {
    "ochtend": ("Ochtend", ("ochtend", "morgen", "voor 12", "morning")),
    "middag": ("Middag", ("middag", "na school", "na 12", "afternoon")),
    "avond": ("Avond", ("avond", "na 6", "na 18", "evening")),
    "maakt_niet_uit": ("Maakt niet uit", ("maakt niet uit", "maakt niks uit", "altijd", "wanneer", "boeit niet", "egal",
                                          "anytime", "any time", "doesn't matter", "does not matter")),
}


def check_contact_time(text: Optional[str]) -> Checked:
    low = (text or "").strip().lower()[:100]
    for code, (label, kws) in CONTACT_TIMES.items():
        if low == label.lower() or any(kw in low for kw in kws):
            return Checked(value=code)
    return Checked(error="Wanneer past het jou het best? Kies ochtend, middag, avond of 'maakt niet uit'.")


# --- Which field to change on the confirmation screen -------------------------------------------
CHANGEABLE = {
    "first_name": ("Naam", ("naam", "voornaam", "bijnaam")),
    "age_band": ("Leeftijd", ("leeftijd", "oud", "jaar")),
    "situation": ("Situatie", ("situatie", "school", "werk")),
    "interests": ("Interesses", ("interesse", "leuk", "richting")),
    "location": ("Postcode of woonplaats", ("postcode", "woonplaats", "plaats", "adres", "woon")),
    "contact_value": ("Contactgegevens", ("contact", "nummer", "telefoon", "mail", "telegram", "bellen")),
    "contact_time": ("Tijd", ("tijd", "wanneer", "ochtend", "middag", "avond")),
}


def check_change_field(text: Optional[str]) -> Checked:
    low = (text or "").strip().lower()[:100]
    for slot, (label, kws) in CHANGEABLE.items():
        if low == label.lower() or any(kw in low for kw in kws):
            return Checked(value=slot)
    return Checked(error="Wat wil je aanpassen? Kies een van de knoppen.")
