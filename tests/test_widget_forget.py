"""Issue 25 item 7: a shared computer. The widget embedded with ``data-storage="local"`` keeps the
transcript in localStorage after the tab closes. In a real headless Chromium against the running stack
(real Rasa, action server and the stack's own web app, which reads the stack's tracker store):

- after "stop" the widget offers "Wis dit gesprek ook hier"; pressing it empties the screen and the
  browser storage, and a reload shows nothing of the conversation;
- when the conversation was erased elsewhere (the erasure code path a second device runs), the next
  visit on this computer hears from ``/chat/session`` that the conversation is gone, and the widget
  drops the stored transcript without asking.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from bot.store.erasure import erase_person
from tests.test_widget import (STORE_KEY, WAIT_MS, browser, guarded_context, say,  # noqa: F401 (fixture)
                               watched_page)

pytestmark = pytest.mark.e2e

PAGE = "/__test__/gedeelde-computer.html"


@contextmanager
def shared_computer(browser, origin):  # noqa: F811
    """A site that embeds the widget with data-storage="local", served at the web app's own origin."""
    html = (f'<!doctype html><html lang="nl"><head><title>Bibliotheek</title></head><body><main><h1>Bibliotheek</h1>'
            f'</main><script src="{origin}/static/gouden-poort-widget.js" data-storage="local" data-open="true">'
            '</script></body></html>')
    with guarded_context(browser, viewport={"width": 1280, "height": 800}) as context:
        context.route(f"**{PAGE}", lambda route: route.fulfill(body=html, content_type="text/html"))
        with watched_page(context) as page:
            yield page


def stored(page):
    return page.evaluate(f"localStorage.getItem('{STORE_KEY}')") or ""


def settled(page):
    """Poll until every message in the stored transcript has been answered (none pending)."""
    import time
    deadline = time.monotonic() + WAIT_MS / 1000
    script = f"(JSON.parse(localStorage.getItem('{STORE_KEY}') || '{{\"msgs\":[]}}').msgs || []).every(m => !m.pending)"
    while not page.evaluate(script):
        assert time.monotonic() < deadline, "a message stayed unsent"
        page.wait_for_timeout(100)


def open_shared(page, origin):
    from playwright.sync_api import expect

    page.goto(origin + PAGE)
    log = page.get_by_role("log", name="Gesprek")
    expect(log).to_contain_text("AI-chatbot", timeout=WAIT_MS)
    return log


@pytest.fixture
def origin(stack):
    return f"http://127.0.0.1:{stack.settings.web_port}"


def test_after_stop_the_widget_offers_to_wipe_the_conversation_here(browser, origin):  # noqa: F811
    from playwright.sync_api import expect

    with shared_computer(browser, origin) as page:
        log = open_shared(page, origin)
        say(page, "wat verdient een lasser")
        settled(page)
        say(page, "stop")
        wipe = page.get_by_role("button", name="Wis dit gesprek ook hier")
        expect(wipe).to_be_visible(timeout=WAIT_MS)
        assert "wat verdient een lasser" in stored(page)      # kept after the tab closes: localStorage
        wipe.click()
        expect(log).not_to_contain_text("wat verdient een lasser")
        expect(page.get_by_text("ook uit deze browser gewist")).to_be_visible()
        assert "lasser" not in stored(page)
        page.reload()
        log = page.get_by_role("log", name="Gesprek")
        expect(log).to_contain_text("AI-chatbot", timeout=WAIT_MS)   # a fresh conversation …
        expect(log).not_to_contain_text("lasser")                    # … and nothing of the old one
        assert "lasser" not in stored(page)


def test_a_conversation_erased_elsewhere_leaves_this_browser_too(browser, origin, stack):  # noqa: F811
    from playwright.sync_api import expect

    with shared_computer(browser, origin) as page:
        log = open_shared(page, origin)
        say(page, "ik ben Kees Achterberg en ik wil lasser worden")
        settled(page)
        token = page.evaluate(f"JSON.parse(localStorage.getItem('{STORE_KEY}')).token")
        page.reload()                                                # still there: nothing was erased
        expect(page.get_by_role("log", name="Gesprek")).to_contain_text("Kees Achterberg", timeout=WAIT_MS)

        # "wis mijn gegevens" from another device, with the code: the erasure reaches this conversation
        erase_person(stack.settings.database_url, stack.web_sender(token), stack.settings.tracker_store_url,
                     schedule_sweeps=False)
        page.reload()
        log = page.get_by_role("log", name="Gesprek")
        expect(page.get_by_text("op de server gewist")).to_be_visible(timeout=WAIT_MS)
        expect(log).not_to_contain_text("Kees Achterberg")
        assert "Achterberg" not in stored(page)
