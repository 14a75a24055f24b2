"""Events are never a dead end (issue 23 item 12), and how to reach a regional organisation yourself
(the contact data for item 2). Plain functions over the packs in content/regios/ (or small packs
written here); the action is called with a rasa_sdk tracker, no Rasa server."""
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.events import ActionEvents
from bot.content.events import (WORTH_THE_TRIP_KM, agenda_link, event_line, events_answer, further_away,
                                public_text)
from bot.content.packs import LAST_RESORT, OrganisationContact, load_packs, organisation_contact
from bot.routing.regions import find_places

PACK = """region: AM24
organisation: Voorbeeld Zeeland
links:
  - {title: Techniek in Zeeland (voorbeeld), url: 'https://zeeland.example.org/'}
  - {title: Agenda techniek (voorbeeld), url: 'https://zeeland.example.org/agenda'}
events:
  - {title: Open dag (voorbeeld), kind: open dag, over_dagen: 3, place: {name: Middelburg (voorbeeld), pc4: '4331'},
     link: 'https://zeeland.example.org/a', source: voorbeeld}
  - {title: Meeloopdag, kind: meeloopdag, over_dagen: 1, place: {name: Goes, pc4: '4461'},
     link: 'https://zeeland.example.org/b', source: voorbeeld}
  - {title: Al geweest, kind: open dag, over_dagen: -2, place: {name: Goes, pc4: '4461'},
     link: 'https://zeeland.example.org/c', source: voorbeeld}
"""


def point(name):
    place = find_places(name).places[0]
    return place.lat, place.lon, place.region_code


@pytest.fixture
def packs(tmp_path) -> Path:
    folder = tmp_path / "regios"
    folder.mkdir()
    (folder / "zeeland.yml").write_text(PACK, encoding="utf-8")
    return folder


def test_placeholder_labels_never_reach_a_person():
    assert public_text("Open dag techniek (voorbeeld)") == "Open dag techniek"
    assert public_text("Open dag (voorbeeld; de bot laat hem nooit zien) in Goes") == "Open dag in Goes"
    assert public_text("Agenda (Voorbeelddata)") == "Agenda"
    assert public_text("Open dag (gratis bus)") == "Open dag (gratis bus)"


def test_nothing_within_50_km_gives_the_nearest_further_away_with_distance(packs, tmp_path):
    lat, lon, region = point("Eindhoven")  # a region without a pack: no agenda to point to
    answer = events_answer(lat, lon, region, directory=packs, cache_dir=tmp_path)
    assert not answer.nearby and answer.agenda is None
    # Goes (about 110 km) before Middelburg (about 130 km): nearest first
    assert [n.event.title for n in answer.further] == ["Meeloopdag", "Open dag (voorbeeld)"]
    assert 100 < answer.further[0].km < answer.further[1].km
    line = event_line(answer.further[0])
    assert " km)" in line and "voorbeeld" not in line.lower()


def test_further_away_is_nearest_first_then_by_date_and_skips_past_events(packs, tmp_path):
    lat, lon, _ = point("Eindhoven")
    events = events_answer(lat, lon, None, directory=packs, cache_dir=tmp_path).further
    assert all(n.km > 50 for n in events) and "Al geweest" not in [n.event.title for n in events]
    from bot.content.events import all_events, now_nl
    now = now_nl()
    ordered = further_away(lat, lon, all_events(load_packs(packs), None, now.date()), now)
    assert [n.event.place_name for n in ordered] == ["Goes", "Middelburg (voorbeeld)"]


def test_the_regions_own_agenda_beats_a_long_trip(packs, tmp_path):
    lat, lon, _ = point("Middelburg")
    far_north = point("Groningen")
    # Groningen has no pack here: the events 250 km away are still shown, with their distance
    answer = events_answer(far_north[0], far_north[1], "AM01", directory=packs, cache_dir=tmp_path)
    assert answer.further and all(n.km > WORTH_THE_TRIP_KM for n in answer.further)
    # with an agenda of its own (here: Zeeland's, as if it were Groningen's) only that is shown
    answer = events_answer(far_north[0], far_north[1], "AM24", directory=packs, cache_dir=tmp_path)
    assert answer.further == () and answer.agenda.url == "https://zeeland.example.org/agenda"
    assert answer.agenda.title == "Agenda techniek"
    assert events_answer(lat, lon, "AM24", directory=packs, cache_dir=tmp_path).nearby


def test_the_agenda_link_prefers_an_agenda_then_any_link_then_the_website():
    assert agenda_link("AM24", load_packs()).url == "https://zeeland.example.org/agenda"
    assert agenda_link("AM01", load_packs()).url == "https://groningen.example.org/"
    assert agenda_link("AM28", load_packs()) is None


def _tracker(text, intent, entities=()):
    asked = [{"event": "bot", "text": "...", "metadata": {"utter_action": "utter_events_ask_place"}}]
    return Tracker("t-ev", {}, {"text": text, "intent": {"name": intent}, "entities": list(entities)}, asked,
                   False, None, {}, "action_listen")


@pytest.mark.parametrize("place", ["Eindhoven", "Enschede", "Emmen", "Groningen"])
def test_action_events_always_offers_a_next_step(place, tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    dispatcher = CollectingDispatcher()
    events = ActionEvents().run(dispatcher, _tracker(place, "inform"), {"responses": {}})
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[-1] == "utter_events_next_step" and "utter_events_none" not in responses
    assert "utter_events_further" in responses or "utter_events_agenda_only" in responses
    texts = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "voorbeeld" not in texts.lower()
    resolved = {e["name"]: e["value"] for e in events}["events_place_resolved"]
    assert resolved["gemeente_name"].startswith(place) and resolved["region_code"]


def test_a_typo_for_events_gets_bedoel_je_with_a_button(tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    dispatcher = CollectingDispatcher()
    events = ActionEvents().run(dispatcher, _tracker("eindhovn", "inform"), {"responses": {}})
    message = dispatcher.messages[-1]
    assert message["response"] == "utter_events_suggest_place" and message["suggestion"] == "Eindhoven"
    assert message["buttons"] == [{"title": "Ja, Eindhoven", "payload": "Eindhoven"}]
    assert events == [{"event": "slot", "timestamp": None, "name": "events_place", "value": None}]


def test_events_understand_places_as_people_say_them(tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    dispatcher = CollectingDispatcher()
    events = ActionEvents().run(dispatcher, _tracker("middelburg zei ik toch al", "inform"), {"responses": {}})
    assert dispatcher.messages[0]["response"] == "utter_events_found"
    assert {e["name"]: e["value"] for e in events}["events_place_resolved"]["region_code"] == "AM24"


# ---------------------------------------------------------------- reaching the organisation yourself

def test_a_region_with_a_contact_block_gets_its_own_organisation():
    contact = organisation_contact("AM24")
    assert contact.organisation == "TechniekTalent Zeeland" and not contact.is_national_fallback
    assert contact.website.startswith("https://") and contact.email.endswith("example.org")
    assert contact.hours == "maandag tot en met vrijdag, 9.00 tot 17.00 uur"
    assert contact.phone is None  # example data: no invented number that could belong to someone
    assert contact.example_data


@pytest.mark.parametrize("region", ["AM28", "AM05", None, "", "XX99"])
def test_a_region_without_one_gets_the_national_fallback(region):
    contact = organisation_contact(region)
    assert contact.is_national_fallback and contact.organisation == "de Gouden Poort"
    assert contact.website and contact.website.startswith("https://")


def test_organisation_contact_never_fails(tmp_path):
    broken = tmp_path / "regios"
    broken.mkdir()
    (broken / "x.yml").write_text("region: AM24\norganisation: X\ncontact: {phone: '12'}\n", encoding="utf-8")
    missing = tmp_path / "geen.yml"
    assert organisation_contact("AM24", directory=broken, national_file=missing) == LAST_RESORT
    (tmp_path / "kapot.yml").write_text("organisation: [\n", encoding="utf-8")
    assert organisation_contact("AM24", directory=broken, national_file=tmp_path / "kapot.yml") == LAST_RESORT
    good = tmp_path / "landelijk.yml"
    good.write_text("organisation: Landelijk\nphone: 0800 1234\nhours: elke werkdag, 9.00 tot 17.00 uur\n", encoding="utf-8")
    assert organisation_contact("AM24", directory=broken, national_file=good) == OrganisationContact(
        "Landelijk", phone="0800 1234", hours="elke werkdag, 9.00 tot 17.00 uur", is_national_fallback=True)


def test_the_content_check_validates_contact_blocks(tmp_path):
    from bot.content.check import Sources, run_check
    from bot.ops.config import PROJECT_ROOT

    packs = tmp_path / "regios"
    packs.mkdir()
    (packs / "zeeland.yml").write_text(
        "region: AM24\norganisation: X\ncontact:\n  phone: '12345'\n  email: geen-adres\n  website: http://x.nl\n",
        encoding="utf-8")
    (packs / "rijnmond.yml").write_text("region: AM22\norganisation: Y\ncontact: {hours: altijd}\n", encoding="utf-8")
    report = run_check(Sources(root=PROJECT_ROOT, packs_dir=packs, cache_dir=tmp_path))
    messages = [p.render() for p in report.errors]
    assert any("zeeland.yml:4" in m and "contact.phone" in m for m in messages), messages
    assert any("contact.email" in m for m in messages) and any("contact.website" in m for m in messages)
    assert any("rijnmond.yml" in m and "minstens een phone, email of website" in m for m in messages)
    assert not any("content/contact.yml" in m for m in messages)  # the shipped national file is fine
