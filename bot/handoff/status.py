"""Lead status changes made by the hand-off, each with an audit event.

Status codes on ``leads.status`` used here:
(the same codes as the intake's lead store, issue 4)
``new`` (intake) → ``delivered`` (first delivery to the counsellor succeeded) →
``in_contact`` | ``appointment`` | ``no_contact`` (counsellor, via a one-click link, or the
person answering a nudge). Follow-ups read the status at the moment they are due, so they follow it
without being rescheduled.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from bot.store.db import new_session
from bot.store.handoff_models import StatusEvent
import bot.store.models as bot_models
from bot.store.models import Lead

OPEN_STATUSES = frozenset({"new", "delivered"})
RESOLVED_STATUSES = frozenset({"in_contact", "appointment", "closed"})


def set_status(session: Session, lead: Lead, new_status: str, source: str, now: datetime) -> bool:
    """Set ``lead.status`` and record the change; returns False when nothing changed.

    The change goes into ``handoff_status_events`` and, when the lead store has one (the intake's
    ``LeadEvent``), into the lead's own audit trail too, so there is one complete history per lead.
    """
    old = lead.status
    if old == new_status:
        return False
    lead.status = new_status
    session.add(StatusEvent(lead_id=lead.id, at=now, old_status=old, new_status=new_status, source=source))
    lead_event = getattr(bot_models, "LeadEvent", None)
    if lead_event is not None:
        session.add(lead_event(lead_id=lead.id, at=now, from_status=old, to_status=new_status,
                               actor=f"handoff:{source}"))
    return True


def set_status_by_link(database_url: str, lead_id: str, status: str, now: datetime) -> bool:
    """Used by the one-click link handler; returns False when the lead does not exist (any more)."""
    with new_session(database_url) as session, session.begin():
        lead: Optional[Lead] = session.get(Lead, lead_id, with_for_update=session.bind.dialect.name == "postgresql")
        if lead is None:
            return False
        set_status(session, lead, status, "link", now)
        return True


def mark_delivered(session: Session, lead_id: str, now: datetime) -> None:
    """After the first successful delivery; never overrides a status the counsellor already set."""
    lead = session.get(Lead, lead_id)
    if lead is not None and lead.status == "new":
        set_status(session, lead, "delivered", "worker", now)
