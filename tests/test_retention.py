"""The tracker purge (bot.store.retention) against Rasa's own SQL tracker store, on SQLite and on
PostgreSQL: conversations that end without a lead, quiet ones, and the ones that became a lead.

Trackers are written with Rasa's ``SQLTrackerStore`` itself, so the ``events`` table, its columns and
Rasa's "re-insert what is missing" save behave exactly as in production.
"""
import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.intake.referral import create_lead
from bot.store import erasure, retention
from bot.store.db import new_session
from bot.store.models import TrackerErasure
from tests.store_fixtures import store_url  # noqa: F401
from tests.test_lead_store import make_lead

NAME, PHONE, POSTCODE = "Zoë", "+31612345678", "4331 AB"
NEEDLES = (NAME, PHONE, POSTCODE)


class Trackers:
    """Rasa's SQLTrackerStore on the test database, plus a look at what is left in ``events``."""

    def __init__(self, url: str):
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain

        self.url = url
        self.domain = Domain.from_yaml(
            "version: '3.1'\nslots:\n  first_name:\n    type: text\n    mappings: []\n")
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            self.store = SQLTrackerStore(domain=self.domain, dialect="sqlite", db=parsed.database)
        else:
            self.store = SQLTrackerStore(domain=self.domain, dialect="postgresql", host=parsed.host,
                                         port=parsed.port, username=parsed.username, db=parsed.database)

    def conversation(self, sender: str, at: datetime, name: str = NAME, phone: str = PHONE,
                     postcode: str = POSTCODE):
        """An intake up to the consent preview: everything typed is personal."""
        from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        t = at.timestamp()
        events = [ActionExecuted("action_listen", timestamp=t),
                  UserUttered(name, {"name": "inform"}, timestamp=t + 1), SlotSet("first_name", name, timestamp=t + 2),
                  UserUttered(postcode, {"name": "inform"}, timestamp=t + 3),
                  UserUttered(phone, {"name": "inform"}, entities=[{"entity": "phone", "value": phone}], timestamp=t + 4),
                  BotUttered(f"Dit sturen we naar Sanne:\n- Naam: {name}\n- Contact: {phone}", timestamp=t + 5)]
        tracker = DialogueStateTracker.from_events(sender, events, slots=self.domain.slots)
        asyncio.run(self.store.save(tracker))
        return tracker

    def write_again(self, sender: str, at: datetime, message: str = "hoi, ik ben er weer"):
        from rasa.shared.core.events import UserUttered

        tracker = asyncio.run(self.store.retrieve(sender))
        tracker.update(UserUttered(message, {"name": "greet"}, timestamp=at.timestamp()))
        asyncio.run(self.store.save(tracker))

    def rows(self, sender: str) -> int:
        engine = create_engine(self.url, future=True)
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar_one()
        engine.dispose()
        return n

    def personal_text(self) -> list:
        engine = create_engine(self.url, future=True)
        with engine.connect() as conn:
            data = [r[0] for r in conn.execute(text("SELECT data FROM events"))]
        engine.dispose()
        return [n for n in NEEDLES for d in data if n in d or n.encode("unicode_escape").decode() in d]


@pytest.fixture
def trackers(store_url):
    """The tracker store lives beside the lead store: a second SQLite file, or the same PostgreSQL
    database (Rasa's ``events`` table does not collide with ours)."""
    if store_url.startswith("sqlite"):
        url = store_url.replace("leads.db", "tracker.db")
    else:
        url = store_url
    t = Trackers(url)
    yield t
    t.store.engine.dispose()
    for engine in erasure._tracker_engines.values():
        engine.dispose()
    erasure._tracker_engines.clear()


def now_utc():
    return datetime.now(timezone.utc)


def pending(store_url):
    with new_session(store_url) as session:
        return {(r.sender_id, r.kind) for r in session.query(TrackerErasure)}


def test_conversation_that_ended_without_lead_is_deleted_after_the_settle_time(store_url, trackers):
    start = now_utc() - timedelta(minutes=5)
    trackers.conversation("stopped", start)
    trackers.conversation("bystander", start, name="Bram", phone="+31611111111", postcode="1012 AB")
    ended = start + timedelta(seconds=10)
    retention.mark_ended(store_url, "stopped", now=ended)
    assert trackers.personal_text()  # the check sees the data before the purge

    early = retention.sweep(store_url, trackers.url, now=ended + timedelta(seconds=5))
    assert early.ended == 0 and trackers.rows("stopped") > 0  # Rasa may still be saving that turn

    report = retention.purge(store_url, trackers.url, now=ended + retention.ENDED_SETTLE + timedelta(seconds=1))
    assert report.ended == 1 and report.inactive == 0
    assert trackers.rows("stopped") == 0 and trackers.personal_text() == []
    assert trackers.rows("bystander") > 0            # quiet for minutes only: kept
    assert pending(store_url) == set()               # not even the conversation id stays behind
    assert erasure.erasure_counts(store_url)[(ended.strftime("%Y-%m"), "ended")] == 1

    again = retention.purge(store_url, trackers.url, now=ended + timedelta(minutes=2))
    assert (again.ended, again.inactive, again.expired_leads) == (0, 0, 0)  # idempotent


def test_purge_at_once_survives_rasa_writing_the_turn_back(store_url, trackers):
    """``python -m bot leads purge`` deletes at once; when Rasa then saves the turn it still held in
    memory (its SQL store re-inserts every event it finds missing), the next run removes it again."""
    start = now_utc() - timedelta(seconds=20)
    in_memory = trackers.conversation("late-save", start)
    ended = now_utc()
    retention.mark_ended(store_url, "late-save", now=ended)

    assert retention.purge(store_url, trackers.url, now=ended, at_once=True).ended == 0  # not yet settled
    assert trackers.rows("late-save") == 0
    asyncio.run(trackers.store.save(in_memory))      # the trap: Rasa writes the whole session back
    assert trackers.rows("late-save") > 0 and trackers.personal_text()

    report = retention.purge(store_url, trackers.url, now=ended + retention.ENDED_SETTLE)
    assert report.ended == 1 and trackers.rows("late-save") == 0 and trackers.personal_text() == []


def test_a_person_who_comes_back_is_not_cut_off_mid_conversation(store_url, trackers):
    start = now_utc() - timedelta(minutes=3)
    trackers.conversation("back", start)
    ended = start + timedelta(seconds=30)
    retention.mark_ended(store_url, "back", now=ended)
    trackers.write_again("back", ended + timedelta(seconds=10))

    report = retention.purge(store_url, trackers.url, now=ended + timedelta(minutes=1))
    assert report.came_back == 1 and report.ended == 0
    assert trackers.rows("back") > 0 and pending(store_url) == set()
    # from now on the inactivity rule covers the whole conversation
    later = retention.purge(store_url, trackers.url, now=ended + timedelta(hours=25))
    assert later.inactive == 1 and trackers.rows("back") == 0


def test_conversation_that_became_a_lead_follows_the_lead_retention(store_url, trackers):
    long_ago = now_utc() - timedelta(days=3)
    trackers.conversation("lead-conv", long_ago)
    create_lead(store_url, make_lead(conversation="lead-conv", phone=PHONE, first_name=NAME))
    retention.mark_ended(store_url, "lead-conv", now=long_ago + timedelta(minutes=1))  # stop after the lead

    report = retention.purge(store_url, trackers.url, now=now_utc())
    assert report.kept_for_lead == 1 and report.inactive == 0 and report.ended == 0
    assert trackers.rows("lead-conv") > 0

    expired = retention.purge(store_url, trackers.url, now=now_utc() + timedelta(days=400))
    assert expired.expired_leads == 1 and trackers.rows("lead-conv") == 0


def test_inactive_conversations_without_lead_go_fresh_ones_stay(store_url, trackers):
    now = now_utc()
    trackers.conversation("quiet", now - timedelta(hours=25))
    trackers.conversation("fresh", now - timedelta(hours=23), name="Bram", phone="+31611111111", postcode="1012 AB")

    report = retention.purge(store_url, trackers.url, now=now, inactivity=timedelta(hours=24))
    assert report.inactive == 1
    assert trackers.rows("quiet") == 0 and trackers.rows("fresh") > 0
    assert retention.purge(store_url, trackers.url, now=now, inactivity=timedelta(hours=24)).inactive == 0
    # the worker looks one interval ahead, so "binnen 24 uur" holds to the minute
    ahead = retention.purge(store_url, trackers.url, now=now, inactivity=timedelta(hours=24),
                            lookahead=timedelta(hours=1, minutes=1))
    assert ahead.inactive == 1 and trackers.rows("fresh") == 0


def test_inactivity_period_comes_from_the_setting(store_url, trackers, monkeypatch):
    now = now_utc()
    trackers.conversation("two-hours", now - timedelta(hours=2))
    monkeypatch.setenv("GP_TRACKER_INACTIVITY_HOURS", "3")
    assert retention.purge(store_url, trackers.url, now=now).inactive == 0
    monkeypatch.setenv("GP_TRACKER_INACTIVITY_HOURS", "1")
    assert retention.purge(store_url, trackers.url, now=now).inactive == 1
    assert retention.periods()["inactivity"] == "1 uur"


def test_an_end_never_weakens_a_pending_erasure(store_url, trackers):
    trackers.conversation("erase-me", now_utc() - timedelta(minutes=1))
    erasure.erase_person(store_url, "erase-me", trackers.url, schedule_sweeps=False)
    retention.mark_ended(store_url, "erase-me")
    assert pending(store_url) == {("erase-me", "erasure")}


def test_purge_logs_counts_not_contents(store_url, trackers, caplog):
    trackers.conversation("logged", now_utc() - timedelta(hours=30))
    with caplog.at_level(logging.INFO, logger="bot.store.retention"):
        report = retention.purge(store_url, trackers.url)
    assert report.inactive == 1 and caplog.records
    logged = caplog.text + str(report)
    assert "1 inactieve" in logged
    assert not [n for n in NEEDLES + ("logged",) if n in logged]


def test_leads_purge_command_deletes_ended_conversations_at_once(store_url, trackers, tmp_path):
    trackers.conversation("cli-stop", now_utc() - timedelta(minutes=2))
    trackers.conversation("cli-fresh", now_utc() - timedelta(minutes=2), name="Bram", phone="+31611111111", postcode="1012 AB")
    retention.mark_ended(store_url, "cli-stop")              # ended just now
    env = dict(os.environ, DATABASE_URL=store_url, TRACKER_STORE_URL=trackers.url, GP_VAR_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "bot", "leads", "purge"], env=env, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    assert trackers.rows("cli-stop") == 0 and trackers.rows("cli-fresh") > 0
    assert "gewist" in out and not [n for n in NEEDLES + ("cli-stop",) if n in out]


def test_worker_loop_runs_the_purge_on_its_own(store_url, trackers):
    from bot.handoff.settings import HandoffSettings
    from bot.handoff.worker import Worker
    from bot.store.db import session_factory

    trackers.conversation("worker-quiet", now_utc() - timedelta(hours=30))
    runs = []

    def purge():
        runs.append(retention.purge(store_url, trackers.url))

    worker = Worker(session_factory(store_url), HandoffSettings(database_url=store_url, var_dir=None, poll_seconds=0.05),
                    transports={}, purge=purge, purge_interval=0.2)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(runs) < 2:
        time.sleep(0.05)
    worker.stop()
    thread.join(5)
    assert len(runs) >= 2 and runs[0].inactive == 1 and runs[1].inactive == 0
    assert trackers.rows("worker-quiet") == 0
