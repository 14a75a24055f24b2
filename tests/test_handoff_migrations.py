"""The 0100 migration creates exactly what bot/store/handoff_models.py declares (a drift would only show
up in production, on PostgreSQL, at the worst moment)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.store.handoff_models  # noqa: F401  (registers the tables on Base)
from bot.store.db import get_engine
from bot.store.models import Base


def _handoff_diffs(url):
    engine = get_engine(url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def table_of(diff):
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None:
                return table.name
            if isinstance(name, str) and name.startswith("handoff_"):
                return name
        return ""

    return [d for d in diffs if table_of(d).startswith("handoff_")]


def test_migration_matches_models_sqlite(sqlite_url):
    assert _handoff_diffs(sqlite_url) == []


@pytest.mark.postgres
def test_migration_matches_models_postgres():
    from tests.services import temporary_pg_database
    with temporary_pg_database("gp_handoff") as url:
        assert _handoff_diffs(url) == []
