"""Dutch holidays, working days and quiet hours: the dates we promise people must be right."""
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.handoff.clock import AMSTERDAM
from bot.handoff.followup import in_quiet_hours, next_allowed
from bot.handoff.workdays import add_workdays, easter_sunday, holidays, is_workday, kings_day, promised_by


@pytest.mark.parametrize("year, easter", [
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2027, date(2027, 3, 28)), (2028, date(2028, 4, 16)), (2038, date(2038, 4, 25)),
])
def test_easter(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize("year, day", [
    (2024, date(2024, 4, 27)),
    (2025, date(2025, 4, 26)),   # 27 April 2025 is a Sunday → Saturday 26 April
    (2026, date(2026, 4, 27)),
    (2027, date(2027, 4, 27)),
    (2031, date(2031, 4, 26)),   # Sunday again
    (2013, date(2013, 4, 30)),   # still Koninginnedag
])
def test_kings_day(year, day):
    assert kings_day(year) == day


def test_holiday_table_2026():
    assert sorted(holidays(2026)) == [
        date(2026, 1, 1), date(2026, 4, 5), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 5),
        date(2026, 5, 14), date(2026, 5, 24), date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26)]


def test_holiday_table_2027_easter_based():
    h = holidays(2027)
    assert h[date(2027, 3, 29)] == "Tweede Paasdag"
    assert h[date(2027, 5, 6)] == "Hemelvaartsdag"
    assert h[date(2027, 5, 17)] == "Tweede Pinksterdag"
    assert date(2027, 3, 26) not in h  # Goede Vrijdag is not a holiday under the Termijnenwet


def test_liberation_day_yearly_by_default_lustrum_optional():
    assert date(2026, 5, 5) in holidays(2026)
    assert date(2026, 5, 5) not in holidays(2026, "lustrum")
    assert date(2030, 5, 5) in holidays(2030, "lustrum")


@pytest.mark.parametrize("start, n, expected", [
    (date(2026, 11, 27), 2, date(2026, 12, 1)),   # Friday → Tuesday
    (date(2026, 12, 24), 2, date(2026, 12, 29)),  # Christmas: Thu → skip Fri 25, Sat, Sun → Mon 28, Tue 29
    (date(2026, 4, 2), 2, date(2026, 4, 7)),      # Thu before Easter: Fri 3 counts, Mon 6 Tweede Paasdag → Tue 7
    (date(2026, 5, 13), 1, date(2026, 5, 15)),    # Hemelvaartsdag Thu 14 May skipped
    (date(2026, 4, 24), 2, date(2026, 4, 29)),    # Fri → Mon 27 April is Koningsdag → Tue 28, Wed 29
])
def test_add_workdays(start, n, expected):
    assert add_workdays(start, n) == expected


def test_kings_day_on_saturday_does_not_shift_working_days():
    # 2025: Koningsdag Sat 26 April; Mon 28 April is a normal working day
    assert is_workday(date(2025, 4, 28))
    assert add_workdays(date(2025, 4, 25), 1) == date(2025, 4, 28)


def test_promised_by_is_17h_amsterdam_and_ignores_the_hour_of_the_request():
    morning = datetime(2026, 11, 27, 7, 0, tzinfo=timezone.utc)
    late = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)  # 23:30 local, still Friday
    for moment in (morning, late):
        deadline = promised_by(moment, 2)
        assert deadline.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2026, 12, 1, 17, 0)
    # 23:30 UTC on Friday is already Saturday in Amsterdam → Saturday does not count either
    assert promised_by(datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc), 2).date() == date(2026, 12, 1)


@pytest.mark.parametrize("local, quiet", [
    ((20, 59), False), ((21, 0), True), ((23, 30), True), ((3, 0), True), ((7, 59), True), ((8, 0), False),
])
def test_quiet_hours_use_amsterdam_time(local, quiet):
    for day in (date(2026, 1, 15), date(2026, 7, 15)):  # winter (UTC+1) and summer (UTC+2)
        moment = datetime(day.year, day.month, day.day, *local, tzinfo=AMSTERDAM)
        assert in_quiet_hours(moment.astimezone(timezone.utc)) is quiet


def test_next_allowed_moves_to_8_local_across_dst_change():
    # night of 28→29 March 2027: clocks go forward; 22:00 local Sunday → 08:00 Monday local
    moment = datetime(2027, 3, 28, 22, 0, tzinfo=AMSTERDAM).astimezone(timezone.utc)
    assert next_allowed(moment).astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2027, 3, 29, 8, 0)
    early = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM).astimezone(timezone.utc)  # DST ends that night
    assert next_allowed(early).astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2026, 10, 25, 8, 0)


from hypothesis import given, settings as hsettings, strategies as st


@hsettings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(timezone.utc)),
       st.integers(min_value=1, max_value=5))
def test_promised_by_is_always_a_working_day_at_17h_after_now(now, n):
    deadline = promised_by(now, n)
    local_deadline = deadline.astimezone(AMSTERDAM)
    assert is_workday(local_deadline.date())
    assert (local_deadline.hour, local_deadline.minute) == (17, 0)
    assert deadline > now
    # exactly n working days strictly between the request day and the deadline day (inclusive)
    start = now.astimezone(AMSTERDAM).date()
    counted = sum(is_workday(start + timedelta(days=i)) for i in range(1, (local_deadline.date() - start).days + 1))
    assert counted == n
