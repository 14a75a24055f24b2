"""The decisions behind "a bot that listens" (issue 23), without Rasa: how a question is asked again,
what counts as a question in the middle of the intake, who is asking, what was already said, the
honest way to a person, corrections at the preview and the answers after the hand-off."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from bot.conversation import reach_person
from bot.conversation.rasa_pattern_intents import FOLLOWUP_INTENT, overridden
from bot.handoff import after_handoff
from bot.intake import asking, known
from bot.intake import decisions as intake
from bot.intake.validation import check_first_name

KNOWN = {"utter_ask_age_band", "utter_reask_age_band", "utter_stuck_age_band", "utter_ask_situation",
         "utter_ask_situation_for_other", "utter_reask_situation"}


# --- asking again --------------------------------------------------------------------------------
def test_a_question_is_asked_in_full_once_then_in_one_line_then_with_a_way_forward():
    assert asking.ask_response("age_band", ["utter_intake_intro"], {}, KNOWN) == "utter_ask_age_band"
    said = ["utter_intake_intro", "utter_ask_age_band", None]
    assert asking.ask_response("age_band", said, {"age_band": 1}, KNOWN) == "utter_reask_age_band"
    assert asking.ask_response("age_band", said + ["utter_reask_age_band"], {"age_band": 2}, KNOWN) == "utter_stuck_age_band"


def test_the_way_forward_is_not_said_twice_in_a_row():
    assert asking.ask_response("age_band", ["utter_stuck_age_band"], {"age_band": 2}, KNOWN) is None


def test_someone_asking_for_another_gets_the_question_about_the_other():
    assert asking.ask_response("situation", [], {}, KNOWN, for_other=True) == "utter_ask_situation_for_other"
    assert asking.ask_response("age_band", [], {}, KNOWN, for_other=True) == "utter_ask_age_band"  # no variant: the usual


@pytest.mark.parametrize("text,question", [
    ("hoeveel verdien je?", True), ("wat is bbl", True), ("kan ik ook zonder diploma", True),
    ("ict", False), ("17", False), ("iets met auto's", False), ("/ask_salary", False)])
def test_what_reads_as_a_question(text, question):
    assert asking.is_question(text) is question


def test_an_informational_message_is_an_interruption_only_when_it_is_no_answer():
    assert asking.is_interruption("ask_jobs", "wat voor banen zijn er in de ict?", answer_fits=True)
    assert not asking.is_interruption("ask_jobs", "ict", answer_fits=True)
    assert asking.is_interruption("ask_salary", "salaris per maand", answer_fits=False)
    assert asking.is_interruption("doubt_fit", '/doubt_fit{"topic":"maths"}', answer_fits=False)
    assert not asking.is_interruption("inform", "wat is mijn postcode eigenlijk?", answer_fits=False)


def test_answer_fits_tells_answers_from_questions():
    assert intake.answer_fits("interests", "ict", {})
    assert not intake.answer_fits("interests", "hoeveel verdien je", {})
    assert intake.answer_fits("age_band", "ik ben 17", {})
    assert not intake.answer_fits("age_band", "wat verdien je", {})
    assert intake.answer_fits("location", "Middelburg", {})


# --- two tries and a bijnaam -------------------------------------------------------------------------
@pytest.mark.parametrize("typed,stored", [("xX_Sniper_2009Xx", "xX_Sniper_2009Xx"), ("kev.04", "kev.04"),
                                          ("@gamer_99", "gamer_99"), ("Sam, ik ben 17", "Sam"),
                                          ("ik ben Peter en mijn zoon heet Daan", "Peter"), ("jan-willem", "Jan-willem")])
def test_a_bijnaam_is_accepted_and_nothing_more_is_stored(typed, stored):
    assert check_first_name(typed).value == stored


@pytest.mark.parametrize("typed", ["ik weet het niet", "06 12345678", "@", "waarom wil je dat weten"])
def test_a_sentence_or_a_number_is_no_name(typed):
    assert not check_first_name(typed).ok


# --- who is asking, what was already said ---------------------------------------------------------
@pytest.mark.parametrize("text,role,child", [
    ("ik ben zijn vader", "parent", "je zoon"), ("mijn dochter is 14", "parent", "je dochter"),
    ("ik vraag dit voor mijn kleinzoon", "grandparent", "je kleinkind"),
    ("ik ben docent en heb een leerling die twijfelt", "teacher", "je leerling"),
    ("ik ben jongerenwerker in de wijk", "youth_worker", "de jongere")])
def test_someone_asking_for_someone_else_is_recognised(text, role, child):
    assert known.asker_in(text) == (role, child)


def test_the_person_themself_is_no_other_asker():
    assert known.asker_in("ik ben 17 en ik zoek werk") is None
    assert known.asker_in("mijn vader werkt in de bouw") is None


def test_what_was_said_before_the_intake_fills_it():
    values = known.known_before_intake(["hoi ik ben 17", "wanneer is er een open dag"],
                                       {"events_place": "Middelburg", "explore_interests": "Monteur zonnepanelen"})
    assert values["age_band"] == "16-17"
    assert values["place"]["region_code"] == "AM24" and values["location"]
    assert values["interests"]["choices"] == ["installatie"]
    assert "leeftijd" in known.known_summary(values)


def test_a_parents_own_age_is_not_the_childs():
    values = known.known_before_intake(["ik ben de moeder van Sanne, ik ben 45", "Sanne is 16"], {})
    assert values["asker_role"] == "parent" and values["age_band"] == "16-17"


# --- an honest way to a person --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["nu meteen?", "is er iemand online", "kan het vandaag", "kunnen jullie me bellen"])
def test_wanting_a_person_now_is_recognised(text):
    assert reach_person.wants_now(text)


def test_a_plain_request_is_not_urgent():
    assert not reach_person.wants_now("ik wil graag met een adviseur praten")
    assert reach_person.asks_for_today("kan het vandaag nog?")


def test_the_promise_names_the_weekday_and_the_ways_to_call_yourself():
    contact = SimpleNamespace(organisation="Techniekpunt Zeeland", phone="0118 123456", hours="ma-vr 9-17",
                              email="info@zeeland.example.org", website="https://zeeland.example.org/")
    values = reach_person.promise_values(datetime(2026, 12, 7, 10, tzinfo=timezone.utc), 2, contact)
    assert values["deadline"] == "woensdag 9 december"
    assert values["contact_ways"] == ("bel 0118 123456 (ma-vr 9-17), mail naar info@zeeland.example.org "
                                      "of kijk op https://zeeland.example.org/")


# --- corrections at the preview -------------------------------------------------------------------
SLOTS = {"age_band": "18-20", "contact_method": "phone", "contact_value": "+31612345678", "first_name": "Sam"}


@pytest.mark.parametrize("typed,expected", [
    ("nee ik heet Rick", {"first_name": "Rick"}),
    ("toch liever e-mail", {"contact_method": "email", "contact_value": None}),
    ("mijn e-mail is rick@ziggo.nl", {"contact_method": "email", "contact_value": "rick@ziggo.nl"}),
    ("ik ben 19", {"age_band": "18-20"}),
    ("liever s avonds", {"contact_time": "avond"})])
def test_a_correction_at_the_preview_changes_that_field(typed, expected):
    changes = intake.preview_correction(typed, SLOTS)
    assert {k: changes[k] for k in expected} == expected
    assert changes["routing"] is None and changes["confirm"] is None  # the preview is made anew


def test_a_new_postcode_at_the_preview_finds_the_new_place():
    changes = intake.preview_correction("mijn postcode is 3012", SLOTS)
    assert changes["place"]["region_code"] == "AM22"


@pytest.mark.parametrize("typed", ["ja", "klopt niet", "/affirm"])
def test_no_correction_in_a_sentence_without_one(typed):
    assert intake.preview_correction(typed, SLOTS) is None


def test_after_two_failed_contact_values_another_way_is_offered():
    assert intake.other_methods(SLOTS)[:2] == [("Toch liever WhatsApp", "Toch liever WhatsApp"), ("Toch liever e-mail", "Toch liever e-mail")]
    guardian = {"age_band": "12-15", "minor_route": "guardian"}
    assert intake.other_methods(guardian) == [("Stoppen", "/stop")]


# --- after the hand-off ---------------------------------------------------------------------------
@pytest.mark.parametrize("text,kind", [
    ("wanneer belt kevin nou", after_handoff.WHEN), ("ik heb nog niks gehoord", after_handoff.LATE),
    ("Krijg ik hiervan ook een bevestiging per mail?", after_handoff.CONFIRMATION),
    ("ik wil iets veranderen", after_handoff.CHANGE), ("hoeveel verdien je", None)])
def test_follow_up_questions_are_recognised(text, kind):
    assert after_handoff.followup_kind(text) == kind


def test_the_answer_names_the_channel_chosen_and_the_promised_day():
    lead = SimpleNamespace(counsellor_name="Kevin de Vries", organisation="Techniekpunt Twente",
                           contact_method="email", created_at=datetime(2026, 12, 7, 10, tzinfo=timezone.utc),
                           id="GP-ABC123")
    values = after_handoff.followup_values(lead, datetime(2026, 12, 8, 9, tzinfo=timezone.utc), 2)
    assert values["counsellor"] == "Kevin" and values["how"] == "stuurt je een e-mail"
    assert values["deadline"] == "woensdag 9 december" and not values["past_deadline"]
    assert after_handoff.response_for(after_handoff.LATE, values) == "utter_followup_not_yet"
    late = after_handoff.followup_values(lead, datetime(2026, 12, 11, 9, tzinfo=timezone.utc), 2)
    assert after_handoff.response_for(after_handoff.LATE, late) == "utter_followup_late"


def test_a_clear_follow_up_question_overrides_the_classifier_without_a_tie():
    intent, ranking = overridden({"name": "request_human", "confidence": 0.92},
                                 [{"name": "request_human", "confidence": 0.92}], "wanneer belt sanne nou")
    assert intent["name"] == FOLLOWUP_INTENT
    assert ranking[1]["confidence"] <= 0.5  # the FallbackClassifier's ambiguity check keeps it
