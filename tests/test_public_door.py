"""The public door without Rasa: the web app's chat endpoints against a local stand-in for Rasa's gateway
channel, server-side identity, the rate limiter, the leads-per-address limit and the one-time mapping
of old Telegram sender ids (real SQLite lead store, real Rasa SQL tracker store)."""
from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels import identity
from bot.channels.gateway_client import SECRET_HEADER
from bot.channels.limits import RateLimiter
from bot.channels.webapp import create_app
from bot.ops.config import load_settings, stored_secret
from tests.test_lead_store import make_lead

IDENTITY = "identiteit-geheim"
CHANNEL = "kanaal-geheim"


class FakeGateway:
    """Stands in for Rasa's gateway channel: checks the secret like the real one and records."""

    def __init__(self):
        self.seen = []
        self.server = None

    async def webhook(self, request):
        if request.headers.get(SECRET_HEADER) != CHANNEL:
            return web.json_response({"error": "forbidden"}, status=403)
        body = await request.json()
        self.seen.append(body)
        return web.json_response({"replies": [
            {"recipient_id": body["sender"], "text": "Hoi!", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
            {"recipient_id": body["sender"], "custom": {"x": 1}}]})

    async def start(self):
        app = web.Application()
        app.router.add_post("/webhooks/gateway/webhook", self.webhook)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def door():
    fake = FakeGateway()
    rasa_url = await fake.start()
    settings = replace(load_settings(), rasa_url=rasa_url, channel_secret=CHANNEL, identity_secret=IDENTITY,
                       limit_messages_per_minute=3, limit_address_messages_per_minute=5,
                       limit_conversations_per_hour=4)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, fake
    finally:
        await client.close()
        await fake.server.close()


async def new_token(client) -> str:
    response = await client.post("/chat/session", json={})
    assert response.status == 200
    return (await response.json())["token"]


async def say(client, token, text, **extra):
    return await client.post("/chat/message", json={"message": text, **extra},
                             headers={"Authorization": f"Bearer {token}"})


async def test_a_session_token_is_random_signed_and_kept_across_a_reload(door):
    client, _ = door
    token = await new_token(client)
    random_part = token.split(".")[0]
    assert len(base64.urlsafe_b64decode(random_part + "==")) * 8 >= 128
    assert token != await new_token(client)
    again = await client.post("/chat/session", json={"token": token})
    assert (await again.json())["token"] == token                # a reload keeps the conversation
    invented = await client.post("/chat/session", json={"token": "A" * 22 + "." + "B" * 22})
    assert (await invented.json())["token"] != "A" * 22 + "." + "B" * 22


async def test_a_message_reaches_rasa_under_a_server_derived_sender_and_a_hashed_address(door):
    client, fake = door
    token = await new_token(client)
    response = await say(client, token, "hoi", message_id="m1", region="Zeeland", sender="iemand-anders")
    assert response.status == 200
    assert await response.json() == {"replies": [{"text": "Hoi!", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]}
    [sent] = fake.seen
    assert sent["sender"] == identity.web_sender_id(IDENTITY, token) and re.match(r"^web-[0-9a-f]{32}$", sent["sender"])
    assert sent["metadata"] == {"source": "web-widget", "region": "zeeland", "message_id": "m1",
                                "client_key": identity.client_key(IDENTITY, "127.0.0.1")}
    assert "127.0.0.1" not in str(sent)


async def test_no_valid_token_no_conversation(door):
    client, fake = door
    for headers in ({}, {"Authorization": "Bearer " + identity.web_sender_id(IDENTITY, "x")},
                    {"Authorization": "Bearer abc.def"}):
        response = await client.post("/chat/message", json={"message": "hoi"}, headers=headers)
        assert response.status == 401 and (await response.json())["error"] == "no_session"
    assert (await client.post("/api/chat", json={"sender": "x", "message": "hoi"})).status in (404, 405)
    assert fake.seen == []


async def test_too_long_and_huge_messages_get_dutch_answers_and_reach_nobody(door):
    client, fake = door
    token = await new_token(client)
    response = await say(client, token, "a" * 2001)
    assert response.status == 413 and "te lang" in (await response.json())["message"]
    huge = await client.post("/chat/message", data=b'{"message": "' + b"a" * 10_000_000 + b'"}',
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert huge.status == 413 and "te lang" in (await huge.json())["message"]
    assert (await say(client, token, "a" * 2000)).status == 200
    assert [len(s["message"]) for s in fake.seen] == [2000]


async def test_rate_limits_answer_429_even_rustig_aan(door):
    client, fake = door
    token = await new_token(client)
    for n in range(3):
        assert (await say(client, token, f"bericht {n}")).status == 200
    limited = await say(client, token, "nog een")
    body = await limited.json()
    assert limited.status == 429 and "Even rustig aan" in body["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 and body["retry_after"] == int(limited.headers["Retry-After"])
    other = await new_token(client)                              # same address: 5 a minute in total
    assert (await say(client, other, "hoi")).status == 200
    assert (await say(client, other, "hoi")).status == 200
    assert (await say(client, other, "hoi")).status == 429
    assert len(fake.seen) == 5
    # new conversations per address per hour (4; two were used above)
    assert (await client.post("/chat/session", json={})).status == 200
    assert (await client.post("/chat/session", json={})).status == 200
    refused = await client.post("/chat/session", json={})
    assert refused.status == 429 and "Even rustig aan" in (await refused.json())["message"]
    assert (await client.post("/chat/session", json={"token": token})).status == 200   # resuming stays possible


async def test_rasa_down_is_a_dutch_503(tmp_path):
    settings = replace(load_settings(), rasa_url="http://127.0.0.1:9", channel_secret=CHANNEL, identity_secret=IDENTITY)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await say(client, await new_token(client), "hoi")
        assert response.status == 503 and "niet bereikbaar" in (await response.json())["message"]
    finally:
        await client.close()


def test_sender_ids_cannot_be_guessed_from_what_the_client_or_a_mail_shows():
    token = identity.new_session_token(IDENTITY)
    sender = identity.web_sender_id(IDENTITY, token)
    assert identity.valid_session_token(IDENTITY, token)
    assert not identity.valid_session_token(IDENTITY, sender)            # a conversation id is no key
    assert not identity.valid_session_token("ander-geheim", token)
    assert identity.telegram_sender_id(IDENTITY, 123) != "tg-123"
    assert identity.telegram_sender_id(IDENTITY, 123) == identity.telegram_sender_id(IDENTITY, "123")
    assert identity.telegram_sender_id("ander-geheim", 123) != identity.telegram_sender_id(IDENTITY, 123)


def test_rate_limiter_windows_and_memory_bound():
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0], max_keys=3)
    assert [limiter.hit("a", 2, 60) for _ in range(3)] == [None, None, 60]
    now[0] += 30
    assert limiter.hit("a", 2, 60) == 30
    now[0] += 31
    assert limiter.hit("a", 2, 60) is None
    # refused in one rule: counted in none
    assert limiter.check_all(("b", 5, 60), ("a", 2, 60)) is None
    assert limiter.check_all(("b", 5, 60), ("a", 2, 60)) is not None
    for key in ("c", "d", "e"):
        limiter.hit(key, 1, 60)
    assert limiter.hit("b", 1, 60) is None                    # "b" was forgotten (oldest), not kept forever


def test_stored_secret_is_created_once_private_and_shared(tmp_path):
    first = stored_secret(tmp_path, "channel-secret")
    assert len(first) >= 32 and stored_secret(tmp_path, "channel-secret") == first
    assert (tmp_path / "channel-secret").stat().st_mode & 0o777 == 0o600
    assert stored_secret(tmp_path, "channel-secret", "uit-de-omgeving") == "uit-de-omgeving"


def test_leads_per_client_address_per_day(sqlite_url):
    from bot.intake.referral import create_lead, lead_limit_reached
    from bot.store.models import utcnow

    key = identity.client_key(IDENTITY, "203.0.113.7")
    for n in range(2):
        assert not lead_limit_reached(sqlite_url, key, 2, utcnow())
        create_lead(sqlite_url, make_lead(conversation=f"web-{n}", phone=f"+3161234567{n}", client_key=key))
    assert lead_limit_reached(sqlite_url, key, 2, utcnow())
    assert not lead_limit_reached(sqlite_url, key, 2, utcnow() + timedelta(days=1, minutes=1))
    assert not lead_limit_reached(sqlite_url, identity.client_key(IDENTITY, "203.0.113.8"), 2, utcnow())
    assert not lead_limit_reached(sqlite_url, None, 2, utcnow())          # local tools: no client key


async def test_gateway_handles_a_retried_message_once():
    from bot.channels.gateway import Deduplicator

    dedup, calls = Deduplicator(limit=10), []

    async def handle():
        calls.append(1)
        await asyncio.sleep(0.05)
        return [{"text": "Hoi!"}]

    first, second = await asyncio.gather(dedup.once(("web-a", "m1"), handle), dedup.once(("web-a", "m1"), handle))
    assert first == second == [{"text": "Hoi!"}] and len(calls) == 1
    assert await dedup.once(("web-a", "m1"), handle) == [{"text": "Hoi!"}] and len(calls) == 1
    await dedup.once(("web-a", "m2"), handle)
    assert len(calls) == 2

    async def broken():
        raise RuntimeError("rasa hiccup")

    with pytest.raises(RuntimeError):
        await dedup.once(("web-a", "m3"), broken)
    assert await dedup.once(("web-a", "m3"), handle) == [{"text": "Hoi!"}]   # a failed try is really retried


def test_migrate_senders_moves_old_telegram_conversations_and_leads(tmp_path, sqlite_url):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.handoff.followup import reach_for
    from bot.intake.referral import create_lead
    from bot.ops.migrate_senders import migrate_senders
    from bot.store.db import new_session
    from bot.store.models import ConsentRecord, Lead

    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    for sender in ("tg-4242", "tg--100123", "web-keepme"):
        tracker = DialogueStateTracker.from_events(sender, [UserUttered(f"hoi van {sender}")])
        asyncio.run(store.save(tracker))
    old = create_lead(sqlite_url, make_lead(conversation="tg-4242", channel="rest")).lead

    report = migrate_senders(sqlite_url, tracker_url, IDENTITY)
    assert (report.conversations, report.leads, report.consent_records) == (2, 1, 1)

    new_id = identity.telegram_sender_id(IDENTITY, 4242)
    moved = asyncio.run(store.retrieve(new_id))
    assert [e.text for e in moved.events if isinstance(e, UserUttered)] == ["hoi van tg-4242"]
    assert asyncio.run(store.retrieve("tg-4242")) is None
    assert asyncio.run(store.retrieve(identity.telegram_sender_id(IDENTITY, -100123))) is not None
    assert asyncio.run(store.retrieve("web-keepme")) is not None
    with new_session(sqlite_url) as session:
        lead = session.get(Lead, old.id)
        assert (lead.conversation_id, lead.channel, lead.channel_ref) == (new_id, "telegram", "4242")
        assert session.query(ConsentRecord).filter_by(conversation_id=new_id).count() == 1
        assert reach_for(lead) == ("telegram", "4242")               # the follow-up still finds the chat
    assert migrate_senders(sqlite_url, tracker_url, IDENTITY).conversations == 0   # safe to run twice


def test_the_widget_gets_the_erasure_signal_and_nothing_else_of_a_custom_payload():
    from bot.channels.web_chat import widget_replies

    replies = widget_replies([
        {"text": "Ik heb dit gesprek gewist."},
        {"custom": {"data": {"gouden_poort": {"clear_storage": True}}}},
        {"custom": {"script": "alert(1)", "gouden_poort": {"clear_storage": "ja"}}},
    ])
    assert replies == [{"text": "Ik heb dit gesprek gewist.", "buttons": []},
                       {"gouden_poort": {"clear_storage": True}}]
