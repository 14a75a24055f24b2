"""Issue 22 item 9: the child confirms as her own guardian.

A 14-year-old types a second address of her own as her parent's and clicks "ja" herself, minutes
later, from the same browser. We cannot prove who clicked; the counsellor must at least know: every
guardian consent is flagged as unverified (hand-off mail and workspace), and a "yes" from the same
client address as the request within 30 minutes is flagged on top. Real pages on a loopback aiohttp
server (the guardian page and the workspace), real lead store, real outbox; no Rasa.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.workspace_web import register_routes as register_workspace
from bot.handoff import guardian
from bot.handoff.clock import FakeClock
from bot.store.db import new_session
from bot.store.handoff_models import HandoffCase, OutboxMessage
from bot.store.leads import NewLead
from bot.store.models import Lead, utcnow
from tests.test_workspace_web import fields, sign_in
from tests.workspace_support import SANNE, workspace_settings

CHILD = "c" * 32     # the client key of the child's browser (bot.channels.identity.client_key)
PARENT = "d" * 32
SAME_DEVICE = "Bevestigd vanaf hetzelfde apparaat/adres als de aanvraag"
GUARDIAN_UNCHECKED = ("Toestemming via e-mail van een ouder, niet gecontroleerd: vraag bij het eerste contact "
                      "naar de ouder.")


def _ask(url, settings, conversation, now):
    lead = NewLead(conversation_id=conversation, channel="web", consent=True, consent_basis="guardian",
                   consent_text="De ouder of verzorger kreeg per e-mail: ...", consent_text_version="2026-11-v1",
                   age_band="12-15", postcode="4331", gemeente_name="Middelburg", region_code="AM24",
                   region_name="Zeeland", counsellor_id=SANNE, routing_rule="own_region", routing_reason="test",
                   contact_method="email", contact_value=f"{conversation}@example.org", client_key=CHILD)
    guardian.request_consent(url, settings, lead, ["- Leeftijd: 12-15 jaar", "- Woont in: Middelburg"],
                             {"name": "Sanne de Vries", "first_name": "Sanne", "organisation": "TechniekTalent Zeeland"},
                             now=now)
    with new_session(url) as session:
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "guardian",
                                                           OutboxMessage.recipient == f"{conversation}@example.org")
                               ).scalars().one()
    return re.search(r"/ouder/(\S+)", mail.payload["text"]).group(1)


@pytest.fixture
async def pages(sqlite_url, tmp_path):
    ws = workspace_settings(sqlite_url, tmp_path)
    clock = FakeClock(utcnow())
    who = {"key": CHILD}
    app = web.Application()
    guardian.register_routes(app, ws.handoff, clock=clock, client_key_of=lambda request: who["key"])
    register_workspace(app, ws, lambda: clock.now())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield ws, client, clock, who
    finally:
        await client.close()


async def _click_yes(client, token):
    page = await client.get(f"/ouder/{token}")
    assert page.status == 200
    done = await client.post(f"/ouder/{token}", data={"csrf": fields(await page.text())["csrf"]})
    assert done.status == 200 and "Dank u wel" in await done.text()


def _handoff(url, conversation):
    with new_session(url) as session:
        case = session.execute(select(HandoffCase).join(OutboxMessage, OutboxMessage.lead_id == HandoffCase.lead_id)
                               .where(OutboxMessage.kind == "handoff")).scalars().all()
        mails = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "handoff",
                                                            OutboxMessage.channel == "email")).scalars().all()
        by_lead = {c.lead_id: c for c in case}
        lead = session.execute(select(Lead).where(Lead.conversation_id == conversation)).scalars().one()
        mail = next(m for m in mails if m.lead_id == lead.id)
        return lead.id, by_lead[lead.id].summary, mail.payload["text"], mail.payload["html"]


async def test_a_yes_from_the_childs_own_client_minutes_later_is_flagged_to_the_counsellor(pages):
    ws, client, clock, who = pages
    token = _ask(ws.database_url, ws.handoff, "kid-self", clock.now())
    clock.advance(timedelta(minutes=3))
    who["key"] = CHILD                     # the same browser that asked
    await _click_yes(client, token)
    lead_id, summary, text, html = _handoff(ws.database_url, "kid-self")
    assert summary["attention"][0] == GUARDIAN_UNCHECKED
    assert any(item.startswith(SAME_DEVICE) and "3 minuten" in item for item in summary["attention"])
    assert "LET OP" in text and GUARDIAN_UNCHECKED in text and SAME_DEVICE in text
    assert "Let op" in html and SAME_DEVICE in html

    await sign_in(client, ws, "sanne@techniektalent-zeeland.example.org")
    page = await (await client.get(f"/adviseur/lead/{lead_id}")).text()
    assert "Let op" in page and "niet gecontroleerd: vraag bij het eerste contact naar de ouder" in page
    assert SAME_DEVICE in page


async def test_a_yes_from_another_client_or_much_later_only_says_unverified(pages):
    ws, client, clock, who = pages
    other = _ask(ws.database_url, ws.handoff, "kid-parent", clock.now())
    later = _ask(ws.database_url, ws.handoff, "kid-evening", clock.now())
    clock.advance(timedelta(minutes=5))
    who["key"] = PARENT
    await _click_yes(client, other)
    clock.advance(timedelta(hours=3))
    who["key"] = CHILD                     # a shared home connection, hours later: not flagged on top
    await _click_yes(client, later)
    for conversation in ("kid-parent", "kid-evening"):
        _, summary, text, _ = _handoff(ws.database_url, conversation)
        assert summary["attention"] == [GUARDIAN_UNCHECKED] and SAME_DEVICE not in text and "LET OP" in text
