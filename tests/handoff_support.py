"""Real local receivers and helpers for the hand-off tests (127.0.0.1 only).

* ``SmtpReceiver``: a real aiosmtpd server; parses every mail and de-duplicates by Message-ID the
  way a mail system does, so tests can assert "received exactly once" after retries and crashes.
* ``WebhookReceiver``: an http.server CRM stand-in that checks the HMAC signature and de-duplicates
  by Idempotency-Key.
"""
from __future__ import annotations

import email
import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional

import pytest
from aiosmtpd.controller import Controller

from bot.store.db import session_factory
from bot.handoff.settings import HandoffSettings
from bot.ops.launcher import free_port  # noqa: F401 (used here and imported by the hand-off tests)
from bot.intake.validation import age_band
from bot.store.models import Lead

FRIDAY_AFTERNOON = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # 16:00 in Amsterdam
LINK_SECRET = "test-link-secret-of-at-least-32-bytes"
WEBHOOK_SECRET = "test-webhook-secret"


class _SmtpHandler:
    def __init__(self, receiver: "SmtpReceiver"):
        self.receiver = receiver

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.receiver._store(message, list(envelope.rcpt_tos))
        if self.receiver.on_message is not None:
            self.receiver.on_message(message)
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1:<port>; ``messages`` keeps the first copy per Message-ID."""

    def __init__(self, port: Optional[int] = None, **controller_kwargs):
        self.port = port or free_port()
        self.raw: List[email.message.EmailMessage] = []
        self.messages: Dict[str, email.message.EmailMessage] = {}
        self.rcpts: Dict[str, List[str]] = {}
        self.on_message: Optional[Callable] = None
        self._lock = threading.Lock()
        self.controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port, **controller_kwargs)

    def _store(self, message, rcpts) -> None:
        with self._lock:
            self.raw.append(message)
            self.messages.setdefault(message["Message-ID"], message)
            self.rcpts.setdefault(message["Message-ID"], rcpts)

    @property
    def duplicates(self) -> int:
        return len(self.raw) - len(self.messages)

    def start(self) -> "SmtpReceiver":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class WebhookReceiver:
    """A CRM stand-in: verifies ``X-GoudenPoort-Signature`` and dedupes on ``Idempotency-Key``."""

    def __init__(self, secret: str = WEBHOOK_SECRET):
        self.secret = secret
        self.accepted: Dict[str, dict] = {}
        self.deliveries = 0
        self.bad_signatures = 0
        self.fail_with: Optional[int] = None   # answer every request with this status
        self.fail_next = 0                     # answer the next N requests with 503
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._handle(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/crm/leads"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._lock = threading.Lock()

    def _handle(self, headers, body: bytes) -> int:
        with self._lock:
            if self.fail_with:
                return self.fail_with
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            timestamp = headers.get("X-GoudenPoort-Timestamp", "")
            expected = "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("X-GoudenPoort-Signature", "")):
                self.bad_signatures += 1
                return 401
            data = json.loads(body)
            key = headers.get("Idempotency-Key")
            assert key == data["idempotency_key"]
            self.deliveries += 1
            if key in self.accepted:
                return 200  # already have it: acknowledge, do not store twice
            self.accepted[key] = data
            return 201

    def start(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_settings(database_url: str, tmp_path, **overrides) -> HandoffSettings:
    values = dict(database_url=database_url, var_dir=tmp_path, link_secret=LINK_SECRET,
                  public_base_url="http://127.0.0.1:8000", mail_from="de-gouden-poort@example.org",
                  fallback_alert_email="beheer@example.org", smtp_timeout=5, webhook_timeout=5,
                  backoff_base=30, backoff_max=3600, max_attempts=10, lease_seconds=120, poll_seconds=0.1)
    values.update(overrides)
    return HandoffSettings(**values)


COUNSELLOR = {
    "name": "Sanne de Vries", "organisation": "TechniekTalent Zeeland", "region_code": "AM12",
    "region_name": "Zeeland", "email": "sanne@example.org", "telegram_chat_id": "", "webhook_url": "",
    "webhook_secret": "", "coordinator_email": "coordinator.zeeland@example.org",
}

EXTRA = {
    "age_band": "16-17", "situation": "gestopt met school", "interests": ["elektrotechniek", "installatietechniek"],
    "interests_free_text": "Ik sleutel graag aan brommers", "postcode4": "4331", "gemeente": "Middelburg",
    "contact_method": "whatsapp", "contact_value": "+31612345678", "contact_preferred_time": "na 16 uur",
    # the context codes the preview showed (issue 24): never the person's own words
    "context": {"topics": ["bbl", "salary"], "doubts": ["no_diploma", "maths"], "asks_for": ["whatsapp", "appointment"],
                "asker": "self", "language_needs": [], "urgent": False, "explored_jobs": []},
    "suggested_next_step": "Kennismaken en BBL-plekken in Middelburg laten zien",
    "consent": {"text_version": "2026-11-v1", "given_at": FRIDAY_AFTERNOON, "given_by": "zelf"},
    "routing_reason": "Postcode 4331 ligt in regio Zeeland; Sanne is de dichtstbijzijnde beschikbare adviseur (3 km)",
}


def lead_kwargs(**values) -> dict:
    """Let tests say ``age=17`` and ``contact={"method", "value", "preferred_time"}``; the Lead keeps an
    age band and the contact in its own columns (``contact_method``/``contact_value``/``contact_time``)."""
    if "age" in values:
        age = values.pop("age")
        if age is not None:
            values["age_band"] = age_band(age)
    if "contact" in values:
        contact = values.pop("contact")
        if isinstance(contact, dict):
            method = {"whatsapp": "phone", "telefoon": "phone"}.get(contact.get("method"), contact.get("method"))
            values.update(contact_method=method, contact_value=contact.get("value"),
                          contact_time=contact.get("preferred_time"))
    return values


def make_lead(session, *, first_name="Sam", channel="rest", conversation_id="conv-1", contact=None,
              created_at=FRIDAY_AFTERNOON, status="new", channel_ref=None) -> Lead:
    lead = Lead(**lead_kwargs(
        first_name=first_name, age=17, postcode="4331AB", region_code="AM12", region_name="Zeeland",
        counsellor_name="Sanne de Vries", interests=["elektrotechniek"],
        contact=contact if contact is not None else {"method": "whatsapp", "value": "+31612345678"},
        consent_at=created_at, channel=channel, conversation_id=conversation_id, channel_ref=channel_ref,
        created_at=created_at, updated_at=created_at, status=status))
    session.add(lead)
    return lead


def create_handed_off_lead(factory, settings, counsellor=None, extra=None, now=FRIDAY_AFTERNOON, **lead_kwargs) -> str:
    """The integration path: lead + outbox rows in ONE transaction, as the intake will do it."""
    from bot.handoff.outbox import enqueue_handoff

    with factory() as session, session.begin():
        lead = make_lead(session, created_at=now, **lead_kwargs)
        enqueue_handoff(session, lead, counsellor or COUNSELLOR, EXTRA if extra is None else extra,
                        settings=settings, now=now)
        return lead.id


@pytest.fixture
def smtp_receiver():
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def fake_telegram():
    from tests.handoff_fake_telegram import FakeTelegram

    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def factory(sqlite_url):
    return session_factory(sqlite_url)
