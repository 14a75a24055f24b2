"""Issue 22 item 4: the guardian route must not be a free mail cannon.

Claiming to be 14, one client address had the bot send "uw kind wil…" mails to 11 strangers: those
requests counted toward no limit, and the lead a confirmed request becomes carried no client key.
These tests run the real submit action (``ActionSubmitIntake``, no Rasa server) with the metadata the
gateway channel passes (the client key), on a real lead store, then confirm through the real link.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.actions as acts
from bot.channels.limits import TOO_MANY_LEADS
from bot.handoff import guardian
from bot.handoff.settings import load_handoff_settings
from bot.intake import decisions as intake
from bot.intake.referral import lead_limit_reached
from bot.routing.regions import place_for_postcode
from bot.store.db import get_engine, new_session
from bot.store.guardian import purge_expired_requests
from bot.store.handoff_models import OutboxMessage
from bot.store.models import Lead, utcnow

ATTACKER = "a" * 32   # one client address (its key, as bot.channels.identity makes it)


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(acts, "SETTINGS", replace(acts.SETTINGS, database_url=url, limit_leads_per_day=10))
    return url


def _slots(guardian_email: str):
    place = intake.place_to_dict(place_for_postcode("6411"))
    routing = intake.routing_to_slot(intake.plan_routing(place, {}, date.today()))
    return {"age_band": "12-15", "minor_route": "guardian", "location": "6411", "place": place,
            "contact_value": guardian_email, "confirm": "send", "routing": routing}


def _submit(sender: str, guardian_email: str, client_key: str = ATTACKER) -> str:
    slots = _slots(guardian_email)
    metadata = {"source": "web-widget", "client_key": client_key}
    tracker = Tracker(sender, slots, {"text": "/affirm", "intent": {"name": "affirm"}, "metadata": metadata},
                      [{"event": "user", "text": "/affirm", "input_channel": "web", "metadata": metadata}],
                      False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    acts.ActionSubmitIntake().run(dispatcher, tracker, {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def _guardian_mails(url):
    with new_session(url) as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.kind == "guardian")
                               .order_by(OutboxMessage.id)).scalars().all()


def test_one_address_mails_no_more_strangers_than_its_daily_limit(store):
    said = [_submit(f"kid-{n}", f"vreemde{n}@example.org") for n in range(12)]
    mails = _guardian_mails(store)
    assert len(mails) == 10, f"{len(mails)} strangers mailed from one address (the daily limit is 10)"
    assert all("mail gestuurd" in s for s in said[:10]) and said[10:] == [TOO_MANY_LEADS, TOO_MANY_LEADS]
    # A different address is not held back by the first one's requests.
    assert "mail gestuurd" in _submit("kid-other", "ouder@example.org", client_key="b" * 32)


def test_a_confirmed_guardian_lead_carries_the_client_key_and_counts_toward_the_limit(store):
    _submit("kid-1", "ouder@example.org")
    [mail] = _guardian_mails(store)
    token = re.search(r"/ouder/(\S+)", mail.payload["text"]).group(1)
    outcome = guardian.confirm(store, load_handoff_settings(), token)
    assert outcome.status == "confirmed"
    with new_session(store) as session:
        assert session.get(Lead, outcome.lead_id).client_key == ATTACKER
    assert not lead_limit_reached(store, ATTACKER, 3, utcnow())
    assert lead_limit_reached(store, ATTACKER, 2, utcnow())   # the mail and the lead it became


def test_one_guardian_address_gets_at_most_three_mails_whoever_asks(store):
    said = [_submit(f"kid-{n}", "Ouder@Example.org" if n % 2 else "ouder@example.org", client_key=f"{n:032x}")
            for n in range(5)]
    assert [m.recipient.lower() for m in _guardian_mails(store)] == ["ouder@example.org"] * 3
    assert said[3] == said[4] == guardian.capped_text() and "geen nieuwe mail" in said[3]
    # After the confirmation period the address can be asked again; the purge forgets the counts.
    later = utcnow() + timedelta(days=8)
    purge_expired_requests(store, None, later)
    slots = _slots("ouder@example.org")
    lead = intake.new_lead_from_slots("kid-9", "web", slots, slots["routing"], "tekst", "v1")
    assert guardian.request_consent(store, load_handoff_settings(), lead, intake.shared_lines(slots),
                                    {"name": "A B", "first_name": "A", "organisation": "O"}, now=later)
