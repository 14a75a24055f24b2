"""Pending guardian requests in the lead store: written when an under-16 asks, read by the
confirmation page, taken when the guardian says yes, and purged when nobody did in time.

The domain side (tokens, the mail, turning a request into a lead) is ``bot.handoff.guardian``.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.store.db import new_session
from bot.store.erasure import _count, delete_conversation
from bot.store.handoff_models import GuardianAsk, GuardianRequest
from bot.store.models import utcnow

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as lead references: readable aloud


def new_request_id() -> str:
    return "GV-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; we store UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def add_request(session: Session, conversation_id: str, guardian_email: str, nonce: str,
                payload: Dict[str, Any], now: datetime, expires_at: datetime) -> GuardianRequest:
    """Adds the request to the caller's transaction (its outbox mail goes into the same one).
    An earlier unconfirmed request of the same conversation is replaced: only the newest counts."""
    session.execute(delete(GuardianRequest).where(GuardianRequest.conversation_id == conversation_id))
    request = GuardianRequest(id=new_request_id(), conversation_id=conversation_id,
                              guardian_email=guardian_email, nonce_hash=nonce_hash(nonce), payload=payload,
                              created_at=now, expires_at=expires_at)
    session.add(request)
    session.flush()
    return request


ASK_MEMORY_DAYS = 8  # longer than any window the limits look back over (a day; the confirm days, max 7 by default)


def record_ask(session: Session, client_key: Optional[str], recipient_hash: str, now: datetime) -> None:
    """One guardian mail, in the caller's transaction (the one that queues the mail)."""
    session.add(GuardianAsk(created_at=now, client_key=client_key, recipient_hash=recipient_hash))


def asks_from_client_since(database_url: str, client_key: Optional[str], since: datetime) -> int:
    """Guardian mails asked for from this pseudonymous client since then."""
    if not client_key:
        return 0
    with new_session(database_url) as session:
        return session.execute(select(func.count()).select_from(GuardianAsk).where(
            GuardianAsk.client_key == client_key, GuardianAsk.created_at >= since)).scalar_one()


def mails_to_recipient_since(session: Session, recipient_hash: str, since: datetime) -> int:
    return session.execute(select(func.count()).select_from(GuardianAsk).where(
        GuardianAsk.recipient_hash == recipient_hash, GuardianAsk.created_at >= since)).scalar_one()


def get_request(database_url: str, request_id: str) -> Optional[GuardianRequest]:
    with new_session(database_url) as session:
        return session.get(GuardianRequest, request_id)


def pending_for(database_url: str, conversation_id: str, now: Optional[datetime] = None) -> Optional[GuardianRequest]:
    """The conversation's request that still waits for its guardian (expired ones do not count)."""
    now = now or utcnow()
    with new_session(database_url) as session:
        request = session.execute(select(GuardianRequest).where(
            GuardianRequest.conversation_id == conversation_id)).scalars().first()
    if request is None or aware(request.expires_at) <= now:
        return None
    return request


def take_request(session: Session, request_id: str, nonce: str) -> bool:
    """Deletes the request in the caller's transaction; True for exactly one caller (single use)."""
    result = session.execute(delete(GuardianRequest).where(
        GuardianRequest.id == request_id, GuardianRequest.nonce_hash == nonce_hash(nonce)))
    return result.rowcount == 1


def purge_expired_requests(database_url: str, tracker_store_url: Optional[str],
                           now: Optional[datetime] = None) -> int:
    """Nobody confirmed in time: the request, its mail in the outbox and the conversation go.

    Idempotent; counts only (``erasure_stats`` kind "guardian"). The conversation is deleted too,
    whatever the inactivity setting, because the young person was told "dan wissen we alles".
    """
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        expired: List[GuardianRequest] = session.execute(select(GuardianRequest).where(
            GuardianRequest.expires_at <= now)).scalars().all()
        conversations = [r.conversation_id for r in expired]
        for request in expired:
            session.delete(request)
        _count(session, "guardian", len(expired), now)
        session.execute(delete(GuardianAsk).where(GuardianAsk.created_at < now - timedelta(days=ASK_MEMORY_DAYS)))
    for conversation in conversations:
        delete_conversation(tracker_store_url, conversation)
    return len(conversations)


def refuse_request(database_url: str, tracker_store_url: Optional[str], request_id: str, nonce: str,
                   now: Optional[datetime] = None) -> bool:
    """The guardian said no: wiped as an expired request is (the request, its mail in the outbox and the
    conversation), at once. What remains is the count "guardian_no" in ``erasure_stats``. True for
    exactly one caller; a used or unknown link changes nothing."""
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        request = session.execute(select(GuardianRequest).where(
            GuardianRequest.id == request_id, GuardianRequest.nonce_hash == nonce_hash(nonce))).scalars().first()
        if request is None:
            return False
        conversation = request.conversation_id
        if not take_request(session, request_id, nonce):
            return False
        _count(session, "guardian_no", 1, now)
    delete_conversation(tracker_store_url, conversation)  # and its events in the broker, as on expiry
    return True
