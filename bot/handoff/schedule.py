"""When follow-ups fall due: quiet hours and the two rows every hand-off case starts with.

Split from ``followup`` so that ``outbox`` (which schedules) and ``followup`` (which sends, and
enqueues escalation mail through the outbox) do not import each other.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.handoff.clock import AMSTERDAM, as_utc
from bot.store.handoff_models import FollowUp, HandoffCase

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


def in_quiet_hours(moment: datetime) -> bool:
    local = moment.astimezone(AMSTERDAM).time()
    return local >= QUIET_START or local < QUIET_END


def next_allowed(moment: datetime) -> datetime:
    """``moment`` itself if outside quiet hours, else the next 08:00 Amsterdam time (in UTC)."""
    if not in_quiet_hours(moment):
        return as_utc(moment)
    local = moment.astimezone(AMSTERDAM)
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return as_utc(datetime.combine(day, QUIET_END, tzinfo=AMSTERDAM))


def schedule_for_case(session: Session, case: HandoffCase) -> None:
    due = as_utc(case.promised_by)
    session.add(FollowUp(lead_id=case.lead_id, kind="nudge", seq=1, due_at=next_allowed(due),
                         status="scheduled", attempts=0))
    session.add(FollowUp(lead_id=case.lead_id, kind="escalation", seq=1, due_at=due, status="scheduled",
                         attempts=0))
