"""A bot that listens, in the intake (issue 23 items 1, 2, 5, 6, 8 and 10), over the real stack.

Each scenario is a conversation as people type them, and ends with the repeat detector
(tests/listening.py): no bot text twice in a row, no question more than three times.
"""
from __future__ import annotations

import re
import zlib

import pytest

from tests.listening import Talk

pytestmark = [pytest.mark.e2e, pytest.mark.listening]


def phone_of(talk: Talk) -> str:
    """A number of this conversation's own: one contact gets one referral, across tests too."""
    return f"06 3{zlib.crc32(talk.sender.encode()) % 10**7:07d}"


def test_a_salary_question_at_the_age_question_is_answered_then_the_age_is_asked_in_one_line(stack):
    talk = Talk(stack, "salary-in-form")
    talk.say("/request_human")
    talk.expect(r"hoe oud ben je")
    answer = talk.say("hoeveel verdien je eigenlijk in de techniek??")
    talk.refuse(r"ik zie geen leeftijd", answer)
    talk.expect(r"verdien|salaris|loon|€", answer)
    talk.expect(r"hoe oud ben je", answer)
    assert talk.slot("age_band") is None
    talk.say("17")
    assert talk.slot("age_band") == "16-17"
    talk.check_no_repeats()


def test_a_question_at_the_interests_question_is_no_interest_but_ict_is(stack):
    talk = Talk(stack, "jobs-in-form")
    for message in ("/request_human", "19", "Sam", "Ik ben gestopt met school"):
        talk.say(message)
    talk.expect(r"leuk in de techniek")
    answer = talk.say("wat voor banen zijn er in de ict dan?")
    talk.refuse(r"vertel in een paar woorden", answer)
    assert talk.slot("interests") is None
    talk.expect(r"leuk", answer)
    talk.say("ict")
    assert (talk.slot("interests") or {}).get("choices") == ["ict"]
    talk.check_no_repeats()


def test_a_gamer_handle_is_a_bijnaam(stack):
    talk = Talk(stack, "handle")
    talk.say("/request_human")
    talk.say("18")
    answer = talk.say("xX_Sniper_2008Xx")
    talk.refuse(r"niet goed als naam", answer)
    assert talk.slot("first_name") == "xX_Sniper_2008Xx"
    talk.check_no_repeats()


def test_two_failed_tries_at_the_age_bring_buttons_not_a_third_error(stack):
    talk = Talk(stack, "age-stuck")
    talk.say("/request_human")
    first = talk.say("geen idee man")
    talk.expect(r"leeftijd", first)
    second = talk.say("dat zeg ik liever niet")
    talk.refuse(r"ik zie geen leeftijd", second)
    assert "16 of 17" in talk.buttons(), talk.transcript()
    talk.press("16 of 17")
    assert talk.slot("age_band") == "16-17"
    talk.check_no_repeats()


def test_someone_who_wants_a_person_now_hears_the_truth_and_gets_few_questions(stack):
    talk = Talk(stack, "person-now")
    answer = talk.say("ik wil gwoon met een mens praten, nu meteen")
    talk.expect(r"geen mens", answer)
    talk.expect(r"werkdagen", answer)
    talk.expect(r"uiterlijk (maandag|dinsdag|woensdag|donderdag|vrijdag)", answer)
    talk.expect(r"hoe oud", answer)
    talk.say("22")
    talk.say("Kim")
    asked = talk.say("rotterdam")
    talk.refuse(r"wat doe je nu|leuk in de techniek", asked)
    talk.expect(r"contact", asked)
    talk.check_no_repeats()


def test_is_anyone_online_in_the_middle_of_the_intake_gets_an_honest_answer_and_the_question_again(stack):
    talk = Talk(stack, "online-in-form")
    talk.say("/request_human")
    talk.say("20")
    answer = talk.say("is er iemand online? kan het vandaag?")
    talk.expect(r"geen mens", answer)
    talk.expect(r"vandaag", answer)
    talk.expect(r"noemen", answer)
    talk.check_no_repeats()


def _to_preview(talk: Talk, name: str = "Sam") -> str:
    for message in ("/request_human", "19", name, "Ik werk", "Bouw en infra", "4331", "Bellen",
                    phone_of(talk)):
        talk.say(message)
    return talk.say("Maakt niet uit")


def test_a_name_corrected_at_the_preview_changes_the_preview(stack):
    talk = Talk(stack, "preview-name")
    preview = _to_preview(talk)
    talk.expect(r"Naam: Sam", preview)
    again = talk.say("nee ik heet Rick")
    talk.expect(r"Naam: Rick", again)
    talk.refuse(r"in contact brengen", again)
    talk.check_no_repeats()


def test_rather_email_at_the_preview_asks_the_address_then_shows_the_preview(stack):
    talk = Talk(stack, "preview-email")
    _to_preview(talk)
    asked = talk.say("toch liever e-mail")
    talk.expect(r"e-?mailadres", asked)
    preview = talk.say(f"{talk.sender[-8:]}@ziggo.nl")
    talk.expect(r"mailen naar", preview)
    talk.expect(r"klopt dit", preview)
    talk.check_no_repeats()


def test_an_age_in_the_first_message_is_not_asked_again(stack):
    talk = Talk(stack, "age-first")
    talk.say("hoi ik ben 17 en ik zoek iets in de techniek")
    answer = talk.say("/request_human")
    talk.refuse(r"hoe oud ben je", answer)
    talk.expect(r"16-17", answer)
    assert talk.slot("age_band") == "16-17"
    talk.check_no_repeats()


def test_a_father_asking_for_his_son_is_spoken_to_as_the_father(stack):
    talk = Talk(stack, "father")
    talk.say("Goedemiddag, ik ben de vader van Daan. Mijn zoon is 17 en zit sinds de zomer thuis.")
    answer = talk.say("/request_human")
    talk.expect(r"je zoon", talk.transcript())  # acknowledged as the father, at his first message
    talk.refuse(r"hoe oud ben je", answer)
    talk.expect(r"jou noemen", answer)
    talk.say("Peter")
    assert talk.slot("first_name") == "Peter"
    assert talk.slot("asker_role") == "parent"
    assert talk.slot("age_band") == "16-17"
    talk.check_no_repeats()


def _send(talk: Talk) -> str:
    _to_preview(talk)
    return talk.say("/affirm")


def test_after_the_hand_off_the_bot_knows_what_it_promised(stack):
    talk = Talk(stack, "after-handoff")
    promise = _send(talk)
    found = re.search(r"GP-[0-9A-Z]+", promise)
    assert found, talk.transcript()
    reference = found.group(0)
    counsellor = promise.split("Gelukt! ", 1)[1].split()[0]
    when = talk.say("wanneer belt die adviseur nou")
    talk.expect(counsellor, when)
    talk.expect(r"uiterlijk (maandag|dinsdag|woensdag|donderdag|vrijdag)", when)
    talk.expect(reference, when)
    talk.expect(r"belt je", when)  # "Bellen" was chosen: never "stuurt je een e-mail"
    confirmation = talk.say("Krijg ik hiervan ook een bevestiging per mail?")
    talk.expect(r"bevestiging", confirmation)
    talk.refuse(r"cao|salaris", confirmation)
    meaning = talk.say("wat betekent werkdagen?")
    talk.refuse(r"geen dank", meaning)
    talk.expect(r"werkdag", meaning)
    talk.check_no_repeats()


def test_asking_when_someone_calls_without_a_request_gets_the_truth(stack):
    talk = Talk(stack, "followup-no-lead")
    answer = talk.say("wanneer belt de adviseur mij?")
    talk.expect(r"nog geen aanvraag", answer)
    assert "Ja, graag" in talk.buttons()
    talk.check_no_repeats()


def test_a_word_asked_in_the_middle_of_the_intake_is_explained_then_the_question_comes_back(stack):
    talk = Talk(stack, "meaning-in-form")
    for message in ("/request_human", "20", "Joy"):
        talk.say(message)
    answer = talk.say("wat betekent bbl eigenlijk?")
    talk.refuse(r"kies wat het best bij je past", answer)
    talk.expect(r"werk|leer", answer)
    talk.expect(r"wat doe je nu", answer)
    talk.press("Ik werk")
    assert talk.slot("situation") == "werk"
    talk.check_no_repeats()


def test_a_teacher_asking_for_a_pupil_is_asked_about_the_pupil(stack):
    talk = Talk(stack, "teacher")
    talk.say("ik ben docent op een vmbo en heb een leerling van 17 die twijfelt over techniek")
    answer = talk.say("/request_human")
    talk.expect(r"je leerling", answer)
    talk.expect(r"telefoonnummer van je leerling zelf vraag ik niet", answer)
    assert talk.slot("asker_role") == "teacher"
    assert talk.slot("age_band") == "16-17"
    talk.check_no_repeats()


def test_a_mother_of_a_14_year_old_gives_her_own_email_for_the_consent(stack):
    talk = Talk(stack, "mother")
    talk.say("hallo, mijn dochter is 14 en ze wil graag iets met techniek")
    answer = talk.say("/request_human")
    talk.refuse(r"jonger dan 16\. dan mag je", answer)
    talk.expect(r"noemen", answer)  # the guardian route asks a first name too (issue 24 item 2)
    talk.expect(r"je dochter", talk.say("Anja"))
    asked = talk.say("middelburg")
    talk.expect(r"je e-mailadres", asked)
    talk.refuse(r"van je ouder", asked)
    assert talk.slot("minor_route") == "guardian"
    talk.check_no_repeats()


def test_a_correction_of_the_postcode_at_the_preview_routes_again(stack):
    talk = Talk(stack, "preview-postcode")
    preview = _to_preview(talk)
    talk.expect(r"Middelburg|Zeeland|4331", preview)
    again = talk.say("mijn postcode is 3012")
    talk.expect(r"Rotterdam", again)
    talk.expect(r"klopt dit", again)
    talk.check_no_repeats()


def test_a_question_in_the_middle_of_ontdek_wat_bij_je_past_is_answered_and_the_quiz_goes_on(stack):
    talk = Talk(stack, "explore-question")
    first = talk.say("/explore_options")
    buttons = list(talk.buttons())
    assert buttons, talk.transcript()
    answer = talk.say("hoeveel verdien je eigenlijk in de techniek?")
    talk.expect(r"€|bruto", answer)
    assert set(buttons) <= set(talk.buttons())  # the same question again, with its buttons
    talk.press(buttons[0])
    talk.refuse(r"kies een van de knoppen", talk.last)
    talk.check_no_repeats()


def test_a_father_is_acknowledged_at_his_first_message_and_the_person_request_is_answered_honestly(stack):
    talk = Talk(stack, "father-first")
    first = talk.say("Ik ben zijn vader. Mijn zoon Daan is 17 en zit thuis sinds hij met school stopte.")
    talk.expect(r"meedenkt met je zoon", first)
    talk.press("Ja, graag")
    talk.refuse(r"fijn dat je meedenkt", talk.last)  # acknowledged once, not twice
    talk.expect(r"jou noemen", talk.last)
    talk.check_no_repeats()


def test_wanting_a_person_gets_the_truth_before_the_first_question(stack):
    talk = Talk(stack, "person-plain")
    answer = talk.say("ik wil gwoon met een mens praten")
    talk.expect(r"geen mens", answer)
    talk.expect(r"uiterlijk", answer)
    talk.expect(r"hoe oud", answer)
    talk.check_no_repeats()
