"""Rasa-shaped events for the funnel tests, and the privacy scan of the analytics tables."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List

from sqlalchemy import create_engine, inspect, text

from bot.analytics.funnel import iso_week

ANALYTICS_TABLES = ("analytics_salts", "analytics_conversations", "analytics_counts", "analytics_cursors",
                    "analytics_unanswered")
QUESTIONS = ("age_band", "first_name", "situation", "interests", "location", "contact_method", "contact_value",
             "contact_time")


def conversation(sender: str, ts: float, upto: int, *, name: str = "Mila", age: str = "17", band: str = "16-17",
                 region: str = "AM24", phone: str = "0612345678", channel: str = "web",
                 consent: bool = True) -> List[Dict[str, Any]]:
    """The events Rasa publishes for one intake that reaches ``upto`` questions (9 = the preview,
    10 = consent and hand-off). Raw answers appear as Rasa has them: in user texts and from_text slots."""
    answers = {"age_band": age, "first_name": name, "situation": "Ik zit op school", "interests": "bouwen",
               "location": "4331 AB", "contact_method": "telefoon", "contact_value": phone, "contact_time": "middag"}
    events: List[Dict[str, Any]] = []
    t = ts

    def add(event: Dict[str, Any]) -> None:
        nonlocal t
        t += 1
        events.append({"sender_id": sender, "timestamp": t, **event})

    def user(text_: str, intent: str) -> None:
        add({"event": "user", "text": text_, "input_channel": channel,
             "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text_, "entities": []}})

    user("hoi", "greet")
    add({"event": "bot", "text": "Hoi! Ik ben de chatbot van de Gouden Poort."})
    user("/request_human", "request_human")
    add({"event": "active_loop", "name": "intake_form"})
    for index, question in enumerate(QUESTIONS[:upto]):
        add({"event": "slot", "name": "requested_slot", "value": question})
        if index + 1 >= upto:
            return events
        user(answers[question], "inform")
        add({"event": "slot", "name": question, "value": answers[question]})
        if question == "age_band":
            add({"event": "slot", "name": "age_band", "value": band})
    add({"event": "slot", "name": "routing", "value": {"region_code": region, "counsellor_name": "Sanne Adviseur"}})
    add({"event": "slot", "name": "requested_slot", "value": "confirm"})
    add({"event": "bot", "text": f"Klopt dit? {name}, {phone}, 4331 AB"})
    if upto < 10:
        return events
    user("/affirm" if consent else "/deny", "affirm" if consent else "deny")
    if consent:
        add({"event": "slot", "name": "confirm", "value": "send"})
        add({"event": "slot", "name": "lead_id", "value": "GP-ABC234"})
    add({"event": "active_loop", "name": None})
    return events


def fallback(sender: str, ts: float, question: str, channel: str = "web") -> List[Dict[str, Any]]:
    return [{"sender_id": sender, "timestamp": ts + 1, "event": "user", "text": question, "input_channel": channel,
             "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}, "text": question}}]


def table_dump(database_url: str) -> str:
    """Every row of every analytics table, as one lower-case string (for "is X anywhere in it?")."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            rows = []
            for table in ANALYTICS_TABLES:
                assert table in tables, table
                rows += [json.dumps([str(v) for v in row]) for row in conn.execute(text(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()
    return "\n".join(rows).lower()


def assert_nothing_personal(database_url: str, secrets: Iterable[str]) -> None:
    dump = table_dump(database_url)
    leaked = [s for s in secrets if s.lower() in dump]
    assert not leaked, f"found in the analytics tables: {leaked}"


NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)  # a Wednesday in 2026-W49
TS = NOW.timestamp()
WEEK = iso_week(NOW)
NAMES = ["Mila", "Jayden", "Fatima", "Noor", "Daan", "Sem", "Lotte", "Aisha", "Thijs", "Yara"]
PRIVATE_QUESTION = "Mijn buurman Kees Bakker uit 4331 AB zegt dat jullie fietsen maken, bel 0687654321"


def all_events():
    """7 hand-offs in Zeeland (AM24), 3 in Friesland (AM02), 1 stopped at each of the 8 questions,
    1 consent denied, 1 fallback question with personal data in it."""
    events, n = [], 0
    for i in range(7):
        events += conversation(f"web-zeeland-{i}", TS + 100 * n, 10, name=NAMES[i], phone=f"06123400{i:02d}"); n += 1
    for i in range(3):
        events += conversation(f"web-friesland-{i}", TS + 100 * n, 10, name=NAMES[7 + i], region="AM02",
                               phone=f"06987600{i:02d}", band="18-20", age="19"); n += 1
    for upto in range(1, 9):
        events += conversation(f"web-stop-{upto}", TS + 100 * n, upto, name="Bram"); n += 1
    events += conversation("web-denied", TS + 100 * n, 10, consent=False, name="Sophie", phone="0611122233"); n += 1
    events += fallback("web-question", TS + 100 * n, PRIVATE_QUESTION)
    return events


SECRETS = ["web-zeeland", "web-friesland", "web-stop", "web-denied", "web-question", "Kees", "Bakker",
           "0687654321", "4331 ab", "06123400", "06987600", "0611122233", "Ik zit op school", "Sophie", "Bram",
           *NAMES]  # the question itself stays, redacted (checked below)


def publish_sql(path, events):
    from rasa.core.brokers.sql import SQLEventBroker

    broker = SQLEventBroker(db=str(path))
    for event in events:
        broker.publish(event)
    broker.engine.dispose()
