"""The sentences made in Python, in simple English (issue 23, item 11): bot.conversation.english.to_english
over the real Dutch messages of bot/intake and bot/handoff/promise.py. The Dutch text comes from
calling that code, so a Dutch sentence that changes without its line in content/english_sentences.yml
makes a test here fail (it would stay Dutch for English speakers)."""
from datetime import date, datetime, timezone

import pytest

from bot.conversation.english import to_english
from bot.handoff.context import EXPLAINED
from bot.handoff.promise import HOW, confirmation_text as promise_text
from bot.intake import decisions as intake
from bot.intake import validation
from bot.routing.regions import place_for_postcode

DUTCH_WORDS = (" je ", " ik ", " de ", " het ", " een ", " niet ", " van ", " naar ", " wat ", "Typ ", "Kies ")


def _still_dutch(text):
    return [w.strip() for w in DUTCH_WORDS if w in f" {text} "]


ERRORS = [
    validation.check_first_name("ik weet het niet"),
    validation.check_age("geen idee"),
    validation.check_age("250"),
    validation.check_postcode("hallo"),
    validation.check_age_band("8"),
    validation.check_age_band("80"),
    validation.check_situation("banaan"),
    validation.check_interests("123"),
    validation.check_contact_method("duif"),
    validation.check_contact_value("email", "sam@"),
    validation.check_contact_value("telegram", "!!"),
    validation.check_contact_value("phone", "123"),
    validation.check_contact_time("nooit"),
    validation.check_change_field("banaan"),
    intake.check_location_choice("banaan", [{"code": "GM0687", "label": "Middelburg (gemeente Middelburg, regio Zeeland)",
                                            "woonplaats": "Middelburg"}]),
    intake.check_minor_route("hmm"),
]


@pytest.mark.parametrize("checked", ERRORS, ids=lambda c: (c.error or "")[:30])
def test_every_validation_error_has_an_english_line(checked):
    assert checked.error, "the example answer should be refused"
    english = to_english(checked.error)
    assert english != checked.error and not _still_dutch(english), english


def test_place_errors_keep_the_place_and_the_postcode():
    unknown = intake.check_location("qqqqzzzz").error
    assert to_english(unknown).startswith("I can't find that as a postcode or town")
    missing = intake.check_location("9999 ZZ").error
    if missing and missing.startswith("Postcode"):
        assert to_english(missing).startswith("I can't find postcode 9999.")


@pytest.mark.parametrize("slot", list(intake.ALL_SLOTS) + ["iets_nieuws"])
def test_three_misses_in_english_for_every_question(slot):
    english = to_english(intake.three_misses_message(slot))
    assert english.startswith("It is not working yet with ") and not _still_dutch(english), english


def _slots(**kw):
    base = {"first_name": "Sam", "age_band": "16-17", "situation": "school",
            "interests": {"choices": ["bouw", "ict"], "text": None}, "location": "4331",
            "place": intake.place_to_dict(place_for_postcode("4331")), "contact_method": "phone",
            "contact_value": "+31612345678", "contact_time": "avond"}
    base.update(kw)
    return base


def test_the_preview_in_english_keeps_every_value():
    slots = _slots()
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    dutch = intake.confirmation_text(slots, routing, [EXPLAINED["ask_salary"], EXPLAINED["ask_training"]])
    english = to_english(dutch)
    lines = english.split("\n")
    assert lines[0] == f"We will send this to {routing['counsellor_first_name']} from {routing['organisation']}:"
    assert "- Name: Sam" in lines and "- Age: 16-17 years" in lines and "- Now: I go to school" in lines
    assert "- Interests: Building and roads, IT and tech" in lines
    assert "- Lives in: postcode 4331 (Middelburg)" in lines
    assert "- Contact: call on 06 12345678, preferably in the evening" in lines
    assert "- What we talked about: what you earn in technology, ways to learn (mbo levels, BBL and BOL, retraining)" in lines
    assert lines[-1] == "Is this correct?"
    assert not any(_still_dutch(line) for line in lines), english


def test_the_guardian_preview_in_english():
    slots = _slots(age_band="12-15", minor_route="guardian", contact_value="ouder@example.org")
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    english = to_english(intake.confirmation_text(slots, routing))
    assert "- Contact with parent/carer: e-mail to ouder@example.org" in english
    assert english.endswith("May we send your parent this e-mail?")
    assert not any(_still_dutch(line) for line in english.split("\n")), english


@pytest.mark.parametrize("method", list(HOW) + [None])
def test_the_promise_in_english(method):
    counsellor = {"name": "Sanne de Vries", "first_name": "Sanne", "organisation": "TechniekTalent Zeeland"}
    dutch = promise_text("GP-7K3M9Q", counsellor, method, datetime(2026, 11, 27, 10, tzinfo=timezone.utc))
    english = to_english(dutch)
    assert english.startswith("Done! Sanne from TechniekTalent Zeeland will ")
    assert "within 2 working days: on Tuesday 1 December at the latest" in english
    assert "Your reference is GP-7K3M9Q." in english and not _still_dutch(english), english


def test_buttons_and_fields_made_in_python():
    assert to_english("Ja, versturen") == "Yes, send it"
    assert [to_english(validation.CHANGEABLE[f][0]) for f in ("first_name", "location")] == ["Name", "Postcode or town"]


def test_unknown_text_stays_as_it_is():
    for text in ("Een zin die de tabel niet kent.", "Hello Sam", "", None, "regel een\nregel twee"):
        assert to_english(text) == text
