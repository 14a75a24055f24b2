"""The real stack on PostgreSQL: Rasa, action server, web app, worker and local mailbox, whose lead store
and tracker store are two throwaway PostgreSQL databases, created for this module and dropped after it.

1. The counsellors' workspace walk in a real Chromium: a lead made by a real conversation, sign-in
   through the magic link in the local mailbox, the lead page, an appointment, a POST without the CSRF
   token refused, and a counsellor of another region refused with 403 (on SQLite:
   tests/test_workspace_e2e.py).
2. The privacy promises of issue 11, end to end: the same test functions as on SQLite (imported from
   tests/test_e2e_privacy.py, test_e2e_guardian.py and test_e2e_person_rights.py), run here against
   this module's ``stack``: a stop before consent leaves no personal text in the PostgreSQL tracker
   store after the purge, age comes first and an under-16 gets no hand-off until the guardian confirms
   through the mailed link, erasure from a second conversation reaches the first one's lead and
   tracker, and the hand-off mail carries nothing the preview did not show.

One stack for all of it (starting Rasa costs about a minute on 2 cores). The store-level tests run on
both databases (tests/store_fixtures.py). Skips with what to start when PostgreSQL is not on
127.0.0.1:5432.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from tests.services import temporary_pg_database
from tests.stack import start_stack
from tests.test_e2e_guardian import test_no_hand_off_until_the_guardian_confirms_through_the_mailed_link  # noqa: F401
from tests.test_e2e_person_rights import (  # noqa: F401 (collected here again, on this module's stack)
    test_erasure_from_a_second_conversation_reaches_the_first_after_the_code,
    test_the_handoff_mail_carries_nothing_the_preview_did_not_show,
)
from tests.test_e2e_privacy import (  # noqa: F401
    test_nee_at_consent_sends_nothing_and_leaves_no_personal_text,
    test_stop_at_the_preview_leaves_no_personal_text,
)
from tests.test_workspace_e2e import FLEUR, SANNE, browser, sign_in  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory):
    with temporary_pg_database("gp_workspace_e2e") as url, temporary_pg_database("gp_tracker_e2e") as tracker:
        running = start_stack(tmp_path_factory.mktemp("pg-stack"), with_web=True, database_url=url,
                              tracker_store_url=tracker)
        try:
            yield running
        finally:
            running.stop()
            from bot.store.db import get_engine      # the test process's own pools, before the drop
            get_engine(url).dispose()
            get_engine(tracker).dispose()


@pytest.fixture(scope="module")
def stack(pg_stack):
    """The imported privacy tests ask for ``stack``: here it is the PostgreSQL one."""
    assert pg_stack.settings.tracker_store_url.startswith("postgresql://")
    return pg_stack


def test_workspace_walk_on_postgresql(pg_stack, browser):  # noqa: F811 (PG first: skip before Chromium)
    from playwright.sync_api import expect

    stack = pg_stack
    assert stack.settings.database_url.startswith("postgresql://")
    base = f"http://127.0.0.1:{stack.settings.web_port}"
    sender = "e2e-workspace-postgres"
    for message in ("hoi", "/request_human", "19", "Yara", "Ik zoek werk", "iets met installatietechniek",
                    "4331 ab", "Bellen of WhatsApp", "06 45678901", "Ochtend"):
        stack.texts(sender, message)
    final = stack.texts(sender, "/affirm")
    lead_id = re.search(r"GP-[A-Z0-9]{6}", final).group(0)
    assert "Sanne" in final, final

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="nl-NL")
    page = context.new_page()
    sign_in(page, stack, base, SANNE)
    expect(page.get_by_role("heading", name="Jouw aanvragen")).to_be_visible()
    page.get_by_role("link", name=re.compile("Yara")).click()
    expect(page.get_by_role("heading", name=re.compile(lead_id))).to_be_visible()
    expect(page.get_by_text("+31645678901")).to_be_visible()

    page.get_by_text("Afspraak vastleggen").click()
    page.get_by_label("Datum").fill("2026-12-04")
    page.get_by_label("Tijd").fill("10:15")
    page.get_by_label("Online").check()
    page.get_by_role("button", name="Afspraak opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Afspraak genoteerd: 04-12-2026 10:15, online")

    refused = context.request.post(f"{base}/adviseur/lead/{lead_id}/actie", form={"action": "closed",
                                                                                  "outcome": "other"})
    assert refused.status == 403
    context.close()

    other = browser.new_context(locale="nl-NL")
    page = other.new_page()
    sign_in(page, stack, base, FLEUR)
    expect(page.get_by_role("heading", name="Jouw aanvragen")).to_be_visible()
    response = page.goto(f"{base}/adviseur/lead/{lead_id}")
    assert response.status == 403
    expect(page.get_by_text("+31645678901")).to_have_count(0)
    other.close()

    engine = create_engine(stack.settings.database_url, future=True)
    try:
        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM leads WHERE id = :id"), {"id": lead_id}).scalar_one()
            views = conn.execute(text("SELECT viewer_id FROM lead_views WHERE lead_id = :id"),
                                 {"id": lead_id}).scalars().all()
            trail = conn.execute(text("SELECT actor, details FROM lead_events WHERE lead_id = :id "
                                      "AND to_status = 'appointment'"), {"id": lead_id}).all()
    finally:
        engine.dispose()
    assert status == "appointment"                                 # the refused POST changed nothing
    assert set(views) == {"am24-sanne"}                             # Fleur's 403 shows and logs nothing
    assert [actor for actor, _ in trail] == ["workspace:am24-sanne"] and trail[0][1]["place"] == "online"
