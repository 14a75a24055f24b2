"""A guardian who really agrees, without Rasa: tokens, the request, the mail through the real outbox
and worker to a real SMTP receiver, the confirmation page (GET shows, POST with CSRF confirms), and
the purge of unconfirmed requests. Store-level tests run on SQLite and on PostgreSQL."""
from __future__ import annotations

import re
from datetime import date, timedelta

from aiohttp.test_utils import TestClient, TestServer
from aiohttp import web
from sqlalchemy import create_engine, func, select, text

from bot.handoff import guardian
from bot.handoff.clock import FakeClock
from bot.handoff.worker import Worker
from bot.intake import decisions as intake
from bot.routing.regions import place_for_postcode
from bot.store.db import session_factory
from bot.store.guardian import pending_for, purge_expired_requests
from bot.store.handoff_models import GuardianRequest, HandoffCase, OutboxMessage
from bot.store.models import ConsentRecord, Lead
from tests.handoff_support import FRIDAY_AFTERNOON, make_settings, smtp_receiver  # noqa: F401
from tests.store_fixtures import store_url  # noqa: F401

NOW = FRIDAY_AFTERNOON
SECRET = "s3cret"


# --- Tokens --------------------------------------------------------------------------------------
def test_token_round_trip_then_expired_and_tampered_are_refused():
    token = guardian.make_token(SECRET, "GV-ABC234", NOW + timedelta(days=7), "nonce123")
    ok = guardian.check_token(SECRET, token, NOW)
    assert ok.ok and (ok.request_id, ok.nonce) == ("GV-ABC234", "nonce123")
    assert guardian.check_token(SECRET, token, NOW + timedelta(days=7, seconds=1)).error == "expired"
    request_id, expires, nonce, sig = token.split(".")
    later = str(int(expires) + 86400)  # a longer life needs a new signature
    for forged in (f"GV-ABC235.{expires}.{nonce}.{sig}", f"{request_id}.{later}.{nonce}.{sig}",
                   f"{request_id}.{expires}.nonce124.{sig}", f"{request_id}.{expires}.{nonce}.{sig[:-1]}A",
                   token[:-3], "", "a.b.c", None, "x" * 5000):
        assert guardian.check_token(SECRET, forged, NOW).error == "invalid", forged
    assert guardian.check_token("other-secret", token, NOW).error == "invalid"


# --- The intake's part ---------------------------------------------------------------------------
def guardian_slots(**kw):
    slots = {"age_band": "12-15", "minor_route": "guardian", "location": "6411",
             "place": intake.place_to_dict(place_for_postcode("6411")), "contact_value": "ouder@example.org",
             "first_name": "Lina",  # asked on this route too (issue 24 item 2)
             # left over from before the age was changed: must never be asked, shown or stored
             "situation": "school", "interests": {"choices": ["bouw"], "text": "lassen"},
             "contact_time": "avond"}
    slots.update(kw)
    return slots


def test_age_is_the_first_question_and_under_16_gets_only_the_guardian_route():
    assert intake.required_slots({})[0] == "age_band"
    assert intake.required_slots({"age_band": "18-20"})[:2] == ["age_band", "first_name"]
    assert intake.required_slots({"age_band": "12-15"}) == ["age_band", "minor_route"]
    assert intake.required_slots({"age_band": "12-15", "minor_route": "info"}) == ["age_band", "minor_route"]
    assert intake.required_slots({"age_band": "12-15", "minor_route": "guardian"}) == [
        "age_band", "minor_route", "first_name", "location", "contact_value", "confirm"]
    laren = {"age_band": "12-15", "minor_route": "guardian", "location": "Laren", "location_options": [{}]}
    assert intake.required_slots(laren)[:5] == ["age_band", "minor_route", "first_name", "location", "location_choice"]
    assert intake.changeable_fields(guardian_slots()) == ["first_name", "age_band", "location", "contact_value"]


def test_preview_and_lead_hold_only_what_the_guardian_route_asked():
    slots = guardian_slots()
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    preview = intake.confirmation_text(slots, routing)
    for never in ("lassen", "avond", "Bouw", "school"):
        assert never not in preview
    assert "- Naam: Lina" in preview  # so the guardian and the counsellor know whom it is about
    assert "ouder@example.org" in preview and "Heerlen" in preview and "12-15" in preview
    assert "eerst je ouder" in preview
    lead = intake.new_lead_from_slots("c1", "rest", slots, routing, preview, "v1")
    assert (lead.first_name, lead.situation, lead.interests, lead.interests_text, lead.contact_time) == (
        "Lina", None, [], None, None)
    assert (lead.contact_method, lead.consent_basis) == ("email", "guardian")


def _ask(url, settings, conversation="conv-kid", email="ouder@example.org", now=NOW):
    slots = guardian_slots(contact_value=email)
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    lead = intake.new_lead_from_slots(conversation, "rest", slots, routing,
                                      intake.confirmation_text(slots, routing), "v1")
    counsellor = {"name": routing["counsellor_name"], "first_name": routing["counsellor_first_name"],
                  "organisation": routing["organisation"]}
    return guardian.request_consent(url, settings, lead, intake.shared_lines(slots), counsellor, now=now)


def _counts(url):
    with session_factory(url)() as s:
        return {"leads": s.scalar(select(func.count()).select_from(Lead)),
                "consents": s.scalar(select(func.count()).select_from(ConsentRecord)),
                "requests": s.scalar(select(func.count()).select_from(GuardianRequest)),
                "cases": s.scalar(select(func.count()).select_from(HandoffCase)),
                "outbox": sorted(s.execute(select(OutboxMessage.kind)).scalars())}


def _link_in(text_body):
    return re.search(r"http://\S+/ouder/(\S+)", text_body).group(1)


def _deliver(url, settings, receiver, now):
    settings = settings.with_(smtp_host="127.0.0.1", smtp_port=receiver.port)
    Worker(session_factory(url), settings, clock=FakeClock(now)).run_once()


def test_request_sends_one_mail_to_the_guardian_and_no_hand_off_until_confirmed(store_url, tmp_path, smtp_receiver):
    settings = make_settings(store_url, tmp_path)
    _ask(store_url, settings)
    assert _counts(store_url) == {"leads": 0, "consents": 0, "requests": 1, "cases": 0, "outbox": ["guardian"]}
    _deliver(store_url, settings, smtp_receiver, NOW)
    [mail] = smtp_receiver.messages.values()
    assert str(mail["To"]) == "ouder@example.org"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Heerlen" in body and "- Leeftijd: 12-15 jaar" in body and "7 dagen" in body
    assert "- Naam: Lina" in body and "lassen" not in body
    assert pending_for(store_url, "conv-kid", NOW) is not None

    token = _link_in(body)
    outcome = guardian.confirm(store_url, settings, token, NOW + timedelta(hours=3))
    assert outcome.status == "confirmed" and outcome.lead_id.startswith("GP-")
    counts = _counts(store_url)
    assert counts["leads"] == 1 and counts["consents"] == 1 and counts["requests"] == 0 and counts["cases"] == 1
    assert "handoff" in counts["outbox"] and "guardian" not in counts["outbox"]  # the request's mail went with it
    with session_factory(store_url)() as s:
        lead = s.get(Lead, outcome.lead_id)
        assert (lead.consent_basis, lead.contact_value, lead.first_name, lead.age_band) == (
            "guardian", "ouder@example.org", "Lina", "12-15")
    # single use: the same link, again and again, changes nothing
    assert guardian.confirm(store_url, settings, token, NOW + timedelta(hours=4)).status == "used"
    assert _counts(store_url)["leads"] == 1 and _counts(store_url)["outbox"].count("handoff") == counts["outbox"].count("handoff")


def test_expired_link_and_tampered_link_store_nothing(store_url, tmp_path, smtp_receiver):
    settings = make_settings(store_url, tmp_path)
    _ask(store_url, settings)
    _deliver(store_url, settings, smtp_receiver, NOW)
    token = _link_in(next(iter(smtp_receiver.messages.values())).get_body(("plain",)).get_content())
    assert guardian.confirm(store_url, settings, token[:-2] + "xx", NOW).status == "invalid"
    assert guardian.confirm(store_url, settings, token, NOW + timedelta(days=7, minutes=1)).status == "expired"
    assert _counts(store_url)["leads"] == 0


def test_unconfirmed_request_is_erased_after_the_period_with_its_mail_and_conversation(store_url, tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(tracker_url, future=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                          "timestamp REAL, data TEXT)"))
        conn.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                          "('conv-kid', 'user', 1, 'ouder@example.org'), ('someone-else', 'user', 1, 'x')"))
    settings = make_settings(store_url, tmp_path, guardian_days=7)
    _ask(store_url, settings)
    assert purge_expired_requests(store_url, tracker_url, NOW + timedelta(days=6)) == 0
    assert _counts(store_url)["requests"] == 1
    assert purge_expired_requests(store_url, tracker_url, NOW + timedelta(days=7, seconds=1)) == 1
    assert _counts(store_url) == {"leads": 0, "consents": 0, "requests": 0, "cases": 0, "outbox": []}
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT sender_id FROM events"))] == ["someone-else"]
    assert purge_expired_requests(store_url, tracker_url, NOW + timedelta(days=8)) == 0  # idempotent
    engine.dispose()


def test_a_second_request_replaces_the_first(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    first = _ask(store_url, settings, email="eerste@example.org")
    second = _ask(store_url, settings, email="tweede@example.org")
    assert first != second and _counts(store_url)["requests"] == 1 and _counts(store_url)["outbox"] == ["guardian"]


def test_erasure_during_the_wait_removes_the_request_and_its_mail(store_url, tmp_path):
    from bot.store.erasure import erase_person

    settings = make_settings(store_url, tmp_path)
    _ask(store_url, settings)
    erase_person(store_url, "conv-kid", None, schedule_sweeps=False)
    assert _counts(store_url) == {"leads": 0, "consents": 0, "requests": 0, "cases": 0, "outbox": []}


# --- The page: GET shows, POST with CSRF confirms --------------------------------------------------
async def test_page_shows_what_is_shared_and_only_a_post_with_csrf_confirms(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    settings = make_settings(url, tmp_path)
    _ask(url, settings)
    with session_factory(url)() as s:
        body = s.execute(select(OutboxMessage.payload)).scalar_one()["text"]
    token = _link_in(body)
    app = web.Application()
    guardian.register_routes(app, settings, clock=FakeClock(NOW + timedelta(hours=1)))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        page = await client.get(f"/ouder/{token}")
        html = await page.text()
        assert page.status == 200 and "Heerlen" in html and "12-15 jaar" in html and "Lina" in html and "lassen" not in html
        assert _counts(url)["leads"] == 0  # looking (or a mail scanner) changes nothing
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        # a POST from elsewhere: no cookie, or a made-up token
        other = TestClient(TestServer(app))
        await other.start_server()
        try:
            refused = await other.post(f"/ouder/{token}", data={"csrf": csrf})
            assert refused.status == 403
        finally:
            await other.close()
        assert (await client.post(f"/ouder/{token}", data={"csrf": "fout"})).status == 403
        assert _counts(url)["leads"] == 0
        done = await client.post(f"/ouder/{token}", data={"csrf": csrf})
        assert done.status == 200 and "Dank u wel" in await done.text()
        assert _counts(url)["leads"] == 1
        again = await client.post(f"/ouder/{token}", data={"csrf": csrf})
        assert again.status == 410 and _counts(url)["leads"] == 1
        assert (await client.get(f"/ouder/{token}")).status == 410
        assert (await client.get(f"/ouder/{token[:-2]}xx")).status == 403
    finally:
        await client.close()


async def test_privacy_page_names_the_guardian_period_from_the_settings(monkeypatch):
    from bot.channels.webapp import create_app
    from bot.ops.config import load_settings

    monkeypatch.setenv("GP_GUARDIAN_CONFIRM_DAYS", "3")
    client = TestClient(TestServer(create_app(load_settings())))
    await client.start_server()
    try:
        html = await (await client.get("/privacy")).text()
        assert "binnen 3 dagen ja" in " ".join(html.split()) and "e-mailadres van je ouder" in html
    finally:
        await client.close()
