"""Scripted conversations over Rasa's REST channel, through the real Rasa event broker, counted by
the funnel's consumer: exactly the expected counts, "< 5" for a small cell, nothing personal in
the analytics tables. Runs once with the SQL broker (SQLite) and once with RabbitMQ (Pika); both
must give the same counts. One stack per broker, started by this module."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from bot.analytics.consume import source_for, run_once
from bot.analytics.funnel import FALLBACK_INTENTS, iso_week
from bot.analytics.report import csv_export, funnel, text_report, unanswered_groups
from bot.store.db import new_session
from bot.store.leads import change_status, set_status
from bot.store.models import Lead
from tests.analytics_support import assert_nothing_personal
from tests.services import require_rabbitmq

pytestmark = pytest.mark.e2e

SCRIPT = ["hoi", "/request_human", "17", "{name}", "Ik zit op school", "iets met bouwen", "4331 ab",
          "Bellen of WhatsApp", "{phone}", "Middag"]
NAMES = ["Mila", "Jayden", "Fatima", "Noor", "Daan", "Sem", "Lotte", "Aisha", "Thijs", "Yara", "Bram"]
QUESTION = "Mijn buurman Kees Bakker uit 4331 AB zegt dat jullie fietsen maken, bel 0687654321"
OUT_OF_SCOPE = "Kan Kees Bakker mijn huiswerk maken"  # out_of_scope (data/nlu/out_of_scope.yml), plus a name

# started: 1 complete + 9 stopped + 1 under 16 + 1 denied + 1 topic + 2 questions
EXPECTED = {
    "step:started": 15, "step:topic": 1, "step:intake": 12, "step:q:age_band": 12, "step:q:first_name": 10,
    "step:q:situation": 9, "step:q:interests": 8, "step:q:location": 7, "step:q:contact_method": 6,
    "step:q:contact_value": 5, "step:q:contact_time": 4, "step:q:minor_route": 1, "step:preview": 3,
    "step:consent": 1, "step:handoff": 1, "step:contacted": 1, "step:appointment": 1, "step:outcome": 1,
    "contact_in_time": 1, "dropoff:age_band": 1, "dropoff:first_name": 1, "dropoff:situation": 1,
    "dropoff:interests": 1, "dropoff:location": 1, "dropoff:contact_method": 1, "dropoff:contact_value": 1,
    "dropoff:contact_time": 1, "dropoff:minor_route": 1,
}


def lines(name: str, phone: str):
    return [m.format(name=name, phone=phone) for m in SCRIPT]


@pytest.fixture(scope="module", params=["sql", "pika"])
def played(request, tmp_path_factory):
    """A stack with this broker, every scripted conversation played, the lead followed up, counted."""
    from tests.stack import start_stack

    broker = request.param
    if broker == "pika":
        require_rabbitmq()
    run = uuid.uuid4().hex[:6]
    stack = start_stack(tmp_path_factory.mktemp(f"funnel-{broker}"), event_broker=broker,
                        rabbitmq_queue=f"gp-e2e-{run}", analytics_interval_seconds=86400.0)
    try:
        senders, secrets = [], [QUESTION.split(",")[0], "0687654321", "4331 ab", "Ik zit op school",
                                "iets met bouwen", "Kees", "Bakker"]

        def play(tag, messages):
            sender = f"funnel-{run}-{tag}"
            senders.append(sender)
            return [stack.texts(sender, m) for m in messages]

        phones = [f"06 {20 + i}{run_digits(run)}" for i in range(len(NAMES))]  # 06 + 8 digits
        secrets += NAMES + [p.replace(" ", "") for p in phones] + phones
        final = play("complete", lines(NAMES[0], phones[0]) + ["/affirm"])[-1]
        lead_id = re.search(r"GP-[A-Z0-9]{6}", final).group(0)
        for k in range(2, 11):  # stopped at every question, and at the preview (k = 10)
            play(f"stop-{k}", lines(NAMES[k], phones[k])[:k] + ["/stop"])
        play("under16", ["hoi", "/request_human", "14", "Info en events"])
        play("denied", lines(NAMES[1], phones[1]) + ["/deny"])
        play("topic", ["hoi", "/ask_salary"])
        play("question", [QUESTION])
        play("outofscope", [OUT_OF_SCOPE])
        asked = [stack.user_events(f"funnel-{run}-{tag}")[-1]["parse_data"]["intent"]["name"]
                 for tag in ("question", "outofscope")]
        db = stack.settings.database_url
        change_status(db, lead_id, "in_contact", "test")
        change_status(db, lead_id, "appointment", "test")
        with new_session(db) as session, session.begin():
            lead = session.get(Lead, lead_id)
            lead.outcome = "started_training"
            set_status(session, lead, "closed", "test")
        report = run_once(db, source_for(stack.settings))
        yield {"stack": stack, "db": db, "secrets": secrets + senders, "report": report,
               "fallback_expected": sum(1 for a in asked if a in FALLBACK_INTENTS), "week": iso_week(datetime.now(timezone.utc))}
    finally:
        stack.stop()


def run_digits(run: str) -> str:
    return "".join(str(int(c, 16) % 10) for c in run)[:6]


def test_counts_are_exactly_as_scripted(played):
    totals = funnel(played["db"], played["week"]).totals
    got = {k: totals.get(k, 0) for k in EXPECTED}
    assert got == EXPECTED
    assert totals.get("fallback", 0) == played["fallback_expected"]
    assert totals.get("contact_late", 0) == 0
    print(f"\n{played['stack'].settings.event_broker}: {played['report']}\n" + text_report(played["db"], played["week"]))


def test_zeeland_cell_of_three_shows_under_five(played):
    zeeland = funnel(played["db"], played["week"], "AM24").totals
    assert zeeland["step:preview"] == 3 and zeeland["step:started"] == 6
    csv = csv_export(played["db"], played["week"], "AM24")
    assert ",rest,16-17,step:preview,< 5" in csv and ",rest,16-17,step:started,6" in csv
    assert "Overzicht getoond" in text_report(played["db"], played["week"], "AM24")


def test_no_name_phone_postcode_or_text_in_any_analytics_table(played):
    assert_nothing_personal(played["db"], played["secrets"] + [OUT_OF_SCOPE])
    groups = unanswered_groups(played["db"])
    assert bool(groups) == bool(played["fallback_expected"])
    assert all("[naam]" in text and count == "< 5" for text, count in groups), groups
