"""Page times of the counsellors' workspace with many leads: the inbox and a lead page.

Fills a fresh lead store (SQLite, and PostgreSQL when one answers on 127.0.0.1:5432) with N leads for
one counsellor (created the way the intake creates them, hand-off rows included), signs in through
the real sign-in link, and times GET /adviseur (inbox, counsellor and coordinator) and GET
/adviseur/lead/<id> over a real aiohttp server on loopback. Prints median and p95 in milliseconds.

    .venv/bin/python bench/workspace_pages.py [--leads 500] [--requests 40]

A benchmark, not a test: it never fails.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from bot.channels.workspace_web import SESSION_COOKIE, register_routes  # noqa: E402
from bot.store.db import new_session  # noqa: E402
from bot.store.handoff_models import OutboxMessage  # noqa: E402
from bot.store.models import utcnow  # noqa: E402
from bot.workspace import auth  # noqa: E402
from tests.workspace_support import SANNE, new_lead, workspace_settings  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def session_cookie(ws, address: str) -> str:
    auth.request_sign_in(ws, address, utcnow())
    with new_session(ws.database_url) as session:
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "signin")
                               .order_by(OutboxMessage.id.desc())).scalars().first()
    token = mail.payload["text"].split("?t=", 1)[1].split()[0]
    return auth.use_sign_in_link(ws, token, utcnow()).session_token


async def timed(client, path: str, cookie: str, n: int):
    """Wall-clock median/p95, and the median CPU time of this process (server and client share it):
    on a shared, loaded machine the CPU time says what one request costs, the wall clock what it felt like."""
    times, cpu = [], []
    for _ in range(n):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = await client.get(path, cookies={SESSION_COOKIE: cookie})
        await response.read()
        assert response.status == 200, (path, response.status)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], statistics.median(cpu)


async def measure(url: str, tmp: Path, leads: int, requests: int) -> None:
    ws = workspace_settings(url, tmp)
    started = time.perf_counter()
    ids = [new_lead(url, ws, SANNE, first_name=f"Jongere{i}") for i in range(leads)]
    fill = time.perf_counter() - started
    app = web.Application()
    register_routes(app, ws)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        counsellor = session_cookie(ws, "sanne@techniektalent-zeeland.example.org")
        coordinator = session_cookie(ws, "coordinator@techniektalent-zeeland.example.org")
        await timed(client, "/adviseur", counsellor, 3)  # warm-up (templates, caches)
        rows = [("inbox (adviseur)", "/adviseur", counsellor),
                ("inbox (coördinator)", "/adviseur", coordinator),
                ("aanvraagpagina", f"/adviseur/lead/{ids[leads // 2]}", counsellor)]
        print(f"  {leads} aanvragen aangemaakt in {fill:.1f} s")
        for name, path, cookie in rows:
            median, p95, cpu = await timed(client, path, cookie, requests)
            print(f"  {name:22s} mediaan {median:7.1f} ms   p95 {p95:7.1f} ms   cpu {cpu:6.1f} ms   "
                  f"({requests} verzoeken, load {os.getloadavg()[0]:.1f})")
    finally:
        await client.close()


def postgres_url():
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"gp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return admin, name
    except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
        print(f"PostgreSQL overgeslagen: {exc.__class__.__name__}")
        return None, None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        asyncio.run(measure(f"sqlite:///{tmp}/leads.db", Path(tmp), args.leads, args.requests))
    admin, name = postgres_url()
    if admin is not None:
        from bot.store.db import get_engine

        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        try:
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                asyncio.run(measure(url, Path(tmp), args.leads, args.requests))
        finally:
            get_engine(url).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
