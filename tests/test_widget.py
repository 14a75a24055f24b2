"""The web widget in a real headless Chromium (Debian's, driven by Playwright) against the running
stack: the session's real Rasa + action server (``stack`` fixture) and a real web app process. The
widget talks only to the web app; conversations are checked in the tracker store itself.

Needs /usr/bin/chromium (scripts/ensure_chromium.sh installs it when run as root); without it these
tests skip and say what to install.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.ops.launcher import Service, start_all, stop_all
from bot.ops.training import rasa_env
from tests.services import CHROMIUM, require_chromium
from tests.stack import free_port

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
STORE_KEY = "gouden-poort-chat-v1"
WAIT_MS = 30_000
MARKUP = '<b>hoi</b><img src=x onerror="window.__xss=1">'


def start_webapp(var_dir: Path, rasa_url: str, settings, extra_env=None) -> tuple:
    """A web app with the stack's secrets (so Rasa's gateway channel lets it in and sender ids match)."""
    port = free_port()
    env = rasa_env({"GP_PUBLIC_HOST": "127.0.0.1", "GP_WEB_PORT": str(port), "GP_RASA_URL": rasa_url,
                    "GP_VAR_DIR": str(var_dir), "GP_CHANNEL_SECRET": settings.channel_secret,
                    "GP_IDENTITY_SECRET": settings.identity_secret, **(extra_env or {})})
    service = Service("webapp", [sys.executable, "-m", "bot", "web"], f"http://127.0.0.1:{port}/health",
                      env, var_dir / "web.log")
    start_all([service], out=lambda msg: None)
    return service, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def web_url(stack, tmp_path_factory):
    """A real web app process in front of the session's real Rasa (no second Rasa needed)."""
    service, url = start_webapp(tmp_path_factory.mktemp("web"), stack.settings.rasa_url, stack.settings)
    try:
        yield url
    finally:
        stop_all([service])


@pytest.fixture(scope="module")
def browser():
    # Module scope on purpose: sync Playwright keeps an event loop running in this thread while it
    # is open, which would break async tests in later modules.
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_context(browser, **options):
    """A browser context that lets only 127.0.0.1 traffic through (anything else is refused and recorded)."""
    context = browser.new_context(**{"locale": "nl-NL", **options})
    outside = []

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if host in ("127.0.0.1", "") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.route("**/__test__/axe.min.js",
                  lambda route: route.fulfill(body=AXE.read_text(), content_type="application/javascript"))
    try:
        yield context
    finally:
        context.close()
    assert not outside, f"verkeer buiten 127.0.0.1: {outside}"


@contextmanager
def watched_page(context):
    """A new page whose script errors fail the test."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, errors


@pytest.fixture
def context(browser):
    with guarded_context(browser, viewport={"width": 1280, "height": 800}) as context:
        yield context


@pytest.fixture
def page(context):
    with watched_page(context) as page:
        yield page


def open_chat(page, url):
    from playwright.sync_api import expect

    page.goto(url)
    log = page.get_by_role("log", name="Gesprek")
    expect(log).to_contain_text("AI-chatbot", timeout=WAIT_MS)
    return log


def session_id(page) -> str:
    """The widget's session token (the browser never learns the Rasa sender id derived from it)."""
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('{STORE_KEY}')).token")


def say(page, text):
    box = page.get_by_label("Typ je bericht")
    box.fill(text)
    box.press("Enter")


def axe_violations(page, serious_only=True):
    page.add_script_tag(url=page.evaluate("location.origin") + "/__test__/axe.min.js")
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    found = [v for v in result["violations"] if not serious_only or v["impact"] in ("serious", "critical")]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found], result


def test_full_conversation_with_buttons_survives_reload(page, web_url, stack):
    from playwright.sync_api import expect

    log = open_chat(page, web_url + "/?regio=zeeland")
    expect(log).to_contain_text("Gouden Poort in Zeeland", timeout=WAIT_MS)   # regional welcome
    panel = page.get_by_role("region", name="Chat met de Gouden Poort")
    expect(panel.get_by_text("AI-chatbot", exact=True)).to_be_visible()
    expect(panel.get_by_role("link", name="Privacy")).to_have_attribute("href", web_url + "/privacy")
    expect(panel.get_by_role("button", name="Praat met een mens")).to_be_visible()

    panel.get_by_role("button", name="Praat met een adviseur").click()
    expect(log).to_contain_text("Hoe oud ben je", timeout=WAIT_MS)      # age is the first question
    expect(panel.get_by_role("button", name="Praat met een adviseur")).to_have_count(0)   # the set collapsed …
    expect(log.get_by_text("Je koos: Praat met een adviseur")).to_be_visible()              # … to what was chosen
    say(page, "17")
    expect(log).to_contain_text("Hoe mag ik je noemen", timeout=WAIT_MS)
    sid = session_id(page)

    page.reload()
    expect(log).to_contain_text("Hoe mag ik je noemen", timeout=WAIT_MS)  # the transcript is back …
    expect(log).to_contain_text("17")
    say(page, "Sam")
    expect(log).to_contain_text("Wat doe je nu", timeout=WAIT_MS)        # … and so is Rasa's form state
    panel.get_by_role("button", name="Ik zit op school").click()
    expect(log).to_contain_text("Wat lijkt je leuk", timeout=WAIT_MS)
    say(page, "iets met bouwen en lassen")
    expect(log).to_contain_text("postcode", timeout=WAIT_MS)
    say(page, "4331 AB")
    panel.get_by_role("button", name="Bellen", exact=True).click()
    expect(log).to_contain_text("telefoonnummer", timeout=WAIT_MS)
    say(page, "06 13572468")  # its own number: one referral per contact, and the session stack is shared
    expect(log).to_contain_text("Wanneer", timeout=WAIT_MS)
    say(page, "Middag")
    expect(log).to_contain_text("Klopt dit?", timeout=WAIT_MS)
    send = panel.get_by_role("button", name="Ja, versturen")
    expect(send).to_be_visible(timeout=WAIT_MS)
    send.press("Enter")                                                 # buttons work from the keyboard
    expect(log).to_contain_text("Gelukt! Sanne", timeout=WAIT_MS)
    assert session_id(page) == sid

    # the region from the embed snippet reached Rasa as message metadata
    assert page.evaluate("fetch('/widget-config.json').then(r => r.json())")["messagePath"] == "/chat/message"
    user_events = stack.user_events(stack.web_sender(sid))
    assert user_events[0]["text"] == "/greet"
    assert {e["metadata"].get("region") for e in user_events} == {"zeeland"}
    assert all(e["input_channel"] == "web" for e in user_events)


def test_markup_from_user_and_bot_is_shown_as_text(page, web_url, stack):
    from playwright.sync_api import expect

    log = open_chat(page, web_url)
    say(page, MARKUP)
    expect(log.locator(".gpw-msg--user").last).to_have_text("Jij: " + MARKUP, timeout=WAIT_MS)
    expect(log.locator(".gpw-msg--user.gpw-msg--pending")).to_have_count(0, timeout=WAIT_MS)

    # A bot message with markup: the web app's real answer to the next message, with one more bot
    # message added on the way to the browser (Rasa's own texts contain no markup to test with).
    def with_markup(route):
        answer = route.fetch()
        body = answer.json()
        body["replies"].append({"text": "Kijk: " + MARKUP, "buttons": [{"title": "<i>knop</i>", "payload": "/greet"}]})
        route.fulfill(response=answer, json=body)

    page.route("**/chat/message", with_markup)
    say(page, "hoi")
    expect(log.locator(".gpw-msg--bot").last).to_have_text("Chatbot: Kijk: " + MARKUP, timeout=WAIT_MS)
    expect(log.get_by_role("button", name="<i>knop</i>")).to_be_visible()
    assert log.locator("b, img, i").count() == 0
    assert page.evaluate("window.__xss") is None


def test_keyboard_focus_and_accessibility_scan(page, web_url):
    from playwright.sync_api import expect

    log = open_chat(page, web_url)
    expect(log).to_have_attribute("aria-live", "polite")
    # Close with Escape: focus goes back to the launcher; Enter opens again and focuses the input.
    page.get_by_label("Typ je bericht").press("Escape")
    launcher = page.get_by_role("button", name="Chat met de Gouden Poort")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.press("Enter")
    expect(page.get_by_label("Typ je bericht")).to_be_focused()

    # Every control can be reached with Tab and shows a visible focus ring.
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            const s = getComputedStyle(el);
            return {name: el.getAttribute('aria-label') || el.textContent.trim(), tag: el.tagName,
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }""")
        if info["tag"] in ("BUTTON", "INPUT", "A") or info["name"] == "":
            if info["name"] in ("Privacy: wat we bewaren (opent in nieuw tabblad)", "Praat met een mens",
                                "Chat sluiten", "Stuur", "Praat met een adviseur"):
                assert info["outline"] != "none" and info["width"] >= 2, info
                reached.add(info["name"])
    assert reached >= {"Praat met een mens", "Chat sluiten", "Stuur", "Praat met een adviseur",
                       "Privacy: wat we bewaren (opent in nieuw tabblad)"}, reached

    serious, result = axe_violations(page)
    assert not serious, serious
    assert len(result["passes"]) > 20          # axe really ran
    print(f"\naxe {page.evaluate('axe.version')}: {len(result['passes'])} rules passed, "
          f"violations: {[(v['id'], v['impact']) for v in result['violations']]}, "
          f"incomplete: {[v['id'] for v in result['incomplete']]}")

    page.set_viewport_size({"width": 320, "height": 640})
    serious, _ = axe_violations(page)
    assert not serious, serious


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 568}, {"width": 640, "height": 400}],
                         ids=["320px", "200pct-zoom"])
def test_usable_at_320px_and_200_percent_zoom(browser, web_url, viewport):
    from playwright.sync_api import expect

    # 200 % zoom on a 1280×800 screen gives a 640×400 CSS-pixel viewport.
    context = browser.new_context(viewport=viewport, device_scale_factor=2, reduced_motion="reduce")
    try:
        page = context.new_page()
        open_chat(page, web_url)
        for name in ("Praat met een mens", "Stuur", "Chat sluiten"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, (name, box)
            assert box["y"] + box["height"] <= viewport["height"] + 0.5, (name, box)
        box = page.get_by_label("Typ je bericht").bounding_box()
        assert box["width"] >= 120, box
        overflow = page.evaluate("""() => {
            const p = document.querySelector('#gouden-poort-chat').shadowRoot.querySelector('.gpw-panel');
            return p.scrollWidth - p.clientWidth; }""")
        assert overflow <= 0
        page.get_by_label("Typ je bericht").fill("test")
        page.get_by_role("button", name="Stuur").click()
        typing_animation = page.evaluate("""() => getComputedStyle(document.querySelector('#gouden-poort-chat')
            .shadowRoot.querySelector('.gpw-dots')).animationName""")
        assert typing_animation == "none"       # prefers-reduced-motion is respected
    finally:
        context.close()


class Forwarder:
    """A TCP forwarder on a fixed port that stands in for "Rasa is back" (127.0.0.1 only)."""

    def __init__(self, port: int, target_port: int):
        self.server = socket.create_server(("127.0.0.1", port))
        self.target_port = target_port
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.server.close()


def test_rasa_down_says_so_in_dutch_keeps_the_message_and_delivers_it_later(page, stack, tmp_path):
    from playwright.sync_api import expect

    dead_port = free_port()                         # nothing listens here: "Rasa is down"
    service, url = start_webapp(tmp_path, f"http://127.0.0.1:{dead_port}", stack.settings)
    forwarder = None
    try:
        page.goto(url)
        status = page.get_by_role("status")
        expect(status).to_contain_text("De chat is even niet bereikbaar", timeout=WAIT_MS)
        expect(page.get_by_role("button", name="Nu opnieuw proberen")).to_be_visible()
        say(page, "Hallo, is daar iemand?")
        log = page.get_by_role("log", name="Gesprek")
        mine = log.locator(".gpw-msg--user").filter(has_text="Hallo, is daar iemand?")
        expect(mine).to_contain_text("Nog niet verstuurd")
        expect(page.get_by_label("Typ je bericht")).to_have_value("")

        page.reload()                               # still kept after a reload
        expect(mine).to_contain_text("Nog niet verstuurd", timeout=WAIT_MS)
        expect(status).to_contain_text("niet bereikbaar", timeout=WAIT_MS)

        forwarder = Forwarder(dead_port, stack.settings.rasa_port)   # Rasa is back
        page.get_by_role("button", name="Nu opnieuw proberen").click()
        expect(mine).not_to_contain_text("Nog niet verstuurd", timeout=WAIT_MS)
        expect(log).to_contain_text("AI-chatbot", timeout=WAIT_MS)
        expect(page.get_by_role("button", name="Nu opnieuw proberen")).to_be_hidden()
        expect(page.get_by_text("De chat is even niet bereikbaar")).to_have_count(0)
        sid = session_id(page)
        texts = [e.get("text") for e in stack.user_events(stack.web_sender(sid))]
        assert texts == ["/greet", "Hallo, is daar iemand?"]   # once each, in order
    finally:
        if forwarder:
            forwarder.close()
        stop_all([service])


def test_erasure_clears_the_widgets_browser_storage(page, web_url):
    """Issue 11: after "wis mijn gegevens" the browser keeps nothing of the conversation either."""
    from playwright.sync_api import expect

    log = open_chat(page, web_url)
    say(page, "wis mijn gegevens")
    panel = page.get_by_role("region", name="Chat met de Gouden Poort")
    panel.get_by_role("button", name="Ja, wis alles").click()
    expect(panel.get_by_role("button", name="Alleen dit gesprek")).to_be_visible(timeout=WAIT_MS)
    assert "wis mijn gegevens" in page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')")
    panel.get_by_role("button", name="Alleen dit gesprek").click()
    expect(log).to_contain_text("Ik heb dit gesprek gewist", timeout=WAIT_MS)
    # poll from Python: wait_for_function evaluates a string, which the page's CSP (no unsafe-eval) refuses
    deadline = time.monotonic() + WAIT_MS / 1000
    while page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')") is not None:
        assert time.monotonic() < deadline, "the widget kept the conversation in sessionStorage after erasure"
        page.wait_for_timeout(200)
    page.reload()
    expect(page.get_by_role("log", name="Gesprek")).not_to_contain_text("wis mijn gegevens", timeout=WAIT_MS)
