"""Issue 25 item 1: the counsellor records that she checked the parent or guardian.

A guardian's e-mail "ja" proves no parenthood. The lead page says so ("Let op") and offers one button,
"Ouder gecontroleerd"; pressing it writes a line in the lead's audit trail (``lead_events``, kind
``guardian_checked``, actor ``workspace:<id>``) and the page then shows who checked and when instead
of the button. A lead where the person consented herself (16+) has no such button and refuses the
action. Real pages on a loopback aiohttp server, real lead store; no Rasa.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.store.db import new_session
from bot.store.models import LeadEvent
from tests.test_guardian_self_confirm import PARENT, _ask, _click_yes, _handoff, pages  # noqa: F401 (fixture)
from tests.test_workspace_web import fields, sign_in
from tests.workspace_support import SANNE, new_lead

BUTTON = "Ouder gecontroleerd</button>"


async def test_the_counsellor_records_that_she_checked_the_guardian(pages):  # noqa: F811
    ws, client, clock, who = pages
    token = _ask(ws.database_url, ws.handoff, "kid-checked", clock.now())
    clock.advance(timedelta(hours=2))
    who["key"] = PARENT
    await _click_yes(client, token)
    lead_id, *_ = _handoff(ws.database_url, "kid-checked")

    await sign_in(client, ws, "sanne@techniektalent-zeeland.example.org")
    page = await (await client.get(f"/adviseur/lead/{lead_id}")).text()
    assert "niet gecontroleerd: vraag bij het eerste contact naar de ouder" in page and BUTTON in page
    done = await client.post(f"/adviseur/lead/{lead_id}/actie",
                             data={"csrf": fields(page)["csrf"], "action": "guardian_checked",
                                   "note": "moeder gebeld, klopt"})
    assert done.status == 200
    page = await (await client.get(f"/adviseur/lead/{lead_id}")).text()
    assert BUTTON not in page
    assert "Ouder of verzorger gecontroleerd: moeder gebeld, klopt door Sanne" in page

    with new_session(ws.database_url) as session:
        trail = session.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id,
                                                        LeadEvent.kind == "guardian_checked")).scalars().all()
    assert len(trail) == 1 and trail[0].actor.startswith("workspace:")
    assert trail[0].note == "Ouder of verzorger gecontroleerd: moeder gebeld, klopt"


async def test_a_lead_with_its_own_consent_has_no_guardian_check(pages):  # noqa: F811
    ws, client, clock, who = pages
    lead_id = new_lead(ws.database_url, ws, SANNE)
    await sign_in(client, ws, "sanne@techniektalent-zeeland.example.org")
    page = await (await client.get(f"/adviseur/lead/{lead_id}")).text()
    assert BUTTON not in page
    refused = await client.post(f"/adviseur/lead/{lead_id}/actie",
                                data={"csrf": fields(page)["csrf"], "action": "guardian_checked"})
    assert "gaf de jongere zelf toestemming" in await refused.text()
    with new_session(ws.database_url) as session:
        assert not session.execute(select(LeadEvent).where(LeadEvent.kind == "guardian_checked")).first()
