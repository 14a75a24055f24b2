"""Where does someone live, in the terms routing needs: gemeente, arbeidsmarktregio and a point.

The data is CBS open data copied into ``content/regions/`` (see SOURCES.md there; "Bron: CBS").
Lookups are pure dictionary reads on tables loaded once per process, so the action server can call
them on every message. Nothing here talks to the network.

Why both postcode and woonplaats: CBS PC4 areas miss PO boxes and codes newer than 2020, so a
postcode that is not in the table is not proof the person made a typo; we then ask for the
woonplaats. Woonplaats names are not unique (Laren, Zevenhuizen, ...): those lookups return every
candidate and the caller asks a follow-up question.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from rapidfuzz.distance import OSA

from bot.ops.config import PROJECT_ROOT

REGIONS_DIR = PROJECT_ROOT / "content" / "regions"

ALIASES_FILE = REGIONS_DIR / "aliases.csv"


@lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_FILE) -> Dict[str, Tuple[str, str]]:
    """Everyday names that CBS does not list (it uses the official BAG spelling): "den bosch",
    "a'dam" → (the CBS name, how the bot shows the place: the ``toon`` column, else the CBS name).
    Data the content team edits (content/regions/aliases.csv, "Bron: eigen lijst")."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        return {place_key(row["alias"]): (row["plaats"].strip(), (row.get("toon") or "").strip() or row["plaats"].strip())
                for row in rows if row.get("alias") and row.get("plaats")}


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    region_code: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Place:
    """A resolved location: the point we measure distance from, and the region it belongs to."""
    gemeente_code: str
    gemeente_name: str
    region_code: str
    region_name: str
    lat: float
    lon: float
    pc4: Optional[str] = None
    woonplaats: Optional[str] = None

    @property
    def source(self) -> str:
        return "pc4" if self.pc4 else "gemeente"

    def long_label(self) -> str:
        """Tells apart places with the same name (Laren in Lochem vs Laren in Gooi en Vechtstreek)."""
        return f"{self.woonplaats or self.gemeente_display} (gemeente {self.gemeente_display}, regio {self.region_name})"

    def label(self) -> str:
        """How we show the place back to the person."""
        if self.pc4:
            return f"postcode {self.pc4} ({self.gemeente_display})"
        if self.woonplaats and place_key(self.woonplaats) != place_key(self.gemeente_display):
            return f"{self.woonplaats} (gemeente {self.gemeente_display})"
        return self.woonplaats or self.gemeente_display

    @property
    def gemeente_display(self) -> str:
        return _strip_suffix(self.gemeente_name)


@dataclass(frozen=True)
class Gazetteer:
    regions: Dict[str, Region]
    gemeenten: Dict[str, Gemeente]
    pc4: Dict[str, Tuple[float, float, str]]
    names: Dict[str, Tuple[Tuple[str, str], ...]]  # key -> ((display name, gemeentecode), ...)


_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


def _strip_suffix(name: str) -> str:
    return _SUFFIX.sub("", name).strip()


def place_key(name: str) -> str:
    """Comparison key: case, accents, apostrophes, hyphens and extra spaces do not matter."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[’‘`´']", "", text)
    text = re.sub(r"[-_/.,]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _read(path: Path) -> List[Dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def load_gazetteer(directory: Path = REGIONS_DIR) -> Gazetteer:
    regions = {r["code"]: Region(r["code"], r["name"]) for r in _read(directory / "arbeidsmarktregios.csv")}
    gemeenten = {
        r["gemeentecode"]: Gemeente(r["gemeentecode"], r["gemeentenaam"], r["arbeidsmarktregio_code"],
                                    float(r["lat"]), float(r["lon"]))
        for r in _read(directory / "gemeenten.csv")
    }
    pc4 = {r["pc4"]: (float(r["lat"]), float(r["lon"]), r["gemeentecode"]) for r in _read(directory / "pc4.csv")}
    exact: Dict[str, set] = {}
    loose: Dict[str, set] = {}

    def add(display: str, code: str) -> None:
        exact.setdefault(place_key(display), set()).add((_strip_suffix(display), code))
        loose.setdefault(place_key(_strip_suffix(display)), set()).add((_strip_suffix(display), code))

    for row in _read(directory / "woonplaatsen.csv"):
        add(row["woonplaats"], row["gemeentecode"])
    for gemeente in gemeenten.values():
        add(gemeente.name, gemeente.code)
    names: Dict[str, Tuple[Tuple[str, str], ...]] = {}
    # A suffixed name ("Bergen (NH.)") is exact; the bare name ("Bergen") may mean several places.
    for key, values in loose.items():
        names[key] = tuple(sorted(values, key=lambda v: v[1]))
    for key, values in exact.items():
        if key not in loose:
            names[key] = tuple(sorted(values, key=lambda v: v[1]))
    return Gazetteer(regions, gemeenten, pc4, names)


def _place(gaz: Gazetteer, code: str, lat: float, lon: float, pc4: Optional[str] = None,
           woonplaats: Optional[str] = None) -> Place:
    gemeente = gaz.gemeenten[code]
    region = gaz.regions[gemeente.region_code]
    return Place(gemeente.code, gemeente.name, region.code, region.name, lat, lon, pc4, woonplaats)


def place_for_postcode(postcode: str, gaz: Optional[Gazetteer] = None) -> Optional[Place]:
    """'4331AB' or '4331' → the PC4 area's centroid and region; None when CBS has no such PC4."""
    gaz = gaz or load_gazetteer()
    digits = (postcode or "")[:4]
    row = gaz.pc4.get(digits)
    if row is None:
        return None
    lat, lon, code = row
    return _place(gaz, code, lat, lon, pc4=digits)


def place_for_gemeente(code: str, woonplaats: Optional[str] = None, gaz: Optional[Gazetteer] = None) -> Optional[Place]:
    gaz = gaz or load_gazetteer()
    gemeente = gaz.gemeenten.get(code)
    if gemeente is None:
        return None
    return _place(gaz, code, gemeente.lat, gemeente.lon, woonplaats=woonplaats)


@dataclass(frozen=True)
class PlaceMatch:
    """Result of a woonplaats lookup: one place, several candidates, or suggestions for a typo."""
    places: Tuple[Place, ...] = ()
    suggestions: Tuple[str, ...] = ()

    @property
    def unique(self) -> Optional[Place]:
        return self.places[0] if len(self.places) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.places) > 1


# --- Places as people say them (issue 23) -------------------------------------------------------------
# "ik woon in tilburg hoor", "rotterdam zuid", "eindhoven woensel", "in groningen stad",
# "middelburg zei ik toch al": the place is the CBS name at the start (or the end) of the answer; what
# is left over is a part of town or chat filler. A typo ("rotterdm") gives a suggestion, never a place:
# the person confirms it first. A real CBS place is always taken as it is (Goes stays Goes, Ede stays Ede).
_PLACE_PREFIX = re.compile(
    r"^(?:(?:eh+m*|uh+m*|nou|ja|jaa+|oke?|ok[eé]|gewoon|dus)\s+)*"
    r"(?:ik\s+(?:woon|zit|kom|ben)(?:\s+(?:zelf|nu|al|gewoon))?(?:\s+(?:in|uit|bij|van))?|ik woon|woonplaats(?: is)?:?"
    r"|mijn woonplaats is|gemeente|in de buurt van|vlakbij|dichtbij|bij|in|uit|te)\s+", re.IGNORECASE)
_PLACE_FILLER = re.compile(
    r"\s+(?:zei ik (?:toch|al)(?: al)?|zeg ik toch|zoals ik al zei|dat zei ik al|had ik al gezegd|hoor|toch"
    r"|dus|ofzo|of zo|zo|he|hè|joh|haha+|lol|man|dan|natuurlijk|gewoon|btw|eigenlijk|en omgeving|omgeving"
    r"|ja|jaa+|al)$", re.IGNORECASE)
# CBS places that are also everyday words: left over after a place ("rotterdam echt") they are no place.
_COMMON_WORDS = frozenset({"echt", "best", "made", "mill", "lent", "born", "well", "hall", "lies", "beek",
                           "een", "ie", "hem", "ens", "est", "ell", "elp", "ees", "hee", "erm", "buren",
                           "nes", "haven", "wijk", "zand", "hoek", "berg", "veen", "dijk", "oost", "west"})
# Words people type at "waar woon je?" that are no typo of a place: no "Bedoel je ...?" for them.
_NO_GUESS = frozenset({"hallo", "hello", "hoi", "hey", "school", "thuis", "holland", "brabant", "limburg", "friesland",
                       "drenthe", "overijssel", "gelderland", "flevoland", "randstad", "nederland", "belgie", "buitenland",
                       "noord holland", "zuid holland", "noord brabant", "provincie", "weet niet", "geen idee"})
MAX_REST_WORDS = 3  # "amsterdam nieuw west", "rotterdam zuid", "eindhoven woensel"


def _strip_chat(text: str) -> str:
    raw = (text or "").strip()[:80].strip(" .!?,")
    previous = None
    while previous != raw:
        previous = raw
        raw = _PLACE_PREFIX.sub("", raw).strip(" .!?,")
        raw = _PLACE_FILLER.sub("", raw).strip(" .!?,")
    return raw


def _codes(gaz: Gazetteer, aliases: Dict[str, Tuple[str, str]], key: str) -> Optional[Tuple[str, ...]]:
    """The gemeentecodes a name means, or None when it is no place we know."""
    if key in aliases:
        key = place_key(aliases[key][0])
    hits = gaz.names.get(key)
    return tuple(code for _, code in hits) if hits else None


def _other_place_in(rest: List[str], codes: Tuple[str, ...], gaz: Gazetteer,
                   aliases: Dict[str, Tuple[str, str]]) -> bool:
    """Does the left-over text name a place outside these gemeenten ("ede wageningen")?"""
    for size in range(len(rest), 0, -1):
        for start in range(0, len(rest) - size + 1):
            words = rest[start:start + size]
            gram = " ".join(words)
            if size == 1 and (gram in _COMMON_WORDS or (len(gram) < 4 and len(rest) > 1)):
                continue
            found = _codes(gaz, aliases, gram)
            if found and not set(found) & set(codes):
                return True
    return False


def _spoken_parts(key: str) -> List[Tuple[str, List[str]]]:
    """(place part, left-over words) for every split, the longest place part first; start before end."""
    words = key.split()
    parts = []
    for size in range(len(words) - 1, 0, -1):
        if len(words) - size <= MAX_REST_WORDS:
            parts.append((" ".join(words[:size]), words[size:]))
            parts.append((" ".join(words[-size:]), words[:-size]))
    return parts


def _match(gaz: Gazetteer, aliases: Dict[str, Tuple[str, str]], key: str) -> Optional["PlaceMatch"]:
    label = None
    if key in aliases:
        label, key = aliases[key][1], place_key(aliases[key][0])
    hits = gaz.names.get(key)
    if not hits:
        return None
    return PlaceMatch(places=tuple(place_for_gemeente(code, woonplaats=label or name, gaz=gaz) for name, code in hits))


def _fuzzy(gaz: Gazetteer, aliases: Dict[str, Tuple[str, str]], key: str) -> Tuple[str, ...]:
    """Display names a typo most likely means. Short words need an exact match (a 3- or 4-letter word
    is a different place or an everyday word, not a typo); longer ones may differ by 1 (5-7 letters) or 2 (8+) edits,
    a swap of two letters counting as one."""
    if len(key) < 5 or not re.search(r"[a-z]", key):
        return ()
    if key in _NO_GUESS:
        return ()
    allowed = 1 if len(key) < 8 else 2
    scored = []
    for candidate in list(gaz.names) + list(aliases):
        if abs(len(candidate) - len(key)) > allowed or len(candidate) < 4:
            continue
        distance = OSA.distance(key, candidate, score_cutoff=allowed)
        if distance <= allowed:
            scored.append((distance, candidate))
    if not scored:
        return ()
    best = min(distance for distance, _ in scored)
    displays: List[str] = []
    for _, candidate in sorted(c for c in scored if c[0] == best):
        if candidate in aliases:
            display = aliases[candidate][1]
        else:
            display = gaz.names[candidate][0][0]
        if display not in displays:
            displays.append(display)
    return tuple(displays[:3])


def find_places(text: str, gaz: Optional[Gazetteer] = None) -> PlaceMatch:
    """Every gemeente a woonplaats or gemeente name can mean; the point is the gemeente centroid
    (CBS gives no woonplaats coordinates). Understands the place as people type it: with "ik woon in",
    a part of town or chat filler around it, an everyday name (content/regions/aliases.csv), or a
    typo (then ``suggestions``, to ask "Bedoel je ...?")."""
    gaz = gaz or load_gazetteer()
    aliases = load_aliases()
    key = place_key(_strip_chat(text))
    if not key:
        return PlaceMatch()
    whole = _match(gaz, aliases, key)
    if whole:
        return whole
    for part, rest in _spoken_parts(key):
        codes = _codes(gaz, aliases, part)
        if codes and not (len(part) < 4 and part in _COMMON_WORDS) and not _other_place_in(rest, codes, gaz, aliases):
            return _match(gaz, aliases, part)
    suggestions = _fuzzy(gaz, aliases, key)
    if not suggestions:
        for part, rest in _spoken_parts(key):
            found = _fuzzy(gaz, aliases, part) if len(part) >= 6 else ()
            if found and not _other_place_in(rest, (), gaz, aliases):
                suggestions = found
                break
    return PlaceMatch(suggestions=suggestions)


def region_name(code: str, gaz: Optional[Gazetteer] = None) -> Optional[str]:
    region = (gaz or load_gazetteer()).regions.get(code)
    return region.name if region else None
