"""The funnel in the workspace (/adviseur/trechter): a coordinator sees her region, the national
role sees every region side by side, a counsellor sees nothing; the CSV export suppresses small
cells; the page is axe-clean in a real Chromium (SVG charts, each with its table)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.analytics.consume import SqlBrokerSource, run_once
from bot.channels.workspace_web import register_routes
from bot.store.db import get_engine, new_session
from bot.store.handoff_models import OutboxMessage
from tests.analytics_support import NOW, WEEK, all_events, publish_sql
from tests.services import CHROMIUM, require_chromium
from tests.test_widget import AXE, CHROMIUM_ARGS
from tests.workspace_support import workspace_settings

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
ZEELAND = "coordinator@techniektalent-zeeland.example.org"
NATIONAL = "stuurgroep@aanvalsplan-techniek.example.org"
SANNE = "sanne@techniektalent-zeeland.example.org"


@pytest.fixture
async def site(sqlite_url, tmp_path):
    get_engine(sqlite_url)
    publish_sql(tmp_path / "events.db", all_events())
    run_once(sqlite_url, SqlBrokerSource(f"sqlite:///{tmp_path / 'events.db'}"), now=NOW)
    ws = workspace_settings(sqlite_url, tmp_path)
    app = web.Application()
    register_routes(app, ws, lambda: NOW)
    app.router.add_static("/static/", STATIC, show_index=False)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield ws, client
    finally:
        await client.close()


def fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def latest_link(ws) -> str:
    with new_session(ws.database_url) as session:
        mail = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "signin")
                               .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"\?t=(\S+)", mail.payload["text"]).group(1)


async def sign_in(client, ws, email):
    page = await client.get("/adviseur")
    await client.post("/adviseur/aanmelden", data={"email": email, **fields(await page.text())})
    token = latest_link(ws)
    page = await client.get(f"/adviseur/inloggen?t={token}")
    await client.post("/adviseur/inloggen", data=fields(await page.text()), allow_redirects=False)


def cell(html: str, label: str) -> str:
    return re.search(rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td>', html).group(1)


async def test_coordinator_sees_her_region_only(site):
    ws, client = site
    await sign_in(client, ws, ZEELAND)
    html = await (await client.get(f"/adviseur/trechter?week={WEEK}")).text()
    assert "Trechter van Zeeland" in html
    assert cell(html, "Doorgezet naar adviseur") == "7"
    assert "Friesland" not in html and "Regio&#39;s naast elkaar" not in html
    csv = await (await client.get(f"/adviseur/trechter.csv?week={WEEK}")).text()
    assert csv.startswith("week,regio,kanaal,leeftijd,meting,aantal\n")
    assert all(",AM24," in line for line in csv.splitlines()[1:])
    assert f"{WEEK},AM24,web,16-17,step:handoff,7" in csv


async def test_national_role_compares_regions_and_small_cells_are_hidden(site):
    ws, client = site
    await sign_in(client, ws, NATIONAL)
    response = await client.get("/adviseur", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/adviseur/trechter"
    html = await (await client.get(f"/adviseur/trechter?week={WEEK}")).text()
    assert "Trechter: alle regio" in html
    assert re.search(r'<th scope="row">Zeeland</th>(<td>[^<]*</td>){4}<td>7</td>', html)
    # Friesland had 3 hand-offs: "< 5", and no bar in the chart
    assert re.search(r'<th scope="row">Friesland</th>(<td>[^<]*</td>){4}<td>&lt; 5</td>', html)
    assert "Friesland: &lt; 5." in html
    assert "[naam]" in html and "Kees" not in html  # the redacted unanswered question
    csv = await (await client.get(f"/adviseur/trechter.csv?week={WEEK}")).text()
    assert f"{WEEK},AM02,web,18-20,step:handoff,< 5" in csv
    assert not re.search(r",[1-4]\n", csv)


async def test_counsellors_do_not_see_the_funnel(site):
    ws, client = site
    await sign_in(client, ws, SANNE)
    assert (await client.get("/adviseur/trechter")).status == 403
    assert (await client.get("/adviseur/trechter.csv")).status == 403
    await client.post("/adviseur/uitloggen")
    client.session.cookie_jar.clear()
    response = await client.get("/adviseur/trechter", allow_redirects=False)
    assert response.status == 303


@pytest.mark.parametrize("email", [ZEELAND, NATIONAL])
async def test_funnel_page_is_axe_clean_in_chromium(site, email):
    from playwright.async_api import async_playwright

    require_chromium()
    ws, client = site
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context()
            await context.route("**/__test__/axe.min.js", lambda route: route.fulfill(
                body=AXE.read_text(), content_type="application/javascript"))
            page = await context.new_page()
            await page.goto(base + "/adviseur")
            await page.get_by_label(re.compile("e-mail", re.I)).fill(email)
            await page.get_by_role("button", name=re.compile("link", re.I)).click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/inloggen?t={latest_link(ws)}")
            await page.get_by_role("button").last.click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/trechter?week={WEEK}")
            assert await page.get_by_role("img", name=re.compile("Gesprekken per stap")).count() == 1
            assert await page.get_by_role("table").count() >= 2
            await page.add_script_tag(url=base + "/__test__/axe.min.js")
            result = await page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
            found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            assert found == [], found
            assert len(result["passes"]) > 15
        finally:
            await browser.close()
