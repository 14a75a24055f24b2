"""Hand-off worker throughput (not a test; run: ``.venv/bin/python -m tests.handoff_bench [N]``).

Measures, on a fresh SQLite file (and PostgreSQL when reachable): leads+outbox rows written per
second through ``enqueue_handoff``, and messages delivered per second by one worker with a no-op
transport (the worker's own database overhead) and with real SMTP to a local aiosmtpd.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.store.db import session_factory
from bot.handoff.clock import FakeClock
from bot.handoff.delivery_smtp import SmtpTransport
from bot.handoff.worker import Worker
from tests.handoff_support import SmtpReceiver, create_handed_off_lead, make_settings


class NoOp:
    def send(self, envelope):
        pass


def run(url: str, tmp: Path, n: int, label: str) -> None:
    now = datetime.now(timezone.utc)
    factory = session_factory(url)
    receiver = SmtpReceiver().start()
    try:
        settings = make_settings(url, tmp, smtp_port=receiver.port)
        for transport_name, transport in (("no-op", NoOp()), ("smtp", SmtpTransport(settings))):
            t0 = time.perf_counter()
            for i in range(n):
                create_handed_off_lead(factory, settings, conversation_id=f"{transport_name}{i}", now=now)
            enqueue_s = time.perf_counter() - t0
            worker = Worker(factory, settings, clock=FakeClock(now), transports={"email": transport},
                            followup_sender=NoOp())
            t0 = time.perf_counter()
            delivered = 0
            while True:
                got = worker.run_once(limit=50)
                if not got:
                    break
                delivered += got
            work_s = time.perf_counter() - t0
            print(f"{label:10s} {transport_name:6s} enqueue {n / enqueue_s:7.1f} leads/s   "
                  f"deliver {delivered / work_s:7.1f} msgs/s  ({delivered} msgs, {work_s:.2f} s)")
        assert len(receiver.messages) == n
    finally:
        receiver.stop()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", Path(tmp), n, "sqlite")
        try:
            from tests.services import temporary_pg_database
            with temporary_pg_database("gp_handoff") as url:
                run(url, Path(tmp), n, "postgres")
        except BaseException as exc:  # pytest.skip raises a BaseException subclass
            print(f"postgres skipped: {exc}")


if __name__ == "__main__":
    main()
