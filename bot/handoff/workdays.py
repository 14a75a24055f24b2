"""Dutch public holidays and working-day arithmetic, computed (no data files, no network).

Which days count as holidays is a policy choice; we follow the *Algemene Termijnenwet* (art. 3),
the law that says how statutory time limits skip "algemeen erkende feestdagen". It lists:
Nieuwjaarsdag, Tweede Paasdag, Hemelvaartsdag, Tweede Pinksterdag, Eerste en Tweede Kerstdag,
Koningsdag, and **5 mei every year**. Eerste Paas- en Pinksterdag are Sundays anyway. Goede
Vrijdag is not in the list (many offices work), so it is not a holiday here.

Bevrijdingsdag: the law counts it every year, but most collective agreements give a day off only in
a lustrum year (2025, 2030, …). A promise to the person ("uiterlijk dinsdag") must be one we keep,
so the yearly rule (the more generous deadline) is the default; ``liberation_day="lustrum"`` gives
the other reading for whoever needs it.

Koningsdag: 27 April since 2014; when that is a Sunday it moves to Saturday 26 April (2025, 2031).
Before 2014 Koninginnedag was 30 April, moved to Saturday 29 April when 30 April was a Sunday.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Dict

from bot.handoff.clock import AMSTERDAM


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian / Meeus–Jones–Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    if year >= 2014:
        day = date(year, 4, 27)
    else:
        day = date(year, 4, 30)
    if day.weekday() == 6:  # Sunday → the Saturday before
        day -= timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def holidays(year: int, liberation_day: str = "yearly") -> Dict[date, str]:
    """All Dutch public holidays of ``year`` with their Dutch names."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter: "Eerste Paasdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        kings_day(year): "Koningsdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=49): "Eerste Pinksterdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    if liberation_day == "yearly" or (liberation_day == "lustrum" and year % 5 == 0):
        days.setdefault(date(year, 5, 5), "Bevrijdingsdag")
    elif liberation_day not in {"yearly", "lustrum"}:
        raise ValueError("liberation_day is 'yearly' or 'lustrum'")
    return days


def is_workday(day: date, liberation_day: str = "yearly") -> bool:
    return day.weekday() < 5 and day not in holidays(day.year, liberation_day)


def add_workdays(day: date, count: int, liberation_day: str = "yearly") -> date:
    """The ``count``-th working day *after* ``day`` (``day`` itself never counts)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current, liberation_day):
            remaining -= 1
    return current


END_OF_WORKDAY = time(17, 0)


def promised_by(now: datetime, workdays: int = 2) -> datetime:
    """Deadline for the counsellor's first contact: 17:00 Amsterdam time on the N-th working day
    after the day the lead came in. The day itself never counts, whatever the hour, so a lead from
    Friday evening and one from Friday morning get the same, easy-to-say deadline."""
    local_day = now.astimezone(AMSTERDAM).date()
    deadline_day = add_workdays(local_day, workdays)
    return datetime.combine(deadline_day, END_OF_WORKDAY, tzinfo=AMSTERDAM)


DAY_NAMES = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTH_NAMES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december"]


def dutch_date(value) -> str:
    """'dinsdag 1 december' — how people say a date; no year needed within a few days."""
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    return f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]}"


def dutch_date_long(value) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    return f"{dutch_date(value)} {value.year}"
