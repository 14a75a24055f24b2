"""Status changes the hand-off makes: the counsellor's one-click link and the first delivery.

Both go through the store's one :func:`bot.store.leads.set_status`, so every change lands in the
lead's one audit trail (``lead_events``) with ``actor`` "handoff:link" or "handoff:worker".
Follow-ups read the status at the moment they are due, so they follow it without being rescheduled.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.store.leads import change_status, set_status
from bot.store.models import Lead
from bot.store.statuses import DELIVERED, NEW


def set_status_by_link(database_url: str, lead_id: str, status: str, now: datetime) -> bool:
    """Used by the one-click link handler; returns False when the lead does not exist (any more)."""
    return change_status(database_url, lead_id, status, "handoff:link", at=now) is not None


def mark_delivered(session: Session, lead_id: str, now: datetime) -> None:
    """After the first successful delivery; never overrides a status the counsellor already set."""
    lead = session.get(Lead, lead_id)
    if lead is not None and lead.status == NEW:
        set_status(session, lead, DELIVERED, "handoff:worker", at=now)
