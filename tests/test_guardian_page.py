"""The guardian's page looks like the product (issue 24 item 5): the site's template and logo, who
asks (first name, age band, place), what goes to whom and why, the statement the guardian confirms,
"ja" and "nee", and how to reach the organisation. "Nee" sends nothing and wipes the request at once.

The page in a real Chromium at desk and phone width, axe at 0 violations; the web routes served by
aiohttp on 127.0.0.1 in a thread (no Rasa needed: the request is made as the intake makes it)."""
from __future__ import annotations

import asyncio
from html import unescape
import re
import threading
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.channels.http_guard import guarded_application
from bot.channels.webapp import STATIC_DIR
from bot.handoff import guardian
from bot.handoff.clock import FakeClock
from bot.store.db import session_factory
from bot.store.handoff_models import GuardianRequest, OutboxMessage
from bot.store.models import ErasureStat, Lead
from tests.handoff_support import make_settings
from tests.test_guardian import NOW, _ask, _counts, _link_in


def _token(url):
    with session_factory(url)() as s:
        body = s.execute(select(OutboxMessage.payload).where(OutboxMessage.kind == "guardian")).scalar_one()["text"]
    return _link_in(body)


def _app(settings, tracker_store_url=None):
    app = guarded_application()
    app.router.add_static("/static/", STATIC_DIR, show_index=False)
    guardian.register_routes(app, settings, clock=FakeClock(NOW + timedelta(hours=1)),
                             tracker_store_url=tracker_store_url)
    return app


def test_the_page_says_who_asks_what_goes_to_whom_and_how_to_reach_the_organisation():
    from bot.content.packs import organisation_contact

    payload = {"lead": {"first_name": "Lina", "age_band": "12-15", "gemeente_name": "Heerlen", "postcode": "6411",
                        "region_code": "AM30"},
               "lines": ["- Naam: Lina", "- Leeftijd: 12-15 jaar"], "context": {"asker": "self"},
               "counsellor": {"name": "Rik Jansen", "first_name": "Rik", "organisation": "Techniekpunt Zuid-Limburg"}}
    request = guardian.page_request(payload, NOW + timedelta(days=7))
    html = " ".join(guardian.render_page("guardian_page.html.j2", title="t", message="", request=request,
                                         status="ask", csrf="c", action="/ouder/x").split())
    assert "<strong>Lina</strong> (12-15 jaar, uit Heerlen) heeft in de chat" in html
    assert "Met 'ja' verklaart u:</strong> ik ben de ouder of verzorger van Lina, 12-15 jaar, uit Heerlen" in html
    assert "Rik van Techniekpunt Zuid-Limburg" in html and "<li>Naam: Lina</li>" in html
    assert 'value="ja"' in html and 'value="nee"' in html and 'src="/static/logo.svg"' in html
    contact = organisation_contact("AM30")
    assert contact.organisation in html
    for way in (contact.phone, contact.email):
        if way:
            assert way in html
    # a parent who asked for their child: the page says so, and names the child
    parent = guardian.page_request({**payload, "context": {"asker": "parent"}}, NOW + timedelta(days=7))
    html = " ".join(guardian.render_page("guardian_page.html.j2", title="t", message="", request=parent,
                                         status="ask", csrf="c", action="/ouder/x").split())
    assert "heeft een ouder of verzorger gevraagd" in html and "voor <strong>Lina</strong> (12-15 jaar, uit Heerlen)" in html
    # no first name given: "uw kind", never "None" or "onbekend"
    nameless = guardian.page_request({**payload, "lead": {**payload["lead"], "first_name": None}}, NOW)
    html = guardian.render_page("guardian_page.html.j2", title="t", message="", request=nameless,
                                status="ask", csrf="c", action="/ouder/x")
    assert "Uw kind" in html and "None" not in html and "onbekend" not in html


async def test_nee_sends_nothing_and_wipes_the_request_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    from sqlalchemy import create_engine, text
    engine = create_engine(tracker)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        conn.execute(text("INSERT INTO events (sender_id, data) VALUES ('conv-kid', '{}'), ('other', '{}')"))
    settings = make_settings(url, tmp_path)
    _ask(url, settings)
    token = _token(url)
    client = TestClient(TestServer(_app(settings, tracker)))
    await client.start_server()
    try:
        html = await (await client.get(f"/ouder/{token}")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        assert (await client.post(f"/ouder/{token}", data={"csrf": "fout", "antwoord": "nee"})).status == 403
        assert _counts(url)["requests"] == 1  # a forged "nee" wipes nothing
        said_no = await client.post(f"/ouder/{token}", data={"csrf": csrf, "antwoord": "nee"})
        assert said_no.status == 200 and "U heeft 'nee' gezegd" in unescape(await said_no.text())
        assert _counts(url) == {"leads": 0, "consents": 0, "requests": 0, "cases": 0, "outbox": []}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT sender_id FROM events")).scalars().all() == ["other"]
        with session_factory(url)() as s:
            assert s.execute(select(ErasureStat.count).where(ErasureStat.kind == "guardian_no")).scalar_one() == 1
        # the link is used up: neither "ja" nor "nee" does anything any more
        assert (await client.post(f"/ouder/{token}", data={"csrf": csrf, "antwoord": "ja"})).status == 410
        assert (await client.post(f"/ouder/{token}", data={"csrf": csrf, "antwoord": "nee"})).status == 410
        assert (await client.get(f"/ouder/{token}")).status == 410
        with session_factory(url)() as s:
            assert s.scalar(select(func.count()).select_from(Lead)) == 0
            assert s.scalar(select(func.count()).select_from(GuardianRequest)) == 0
    finally:
        await client.close()
        engine.dispose()


# --- In Chromium ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The guardian routes on a real port (a thread with its own event loop)."""
    tmp_path = tmp_path_factory.mktemp("guardian-page")
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    settings = make_settings(url, tmp_path)
    loop = asyncio.new_event_loop()
    ready, box = threading.Event(), {}

    async def start():
        runner = web.AppRunner(_app(settings))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        box["runner"], box["port"] = runner, site._server.sockets[0].getsockname()[1]
        ready.set()

    def serve():
        asyncio.set_event_loop(loop)
        loop.create_task(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30), "the page server did not start"
    try:
        yield f"http://127.0.0.1:{box['port']}", url, settings
    finally:
        asyncio.run_coroutine_threadsafe(box["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from tests.services import CHROMIUM, require_chromium
    from tests.test_widget import CHROMIUM_ARGS

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


TAP_TARGETS = "a, button, input:not([type=hidden])"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_in_chromium_at_desk_and_phone_width(browser, served, width):
    from playwright.sync_api import expect
    from tests.test_widget import AXE, axe_violations

    base, url, settings = served
    _ask(url, settings, conversation=f"conv-{width}", email=f"ouder{width}@example.org")
    with session_factory(url)() as s:
        body = s.execute(select(OutboxMessage.payload).where(
            OutboxMessage.recipient == f"ouder{width}@example.org")).scalar_one()["text"]
    token = _link_in(body)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    context.route("**/__test__/axe.min.js",
                  lambda route: route.fulfill(body=AXE.read_text(), content_type="application/javascript"))
    page = context.new_page()
    page.goto(f"{base}/ouder/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mag uw kind contact met een adviseur?")
    logo = page.locator("header.site img.logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("el => el.naturalWidth") > 0                          # the logo really loads
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")  # the site's CSS
    expect(page.get_by_role("heading", name="Wie vraagt het?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lina (12-15 jaar, uit Heerlen)")
    expect(page.get_by_role("button", name="Ja, ik geef toestemming")).to_be_visible()
    expect(page.get_by_role("button", name="Nee, geen toestemming")).to_be_visible()
    expect(page.get_by_role("heading", name="Vragen of twijfels?")).to_be_visible()
    sizes = page.evaluate(f"""() => ({{scroll: document.documentElement.scrollWidth, width: innerWidth,
        small: [...document.querySelectorAll('main {TAP_TARGETS.replace(", ", ", main ")}')]
          .filter(e => e.offsetParent !== null && e.tagName === 'BUTTON')
          .map(e => [e.textContent.trim(), e.getBoundingClientRect().height]).filter(([, h]) => h < 44)}})""")
    assert sizes["scroll"] <= sizes["width"], sizes       # no sideways scrolling
    assert sizes["small"] == [], sizes["small"]           # the answers are easy to tap
    violations, result = axe_violations(page, serious_only=False)
    assert violations == [] and len(result["passes"]) > 10, violations
    page.get_by_role("button", name="Nee, geen toestemming").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U heeft 'nee' gezegd")
    expect(page.locator("header.site img.logo")).to_be_visible()
    violations, _ = axe_violations(page, serious_only=False)
    assert violations == [], violations
    with session_factory(url)() as s:
        assert s.scalar(select(func.count()).select_from(GuardianRequest).where(
            GuardianRequest.conversation_id == f"conv-{width}")) == 0
        assert s.scalar(select(func.count()).select_from(Lead)) == 0
    context.close()
