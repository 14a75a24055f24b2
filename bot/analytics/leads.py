"""What happens after the hand-off, from the workspace's audit trail (``lead_events``).

Counted once per lead, in the ISO week of the hand-off (the lead's ``created_at``), its region,
channel and age band: first contact ("contacted", also when the first status is an appointment),
appointment, and outcome (started a training or found work). For the first contact also: within
the promised workdays or late, and the hours it took. An event is "the first" when no earlier event
of the same lead reached that step, so nothing about the lead has to be remembered here.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.funnel import channel_of, iso_week
from bot.analytics.initiatives import also_per_initiative
from bot.handoff.workdays import promised_by
from bot.store.analytics_models import UNKNOWN
from bot.store.models import Lead, LeadEvent
from bot.store.statuses import APPOINTMENT, CLOSED, IN_CONTACT, STARTED_OUTCOMES

CURSOR = "lead-events"
CONTACT = frozenset({IN_CONTACT, APPOINTMENT})
STARTED = STARTED_OUTCOMES


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _earlier(session: Session, event: LeadEvent, statuses) -> bool:
    return session.execute(select(LeadEvent.id).where(
        LeadEvent.lead_id == event.lead_id, LeadEvent.id < event.id,
        LeadEvent.to_status.in_(list(statuses))).limit(1)).first() is not None


def count_lead_events(session: Session, now: datetime, promise_workdays: int, add_count_to_cell: Callable,
                      cursor_of: Callable, limit: int = 1000) -> int:
    cursor = cursor_of(session, CURSOR)
    rows = session.execute(select(LeadEvent, Lead).join(Lead, Lead.id == LeadEvent.lead_id)
                           .where(LeadEvent.id > cursor.position).order_by(LeadEvent.id).limit(limit)).all()
    for event, lead in rows:
        created = _aware(lead.created_at)
        cell = (iso_week(created), lead.region_code or UNKNOWN, channel_of(lead.channel), lead.age_band or UNKNOWN)
        add_count = also_per_initiative(add_count_to_cell, lead)
        status = event.to_status
        if status in CONTACT and not _earlier(session, event, CONTACT):
            add_count(session, cell, "step:contacted", 1)
            at = _aware(event.at)
            in_time = at <= promised_by(created, promise_workdays)
            add_count(session, cell, "contact_in_time" if in_time else "contact_late", 1)
            add_count(session, cell, "contact_hours", max(0, round((at - created).total_seconds() / 3600)))
        if status == APPOINTMENT and not _earlier(session, event, {APPOINTMENT}):
            add_count(session, cell, "step:appointment", 1)
        if status == CLOSED and lead.outcome in STARTED and not _earlier(session, event, {CLOSED}):
            add_count(session, cell, "step:outcome", 1)
    if rows:
        cursor.position, cursor.updated_at = rows[-1][0].id, now
    return len(rows)
