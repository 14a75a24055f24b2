"""Issue 28, part 4: /adviseur/initiatieven for coordinators and the national role: every region's
initiatives with their numbers (small cells "< 5"), filters, the region's contact, the quarterly
overview as Markdown and CSV; axe-clean in Chromium at 1280 and 390 px."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.analytics.consume import apply_events
from bot.channels.workspace_web import register_routes
from bot.store.db import get_engine, new_session
from tests.analytics_support import NOW, TS, conversation
from tests.services import CHROMIUM, require_chromium
from tests.test_analytics_workspace import NATIONAL, SANNE, ZEELAND, fields, latest_link
from tests.test_widget import AXE, CHROMIUM_ARGS
from tests.workspace_support import workspace_settings

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
RIJNMOND = "coordinator@techniekpunt-rijnmond.example.org"


def _via(code, sender, upto):
    events = conversation(sender, TS, upto)
    events.insert(1, {"sender_id": sender, "timestamp": TS, "event": "slot", "name": "initiative", "value": code})
    return events


@pytest.fixture
async def site(sqlite_url, tmp_path):
    get_engine(sqlite_url)
    events = [e for i in range(8) for e in _via("bus-zeeuws-vlaanderen", f"web-bus-{i}", 10)]
    events += [e for i in range(3) for e in _via("beroepentuin-goes", f"web-goes-{i}", 10)]
    with new_session(sqlite_url) as session, session.begin():
        apply_events(session, events, NOW)
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


async def link_for(client, ws) -> str:
    """The sign-in link, once the background write of the request is done (no waiting on a clock)."""
    await client.server.app["workspace_routes"].finish_background()
    return latest_link(ws)


async def sign_in(client, ws, email):
    page = await client.get("/adviseur")
    await client.post("/adviseur/aanmelden", data={"email": email, **fields(await page.text())})
    token = await link_for(client, ws)
    page = await client.get(f"/adviseur/inloggen?t={token}")
    await client.post("/adviseur/inloggen", data=fields(await page.text()), allow_redirects=False)


def row(html: str, caption: str, label: str):
    table = html[html.index(caption):]
    return re.search(rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td><td>([^<]*)</td>', table).groups()


async def test_a_coordinator_sees_every_regions_initiatives_with_small_cells_hidden(site):
    ws, client = site
    await sign_in(client, ws, ZEELAND)
    html = await (await client.get("/adviseur/initiatieven?kwartaal=2026-Q4")).text()
    for name in ("Bus naar de open dag in Zeeuws-Vlaanderen", "Gastles haven en logistiek", "Zomerschool ICT"):
        assert name in html
    assert row(html, "Wat Bus naar de open dag in Zeeuws-Vlaanderen oplevert", "Gesprekken") == ("8", "8")
    assert row(html, "Wat Beroepentuin Goes oplevert", "Aanvragen (leads)") == ("&lt; 5", "&lt; 5")
    assert "De ROC&#39;s rijden leerlingen" in html and "Ouders komen bijna nooit mee" in html
    assert 'href="mailto:initiatieven@zeeland.example.org"' in html and "info@rijnmond.example.org" in html
    assert "Mila" not in html and "0612345678" not in html
    # filters narrow the list
    html = await (await client.get("/adviseur/initiatieven?kwartaal=2026-Q4&soort=omscholing")).text()
    assert "Omscholen naar procestechniek" in html and "Gastles haven" not in html
    html = await (await client.get("/adviseur/initiatieven?doelgroep=havo")).text()
    assert "Zomerschool ICT" in html and "Gastles haven" not in html
    md = await (await client.get("/adviseur/initiatieven.md?kwartaal=2026-Q4")).text()
    assert md.startswith("# Initiatieven: wat ze opleveren, 2026-Q4") and "gestopt" in md
    csv = await (await client.get("/adviseur/initiatieven.csv?kwartaal=2026-Q4")).text()
    assert "2026-Q4,Zeeland,bus-zeeuws-vlaanderen" in csv and not re.search(r",[1-4],|,[1-4]\n", csv)


async def test_counsellors_do_not_see_the_initiatives_page(site):
    ws, client = site
    await sign_in(client, ws, SANNE)
    assert (await client.get("/adviseur/initiatieven")).status == 403
    assert (await client.get("/adviseur/initiatieven.csv")).status == 403


@pytest.mark.parametrize("email,width", [(ZEELAND, 1280), (NATIONAL, 390)])
async def test_the_initiatives_page_is_axe_clean_at_1280_and_390(site, email, width):
    from playwright.async_api import async_playwright

    require_chromium()
    ws, client = site
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": width, "height": 800})
            await context.route("**/__test__/axe.min.js", lambda route: route.fulfill(
                body=AXE.read_text(), content_type="application/javascript"))
            page = await context.new_page()
            await page.goto(base + "/adviseur")
            await page.get_by_label(re.compile("e-mail", re.I)).fill(email)
            await page.get_by_role("button", name=re.compile("link", re.I)).click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/inloggen?t={await link_for(client, ws)}")
            await page.get_by_role("button").last.click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/initiatieven?kwartaal=2026-Q4")
            await page.get_by_label("Soort").select_option("beroepentuin")
            await page.get_by_role("button", name="Toon").click()
            await page.wait_for_load_state()
            assert await page.get_by_role("heading", name="Beroepentuin Goes").count() == 1
            await page.goto(f"{base}/adviseur/initiatieven?kwartaal=2026-Q4")
            # nothing wider than the screen but the scrollable tables
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, overflow
            await page.add_script_tag(url=base + "/__test__/axe.min.js")
            result = await page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
            found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            assert found == [], found
        finally:
            await browser.close()
