"""Issue 22 item 2: typing someone else's e-mail address or phone number in a new intake must not tell
you that this contact already has a request, nor with which counsellor and organisation.

The real submit action (``ActionSubmitIntake``, no Rasa server) on a real lead store: a victim's
conversation makes a lead; an attacker's conversation gives the victim's number (written differently)
and another attacker conversation a number nobody gave. Both attackers must get the same answer, up to
their own reference and date. The counsellors are told instead: the new hand-off names the earlier
request, and the earlier lead's trail names the new one. The same attack over the real stack is in
``tests/test_e2e_contact_enumeration.py``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.actions as acts
from bot.intake import decisions as intake
from bot.intake import validation
from bot.routing.regions import place_for_postcode
from bot.store.db import get_engine, new_session
from bot.store.handoff_models import HandoffCase, OutboxMessage
from bot.store.models import Lead, LeadEvent


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(acts, "SETTINGS", replace(acts.SETTINGS, database_url=url))
    return url


def submit(sender: str, phone: str, postcode: str, name: str = "Sam") -> str:
    place = intake.place_to_dict(place_for_postcode(postcode))
    routing = intake.routing_to_slot(intake.plan_routing(place, {}, date.today()))
    slots = {"age_band": "16-17", "first_name": name, "situation": "school",
             "interests": {"choices": ["bouw"], "text": None}, "location": postcode, "place": place,
             "contact_method": "phone", "contact_time": "middag", "confirm": "send",
             # as the form's validation leaves it (bot.intake.validation): "06-1234 5678" → "+31612345678"
             "contact_value": validation.check_contact_value("phone", phone).value,
             "routing": routing}
    tracker = Tracker(sender, slots, {"text": "/affirm", "intent": {"name": "affirm"}, "metadata": {}},
                      [{"event": "user", "text": "/affirm", "input_channel": "rest"}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    acts.ActionSubmitIntake().run(dispatcher, tracker, {})
    return "\n".join(str(m.get("text") or m.get("response") or "") + " " + str(m.get("promise") or "")
                     for m in dispatcher.messages)


def neutral(text: str) -> str:
    """Without what differs between any two new requests: the reference and the promised date."""
    text = re.sub(r"GP-[0-9A-Z]{6}", "GP-…", text)
    return re.sub(r"uiterlijk \w+ \d+ \w+", "uiterlijk …", text)


def _counsellor(url, sender):
    with new_session(url) as session:
        lead = session.execute(select(Lead).where(Lead.conversation_id == sender)).scalars().one()
        return lead


def test_a_known_contact_gets_the_same_answer_as_an_unknown_one(store):
    submit("victim", "+31612345678", "9712")                     # Groningen
    victim = _counsellor(store, "victim")
    known = submit("attacker-known", "06-1234 5678", "4331")      # the victim's number, in Zeeland
    unknown = submit("attacker-fresh", "06 8765 4321", "4331")    # a number nobody gave
    assert neutral(known) == neutral(unknown), f"\n{known}\n!=\n{unknown}"
    assert victim.counsellor_name.split()[0] not in known and (victim.organisation or "") not in known
    assert "al een aanvraag" not in known


def test_the_counsellors_hear_about_the_earlier_request_instead(store):
    submit("victim", "+31612345678", "9712")
    victim = _counsellor(store, "victim")
    submit("attacker-known", "06-1234 5678", "4331")
    second = _counsellor(store, "attacker-known")
    with new_session(store) as session:
        case = session.get(HandoffCase, second.id)
        [mail] = session.execute(select(OutboxMessage).where(OutboxMessage.lead_id == second.id,
                                                             OutboxMessage.kind == "handoff",
                                                             OutboxMessage.channel == "email")).scalars().all()
        alerts = session.execute(select(LeadEvent).where(LeadEvent.lead_id == victim.id,
                                                         LeadEvent.kind == "alert")).scalars().all()
    [flag] = case.summary["attention"]
    assert victim.id in flag and victim.counsellor_name in flag and "stem af" in flag
    assert "LET OP" in mail.payload["text"] and victim.id in mail.payload["text"]
    assert len(alerts) == 1 and second.id in alerts[0].note
    # the victim's own conversation still has one referral: asking again there makes no second lead
    assert "utter_already_referred" in submit("victim", "+31612345678", "9712")
    with new_session(store) as session:
        assert len(session.execute(select(Lead)).scalars().all()) == 2
