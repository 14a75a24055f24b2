"""The workspace's and the status links' HTTP side (bot.channels.workspace_web) over a real aiohttp
server on loopback: what GET may not do, CSRF on every POST, 403 across regions, 400 for a bad
signature, used and expired links."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.workspace_web import SESSION_COOKIE, register_routes
from bot.handoff.links import status_links
from bot.store.db import new_session
from bot.store.handoff_models import OutboxMessage
from bot.store.models import Lead, LeadEvent
from tests.workspace_support import FLEUR, SANNE, new_lead, workspace_settings


class Clock:
    def __init__(self):
        self.now = datetime.now(timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
async def web_env(sqlite_url, tmp_path):
    ws = workspace_settings(sqlite_url, tmp_path)
    clock = Clock()
    app = web.Application()
    register_routes(app, ws, clock)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield ws, client, clock
    finally:
        await client.close()


def status(url, lead_id):
    with new_session(url) as session:
        return session.get(Lead, lead_id).status


def link_for(ws, lead_id, wanted="in_contact"):
    url = next(l["url"] for l in status_links(ws.handoff, lead_id) if l["status"] == wanted)
    return url.replace(ws.base_url, "")


def fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


async def test_status_link_get_changes_nothing_and_post_needs_the_form_token(web_env):
    ws, client, _ = web_env
    lead_id = new_lead(ws.database_url, ws, SANNE)
    path = link_for(ws, lead_id)
    page = await client.get(path)
    html = await page.text()
    assert page.status == 200 and "Heb je contact gehad met deze jongere?" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert (await client.head(path)).status == 405
    assert status(ws.database_url, lead_id) == "new"                           # GET changed nothing

    form = fields(html)
    without = {k: v for k, v in form.items() if k != "csrf"}
    refused = await client.post(f"/lead/{lead_id}/status", data=without)
    assert refused.status == 403 and status(ws.database_url, lead_id) == "new"
    client.session.cookie_jar.clear()                                           # token without its cookie
    assert (await client.post(f"/lead/{lead_id}/status", data=form)).status == 403

    page = await client.get(path)
    done = await client.post(f"/lead/{lead_id}/status", data=fields(await page.text()))
    assert done.status == 200 and "contact hebt gehad" in await done.text()
    assert status(ws.database_url, lead_id) == "in_contact"
    again = await client.post(f"/lead/{lead_id}/status", data=fields(await page.text()))
    assert again.status == 410 and "al gebruikt" in await again.text()
    assert (await client.get(path)).status == 410
    with new_session(ws.database_url) as session:
        trail = session.execute(select(LeadEvent.actor).where(LeadEvent.lead_id == lead_id,
                                                              LeadEvent.to_status == "in_contact")).scalars().all()
    assert trail == ["handoff:link"]                                             # changed once


async def test_expired_link_is_refused(web_env):
    ws, client, clock = web_env
    lead_id = new_lead(ws.database_url, ws, SANNE)
    path = link_for(ws, lead_id, "no_contact")
    page = await client.get(path)
    clock.now += timedelta(days=31)
    late = await client.post(f"/lead/{lead_id}/status", data=fields(await page.text()))
    assert late.status == 410 and "verlopen" in await late.text()
    assert (await client.get(path)).status == 410
    assert status(ws.database_url, lead_id) == "new"


@pytest.mark.parametrize("query", [
    "s=in_contact&e=9999999999&sig=" + "A" * 43,               # well formed, wrong
    "s=in_contact&e=9999999999&sig=%%%",                        # not base64
    "s=in_contact&e=abc&sig=" + "A" * 43,                       # expiry not a number
    "s=in_contact&e=9999999999&sig=" + "é" * 43,
    "s=verwijderd&e=9999999999&sig=x",
    "",
])
async def test_bad_signature_is_a_400_page_never_a_500(web_env, query):
    ws, client, _ = web_env
    lead_id = new_lead(ws.database_url, ws, SANNE)
    response = await client.get(f"/lead/{lead_id}/status?{query}")
    assert response.status == 400 and "Deze link klopt niet" in await response.text()
    post = await client.post(f"/lead/{lead_id}/status", data=dict(re.findall(r"([^&=]+)=([^&]*)", query)))
    assert post.status == 400
    assert status(ws.database_url, lead_id) == "new"


async def sign_in(client, ws, email):
    page = await client.get("/adviseur")
    asked = await client.post("/adviseur/aanmelden", data={"email": email, **fields(await page.text())})
    assert asked.status == 200
    with new_session(ws.database_url) as session:
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "signin")
                               .order_by(OutboxMessage.id.desc())).scalars().first()
    token = re.search(r"\?t=(\S+)", mail.payload["text"]).group(1)
    page = await client.get(f"/adviseur/inloggen?t={token}")
    response = await client.post("/adviseur/inloggen", data=fields(await page.text()), allow_redirects=False)
    assert response.status == 303 and SESSION_COOKIE in response.cookies
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    return token


async def test_sign_in_answers_the_same_for_unknown_addresses(web_env):
    ws, client, _ = web_env
    page = await client.get("/adviseur")
    form = fields(await page.text())
    known = await client.post("/adviseur/aanmelden", data={"email": "sanne@techniektalent-zeeland.example.org", **form})
    unknown = await client.post("/adviseur/aanmelden", data={"email": "niemand@example.org", **form})
    assert (known.status, await known.text()) == (unknown.status, await unknown.text())
    no_token = await client.post("/adviseur/aanmelden", data={"email": "sanne@techniektalent-zeeland.example.org"})
    assert no_token.status == 403


async def test_workspace_actions_need_the_session_csrf_and_the_right_region(web_env):
    ws, client, _ = web_env
    mine = new_lead(ws.database_url, ws, SANNE, first_name="Mila")
    other = new_lead(ws.database_url, ws, FLEUR, first_name="Lotte")
    token = await sign_in(client, ws, "sanne@techniektalent-zeeland.example.org")
    inbox = await (await client.get("/adviseur")).text()
    assert "Mila" in inbox and "Lotte" not in inbox
    assert (await client.get(f"/adviseur/lead/{other}")).status == 403
    page = await (await client.get(f"/adviseur/lead/{mine}")).text()
    csrf = fields(page)["csrf"]
    assert (await client.post(f"/adviseur/lead/{mine}/actie", data={"action": "note", "note": "x"})).status == 403
    assert (await client.post(f"/adviseur/lead/{mine}/actie",
                              data={"action": "note", "note": "x", "csrf": "fout"})).status == 403
    forbidden = await client.post(f"/adviseur/lead/{other}/actie", data={"action": "note", "note": "x", "csrf": csrf})
    assert forbidden.status == 403
    confirm = await client.get(f"/adviseur/lead/{mine}/bevestig?s=in_contact")
    assert "Heb je contact gehad met deze jongere?" in await confirm.text() and status(ws.database_url, mine) == "new"
    done = await client.post(f"/adviseur/lead/{mine}/actie", data=fields(await confirm.text()))
    assert done.status == 200 and status(ws.database_url, mine) == "in_contact"
    out = await client.post("/adviseur/uitloggen", data={"csrf": csrf})
    assert out.status == 200
    assert "Inloggen op de werkplek" in await (await client.get("/adviseur")).text()
    used = await client.get(f"/adviseur/inloggen?t={token}")
    assert used.status == 410
