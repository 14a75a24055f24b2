"""The form's decisions without Rasa: which question comes next, misses, the confirmation text."""
from datetime import date

import pytest

from bot.intake import decisions as intake
from bot.routing.regions import place_for_postcode


def _slots(**kw):
    base = {"first_name": "Sam", "age_band": "16-17", "situation": "school",
            "interests": {"choices": ["bouw"], "text": None}, "location": "4331",
            "place": intake.place_to_dict(place_for_postcode("4331"))}
    base.update(kw)
    return base


def test_adult_path_asks_contact_then_confirm():
    assert intake.required_slots(_slots()) == [
        "age_band", "first_name", "situation", "interests", "location",
        "contact_method", "contact_value", "contact_time", "confirm"]


def test_ambiguous_place_adds_follow_up_question():
    slots = _slots(place=None, location="Laren", location_options=[{"code": "GM0262", "label": "x"}])
    assert "location_choice" in intake.required_slots(slots)


def test_under_16_gets_route_question_and_info_route_ends_without_contact():
    slots = _slots(age_band="12-15")
    assert "minor_route" in intake.required_slots(slots)
    info = intake.required_slots(_slots(age_band="12-15", minor_route="info"))
    assert "contact_value" not in info and "confirm" not in info
    guardian = intake.required_slots(_slots(age_band="12-15", minor_route="guardian"))
    assert guardian[-1] == "confirm" and "contact_value" in guardian
    assert guardian[:4] == ["age_band", "minor_route", "first_name", "location"]


def test_change_adds_field_question():
    assert intake.required_slots(_slots(confirm="change"))[-1] == "change_field"


def test_never_a_third_try_at_the_same_words():
    """Issue 23 item 8: the first miss explains, the second brings a way forward (a sensible answer for
    a question we can do without, buttons for one we need), a third on a needed question gives up."""
    assert intake.after_failed_try("age_band", 1) == intake.FIRST_TRY
    assert intake.after_failed_try("age_band", 2) == intake.HELP
    assert intake.after_failed_try("age_band", 3) == intake.GIVE_UP
    assert intake.after_failed_try("situation", 2) == intake.ACCEPT
    assert intake.ACCEPT_AFTER_TWO["contact_time"] == "maakt_niet_uit"
    assert intake.required_slots({"intake_stuck": "location", "age_band": "18-20"}) == []


@pytest.mark.parametrize("text", ["4331 AB", "ik woon op 4331ab", "mijn postcode is 4331 AB", "Middelburg"])
def test_location_answers_resolve_to_zeeland(text):
    assert intake.check_location(text).place["region_code"] == "AM24"


def test_unknown_postcode_asks_for_woonplaats():
    result = intake.check_location("1000 AA")
    assert result.place is None and result.ask_woonplaats and "woonplaats" in result.error


def test_confirmation_names_counsellor_and_shows_exact_data():
    slots = _slots(contact_method="phone", contact_value="+31612345678", contact_time="middag")
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    text = intake.confirmation_text(slots, routing)
    assert text.startswith("Dit sturen we naar Sanne van TechniekTalent Zeeland")
    assert "06 12345678" in text and "16-17" in text and "Klopt dit?" in text and "Bouw" in text
    guardian = intake.confirmation_text(_slots(age_band="12-15", minor_route="guardian", contact_method="email",
                                               contact_value="ouder@example.org"), routing)
    assert "ouder of verzorger" in guardian and "ouder@example.org" in guardian


def test_new_lead_from_slots_records_guardian_consent_and_skips():
    slots = _slots(age_band="12-15", minor_route="guardian", first_name=intake.SKIPPED,
                   contact_method="email", contact_value="ouder@example.org", contact_time=intake.SKIPPED)
    routing = intake.routing_to_slot(intake.plan_routing(slots["place"], {}, date(2026, 11, 27)))
    lead = intake.new_lead_from_slots("c", "rest", slots, routing, "tekst", "v1")
    assert lead.consent_basis == "guardian" and lead.first_name is None and lead.contact_time is None
    assert lead.postcode == "4331" and lead.region_code == "AM24" and lead.counsellor_id == routing["counsellor_id"]


# --- Under 16, "Wat wil je?": typed answers and a way out (issue 13) -------------------------------
@pytest.mark.parametrize("text, route", [
    ("Info en events", "info"), ("ik wil alleen wat lezen", "info"), ("Mijn ouder of verzorger regelt het", "guardian"),
    ("mijn moeder wil dat wel doen", "guardian"), ("nee", "geen"), ("Nee.", "geen"), ("niks", "geen"),
    ("stop", "geen"), ("laat maar", "geen"), ("nee hoeft niet", "geen"), ("mijn ouders willen niet", "geen"),
])
def test_minor_route_understands_typed_answers(text, route):
    assert intake.check_minor_route(text).value == route


def test_minor_route_gives_a_way_out_after_two_tries_never_a_loop():
    first = intake.minor_route_after_miss(intake.check_minor_route("wat bedoel je"), {})
    assert not first.ok and "'stop'" in first.error  # says what to type
    second = intake.minor_route_after_miss(intake.check_minor_route("ik heb geen ouders"), {"minor_route": 1})
    assert second.value == intake.MINOR_NO_CHOICE
    # no choice means: no guardian route, so the form ends (the submit says goodbye kindly)
    assert intake.required_slots({"age_band": "12-15", "minor_route": second.value}) == ["age_band", "minor_route"]


# --- "nee wacht, ik ben 19": corrections of the age at another question ----------------------------
@pytest.mark.parametrize("slot, text, band", [
    ("first_name", "nee wacht, ik ben 19", "18-20"), ("situation", "ik ben 19 jaar", "18-20"),
    ("first_name", "sorry I am 19", "18-20"), ("interests", "ik ben eigenlijk 15", "12-15"),
    ("location", "mijn leeftijd is 22", "21-23"),
    ("age_band", "ik ben 19", None),            # the age question itself is no correction
    ("first_name", "ik ben Sam", None), ("contact_value", "06 12345678", None), ("location", "4331 AB", None),
    ("location", "ik ben 2 jaar geleden verhuisd", None),  # no age we accept: no correction
])
def test_age_correction(slot, text, band):
    assert intake.age_correction(slot, text) == band


def test_crossing_16_clears_what_depends_on_it():
    down = intake.after_age_change("16-17", "12-15")
    # the first name stays: the guardian route asks it too (issue 24 item 2)
    assert down["age_band"] == "12-15" and "first_name" not in down and down["contact_value"] is None
    assert down["situation"] is None and down["interests"] is None
    up = intake.after_age_change("12-15", "18-20")
    assert up["minor_route"] is None and up["contact_value"] is None and "first_name" not in up
    assert intake.after_age_change("16-17", "18-20") == {"age_band": "18-20"}
