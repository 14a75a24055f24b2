"""Lead store tables. Alembic migrations in ``bot/store/migrations/versions`` must match these.

Privacy by design:
- no birth date and no exact age: ``age_band`` only;
- postcode as PC4 (4 digits) only, or just the gemeente;
- everything that identifies a person lives in ``leads`` and ``consent_records`` and is erased
  together (``bot.store.erasure``); ``erasure_stats`` keeps only anonymous counts per month.

"One conversation, one referral" is enforced by the database, not by a check-then-insert in Python:
``leads.conversation_id`` is UNIQUE, so two concurrent submits cannot both succeed (see
``bot.store.leads.insert_lead``). The same contact details from another conversation make a new lead
(issue 22 item 2: telling that person "this contact already has a request, with Sanne" told anyone who
typed someone else's e-mail address who that person talks to); ``leads.contact_key`` is indexed so the
hand-off can tell the counsellors about the earlier request.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# No 0/O or 1/I/L: a person reads the reference aloud to a counsellor on the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "GP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Region(Base):
    """The 35 CBS arbeidsmarktregio's, as loaded from content/regions (for joins and reports)."""
    __tablename__ = "regions"

    code = Column(String(8), primary_key=True)
    name = Column(String(100), nullable=False)


class CounsellorRecord(Base):
    """A counsellor as loaded from content/counsellors.yml; leads point here so a lead keeps its
    counsellor even after the content team removes that person from the file."""
    __tablename__ = "counsellors"

    id = Column(String(64), primary_key=True)
    region_code = Column(String(8), ForeignKey("regions.code"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    organisation = Column(String(200), nullable=False)
    office_place = Column(String(100))
    lat = Column(Float, nullable=False)
    lon = Column(Float, nullable=False)
    email = Column(String(254))
    telegram_chat_id = Column(String(64))
    webhook_url = Column(String(500))
    active = Column(Boolean, nullable=False, default=True)
    capacity = Column(Integer, nullable=False, default=10)
    example = Column(Boolean, nullable=False, default=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ConsentRecord(Base):
    """Proof of consent: who agreed (the person, or a parent/guardian for under-16s), to which text
    version, to share which fields with which counsellor, and when."""
    __tablename__ = "consent_records"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    conversation_id = Column(String(255), nullable=False, index=True)
    basis = Column(String(32), nullable=False)  # "self" (16+) or "guardian" (under 16)
    consent_text_version = Column(String(32), nullable=False)
    consent_text = Column(Text, nullable=False)  # exactly what was shown before "Ja, versturen"
    shared_fields = Column(JSON, nullable=False, default=list)
    counsellor_id = Column(String(64), nullable=False)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("conversation_id", name="uq_leads_conversation_id"),
        Index("ix_leads_contact_key", "contact_key"),
        Index("ix_leads_client_key_created_at", "client_key", "created_at"),
    )

    id = Column(String(16), primary_key=True, default=new_reference)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    status = Column(String(32), nullable=False, default="new")  # one of bot.store.statuses.STATUSES
    first_name = Column(String(100))
    age_band = Column(String(8))
    situation = Column(String(32))
    postcode = Column(String(8))  # PC4 only, never the full postcode
    gemeente_code = Column(String(8))
    gemeente_name = Column(String(100))
    region_code = Column(String(8))
    region_name = Column(String(100))
    counsellor_id = Column(String(64), ForeignKey("counsellors.id"), index=True)
    counsellor_name = Column(String(200))
    organisation = Column(String(200))
    routing_rule = Column(String(32))
    routing_reason = Column(Text)
    routing_distance_km = Column(Float)
    interests = Column(JSON, nullable=False, default=list)  # button codes, see bot.intake.validation.INTERESTS
    interests_text = Column(Text)  # in the person's own words
    contact_method = Column(String(16))  # phone | whatsapp | email | telegram
    contact_value = Column(String(255))  # E.164 phone, e-mail address or @telegram
    contact_time = Column(String(32))
    contact_key = Column(String(64))  # sha256 of the normalised contact: finds earlier requests by the same contact
    consent_at = Column(DateTime(timezone=True))
    consent_basis = Column(String(32))
    consent_record_id = Column(Integer, ForeignKey("consent_records.id"))
    channel = Column(String(32))
    conversation_id = Column(String(255))
    summary = Column(Text)
    # Pseudonymous origin (salted hash of the client address / Telegram chat): leads per address per day.
    client_key = Column(String(64))
    # The Telegram chat id for follow-ups (the sender id is derived from it one-way).
    channel_ref = Column(String(64))
    # how the counsellor closed the lead (bot.store.statuses.OUTCOMES), for the funnel per region
    outcome = Column(String(32))
    # the conversation's context as codes the preview showed (bot.handoff.context.context_codes), never words
    context = Column(JSON)
    # The initiative the conversation came in through (issue 28): a pack's code, nothing personal.
    initiative = Column(String(40))

    consent_record = relationship(ConsentRecord)
    events = relationship("LeadEvent", cascade="all, delete-orphan", passive_deletes=True,
                          order_by="LeadEvent.id")


class LeadEvent(Base):
    """The one audit trail of a lead: every status change, by whom (bot, hand-off link/worker/person,
    counsellor in the workspace), plus notes, appointments, hand-overs and the person's answers.
    Written only by ``bot.store.leads.set_status`` / ``record_event`` and the lead's creation."""
    __tablename__ = "lead_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    lead_id = Column(String(16), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    from_status = Column(String(32))
    to_status = Column(String(32), nullable=False)
    actor = Column(String(64), nullable=False)
    note = Column(Text)
    # "status" for a status change; "note", "appointment", "handover", "reply", "alert" for what the
    # workspace and the follow-up add without (only) changing the status; details holds the fields.
    kind = Column(String(16), nullable=False, default="status", server_default="status")
    details = Column(JSON)


class ErasureStat(Base):
    """Anonymous counts only: how many people had their data erased (or purged) per month."""
    __tablename__ = "erasure_stats"

    month = Column(String(7), primary_key=True)  # "2026-11"
    kind = Column(String(16), primary_key=True)  # "request" (delete_data) | "retention"
    count = Column(Integer, nullable=False, default=0)


class TrackerErasure(Base):
    """Conversations whose Rasa tracker events still have to be deleted (see bot.store.erasure: Rasa
    writes the last turn after our action returns, so we delete again shortly afterwards).

    ``kind`` "erasure": the person asked (delete until ``sweep_until``). ``kind`` "ended": the
    conversation ended without a lead (stop, no consent, under-16 info route); see
    bot.store.retention, which deletes it once ``sweep_until`` (the end plus a short settle time) has
    passed, unless the person came back or became a lead meanwhile."""
    __tablename__ = "tracker_erasures"

    sender_id = Column(String(255), primary_key=True)
    requested_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sweep_until = Column(DateTime(timezone=True), nullable=False)
    kind = Column(String(16), nullable=False, default="erasure", server_default="erasure")


class PersonCheck(Base):
    """A pending "prove this contact is yours" for erasure or access (``bot.store.person_checks``).

    Holds the hash of the code sent to the contact and the leads it unlocks, never the contact
    itself; expires after minutes and is deleted when used."""
    __tablename__ = "person_checks"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    purpose = Column(String(16), nullable=False)  # "erase" | "access"
    code_hash = Column(String(64))  # unused since 0150: the code belongs to the contact (PersonCheckContact)
    lead_ids = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    # keyed hash of the contact the code went to (PersonCheckContact.contact_hash), never the contact
    contact_hash = Column(String(64), index=True)


class PersonCheckContact(Base):
    """The code and the wrong guesses of one contact, over every conversation and client address that
    asks for it (issue 22 item 3): one pending code per contact (reused, so at most one code message
    per ``CODE_VALID``), failures counted per contact, and a lock after too many. Keyed by an HMAC of
    the contact, never the contact itself; deleted by the purge once nothing is pending or locked."""
    __tablename__ = "person_check_contacts"

    contact_hash = Column(String(64), primary_key=True)
    code_hash = Column(String(64))  # NULL: no code pending (or nothing matched: every code is refused)
    code_sent_at = Column(DateTime(timezone=True))
    code_expires_at = Column(DateTime(timezone=True))
    failures = Column(Integer, nullable=False, default=0)
    failures_since = Column(DateTime(timezone=True))
    locked_until = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
