"""Lead-store databases for tests: a fresh SQLite file, and a fresh PostgreSQL database when one is
reachable on 127.0.0.1:5432 (these machines run one); otherwise the PostgreSQL cases are skipped
with a message that says what to start."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("GP_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SKIP = (f"PostgreSQL not reachable at {PG_ADMIN_URL}: start it (these machines: 127.0.0.1:5432, user "
           "postgres, e.g. `sudo service postgresql start`) or point GP_TEST_PG_ADMIN_URL at one, to run the "
           "store tests on PostgreSQL too")


def _pg_admin():
    engine = create_engine(PG_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT",
                           connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:
        engine.dispose()
        return None
    return engine


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
    admin = _pg_admin()
    if admin is None:
        pytest.skip(PG_SKIP)
    name = f"gp_intake_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        get_engine(url)
        yield url
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
