"""The outside services some tests need, and what happens when one is absent.

PostgreSQL (127.0.0.1:5432, user postgres, trust), Redis (127.0.0.1:6379), RabbitMQ (127.0.0.1:5672,
guest/guest) and Chromium (/usr/bin/chromium). Every test that needs one asks for it here, and only
here: when it is absent the test is skipped with a message that says what to start, or, with
``GP_REQUIRE_SERVICES=1`` (set by CI), fails with that same message. ``tests/conftest.py`` ends a run
with one line that names what was skipped and why (``skip_summary``).

``temporary_pg_database`` is the one way to a throw-away PostgreSQL database.
"""
from __future__ import annotations

import os
import socket
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import Iterable, Iterator, NoReturn
from urllib.parse import urlsplit

import pytest

REQUIRE_SERVICES = "GP_REQUIRE_SERVICES"

PG_ADMIN_URL = (os.environ.get("GP_TEST_PG_URL") or os.environ.get("GP_TEST_PG_ADMIN_URL")
                or "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("GP_TEST_REDIS_PORT", "6379"))
RABBITMQ_HOST, RABBITMQ_PORT = "127.0.0.1", 5672
CHROMIUM = os.environ.get("GP_CHROMIUM", "/usr/bin/chromium")


def services_required() -> bool:
    return os.environ.get(REQUIRE_SERVICES, "").strip() not in ("", "0")


def service_missing(reason: str) -> NoReturn:
    """Skip this test because a service (or Chromium) is absent; with GP_REQUIRE_SERVICES=1 fail it."""
    if services_required():
        pytest.fail(f"{reason}\n({REQUIRE_SERVICES}=1: een ontbrekende dienst is een fout, geen overgeslagen test)",
                    pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _pg_message(admin_url: str) -> str:
    where = urlsplit(admin_url)
    return (f"PostgreSQL ontbreekt op {where.hostname or '127.0.0.1'}:{where.port or 5432} (user postgres, trust): "
            "start hem met 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' "
            "of 'sudo service postgresql start'")


def redis_message(host: str = REDIS_HOST, port: int = REDIS_PORT) -> str:
    return (f"Redis ontbreekt op {host}:{port}: start hem met 'redis-server --daemonize yes --bind {host} "
            f"--port {port} --save \"\" --appendonly no'")


def _pg_admin_connection(admin_url: str):
    """An autocommit connection to the server's admin database, or the skip (failure) that says what to start."""
    import psycopg2

    try:
        connection = psycopg2.connect(admin_url, connect_timeout=3)
    except psycopg2.OperationalError:
        service_missing(_pg_message(admin_url))
    connection.autocommit = True
    return connection


def require_postgres(admin_url: str = PG_ADMIN_URL) -> None:
    _pg_admin_connection(admin_url).close()


def require_redis(host: str = REDIS_HOST, port: int = REDIS_PORT) -> None:
    if not _port_open(host, port):
        service_missing(redis_message(host, port))


def require_rabbitmq(host: str = RABBITMQ_HOST, port: int = RABBITMQ_PORT) -> None:
    if not _port_open(host, port):
        service_missing(f"RabbitMQ ontbreekt op {host}:{port} (guest/guest): start hem met 'rabbitmq-server -detached' "
                        f"of 'docker run -d -p {port}:5672 rabbitmq'")


def require_chromium(path: str = CHROMIUM) -> str:
    if not os.path.exists(path):
        service_missing(f"Chromium ontbreekt ({path}): installeer hem met 'apt-get install chromium' "
                        "(of draai scripts/ensure_chromium.sh als root)")
    return path


@contextmanager
def temporary_pg_database(prefix: str = "gp_test", admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A fresh, empty PostgreSQL database with a unique name, dropped afterwards; yields its URL.

    Skips (fails under GP_REQUIRE_SERVICES=1) when the server is absent. The drop forces out whatever
    is still connected, and this process forgets its cached lead-store engines (bot.store.db keeps one
    per URL) so their pools go with the database.
    """
    admin = _pg_admin_connection(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            from bot.store.db import get_engine

            get_engine.cache_clear()
    finally:
        admin.close()


def skip_reason(report) -> str:
    """The reason of a skipped test report (also as an xdist worker sends it to the controller)."""
    longrepr = report.longrepr
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return reason[len("Skipped: "):] if reason.startswith("Skipped: ") else reason


def skip_summary(reasons: Iterable[str]) -> str:
    """One line: how many tests were skipped and why, grouped by reason; empty when none were."""
    counts = Counter(reasons)
    total = sum(counts.values())
    if not total:
        return ""
    counted = len(counts) > 1
    parts = "; ".join(f"{n}× {reason}" if counted else reason for reason, n in counts.most_common())
    return f"Overgeslagen: {total} {'test' if total == 1 else 'tests'} ({parts})"
