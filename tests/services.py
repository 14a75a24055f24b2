"""Reachability of the PostgreSQL and Redis servers that the scaled set-up uses.

Tests of that set-up skip with a message that says what to start when these are absent.
"""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest

PG_ADMIN_URL = os.environ.get("GP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("GP_TEST_REDIS_PORT", "6379"))

START_PG = ("PostgreSQL niet bereikbaar op 127.0.0.1:5432 (user postgres, trust). Start hem met: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
START_REDIS = ("Redis niet bereikbaar op 127.0.0.1:6379. Start hem met: redis-server --daemonize yes "
               "--bind 127.0.0.1 --port 6379 --save '' --appendonly no")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN_URL, connect_timeout=2).close()
    except Exception:
        pytest.skip(START_PG)


def require_redis() -> None:
    if not _port_open(REDIS_HOST, REDIS_PORT):
        pytest.skip(START_REDIS)


@contextmanager
def temporary_pg_database(prefix: str = "gp_test") -> Iterator[str]:
    """A fresh database, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg2

    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
