"""Proof that a person controls a contact before we erase (AVG art. 17) or show (art. 15) the leads
stored under it.

Anyone can type someone else's e-mail address, so a request from "any device" only reaches the leads
of that contact after a short code sent *to* that contact comes back. The row keeps the code's hash
and the leads it unlocks, never the contact itself. When nothing matches, a row is still written
(with no code), so the bot's answer and a wrong code look exactly the same whether or not we hold
data for that address: the chat never tells a stranger who is in our files.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Sequence

from sqlalchemy import delete, func, select

from bot.store.db import new_session
from bot.store.models import Lead, PersonCheck, utcnow

CODE_VALID = timedelta(minutes=15)
MAX_ATTEMPTS = 5
PURPOSES = ("erase", "access")


@dataclass(frozen=True)
class MatchedLead:
    id: str
    channel: Optional[str]
    conversation_id: Optional[str]
    contact_method: Optional[str]
    channel_ref: Optional[str] = None  # the Telegram chat id of a lead made in Telegram


@dataclass(frozen=True)
class CheckResult:
    """``status``: "ok" (``lead_ids`` unlocked), "wrong" (try again), "expired" or "none" (no request)."""
    status: str
    purpose: Optional[str] = None
    lead_ids: Sequence[str] = ()


def _hash(conversation_id: str, code: str) -> str:
    return hashlib.sha256(f"{conversation_id}:{code.strip()}".encode()).hexdigest()


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def leads_for_contact(database_url: str, contact_value: str) -> List[MatchedLead]:
    """Every lead whose contact is this (normalised) value, whatever conversation or channel made it;
    a parent's address matches each child's lead (the key alone would miss those)."""
    with new_session(database_url) as session:
        rows = session.execute(select(Lead.id, Lead.channel, Lead.conversation_id, Lead.contact_method,
                                      Lead.channel_ref)
                               .where(func.lower(Lead.contact_value) == contact_value.strip().lower())
                               .order_by(Lead.created_at)).all()
    return [MatchedLead(*row) for row in rows]


def start_check(database_url: str, conversation_id: str, purpose: str, lead_ids: Sequence[str],
                now: Optional[datetime] = None) -> Optional[str]:
    """Replaces this conversation's pending check; returns the 6-digit code to send, or None when no
    lead matched (then there is nothing to send, and every code will be refused)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    now = now or utcnow()
    code = f"{secrets.randbelow(10 ** 6):06d}" if lead_ids else None
    with new_session(database_url) as session, session.begin():
        session.execute(delete(PersonCheck).where(PersonCheck.conversation_id == conversation_id))
        session.add(PersonCheck(conversation_id=conversation_id, purpose=purpose,
                                code_hash=_hash(conversation_id, code) if code else None,
                                lead_ids=list(lead_ids), created_at=now, expires_at=now + CODE_VALID))
    return code


def pending_purpose(database_url: str, conversation_id: str, now: Optional[datetime] = None) -> Optional[str]:
    now = now or utcnow()
    with new_session(database_url) as session:
        check = session.execute(select(PersonCheck).where(PersonCheck.conversation_id == conversation_id)
                                ).scalars().first()
    if check is None or _as_utc(check.expires_at) <= now:
        return None
    return check.purpose


def verify_code(database_url: str, conversation_id: str, code: str,
                now: Optional[datetime] = None) -> CheckResult:
    """A right code unlocks the leads once (the row is deleted); after MAX_ATTEMPTS wrong codes or
    CODE_VALID the request is gone and the person asks for a new code."""
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        check = session.execute(select(PersonCheck).where(PersonCheck.conversation_id == conversation_id)
                                ).scalars().first()
        if check is None:
            return CheckResult("none")
        if _as_utc(check.expires_at) <= now:
            session.delete(check)
            return CheckResult("expired", check.purpose)
        given = "".join(ch for ch in str(code or "") if ch.isdigit())
        if check.code_hash and hmac.compare_digest(check.code_hash, _hash(conversation_id, given)):
            session.delete(check)
            return CheckResult("ok", check.purpose, tuple(check.lead_ids or ()))
        check.attempts += 1
        if check.attempts >= MAX_ATTEMPTS:
            session.delete(check)
            return CheckResult("expired", check.purpose)
        return CheckResult("wrong", check.purpose)


def forget_checks(database_url: str, conversation_id: str) -> int:
    with new_session(database_url) as session, session.begin():
        return session.execute(delete(PersonCheck).where(PersonCheck.conversation_id == conversation_id)).rowcount
