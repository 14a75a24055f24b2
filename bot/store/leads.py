"""Writing and reading leads. Actions and the CLI go through here, never through SQL directly.

A new lead enters through :func:`bot.intake.referral.create_lead`, which picks the counsellor and
calls :func:`insert_lead` here. That runs in ONE transaction: consent record, lead, first audit event
and whatever the caller's ``on_created`` hook writes (the hand-off outbox rows) commit together or not
at all. "One conversation, one referral" is decided by the database's UNIQUE constraint on
``conversation_id``; when a second submit loses that race we return the lead that won instead of an
error, so the bot can say who already has the request. The same contact details from another
conversation make a new lead: the chat must answer a stranger who types someone else's contact
exactly as it answers anyone (issue 22 item 2), and the hand-off flags the earlier request to the
counsellors instead (:func:`same_contact_leads`).
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import new_session
from bot.store.models import ConsentRecord, CounsellorRecord, Lead, LeadEvent, Region, utcnow
from bot.store.statuses import NEW, STATUSES, TAKES_CAPACITY

EXPORT_FIELDS = (
    "id", "created_at", "status", "region_code", "region_name", "counsellor_name", "age",
    "postcode", "interests", "contact", "consent_at", "channel", "conversation_id", "summary",
)

# ``on_created(session, lead, counsellor)``; the counsellor is a bot.routing.counsellors.Counsellor.
OnCreated = Callable[[Session, Lead, Any], None]


@dataclass
class NewLead:
    """Everything a counsellor needs, already validated and normalised (see bot.intake.validation)."""
    conversation_id: str
    channel: str
    consent: bool = False
    consent_basis: str = "self"  # "self" (16+) or "guardian" (parent/guardian of an under-16)
    consent_text: str = ""
    consent_text_version: str = ""
    first_name: Optional[str] = None
    age_band: Optional[str] = None
    situation: Optional[str] = None
    interests: List[str] = field(default_factory=list)
    interests_text: Optional[str] = None
    postcode: Optional[str] = None  # PC4 only
    gemeente_code: Optional[str] = None
    gemeente_name: Optional[str] = None
    region_code: Optional[str] = None
    region_name: Optional[str] = None
    counsellor_id: Optional[str] = None
    routing_rule: Optional[str] = None
    routing_reason: Optional[str] = None
    routing_distance_km: Optional[float] = None
    contact_method: Optional[str] = None
    contact_value: Optional[str] = None
    contact_time: Optional[str] = None
    summary: Optional[str] = None
    client_key: Optional[str] = None     # see Lead.client_key
    channel_ref: Optional[str] = None    # see Lead.channel_ref
    context: Optional[Dict[str, Any]] = None  # see Lead.context (codes, issue 24)
    initiative: Optional[str] = None  # see Lead.initiative (a pack's code, issue 28)


@dataclass
class LeadResult:
    """``created`` is False when this conversation already had a referral; ``lead`` is then that one
    and ``duplicate_of`` is "conversation"."""
    lead: Lead
    created: bool
    duplicate_of: Optional[str] = None

    @property
    def id(self) -> str:
        return self.lead.id


def contact_key(method: Optional[str], value: Optional[str], consent_basis: str = "self",
                first_name: Optional[str] = None) -> Optional[str]:
    """Stable key for "same contact details", whatever channel they were given for (finds earlier
    requests of the same person for the counsellors; not unique).

    A phone number is the same person whether they want a call or WhatsApp. For a parent or guardian
    (under-16 route) the child's name is part of the key: one parent may have two children.
    Hashing gives a fixed-length indexable column; it is not a privacy measure (the value itself
    sits in the same row).
    """
    if not value:
        return None
    value = value.strip()
    if value.startswith("+"):
        norm = "tel:" + value
    elif "@" in value[1:]:
        norm = "mailto:" + value.lower()
    else:
        norm = "tg:" + value.lower()
    if consent_basis == "guardian":
        norm += "|kind:" + (first_name or "").strip().lower()
    return hashlib.sha256(norm.encode()).hexdigest()


_synced: Dict[str, str] = {}
_sync_lock = threading.Lock()


def sync_reference_data(database_url: str, stamp: str, regions: Iterable[Tuple[str, str]],
                        counsellors: Iterable[Any]) -> None:
    """Copies regions ``(code, name)`` and counsellors as loaded into the database (once per process
    per ``stamp``), so leads can reference them and reports can join on them."""
    with _sync_lock:
        if _synced.get(database_url) == stamp:
            return
        for attempt in range(3):
            try:
                with new_session(database_url) as session, session.begin():
                    for code, name in regions:
                        session.merge(Region(code=code, name=name))
                    session.flush()
                    for c in counsellors:
                        session.merge(CounsellorRecord(
                            id=c.id, region_code=c.region_code, name=c.name, organisation=c.organisation,
                            office_place=c.office_place, lat=c.lat, lon=c.lon, email=c.email,
                            telegram_chat_id=c.telegram_chat_id, webhook_url=c.webhook_url, active=c.active,
                            capacity=c.capacity, example=c.example, loaded_at=utcnow()))
                break
            except IntegrityError:  # another process inserted the same rows at the same moment
                if attempt == 2:
                    raise
        _synced[database_url] = stamp


def leads_from_client_since(database_url: str, client_key: Optional[str], since: datetime) -> int:
    """How many leads this pseudonymous client (bot.channels.identity.client_key) created since then."""
    if not client_key:
        return 0
    with new_session(database_url) as session:
        return session.execute(select(func.count()).select_from(Lead).where(
            Lead.client_key == client_key, Lead.created_at >= since)).scalar_one()


def open_lead_counts(database_url: str) -> Dict[str, int]:
    """counsellor id → leads still open; routing uses it for capacity."""
    with new_session(database_url) as session:
        rows = session.execute(
            select(Lead.counsellor_id, func.count()).where(Lead.status.in_(sorted(TAKES_CAPACITY)))
            .group_by(Lead.counsellor_id)).all()
    return {cid: n for cid, n in rows if cid}


def find_existing(session: Session, conversation_id: str) -> Optional[tuple]:
    lead = session.execute(select(Lead).where(Lead.conversation_id == conversation_id)).scalars().first()
    return None if lead is None else (lead, "conversation")


def same_contact_leads(session: Session, lead: Lead) -> List[Lead]:
    """Earlier leads with the same contact details (another conversation, device or channel), oldest
    first: the hand-off tells both counsellors, who decide who makes contact."""
    if not lead.contact_key:
        return []
    return session.execute(select(Lead).where(Lead.contact_key == lead.contact_key, Lead.id != lead.id)
                           .order_by(Lead.created_at)).scalars().all()


def existing_lead_for(database_url: str, conversation_id: str) -> Optional[Lead]:
    with new_session(database_url) as session:
        return session.execute(select(Lead).where(Lead.conversation_id == conversation_id)).scalars().first()


def insert_lead(database_url: str, data: NewLead, counsellor: Any,
                on_created: Optional[OnCreated] = None) -> LeadResult:
    """Stores one lead with its consent record and first audit event, in ONE transaction.

    ``on_created(session, lead, counsellor)`` runs inside that transaction, after the lead is flushed
    (so ``lead.id`` is known) and before commit: write outbox rows there with ``session.add``. If it
    raises, nothing is stored. It is not called when the person already has a referral.
    """
    if not data.consent:
        raise ValueError("a lead is only stored with the person's (or their guardian's) consent")
    key = contact_key(data.contact_method and data.contact_method, data.contact_value, data.consent_basis,
                      data.first_name)
    try:
        with new_session(database_url) as session, session.begin():
            existing = find_existing(session, data.conversation_id)
            if existing:
                return LeadResult(existing[0], created=False, duplicate_of=existing[1])
            now = utcnow()
            consent = ConsentRecord(
                created_at=now, conversation_id=data.conversation_id, basis=data.consent_basis,
                consent_text_version=data.consent_text_version or "onbekend", consent_text=data.consent_text,
                shared_fields=shared_fields(data), counsellor_id=counsellor.id)
            session.add(consent)
            session.flush()
            lead = Lead(
                created_at=now, status=NEW, conversation_id=data.conversation_id, channel=data.channel,
                first_name=data.first_name, age_band=data.age_band, situation=data.situation,
                interests=list(data.interests), interests_text=data.interests_text,
                postcode=(data.postcode or None) and data.postcode[:4], gemeente_code=data.gemeente_code,
                gemeente_name=data.gemeente_name, region_code=data.region_code, region_name=data.region_name,
                counsellor_id=counsellor.id, counsellor_name=counsellor.name,
                organisation=counsellor.organisation, routing_rule=data.routing_rule,
                routing_reason=data.routing_reason, routing_distance_km=data.routing_distance_km,
                contact_method=data.contact_method, contact_value=data.contact_value,
                contact_time=data.contact_time, contact_key=key, consent_at=now,
                consent_basis=data.consent_basis, consent_record_id=consent.id, summary=data.summary,
                client_key=data.client_key, channel_ref=data.channel_ref,
                context=dict(data.context) if data.context else None, initiative=data.initiative or None)
            session.add(lead)
            session.flush()
            session.add(LeadEvent(lead_id=lead.id, at=now, from_status=None, to_status=NEW, actor="bot",
                                  note=data.routing_reason))
            if on_created is not None:
                on_created(session, lead, counsellor)
        return LeadResult(lead, created=True)
    except IntegrityError:
        # Lost the race against a concurrent submit of the same person: report the winner.
        with new_session(database_url) as session:
            existing = find_existing(session, data.conversation_id)
        if existing is None:
            raise
        return LeadResult(existing[0], created=False, duplicate_of=existing[1])


def shared_fields(data: NewLead) -> List[str]:
    """The fields the person agreed to share; stored with the consent record."""
    names = ["first_name", "age_band", "situation", "interests", "postcode" if data.postcode else "gemeente",
             "contact_method", "contact_value", "contact_time"]
    return [n for n in names if n in ("postcode", "gemeente") or getattr(data, n, None) not in (None, "", [])]


def set_status(session: Session, lead: Lead, status: str, actor: str, *, at: Optional[datetime] = None,
               note: Optional[str] = None, details: Optional[Dict[str, Any]] = None) -> bool:
    """The one way a lead's status changes: the new status and its audit event (``lead_events``)
    go into the caller's transaction together. Returns False when the status was already ``status``.

    ``actor`` says who: "bot", "handoff:worker", "handoff:link", "handoff:person", "counsellor-link"…
    """
    if status not in STATUSES:
        raise ValueError(f"unknown lead status {status!r}; use one of {', '.join(STATUSES)}")
    old = lead.status
    if old == status:
        return False
    session.add(LeadEvent(lead_id=lead.id, at=at or utcnow(), from_status=old, to_status=status,
                          actor=actor, note=note, kind="status", details=details))
    lead.status = status
    return True


def record_event(session: Session, lead: Lead, kind: str, actor: str, *, at: Optional[datetime] = None,
                 note: Optional[str] = None, details: Optional[Dict[str, Any]] = None) -> LeadEvent:
    """Something that happened to a lead without (only) a status change: a note, an appointment, a
    hand-over, the person's answer to a nudge. Same trail as :func:`set_status`; the status stays."""
    event = LeadEvent(lead_id=lead.id, at=at or utcnow(), from_status=lead.status, to_status=lead.status,
                      actor=actor, note=note, kind=kind, details=details)
    session.add(event)
    return event


def change_status(database_url: str, lead_id: str, status: str, actor: str, *, at: Optional[datetime] = None,
                  note: Optional[str] = None) -> Optional[Lead]:
    """:func:`set_status` in its own transaction, by lead id; None when the lead does not exist (any more)."""
    with new_session(database_url) as session, session.begin():
        lead = session.get(Lead, lead_id, with_for_update=session.bind.dialect.name == "postgresql")
        if lead is None:
            return None
        set_status(session, lead, status, actor, at=at, note=note)
    return lead


def _iso(value: Any) -> Any:
    """ISO 8601 in UTC; SQLite hands datetimes back without their zone, so we add it."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def lead_to_dict(lead: Lead) -> Dict[str, Any]:
    """The export row: EXPORT_FIELDS first (the foundation's contract), then the intake details."""
    row = {
        "id": lead.id, "created_at": _iso(lead.created_at), "status": lead.status,
        "region_code": lead.region_code, "region_name": lead.region_name,
        "counsellor_name": lead.counsellor_name, "age": lead.age_band, "postcode": lead.postcode,
        "interests": {"choices": list(lead.interests or []), "text": lead.interests_text},
        "contact": {"method": lead.contact_method, "value": lead.contact_value, "preferred_time": lead.contact_time},
        "consent_at": _iso(lead.consent_at), "channel": lead.channel,
        "conversation_id": lead.conversation_id, "summary": lead.summary,
    }
    row.update({
        "first_name": lead.first_name, "situation": lead.situation, "gemeente_code": lead.gemeente_code,
        "gemeente_name": lead.gemeente_name, "counsellor_id": lead.counsellor_id,
        "organisation": lead.organisation, "routing_rule": lead.routing_rule,
        "routing_reason": lead.routing_reason, "routing_distance_km": lead.routing_distance_km,
        "consent_basis": lead.consent_basis, "consent_record_id": lead.consent_record_id,
        "consent_text_version": lead.consent_record.consent_text_version if lead.consent_record else None,
        "context": lead.context,
    })
    return row


def export_leads(database_url: str) -> List[Dict[str, Any]]:
    with new_session(database_url) as session:
        leads = session.execute(select(Lead).order_by(Lead.created_at, Lead.id)).scalars().all()
        return [lead_to_dict(lead) for lead in leads]
