"""Follow-up driven by a clock we control: promised time, quiet hours, two nudges, stop, escalation,
and the counsellor's one-click status links (through the real aiohttp handler)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import List

import pytest
from sqlalchemy import select

from bot.store.db import session_factory
from bot.handoff.clock import AMSTERDAM, FakeClock
from bot.handoff.delivery import TemporaryFailure
from bot.handoff.followup import ChannelFollowupSender, answer_nudge, opt_out, record_person_reply
from bot.store.handoff_models import FollowUp, OutboxMessage
from bot.handoff.worker import Worker
from bot.store.models import Lead, LeadEvent
from tests.handoff_support import COUNSELLOR, FRIDAY_AFTERNOON, create_handed_off_lead, fake_telegram, make_settings


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM).astimezone(timezone.utc)


class Recorder:
    """Stands in for SMTP/Telegram/webhook transports and for the follow-up sender."""

    def __init__(self):
        self.outbox: List = []
        self.nudges: List = []
        self.fail_nudges = 0

    def send(self, *args):
        if len(args) == 1:
            self.outbox.append(args[0])
            return
        if self.fail_nudges:
            self.fail_nudges -= 1
            raise TemporaryFailure("bot api down")
        self.nudges.append(args)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, sqlite_url):
    if request.param == "sqlite":
        yield sqlite_url
        return
    from tests.services import temporary_pg_database
    with temporary_pg_database("gp_handoff") as url:
        yield url


@pytest.fixture
def env(db_url, tmp_path):
    settings = make_settings(db_url, tmp_path)
    factory = session_factory(db_url)
    clock = FakeClock(FRIDAY_AFTERNOON)
    rec = Recorder()
    worker = Worker(factory, settings, clock=clock, transports={"email": rec, "telegram": rec, "webhook": rec},
                    followup_sender=rec)
    return settings, factory, clock, rec, worker


# The sender id is derived from the chat id one-way (bot.channels.identity); the lead keeps the chat id.
TELEGRAM_PERSON = dict(channel="telegram", conversation_id="telegram-" + "5e" * 16, channel_ref="987654",
                       contact={"method": "whatsapp", "value": "+31612345678"})


def follow_ups(factory, lead_id):
    with factory() as session:
        return session.execute(select(FollowUp).where(FollowUp.lead_id == lead_id)
                               .order_by(FollowUp.kind, FollowUp.seq)).scalars().all()


def escalations(factory, lead_id):
    with factory() as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.lead_id == lead_id,
                                                           OutboxMessage.kind == "escalation")).scalars().all()


def test_full_follow_up_timeline(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    worker.run_once()
    assert len(rec.outbox) == 1 and rec.nudges == []           # hand-off sent, nobody nudged yet

    clock.set(local(2026, 12, 1, 16, 59))                      # a minute before the promise
    worker.run_once()
    assert rec.nudges == [] and escalations(factory, lead_id) == []

    clock.set(local(2026, 12, 1, 21, 30))                      # worker was down; wakes up in quiet hours
    worker.run_once()
    assert rec.nudges == []                                    # never between 21:00 and 08:00
    nudge1 = [f for f in follow_ups(factory, lead_id) if f.kind == "nudge"][0]
    assert nudge1.status == "scheduled"
    assert nudge1.due_at.replace(tzinfo=timezone.utc) == local(2026, 12, 2, 8, 0)
    (esc,) = escalations(factory, lead_id)                     # no status from Sanne → coordinator, once
    assert esc.recipient == "coordinator.zeeland@example.org"
    assert lead_id in esc.payload["subject"]
    assert "Sam" not in esc.payload["text"] and "+316" not in esc.payload["text"]

    clock.set(local(2026, 12, 2, 7, 59))
    worker.run_once()
    assert rec.nudges == []
    clock.set(local(2026, 12, 2, 8, 0))
    worker.run_once()
    (channel, address, subject, text, key) = rec.nudges[0]
    assert (channel, address) == ("telegram", "987654")
    assert "Heeft Sanne al contact met je gehad?" in text and "stop" in text and lead_id in text
    assert key == f"gp-{lead_id}-nudge-1"

    clock.set(local(2026, 12, 4, 10, 0))                       # two working days later: nudge 2
    worker.run_once()
    assert len(rec.nudges) == 2 and "laatste bericht" in rec.nudges[1][3]

    for _ in range(5):                                         # weeks pass: never a third nudge
        clock.advance(days=7)
        worker.run_once()
    assert len(rec.nudges) == 2
    assert len(escalations(factory, lead_id)) == 1             # and never a second escalation
    assert [f.status for f in follow_ups(factory, lead_id)] == ["sent", "sent", "sent"]


def test_stop_means_no_nudges_ever(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    with factory() as session, session.begin():
        assert opt_out(session, lead_id, clock.now())
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    clock.advance(days=10)
    worker.run_once()
    assert rec.nudges == []
    nudges = [f for f in follow_ups(factory, lead_id) if f.kind == "nudge"]
    assert [(f.status, f.outcome) for f in nudges] == [("cancelled", "person said stop")]


def test_stop_after_first_nudge_cancels_the_second(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert len(rec.nudges) == 1
    with factory() as session, session.begin():
        opt_out(session, lead_id, clock.now())
    clock.advance(days=5)
    worker.run_once()
    assert len(rec.nudges) == 1


def test_counsellor_link_closes_the_loop_no_nudge_no_escalation(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    worker.run_once()
    from bot.handoff.status import set_status_by_link
    assert set_status_by_link(settings.database_url, lead_id, "appointment", clock.now())
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert rec.nudges == [] and escalations(factory, lead_id) == []
    assert {f.status for f in follow_ups(factory, lead_id)} == {"skipped"}


def test_unreachable_status_changes_the_nudge_and_skips_escalation(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    from bot.handoff.status import set_status_by_link
    set_status_by_link(settings.database_url, lead_id, "no_contact", clock.now())
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert "heeft geprobeerd je te bereiken" in rec.nudges[0][3] and "Kloppen je gegevens nog?" in rec.nudges[0][3]
    assert escalations(factory, lead_id) == []


def test_person_says_yes_resolves_the_lead(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    with factory() as session, session.begin():
        record_person_reply(session, lead_id, True, clock.now())
    clock.advance(days=5)
    worker.run_once()
    assert len(rec.nudges) == 1
    with factory() as session:
        assert session.get(Lead, lead_id).status == "in_contact"


def reply_events(factory, lead_id):
    with factory() as session:
        return [(e.kind, (e.details or {}).get("answer")) for e in session.execute(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind.in_(("reply", "alert")))
            .order_by(LeadEvent.id)).scalars()]


def alerts(factory, lead_id):
    with factory() as session:
        return sorted(m.recipient for m in session.execute(select(OutboxMessage).where(
            OutboxMessage.lead_id == lead_id, OutboxMessage.kind == "alert")).scalars())


def test_nee_in_the_chat_is_recorded_and_alerts_counsellor_and_late_coordinator(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    conversation = TELEGRAM_PERSON["conversation_id"]
    # before any nudge, "nee" is an ordinary answer: nothing recorded
    assert answer_nudge(settings.database_url, conversation, False, "nee", clock.now(), settings) is None
    clock.set(local(2026, 12, 1, 17, 0))            # nudge 1 at the promised time
    worker.run_once()
    assert len(rec.nudges) == 1
    clock.advance(hours=1)
    assert answer_nudge(settings.database_url, conversation, False, "nee, nog niks gehoord", clock.now(), settings,
                        lambda region: ["coordinator@zeeland.example.org"]) == "nee"
    assert reply_events(factory, lead_id) == [("reply", "nee"), ("alert", None)]
    assert alerts(factory, lead_id) == ["coordinator@zeeland.example.org", "sanne@example.org"]
    with factory() as session:
        assert session.get(Lead, lead_id).status == "delivered"   # still open: escalation and nudge 2 stay
        texts = [m.payload["text"] for m in session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "alert")).scalars()]
    assert all(lead_id in t and "+316" not in t and "Sam" not in t for t in texts)   # no personal data
    # answered: a second "nee" is no longer a nudge answer
    assert answer_nudge(settings.database_url, conversation, False, "nee", clock.now(), settings) is None


def test_ja_in_the_chat_marks_contact_and_stops_the_follow_up(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert answer_nudge(settings.database_url, TELEGRAM_PERSON["conversation_id"], True, "ja ze heeft gebeld", clock.now(), settings) == "ja"
    assert reply_events(factory, lead_id) == [("reply", "ja")] and alerts(factory, lead_id) == []
    clock.advance(days=5)
    worker.run_once()
    assert len(rec.nudges) == 1
    with factory() as session:
        assert session.get(Lead, lead_id).status == "in_contact"


def test_phone_only_person_is_recorded_as_not_reachable(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings)  # web chat, WhatsApp number: we cannot nudge
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert rec.nudges == []
    nudge = [f for f in follow_ups(factory, lead_id) if f.kind == "nudge"][0]
    assert nudge.status == "not_reachable" and "not reachable proactively" in nudge.outcome


def test_email_contact_is_nudged_by_email_and_retried_when_sender_fails(env):
    settings, factory, clock, rec, worker = env
    lead_id = create_handed_off_lead(factory, settings, contact={"method": "email", "value": "sam@example.org"})
    rec.fail_nudges = 1
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    assert rec.nudges == []
    clock.advance(minutes=16)
    worker.run_once()
    assert rec.nudges[0][:3] == ("email", "sam@example.org", "Heeft Sanne al contact met je gehad?")


def test_real_telegram_follow_up_sender(sqlite_url, tmp_path, fake_telegram):
    settings = make_settings(sqlite_url, tmp_path, telegram_token=fake_telegram.token,
                             telegram_api_base=fake_telegram.base_url)
    factory = session_factory(sqlite_url)
    clock = FakeClock(FRIDAY_AFTERNOON)
    rec = Recorder()
    worker = Worker(factory, settings, clock=clock, transports={"email": rec},
                    followup_sender=ChannelFollowupSender(settings))
    create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    clock.set(local(2026, 12, 1, 17, 0))
    worker.run_once()
    (sent,) = fake_telegram.sent
    assert sent["chat_id"] == "987654" and "Heeft Sanne al contact met je gehad?" in sent["text"]


def test_stop_typed_in_the_chat_cancels_this_conversations_nudges_only(env):
    """The Rasa action only knows the sender id; the other person's follow-ups stay."""
    from bot.handoff.followup import opt_out_conversation

    settings, factory, clock, rec, worker = env
    stopped = create_handed_off_lead(factory, settings, **TELEGRAM_PERSON)
    other = create_handed_off_lead(factory, settings, **{**TELEGRAM_PERSON, "conversation_id": "555",
                                                         "contact": {"method": "whatsapp", "value": "+31687654321"}})
    assert opt_out_conversation(settings.database_url, TELEGRAM_PERSON["conversation_id"], clock.now())
    assert not opt_out_conversation(settings.database_url, "nobody", clock.now())
    assert {f.status for f in follow_ups(factory, stopped) if f.kind == "nudge"} == {"cancelled"}
    assert {f.status for f in follow_ups(factory, other) if f.kind == "nudge"} == {"scheduled"}
