"""Rasa's SQL tracker store, minus two costs it pays on every turn (issue 14, bench/profile_turn.py).

Rasa (3.6) runs its tracker store on its one event loop, so whatever a save costs, every conversation
on that server waits for it. Its ``SQLTrackerStore.save``

1. loads and rebuilds the whole session's tracker a second time, only to find which events are new
   for the event broker (``stream_events``), although the count of stored events, which the save
   queries anyway, says the same: the new events are the ones after that count;
2. hands the event broker one event at a time, and the SQL broker commits each one: ten or more
   commits, each a disk flush, per turn.

This store finds the new events once, writes them to the SQL broker in one transaction (other brokers,
e.g. RabbitMQ, still get them one by one, in order, before the tracker is saved, as in Rasa), and
stores them as Rasa does: the same ``events`` table, rows and order, so Rasa, the retention purge,
the funnel consumer and the tests read it unchanged.

After an erasure (bot.store.erasure) Rasa saves the erasing turn into a tracker it believes empty,
so every event of the conversation, typed e-mail and code included, would be stored and published to
the event broker again (a new funnel row seconds later, issue 25). While the lead store lists the
conversation in ``tracker_erasures`` with kind "erasure", this store therefore neither stores nor
publishes it: one small query, only when the store holds no event of that conversation.

On SQLite both databases (tracker and broker) keep their connection open and run in WAL mode (readers and the one writer do not
block each other; the mode is kept in the file) with a busy timeout, so a purge by the worker makes a
turn wait instead of fail, and ``synchronous=NORMAL``: a commit no longer waits for the disk, at the
price that a power cut (not a crash of Rasa) can lose the last turns of a conversation; never a lead,
which lives in the lead store with full sync (bot/store/db.py). On PostgreSQL nothing changes but
the two points above.

This module is also the one piece of ours that the Rasa server imports before it handles a message, so
it carries one fix to Rasa itself: ``RemoteAction._validate_action_result`` calls
``jsonschema.validate``, which checks Rasa's (constant) event schema against the JSON-Schema
meta-schema on every action call, about 100 ms of CPU on this machine, more than the action itself.
``check_action_results_once_compiled`` keeps the same check with a validator compiled once (about
2 ms); an invalid answer of the action server is refused as before.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import SingletonThreadPool

BUSY_TIMEOUT_MS = 30_000
log = logging.getLogger(__name__)


def check_action_results_once_compiled() -> None:
    """Rasa's check of an action server's answer, with the schema compiled once instead of per call."""
    if getattr(RemoteAction._validate_action_result, "compiled_once", False):
        return
    spec = RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)
    original = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError:
            return original(self, result)  # Rasa's own message for the refusal

    validate_action_result.compiled_once = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result


check_action_results_once_compiled()


def tuned_sqlite(engine: Engine) -> Engine:
    """For an SQLite file: an engine that keeps its connection (one per thread) instead of opening the
    file anew for every query, as SQLAlchemy 1.4 does for SQLite files (about 50 ms against 12 ms per
    save here), with WAL, a busy timeout and NORMAL sync. Other engines come back as they are."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    pooled = create_engine(engine.url, poolclass=SingletonThreadPool)
    engine.dispose()
    tune_sqlite(pooled)
    return pooled


def tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and NORMAL sync on every new connection of an SQLite engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete=ON")  # erased text is overwritten in the file (issue 25)
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class TrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with one count instead of a second tracker load, and one broker commit per
    turn instead of one per event. Configured in endpoints.yml as ``type: bot.store.rasa_tracker.TrackerStore``
    with the same keys as Rasa's ``type: SQL`` (bot/ops/endpoints.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine = tuned_sqlite(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine)
        broker = self.event_broker
        if isinstance(broker, SQLEventBroker):
            broker.engine = tuned_sqlite(broker.engine)
            broker.sessionmaker = sessionmaker(bind=broker.engine)

    _erasures_engine: Optional[Engine] = None

    def _being_erased(self, sender_id: Text) -> bool:
        """Is this conversation being erased on request (``tracker_erasures``, kind "erasure")?"""
        try:
            if TrackerStore._erasures_engine is None:
                from bot.ops.config import load_settings  # the lead store's URL; imported late (Rasa start)
                url = load_settings().database_url
                path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
                if path and not Path(path).exists():
                    return False  # no lead store yet: nothing is being erased (and no empty file made)
                TrackerStore._erasures_engine = create_engine(
                    url, future=True, **({"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}))
            with TrackerStore._erasures_engine.connect() as conn:
                return conn.execute(text("SELECT 1 FROM tracker_erasures WHERE sender_id = :s AND kind = 'erasure'"),
                                    {"s": sender_id}).first() is not None
        except Exception:  # no lead store (yet): store as Rasa does; the erasure's sweeps still run
            log.debug("could not read tracker_erasures", exc_info=True)
            return False

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events: List[Event] = list(self._additional_events(session, tracker))
            if new_events and len(new_events) == len(tracker.events) and self._being_erased(tracker.sender_id):
                return  # the erasing turn: not back into the tracker store, not again to the broker
            self._publish(tracker.sender_id, new_events)
            for new in new_events:
                data = new.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=new.type_name, timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()

    def _publish(self, sender_id: Text, new_events: List[Event]) -> None:
        broker = self.event_broker
        if broker is None or not new_events:
            return
        bodies: List[Dict[Text, Any]] = [{"sender_id": sender_id, **e.as_dict()} for e in new_events]
        if isinstance(broker, SQLEventBroker):
            with broker.session_scope() as session:
                session.add_all([broker.SQLBrokerEvent(sender_id=sender_id, data=json.dumps(body))
                                 for body in bodies])
                session.commit()
            return
        for body in bodies:
            broker.publish(body)
