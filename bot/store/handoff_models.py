"""Hand-off tables, on the lead store's ``Base`` so one Alembic history (branch 0100…) owns them.

Status changes are not kept here: they go into the lead's one audit trail, ``lead_events``
(``bot.store.leads.set_status``). Every table references ``leads.id`` with ``ON DELETE CASCADE``: erasing a lead (AVG art. 17) removes
its outbox messages (which hold rendered personal data until delivered), delivery attempts,
follow-ups and dead letters in the same statement, with nothing to forget.
"""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)

from bot.store.models import Base, utcnow

LEAD_FK = dict(ondelete="CASCADE")


class GuardianRequest(Base):
    """An under-16's request, waiting for a parent or guardian to say yes (bot.handoff.guardian).

    There is no lead yet, and no hand-off: ``payload`` holds exactly what becomes the lead when the
    guardian confirms (then this row is deleted in the lead's own transaction). Unconfirmed, it is
    deleted at ``expires_at`` by the purge, with its outbox mail (cascade) and the conversation.
    Only the hash of the link's secret part is kept, so a copy of the database holds no working link.
    """

    __tablename__ = "guardian_requests"

    id = Column(String(16), primary_key=True)
    conversation_id = Column(String(255), nullable=False, unique=True)
    guardian_email = Column(String(254), nullable=False)
    nonce_hash = Column(String(64), nullable=False)
    payload = Column(JSON, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class GuardianAsk(Base):
    """One mail to a parent or guardian, remembered for a week without its content (issue 22 item 4):
    how many requests a client address made today (they count toward the leads-per-address limit)
    and how many mails one recipient got (capped). Keyed hashes only, never an address."""

    __tablename__ = "guardian_asks"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    client_key = Column(String(64), index=True)
    recipient_hash = Column(String(64), nullable=False, index=True)


class OutboxMessage(Base):
    """One message to one receiver. Written in the lead's transaction; delivered by the worker.

    status: pending → sending (claimed, with a lease) → sent | dead. A crashed worker's claim simply
    expires (``lease_until``) and another worker takes the row again with the same idempotency key.
    """

    __tablename__ = "handoff_outbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    # empty for the workspace's sign-in mails (kind "signin"), the guardian's consent mail (kind
    # "guardian", which belongs to a guardian request until there is a lead) and the art. 19 notice
    # (sent after its lead was erased)
    lead_id = Column(String(16), ForeignKey("leads.id", **LEAD_FK), nullable=True, index=True)
    guardian_request_id = Column(String(16), ForeignKey("guardian_requests.id", ondelete="CASCADE"), index=True)
    kind = Column(String(16), nullable=False)        # handoff | escalation | alert | handover | signin | guardian | person_code | person_locked | erasure_notice | reference
    channel = Column(String(16), nullable=False)     # email | telegram | webhook
    recipient = Column(String(500), nullable=False)
    idempotency_key = Column(String(80), nullable=False, unique=True)
    payload = Column(JSON, nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    lease_until = Column(DateTime(timezone=True))
    claimed_by = Column(String(64))
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_handoff_outbox_due", "status", "next_attempt_at"),)


class DeliveryAttempt(Base):
    __tablename__ = "handoff_attempts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    outbox_id = Column(Integer, ForeignKey("handoff_outbox.id", ondelete="CASCADE"), nullable=False, index=True)
    attempt = Column(Integer, nullable=False)
    worker = Column(String(64))
    started_at = Column(DateTime(timezone=True), nullable=False)
    finished_at = Column(DateTime(timezone=True), nullable=False)
    ok = Column(Boolean, nullable=False)
    error = Column(Text)


class DeadLetter(Base):
    __tablename__ = "handoff_dead_letters"

    id = Column(Integer, primary_key=True, autoincrement=True)
    outbox_id = Column(Integer, ForeignKey("handoff_outbox.id", ondelete="CASCADE"), nullable=False, unique=True)
    lead_id = Column(String(16), ForeignKey("leads.id", **LEAD_FK), nullable=True, index=True)
    dead_at = Column(DateTime(timezone=True), nullable=False)
    reason = Column(Text)
    alert_outbox_id = Column(Integer)
    requeued_at = Column(DateTime(timezone=True))


class HandoffCase(Base):
    """Per lead: what we promised, to whom, and whether the person asked us to stop."""

    __tablename__ = "handoff_cases"

    lead_id = Column(String(16), ForeignKey("leads.id", **LEAD_FK), primary_key=True)
    counsellor = Column(JSON, nullable=False)       # snapshot: registry entries change, the promise doesn't
    promised_by = Column(DateTime(timezone=True), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    stopped_at = Column(DateTime(timezone=True))    # person said "stop": no more nudges, ever
    # the SBAR summary exactly as sent, so the workspace shows what the counsellor got (erased with the lead)
    summary = Column(JSON)
    escalated_at = Column(DateTime(timezone=True))


class FollowUp(Base):
    """A scheduled check-in (nudge 1, nudge 2) or the one-time escalation to the coordinator."""

    __tablename__ = "handoff_follow_ups"

    id = Column(Integer, primary_key=True, autoincrement=True)
    lead_id = Column(String(16), ForeignKey("leads.id", **LEAD_FK), nullable=False, index=True)
    kind = Column(String(16), nullable=False)       # nudge | escalation
    seq = Column(Integer, nullable=False, default=1)
    due_at = Column(DateTime(timezone=True), nullable=False)
    status = Column(String(24), nullable=False, default="scheduled")
    # scheduled | sending | sent | skipped | cancelled | not_reachable | failed
    attempts = Column(Integer, nullable=False, default=0)
    lease_until = Column(DateTime(timezone=True))
    channel = Column(String(16))
    outcome = Column(Text)
    done_at = Column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("lead_id", "kind", "seq", name="uq_handoff_follow_up"),
                      Index("ix_handoff_follow_ups_due", "status", "due_at"))
