"""Regional content packs, events near you and the content check (issue 15), without Rasa.

Example packs use relative dates (over_dagen), so these tests do not rot; "now" is fixed where the
test needs a fixed day.
"""
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.events import ActionEvents
from actions.regional import utter_regional
from bot.content.check import Sources, b1_findings, run_check, syllables
from bot.content.events import (dutch_date, events_near, fetch_feeds, lookup_place, now_nl, parse_ical)
from bot.content.packs import load_all, load_pack, load_packs, regional_answer
from bot.content.schema import Feed
from bot.ops.config import PROJECT_ROOT

MIDDELBURG = (51.49986, 3.613712)  # CBS centroid of PC4 4331
GRONINGEN = (53.221769, 6.562409)  # PC4 9712

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Voorbeeld//NL
BEGIN:VEVENT
UID:past@example.org
SUMMARY:Open dag van vorig jaar
DTSTART:20200110T150000
URL:https://zeeland.example.org/oud
LOCATION:Edisonweg 1, 4382 NW Vlissingen
END:VEVENT
BEGIN:VEVENT
UID:future@example.org
SUMMARY:Beroepentuin in de haven
DTSTART;TZID=Europe/Amsterdam:20991212T130000
DTEND;TZID=Europe/Amsterdam:20991212T160000
CATEGORIES:Beroepentuin
URL:https://zeeland.example.org/haven
LOCATION:Edisonweg 1, 4382 NW Vlissingen
END:VEVENT
BEGIN:VEVENT
UID:broken@example.org
SUMMARY:Kapotte datum
DTSTART:2099-13-45 morgen
URL:https://zeeland.example.org/kapot
LOCATION:Goes
END:VEVENT
END:VCALENDAR
"""


def test_the_example_packs_validate_and_are_marked_as_example_data():
    loaded = load_all()
    assert {item.slug for item in loaded} >= {"zeeland", "rijnmond", "groningen"}
    for item in loaded:
        assert item.problems == [] and item.pack.example_data is True
        assert "VOORBEELDDATA" in item.path.read_text(encoding="utf-8")


def test_dutch_dates():
    assert dutch_date(date(2026, 12, 12)) == "za 12 december"
    assert dutch_date(date(2027, 3, 1)) == "ma 1 maart"


def test_from_4331_the_first_upcoming_zeeland_events_by_date_then_distance(tmp_path):
    found = events_near(*MIDDELBURG, cache_dir=tmp_path)
    assert [n.event.place_name for n in found] == ["Middelburg", "Vlissingen", "Goes"]
    assert [n.event.region for n in found] == ["AM24"] * 3
    today = now_nl().date()
    assert [(n.event.start.date() - today).days for n in found] == [5, 12, 12]
    assert found[1].km < found[2].km  # same day: the nearer one first
    assert all("voorbij" not in n.event.link for n in found)  # the event of 3 days ago never shows
    assert round(found[0].km) == 0 and 15 < found[2].km < 25


def test_a_region_without_events_nearby_gets_nothing_and_past_events_never_show(tmp_path):
    assert events_near(*GRONINGEN, cache_dir=tmp_path) == []
    packs = tmp_path / "regios"
    packs.mkdir()
    (packs / "zeeland.yml").write_text(
        "region: AM24\norganisation: Voorbeeld\nevents:\n"
        "  - {title: Open dag, kind: open dag, date: 2027-01-16, start_time: '15:00', end_time: '18:00',"
        " place: {name: Middelburg, pc4: '4331'}, link: 'https://zeeland.example.org/a', source: voorbeeld}\n",
        encoding="utf-8")
    during = events_near(*MIDDELBURG, now=datetime(2027, 1, 16, 17, 0), directory=packs, cache_dir=tmp_path)
    assert [n.event.title for n in during] == ["Open dag"]  # still on: shown
    assert events_near(*MIDDELBURG, now=datetime(2027, 1, 16, 18, 1), directory=packs, cache_dir=tmp_path) == []


def test_an_ical_feed_with_a_past_a_future_and_a_malformed_event(tmp_path):
    feed = Feed(name="Agenda Zeeland", url="https://zeeland.example.org/agenda.ics", source="voorbeeld")
    events, warnings = parse_ical(FEED, feed, "AM24")
    upcoming = [e for e in events if e.is_upcoming(now_nl())]
    assert [e.title for e in upcoming] == ["Beroepentuin in de haven"]
    assert upcoming[0].kind == "beroepentuin" and upcoming[0].start == datetime(2099, 12, 12, 13, 0)
    assert len(warnings) == 1
    assert "evenement 3 'Kapotte datum'" in warnings[0] and "DTSTART" in warnings[0] and "overgeslagen" in warnings[0]


def test_fetch_caches_a_feed_the_bot_then_reads_without_the_network(tmp_path):
    packs_dir = tmp_path / "regios"
    packs_dir.mkdir()
    (packs_dir / "zeeland.yml").write_text(
        "region: AM24\norganisation: Voorbeeld Zeeland\nfeeds:\n"
        "  - {name: Agenda, url: 'https://zeeland.example.org/agenda.ics', source: voorbeeld}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    calls = []
    report = fetch_feeds(load_packs(packs_dir), cache, get=lambda url: calls.append(url) or FEED)
    assert calls == ["https://zeeland.example.org/agenda.ics"]
    assert any("2 evenementen opgehaald" in line for line in report)
    assert any("Kapotte datum" in line for line in report)
    found = events_near(*MIDDELBURG, now=datetime(2099, 12, 1), directory=packs_dir, cache_dir=cache)
    assert [n.event.title for n in found] == ["Beroepentuin in de haven"]

    def offline(url):
        raise OSError("geen netwerk")
    report = fetch_feeds(load_packs(packs_dir), cache, get=offline)
    assert "de vorige versie blijft staan" in report[0]
    assert events_near(*MIDDELBURG, now=datetime(2099, 12, 1), directory=packs_dir, cache_dir=cache)


def test_places_from_postcode_or_woonplaats():
    assert lookup_place("4331 AB").place.region_code == "AM24"
    assert lookup_place("Middelburg").place.region_code == "AM24"
    assert lookup_place("Laren").ambiguous
    assert lookup_place("Midelburg").suggestions == ("Middelburg",)
    assert lookup_place("").place is None


class Recorder(CollectingDispatcher):
    pass


DOMAIN = {"responses": {"utter_training_bbl": [{"text": "landelijk", "buttons": [{"title": "Praat met een adviseur",
                                                                                    "payload": "/request_human"}]}]}}


def test_a_regional_answer_applies_only_in_its_own_region():
    assert "Zeeland" in regional_answer("utter_training_bbl", "AM24").text
    assert regional_answer("utter_training_bbl", "AM01") is None  # Groningen overrides another answer
    assert regional_answer("utter_training_bbl", "AM22") is None  # Rijnmond: no answers at all
    assert regional_answer("utter_training_bbl", None) is None
    zeeland, national = Recorder(), Recorder()
    utter_regional(zeeland, DOMAIN, "utter_training_bbl", "AM24")
    utter_regional(national, DOMAIN, "utter_training_bbl", "AM30")
    assert "In Zeeland" in zeeland.messages[0]["text"]
    assert zeeland.messages[0]["buttons"] == DOMAIN["responses"]["utter_training_bbl"][0]["buttons"]
    assert national.messages[0]["response"] == "utter_training_bbl"


def _tracker(text, intent, entities=(), events=(), slots=None):
    return Tracker("t-events", slots or {}, {"text": text, "intent": {"name": intent}, "entities": list(entities)},
                   list(events), False, None, {}, "action_listen")


def _run(tracker):
    dispatcher = CollectingDispatcher()
    events = ActionEvents().run(dispatcher, tracker, {"responses": {}})
    return dispatcher.messages, events


def test_action_events_asks_for_the_place_then_answers_and_stores_it_only_in_the_tracker(tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    messages, events = _run(_tracker("wanneer is er een open dag?", "ask_events"))
    assert [m.get("response") for m in messages] == ["utter_events", "utter_events_ask_place"] and events == []
    asked = [{"event": "bot", "text": "...", "metadata": {"utter_action": "utter_events_ask_place"}}]
    messages, events = _run(_tracker("4331", "inform", [{"entity": "postcode", "value": "4331"}], asked))
    assert messages[0]["response"] == "utter_events_found" and messages[0]["events_place_label"] == "postcode 4331 (Middelburg)"
    lines = [m["text"] for m in messages[1:4]]
    assert "Middelburg (minder dan 1 km)" in lines[0] and "https://" in lines[0]
    assert "Vlissingen (7 km)" in lines[1] and "Goes (19 km)" in lines[2]
    # the region's own initiatives come next, with their links (issue 28), then the general next step
    after = [m.get("response") for m in messages].index("utter_events_after_list")
    assert [m.get("response") for m in messages[4:after]][:1] in ([], ["utter_initiatives_near"])
    slots = {e["name"]: e["value"] for e in events}
    assert slots.pop("events_place_resolved")["gemeente_code"] == "GM0687"  # for the intake to reuse
    assert slots == {"events_place": "4331", "content_region": "AM24"}
    # nothing within 50 km of Groningen: the region's own agenda and a next step, never a dead end
    messages, _ = _run(_tracker("Groningen", "inform", [{"entity": "location", "value": "Groningen"}], asked))
    said = [m.get("response") for m in messages if m.get("response")]
    assert said[0] == "utter_events_agenda_only" and said[-1] == "utter_events_next_step"
    assert set(said[1:-1]) <= {"utter_initiatives_near"}  # Groningen's own initiatives, if any fit
    assert messages[0]["max_km"] == 50 and messages[0]["agenda_url"] == "https://groningen.example.org/"
    known = {"place": {"pc4": "4331", "region_code": "AM24"}}  # the intake already asked
    messages, _ = _run(_tracker("open dagen?", "ask_events", slots=known))
    assert messages[0]["response"] == "utter_events_found"
    messages, _ = _run(_tracker("ik ben 17", "inform", [{"entity": "age", "value": "17"}]))
    assert messages[0]["response"] == "utter_inform_outside_form"  # not an answer to our question


def _broken_pack(tmp_path: Path) -> Path:
    packs = tmp_path / "regios"
    packs.mkdir()
    (packs / "zeeland.yml").write_text(
        "# kapot voorbeeld\n"
        "region: AM24\n"
        "organisation: Voorbeeld Zeeland\n"
        "answers:\n"
        "  utter_training_bbl:\n"
        "    text: Kort en goed.\n"
        "    source: voorbeeld\n"
        "  utter_bestaat_niet:\n"
        "    text: Dit antwoord verwijst naar niets.\n"
        "    source: voorbeeld\n"
        "links:\n"
        "  - {title: Agenda, url: 'http://zeeland.example.org/'}\n", encoding="utf-8")
    return packs


def test_the_content_check_names_file_and_line_of_a_broken_reference(tmp_path):
    packs = _broken_pack(tmp_path)
    loaded = load_pack(packs / "zeeland.yml")
    assert [p.render() for p in loaded.problems] == [
        f"{packs / 'zeeland.yml'}:12: FOUT: links.0.url: link moet met https:// beginnen: 'http://zeeland.example.org/'"]
    (packs / "zeeland.yml").write_text((packs / "zeeland.yml").read_text().replace("http://", "https://"))
    errors = [p.render() for p in run_check(Sources(packs_dir=packs, cache_dir=tmp_path)).errors]
    assert errors == [f"{packs / 'zeeland.yml'}:8: FOUT: regionaal antwoord utter_bestaat_niet: dat antwoord bestaat niet in domain/ (typfout?)"]
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), GP_VAR_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--packs", str(packs)], env=env,
                         capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "zeeland.yml:8: FOUT: regionaal antwoord utter_bestaat_niet" in run.stdout
    assert "NIET in orde: 1 fouten" in run.stdout


def test_the_shipped_content_passes_the_check(tmp_path):
    report = run_check(Sources(cache_dir=tmp_path))
    assert report.errors == [], "\n".join(p.render() for p in report.errors)


def test_b1_warnings():
    assert syllables("techniek") == 2 and syllables("arbeidsmarktregio") == 5
    long = " ".join(["woord"] * 21) + "."
    assert any("21 woorden" in f for f in b1_findings(long, set()))
    assert any("veiligheidsvoorschriften" in f for f in b1_findings("Lees de veiligheidsvoorschriften.", set()))
    assert b1_findings("Lees de veiligheidsvoorschriften.", {"veiligheidsvoorschriften"}) == []
