"""The counsellors' workspace in a real Chromium against the real stack: a lead made by a real
conversation (REST → Rasa → action server → lead store), the sign-in mail delivered by the stack's
worker to its local Maildir (aiosmtpd), and a real web app process on the stack's web port.

Shares the session's Rasa (``stack``); the web app and the browser are started once per module.
"""
from __future__ import annotations

import email
import email.policy
import re
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from bot.ops.launcher import Service, start_all, stop_all
from bot.ops.training import rasa_env
from tests.services import CHROMIUM, require_chromium
from tests.test_widget import CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

SANNE = "sanne@techniektalent-zeeland.example.org"
FLEUR = "fleur@techniekpunt-west-brabant.example.org"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def workspace_url(stack):
    """The web app on the port the stack's worker builds links for, on the stack's lead store."""
    s = stack.settings
    env = rasa_env({"GP_HOST": "127.0.0.1", "GP_WEB_PORT": str(s.web_port), "GP_RASA_URL": s.rasa_url,
                    "GP_VAR_DIR": str(s.var_dir), "DATABASE_URL": s.database_url})
    service = Service("webapp", [sys.executable, "-m", "bot", "web"], f"http://127.0.0.1:{s.web_port}/health",
                      env, s.var_dir / "logs" / "workspace-web.log")
    start_all([service], out=lambda msg: None)
    try:
        yield f"http://127.0.0.1:{s.web_port}"
    finally:
        stop_all([service])


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lead_id(stack):
    """A lead for Sanne (Zeeland) made by a whole conversation over Rasa's REST channel."""
    sender = "e2e-workspace-zeeland"
    for message in ("hoi", "/request_human", "17", "Mila", "Ik zit op school", "iets met bouwen",
                    "4331 ab", "Bellen of WhatsApp", "06 23456789", "Middag"):
        stack.texts(sender, message)
    final = stack.texts(sender, "/affirm")
    found = re.search(r"GP-[A-Z0-9]{6}", final)
    assert found and "Sanne" in final, final
    return found.group(0)


_GIVEN: set = set()  # links mail_link returned already: a link works once


def mail_link(stack, to: str, after: float, timeout: float = 60) -> str:
    """The sign-in link in the newest mail to ``to`` that the stack's worker delivered to the Maildir."""
    mail_dir = stack.settings.var_dir / "mail" / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*") if mail_dir.exists() else [], key=lambda p: p.stat().st_mtime,
                           reverse=True):
            if path.stat().st_mtime < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to in str(message["To"]) and "Inloggen" in str(message["Subject"]):
                body = message.get_body(preferencelist=("plain",)).get_content()
                link = re.search(r"http://\S+/adviseur/inloggen\?t=\S+", body).group(0)
                if link in _GIVEN:  # the previous test's mail, less than a second old: not this one
                    continue
                _GIVEN.add(link)
                return link
        time.sleep(0.3)
    raise AssertionError(f"no sign-in mail for {to} in {mail_dir}")


def sign_in(page, stack, base: str, address: str) -> str:
    from playwright.sync_api import expect

    page.goto(base + "/adviseur")
    asked = time.time() - 1
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    expect(page.get_by_role("heading", name="Kijk in je mail")).to_be_visible()
    link = mail_link(stack, address, asked)
    page.goto(link)
    page.get_by_role("button", name="Inloggen").click()
    return link


def test_counsellor_signs_in_sees_the_lead_and_records_an_appointment(browser, stack, workspace_url, lead_id):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    link = sign_in(page, stack, workspace_url, SANNE)
    expect(page.get_by_role("heading", name="Jouw aanvragen")).to_be_visible()
    cookie = next(c for c in context.cookies() if c["name"] == "gp_werkplek")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_role("link", name=re.compile("Mila")).click()
    expect(page.get_by_role("heading", name=re.compile(lead_id))).to_be_visible()
    expect(page.get_by_text("+31623456789")).to_be_visible()                      # contact data
    expect(page.get_by_role("heading", name="S – Situatie")).to_be_visible()      # the SBAR hand-off

    page.get_by_text("Afspraak vastleggen").click()
    page.get_by_label("Datum").fill("2026-12-03")
    page.get_by_label("Tijd").fill("14:30")
    page.get_by_label("Plaats", exact=True).fill("Middelburg, Stationsstraat 1")
    page.get_by_role("button", name="Afspraak opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Afspraak genoteerd: 03-12-2026 14:30, Middelburg")
    expect(page.get_by_text("Afspraak gepland").first).to_be_visible()

    # a POST without the CSRF token (same cookies, no form token) is refused and changes nothing
    refused = context.request.post(f"{workspace_url}/adviseur/lead/{lead_id}/actie",
                                   form={"action": "closed", "outcome": "other"})
    assert refused.status == 403
    # the link in the mail worked once
    used = context.new_page()
    response = used.goto(link)
    assert response.status == 410
    expect(used.get_by_role("heading", name="Deze link werkt niet meer")).to_be_visible()
    context.close()

    engine = create_engine(stack.settings.database_url, future=True)
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM leads WHERE id = :id"), {"id": lead_id}).scalar_one()
        views = conn.execute(text("SELECT viewer_id FROM lead_views WHERE lead_id = :id"), {"id": lead_id}).scalars().all()
        trail = conn.execute(text("SELECT actor, details FROM lead_events WHERE lead_id = :id AND to_status = "
                                  "'appointment'"), {"id": lead_id}).all()
    engine.dispose()
    assert status == "appointment" and "am24-sanne" in views
    assert [actor for actor, _ in trail] == ["workspace:am24-sanne"] and "Middelburg" in str(trail[0][1])


def test_counsellor_of_another_region_gets_403(browser, stack, workspace_url, lead_id):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="nl-NL")
    page = context.new_page()
    sign_in(page, stack, workspace_url, FLEUR)
    expect(page.get_by_role("heading", name="Jouw aanvragen")).to_be_visible()
    expect(page.get_by_text("Mila")).to_have_count(0)
    response = page.goto(f"{workspace_url}/adviseur/lead/{lead_id}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()
    expect(page.get_by_text("+31623456789")).to_have_count(0)
    context.close()


def test_expired_sign_in_link_fails(browser, stack, workspace_url):
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(workspace_url + "/adviseur")
    asked = time.time() - 1
    page.get_by_label("E-mailadres").fill(SANNE)
    page.get_by_role("button", name="Stuur mij een inloglink").click()
    link = mail_link(stack, SANNE, asked)
    # 15 minutes pass: the token's expiry moves into the past (the web app runs on the real clock)
    engine = create_engine(stack.settings.database_url, future=True)
    with engine.begin() as conn:
        conn.execute(text("UPDATE workspace_login_tokens SET expires_at = '2000-01-01 00:00:00' WHERE used_at IS NULL"))
    engine.dispose()
    assert page.goto(link).status == 410
    expect(page.get_by_text("al gebruikt of verlopen")).to_be_visible()
    context.close()


class SentNudges:
    def __init__(self):
        self.sent = []

    def send(self, channel, address, subject, text, key):
        self.sent.append((channel, address, text))


def test_nee_typed_in_the_chat_after_a_nudge_shows_on_the_lead_and_alerts_the_counsellor(browser, stack,
                                                                                            workspace_url):
    """The widget's path (Rasa's REST channel, as the web app forwards it): an e-mail contact is nudged
    when the promise falls due; "nee, nog niks gehoord" in the chat is recorded and Sanne gets an alert."""
    from datetime import datetime, timedelta

    from playwright.sync_api import expect

    from bot.handoff.clock import as_utc
    from bot.handoff.followup import process_due_followups
    from bot.handoff.settings import load_handoff_settings
    from bot.store.db import session_factory

    sender = "e2e-workspace-nudge"
    for message in ("hoi", "/request_human", "18", "Noah", "Ik zoek werk", "iets met elektro", "4331 ab",
                    "E-mail", "noah.e2e@example.org", "Ochtend"):
        stack.texts(sender, message)
    lead_id = re.search(r"GP-[A-Z0-9]{6}", stack.texts(sender, "/affirm")).group(0)
    # no nudge yet: "nee" gets the usual answer and nothing is recorded
    usual = stack.texts(sender, "nee")
    assert any(t in usual for t in ("Helemaal goed", "Prima, geen probleem")), usual
    engine = create_engine(stack.settings.database_url, future=True)
    with engine.connect() as conn:
        due = conn.execute(text("SELECT due_at FROM handoff_follow_ups WHERE lead_id = :id AND kind = 'nudge'"),
                           {"id": lead_id}).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM lead_events WHERE lead_id = :id AND kind = 'reply'"),
                            {"id": lead_id}).scalar_one() == 0
    due = as_utc(datetime.fromisoformat(str(due)))
    nudges = SentNudges()
    settings = load_handoff_settings().with_(database_url=stack.settings.database_url)
    process_due_followups(session_factory(stack.settings.database_url), settings, due + timedelta(minutes=1), nudges)
    # other tests' leads share this stack's database and fall due too: look at Noah's nudges only
    assert [(c, a) for c, a, _ in nudges.sent if a == "noah.e2e@example.org"] == [("email", "noah.e2e@example.org")]

    asked = time.time() - 1
    reply = stack.texts(sender, "nee, nog niks gehoord")
    assert "We laten Sanne het meteen weten" in reply
    with engine.connect() as conn:
        answers = conn.execute(text("SELECT details FROM lead_events WHERE lead_id = :id AND kind = 'reply'"),
                               {"id": lead_id}).scalars().all()
    engine.dispose()
    assert len(answers) == 1 and "nee" in str(answers[0])
    # the stack's worker delivers the alert to Sanne's mailbox
    mail_dir = stack.settings.var_dir / "mail" / "new"
    deadline = time.monotonic() + 60
    alerts = []
    while time.monotonic() < deadline and not alerts:
        alerts = [p for p in mail_dir.glob("*") if p.stat().st_mtime >= asked
                  and "nog geen contact" in p.read_text(errors="replace") and lead_id in p.read_text(errors="replace")]
        time.sleep(0.3)
    assert alerts, "no alert mail for the counsellor"
    message = email.message_from_bytes(alerts[0].read_bytes(), policy=email.policy.default)
    assert SANNE in str(message["To"]) or "coordinator@" in str(message["To"])

    # and the workspace shows it
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    sign_in(page, stack, workspace_url, SANNE)
    # other tests' leads for Sanne share this stack (the Telegram follow-up's "nee" too): look at Noah's card
    card = page.get_by_role("link", name=re.compile(re.escape(lead_id)))
    expect(card.get_by_text("Jongere zegt: nog geen contact")).to_be_visible()
    page.goto(f"{workspace_url}/adviseur/lead/{lead_id}")
    expect(page.get_by_text("Antwoord op de vraag of er contact was: nee")).to_be_visible()
    context.close()


# Issue 24 item 4: the lead page as a tool, on a desk and on a phone: the contact one tap away, sections
# that look collapsible, plain Dutch status names, no sideways scrolling and tap targets of 44 px.
# a radio or checkbox sits in its label.check (44 px high): the label is the target
TAP_TARGETS = ("button, a.button, summary, label.check, .top a, select, textarea, "
               "input:not([type=hidden]):not([type=radio]):not([type=checkbox])")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_lead_page_works_at_desk_and_phone_width(browser, stack, workspace_url, lead_id, width):
    from playwright.sync_api import expect
    from tests.test_widget import AXE, axe_violations

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    context.route("**/__test__/axe.min.js",
                  lambda route: route.fulfill(body=AXE.read_text(), content_type="application/javascript"))
    page = context.new_page()
    sign_in(page, stack, workspace_url, SANNE)
    page.goto(f"{workspace_url}/adviseur/lead/{lead_id}")
    expect(page.get_by_role("heading", name=re.compile(lead_id))).to_be_visible()
    assert page.get_by_role("link", name="+31623456789").get_attribute("href") == "tel:+31623456789"
    assert page.get_by_role("link", name="Bellen").get_attribute("href") == "tel:+31623456789"
    status = page.locator(".facts .status").inner_text().strip()
    assert status in ("Nieuw", "Contact gehad", "Afspraak gepland", "Niet bereikt", "Afgesloten"), status
    # the marker of a closed section is drawn (a border triangle), and turns when it opens
    marker = "el => getComputedStyle(el, '::before').borderLeftWidth"
    summary = page.locator("summary", has_text="Notitie")
    assert page.evaluate("el => getComputedStyle(el, '::before').content", summary.element_handle()) != "none"
    assert float(summary.evaluate(marker).rstrip("px")) >= 6
    closed = summary.evaluate("el => getComputedStyle(el, '::before').transform")
    summary.click()
    assert summary.evaluate("el => getComputedStyle(el, '::before').transform") != closed
    sizes = page.evaluate(f"""() => ({{scroll: document.documentElement.scrollWidth, width: innerWidth,
        small: [...document.querySelectorAll('{TAP_TARGETS}')].filter(e => e.offsetParent !== null)
          .map(e => [e.tagName + '.' + e.className + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
                     e.getBoundingClientRect().height]).filter(([, h]) => h < 44)}})""")
    assert sizes["scroll"] <= sizes["width"], sizes           # no horizontal scroll
    assert sizes["small"] == [], sizes["small"]               # every tap target at least 44 px high
    violations, result = axe_violations(page, serious_only=False)
    assert violations == [] and len(result["passes"]) > 10, violations
    context.close()
