"""Events near you: open dagen, beroepentuinen, meeloopdagen, informatieavonden.

Sources: the ``events`` list of each regional pack (YAML) and the iCalendar feeds the packs name.
``python -m bot content fetch`` downloads those feeds into a cache folder (``<GP_VAR_DIR>/content-cache``);
the bot reads only that cache and never waits for the network. A young person gets the 3 first
upcoming events within ``MAX_KM`` of their postcode or woonplaats, ordered by date and, on the same
day, by distance, each with a Dutch date, the distance in km and the link. Past events never show.
Nothing within ``MAX_KM`` is never a dead end (issue 23): then the nearest ones further away, with their
distance, and the regional organisation's own agenda link (``events_answer``).
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from bot.content.packs import PACKS_DIR, PackSet, load_packs
from bot.content.schema import KINDS, EventEntry, Feed, Place as PackPlace, RegionPack
from bot.routing.assign import distance_km  # haversine, the same one routing uses
from bot.routing.regions import Place, find_places, load_gazetteer, place_for_postcode

log = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_KM = 50.0
LIMIT = 3
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-zA-Z]{2})?\b")


@dataclass(frozen=True)
class Event:
    title: str
    kind: str
    start: datetime  # naive, Dutch local time
    end: Optional[datetime]
    all_day: bool
    place_name: str
    lat: float
    lon: float
    link: str
    source: str
    region: str
    age_min: Optional[int] = None
    age_max: Optional[int] = None
    levels: Tuple[str, ...] = ()

    def is_upcoming(self, now: datetime) -> bool:
        """Not over yet: an all-day event counts for its whole day, a timed one until it ends."""
        if self.all_day:
            return (self.end or self.start).date() >= now.date()
        return (self.end or self.start) > now


def now_nl() -> datetime:
    return datetime.now(AMSTERDAM).replace(tzinfo=None)


def dutch_date(day: date) -> str:
    """'za 12 december'."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


# ---------------------------------------------------------------- events from a pack (YAML)

def point_of(place: PackPlace) -> Optional[Tuple[float, float]]:
    if place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    row = load_gazetteer().pc4.get(place.pc4 or "")
    return (row[0], row[1]) if row else None


def event_from_entry(entry: EventEntry, region: str, today: date) -> Optional[Event]:
    point = point_of(entry.place)
    if point is None:
        return None
    day = entry.date if entry.date is not None else today + timedelta(days=entry.over_dagen or 0)
    start = datetime.combine(day, entry.start_time or time(0, 0))
    end = datetime.combine(day, entry.end_time) if entry.end_time else None
    return Event(entry.title, entry.kind, start, end, entry.start_time is None, entry.place.name,
                 point[0], point[1], entry.link, entry.source, region,
                 entry.target.age_min, entry.target.age_max, tuple(entry.target.levels))


# ---------------------------------------------------------------- events from iCalendar

def _local(value) -> Tuple[Optional[datetime], bool]:
    """An iCalendar DTSTART/DTEND value → (naive Dutch local time, all day?)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(AMSTERDAM).replace(tzinfo=None)
        return value, False
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0)), True
    return None, False


def _kind(categories: Iterable[str], title: str) -> str:
    words = " ".join(list(categories) + [title]).lower()
    for kind in KINDS:
        if kind in words or kind.replace(" ", "") in words:
            return kind
    return "anders"


def _categories(component) -> List[str]:
    found = []
    values = component.get("CATEGORIES")
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        cats = getattr(value, "cats", None)
        found.extend(str(c) for c in (cats if cats is not None else [value]))
    return found


def _place_from_location(location: str, geo, feed: Feed) -> Optional[Tuple[str, float, float]]:
    if geo is not None and getattr(geo, "latitude", None) is not None:
        return (location or feed.name), float(geo.latitude), float(geo.longitude)
    if location:
        match = _POSTCODE.search(location)
        if match:
            place = place_for_postcode(match.group(1))
            if place:
                return location, place.lat, place.lon
        for part in reversed([p.strip() for p in location.split(",") if p.strip()]):
            hit = find_places(part).unique
            if hit:
                return location, hit.lat, hit.lon
    if feed.default_place is not None:
        point = point_of(feed.default_place)
        if point:
            return feed.default_place.name, point[0], point[1]
    return None


def parse_ical(text: str, feed: Feed, region: str) -> Tuple[List[Event], List[str]]:
    """Every usable VEVENT of a feed, and a Dutch warning for each one we had to skip.

    A broken event never costs the others: when the calendar as a whole does not parse, each
    VEVENT block is parsed on its own.
    """
    from icalendar import Calendar  # only the feed code needs it

    warnings: List[str] = []
    blocks = re.findall(r"BEGIN:VEVENT.*?END:VEVENT", text.replace("\r\n", "\n"), flags=re.S)
    components = []
    for number, block in enumerate(blocks, start=1):
        try:
            cal = Calendar.from_ical("BEGIN:VCALENDAR\nVERSION:2.0\n" + block + "\nEND:VCALENDAR\n")
            components.extend((number, c) for c in cal.walk("VEVENT"))
        except Exception as exc:  # noqa: BLE001 - a feed is outside data; report and go on
            warnings.append(f"agenda '{feed.name}', evenement {number}: kan niet gelezen worden ({exc}); overgeslagen")
    if not blocks:
        warnings.append(f"agenda '{feed.name}': geen evenementen (VEVENT) gevonden")
    events: List[Event] = []
    for number, component in components:
        title = str(component.get("SUMMARY") or "").strip()
        label = f"agenda '{feed.name}', evenement {number}" + (f" '{title}'" if title else "")
        try:
            start, all_day = _local(component.decoded("DTSTART"))
        except Exception:  # noqa: BLE001
            start, all_day = None, False
        if not title or start is None:
            missing = "titel (SUMMARY)" if not title else "geldige begindatum (DTSTART)"
            warnings.append(f"{label}: geen {missing}; overgeslagen")
            continue
        try:
            end, _ = _local(component.decoded("DTEND")) if component.get("DTEND") is not None else (None, False)
        except Exception:  # noqa: BLE001
            end = None
        if all_day and end is not None:
            end = end - timedelta(days=1)  # DTEND of an all-day event is exclusive
        link = str(component.get("URL") or "").strip()
        if not link.lower().startswith("https://"):
            warnings.append(f"{label}: geen https-link (URL); overgeslagen")
            continue
        where = _place_from_location(str(component.get("LOCATION") or ""), component.get("GEO"), feed)
        if where is None:
            warnings.append(f"{label}: plaats onbekend (geen postcode, bekende woonplaats of GEO in LOCATION); overgeslagen")
            continue
        events.append(Event(title, _kind(_categories(component), title), start, end, all_day, where[0],
                            where[1], where[2], link, feed.source, region))
    return events, warnings


# ---------------------------------------------------------------- the feed cache

def default_cache_dir() -> Path:
    from bot.ops.config import load_settings
    return load_settings().var_dir / "content-cache"


def cache_path(cache_dir: Path, region: str, index: int) -> Path:
    return cache_dir / f"{region.lower()}-{index}.ics"


def fetch_feeds(packs: PackSet, cache_dir: Path, get: Optional[Callable[[str], str]] = None,
                policy=None) -> List[str]:
    """Downloads every feed into the cache; a feed that fails (or is refused) keeps its previous
    cached copy. Returns one Dutch line per feed for the person running the command. ``get``
    defaults to :func:`bot.content.fetch.fetch_feed` under ``policy`` (a ``FetchPolicy``; the default
    one in production), which checks every hop (no loopback, private or link-local targets, size and
    time caps)."""
    if get is None:
        from bot.content.fetch import FetchPolicy, fetch_feed

        def get(url: str) -> str:
            return fetch_feed(url, policy or FetchPolicy())
    cache_dir.mkdir(parents=True, exist_ok=True)
    report = []
    for loaded in packs.packs():
        pack = loaded.pack
        for index, feed in enumerate(pack.feeds):
            target = cache_path(cache_dir, pack.region, index)
            try:
                text = get(feed.url)
            except Exception as exc:  # noqa: BLE001
                kept = "de vorige versie blijft staan" if target.exists() else "er is nog geen versie"
                report.append(f"{loaded.path.name}: agenda '{feed.name}' niet opgehaald ({exc}); {kept}")
                continue
            events, warnings = parse_ical(text, feed, pack.region)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            target.with_suffix(".json").write_text(json.dumps(
                {"url": feed.url, "fetched_at": datetime.now(timezone.utc).isoformat()}), encoding="utf-8")
            report.append(f"{loaded.path.name}: agenda '{feed.name}': {len(events)} evenementen opgehaald")
            report.extend(f"  waarschuwing: {w}" for w in warnings)
    if not report:
        report.append("geen agenda's (feeds) in de inhoudspakketten")
    return report


_FEED_CACHE: Dict[Tuple[str, float], Tuple[Event, ...]] = {}


def _cached_feed(path: Path, feed: Feed, region: str) -> Tuple[Event, ...]:
    """A cached feed is parsed once per version of the file (the action server asks on every question)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _FEED_CACHE:
        events, warnings = parse_ical(path.read_text(encoding="utf-8"), feed, region)
        for warning in warnings:
            log.warning(warning)
        if len(_FEED_CACHE) > 64:
            _FEED_CACHE.clear()
        _FEED_CACHE[key] = tuple(events)
    return _FEED_CACHE[key]


def feed_events(pack: RegionPack, cache_dir: Path) -> List[Event]:
    events: List[Event] = []
    for index, feed in enumerate(pack.feeds):
        path = cache_path(cache_dir, pack.region, index)
        if path.exists():
            events.extend(_cached_feed(path, feed, pack.region))
    return events


# ---------------------------------------------------------------- near you

def all_events(packs: PackSet, cache_dir: Optional[Path], today: date) -> List[Event]:
    events: List[Event] = []
    for loaded in packs.packs():
        for entry in loaded.pack.events:
            event = event_from_entry(entry, loaded.pack.region, today)
            if event is not None:
                events.append(event)
        if cache_dir is not None:
            events.extend(feed_events(loaded.pack, cache_dir))
    return events


@dataclass(frozen=True)
class Nearby:
    event: Event
    km: float


def nearest(lat: float, lon: float, events: Sequence[Event], now: datetime, limit: int = LIMIT,
            max_km: float = MAX_KM) -> List[Nearby]:
    """The first ``limit`` upcoming events within ``max_km``: by date, then by distance."""
    found = [Nearby(e, distance_km(lat, lon, e.lat, e.lon)) for e in events if e.is_upcoming(now)]
    found = [n for n in found if n.km <= max_km]
    found.sort(key=lambda n: (n.event.start.date(), round(n.km, 1), n.event.start, n.event.title))
    return found[:limit]


def events_near(lat: float, lon: float, now: Optional[datetime] = None, directory: Path = PACKS_DIR,
                cache_dir: Optional[Path] = None) -> List[Nearby]:
    now = now or now_nl()
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    return nearest(lat, lon, all_events(load_packs(directory), cache, now.date()), now)


# ---------------------------------------------------------------- nothing near: never a dead end

FURTHER_LIMIT = 3
# With the region's own agenda to point to, events further than this are left out.
WORTH_THE_TRIP_KM = 100.0
_PLACEHOLDER = re.compile(r"\s*\((?:voorbeeld|example)[^)]*\)", re.IGNORECASE)


def public_text(text: str) -> str:
    """What a person may read: without placeholder labels such as "(voorbeeld)" or "(voorbeeld; ...)".
    The packs keep them (and ``example_data: true``) for the content team."""
    return " ".join(_PLACEHOLDER.sub("", text or "").split())


def further_away(lat: float, lon: float, events: Sequence[Event], now: datetime, limit: int = FURTHER_LIMIT,
                 beyond_km: float = MAX_KM) -> List[Nearby]:
    """The nearest upcoming events beyond ``beyond_km``: nearest first (per 10 km), then by date."""
    found = [Nearby(e, distance_km(lat, lon, e.lat, e.lon)) for e in events if e.is_upcoming(now)]
    found = [n for n in found if n.km > beyond_km]
    found.sort(key=lambda n: (int(n.km // 10), n.event.start, n.km, n.event.title))
    return found[:limit]


@dataclass(frozen=True)
class AgendaLink:
    organisation: str
    title: str
    url: str


def agenda_link(region_code: Optional[str], packs: PackSet) -> Optional[AgendaLink]:
    """The regional organisation's own agenda: a pack link about its agenda, else its first link, else
    the website of its contact block; None for a region without a pack."""
    pack = packs.pack(region_code)
    if pack is None:
        return None
    links = sorted(pack.links, key=lambda link: "agenda" not in (link.title + link.url).lower())
    if links:
        return AgendaLink(pack.organisation, public_text(links[0].title), links[0].url)
    if pack.contact is not None and pack.contact.website:
        return AgendaLink(pack.organisation, pack.organisation, pack.contact.website)
    return None


@dataclass(frozen=True)
class EventsAnswer:
    """What to show for a place: events within MAX_KM, or else the nearest further away and the
    region's own agenda link."""
    nearby: Tuple[Nearby, ...] = ()
    further: Tuple[Nearby, ...] = ()
    agenda: Optional[AgendaLink] = None


def events_answer(lat: float, lon: float, region_code: Optional[str], now: Optional[datetime] = None,
                  directory: Path = PACKS_DIR, cache_dir: Optional[Path] = None) -> EventsAnswer:
    now = now or now_nl()
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    packs = load_packs(directory)
    events = all_events(packs, cache, now.date())
    nearby = nearest(lat, lon, events, now)
    if nearby:
        return EventsAnswer(nearby=tuple(nearby))
    agenda = agenda_link(region_code, packs)
    further = further_away(lat, lon, events, now)
    if agenda is not None:  # the region's own agenda beats an event a long trip away
        further = [n for n in further if n.km <= WORTH_THE_TRIP_KM]
    return EventsAnswer(further=tuple(further), agenda=agenda)


def event_line(item: Nearby) -> str:
    """'za 12 december, 15:00-18:00: Open dag techniek, Middelburg (2 km). Meer info: https://…'"""
    e = item.event
    when = dutch_date(e.start.date())
    if not e.all_day:
        when += f", {e.start:%H:%M}" + (f"-{e.end:%H:%M}" if e.end and e.end.date() == e.start.date() else "")
    km = "minder dan 1 km" if item.km < 1 else f"{round(item.km)} km"
    return f"{when}: {public_text(e.title)} ({e.kind}), {public_text(e.place_name)} ({km}). Meer info: {e.link}"


# ---------------------------------------------------------------- where is the person?

@dataclass(frozen=True)
class PlaceLookup:
    place: Optional[Place] = None
    ambiguous: Tuple[str, ...] = ()
    suggestions: Tuple[str, ...] = ()


def lookup_place(text: Optional[str]) -> PlaceLookup:
    """A postcode (4331, 4331 AB) or a woonplaats/gemeente name → one place, or why not."""
    raw = (text or "").strip()[:80]
    if not raw:
        return PlaceLookup()
    match = _POSTCODE.search(raw)
    if match:
        place = place_for_postcode(match.group(1))
        if place:
            return PlaceLookup(place=place)
    found = find_places(raw)
    if found.unique:
        return PlaceLookup(place=found.unique)
    if found.ambiguous:
        return PlaceLookup(ambiguous=tuple(p.long_label() for p in found.places))
    return PlaceLookup(suggestions=found.suggestions)
