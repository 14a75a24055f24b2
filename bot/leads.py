"""Writing and reading leads. Actions and the CLI go through here, never through SQL directly."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.db import new_session
from bot.models import Lead, utcnow

EXPORT_FIELDS = (
    "id", "created_at", "status", "region_code", "region_name", "counsellor_name", "age",
    "postcode", "interests", "contact", "consent_at", "channel", "conversation_id", "summary",
)


@dataclass
class NewLead:
    conversation_id: str
    channel: str
    first_name: Optional[str] = None
    age: Optional[int] = None
    postcode: Optional[str] = None
    consent: bool = False
    interests: List[str] = field(default_factory=list)
    contact: Dict[str, str] = field(default_factory=dict)
    region_code: Optional[str] = None
    region_name: Optional[str] = None
    counsellor_name: Optional[str] = None
    summary: Optional[str] = None


def create_lead(database_url: str, data: NewLead) -> Lead:
    if not data.consent:
        raise ValueError("a lead is only stored with the person's consent")
    lead = Lead(
        conversation_id=data.conversation_id,
        channel=data.channel,
        first_name=data.first_name,
        age=data.age,
        postcode=data.postcode,
        interests=list(data.interests),
        contact=dict(data.contact),
        region_code=data.region_code,
        region_name=data.region_name,
        counsellor_name=data.counsellor_name,
        consent_at=utcnow(),
        summary=data.summary,
    )
    with new_session(database_url) as session, session.begin():
        session.add(lead)
    return lead


def _iso(value: Any) -> Any:
    """ISO 8601 in UTC; SQLite hands datetimes back without their zone, so we add it."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def lead_to_dict(lead: Lead) -> Dict[str, Any]:
    return {name: _iso(getattr(lead, name)) for name in EXPORT_FIELDS}


def export_leads(database_url: str) -> List[Dict[str, Any]]:
    with new_session(database_url) as session:
        leads = session.execute(select(Lead).order_by(Lead.created_at, Lead.id)).scalars().all()
        return [lead_to_dict(lead) for lead in leads]
