"""The intake over Rasa's REST channel, end to end: real action server, real Rasa, real lead store.

One happy path ends in the right lead (found through the export CLI); a second request in the same
conversation says who already has it; "wis mijn gegevens" leaves nothing of the person anywhere.
Other paths: an ambiguous woonplaats, changing a field on the confirmation, an under-16.
"""
import email
import email.policy
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, inspect, text

pytestmark = pytest.mark.e2e


def export(stack):
    env = dict(os.environ, DATABASE_URL=stack.settings.database_url)
    out = subprocess.run([sys.executable, "-m", "bot", "leads", "export"], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def rows_mentioning(url, needle):
    """Every row in every table of a database (SQLite or PostgreSQL) whose text contains ``needle``."""
    engine = create_engine(url, future=True)
    hits = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                if needle in " ".join(str(v) for v in row):
                    hits.append((table, row))
    engine.dispose()
    return hits


def tracker_events(stack, sender):
    engine = create_engine(stack.settings.tracker_store_url, future=True)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar_one()
    engine.dispose()
    return n


def test_intake_ends_in_the_right_lead_then_one_referral_then_erasure(stack):
    sender = "e2e-intake-zeeland"
    assert "chatbot" in stack.texts(sender, "hoi").lower()
    assert "hoe oud ben je" in stack.texts(sender, "/request_human").lower()  # age first
    assert "noemen" in stack.texts(sender, "17")
    assert "Wat doe je nu" in stack.texts(sender, "Sam")
    assert "leuk" in stack.texts(sender, "Ik zit op school").lower()
    assert "postcode" in stack.texts(sender, "iets met bouwen en lassen").lower()
    assert "contact" in stack.texts(sender, "4331 ab").lower()
    assert "telefoonnummer" in stack.texts(sender, "Bellen of WhatsApp")
    reply = stack.texts(sender, "06-123 456 7")
    assert "kan ik niet lezen" in reply  # 9 digits: kind, specific error, question stays
    assert "Wanneer" in stack.texts(sender, "06 12345678")
    confirm = stack.texts(sender, "Middag")
    assert "Dit sturen we naar Sanne van TechniekTalent Zeeland" in confirm
    assert "06 12345678" in confirm and "Klopt dit?" in confirm
    final = stack.texts(sender, "/affirm")
    assert "Sanne" in final and "GP-" in final

    leads = [lead for lead in export(stack) if lead["conversation_id"] == sender]
    assert len(leads) == 1
    lead = leads[0]
    assert lead["id"] in final
    assert (lead["region_code"], lead["region_name"]) == ("AM24", "Zeeland")
    assert lead["counsellor_name"] == "Sanne de Vries" and lead["routing_rule"] == "own_region"
    assert lead["age"] == "16-17" and lead["postcode"] == "4331" and lead["channel"] == "rest"
    assert lead["contact"] == {"method": "phone", "value": "+31612345678", "preferred_time": "middag"}
    assert set(lead["interests"]["choices"]) == {"bouw", "metaal"} and lead["situation"] == "school"
    assert lead["consent_at"] and lead["consent_basis"] == "self" and lead["consent_record_id"]

    # The worker started with the stack delivers the hand-off to the local mailbox, exactly once.
    mail_dir = stack.settings.var_dir / "mail" / "new"
    deadline = time.monotonic() + 60
    mails = []
    while time.monotonic() < deadline and not mails:
        mails = [m for m in (mail_dir.iterdir() if mail_dir.exists() else [])
                 if lead["id"] in m.read_text(errors="replace")]
        time.sleep(0.5)
    assert len(mails) == 1, "hand-off e-mail not delivered to the local mailbox"
    message = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    assert str(message["To"]).endswith("example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "+31612345678" in body and "Zeeland" in body
    assert "1 van 1" in body
    deadline = time.monotonic() + 30
    status = lambda: [x["status"] for x in export(stack) if x["id"] == lead["id"]]  # noqa: E731
    while time.monotonic() < deadline and status() == ["new"]:
        time.sleep(0.5)
    assert status() == ["delivered"]

    # Asking again: no second lead, and the bot says who has the request.
    again = stack.texts(sender, "/request_human")
    assert "al bij Sanne" in again and lead["id"] in again
    assert len([x for x in export(stack) if x["conversation_id"] == sender]) == 1

    # Erasure: lead, contact data, consent record and the conversation itself.
    assert tracker_events(stack, sender) > 0
    question = stack.texts(sender, "/delete_data")
    assert "zeker" in question and "gewist" not in question       # nothing erased on one message
    assert tracker_events(stack, sender) > 0 and export(stack)
    asked = stack.say(sender, '/delete_data{"confirmed": "ja"}')
    assert "Alleen dit gesprek" in [b["title"] for m in asked for b in m.get("buttons") or []]
    assert "gewist" in stack.texts(sender, "Alleen dit gesprek")  # this chat is its own proof: no code
    deadline = time.monotonic() + 30  # Rasa stores the last turn after our action; sweeps follow
    while time.monotonic() < deadline and (tracker_events(stack, sender)  # the art. 19 notice: sent, then gone
                                           or rows_mentioning(stack.settings.database_url, sender)
                                           or rows_mentioning(stack.settings.database_url, lead["id"])):
        time.sleep(0.5)
    assert tracker_events(stack, sender) == 0
    for needle in (sender, "+31612345678", lead["id"]):
        assert rows_mentioning(stack.settings.database_url, needle) == []
        assert rows_mentioning(stack.settings.tracker_store_url, needle) == []
    stats = rows_mentioning(stack.settings.database_url, "request")
    assert stats and stats[0][0] == "erasure_stats"


def test_ambiguous_woonplaats_and_changing_a_field(stack):
    sender = "e2e-intake-laren"
    stack.texts(sender, "/request_human")
    stack.texts(sender, "19")
    stack.texts(sender, "Noor")
    stack.texts(sender, "Ik zoek werk")
    stack.texts(sender, "Elektrotechniek")
    which = stack.say(sender, "Laren")
    assert "Welke bedoel je" in which[0]["text"]
    buttons = {b["title"]: b["payload"] for b in which[0]["buttons"]}
    assert any("Lochem" in t for t in buttons) and any("Gooi en Vechtstreek" in t for t in buttons)
    assert "contact" in stack.texts(sender, next(p for t, p in buttons.items() if "Gooi" in t)).lower()
    stack.texts(sender, "E-mail")
    assert "klopt nog niet" in stack.texts(sender, "noor@example")
    stack.texts(sender, "noor@example.org")
    confirm = stack.texts(sender, "Maakt niet uit")
    assert "Dit sturen we naar Anouk van Techniekpunt Gooi en Vechtstreek" in confirm and "Laren" in confirm
    assert "aanpassen" in stack.texts(sender, '/deny{"confirmed": "change"}').lower()  # the "Iets aanpassen" button
    assert "postcode" in stack.texts(sender, "Postcode of woonplaats").lower()
    confirm = stack.texts(sender, "Den Haag")
    assert "Dit sturen we naar Sophie van Techniekpunt Haaglanden" in confirm and "Den Haag" in confirm
    stack.texts(sender, "/affirm")
    lead = next(x for x in export(stack) if x["conversation_id"] == sender)
    assert lead["region_code"] == "AM21" and lead["contact"]["value"] == "noor@example.org"


def test_under_16_gets_info_and_nothing_is_stored(stack):
    sender = "e2e-intake-14"
    stack.texts(sender, "/request_human")
    assert "cijfers" in stack.texts(sender, "oud genoeg")
    second = stack.say(sender, "oud genoeg")  # the second miss: the age as buttons (issue 23 item 8)
    assert "12 tot 16" in [b["title"] for m in second for b in m.get("buttons", [])]
    # Under 16 the very next question is the route: no name, situation, interests or place first.
    assert "jonger dan 16" in stack.texts(sender, "14")
    assert "events" in stack.texts(sender, "Info en events")
    assert not [x for x in export(stack) if x["conversation_id"] == sender]
