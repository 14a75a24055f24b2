"""The Alembic chain goes down and up again cleanly on SQLite and PostgreSQL."""
from sqlalchemy import inspect, text

from bot.store.db import get_engine, migrate
from tests.store_fixtures import store_url  # noqa: F401


def test_downgrade_to_foundation_and_upgrade_again(store_url):
    engine = get_engine(store_url)
    migrate(engine, "0001", down=True)
    assert "consent_records" not in inspect(engine).get_table_names()
    migrate(engine, "heads")
    names = {c["name"] for c in inspect(engine).get_columns("leads")}
    assert {"age_band", "contact_key", "consent_record_id", "routing_reason", "client_key", "channel_ref"} <= names
    assert "age" not in names
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("leads")}
    assert "uq_leads_conversation_id" in uniques and "uq_leads_contact_key" not in uniques  # 0152
    assert "ix_leads_contact_key" in {i["name"] for i in inspect(engine).get_indexes("leads")}


def test_0152_downgrade_keeps_the_first_lead_per_contact_unique(store_url):
    engine = _migrate(store_url, "heads")
    with engine.begin() as conn:
        for n, at in enumerate(("2026-11-27 15:00:00", "2026-11-28 15:00:00")):
            conn.execute(text("INSERT INTO leads (id, created_at, updated_at, status, interests, contact_key, "
                              "conversation_id) VALUES (:id, :at, :at, 'new', '[]', 'k1', :c)"),
                         {"id": f"GP-DUP{n}AB", "at": at, "c": f"conv-{n}"})
    _migrate(store_url, "0151", down=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, contact_key FROM leads ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("GP-DUP0AB", "k1"), ("GP-DUP1AB", None)]
    assert "uq_leads_contact_key" in {u["name"] for u in inspect(engine).get_unique_constraints("leads")}
    _migrate(store_url, "heads")


def _migrate(url, target, down=False):
    engine = get_engine(url)
    migrate(engine, target, down)
    return engine


def test_0101_moves_handoff_status_events_into_the_one_audit_trail(store_url):
    """Events the hand-off wrote twice stay once; events only in handoff_status_events are copied; the
    downgrade rebuilds the hand-off table from the "handoff:" rows."""
    engine = _migrate(store_url, "0100", down=True)
    at1, at2 = "2026-11-27 15:00:00", "2026-11-30 09:00:00"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO leads (id, created_at, updated_at, status, interests) "
                          "VALUES ('GP-MIG234', :at, :at, 'in_contact', '[]')"), {"at": at1})
        conn.execute(text("INSERT INTO lead_events (lead_id, at, from_status, to_status, actor) VALUES "
                          "('GP-MIG234', :at, NULL, 'new', 'bot'), "
                          "('GP-MIG234', :at, 'new', 'delivered', 'handoff:worker')"), {"at": at1})
        conn.execute(text("INSERT INTO handoff_status_events (lead_id, at, old_status, new_status, source) VALUES "
                          "('GP-MIG234', :at1, 'new', 'delivered', 'worker'), "
                          "('GP-MIG234', :at2, 'delivered', 'in_contact', 'link')"), {"at1": at1, "at2": at2})
    _migrate(store_url, "heads")
    assert "handoff_status_events" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT from_status, to_status, actor FROM lead_events "
                                 "WHERE lead_id = 'GP-MIG234' ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(None, "new", "bot"), ("new", "delivered", "handoff:worker"),
                                        ("delivered", "in_contact", "handoff:link")]
    _migrate(store_url, "0100", down=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT old_status, new_status, source FROM handoff_status_events "
                                 "WHERE lead_id = 'GP-MIG234' ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("new", "delivered", "worker"), ("delivered", "in_contact", "link")]
    _migrate(store_url, "heads")
    assert "handoff_status_events" not in inspect(engine).get_table_names()
