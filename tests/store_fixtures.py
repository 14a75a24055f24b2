"""Lead-store databases for tests: a fresh SQLite file, and a fresh PostgreSQL database on 127.0.0.1:5432
(tests/services.py: skipped with what to start when it is absent, a failure under GP_REQUIRE_SERVICES=1)."""
from __future__ import annotations

import pytest

from tests.services import temporary_pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A fresh, migrated lead store; the same test runs once on SQLite and once on PostgreSQL."""
    from bot.store.db import get_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leads.db'}"
        get_engine(url)
        yield url
        get_engine(url).dispose()
        return
    with temporary_pg_database("gp_intake_test") as url:
        get_engine(url)
        yield url
        get_engine(url).dispose()
