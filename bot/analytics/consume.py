"""The consumer: reads new events from Rasa's event broker and keeps only pseudonymous counts.

Sources (``GP_EVENT_BROKER``):

- ``sql``: Rasa's SQLEventBroker table ``events`` (id, sender_id, data JSON) in its own database
  (``GP_EVENTS_URL``). We read rows above our cursor (``analytics_cursors``), store what they mean,
  move the cursor, and then delete the rows we have read, except the last one, which is emptied:
  SQLite hands out ``max(id) + 1`` as the next id, so the table must never become empty or ids would
  start again below the cursor. A table that was recreated (its highest id below the cursor) resets the cursor.
- ``pika``: the RabbitMQ queue Rasa's PikaEventBroker fills. Messages are acknowledged only after
  the counts are committed, so a crash means "again", never "lost".

A conversation is tied together by SHA-256(week salt + sender id). The salt is random per ISO week
and lives in ``analytics_salts`` only until the week is over: :func:`rotate` then folds that week's
conversation rows into ``analytics_counts`` and deletes both the rows and the salt. The sender id
itself is never stored.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from sqlalchemy import create_engine, delete, event, inspect, select, text, update
from sqlalchemy.orm import Session

from bot.analytics.funnel import Cell, Progress, apply_event, count_conversations, iso_week
from bot.analytics.initiatives import fold_initiatives
from bot.analytics.leads import count_lead_events
from bot.analytics.redact import redact_question, signature, similar
from bot.store.analytics_models import (UNKNOWN, AnalyticsConversation, AnalyticsCount, AnalyticsCursor, AnalyticsSalt,
                                        UnansweredQuestion, conversation_key)
from bot.store.db import new_session
from bot.store.models import utcnow

log = logging.getLogger(__name__)
SQL_CURSOR = "sql-broker"
BATCH = 500
# Events of a week may arrive a little after it ended (the worker runs every minute); the week's salt
# stays this long into the next week.
ROTATE_GRACE = timedelta(minutes=30)


@dataclass
class ConsumeReport:
    events: int = 0
    lead_events: int = 0
    unanswered: int = 0
    folded: int = 0


def salt_for(session: Session, week: str, now: datetime) -> str:
    row = session.get(AnalyticsSalt, week)
    if row is None:
        row = AnalyticsSalt(week=week, salt=secrets.token_hex(32), created_at=now)
        session.add(row)
        session.flush()
    return row.salt


def add_count(session: Session, cell: Cell, metric: str, amount: int) -> None:
    if not amount:
        return
    week, region, channel, band = cell
    row = session.get(AnalyticsCount, (week, region, channel, band, metric))
    if row is None:
        session.add(AnalyticsCount(week=week, region_code=region, channel=channel, age_band=band, metric=metric,
                                   count=amount))
        session.flush()
    else:
        row.count += amount


def _progress(row: AnalyticsConversation) -> Progress:
    return Progress(row.week, row.channel, row.region_code, row.age_band, list(row.steps or []), row.last_question,
                    bool(row.in_form), bool(row.fallback), row.initiative)


def _save(row: AnalyticsConversation, p: Progress, now: datetime) -> None:
    row.channel, row.region_code, row.age_band = p.channel, p.region_code, p.age_band
    row.steps, row.last_question, row.in_form, row.fallback = list(p.steps), p.last_question, p.in_form, p.fallback
    row.initiative = p.initiative
    row.updated_at = now


def store_unanswered(session: Session, texts: Iterable[str], now: datetime) -> int:
    """Redacts each question (dropping it when in doubt), then adds it to the most similar group (or starts a group)."""
    stored = 0
    groups: Optional[List[UnansweredQuestion]] = None
    for raw in texts:
        clean = redact_question(raw)
        if clean is None:  # in doubt whether it names someone: not stored at all
            continue
        sig = signature(clean)
        if not sig:
            continue
        if groups is None:
            groups = session.execute(select(UnansweredQuestion).order_by(UnansweredQuestion.last_seen.desc())
                                     .limit(5000)).scalars().all()
        group = next((g for g in groups if g.signature == sig), None) or \
            next((g for g in groups if similar(g.signature, sig)), None)
        if group is None:
            group = UnansweredQuestion(text=clean, signature=sig, count=1, first_seen=now, last_seen=now)
            session.add(group)
            groups.insert(0, group)
        else:
            group.count += 1
            group.last_seen = now
        stored += 1
    return stored


def apply_events(session: Session, events: Iterable[Mapping[str, Any]], now: datetime) -> ConsumeReport:
    """Applies broker events (each with ``sender_id``) to the week's conversation rows."""
    report = ConsumeReport()
    rows: Dict[str, AnalyticsConversation] = {}
    salts: Dict[str, str] = {}
    unanswered: List[str] = []
    for event in events:
        sender = event.get("sender_id")
        if not sender:
            continue
        report.events += 1
        moment = event.get("timestamp")
        week = iso_week(moment if isinstance(moment, (int, float)) else now)
        if week not in salts:
            salts[week] = salt_for(session, week, now)
        key = conversation_key(salts[week], str(sender))
        row = rows.get(key) or session.get(AnalyticsConversation, key)
        if row is None:
            row = AnalyticsConversation(key=key, week=week, steps=[], updated_at=now, channel=UNKNOWN,
                                        region_code=UNKNOWN, age_band=UNKNOWN, in_form=False, fallback=False)
            session.add(row)
        rows[key] = row
        progress = _progress(row)
        apply_event(progress, event, unanswered)
        _save(row, progress, now)
    report.unanswered = store_unanswered(session, unanswered, now)
    return report


def rotate(session: Session, now: datetime) -> int:
    """Folds the conversation rows of finished weeks into counts and deletes them and their salts."""
    current = iso_week(now - ROTATE_GRACE)
    old = session.execute(select(AnalyticsConversation).where(AnalyticsConversation.week < current)).scalars().all()
    for (cell, metric), amount in count_conversations(_progress(r) for r in old).items():
        add_count(session, cell, metric, amount)
    fold_initiatives(session, [_progress(r) for r in old])
    for row in old:
        session.delete(row)
    session.execute(delete(AnalyticsSalt).where(AnalyticsSalt.week < current))
    return len(old)


def _cursor(session: Session, source: str, now: Optional[datetime] = None) -> AnalyticsCursor:
    """The cursor row, locked for this transaction: the UPDATE comes first, so on SQLite it takes the
    write lock before anything is read, and on PostgreSQL it locks the row. Two workers reading the
    same events therefore take turns instead of counting them twice."""
    now = now or utcnow()
    session.execute(update(AnalyticsCursor).where(AnalyticsCursor.source == source).values(updated_at=now))
    row = session.get(AnalyticsCursor, source, populate_existing=True)
    if row is None:
        row = AnalyticsCursor(source=source, position=0, updated_at=now)
        session.add(row)
        session.flush()
    return row


class SqlBrokerSource:
    """Rows of Rasa's SQLEventBroker ``events`` table."""

    def __init__(self, events_url: str):
        self.events_url = events_url
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = create_engine(self.events_url, future=True)
            if self.events_url.startswith("sqlite"):
                @event.listens_for(self._engine, "connect")
                def _secure(dbapi_conn, _record):  # pragma: no cover - trivial
                    # read rows are deleted: overwrite them in the file, not only unlink them (issue 25)
                    dbapi_conn.execute("PRAGMA secure_delete=ON")
        return self._engine

    def consume(self, database_url: str, now: datetime, limit: int = BATCH) -> ConsumeReport:
        report = ConsumeReport()
        if not inspect(self.engine).has_table("events"):
            return report
        while True:
            with new_session(database_url) as session, session.begin():
                cursor = _cursor(session, SQL_CURSOR, now)
                with self.engine.connect() as conn:
                    highest = conn.execute(text("SELECT MAX(id) FROM events")).scalar() or 0
                    if highest < cursor.position:
                        log.warning("the broker's events table was recreated: reading it from the start")
                        cursor.position = 0
                    rows = conn.execute(text("SELECT id, data FROM events WHERE id > :p ORDER BY id LIMIT :n"),
                                        {"p": cursor.position, "n": limit}).all()
                if not rows:
                    break
                events = []
                for _id, data in rows:
                    try:
                        events.append(json.loads(data))
                    except (TypeError, ValueError):
                        continue
                part = apply_events(session, events, now)
                cursor.position, cursor.updated_at = rows[-1][0], now
                position = cursor.position
            report.events += part.events
            report.unanswered += part.unanswered
            # read and counted: the raw events (texts, slot values) go; the last row stays, emptied,
            # so the ids keep rising
            with self.engine.begin() as conn:
                conn.execute(text("DELETE FROM events WHERE id < :p"), {"p": position})
                conn.execute(text("UPDATE events SET sender_id = NULL, data = '{}' WHERE id = :p"), {"p": position})
            if len(rows) < limit:
                break
        return report


class PikaSource:
    """Messages of Rasa's PikaEventBroker queue on RabbitMQ (aio-pika, which Rasa itself uses)."""

    def __init__(self, url: str, queue: str):
        self.url, self.queue = url, queue

    async def _drain(self, handle: Callable[[List[Dict[str, Any]]], None], limit: int, wait: float) -> int:
        import aio_pika

        connection = await aio_pika.connect(self.url, timeout=10)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.queue, durable=True)
            messages = []
            while len(messages) < limit:
                message = await queue.get(no_ack=False, fail=False, timeout=wait)
                if message is None:
                    break
                messages.append(message)
            events = []
            for message in messages:
                try:
                    events.append(json.loads(message.body))
                except (TypeError, ValueError):
                    continue
            try:
                handle(events)
            except Exception:
                for message in messages:
                    await message.nack(requeue=True)
                raise
            for message in messages:
                await message.ack()
            return len(messages)

    def consume(self, database_url: str, now: datetime, limit: int = BATCH, wait: float = 2.0) -> ConsumeReport:
        report = ConsumeReport()

        def handle(events: List[Dict[str, Any]]) -> None:
            with new_session(database_url) as session, session.begin():
                part = apply_events(session, events, now)
            report.events += part.events
            report.unanswered += part.unanswered

        while asyncio.run(self._drain(handle, limit, wait)) >= limit:
            pass
        return report


def source_for(settings) -> Optional[Any]:
    if settings.event_broker == "sql":
        return SqlBrokerSource(settings.events_url)
    if settings.event_broker == "pika":
        return PikaSource(settings.rabbitmq_url, settings.rabbitmq_queue)
    return None


def run_once(database_url: str, source: Optional[Any], now: Optional[datetime] = None,
             promise_workdays: int = 2) -> ConsumeReport:
    """One round: new broker events, new lead events (contact, appointment, outcome), rotation."""
    now = now or utcnow()
    report = source.consume(database_url, now) if source is not None else ConsumeReport()
    with new_session(database_url) as session, session.begin():
        report.lead_events = count_lead_events(session, now, promise_workdays, add_count, _cursor)
        report.folded = rotate(session, now)
    return report
