"""Our tracker store (bot/store/rasa_tracker.py) stores and publishes exactly what Rasa's own
SQLTrackerStore does, only cheaper: same rows in the tracker's ``events`` table, every event once and
in order in the SQL broker, and WAL on both SQLite files."""
import asyncio
import json

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.ops.endpoints import TRACKER_STORE_CLASS
from bot.store.rasa_tracker import TrackerStore

DOMAIN = Domain.from_dict({"intents": ["greet"], "slots": {"first_name": {
    "type": "text", "mappings": [{"type": "custom"}]}}, "responses": {"utter_greet": [{"text": "Hoi"}]}})


def _turns():
    first = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
             UserUttered("hoi", {"name": "greet", "confidence": 1.0}), ActionExecuted("utter_greet"),
             BotUttered("Hoi"), ActionExecuted("action_listen")]
    second = [UserUttered("Sam", {"name": "greet", "confidence": 0.9}), SlotSet("first_name", "Sam"),
              ActionExecuted("action_listen")]
    return first, second


def _play(store, sender):
    first, second = _turns()

    async def run():
        tracker = DialogueStateTracker.from_events(sender, first, DOMAIN.slots)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        for event in second:
            tracker.update(event)
        await store.save(tracker)
        return await store.retrieve(sender)

    return asyncio.run(run())


def _rows(path, columns):
    engine = sa.create_engine(f"sqlite:///{path}", future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {columns} FROM events ORDER BY id")).all()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    return [tuple(row) for row in rows], mode


def _strip_time(rows):
    return [tuple(json.dumps({k: v for k, v in json.loads(col).items() if k != "timestamp"}, sort_keys=True)
                  if isinstance(col, str) and col.startswith("{") else col for col in row if not isinstance(col, float))
            for row in rows]


def test_same_rows_and_broker_events_as_rasas_own_store(tmp_path):
    ours = TrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"),
                        event_broker=SQLEventBroker(db=str(tmp_path / "ours-events.db")))
    rasa = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"),
                           event_broker=SQLEventBroker(db=str(tmp_path / "rasa-events.db")))
    mine, theirs = _play(ours, "s1"), _play(rasa, "s1")
    assert [e.as_dict()["event"] for e in mine.events] == [e.as_dict()["event"] for e in theirs.events]
    assert mine.get_slot("first_name") == "Sam"

    columns = "sender_id, type_name, intent_name, action_name, data"
    our_rows, our_mode = _rows(tmp_path / "ours.db", columns)
    rasa_rows, _ = _rows(tmp_path / "rasa.db", columns)
    assert _strip_time(our_rows) == _strip_time(rasa_rows) and len(our_rows) == 10
    our_broker, broker_mode = _rows(tmp_path / "ours-events.db", "sender_id, data")
    rasa_broker, _ = _rows(tmp_path / "rasa-events.db", "sender_id, data")
    assert _strip_time(our_broker) == _strip_time(rasa_broker) and len(our_broker) == 10
    assert (our_mode, broker_mode) == ("wal", "wal")


def test_endpoints_name_our_store_with_rasas_sql_keys():
    from dataclasses import replace

    from bot.ops.config import load_settings
    from bot.ops.endpoints import render_endpoints

    rendered = render_endpoints(replace(load_settings(), tracker_store_url="postgresql://u@127.0.0.1:5432/t"))
    assert rendered["tracker_store"] == {"type": TRACKER_STORE_CLASS, "dialect": "postgresql", "db": "t",
                                         "url": "127.0.0.1", "port": 5432, "username": "u"}


def test_action_answers_are_still_checked_with_the_schema_compiled_once():
    import pytest
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    check = RemoteAction("action_x", None)._validate_action_result
    assert getattr(RemoteAction._validate_action_result, "compiled_once", False)
    assert check({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hoi"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        check({"events": [{"event": "no_such_event"}]})
