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
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.ops.config import PROJECT_ROOT

REGIONS_DIR = PROJECT_ROOT / "content" / "regions"

# Everyday names that CBS does not list (it uses the official BAG spelling).
ALIASES: Dict[str, str] = {
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "haag": "'s-Gravenhage",
    "s gravenhage": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "s hertogenbosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
    "bosch": "'s-Hertogenbosch",
}


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


_PLACE_PREFIX = re.compile(r"^(ik woon in|ik woon|ik kom uit|woonplaats( is)?:?|in|gemeente)\s+", re.IGNORECASE)


def find_places(text: str, gaz: Optional[Gazetteer] = None) -> PlaceMatch:
    """Every gemeente a woonplaats or gemeente name can mean; the point is the gemeente centroid
    (CBS gives no woonplaats coordinates)."""
    gaz = gaz or load_gazetteer()
    raw = _PLACE_PREFIX.sub("", (text or "").strip()[:80]).strip(" .!?")
    key = place_key(raw)
    if not key:
        return PlaceMatch()
    alias = None
    if key in ALIASES:
        alias, key = " ".join(w.capitalize() for w in key.split()), place_key(ALIASES[key])
    hits = gaz.names.get(key)
    if hits:
        return PlaceMatch(places=tuple(place_for_gemeente(code, woonplaats=alias or name, gaz=gaz)
                                       for name, code in hits))
    close = difflib.get_close_matches(key, list(gaz.names) + list(ALIASES), n=3, cutoff=0.84)
    suggestions = []
    for candidate in close:
        target = place_key(ALIASES.get(candidate, candidate))
        display = gaz.names[target][0][0] if target in gaz.names else candidate
        if candidate in ALIASES:
            display = candidate.title()
        if display not in suggestions:
            suggestions.append(display)
    return PlaceMatch(suggestions=tuple(suggestions))


def region_name(code: str, gaz: Optional[Gazetteer] = None) -> Optional[str]:
    region = (gaz or load_gazetteer()).regions.get(code)
    return region.name if region else None
