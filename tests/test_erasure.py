"""Erasure and retention: nothing of the person left in any lead-store table or in the tracker
store; only an anonymous count. Runs on SQLite and PostgreSQL."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, inspect, select, text

from bot.store import erasure, retention
from bot.store.db import new_session
from bot.intake.referral import create_lead
from bot.store.models import Lead
from tests.store_fixtures import store_url  # noqa: F401
from tests.test_lead_store import make_lead

PHONE = "+31699887766"


def _make_tracker(url, senders):
    """A tracker store with Rasa's SQL schema (table ``events``; only the columns we touch matter)."""
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
                          " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
                          " action_name VARCHAR(255), data TEXT)"))
        for i, sender in enumerate(senders):
            conn.execute(text("INSERT INTO events (id, sender_id, type_name, data) VALUES (:i, :s, 'user', :d)"),
                         {"i": i + 1, "s": sender, "d": f'{{"text": "mijn nummer is {PHONE}"}}' if sender == "victim" else "{}"})
    engine.dispose()


def _everything_mentioning(url, needles):
    engine = create_engine(url, future=True)
    hits = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                joined = " ".join(str(v) for v in row)
                hits += [(table, n) for n in needles if n in joined]
    engine.dispose()
    return hits


def test_erase_person_leaves_nothing_but_a_count(store_url, tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    _make_tracker(tracker_url, ["victim", "victim", "bystander"])
    victim = create_lead(store_url, make_lead(conversation="victim", phone=PHONE, first_name="Zoë"))
    other = create_lead(store_url, make_lead(conversation="bystander", phone="+31611111111"))
    needles = ["victim", PHONE, victim.id, "Zoë"]
    assert _everything_mentioning(store_url, needles)  # the check can see the data before erasure

    result = erasure.erase_person(store_url, "victim", tracker_url, schedule_sweeps=False)
    assert result.leads == 1 and result.consent_records >= 1 and result.tracker_events == 2

    leftovers = [h for h in _everything_mentioning(store_url, needles) if h[0] != "tracker_erasures"]
    assert leftovers == []
    assert _everything_mentioning(tracker_url, needles) == []
    # the bystander is untouched
    with new_session(store_url) as session:
        assert session.get(Lead, other.id) is not None
    assert _everything_mentioning(tracker_url, ["bystander"])
    assert sum(erasure.erasure_counts(store_url).values()) == 1

    # Rasa writes the last turn after the action: a later sweep removes it, then forgets the sender.
    _make_tracker(tracker_url, [])
    engine = create_engine(tracker_url, future=True)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO events (id, sender_id, type_name, data) VALUES (99, 'victim', 'bot', '{}')"))
    engine.dispose()
    assert retention.sweep(store_url, tracker_url).erasure_events == 1
    later = datetime.now(timezone.utc) + erasure.TRACKER_SWEEP_WINDOW + timedelta(seconds=1)
    retention.sweep(store_url, tracker_url, now=later)
    assert _everything_mentioning(store_url, needles) == []
    assert _everything_mentioning(tracker_url, needles) == []


def test_retention_purges_old_leads_only(store_url, tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    _make_tracker(tracker_url, ["old", "new"])
    old = create_lead(store_url, make_lead(conversation="old", phone="+31622222222"))
    new = create_lead(store_url, make_lead(conversation="new", phone="+31633333333"))
    with new_session(store_url) as session, session.begin():
        session.get(Lead, old.id).created_at = datetime.now(timezone.utc) - timedelta(days=400)
    assert retention.purge_expired_leads(store_url, tracker_url, months=12) == 1
    with new_session(store_url) as session:
        assert session.get(Lead, old.id) is None and session.get(Lead, new.id) is not None
    assert _everything_mentioning(tracker_url, ["old"]) == []
    assert ("retention" in {k for _m, k in erasure.erasure_counts(store_url)})
