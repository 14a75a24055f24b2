"""The funnel says something at small numbers (issue 24 item 6): totals over 4 weeks or a quarter, a
short explanation of "< 5", the trend per week, chart words readable at 390 px (at least 12 px), and
the k >= 5 rules kept: a period total whose weeks are all shown but one is "minstens" the shown weeks.

A small region (Zeeland, AM24) with 1 to 4 hand-offs a week; a coordinator's page over the real
workspace routes; the page in Chromium at 1280 and 390 px with axe at 0 violations."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.analytics.consume import add_count
from bot.analytics.report import SUPPRESSED, period_shown, period_weeks, week_label
from bot.channels.workspace_web import register_routes
from bot.store.db import get_engine, new_session
from tests.analytics_support import NOW, WEEK
from tests.services import CHROMIUM, require_chromium
from tests.test_analytics_workspace import NATIONAL, ZEELAND, cell, fields, latest_link
from tests.test_widget import AXE, CHROMIUM_ARGS
from tests.workspace_support import workspace_settings

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
# W46..W49 (WEEK is 2026-W49): a small region, each week "< 5" on its own
SMALL_WEEKS = {"2026-W46": 2, "2026-W47": 1, "2026-W48": 3, "2026-W49": 2}
# Friesland (AM02): all weeks shown but one, so the total would give that one away
ONE_HIDDEN = {"2026-W46": 6, "2026-W47": 7, "2026-W48": 5, "2026-W49": 3}


def test_period_weeks_labels_and_the_minstens_rule():
    assert period_weeks("2026-W49", "4-weken") == ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    assert period_weeks("2026-W02", "4-weken") == ["2025-W51", "2025-W52", "2026-W01", "2026-W02"]
    assert len(period_weeks("2026-W49", "kwartaal")) == 13 and period_weeks("2026-W49", "week") == ["2026-W49"]
    assert period_weeks("2026-W49", "onzin") == period_weeks("2026-W49", "4-weken")
    assert week_label("2026-W49") == "week 49 (30 nov)"
    assert period_shown([2, 1, 3, 2]) == ("8", 8)                 # small weeks together reach 5
    assert period_shown([1, 1, 1, 1]) == (SUPPRESSED, 0)          # and when they do not: "< 5"
    assert period_shown([6, 7, 5, 3]) == ("minstens 18", 18)      # 21 - 6 - 7 - 5 would give the 3 away
    assert period_shown([6, 7, 5, 0]) == ("18", 18)               # an empty week gives nothing away
    assert period_shown([6, 7, 2, 3]) == ("18", 18)               # two hidden weeks protect each other
    assert period_shown([9]) == ("9", 9) and period_shown([3]) == (SUPPRESSED, 0)


@pytest.fixture
async def small_site(sqlite_url, tmp_path):
    get_engine(sqlite_url)
    with new_session(sqlite_url) as session, session.begin():
        for week, n in SMALL_WEEKS.items():
            for metric in ("step:started", "step:intake", "step:preview", "step:consent", "step:handoff"):
                add_count(session, (week, "AM24", "web", "16-17"), metric, n + (6 if metric == "step:started" else 0))
        for week, n in ONE_HIDDEN.items():
            add_count(session, (week, "AM02", "web", "16-17"), "step:handoff", n)
            add_count(session, (week, "AM02", "web", "16-17"), "step:started", n + 10)
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


async def wait_for_link(ws, before=None, seconds=30):
    """The sign-in mail is queued in the background: poll for a link other than ``before``."""
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            link = latest_link(ws)
        except AttributeError:  # no sign-in mail yet
            link = None
        if link and link != before:
            return link
        await asyncio.sleep(0.05)
    raise AssertionError("no sign-in mail was queued")


async def sign_in(client, ws, email):
    page = await client.get("/adviseur")
    await client.post("/adviseur/aanmelden", data={"email": email, **fields(await page.text())})
    token = await wait_for_link(ws)
    page = await client.get(f"/adviseur/inloggen?t={token}")
    await client.post("/adviseur/inloggen", data=fields(await page.text()), allow_redirects=False)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&#34;", '"').split())


async def test_a_small_region_sees_numbers_over_4_weeks_and_a_quarter(small_site):
    ws, client = small_site
    await sign_in(client, ws, ZEELAND)
    one_week = await (await client.get(f"/adviseur/trechter?week={WEEK}&periode=week")).text()
    assert cell(one_week, "Doorgezet naar adviseur") == "&lt; 5"
    html = await (await client.get(f"/adviseur/trechter?week={WEEK}")).text()   # 4 weeks is the default
    assert cell(html, "Doorgezet naar adviseur") == "8" and cell(html, "Gesprek begonnen") == "32"
    words = text_of(html)
    assert "Deze cijfers gaan over 4 weken: van week 46 (9 nov) tot en met week 49 (30 nov)." in words
    assert 'Wat betekent "< 5"?' in words and "Dat kan 0, 1, 2, 3 of 4 zijn." in words
    # the trend: one row per week, each week's own numbers ("< 5" where that week is small)
    trend = re.search(r'<caption id="trend-tabel">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<th scope="row">(week \d+[^<]*)</th>((?:<td>[^<]*</td>)+)', trend)
    assert [r[0] for r in rows] == ["week 46 (9 nov)", "week 47 (16 nov)", "week 48 (23 nov)", "week 49 (30 nov)"]
    assert all(re.findall(r"<td>([^<]*)</td>", r[1])[1:] == ["&lt; 5"] * 4 for r in rows)
    assert re.findall(r"<td>([^<]*)</td>", rows[0][1])[0] == "8"      # started: 2 + 6 in week 46
    quarter = await (await client.get(f"/adviseur/trechter?week={WEEK}&periode=kwartaal")).text()
    assert cell(quarter, "Doorgezet naar adviseur") == "8" and "een kwartaal (13 weken)" in quarter
    csv = await (await client.get(f"/adviseur/trechter.csv?week={WEEK}&periode=4-weken")).text()
    assert "2026-W46,AM24,web,16-17,step:handoff,< 5" in csv and not re.search(r",[1-4]\n", csv)


async def test_a_total_that_would_give_one_week_away_says_minstens(small_site):
    ws, client = small_site
    await sign_in(client, ws, NATIONAL)
    html = await (await client.get(f"/adviseur/trechter?week={WEEK}&periode=4-weken")).text()
    # Friesland: 6 + 7 + 5 + 3 hand-offs; its week 49 shows "< 5", so its total is not 21
    assert re.search(r'<th scope="row">Friesland</th>(<td>[^<]*</td>){4}<td>minstens 18</td>', html)
    assert "21" not in re.search(r'<th scope="row">Friesland</th>.*?</tr>', html).group(0)
    assert "Friesland: minstens 18." in html   # the chart says the same as the table
    assert cell(html, "Doorgezet naar adviseur") == "29"  # all regions: 8, 8, 8 and 5 a week, none hidden


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_funnel_page_at_desk_and_phone_width(small_site, width):
    from playwright.async_api import async_playwright

    require_chromium()
    ws, client = small_site
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
            await context.route("**/__test__/axe.min.js", lambda route: route.fulfill(
                body=AXE.read_text(), content_type="application/javascript"))
            page = await context.new_page()
            await page.goto(base + "/adviseur")
            await page.get_by_label(re.compile("e-mail", re.I)).fill(NATIONAL)
            await page.get_by_role("button", name=re.compile("link", re.I)).click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/inloggen?t={await wait_for_link(ws)}")
            await page.get_by_role("button").last.click()
            await page.wait_for_load_state()
            await page.goto(f"{base}/adviseur/trechter?week={WEEK}")
            await page.get_by_label("Periode").select_option("kwartaal")
            await page.get_by_role("button", name="Toon").click()
            await page.wait_for_url(re.compile("periode=kwartaal"))
            assert await page.get_by_role("img", name=re.compile("Gesprekken per stap")).count() == 1
            assert await page.get_by_role("img", name=re.compile("Gesprekken begonnen per week")).count() == 1
            measured = await page.evaluate("""() => ({
                scroll: document.documentElement.scrollWidth, width: innerWidth,
                fonts: [...document.querySelectorAll('.chart-label, .chart-value, .chart-title')]
                  .map(e => parseFloat(getComputedStyle(e).fontSize)),
                rows: document.querySelectorAll('.chart-row').length,
                clipped: [...document.querySelectorAll('.chart-label, .chart-value')]
                  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.textContent)})""")
            assert measured["rows"] > 20 and min(measured["fonts"]) >= 12, measured["fonts"]
            assert measured["scroll"] <= measured["width"], measured    # no sideways scrolling of the page
            assert measured["clipped"] == [], measured["clipped"]        # every chart word is on screen
            await page.add_script_tag(url=base + "/__test__/axe.min.js")
            result = await page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
            found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            assert found == [], found
            assert len(result["passes"]) > 15
        finally:
            await browser.close()
