"""The funnel's consumer on Rasa's own event brokers (no Rasa server needed): the SQL broker writes
into a real SQLite file, the Pika broker into the real RabbitMQ on 127.0.0.1:5672. Both paths must
give the same counts; small cells show as "< 5"; nothing personal reaches the analytics tables."""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from bot.analytics.consume import PikaSource, SqlBrokerSource, rotate, run_once
from bot.analytics.report import SUPPRESSED, csv_export, funnel, shown, text_report, unanswered_groups
from bot.store.db import get_engine, new_session
from tests.analytics_support import (NOW, SECRETS, TS, WEEK, all_events, assert_nothing_personal, conversation,
                                     publish_sql, table_dump)
from tests.services import require_rabbitmq
from tests.store_fixtures import store_url  # noqa: F401


def publish_pika(queue, events):
    from rasa.core.brokers.pika import PikaEventBroker

    async def run():
        broker = PikaEventBroker("127.0.0.1", "guest", "guest", port=5672, queues=[queue],
                                 event_loop=asyncio.get_running_loop())
        await broker.connect()
        for event in events:
            broker.publish(event)
        for _ in range(100):  # publish() schedules; wait until every message has gone out
            await asyncio.sleep(0.05)
            if not broker._unpublished_events and all(t.done() for t in asyncio.all_tasks() if t is not asyncio.current_task()):
                break
        await broker.close()

    asyncio.run(run())


@pytest.fixture
def sql_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    events_db = tmp_path / "events.db"
    publish_sql(events_db, all_events())
    report = run_once(url, SqlBrokerSource(f"sqlite:///{events_db}"), now=NOW)
    return url, events_db, report


def test_sql_broker_counts_exactly(sql_store):
    url, _events_db, report = sql_store
    assert report.events == len(all_events())
    totals = funnel(url, WEEK).totals
    # 10 complete + 8 stopped + 1 denied + 1 question = 20 started; 19 intakes
    assert totals["step:started"] == 20
    assert totals["step:intake"] == 19
    assert totals["step:q:age_band"] == 19
    assert totals["step:q:first_name"] == 18
    assert totals["step:q:contact_time"] == 12
    assert totals["step:preview"] == 11 and totals["step:consent"] == 10 and totals["step:handoff"] == 10
    assert {q: totals.get(f"dropoff:{q}") for q in ("age_band", "first_name", "contact_time")} == \
        {"age_band": 1, "first_name": 1, "contact_time": 1}
    assert totals["fallback"] == 1
    zeeland = funnel(url, WEEK, "AM24").totals
    friesland = funnel(url, WEEK, "AM02").totals
    assert zeeland["step:handoff"] == 7 and friesland["step:handoff"] == 3


def test_a_cell_of_three_shows_as_under_five_everywhere(sql_store):
    url = sql_store[0]
    assert shown(3) == SUPPRESSED and shown(0) == SUPPRESSED and shown(5) == "5"
    friesland_csv = csv_export(url, WEEK, "AM02")
    assert "step:handoff,< 5" in friesland_csv and ",3\n" not in friesland_csv
    assert "step:handoff,7" in csv_export(url, WEEK, "AM24")
    report = text_report(url, WEEK, "AM02")
    assert "Doorgezet naar adviseur" in report and "< 5" in report and " 3\n" not in report


def test_nothing_personal_in_any_analytics_table(sql_store):
    url, events_db, _ = sql_store
    assert_nothing_personal(url, SECRETS)
    # the question is kept, redacted and grouped
    [(question, count)] = unanswered_groups(url)
    assert "fietsen" in question and "[naam]" in question and count == "< 5"
    # the broker's raw rows are gone after reading (the last one stays, emptied)
    engine = create_engine(f"sqlite:///{events_db}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sender_id, data FROM events")).all()
    engine.dispose()
    assert rows == [(None, "{}")]


def test_reading_again_counts_nothing_twice_and_new_rows_continue(sql_store):
    url, events_db, _ = sql_store
    source = SqlBrokerSource(f"sqlite:///{events_db}")
    assert run_once(url, source, now=NOW).events == 0
    publish_sql(events_db, conversation("web-late", TS + 9000, 10, name="Kim"))
    assert run_once(url, source, now=NOW).events > 0
    assert funnel(url, WEEK).totals["step:handoff"] == 11


def test_after_the_week_the_link_is_gone_and_the_counts_stay(sql_store):
    url = sql_store[0]
    before = csv_export(url, WEEK)
    with new_session(url) as session, session.begin():
        assert rotate(session, NOW + timedelta(days=7)) == 20
    assert csv_export(url, WEEK) == before
    dump = table_dump(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM analytics_conversations")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM analytics_salts")).scalar() == 0
    engine.dispose()
    assert "step:handoff" in dump


def test_rabbitmq_path_gives_the_same_counts_as_the_sql_path(sql_store, tmp_path):
    require_rabbitmq()  # the Pika path
    queue = f"gp-test-{uuid.uuid4().hex[:8]}"
    source = PikaSource("amqp://guest:guest@127.0.0.1:5672/", queue)
    url = f"sqlite:///{tmp_path / 'pika-leads.db'}"
    get_engine(url)
    # declare the queue first (Rasa binds it to its exchange when it connects)
    publish_pika(queue, all_events())
    report = run_once(url, source, now=NOW)
    try:
        assert report.events == len(all_events())
        assert csv_export(url, WEEK) == csv_export(sql_store[0], WEEK)
        assert_nothing_personal(url, SECRETS)
        assert run_once(url, source, now=NOW).events == 0  # acknowledged: gone from the queue
    finally:
        async def drop():
            import aio_pika
            connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
            async with connection:
                channel = await connection.channel()
                await channel.queue_delete(queue)
        asyncio.run(drop())


def test_an_erasure_request_drops_the_pseudonymous_row(sql_store):
    from bot.store.erasure import erase_person

    url = sql_store[0]
    erase_person(url, "web-zeeland-0", schedule_sweeps=False)
    assert funnel(url, WEEK).totals["step:handoff"] == 9


def test_the_same_counts_on_sqlite_and_postgresql(store_url, tmp_path):
    """The consumer's tables on both lead stores (PostgreSQL: 127.0.0.1:5432)."""
    publish_sql(tmp_path / "pg-events.db", all_events())
    run_once(store_url, SqlBrokerSource(f"sqlite:///{tmp_path / 'pg-events.db'}"), now=NOW)
    totals = funnel(store_url, WEEK).totals
    assert (totals["step:started"], totals["step:handoff"], totals["dropoff:age_band"]) == (20, 10, 1)
    assert "step:handoff,7" in csv_export(store_url, WEEK, "AM24")
    assert_nothing_personal(store_url, SECRETS)


def test_an_erasure_also_removes_unread_broker_events(tmp_path, monkeypatch, sqlite_url):
    from bot.store.erasure import erase_person

    events_db = tmp_path / "events.db"
    publish_sql(events_db, conversation("web-erase-me", TS, 10) + conversation("web-keep-me", TS + 500, 3))
    monkeypatch.setenv("GP_EVENT_BROKER", "sql")
    monkeypatch.setenv("GP_EVENTS_URL", f"sqlite:///{events_db}")
    get_engine(sqlite_url)
    erase_person(sqlite_url, "web-erase-me", schedule_sweeps=False)
    engine = create_engine(f"sqlite:///{events_db}")
    with engine.connect() as conn:
        senders = set(conn.execute(text("SELECT sender_id FROM events")).scalars())
    engine.dispose()
    assert senders == {"web-keep-me"}
