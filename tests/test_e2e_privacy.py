"""Keep nothing without consent, end to end: real action server, real Rasa (REST), real tracker store.

A person who stops at the consent preview, says "nee" there, or is 15 and takes the info route leaves
no personal text in the tracker store once ``python -m bot leads purge`` has run; a conversation
that went quiet longer than GP_TRACKER_INACTIVITY_HOURS goes, a fresh one stays; a conversation that
became a lead stays with its lead. What the bot says about it names the period from the settings.
"""
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

WIPE_SENTENCE = "wis ik uiterlijk 24 uur na je laatste bericht"

# What the intake asks, recognised by a word in the question, so the tests do not depend on the
# order of the questions (age first is coming).
QUESTIONS = (("noemen", "first_name"), ("Hoe oud", "age"), ("Wat doe je nu", "situation"),
             ("leuk", "interests"), ("postcode", "location"), ("jonger dan 16", "minor_route"),
             ("contact", "contact_method"), ("telefoonnummer", "phone"), ("Wanneer", "contact_time"))


def fill_intake(stack, sender, answers, until):
    """Answers every question from ``answers`` until a reply contains ``until``; returns that reply."""
    reply, sent = stack.texts(sender, "/request_human"), []
    for _ in range(15):
        if until in reply:
            return reply
        key = next((k for word, k in QUESTIONS if word.lower() in reply.lower()), None)
        assert key in answers, f"unexpected question after {sent}: {reply!r}"
        sent.append(answers[key])
        reply = stack.texts(sender, answers[key])
    raise AssertionError(f"never reached {until!r}; last reply {reply!r}")


def person(name, age, phone_digits, location):
    return {"first_name": name, "age": age, "situation": "Ik zit op school", "interests": "iets met bouwen",
            "location": location, "contact_method": "Bellen of WhatsApp", "phone": f"06 {phone_digits}",
            "contact_time": "Middag", "minor_route": "Info en events"}


def purge(stack):
    env = dict(os.environ, DATABASE_URL=stack.settings.database_url,
               TRACKER_STORE_URL=stack.settings.tracker_store_url, GP_VAR_DIR=str(stack.settings.var_dir))
    return subprocess.run([sys.executable, "-m", "bot", "leads", "purge"], env=env, capture_output=True,
                          text=True, check=True, timeout=120).stdout


def tracker(stack, sql, **params):
    engine = create_engine(stack.settings.tracker_store_url, future=True)
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = result.all() if result.returns_rows else result.rowcount
    engine.dispose()
    return rows


def events_of(stack, sender):
    return tracker(stack, "SELECT count(*) FROM events WHERE sender_id = :s", s=sender)[0][0]


def personal_text_left(stack, needles, sender=None):
    """Which of ``needles`` still occur in the tracker store (in one conversation, or anywhere)."""
    if sender is None:
        data = [r[0] for r in tracker(stack, "SELECT data FROM events")]
    else:
        data = [r[0] for r in tracker(stack, "SELECT data FROM events WHERE sender_id = :s", s=sender)]
    return sorted({n for n in needles for d in data if n in d})


def leads_of(stack, sender):
    env = dict(os.environ, DATABASE_URL=stack.settings.database_url)
    out = subprocess.run([sys.executable, "-m", "bot", "leads", "export"], env=env, capture_output=True,
                         text=True, check=True).stdout
    return [lead for lead in json.loads(out) if lead["conversation_id"] == sender]


def make_old(stack, sender, hours):
    """Moves a conversation back in time, as if the person went quiet ``hours`` ago."""
    tracker(stack, "UPDATE events SET timestamp = timestamp - :d WHERE sender_id = :s", d=hours * 3600, s=sender)


def test_stop_at_the_preview_leaves_no_personal_text(stack):
    sender, needles = "e2e-privacy-stop", ("Fenna", "87654321", "4331")
    fill_intake(stack, sender, person("Fenna", "17", "87654321", "4331 AB"), until="Dit sturen we naar")
    assert personal_text_left(stack, needles, sender) == sorted(needles)  # the check can see the data
    stopped = stack.texts(sender, "/stop")
    assert WIPE_SENTENCE in stopped and "niets opgeslagen" not in stopped
    out = purge(stack)
    assert events_of(stack, sender) == 0
    assert personal_text_left(stack, ("Fenna", "87654321")) == []   # name and phone nowhere at all
    assert not leads_of(stack, sender)
    assert "Fenna" not in out and sender not in out


def test_nee_at_consent_sends_nothing_and_leaves_no_personal_text(stack):
    sender, needles = "e2e-privacy-nee", ("Jurre", "76543218", "Middelburg")
    fill_intake(stack, sender, person("Jurre", "19", "76543218", "Middelburg"), until="Klopt dit?")
    assert personal_text_left(stack, needles, sender) == sorted(needles)
    answer = stack.texts(sender, "nee")
    assert "niets door" in answer and WIPE_SENTENCE in answer and "bewaar niets" not in answer
    purge(stack)
    assert events_of(stack, sender) == 0 and personal_text_left(stack, ("Jurre", "76543218")) == []
    assert not leads_of(stack, sender)


def test_15_year_old_on_the_info_route_leaves_nothing(stack):
    sender, needles = "e2e-privacy-15", ("Yfke", "15", "Heerlen")
    reply = fill_intake(stack, sender, person("Yfke", "15", "00000000", "Heerlen"), until="Op de website")
    assert personal_text_left(stack, needles, sender) == sorted(needles)
    assert WIPE_SENTENCE in reply
    purge(stack)
    assert events_of(stack, sender) == 0 and personal_text_left(stack, ("Yfke",)) == []


def test_quiet_conversation_goes_after_the_period_fresh_one_and_lead_stay(stack):
    quiet, fresh, lead = "e2e-privacy-quiet", "e2e-privacy-fresh", "e2e-privacy-lead"
    for sender, name, digits in ((quiet, "Tijmen", "65432187"), (fresh, "Floor", "54321876")):
        fill_intake(stack, sender, person(name, "18", digits, "4331 AB"), until="contact")
    fill_intake(stack, lead, person("Lotte", "20", "43218765", "4331 AB"), until="Klopt dit?")
    assert "GP-" in stack.texts(lead, "/affirm")
    make_old(stack, quiet, 25)
    make_old(stack, lead, 25)

    purge(stack)
    assert events_of(stack, quiet) == 0 and personal_text_left(stack, ("Tijmen",)) == []
    assert events_of(stack, fresh) > 0                     # quiet for seconds: still talking
    assert events_of(stack, lead) > 0 and len(leads_of(stack, lead)) == 1  # follows the lead's retention


def test_logs_hold_no_message_text(stack):
    """The purge reports counts; Rasa and the actions log no message text at the default level."""
    sender = "e2e-privacy-logs"
    fill_intake(stack, sender, person("Wessel", "18", "32187654", "4331 AB"), until="Klopt dit?")
    time.sleep(1)
    logs = stack.settings.var_dir / "logs"
    hits = [p.name for p in logs.glob("*.log") if "32187654" in p.read_text(errors="replace")
            or "Wessel" in p.read_text(errors="replace")]
    assert hits == []
