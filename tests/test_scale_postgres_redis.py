"""The scaled set-up for real: two Rasa instances sharing a PostgreSQL tracker store, a Redis lock
store and a PostgreSQL lead store. Turns of one conversation alternate between the instances, as
behind a load balancer, and the form must still end in exactly one lead."""
import json
import subprocess
import sys
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot.ops.config import PROJECT_ROOT
from bot.ops.launcher import Service, start_all, stop_all
from bot.ops.training import rasa_executable
from tests.services import require_redis, temporary_pg_database
from tests.stack import Stack, free_port, start_stack

pytestmark = pytest.mark.e2e


def test_two_rasa_instances_share_tracker_lock_and_lead_store(tmp_path):
    require_redis()
    with temporary_pg_database("gp_tracker") as tracker_url, temporary_pg_database("gp_leads") as leads_url:
        first = start_stack(tmp_path, database_url=leads_url, tracker_store_url=tracker_url,
                            redis_url="redis://127.0.0.1:6379/3")
        try:
            rasa_service = next(s for s in first.services if s.name == "rasa")
            port = free_port()
            cmd = list(rasa_service.cmd)
            cmd[cmd.index("--port") + 1] = str(port)
            second_service = Service("rasa-2", cmd, rasa_service.health_url.replace(str(first.settings.rasa_port),
                                                                                     str(port)),
                                     rasa_service.env, tmp_path / "rasa-2.log")
            start_all([second_service], out=lambda msg: None, ready_timeout=600)
            first.services.append(second_service)
            second = Stack(replace(first.settings, rasa_url=f"http://127.0.0.1:{port}"), [])

            sender = "scale-1"
            turns = ["hoi", "/request_human", "19", "Noor", "Ik zoek werk", "Elektrotechniek", "6411 AB",
                     "Bellen of WhatsApp", "06 12345678", "Middag", "/affirm"]
            answers = []
            for n, text in enumerate(turns):
                answers.append((first if n % 2 == 0 else second).texts(sender, text))
            assert "GP-" in answers[-1], answers

            leads = sa.create_engine(leads_url, future=True)
            with leads.connect() as conn:
                rows = conn.execute(sa.text("SELECT id, first_name FROM leads WHERE conversation_id = :s"),
                                    {"s": sender}).all()
            leads.dispose()
            assert [row.first_name for row in rows] == ["Noor"]

            tracker = sa.create_engine(tracker_url, future=True)
            with tracker.connect() as conn:
                count = conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                                     {"s": sender}).scalar_one()
            tracker.dispose()
            assert count > len(turns)
        finally:
            first.stop()
