"""Lead store tables. Alembic migrations in ``bot/migrations/versions`` must match these."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()

# No 0/O or 1/I/L: a person reads the reference aloud to a counsellor on the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "GP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Lead(Base):
    __tablename__ = "leads"

    id = Column(String(16), primary_key=True, default=new_reference)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    status = Column(String(32), nullable=False, default="new")
    first_name = Column(String(100))
    age = Column(Integer)
    postcode = Column(String(8))
    region_code = Column(String(8))
    region_name = Column(String(100))
    counsellor_name = Column(String(200))
    interests = Column(JSON, nullable=False, default=list)
    contact = Column(JSON, nullable=False, default=dict)
    consent_at = Column(DateTime(timezone=True))
    channel = Column(String(32))
    conversation_id = Column(String(255), index=True)
    summary = Column(Text)
