"""Delivery over real local receivers: SMTP (aiosmtpd), Telegram (python-telegram-bot → fake Bot API),
webhook (HMAC checked); plus the fault cases that make an outbox worth having."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from bot.ops.config import PROJECT_ROOT
from bot.handoff.clock import FakeClock
from bot.handoff.delivery_smtp import SmtpTransport
from bot.handoff.delivery_telegram import TelegramTransport
from bot.handoff.delivery_webhook import WebhookTransport
from bot.handoff.links import verify
from bot.store.handoff_models import DeadLetter, DeliveryAttempt, OutboxMessage
from bot.handoff.worker import Worker, requeue_dead
from bot.store.models import Lead, LeadEvent
from tests.handoff_support import (COUNSELLOR, EXTRA, FRIDAY_AFTERNOON, LINK_SECRET, WEBHOOK_SECRET, SmtpReceiver,
                                   create_handed_off_lead, factory, fake_telegram, free_port, make_settings,
                                   smtp_receiver, webhook_receiver)


def worker_for(factory, settings, clock, **kw):
    transports = {"email": SmtpTransport(settings), "telegram": TelegramTransport(settings),
                  "webhook": WebhookTransport(settings)}
    return Worker(factory, settings, clock=clock, transports=transports, **kw)


def rows(factory):
    with factory() as session:
        return session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_lead_and_outbox_commit_together_or_not_at_all(factory, tmp_path):
    settings = make_settings("unused", tmp_path)
    with pytest.raises(RuntimeError):
        with factory() as session, session.begin():
            from tests.handoff_support import make_lead
            from bot.handoff.outbox import enqueue_handoff
            lead = make_lead(session)
            enqueue_handoff(session, lead, COUNSELLOR, EXTRA, settings=settings, now=FRIDAY_AFTERNOON)
            raise RuntimeError("intake fails after enqueue")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_email_arrives_parsed_plain_and_html_with_verifiable_links(factory, sqlite_url, tmp_path, smtp_receiver):
    settings = make_settings(sqlite_url, tmp_path, smtp_port=smtp_receiver.port)
    lead_id = create_handed_off_lead(factory, settings)
    worker = worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON))
    assert worker.run_once() == 1
    assert len(smtp_receiver.raw) == 1
    msg = next(iter(smtp_receiver.messages.values()))
    assert msg["Message-ID"] == f"<gp-{lead_id}-handoff-email@example.org>"
    assert msg["To"] == "sanne@example.org" and smtp_receiver.rcpts[msg["Message-ID"]] == ["sanne@example.org"]
    assert lead_id in msg["Subject"] and "dinsdag 1 december" in msg["Subject"]
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Hoi Sanne," in plain and "Waarom contact: Vroeg naar BBL (leren en werken), salaris; twijfelt over geen diploma, wiskunde en rekenen." in plain
    assert "Neem contact op binnen 2 werkdagen, uiterlijk dinsdag 1 december" in plain
    assert "Ik sleutel graag aan brommers" in html and "Bevestig" not in html
    urls = re.findall(r"http://127\.0\.0\.1:8000/lead/[^\s\"<]+", plain)
    assert len(urls) == 3
    for url in urls:
        parsed = urlparse(url.replace("&amp;", "&"))
        query = parse_qs(parsed.query)
        assert parsed.path == f"/lead/{lead_id}/status"
        assert verify(LINK_SECRET, lead_id, query["s"][0], query["e"][0], query["sig"][0])
    html_urls = [u.replace("&amp;", "&") for u in re.findall(r'href="([^"]+)"', html)]
    assert html_urls[:3] == urls  # the buttons in the HTML part are the same signed links
    assert html_urls[3:] == ["https://wa.me/31612345678"]  # and the contact as chosen (WhatsApp)
    (row,) = rows(factory)
    assert row.status == "sent" and row.attempts == 1
    assert row.payload == {"delivered": True}  # rendered personal data dropped after delivery
    with factory() as session:
        assert session.get(Lead, lead_id).status == "delivered"
        (event,) = session.execute(select(LeadEvent)).scalars().all()
        assert (event.from_status, event.to_status, event.actor) == ("new", "delivered", "handoff:worker")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_auth_is_used_when_configured(factory, sqlite_url, tmp_path):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"gp" and auth_data.password == b"geheim")

    receiver = SmtpReceiver(authenticator=authenticator, auth_required=True, auth_require_tls=False).start()
    try:
        settings = make_settings(sqlite_url, tmp_path, smtp_port=receiver.port, smtp_user="gp", smtp_password="geheim")
        create_handed_off_lead(factory, settings)
        worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
        assert seen == [(b"gp", b"geheim")] and len(receiver.messages) == 1
    finally:
        receiver.stop()


def test_starttls_then_auth_with_verified_certificate(factory, sqlite_url, tmp_path):
    """STARTTLS with a real (self-signed, for 127.0.0.1) certificate; AUTH only after TLS."""
    import shutil
    import ssl
    from aiosmtpd.smtp import AuthResult

    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(session.ssl is not None)
        return AuthResult(success=auth_data.login == b"gp" and auth_data.password == b"geheim")

    receiver = SmtpReceiver(tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                            auth_required=True).start()
    try:
        common = dict(smtp_port=receiver.port, smtp_user="gp", smtp_password="geheim", smtp_starttls=True)
        untrusted = make_settings(sqlite_url, tmp_path, **common)
        create_handed_off_lead(factory, untrusted)
        worker_for(factory, untrusted, FakeClock(FRIDAY_AFTERNOON)).run_once()
        assert receiver.raw == [] and "CERTIFICATE_VERIFY_FAILED" in rows(factory)[0].last_error
        trusted = make_settings(sqlite_url, tmp_path, smtp_ca_file=str(cert), **common)
        clock = FakeClock(FRIDAY_AFTERNOON + timedelta(minutes=1))
        worker_for(factory, trusted, clock).run_once()
        assert len(receiver.messages) == 1 and logins == [True]
        assert rows(factory)[0].status == "sent"
    finally:
        receiver.stop()


def test_telegram_to_counsellor_chat_via_real_client(factory, sqlite_url, tmp_path, fake_telegram):
    settings = make_settings(sqlite_url, tmp_path, telegram_token=fake_telegram.token,
                             telegram_api_base=fake_telegram.base_url)
    counsellor = dict(COUNSELLOR, email="", telegram_chat_id="-100777")
    lead_id = create_handed_off_lead(factory, settings, counsellor=counsellor)
    worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
    assert "getMe" in fake_telegram.calls
    (sent,) = fake_telegram.sent
    assert sent["chat_id"] == "-100777"
    assert f"Referentie: {lead_id} (1 van 1)" in sent["text"] and "Twijfels: geen diploma, wiskunde en rekenen" in sent["text"]
    assert rows(factory)[0].status == "sent"


def test_telegram_blocked_chat_is_a_dead_letter_with_alert(factory, sqlite_url, tmp_path, fake_telegram,
                                                           smtp_receiver):
    settings = make_settings(sqlite_url, tmp_path, telegram_token=fake_telegram.token,
                             telegram_api_base=fake_telegram.base_url, smtp_port=smtp_receiver.port)
    fake_telegram.blocked.add("-100777")
    lead_id = create_handed_off_lead(factory, settings, counsellor=dict(COUNSELLOR, email="", telegram_chat_id="-100777"))
    worker = worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON))
    worker.run_once()  # permanent failure → dead at once
    worker.run_once()  # the alert mail
    handoff, alert = rows(factory)
    assert handoff.status == "dead" and handoff.attempts == 1 and "blocked" in handoff.last_error
    assert alert.kind == "alert" and alert.status == "sent"
    (mail,) = smtp_receiver.messages.values()
    assert mail["To"] == "beheer@example.org" and lead_id in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Sam" not in body and "+316" not in body  # the alert carries no personal data


def test_webhook_is_signed_and_receiver_checks_it(factory, sqlite_url, tmp_path, webhook_receiver):
    settings = make_settings(sqlite_url, tmp_path)
    counsellor = dict(COUNSELLOR, email="", webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET)
    lead_id = create_handed_off_lead(factory, settings, counsellor=counsellor)
    worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
    assert webhook_receiver.bad_signatures == 0
    (body,) = webhook_receiver.accepted.values()
    assert body["summary"]["referral"]["id"] == lead_id
    assert body["idempotency_key"] == f"gp-{lead_id}-handoff-webhook"
    assert rows(factory)[0].status == "sent"


def test_webhook_with_wrong_secret_is_rejected_and_dead_lettered(factory, sqlite_url, tmp_path, webhook_receiver):
    settings = make_settings(sqlite_url, tmp_path, fallback_alert_email="")
    counsellor = dict(COUNSELLOR, email="", webhook_url=webhook_receiver.url, webhook_secret="not-the-secret")
    create_handed_off_lead(factory, settings, counsellor=counsellor)
    worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
    assert webhook_receiver.bad_signatures == 1 and not webhook_receiver.accepted
    (row,) = rows(factory)
    assert row.status == "dead" and "401" in row.last_error


def test_smtp_down_for_an_hour_then_up_delivers_exactly_once(factory, sqlite_url, tmp_path):
    port = free_port()  # nothing listens yet: connection refused
    settings = make_settings(sqlite_url, tmp_path, smtp_port=port)
    lead_ids = [create_handed_off_lead(factory, settings, conversation_id=f"c{i}") for i in range(3)]
    clock = FakeClock(FRIDAY_AFTERNOON)
    worker = worker_for(factory, settings, clock)
    for _ in range(12):  # an hour of failing, the worker polling as the backoff allows
        worker.run_once()
        clock.advance(minutes=5)
    assert all(r.status == "pending" for r in rows(factory))
    first_attempts = [r.attempts for r in rows(factory)]
    # backoff 30 s, 1, 2, 4, 8, 16 min: tries at minute 0, 5, 10, 15, 20, 30, 50 — not 12 tries
    assert first_attempts == [7, 7, 7]
    receiver = SmtpReceiver(port=port).start()
    try:
        for _ in range(30):
            worker.run_once()
            clock.advance(minutes=5)
        assert len(receiver.raw) == 3 and receiver.duplicates == 0
        assert {m["Message-ID"] for m in receiver.messages.values()} == \
            {f"<gp-{i}-handoff-email@example.org>" for i in lead_ids}
    finally:
        receiver.stop()
    with factory() as session:
        failures = session.scalar(select(func.count()).select_from(DeliveryAttempt).where(DeliveryAttempt.ok.is_(False)))
        assert failures == sum(first_attempts)
    assert all(r.status == "sent" for r in rows(factory))


def test_crash_after_send_before_mark_resends_same_key_and_receiver_dedupes(factory, sqlite_url, tmp_path,
                                                                              webhook_receiver):
    settings = make_settings(sqlite_url, tmp_path)
    counsellor = dict(COUNSELLOR, email="", webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET)
    create_handed_off_lead(factory, settings, counsellor=counsellor)
    clock = FakeClock(FRIDAY_AFTERNOON)

    def crash(envelope):
        raise SystemExit("worker process dies between send and mark")

    with pytest.raises(SystemExit):
        worker_for(factory, settings, clock, after_send=crash).run_once()
    (row,) = rows(factory)
    assert row.status == "sending" and webhook_receiver.deliveries == 1
    restarted = worker_for(factory, settings, clock)
    restarted.run_once()
    assert webhook_receiver.deliveries == 1  # the lease still holds: nobody steals a live claim
    clock.advance(seconds=settings.lease_seconds + 1)
    restarted.run_once()
    (row,) = rows(factory)
    assert row.status == "sent" and row.attempts == 2
    assert webhook_receiver.deliveries == 2 and len(webhook_receiver.accepted) == 1


def test_dead_letter_after_max_attempts_alerts_and_requeue_delivers(factory, sqlite_url, tmp_path,
                                                                     webhook_receiver, smtp_receiver):
    settings = make_settings(sqlite_url, tmp_path, max_attempts=3, smtp_port=smtp_receiver.port)
    webhook_receiver.fail_with = 503
    counsellor = dict(COUNSELLOR, email="", webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET)
    lead_id = create_handed_off_lead(factory, settings, counsellor=counsellor)
    clock = FakeClock(FRIDAY_AFTERNOON)
    worker = worker_for(factory, settings, clock)
    for _ in range(10):
        worker.run_once()
        clock.advance(minutes=10)
    handoff = rows(factory)[0]
    assert handoff.status == "dead" and handoff.attempts == 3
    assert len(smtp_receiver.messages) == 1  # exactly one alert, to the fallback address
    (alert,) = smtp_receiver.messages.values()
    assert alert["To"] == "beheer@example.org" and "requeue-dead" in alert.get_body(("plain",)).get_content()
    webhook_receiver.fail_with = None
    assert requeue_dead(factory, clock.now()) == 1
    worker.run_once()
    assert rows(factory)[0].status == "sent" and len(webhook_receiver.accepted) == 1
    with factory() as session:
        assert session.execute(select(DeadLetter)).scalar_one().requeued_at is not None


def test_counsellor_without_channels_goes_to_coordinator(factory, sqlite_url, tmp_path, smtp_receiver):
    settings = make_settings(sqlite_url, tmp_path, smtp_port=smtp_receiver.port)
    create_handed_off_lead(factory, settings, counsellor=dict(COUNSELLOR, email=""))
    worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
    (mail,) = smtp_receiver.messages.values()
    assert mail["To"] == "coordinator.zeeland@example.org"


def test_erasing_the_lead_removes_all_handoff_rows(factory, sqlite_url, tmp_path, webhook_receiver):
    from bot.store.handoff_models import FollowUp, HandoffCase
    settings = make_settings(sqlite_url, tmp_path, max_attempts=1)
    webhook_receiver.fail_with = 503
    counsellor = dict(COUNSELLOR, webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET,
                      email="sanne@example.org")
    lead_id = create_handed_off_lead(factory, settings, counsellor=counsellor)
    worker_for(factory, settings, FakeClock(FRIDAY_AFTERNOON)).run_once()
    with factory() as session, session.begin():
        session.delete(session.get(Lead, lead_id))
    with factory() as session:
        for model in (OutboxMessage, DeliveryAttempt, DeadLetter, HandoffCase, FollowUp, LeadEvent):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__


def test_concurrent_workers_never_claim_the_same_row_sqlite(factory, sqlite_url, tmp_path):
    _concurrent_claims(factory, make_settings(sqlite_url, tmp_path))


@pytest.mark.postgres
def test_concurrent_workers_never_claim_the_same_row_postgres(tmp_path):
    from tests.services import temporary_pg_database
    with temporary_pg_database("gp_handoff") as url:
        from bot.store.db import session_factory
        _concurrent_claims(session_factory(url), make_settings(url, tmp_path))


def _concurrent_claims(factory, settings):
    from bot.handoff.outbox import enqueue_email
    from tests.handoff_support import make_lead
    with factory() as session, session.begin():
        lead = make_lead(session)
        session.flush()
        for i in range(120):
            enqueue_email(session, lead.id, "alert", "x@example.org", "s", "t", FRIDAY_AFTERNOON, suffix=str(i))
    clock = FakeClock(FRIDAY_AFTERNOON + timedelta(seconds=1))
    claimed, errors = [], []

    def run(n):
        w = Worker(factory, settings, clock=clock, transports={}, worker_id=f"w{n}")
        try:
            while True:
                got = w.claim(limit=7)
                if not got:
                    return
                claimed.extend(e.outbox_id for e in got)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(claimed) == 120 and len(set(claimed)) == 120


def test_worker_killed_mid_batch_with_sigkill_loses_nothing_doubles_nothing(factory, sqlite_url, tmp_path):
    """A real worker process (``python -m bot worker``) is SIGKILLed by the SMTP server while the 4th of
    10 messages is being accepted: the mail is stored but the worker never hears "250", and messages
    5–10 are claimed but not sent. A restarted worker must deliver all of them; the one ambiguous
    message arrives twice with the same Message-ID, which the receiver drops."""
    settings = make_settings(sqlite_url, tmp_path)
    now = datetime.now(timezone.utc)  # the subprocess runs on the real clock
    lead_ids = [create_handed_off_lead(factory, settings, conversation_id=f"k{i}", now=now) for i in range(10)]
    receiver = SmtpReceiver().start()
    env = dict(os.environ, DATABASE_URL=sqlite_url, GP_VAR_DIR=str(tmp_path), GP_SMTP_PORT=str(receiver.port),
               GP_LINK_SECRET=LINK_SECRET, GP_HANDOFF_LEASE="1", GP_HANDOFF_POLL="0.1", GP_LOG_LEVEL="WARNING",
               GP_HANDOFF_TELEGRAM_TOKEN="", PYTHONPATH=str(PROJECT_ROOT))
    cmd = [sys.executable, "-m", "bot", "worker", "--batch", "20"]
    killed = threading.Event()
    procs = []

    def kill_on_fourth(message):
        if len(receiver.raw) == 4 and not killed.is_set():
            killed.set()
            os.kill(procs[0].pid, signal.SIGKILL)

    receiver.on_message = kill_on_fourth
    try:
        procs.append(subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env))
        assert procs[0].wait(timeout=60) == -signal.SIGKILL
        statuses = [r.status for r in rows(factory)]
        assert statuses.count("sent") == 3 and statuses.count("sending") == 7
        procs.append(subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(r.status != "sent" for r in rows(factory)):
            time.sleep(0.2)  # polling for completion, not asserting on elapsed time
        assert [r.status for r in rows(factory)] == ["sent"] * 10
        assert len(receiver.messages) == 10 and receiver.duplicates == 1
        assert {m["Message-ID"] for m in receiver.messages.values()} == \
            {f"<gp-{i}-handoff-email@example.org>" for i in lead_ids}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        receiver.stop()


def test_worker_cli_once_and_requeue(factory, sqlite_url, tmp_path, monkeypatch, capsys):
    """The command the launcher runs: ``python -m bot worker`` reads everything from the environment."""
    from bot.ops.cli import main
    receiver = SmtpReceiver().start()
    try:
        for name, value in dict(DATABASE_URL=sqlite_url, GP_VAR_DIR=str(tmp_path), GP_SMTP_PORT=str(receiver.port),
                                GP_LINK_SECRET=LINK_SECRET, GP_HANDOFF_TELEGRAM_TOKEN="").items():
            monkeypatch.setenv(name, value)
        settings = make_settings(sqlite_url, tmp_path)
        create_handed_off_lead(factory, settings, now=datetime.now(timezone.utc))
        assert main(["worker", "--once"]) == 0
        assert "1 item(s) handled" in capsys.readouterr().out
        assert len(receiver.messages) == 1
        assert main(["worker", "--requeue-dead"]) == 0
        assert "0 dead letter(s) requeued" in capsys.readouterr().out
    finally:
        receiver.stop()
