"""What a regional content pack may contain. pydantic 1.10 models; unknown keys are errors, so a
typo ("ornanisation") is reported instead of silently ignored.

Dates of events are either absolute (``date: 2026-12-12``) or relative to today
(``over_dagen: 12``): example packs use the relative form so their events never end up in the past.
"""
from __future__ import annotations

import re
from datetime import date, time
from typing import Dict, List, Optional

from pydantic import BaseModel, Extra, root_validator, validator

KINDS = ("open dag", "beroepentuin", "meeloopdag", "informatieavond", "workshop", "proefles", "anders")
REGION_CODE = re.compile(r"^AM\d{2}$")
UTTER = re.compile(r"^utter_[a-z0-9_]+$")


def https_only(value: str) -> str:
    value = (value or "").strip()
    if not value.lower().startswith("https://") or len(value) <= len("https://"):
        raise ValueError(f"link moet met https:// beginnen: {value!r}")
    return value


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Link(Strict):
    title: str
    url: str

    _https = validator("url", allow_reuse=True)(https_only)


class Place(Strict):
    """Where an event is: a PC4 (the CBS centroid is used) or coordinates."""
    name: str
    pc4: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None

    @validator("pc4", pre=True)
    def _pc4(cls, value):
        if value is None:
            return None
        value = str(value).strip()
        if not re.fullmatch(r"\d{4}", value):
            raise ValueError(f"pc4 moet 4 cijfers zijn, niet {value!r}")
        return value

    @root_validator(skip_on_failure=True)
    def _where(cls, values):
        has_point = values.get("lat") is not None and values.get("lon") is not None
        if not values.get("pc4") and not has_point:
            raise ValueError("geef bij een plaats een pc4 (4 cijfers) of lat en lon")
        if has_point and not (50.5 <= values["lat"] <= 53.7 and 3.2 <= values["lon"] <= 7.3):
            raise ValueError("lat/lon liggen niet in Nederland")
        return values


class Target(Strict):
    """Doelgroep: leeftijd en niveau (vrije tekst, bv. 'vmbo', 'mbo 2-4', 'zij-instromers')."""
    age_min: Optional[int] = None
    age_max: Optional[int] = None
    levels: List[str] = []

    @root_validator(skip_on_failure=True)
    def _ages(cls, values):
        low, high = values.get("age_min"), values.get("age_max")
        if low is not None and high is not None and low > high:
            raise ValueError("age_min is groter dan age_max")
        return values


class EventEntry(Strict):
    """One event as written in a pack."""
    title: str
    kind: str
    date: Optional[date] = None
    over_dagen: Optional[int] = None
    start_time: Optional[time] = None
    end_time: Optional[time] = None
    place: Place
    target: Target = Target()
    link: str
    source: str

    _https = validator("link", allow_reuse=True)(https_only)

    @validator("kind")
    def _kind(cls, value):
        if value not in KINDS:
            raise ValueError(f"onbekend soort evenement {value!r}; kies uit: {', '.join(KINDS)}")
        return value

    @root_validator(skip_on_failure=True)
    def _when(cls, values):
        if (values.get("date") is None) == (values.get("over_dagen") is None):
            raise ValueError("geef precies één van date (JJJJ-MM-DD) of over_dagen (aantal dagen vanaf vandaag)")
        start, end = values.get("start_time"), values.get("end_time")
        if start and end and end <= start:
            raise ValueError("end_time ligt voor start_time")
        return values


class Feed(Strict):
    """An iCalendar feed the region publishes; fetched by `python -m bot content fetch`."""
    name: str
    url: str
    source: str
    # Used for events whose LOCATION has no postcode and no known woonplaats, and no GEO.
    default_place: Optional[Place] = None

    _https = validator("url", allow_reuse=True)(https_only)


class Answer(Strict):
    """A regional answer that replaces the national response of the same name in this region."""
    text: str
    source: str


_PHONE = re.compile(r"^(0|\+31)\d{7,10}$")  # after dropping spaces and hyphens: 010 1234567, 0800 1234
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class Contact(Strict):
    """How a person reaches the organisation themselves (issue 23): at least one of phone, email,
    website; ``hours`` in plain words ("maandag tot en met vrijdag, 9.00 tot 17.00 uur")."""
    phone: Optional[str] = None
    email: Optional[str] = None
    website: Optional[str] = None
    hours: Optional[str] = None

    @validator("phone")
    def _phone(cls, value):
        if value is not None and not _PHONE.match(re.sub(r"[\s-]", "", value)):
            raise ValueError(f"phone moet een Nederlands nummer zijn zoals 0118 123 456 of 0800 1234, niet {value!r}")
        return value

    @validator("email")
    def _email(cls, value):
        if value is not None and not _EMAIL.match(value.strip()):
            raise ValueError(f"email is geen e-mailadres: {value!r}")
        return value

    @validator("website")
    def _website(cls, value):
        return https_only(value) if value is not None else None

    @root_validator(skip_on_failure=True)
    def _some_way(cls, values):
        if not any(values.get(key) for key in ("phone", "email", "website")):
            raise ValueError("geef minstens een phone, email of website")
        return values


class NationalContact(Contact):
    """content/contact.yml: who answers for regions without their own contact block."""
    example_data: bool = False
    organisation: str


# Initiatives (issue 28): what a region runs to bring young people into technical work.
INITIATIVE_KINDS = ("beroepentuin", "open dag", "meeloopdag", "bus/vervoer", "omscholing", "gastles",
                    "bedrijfsbezoek", "proefles", "techniekwedstrijd", "zomerschool", "anders")
INITIATIVE_STATUSES = ("actief", "gepauzeerd", "gestopt")
# The intake's interest codes (bot.intake.validation.INTERESTS without "weet_niet"; a test keeps them equal).
INTEREST_CODES = ("bouw", "installatie", "elektro", "metaal", "ict", "mobiliteit")
INITIATIVE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
# A contact for other regions is a role address (info@, initiatieven@ ...), never a person's own address.
ROLE_WORDS = ("info", "contact", "secretariaat", "regio", "team", "initiatief", "initiatieven", "techniek",
              "bureau", "servicedesk", "vragen", "aanmelden", "projecten", "project", "planning", "hallo",
              "samenwerken", "netwerk", "loket", "leerwerkloket", "bus", "vervoer", "school", "onderwijs")


def role_address(value: str) -> str:
    value = (value or "").strip()
    if not _EMAIL.match(value):
        raise ValueError(f"contact is geen e-mailadres: {value!r}")
    local = value.split("@", 1)[0].lower()
    words = [w for w in re.split(r"[.\-_+]", local) if w]
    if not words or not all(w in ROLE_WORDS or w.isdigit() for w in words):
        raise ValueError(f"contact moet een functieadres zijn (zoals initiatieven@...), geen adres van een persoon: {value!r};"
                         f" toegestaan: {', '.join(ROLE_WORDS)}")
    return value


class InitiativeTarget(Target):
    """Doelgroep van een initiatief: leeftijd, niveaus en (mag leeg) de interesses uit de intake."""
    interests: List[str] = []

    @validator("interests", each_item=True)
    def _interest(cls, value):
        if value not in INTEREST_CODES:
            raise ValueError(f"onbekende interesse {value!r}; kies uit: {', '.join(INTEREST_CODES)}")
        return value


class Initiative(Strict):
    """One regional initiative (issue 28). ``code`` is stable: it goes into embed snippets, deep links and
    the funnel, so never change it once it is used (make a new one instead)."""
    code: str
    name: str
    kind: str
    target: InitiativeTarget = InitiativeTarget()
    since: date
    status: str = "actief"
    status_since: Optional[date] = None   # when it was paused or stopped (or restarted)
    website: str
    contact: str
    wat_werkt: str
    wat_lukt_minder: str
    source: Optional[str] = None

    _https = validator("website", allow_reuse=True)(https_only)
    _role = validator("contact", allow_reuse=True)(role_address)

    @validator("code")
    def _code(cls, value):
        if not INITIATIVE_CODE.match(value or ""):
            raise ValueError(f"code: alleen kleine letters, cijfers en streepjes, 3 tot 40 tekens (zoals bus-zeeuws-vlaanderen), niet {value!r}")
        return value

    @validator("kind")
    def _kind(cls, value):
        if value not in INITIATIVE_KINDS:
            raise ValueError(f"onbekend soort initiatief {value!r}; kies uit: {', '.join(INITIATIVE_KINDS)}")
        return value

    @validator("status")
    def _status(cls, value):
        if value not in INITIATIVE_STATUSES:
            raise ValueError(f"onbekende status {value!r}; kies uit: {', '.join(INITIATIVE_STATUSES)}")
        return value

    @root_validator(skip_on_failure=True)
    def _dates(cls, values):
        since, changed = values.get("since"), values.get("status_since")
        if changed is not None and since is not None and changed < since:
            raise ValueError("status_since ligt voor since")
        if values.get("status") != "actief" and changed is None:
            raise ValueError("geef bij een gepauzeerd of gestopt initiatief status_since (JJJJ-MM-DD)")
        return values


class RegionPack(Strict):
    example_data: bool = False
    region: str
    organisation: str
    welcome: Optional[str] = None
    contact: Optional[Contact] = None
    links: List[Link] = []
    answers: Dict[str, Answer] = {}
    events: List[EventEntry] = []
    feeds: List[Feed] = []
    initiatives: List[Initiative] = []

    @validator("region")
    def _region(cls, value):
        if not REGION_CODE.match(value or ""):
            raise ValueError(f"region moet een CBS-code zijn zoals AM24, niet {value!r}")
        return value

    @validator("answers")
    def _answer_keys(cls, value):
        for key in value:
            if not UTTER.match(key):
                raise ValueError(f"een regionaal antwoord heet naar het landelijke antwoord (utter_...), niet {key!r}")
        return value
