"""The counsellor registry: who works where, how to reach them, and whether they can take a lead.

The content team edits ``content/counsellors.yml`` (no code change, no deploy of Python). This
module loads and checks it strictly, because a typo there would silently send young people to the
wrong person: unknown region codes, duplicate ids and offices outside the Netherlands are errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import yaml

from bot.ops.config import PROJECT_ROOT, is_loopback_host
from bot.routing.regions import load_gazetteer

REGISTRY_PATH = PROJECT_ROOT / "content" / "counsellors.yml"


class RegistryError(ValueError):
    """The registry file is not usable; the message says which entry and why, in plain words."""


@dataclass(frozen=True)
class Absence:
    start: date
    end: date  # inclusive

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Counsellor:
    """One counsellor, as the registry loads them and as the hand-off keeps a snapshot of them.

    The hand-off stores ``to_record()`` on its case (the registry may change, the promise may not) and
    reads it back with ``from_record``; that is why every field after ``name`` has a default.
    """
    id: str
    name: str
    region_code: str = ""
    organisation: str = ""
    office_place: str = ""
    lat: float = 0.0
    lon: float = 0.0
    email: Optional[str] = None
    telegram_chat_id: Optional[str] = None
    webhook_url: Optional[str] = None
    active: bool = True
    capacity: int = 10  # open leads at the same time
    out_of_office: Tuple[Absence, ...] = ()
    example: bool = False
    region_name: str = ""
    webhook_secret: str = ""  # normally empty: looked up at send time (GP_WEBHOOK_SECRET…)
    coordinator_email: str = ""  # normally empty: looked up per region in the hand-off settings

    @classmethod
    def from_record(cls, value: Union["Counsellor", Mapping[str, Any]]) -> "Counsellor":
        """From a snapshot (``HandoffCase.counsellor``) or a plain dict with the snapshot's keys.

        Text values are stripped; missing or empty ones take the default, so a half-filled record still renders.
        """
        if isinstance(value, Counsellor):
            return value
        text = {n: str(value.get(n) or "").strip() for n in ("id", "name") + _RECORD_FIELDS}
        return cls(**{n: v for n, v in text.items() if v or n in ("id", "name")})

    def to_record(self) -> Dict[str, str]:
        """The snapshot the hand-off stores: who and how to reach them, never the secret."""
        return {n: str(getattr(self, n) or "") for n in ("id", "name") + _RECORD_FIELDS} | {"webhook_secret": ""}

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else "je adviseur"

    def absent_on(self, day: date) -> Optional[Absence]:
        return next((a for a in self.out_of_office if a.covers(day)), None)

    def unavailable_reason(self, day: date, open_leads: int) -> Optional[str]:
        """None when this counsellor can take a new lead today; otherwise why not (Dutch, for the log)."""
        if not self.active:
            return "niet actief"
        absence = self.absent_on(day)
        if absence:
            return f"afwezig t/m {absence.end.isoformat()}"
        if open_leads >= self.capacity:
            return f"vol ({open_leads}/{self.capacity} open aanvragen)"
        return None

    def channels(self) -> List[str]:
        """Delivery channels this counsellor can receive on, in a fixed order."""
        return [name for name, value in (("email", self.email), ("telegram", self.telegram_chat_id),
                                         ("webhook", self.webhook_url)) if value]


# The text fields a hand-off snapshot keeps besides id and name.
_RECORD_FIELDS = ("organisation", "region_code", "region_name", "email", "telegram_chat_id", "webhook_url",
                  "webhook_secret", "coordinator_email")


@dataclass(frozen=True)
class Coordinator:
    """Watches over one region: sees its leads in the workspace, gets the late "nee" alerts."""
    id: str
    name: str
    email: str
    region_code: str


@dataclass(frozen=True)
class Registry:
    counsellors: Tuple[Counsellor, ...]
    example_data: bool = False
    version: str = ""
    coordinators: Tuple[Coordinator, ...] = ()
    # the national role (steering group): sees the funnel of every region, never a lead
    national: Tuple[Coordinator, ...] = ()

    def coordinators_of(self, region_code: str) -> List[Coordinator]:
        return [c for c in self.coordinators if c.region_code == region_code]

    def by_id(self, counsellor_id: str) -> Optional[Counsellor]:
        return next((c for c in self.counsellors if c.id == counsellor_id), None)

    def in_region(self, region_code: str) -> List[Counsellor]:
        return [c for c in self.counsellors if c.region_code == region_code]


def _date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RegistryError(f"{where}: '{value}' is geen datum (gebruik JJJJ-MM-DD)") from None


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


def parse_registry(data: Mapping) -> Registry:
    gaz = load_gazetteer()
    regions = data.get("regions") or {}
    seen: Dict[str, str] = {}
    counsellors: List[Counsellor] = []
    coordinators: List[Coordinator] = []
    for region_code, region in regions.items():
        if region_code not in gaz.regions:
            raise RegistryError(f"regio '{region_code}' bestaat niet (gebruik de CBS-code, bijv. AM24)")
        organisation = str(region.get("organisation") or "").strip()
        if not organisation:
            raise RegistryError(f"{region_code}: 'organisation' ontbreekt")
        for index, entry in enumerate(region.get("coordinators") or []):
            cid, email = str(entry.get("id") or "").strip(), str(entry.get("email") or "").strip()
            if not cid or cid in seen or "@" not in email:
                raise RegistryError(f"{region_code}, coördinator {index + 1}: id (uniek) en email zijn verplicht")
            seen[cid] = region_code
            coordinators.append(Coordinator(cid, str(entry.get("name") or cid).strip(), email, region_code))
        for index, entry in enumerate(region.get("counsellors") or []):
            where = f"{region_code}, adviseur {index + 1}"
            cid = str(entry.get("id") or "").strip()
            if not cid or cid in seen:
                raise RegistryError(f"{where}: id ontbreekt of komt dubbel voor ('{cid}')")
            seen[cid] = region_code
            office = entry.get("office") or {}
            try:
                lat, lon = float(office["lat"]), float(office["lon"])
            except (KeyError, TypeError, ValueError):
                raise RegistryError(f"{where}: office.lat en office.lon zijn verplicht") from None
            if not (50.7 <= lat <= 53.7 and 3.3 <= lon <= 7.3):
                raise RegistryError(f"{where}: kantoor ligt niet in Nederland ({lat}, {lon})")
            channels = entry.get("channels") or {}
            if not any(channels.get(k) for k in ("email", "telegram_chat_id", "webhook_url")):
                raise RegistryError(f"{where}: minstens één kanaal (email, telegram_chat_id, webhook_url) nodig")
            webhook_url = channels.get("webhook_url")
            if webhook_url and not _https_or_loopback(str(webhook_url)):
                raise RegistryError(f"{where}: webhook_url moet met https:// beginnen ('{webhook_url}')")
            absences = tuple(
                Absence(_date(a.get("from"), where), _date(a.get("until"), where))
                for a in entry.get("out_of_office") or []
            )
            counsellors.append(Counsellor(
                id=cid, name=str(entry.get("name") or "").strip() or cid, region_code=region_code,
                organisation=str(entry.get("organisation") or organisation),
                office_place=str(office.get("place") or ""), lat=lat, lon=lon,
                email=channels.get("email"),
                telegram_chat_id=str(channels["telegram_chat_id"]) if channels.get("telegram_chat_id") else None,
                webhook_url=channels.get("webhook_url"),
                active=bool(entry.get("active", True)), capacity=int(entry.get("capacity", 10)),
                out_of_office=absences, example=bool(data.get("example_data", False)),
            ))
    national: List[Coordinator] = []
    for index, entry in enumerate(data.get("national") or []):
        nid, email = str(entry.get("id") or "").strip(), str(entry.get("email") or "").strip()
        if not nid or nid in seen or "@" not in email:
            raise RegistryError(f"national, persoon {index + 1}: id (uniek) en email zijn verplicht")
        seen[nid] = ""
        national.append(Coordinator(nid, str(entry.get("name") or nid).strip(), email, ""))
    return Registry(tuple(counsellors), bool(data.get("example_data", False)), str(data.get("version", "")),
                    tuple(coordinators), tuple(national))


def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    return _load_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int) -> Registry:
    """Cached per file version: an edit by the content team is picked up without a restart."""
    with open(path, encoding="utf-8") as handle:
        return parse_registry(yaml.safe_load(handle) or {})
