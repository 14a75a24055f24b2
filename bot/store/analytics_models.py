"""Tables of the funnel (``bot.analytics``): pseudonymous, aggregated, and nothing anyone typed
except the redacted unanswered questions.

- ``analytics_salts``: one random salt per ISO week. A conversation is known here only as
  SHA-256(salt + sender id); when the week is over the salt is deleted and the link is gone.
- ``analytics_conversations``: one row per conversation of the current week, keyed by that hash:
  channel, region, age band and the steps reached, nothing else. Folded into counts and deleted
  when the week's salt is deleted.
- ``analytics_counts``: the counts per ISO week, region, channel, age band and metric.
- ``analytics_initiative_counts``: the same counts per ISO week and initiative (a pack's code, issue 28).
- ``analytics_cursors``: how far the consumer has read (broker rows, lead events).
- ``analytics_unanswered``: questions the bot could not answer, redacted before they were stored,
  grouped by similarity; deleted 90 days after the group's first question.
"""
from __future__ import annotations

import hashlib
from typing import Iterable

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Session

from bot.store.models import Base, utcnow

UNKNOWN = "-"  # region, channel or age band not (yet) known: part of the key, so never NULL


class AnalyticsSalt(Base):
    __tablename__ = "analytics_salts"

    week = Column(String(8), primary_key=True)  # "2026-W49"
    salt = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AnalyticsConversation(Base):
    __tablename__ = "analytics_conversations"

    key = Column(String(64), primary_key=True)  # sha256(salt of the week + sender id), never the sender id
    week = Column(String(8), nullable=False, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(16), nullable=False, default=UNKNOWN)
    region_code = Column(String(8), nullable=False, default=UNKNOWN)
    age_band = Column(String(8), nullable=False, default=UNKNOWN)
    steps = Column(JSON, nullable=False, default=list)  # step names from bot.analytics.funnel.STEPS
    last_question = Column(String(32))  # the last intake question reached (drop-off)
    in_form = Column(Boolean, nullable=False, default=False)  # inside the intake: free text is no question
    fallback = Column(Boolean, nullable=False, default=False)
    initiative = Column(String(40))  # the pack's code of the initiative it came in through (issue 28)


class AnalyticsCount(Base):
    __tablename__ = "analytics_counts"

    week = Column(String(8), primary_key=True)
    region_code = Column(String(8), primary_key=True)
    channel = Column(String(16), primary_key=True)
    age_band = Column(String(8), primary_key=True)
    metric = Column(String(40), primary_key=True)
    count = Column(Integer, nullable=False, default=0)


class AnalyticsInitiativeCount(Base):
    """The counts per ISO week and initiative (issue 28): the same metrics as ``analytics_counts``, for
    the conversations and leads that came in through an initiative's own entry."""
    __tablename__ = "analytics_initiative_counts"

    week = Column(String(8), primary_key=True)
    initiative = Column(String(40), primary_key=True)
    metric = Column(String(40), primary_key=True)
    count = Column(Integer, nullable=False, default=0)


class AnalyticsCursor(Base):
    __tablename__ = "analytics_cursors"

    source = Column(String(32), primary_key=True)  # "sql-broker", "lead-events"
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class UnansweredQuestion(Base):
    __tablename__ = "analytics_unanswered"

    id = Column(Integer, primary_key=True, autoincrement=True)
    text = Column(Text, nullable=False)  # the group's first question, redacted (bot.analytics.redact)
    signature = Column(String(255), nullable=False, index=True)  # its normalised words, for grouping
    count = Column(Integer, nullable=False, default=1)
    first_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def conversation_key(salt: str, sender_id: str) -> str:
    """The only way a conversation is known to the funnel: SHA-256 of the week's salt and the sender id."""
    return hashlib.sha256(f"{salt}:{sender_id}".encode()).hexdigest()


def forget_conversations(session: Session, sender_ids: Iterable[str]) -> int:
    """An erasure request also drops the pseudonymous funnel row of these conversations (while the
    week's salt still exists; afterwards nothing links the counts to anyone)."""
    salts = session.execute(select(AnalyticsSalt.salt)).scalars().all()
    keys = [conversation_key(salt, sender) for salt in salts for sender in sender_ids if sender]
    if not keys:
        return 0
    return session.execute(delete(AnalyticsConversation).where(AnalyticsConversation.key.in_(keys))).rowcount or 0
