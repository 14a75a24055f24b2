"""Proof that a person controls a contact before we erase (AVG art. 17) or show (art. 15) the leads
stored under it.

Anyone can type someone else's e-mail address, so a request from "any device" only reaches the leads
of that contact after a short code sent *to* that contact comes back. When nothing matches, the
request is stored all the same (with no code), so the bot's answer and a wrong code look exactly the
same whether or not we hold data for that address: the chat never tells a stranger who is in our files.

The code belongs to the contact, not to the conversation (issue 22 item 3). ``person_check_contacts``
keeps per contact (an HMAC of it, made by the caller; never the contact itself) the pending code's
hash, the wrong guesses and a lock; ``person_checks`` keeps per conversation which contact it asked
for, the purpose and the leads the code unlocks.

- One code per contact at a time: asking again (in any conversation, from any address) while a code
  is pending reuses it, so the contact gets at most one code message per ``CODE_VALID`` (15 minutes).
- Wrong codes count per contact over every conversation and address: after ``MAX_FAILURES`` (5) within
  ``FAILURE_WINDOW`` (24 h) the contact is locked for ``LOCK`` (24 h): no code is sent or accepted, and
  the caller tells the contact (``CheckResult.locked_now``). A conversation's own request also ends
  after ``MAX_ATTEMPTS`` (3) wrong codes.

Why this cannot be guessed: a code is ``CODE_DIGITS`` = 8 random digits, 10^8 possibilities. Whatever
the rate (85 guesses a minute was measured against the old 6-digit code, which without a per-contact
limit found a code within 10^6 / 85 min ≈ 8 days on average), the lock allows at most 5 wrong guesses per
contact per 24 h, over all conversations and addresses. The chance that an attacker ever hits one
given contact's code is then at most 5 / 10^8 = 5·10^-8 per day, ≤ 1.9·10^-5 in a year of trying every
day (each day also mailing that person a code and a lock notice). Spreading the 85 guesses a minute
over many contacts (122,400 a day) needs 24,480 different contacts with a stored request each day,
sends each of them a code and a lock notice, and still finds a code with probability ≤ 122,400 /
10^8 ≈ 1.2·10^-3 per day.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import new_session
from bot.store.models import Lead, PersonCheck, PersonCheckContact, utcnow

CODE_DIGITS = 8
CODE_VALID = timedelta(minutes=15)
MAX_ATTEMPTS = 3                      # wrong codes per conversation's request
MAX_FAILURES = 5                      # wrong codes per contact within FAILURE_WINDOW, everywhere
FAILURE_WINDOW = timedelta(hours=24)
LOCK = timedelta(hours=24)
PURPOSES = ("erase", "access")


@dataclass(frozen=True)
class MatchedLead:
    id: str
    channel: Optional[str]
    conversation_id: Optional[str]
    contact_method: Optional[str]
    channel_ref: Optional[str] = None  # the Telegram chat id of a lead made in Telegram


@dataclass(frozen=True)
class CheckStart:
    """``code``: the new code to send (None: nothing to send). ``reused``: a code sent earlier is
    still pending and counts for this request too. ``locked``: the contact is locked until then."""
    code: Optional[str] = None
    reused: bool = False
    locked_until: Optional[datetime] = None


@dataclass(frozen=True)
class CheckResult:
    """``status``: "ok" (``lead_ids`` unlocked), "wrong" (try again), "expired", "none" (no request)
    or "locked" (too many wrong codes for this contact). ``locked_now``: this very guess locked it,
    so the caller notifies the contact (once)."""
    status: str
    purpose: Optional[str] = None
    lead_ids: Sequence[str] = ()
    locked_now: bool = False
    locked_until: Optional[datetime] = None


def contact_hash(secret: str, value: str) -> str:
    """A keyed hash of a normalised contact: the same contact gives the same row, the row gives
    nobody the contact back."""
    return hmac.new(secret.encode(), f"person-check|{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def _hash(contact: str, code: str) -> str:
    return hashlib.sha256(f"{contact}:{code.strip()}".encode()).hexdigest()


def _as_utc(value: Optional[datetime]) -> Optional[datetime]:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def leads_for_contact(database_url: str, contact_value: str) -> List[MatchedLead]:
    """Every lead whose contact is this (normalised) value, whatever conversation or channel made it;
    a parent's address matches each child's lead (the key alone would miss those)."""
    with new_session(database_url) as session:
        rows = session.execute(select(Lead.id, Lead.channel, Lead.conversation_id, Lead.contact_method,
                                      Lead.channel_ref)
                               .where(func.lower(Lead.contact_value) == contact_value.strip().lower())
                               .order_by(Lead.created_at)).all()
    return [MatchedLead(*row) for row in rows]


def _guard(session, contact: str, now: datetime) -> PersonCheckContact:
    locking = session.bind.dialect.name == "postgresql"
    guard = session.get(PersonCheckContact, contact, with_for_update=locking)
    if guard is None:
        guard = PersonCheckContact(contact_hash=contact, failures=0, updated_at=now)
        session.add(guard)
        session.flush()
    return guard


def _locked(guard: PersonCheckContact, now: datetime) -> bool:
    return guard.locked_until is not None and _as_utc(guard.locked_until) > now


def start_check(database_url: str, conversation_id: str, purpose: str, lead_ids: Sequence[str],
                now: Optional[datetime] = None, contact: str = "") -> CheckStart:
    """Replaces this conversation's pending request with one for ``contact`` (a :func:`contact_hash`).
    Returns the code to send: a new one only when no code is pending for that contact, none when no
    lead matched (every code will then be refused) or the contact is locked."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    if not contact:
        raise ValueError("a check needs the contact's hash")
    now = now or utcnow()
    for attempt in range(2):
        try:
            with new_session(database_url) as session, session.begin():
                session.execute(delete(PersonCheck).where(PersonCheck.conversation_id == conversation_id))
                guard = _guard(session, contact, now)
                start = CheckStart()
                if _locked(guard, now):
                    start = CheckStart(locked_until=_as_utc(guard.locked_until))
                elif guard.code_expires_at is not None and _as_utc(guard.code_expires_at) > now:
                    start = CheckStart(reused=True)
                else:
                    code = new_code() if lead_ids else None
                    guard.code_hash = _hash(contact, code) if code else None
                    guard.code_sent_at, guard.code_expires_at = now, now + CODE_VALID
                    start = CheckStart(code=code)
                guard.updated_at = now
                expires = _as_utc(guard.code_expires_at) if not start.locked_until else _as_utc(guard.locked_until)
                session.add(PersonCheck(conversation_id=conversation_id, purpose=purpose, contact_hash=contact,
                                        lead_ids=list(lead_ids), created_at=now, expires_at=expires))
            return start
        except IntegrityError:  # two first requests for one contact at the same moment: once more
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


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
    """A right code unlocks the leads once (the request is deleted and the contact's code used up). A
    wrong one counts for the conversation (its request ends after MAX_ATTEMPTS) and for the contact
    (locked after MAX_FAILURES within FAILURE_WINDOW, wherever they were typed)."""
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        check = session.execute(select(PersonCheck).where(PersonCheck.conversation_id == conversation_id)
                                ).scalars().first()
        if check is None:
            return CheckResult("none")
        purpose = check.purpose
        guard = session.get(PersonCheckContact, check.contact_hash, with_for_update=session.bind.dialect.name
                            == "postgresql") if check.contact_hash else None
        if guard is not None and _locked(guard, now):
            session.delete(check)
            return CheckResult("locked", purpose, locked_until=_as_utc(guard.locked_until))
        if guard is None or _as_utc(check.expires_at) <= now or guard.code_expires_at is None \
                or _as_utc(guard.code_expires_at) <= now:
            session.delete(check)
            return CheckResult("expired", purpose)
        given = "".join(ch for ch in str(code or "") if ch.isdigit())
        if guard.code_hash and hmac.compare_digest(guard.code_hash, _hash(guard.contact_hash, given)):
            session.delete(check)
            guard.code_hash = guard.code_expires_at = None  # used up: not a second time, not elsewhere
            guard.failures, guard.failures_since, guard.updated_at = 0, None, now
            return CheckResult("ok", purpose, tuple(check.lead_ids or ()))
        if guard.failures_since is None or _as_utc(guard.failures_since) <= now - FAILURE_WINDOW:
            guard.failures, guard.failures_since = 0, now
        guard.failures += 1
        guard.updated_at = now
        check.attempts += 1
        if guard.failures >= MAX_FAILURES:
            guard.locked_until = now + LOCK
            guard.code_hash = guard.code_expires_at = None
            session.execute(delete(PersonCheck).where(PersonCheck.contact_hash == guard.contact_hash))
            return CheckResult("locked", purpose, tuple(check.lead_ids or ()), locked_now=True,
                               locked_until=now + LOCK)
        if check.attempts >= MAX_ATTEMPTS:
            session.delete(check)
            return CheckResult("expired", purpose)
        return CheckResult("wrong", purpose)


def forget_checks(database_url: str, conversation_id: str) -> int:
    with new_session(database_url) as session, session.begin():
        return session.execute(delete(PersonCheck).where(PersonCheck.conversation_id == conversation_id)).rowcount


def purge_checks(session, now: datetime) -> None:
    """Unused requests live minutes; a contact's row goes once no code is pending, no lock holds and
    its failures no longer count (in the caller's transaction; the purge runs it)."""
    session.execute(delete(PersonCheck).where(PersonCheck.expires_at < now))
    session.execute(delete(PersonCheckContact).where(
        (PersonCheckContact.code_expires_at.is_(None)) | (PersonCheckContact.code_expires_at < now),
        (PersonCheckContact.locked_until.is_(None)) | (PersonCheckContact.locked_until < now),
        (PersonCheckContact.failures_since.is_(None)) | (PersonCheckContact.failures_since < now - FAILURE_WINDOW)))
