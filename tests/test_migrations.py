"""The Alembic chain goes down and up again cleanly on SQLite and PostgreSQL."""
from alembic import command
from sqlalchemy import inspect

from bot.store.db import alembic_config, get_engine
from tests.store_fixtures import store_url  # noqa: F401


def test_downgrade_to_foundation_and_upgrade_again(store_url):
    engine = get_engine(store_url)
    with engine.begin() as conn:
        cfg = alembic_config(store_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert "consent_records" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        cfg = alembic_config(store_url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    names = {c["name"] for c in inspect(engine).get_columns("leads")}
    assert {"age_band", "contact_key", "consent_record_id", "routing_reason"} <= names and "age" not in names
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("leads")}
    assert {"uq_leads_conversation_id", "uq_leads_contact_key"} <= uniques
