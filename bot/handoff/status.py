"""Lead status changes made by the hand-off, each with an audit event.

Status codes on ``leads.status`` used here:
``new`` (intake) → ``handed_off`` (first delivery to the counsellor succeeded) →
``contacted`` | ``appointment_planned`` | ``unreachable`` (counsellor, via a one-click link, or the
person answering a nudge). Follow-ups read the status at the moment they are due, so they follow it
without being rescheduled.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from bot.db import new_session
from bot.handoff.models import StatusEvent
from bot.models import Lead

OPEN_STATUSES = frozenset({"new", "handed_off"})
RESOLVED_STATUSES = frozenset({"contacted", "appointment_planned", "closed"})


def set_status(session: Session, lead: Lead, new_status: str, source: str, now: datetime) -> bool:
    """Set ``lead.status`` and record the change; returns False when nothing changed."""
    old = lead.status
    if old == new_status:
        return False
    lead.status = new_status
    session.add(StatusEvent(lead_id=lead.id, at=now, old_status=old, new_status=new_status, source=source))
    return True


def set_status_by_link(database_url: str, lead_id: str, status: str, now: datetime) -> bool:
    """Used by the one-click link handler; returns False when the lead does not exist (any more)."""
    with new_session(database_url) as session, session.begin():
        lead: Optional[Lead] = session.get(Lead, lead_id, with_for_update=session.bind.dialect.name == "postgresql")
        if lead is None:
            return False
        set_status(session, lead, status, "link", now)
        return True


def mark_handed_off(session: Session, lead_id: str, now: datetime) -> None:
    """After the first successful delivery; never overrides a status the counsellor already set."""
    lead = session.get(Lead, lead_id)
    if lead is not None and lead.status == "new":
        set_status(session, lead, "handed_off", "worker", now)
