"""The right to erasure (AVG art. 17) and the retention rule.

``erase_person`` removes everything we hold about one conversation: the lead, its contact data,
consent record and audit trail, and the conversation itself in the Rasa tracker store; given the
leads a person proved to be theirs (``bot.store.person_checks``), also those leads and every
conversation they came from, whatever device or channel that was. What remains
is an anonymous count per month (``erasure_stats``), so we can report how often it happens.

The tracker needs care: Rasa saves the events of the current turn *after* our action returns, and
its SQL tracker store re-inserts every event it thinks is missing. Deleting only inside the action
would therefore be undone. So we delete now, remember the sender in ``tracker_erasures`` and delete
again in a few sweeps shortly afterwards (a timer in the action server, and the purge in
bot.store.retention — run by the worker and by ``python -m bot leads purge`` — as a safety net after a
crash). The pending row itself is removed after the last sweep. Conversations that end without a lead
use the same table and the same sweep (``kind`` "ended", see bot.store.retention).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from sqlalchemy import create_engine, delete, event, inspect, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.ops.config import load_settings
from bot.store.analytics_models import forget_conversations
from bot.store.db import checkpoint, new_session
from bot.store.handoff_models import GuardianRequest
from bot.store.models import ConsentRecord, ErasureStat, Lead, LeadEvent, PersonCheck, TrackerErasure, utcnow

log = logging.getLogger(__name__)

TRACKER_SWEEP_DELAYS_S = (0.5, 2.0, 5.0, 10.0)
TRACKER_SWEEP_WINDOW = timedelta(seconds=10)
DEFAULT_RETENTION_MONTHS = 12
DEFAULT_INACTIVITY_HOURS = 24
DEFAULT_PURGE_INTERVAL_MINUTES = 10


def retention_months() -> int:
    """GP_LEAD_RETENTION_MONTHS (default 12): leads older than this are purged."""
    try:
        return load_settings().lead_retention_months
    except ValueError:
        return DEFAULT_RETENTION_MONTHS


def inactivity_hours() -> int:
    """GP_TRACKER_INACTIVITY_HOURS (default 24): a conversation without a lead that has been quiet
    this long is removed from the tracker store (bot.store.retention)."""
    try:
        return load_settings().tracker_inactivity_hours
    except ValueError:
        return DEFAULT_INACTIVITY_HOURS


def purge_interval_minutes() -> int:
    """GP_PURGE_INTERVAL_MINUTES (default 10): how often the worker runs the purge."""
    try:
        return load_settings().purge_interval_minutes
    except ValueError:
        return DEFAULT_PURGE_INTERVAL_MINUTES


@dataclass
class ErasureResult:
    leads: int
    consent_records: int
    tracker_events: int
    lead_ids: Sequence[str] = ()
    conversations: Sequence[str] = ()


def _count(session: Session, kind: str, n: int, now: datetime) -> None:
    if n <= 0:
        return
    month = now.strftime("%Y-%m")
    stat = session.get(ErasureStat, (month, kind), with_for_update=True)
    if stat is None:
        session.add(ErasureStat(month=month, kind=kind, count=n))
    else:
        stat.count += n


def _delete_leads(session: Session, lead_ids: Sequence[str], conversation_ids: Iterable[str]) -> int:
    conversation_ids = [c for c in set(conversation_ids) if c]
    consent_ids = [cid for (cid,) in session.execute(
        select(Lead.consent_record_id).where(Lead.id.in_(lead_ids))) if cid is not None]
    if lead_ids:
        session.execute(delete(LeadEvent).where(LeadEvent.lead_id.in_(lead_ids)))
        session.execute(delete(Lead).where(Lead.id.in_(lead_ids)))
    removed = 0
    if consent_ids:
        removed += session.execute(delete(ConsentRecord).where(ConsentRecord.id.in_(consent_ids))).rowcount
    if conversation_ids:
        removed += session.execute(
            delete(ConsentRecord).where(ConsentRecord.conversation_id.in_(conversation_ids))).rowcount
    return removed


def disclosed_in(session: Session, lead_ids: Sequence[str]) -> List[str]:
    """Conversations that showed these leads to the person (access, art. 15: the printout is in that
    conversation's tracker, see bot.handoff.person_rights); erased with the lead."""
    if not lead_ids:
        return []
    found = set()
    for details in session.execute(select(LeadEvent.details).where(
            LeadEvent.lead_id.in_(list(lead_ids)), LeadEvent.kind == "access")).scalars():
        if isinstance(details, dict) and details.get("conversation"):
            found.add(str(details["conversation"]))
    return sorted(found)


_tracker_engines: dict = {}


def _tracker_engine(url: str) -> Engine:
    if url not in _tracker_engines:
        kwargs = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}
        _tracker_engines[url] = create_engine(url, future=True, **kwargs)
        if url.startswith("sqlite"):
            @event.listens_for(_tracker_engines[url], "connect")
            def _secure(dbapi_conn, _record):  # pragma: no cover - trivial
                dbapi_conn.execute("PRAGMA secure_delete=ON")
    return _tracker_engines[url]


def tracker_events_engine(tracker_store_url: Optional[str]) -> Optional[Engine]:
    """The engine of Rasa's SQL tracker store, or None when there is none (yet): no URL, or Rasa has
    not created its ``events`` table."""
    if not tracker_store_url:
        return None
    engine = _tracker_engine(tracker_store_url)
    return engine if inspect(engine).has_table("events") else None


def delete_tracker_events(tracker_store_url: Optional[str], sender_id: str) -> int:
    """Deletes one conversation from Rasa's SQL tracker store (table ``events``)."""
    engine = tracker_events_engine(tracker_store_url)
    if engine is None:
        return 0
    with engine.begin() as conn:
        return conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender_id}).rowcount or 0


def broker_events_url() -> Optional[str]:
    """Rasa's SQL event broker (the funnel's input) when it is on and exists: its ``events`` table has
    the tracker store's shape (``sender_id``, ``data``), so an erasure deletes there the same way."""
    settings = load_settings()
    url = settings.events_url
    if settings.event_broker != "sql" or not url:
        return None
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return None
    return url


def delete_conversation(tracker_store_url: Optional[str], sender_id: str) -> int:
    """One conversation out of the tracker store and, when the SQL broker is on, its raw events the
    funnel has not read yet (issue 25: ``leads purge`` left those until the next analytics run; the
    purge commands count the funnel first, so nothing is lost from the counts). Returns the tracker
    events deleted."""
    removed = delete_tracker_events(tracker_store_url, sender_id)
    broker = broker_events_url()
    if broker:
        delete_tracker_events(broker, sender_id)
    return removed


def is_confirmed(entities: Iterable[dict]) -> bool:
    """Only the confirmation button (entity ``confirmed`` = "ja") erases; typed text never does,
    so a message the NLU misreads as delete_data can at most trigger the question."""
    return any(e.get("entity") == "confirmed" and str(e.get("value", "")).lower() == "ja" for e in entities)


def erase_person(database_url: str, sender_id: str, tracker_store_url: Optional[str] = None,
                 schedule_sweeps: bool = True, now: Optional[datetime] = None,
                 lead_ids: Sequence[str] = (), own_leads_since: Optional[datetime] = None) -> ErasureResult:
    """Erases conversation ``sender_id`` with any lead it created, plus the leads ``lead_ids`` (found
    by the person's proven contact, see bot.store.person_checks) and every conversation those came
    from: the lead store's rows (the hand-off tables follow by cascade) and the tracker store.
    With ``own_leads_since``, a lead of ``sender_id`` made before then stays unless it is in
    ``lead_ids`` (its conversation is erased all the same)."""
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        rows = session.execute(select(Lead.id, Lead.conversation_id, Lead.created_at).where(
            or_(Lead.conversation_id == sender_id, Lead.id.in_(list(lead_ids))))).all()
        if own_leads_since is not None:
            since = own_leads_since if own_leads_since.tzinfo else own_leads_since.replace(tzinfo=timezone.utc)
            rows = [r for r in rows if r[0] in lead_ids
                    or (r[2] if r[2].tzinfo else r[2].replace(tzinfo=timezone.utc)) >= since]
        found = [r[0] for r in rows]
        conversations = sorted({sender_id, *(r[1] for r in rows if r[1]), *disclosed_in(session, found)})
        consents = _delete_leads(session, found, conversations)
        session.execute(delete(PersonCheck).where(PersonCheck.conversation_id.in_(conversations)))
        # a request still waiting for a guardian, with its mail in the outbox (cascade)
        session.execute(delete(GuardianRequest).where(GuardianRequest.conversation_id.in_(conversations)))
        forget_conversations(session, conversations)  # the funnel's pseudonymous row (bot.analytics)
        _count(session, "request", 1, now)
        if tracker_store_url:
            for conversation in conversations:
                pending = session.get(TrackerErasure, conversation)
                if pending is None:
                    session.add(TrackerErasure(sender_id=conversation, requested_at=now, kind="erasure",
                                               sweep_until=now + TRACKER_SWEEP_WINDOW))
                else:  # also turns a pending "ended" purge into an erasure: no waiting, no exceptions
                    pending.kind, pending.sweep_until = "erasure", now + TRACKER_SWEEP_WINDOW
    events = sum(delete_tracker_events(tracker_store_url, c) for c in conversations)
    broker = broker_events_url()  # raw events the funnel has not read yet
    if broker:
        for conversation in conversations:
            delete_tracker_events(broker, conversation)
    if tracker_store_url and schedule_sweeps:
        for conversation in conversations:
            _schedule_sweeps(database_url, tracker_store_url, conversation)
    checkpoint(database_url, tracker_store_url, broker)
    return ErasureResult(leads=len(found), consent_records=consents, tracker_events=events,
                         lead_ids=tuple(found), conversations=tuple(conversations))


def _schedule_sweeps(database_url: str, tracker_store_url: str, sender_id: str) -> None:
    def run() -> None:
        waited = 0.0
        for delay in TRACKER_SWEEP_DELAYS_S:
            time.sleep(delay - waited)
            waited = delay
            try:
                delete_tracker_events(tracker_store_url, sender_id)
            except Exception:  # pragma: no cover - logged, the purge command retries
                log.exception("tracker sweep failed")
        try:
            with new_session(database_url) as session, session.begin():
                pending = session.get(TrackerErasure, sender_id)
                if pending is not None:
                    session.delete(pending)  # done: not even the conversation id stays behind
            checkpoint(database_url, tracker_store_url, broker_events_url())  # nor in a *-wal file
        except Exception:  # pragma: no cover
            log.exception("could not forget finished tracker erasure")
    threading.Thread(target=run, name="erase-sweep", daemon=True).start()


def erasure_counts(database_url: str) -> dict:
    with new_session(database_url) as session:
        return {(s.month, s.kind): s.count for s in session.execute(select(ErasureStat)).scalars()}
