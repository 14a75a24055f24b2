"""The widget on a phone (issue 26), in the real headless Chromium with phone emulation (touch,
``is_mobile``) against the real stack: room to read (compact header), no keyboard after a tap on a
quick reply, back at the latest reply after a reload and with the keyboard open (320 × 330), links in
bot messages, answered button sets that collapse to "Je koos: ...", one tap to copy the reference, the
under-16 info with a link and buttons, and "hoi" halfway in one short line.

Texts that Rasa does not say (a link, a reference, a very long message) are added to the web app's
real answer on the way to the browser, as in tests/test_widget.py. The figures are in web/README.md.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from bot.ops.launcher import stop_all
from tests.test_widget import (WAIT_MS, axe_violations, browser, guarded_context, open_chat, say,  # noqa: F401
                               start_webapp, watched_page)

pytestmark = pytest.mark.e2e

PHONES = {"320x640": (320, 640), "390x844": (390, 844)}
LONG_CONVERSATION = [
    "hoi", "wat is techniek", "wat verdien je als monteur", "ik hou van auto's", "wat doet een elektricien",
    "hoe lang duurt een opleiding", "kan ik leren en werken tegelijk", "ik ben 17", "wat is een bbl",
    "waar kan ik werken", "is het zwaar werk", "ik twijfel nog", "wat doet een installateur", "en een lasser",
    "heb je open dagen", "wat is een zij-instromer", "ik ben 35 en wil overstappen", "hoeveel uur werk je",
    "moet ik goed zijn in wiskunde", "kan het ook parttime", "zijn er meisjes in de techniek",
    "wat doet een adviseur", "hoe werkt dat", "bedankt", "nog een vraag", "wat is duurzame energie",
]
LINK = "https://zeeland.example.org/open-dag-middelburg-en-vlissingen-2027?bron=chat"
HOSTILE = ('Niet doen: javascript:alert(1) en https://zeeland.example.org@evil.example/ en '
           '<a href="javascript:alert(2)">klik</a> en https://x.example.org/"onmouseover="alert(3)')

# Where the log, the header and the last bot message are (CSS pixels, relative to the log's top).
GEOMETRY = """() => {
    const root = document.querySelector('#gouden-poort-chat').shadowRoot;
    const log = root.querySelector('.gpw-log'), box = log.getBoundingClientRect();
    const bots = root.querySelectorAll('.gpw-msg--bot'), last = bots[bots.length - 1];
    const r = last ? last.getBoundingClientRect() : null;
    return {head: root.querySelector('.gpw-head').getBoundingClientRect().height,
            log: box.height, screen: innerHeight, scrollTop: log.scrollTop, scrollHeight: log.scrollHeight,
            lastTop: r ? r.top - box.top : null, lastBottom: r ? r.bottom - box.top : null,
            visible: r ? Math.max(0, Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top)) : 0,
            focus: root.activeElement ? root.activeElement.className || root.activeElement.id : null};
}"""

# Every place where the link's text goes to a new line must come after "/" or "-" or before "." "?" "&"
# "=" "#": checked per character with a Range, so a break in the middle of a word is found.
LINK_BREAKS = """(a) => {
    const bad = [], lines = [];
    let prevTop = null, prev = '';
    for (const node of a.querySelectorAll('.gpw-link__part')) {
        const text = node.firstChild;
        for (let i = 0; i < text.length; i++) {
            const range = document.createRange();
            range.setStart(text, i); range.setEnd(text, i + 1);
            const top = Math.round(range.getBoundingClientRect().top);
            const ch = text.data[i];
            if (prevTop !== null && top > prevTop + 2) {
                lines.push(i);
                if (!('/-'.includes(prev) || '.?&=#'.includes(ch))) bad.push(prev + '|' + ch);
            }
            prevTop = top; prev = ch;
        }
    }
    return {bad, lines: lines.length + 1};
}"""


@contextmanager
def phone(chromium, width, height, touch=True, **options):
    """A page in a phone-like browser (touch, mobile, 2 device pixels per CSS pixel); touch=False: a desktop."""
    if touch:
        options.update(has_touch=True, is_mobile=True, device_scale_factor=2)
    with guarded_context(chromium, viewport={"width": width, "height": height}, **options) as context, \
            watched_page(context) as page:
        yield page


def until(page, check, what):
    """Polls the widget's geometry until check(geometry) holds; returns it (fails with the last one)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        geometry = page.evaluate(GEOMETRY)
        if check(geometry):
            return geometry
        assert time.monotonic() < deadline, f"{what}: {geometry}"
        page.wait_for_timeout(100)


def start_of_last_bot_message_in_view(g):
    return g["lastTop"] is not None and 0 <= g["lastTop"] < g["log"] - 20


def add_bot_reply(page, text):
    """The web app's real answer to the next message, with one more bot message added."""
    def extend(route):
        answer = route.fetch()
        body = answer.json()
        body["replies"].append({"text": text})
        route.fulfill(response=answer, json=body)

    page.route("**/chat/message", extend, times=1)


@pytest.fixture(scope="module")
def web_url(stack, tmp_path_factory):
    """This module's own web app in front of the session's Rasa: it allows a 26-turn conversation within a
    minute (the default is 20 per minute), and its new conversations do not count against the shared one's."""
    service, url = start_webapp(tmp_path_factory.mktemp("web-phone"), stack.settings.rasa_url, stack.settings,
                                {"GP_LIMIT_MESSAGES_PER_MINUTE": "200", "GP_LIMIT_CONVERSATIONS_PER_HOUR": "100"})
    try:
        yield url
    finally:
        stop_all([service])


@pytest.mark.parametrize("size", list(PHONES))
def test_compact_header_leaves_the_log_room_and_keeps_ai_notice_and_human_in_reach(browser, web_url, size):
    from playwright.sync_api import expect

    width, height = PHONES[size]
    with phone(browser, width, height) as page:
        open_chat(page, web_url)
        g = page.evaluate(GEOMETRY)
        print(f"\n{size}: header {g['head']:.0f} px, log {g['log']:.0f} px = {g['log'] / g['screen']:.0%}")
        assert g["head"] <= 64, g
        assert g["log"] >= 0.7 * height, g
        panel = page.get_by_role("region", name="Chat met de Gouden Poort")
        chip = panel.get_by_role("button", name="AI-chatbot (uitleg)")
        expect(chip).to_have_attribute("aria-expanded", "false")
        title = panel.get_by_role("heading", name="Gouden Poort chat")
        right = 0
        for i, control in enumerate((title, chip, panel.get_by_role("button", name="Praat met een mens"),
                                     panel.get_by_role("button", name="Chat sluiten"))):
            box = control.bounding_box()                      # one row, side by side, nothing cut off
            assert box and box["x"] >= right and box["x"] + box["width"] <= width, box
            assert i == 0 or box["height"] >= 44, box
            right = box["x"] + box["width"]
        assert title.evaluate("h => h.scrollWidth <= h.clientWidth")
        notice = panel.get_by_text("Je praat met een AI-chatbot, niet met een mens.")
        expect(notice).to_be_hidden()
        chip.tap()                                            # the full notice is one tap away
        expect(notice).to_be_visible()
        expect(chip).to_have_attribute("aria-expanded", "true")
        expect(panel.get_by_role("link", name="Privacy: wat we bewaren (opent in nieuw tabblad)")).to_be_visible()
        serious, _ = axe_violations(page)
        assert not serious, serious


def test_a_tap_on_a_quick_reply_keeps_the_keyboard_closed_and_leaves_a_small_choice_line(browser, web_url):
    from playwright.sync_api import expect

    with phone(browser, 320, 640) as page:
        log = open_chat(page, web_url)
        first = log.locator(".gpw-reply").first
        expect(first).to_be_visible(timeout=WAIT_MS)
        title = first.inner_text()
        bots = log.locator(".gpw-msg--bot").count()
        first.tap()
        choice = log.get_by_text("Je koos: " + title)
        expect(choice).to_be_visible()
        expect(log.get_by_role("button", name=title)).to_have_count(0)       # the answered set collapsed
        expect(log.locator(".gpw-msg--bot")).not_to_have_count(bots, timeout=WAIT_MS)
        expect(page.get_by_label("Typ je bericht")).not_to_be_focused()     # no keyboard over the answer
        expect(choice).to_be_focused()                                       # focus stays near the answer
        assert choice.bounding_box()["height"] < 40                          # a small line, not a pill
        g = until(page, start_of_last_bot_message_in_view, "the bot's answer is not in view")

        # With the keyboard open (an Android phone leaves 320 × 330) the answer stays readable.
        page.get_by_label("Typ je bericht").tap()
        page.set_viewport_size({"width": 320, "height": 330})
        g = until(page, start_of_last_bot_message_in_view, "keyboard open: no bot text in view")
        print(f"\n320x330: log {g['log']:.0f} px, last bot message {g['visible']:.0f} px in view")


# Android Chrome's keyboard shrinks only the visual viewport by default (the layout stays 640 px high):
# a stand-in for window.visualViewport that the test can shrink the way that keyboard does.
ANDROID_KEYBOARD = """(() => {
    const visual = new EventTarget();
    let height = null;
    Object.defineProperties(visual, {
        height: {get: () => height === null ? innerHeight : height}, width: {get: () => innerWidth},
        offsetTop: {value: 0}, offsetLeft: {value: 0}, scale: {value: 1}});
    Object.defineProperty(window, 'visualViewport', {configurable: true, get: () => visual});
    window.__keyboard = (h) => { height = h; visual.dispatchEvent(new Event('resize')); };
})()"""


def test_with_an_android_keyboard_over_the_page_the_chat_follows_the_visible_part(browser, web_url):
    from playwright.sync_api import expect

    with phone(browser, 320, 640) as page:
        page.add_init_script(ANDROID_KEYBOARD)
        log = open_chat(page, web_url)
        page.get_by_label("Typ je bericht").tap()
        page.evaluate("window.__keyboard(330)")
        until(page, start_of_last_bot_message_in_view, "keyboard over the page: no bot text in view")
        box = page.get_by_role("region", name="Chat met de Gouden Poort").bounding_box()
        assert box["y"] == 0 and box["height"] == 330, box       # the text field sits just above the keyboard
        expect(log).to_be_visible()
        page.evaluate("window.__keyboard(null)")                   # keyboard closed: the whole screen again
        expect(page.get_by_role("region", name="Chat met de Gouden Poort")).to_have_css("height", "640px")


def test_opening_the_chat_with_a_tap_does_not_open_the_keyboard(browser, web_url):
    from playwright.sync_api import expect

    with phone(browser, 320, 640) as page:
        log = open_chat(page, web_url)                              # the demo page opens the chat itself
        page.get_by_role("button", name="Chat sluiten").tap()
        page.get_by_role("button", name="Chat met de Gouden Poort").tap()
        expect(log).to_be_focused()
        expect(page.get_by_label("Typ je bericht")).not_to_be_focused()


def test_a_keyboard_user_still_goes_on_in_the_text_field_after_choosing(browser, web_url):
    from playwright.sync_api import expect

    with phone(browser, 320, 640) as page:
        log = open_chat(page, web_url)
        first = log.locator(".gpw-reply").first
        title = first.inner_text()
        first.focus()
        page.keyboard.press("Enter")
        expect(log.get_by_text("Je koos: " + title)).to_be_visible()
        expect(page.get_by_label("Typ je bericht")).to_be_focused()


@pytest.mark.parametrize("device", ["390x844", "desktop-1280x800"])
def test_reload_in_a_long_conversation_comes_back_at_the_latest_reply(browser, web_url, device):
    from playwright.sync_api import expect

    width, height = (390, 844) if device == "390x844" else (1280, 800)
    with phone(browser, width, height, touch=device == "390x844") as page:
        log = open_chat(page, web_url)
        for text in LONG_CONVERSATION:
            say(page, text)
            expect(log.locator(".gpw-msg--pending")).to_have_count(0, timeout=WAIT_MS)
        expect(log.locator(".gpw-msg--user")).to_have_count(len(LONG_CONVERSATION))
        until(page, start_of_last_bot_message_in_view, "before the reload")
        page.reload()
        expect(log).to_contain_text(LONG_CONVERSATION[-1], timeout=WAIT_MS)
        g = until(page, start_of_last_bot_message_in_view, "after a reload the latest reply is not in view")
        print(f"\n{device}, reload after {len(LONG_CONVERSATION)} turns: scroll position {g['scrollTop']:.0f} "
              f"of {g['scrollHeight']:.0f} px, last bot message at {g['lastTop']:.0f} px in a {g['log']:.0f} px log")
        assert g["scrollHeight"] > 3 * g["log"] and g["scrollTop"] > 0


def test_a_long_reply_is_shown_from_its_start_also_after_a_reload(browser, web_url):
    from playwright.sync_api import expect

    long_text = "Lees dit eerst. " + " ".join(f"Regel {n} van een lang bericht." for n in range(1, 60))
    with phone(browser, 320, 640) as page:
        log = open_chat(page, web_url)
        add_bot_reply(page, long_text)
        say(page, "hoi")
        expect(log.locator(".gpw-msg--bot").last).to_contain_text("Regel 59", timeout=WAIT_MS)

        def at_its_start(g):
            return g["lastBottom"] - g["lastTop"] > g["log"] and start_of_last_bot_message_in_view(g)

        until(page, at_its_start, "the long message is not shown from its start")
        page.reload()
        expect(log).to_contain_text("Regel 59", timeout=WAIT_MS)
        until(page, at_its_start, "after a reload the long message is not shown from its start")


def test_links_in_bot_messages_are_safe_and_break_cleanly_and_the_reference_copies_with_one_tap(browser, web_url):
    from playwright.sync_api import expect

    with phone(browser, 320, 640, permissions=["clipboard-read", "clipboard-write"]) as page:
        log = open_chat(page, web_url)
        add_bot_reply(page, f"Kijk op {LINK}. {HOSTILE}. Je referentie is GP-7K3M9Q.")
        say(page, "hoi")
        message = log.locator(".gpw-msg--bot").last
        expect(message).to_contain_text("GP-7K3M9Q", timeout=WAIT_MS)

        expect(message.get_by_role("link")).to_have_count(2)   # no javascript:, no user@host trick, no markup
        expect(message.get_by_role("link").nth(1)).to_have_attribute("href", "https://x.example.org/")
        link = message.get_by_role("link").first
        expect(link).to_have_attribute("href", LINK)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(link).to_have_accessible_name(LINK + " (opent in nieuw tabblad)")
        expect(message).to_contain_text('<a href="javascript:alert(2)">klik</a>')
        assert log.locator("a[href^='javascript'], [onmouseover]").count() == 0
        breaks = link.evaluate(LINK_BREAKS)
        assert breaks["lines"] > 1 and not breaks["bad"], breaks

        page.get_by_role("button", name="Kopieer GP-7K3M9Q").tap()
        expect(page.get_by_role("status")).to_contain_text("Gekopieerd: GP-7K3M9Q")
        assert page.evaluate("navigator.clipboard.readText()") == "GP-7K3M9Q"
        serious, _ = axe_violations(page)
        assert not serious, serious


def test_the_reference_also_copies_without_the_clipboard_api(browser, web_url):
    """An http page or an older browser has no navigator.clipboard: the widget selects the number and copies it."""
    from playwright.sync_api import expect

    with phone(browser, 320, 640, permissions=["clipboard-read", "clipboard-write"]) as page:
        page.add_init_script("""(() => {
            window.__clipboard = navigator.clipboard;
            Object.defineProperty(Navigator.prototype, 'clipboard', {configurable: true, get: () => undefined});
        })()""")
        log = open_chat(page, web_url)
        add_bot_reply(page, "Je referentie is GP-7K3M9Q.")
        say(page, "hoi")
        expect(log.locator(".gpw-msg--bot").last).to_contain_text("GP-7K3M9Q", timeout=WAIT_MS)
        page.get_by_role("button", name="Kopieer GP-7K3M9Q").tap()
        expect(page.get_by_role("status")).to_contain_text("Gekopieerd: GP-7K3M9Q")
        assert page.evaluate("window.__clipboard.readText()") == "GP-7K3M9Q"


def test_under_16_info_ends_in_a_link_and_buttons_and_hoi_halfway_is_one_short_line(browser, web_url):
    """Issue 26 items 5 and 6 in the widget: "Info en events bekijken" under 16 used to end in "kijk op de
    website van de Gouden Poort" with no link and no buttons; "hoi" halfway repeated the whole welcome."""
    from playwright.sync_api import expect

    with phone(browser, 320, 640) as page:
        log = open_chat(page, web_url)
        log.get_by_role("button", name="Praat met een adviseur").tap()
        expect(log).to_contain_text("Hoe oud ben je", timeout=WAIT_MS)
        say(page, "14")
        log.get_by_role("button", name="Info en events bekijken").tap()
        message = log.locator(".gpw-msg--bot").last
        expect(message).to_contain_text("Goed plan!", timeout=WAIT_MS)
        link = message.get_by_role("link")
        expect(link).to_have_count(1)
        assert link.get_attribute("href").startswith("https://"), link.get_attribute("href")
        expect(log.locator(".gpw-reply")).not_to_have_count(0)          # a next step, not a dead end
        expect(log.get_by_role("button", name="Open dagen")).to_be_visible()
        serious, _ = axe_violations(page)
        assert not serious, serious

        welcomes = log.locator(".gpw-msg--bot", has_text="AI-chatbot")      # every welcome variation says it
        expect(welcomes).to_have_count(1)
        say(page, "hoi")
        expect(log.locator(".gpw-msg--bot").last).to_contain_text("Hoi! We waren bij", timeout=WAIT_MS)
        expect(welcomes).to_have_count(1)                                  # not the whole welcome again
