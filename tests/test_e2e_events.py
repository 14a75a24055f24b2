"""Events near you and regional answers over Rasa's REST channel, end to end (issue 15): the real
action server and Rasa server (the ``stack`` fixture, started once), the example packs in
content/regios/ (their dates are relative to today, so this test does not rot).

The transcript from 4331 is written to results/events-4331.txt for the note on the issue.
"""
import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from bot.content.events import event_line, events_near
from bot.ops.config import PROJECT_ROOT

pytestmark = pytest.mark.e2e
MIDDELBURG = (51.49986, 3.613712)


def say(stack, sender, message, metadata=None):
    body = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    response = httpx.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=120)
    return response.raise_for_status().json()


def texts(messages):
    return [m.get("text", "") for m in messages]


def test_rest_from_4331_gets_zeelands_first_upcoming_events_in_date_and_distance_order(stack, tmp_path):
    sender = "e2e-events-4331"
    transcript = []

    def turn(message):
        reply = say(stack, sender, message)
        transcript.append(f"jij: {message}")
        for m in reply:
            buttons = " ".join(f"[{b['title']}]" for b in m.get("buttons") or [])
            transcript.append(f"bot: {m.get('text', '')} {buttons}".rstrip())
        return reply

    first = texts(turn("Wanneer is er een open dag?"))
    assert "postcode of woonplaats" in first[-1]
    reply = turn("4331")
    (PROJECT_ROOT / "results").mkdir(exist_ok=True)
    (PROJECT_ROOT / "results" / "events-4331.txt").write_text("\n".join(transcript) + "\n", encoding="utf-8")
    lines = texts(reply)
    assert lines[0] == "Dit zijn de eerstvolgende activiteiten bij postcode 4331 (Middelburg):"
    expected = [event_line(n) for n in events_near(*MIDDELBURG, cache_dir=tmp_path)]
    assert lines[1:4] == expected and len(expected) == 3
    assert [line.split(": ")[1].split(" (")[0] for line in lines[1:4]] == [
        "Open dag techniek", "Beroepentuin haven en energie", "Meeloopdag installatietechniek"]
    assert "Middelburg (minder dan 1 km)" in lines[1] and "Vlissingen (7 km)" in lines[2] and "Goes (19 km)" in lines[3]
    assert not any("al geweest" in line for line in lines)  # the past example event never shows
    # the region's own initiatives come next, with their links (issue 28), then the offer of a counsellor
    offer = next(n for n, m in enumerate(reply) if m.get("buttons") and n >= 4)
    assert all("https://" in line for line in lines[5:offer]) and lines[4].startswith("In jouw regio")
    assert "adviseur" in lines[offer] and [b["title"] for b in reply[offer]["buttons"]][0] == "Ja, regel dat"
    # The postcode asked for events is no lead: nothing in the lead database mentions this conversation.
    engine = create_engine(stack.settings.database_url)
    with engine.connect() as conn:
        if inspect(conn).has_table("leads"):
            assert conn.execute(text("SELECT count(*) FROM leads WHERE conversation_id = :s"), {"s": sender}).scalar() == 0
    engine.dispose()
    slots = [e for e in stack.events(sender) if e.get("event") == "slot" and e.get("name") == "events_place"]
    assert slots[-1]["value"] == "4331"  # only in the tracker, wiped with the conversation


def test_a_region_without_events_gets_the_honest_answer_and_the_counsellor_offer(stack):
    # issue 23: honest about 50 km, then never a dead end: the region's own agenda and a next step
    sender = "e2e-events-groningen"
    assert "postcode of woonplaats" in texts(say(stack, sender, "/ask_events"))[-1]
    reply = say(stack, sender, "Groningen")
    assert reply[0]["text"].startswith("Binnen 50 km van Groningen ken ik nu geen activiteiten.")
    assert "agenda van Techniekpunt Groningen" in reply[0]["text"] and "https://groningen.example.org/" in reply[0]["text"]
    assert [b["payload"] for b in reply[-1]["buttons"]] == ["/request_human", "/explore_options"]


def test_a_regional_answer_replaces_the_national_one_only_in_its_own_region(stack):
    question = '/ask_training{"topic":"bbl"}'
    zeeland = " ".join(texts(say(stack, "e2e-regio-zeeland", question, {"region": "zeeland"})))
    groningen = " ".join(texts(say(stack, "e2e-regio-groningen", question, {"region": "groningen"})))
    national = " ".join(texts(say(stack, "e2e-regio-landelijk", question)))
    assert "In Zeeland zoeken vooral bedrijven in de haven" in zeeland
    assert "Zeeland" not in groningen and "ga je meestal 1 dag per week naar school" in groningen
    assert groningen == national
    greeting = " ".join(texts(say(stack, "e2e-regio-zeeland-2", "/greet", {"region": "zeeland"})))
    assert "Gouden Poort in Zeeland" in greeting and "In Zeeland kun je bij veel bedrijven een dag meelopen." in greeting
