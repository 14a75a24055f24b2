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


def test_change_adds_field_question():
    assert intake.required_slots(_slots(confirm="change"))[-1] == "change_field"


def test_third_miss_offers_help_once_per_three():
    misses, third = {}, []
    for _ in range(6):
        misses, flag = intake.register_miss(misses, "age_band")
        third.append(flag)
    assert third == [False, False, True, False, False, True]
    assert "overslaan" in intake.three_misses_message("interests")
    assert "overslaan" not in intake.three_misses_message("location")


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
