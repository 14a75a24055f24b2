"""Issue 28 end to end: a conversation started from an initiative's widget (data-region="zeeland"
data-initiatief="beroepentuin-goes") goes through the real web app, Rasa and the action server; the
code reaches the lead (and its page: "Binnengekomen via: Beroepentuin Goes") and the funnel per
initiative, where the one conversation shows as "< 5"."""
from __future__ import annotations

import re

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.analytics import initiatives as ini
from bot.analytics.consume import run_once, source_for
from bot.analytics.funnel import iso_week
from bot.channels.workspace_web import register_routes
from bot.store.db import new_session
from bot.store.models import Lead
from bot.store.models import utcnow
from tests.test_initiatives_workspace import sign_in
from tests.workspace_support import workspace_settings

pytestmark = pytest.mark.e2e

SCRIPT = ["/greet", "/request_human", "17", "Mila", "Ik zit op school", "iets met bouwen", "4331 ab",
          "Bellen of WhatsApp", "06 12345678", "Middag", "/affirm"]
ZEELAND = "coordinator@techniektalent-zeeland.example.org"


async def test_an_initiatives_widget_reaches_the_lead_page_and_the_funnel(tmp_path):
    from tests.stack import start_stack

    stack = start_stack(tmp_path / "stack", with_web=True, event_broker="sql", analytics_interval_seconds=86400.0)
    try:
        base = f"http://127.0.0.1:{stack.settings.web_port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as chat:
            token = (await chat.post("/chat/session", json={})).json()["token"]
            replies = []
            for message in SCRIPT:
                response = await chat.post("/chat/message", headers={"Authorization": f"Bearer {token}"},
                                           json={"message": message, "region": "zeeland",
                                                 "initiative": "beroepentuin-goes"})
                assert response.status_code == 200, response.text
                replies.append(" ".join(r.get("text") or "" for r in response.json()["replies"]))
        assert "Zeeland" in replies[0]
        lead_id = re.search(r"GP-[A-Z0-9]{6}", replies[-1]).group(0)
        db = stack.settings.database_url
        with new_session(db) as session:
            lead = session.get(Lead, lead_id)
            assert lead.initiative == "beroepentuin-goes"
        run_once(db, source_for(stack.settings))
        with new_session(db) as session:
            counts = ini.load_initiative_counts(session)
        week = iso_week(utcnow())
        assert counts[(week, "beroepentuin-goes", "step:started")] == 1
        assert counts[(week, "beroepentuin-goes", "step:handoff")] == 1
        quarter = ini.quarter_of_week(week)
        row = {r.found.code: r for r in ini.overview(db, quarter).rows}["beroepentuin-goes"]
        assert row.quarter["step:handoff"] == "< 5" and row.since_start["step:started"] == "< 5"
    finally:
        stack.stop()
    # the lead page in the workspace, once the stack's worker is stopped: it delivers the sign-in mail and
    # then drops the link from the outbox row this test reads
    ws = workspace_settings(db, tmp_path)
    app = web.Application()
    register_routes(app, ws)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        await sign_in(client, ws, ZEELAND)
        html = await (await client.get(f"/adviseur/lead/{lead_id}")).text()
        assert "<dt>Binnengekomen via</dt><dd>Beroepentuin Goes</dd>" in html
    finally:
        await client.close()
