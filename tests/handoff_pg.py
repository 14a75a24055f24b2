"""A throw-away PostgreSQL database on 127.0.0.1:5432 for hand-off tests; skips when absent."""
from __future__ import annotations

import contextlib
import uuid

import pytest

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def postgres_url():
    try:
        import psycopg2
        conn = psycopg2.connect(ADMIN_URL, connect_timeout=3)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc.__class__.__name__}); "
                    "the PostgreSQL variant of this test is skipped")
    name = f"gp_handoff_{uuid.uuid4().hex[:10]}"
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        from bot.store.db import get_engine
        try:
            get_engine(url).dispose()
        except Exception:
            pass
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
