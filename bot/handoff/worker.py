"""The delivery worker: claims due outbox rows, sends them, retries, dead-letters, alerts.

Delivery guarantee: *at least once* from our side, *exactly once at the receiver* wherever the
receiver honours the idempotency key (e-mail Message-ID, webhook ``Idempotency-Key``).

Claiming is safe with several workers: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite
(one writer at a time) a conditional ``UPDATE … WHERE id = ? AND <still due>`` whose row count says
who won. A claim is a lease (``lease_until``): a worker killed between send and "mark sent" leaves
the row in ``sending``; when the lease runs out another worker (or the restarted one) sends it again
with the same key. ``attempts`` is counted at claim time, so even a message that crashes the worker
every time ends up as a dead letter instead of looping forever.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Callable, Dict, List, Optional

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.handoff.clock import Clock, SystemClock
from bot.handoff.delivery import Envelope, PermanentFailure, TemporaryFailure, Transport
from bot.handoff.delivery_smtp import SmtpTransport
from bot.handoff.delivery_telegram import TelegramTransport
from bot.handoff.delivery_webhook import WebhookTransport
from bot.handoff.followup import ChannelFollowupSender, FollowupSender, process_due_followups
from bot.handoff.outbox import enqueue_email
from bot.handoff.render import render_plain
from bot.store.handoff_models import DeadLetter, DeliveryAttempt, OutboxMessage
from bot.handoff.settings import HandoffSettings
from bot.handoff.status import mark_delivered

log = logging.getLogger(__name__)
# The art. 19 notice names the reference of a lead that no longer exists: once delivered, the row goes.
FORGET_WHEN_SENT = ("erasure_notice",)


def backoff(settings: HandoffSettings, attempts: int) -> timedelta:
    """30 s, 60 s, 120 s, … capped (deterministic; several workers do not synchronise on the same
    row anyway because a row is claimed by one of them)."""
    return timedelta(seconds=min(settings.backoff_max, settings.backoff_base * 2 ** max(0, attempts - 1)))


def default_transports(settings: HandoffSettings) -> Dict[str, Transport]:
    return {"email": SmtpTransport(settings), "telegram": TelegramTransport(settings),
            "webhook": WebhookTransport(settings)}


class Worker:
    def __init__(self, session_factory: Callable[[], Session], settings: HandoffSettings,
                 clock: Optional[Clock] = None, transports: Optional[Dict[str, Transport]] = None,
                 followup_sender: Optional[FollowupSender] = None, worker_id: Optional[str] = None,
                 after_send: Optional[Callable[[Envelope], None]] = None,
                 purge: Optional[Callable[[], object]] = None, purge_interval: float = 600.0,
                 analytics: Optional[Callable[[], object]] = None, analytics_interval: float = 60.0):
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock or SystemClock()
        self.transports = transports if transports is not None else default_transports(settings)
        self.followup_sender = followup_sender or ChannelFollowupSender(settings)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self.after_send = after_send  # test hook: fault injection between send and mark
        self.stop_event = threading.Event()
        # The privacy purge (bot.store.retention) rides along in this loop, so ``make run`` needs no
        # scheduler: every ``purge_interval`` seconds, starting right after start-up.
        self.purge, self.purge_interval = purge, purge_interval
        self._next_purge = 0.0
        # The funnel's consumer (bot.analytics) rides along the same way.
        self.analytics, self.analytics_interval = analytics, analytics_interval
        self._next_analytics = 0.0

    # -- claiming -------------------------------------------------------------------------------
    def _due(self, now: datetime):
        return or_(and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                   and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now))

    def claim(self, limit: int = 20) -> List[Envelope]:
        now = self.clock.now()
        due = self._due(now)
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.session_factory() as session, session.begin():
            query = (select(OutboxMessage).where(due)
                     .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
            postgres = session.bind.dialect.name == "postgresql"
            if postgres:
                rows = session.execute(query.with_for_update(skip_locked=True)).scalars().all()
                for row in rows:
                    row.status, row.claimed_by, row.lease_until = "sending", self.worker_id, lease_until
                    row.attempts += 1
                claimed = rows
            else:
                candidates = session.execute(query).scalars().all()
                claimed = []
                for row in candidates:
                    result = session.execute(
                        update(OutboxMessage).where(OutboxMessage.id == row.id, due)
                        .values(status="sending", claimed_by=self.worker_id, lease_until=lease_until,
                                attempts=OutboxMessage.attempts + 1)
                        .execution_options(synchronize_session=False))
                    if result.rowcount == 1:
                        session.refresh(row)
                        claimed.append(row)
            # the reference in headers and logs: the lead's, or the guardian request's before a lead exists
            return [Envelope(r.id, r.lead_id or r.guardian_request_id or "", r.kind, r.channel, r.recipient, r.idempotency_key, dict(r.payload))
                    for r in claimed]

    # -- one message ----------------------------------------------------------------------------
    def deliver(self, envelope: Envelope) -> str:
        started = self.clock.now()
        transport = self.transports.get(envelope.channel)
        error: Optional[str] = None
        permanent = False
        try:
            if transport is None:
                raise PermanentFailure(f"no transport for channel {envelope.channel!r}")
            transport.send(envelope)
        except PermanentFailure as exc:
            error, permanent = str(exc), True
        except TemporaryFailure as exc:
            error = str(exc)
        except Exception as exc:  # a bug in a transport must not kill the worker loop
            log.exception("unexpected error delivering outbox %s", envelope.outbox_id)
            error = f"unexpected: {exc!r}"
        if error is None and self.after_send is not None:
            self.after_send(envelope)
        return self._record(envelope, started, error, permanent)

    def _record(self, envelope: Envelope, started: datetime, error: Optional[str], permanent: bool) -> str:
        now = self.clock.now()
        with self.session_factory() as session, session.begin():
            row = session.get(OutboxMessage, envelope.outbox_id)
            if row is None:  # lead erased meanwhile: cascade removed the row
                return "gone"
            session.add(DeliveryAttempt(outbox_id=row.id, attempt=row.attempts, worker=self.worker_id,
                                        started_at=started, finished_at=now, ok=error is None, error=error))
            if row.status != "sending" or row.claimed_by != self.worker_id:
                # our lease ran out and someone else owns it now; they will finish it
                return "lost-lease"
            if error is None and row.kind in FORGET_WHEN_SENT:
                session.delete(row)  # its attempts go by cascade: nothing of the erased lead stays behind
                return "sent"
            if error is None:
                row.status, row.sent_at, row.lease_until, row.last_error = "sent", now, None, None
                # data minimisation: the rendered personal data is not needed once delivered
                row.payload = {"delivered": True}
                if row.kind == "handoff":
                    mark_delivered(session, row.lead_id, now)
                return "sent"
            row.last_error = error
            if permanent or row.attempts >= self.settings.max_attempts:
                self._dead_letter(session, row, now, error)
                return "dead"
            row.status, row.lease_until = "pending", None
            row.next_attempt_at = now + backoff(self.settings, row.attempts)
            return "retry"

    def _dead_letter(self, session: Session, row: OutboxMessage, now: datetime, error: str) -> None:
        row.status, row.lease_until = "dead", None
        letter = session.execute(select(DeadLetter).where(DeadLetter.outbox_id == row.id)).scalar_one_or_none()
        if letter is None:  # a requeued letter that died again reuses its row
            letter = DeadLetter(outbox_id=row.id, lead_id=row.lead_id)  # NULL for a guardian mail
            session.add(letter)
        letter.dead_at, letter.reason, letter.requeued_at = now, error, None
        log.error("outbox %s (%s %s for %s) is a dead letter after %s attempts: %s",
                  row.id, row.kind, row.channel, row.lead_id, row.attempts, error)
        if row.kind == "alert" or not self.settings.fallback_alert_email:
            return
        # no personal data in the alert: reference, channel and error are enough to act on
        reference = row.lead_id or row.guardian_request_id
        text = render_plain("alert_email.txt.j2", lead_id=reference, kind=row.kind, channel=row.channel,
                            attempts=row.attempts, error=error[:500], key=row.idempotency_key)
        alert = enqueue_email(session, row.lead_id, "alert", self.settings.fallback_alert_email,
                              f"Niet afgeleverd: {row.kind} voor {reference}", text, now,
                              suffix=f"{row.id}-{int(now.timestamp())}", guardian_request_id=row.guardian_request_id)
        session.flush()
        letter.alert_outbox_id = alert.id

    # -- loops ----------------------------------------------------------------------------------
    def run_once(self, limit: int = 20) -> int:
        """Deliver one batch of due messages and handle due follow-ups; returns work done."""
        done = 0
        for envelope in self.claim(limit):
            if self.stop_event.is_set():
                break  # the unsent claimed rows come back when their lease runs out
            self.deliver(envelope)
            done += 1
        done += process_due_followups(self.session_factory, self.settings, self.clock.now(),
                                      self.followup_sender, limit)
        return done

    def _periodic(self, name: str, job: Optional[Callable[[], object]], interval: float, what: str) -> bool:
        """Runs ``job`` when its interval is over; a failure is logged and retried next interval."""
        due_attr = f"_next_{name}"
        if job is None or time.monotonic() < getattr(self, due_attr):
            return False
        setattr(self, due_attr, time.monotonic() + interval)
        try:
            job()
        except Exception:
            log.exception("%s failed; retried in %.0f s", what, interval)
        return True

    def maybe_purge(self) -> bool:
        return self._periodic("purge", self.purge, self.purge_interval, "privacy purge")

    def maybe_count(self) -> bool:
        """The funnel's consumer (bot.analytics), on its own interval."""
        return self._periodic("analytics", self.analytics, self.analytics_interval, "funnel counting")

    def run_forever(self, limit: int = 20) -> None:
        log.info("hand-off worker %s started", self.worker_id)
        while not self.stop_event.is_set():
            self.maybe_purge()
            self.maybe_count()
            try:
                worked = self.run_once(limit)
            except Exception:  # database briefly away etc.: log, wait, go on
                log.exception("worker iteration failed")
                worked = 0
            if not worked:
                self.stop_event.wait(self.settings.poll_seconds)
        log.info("hand-off worker %s stopped", self.worker_id)

    def stop(self) -> None:
        self.stop_event.set()


def requeue_dead(session_factory: Callable[[], Session], now: datetime) -> int:
    """Put dead letters back in the queue (after the cause is fixed); same idempotency keys."""
    with session_factory() as session, session.begin():
        letters = session.execute(select(DeadLetter).where(DeadLetter.requeued_at.is_(None))).scalars().all()
        for letter in letters:
            row = session.get(OutboxMessage, letter.outbox_id)
            if row is not None and row.status == "dead":
                row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, now, None
            letter.requeued_at = now
        return len(letters)
