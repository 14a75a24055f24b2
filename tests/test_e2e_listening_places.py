"""A bot that listens (issue 23), items 7, 9 and 12, over the real stack: places as people type them at
the intake's location question, "Bedoel je ...?" for a place or e-mail typo (pressed as a person would),
the guardian's address on the under-16 route, and events that are never a dead end. Every scenario
ends with the repeat detector, and no bot text ever shows a placeholder label such as "(voorbeeld)"."""
from __future__ import annotations

import pytest

from tests.listening import Talk

pytestmark = [pytest.mark.e2e, pytest.mark.listening]


def finish(talk: Talk) -> None:
    """What every scenario checks at its end."""
    assert "voorbeeld)" not in talk.transcript().lower(), talk.transcript()
    talk.check_no_repeats()


def to_location(talk: Talk, age="17", name="sam", situation="Ik ben gestopt met school",
                interests="Elektrotechniek") -> None:
    talk.say("/request_human")
    talk.expect("hoe oud ben je")
    talk.say(age)
    talk.say(name)
    talk.expect("wat doe je nu")
    talk.say(situation)
    talk.say(interests)
    talk.expect("postcode")


def to_email(talk: Talk, place="3012") -> None:
    to_location(talk)
    talk.say(place)
    talk.expect("contact")
    talk.say("E-mail")
    talk.expect("e-mailadres")


# --- item 7: places as people say them --------------------------------------------------------------

@pytest.mark.parametrize("typed, gemeente, region", [
    ("rotterdam zuid", "Rotterdam", "AM22"),
    ("ik woon in eindhoven woensel hoor", "Eindhoven", "AM28"),
    ("middelburg zei ik toch al", "Middelburg (Z.)", "AM24"),
    ("den bosch", "'s-Hertogenbosch", "AM27"),
])
def test_a_place_with_a_part_of_town_or_chat_filler_is_taken_at_the_intake(stack, typed, gemeente, region):
    talk = Talk(stack, "places-spoken")
    to_location(talk)
    talk.say(typed)
    talk.refuse("kan ik niet vinden|ken ik niet|Bedoel je")
    talk.expect("contact")  # the next question: how the counsellor may reach you
    place = talk.slot("place")
    assert place["gemeente_name"] == gemeente and place["region_code"] == region
    finish(talk)


def test_a_typo_gets_bedoel_je_and_the_button_resolves_the_place(stack):
    talk = Talk(stack, "places-typo")
    to_location(talk)
    talk.say("rotterdm")
    talk.expect(r"Bedoel je Rotterdam\?")
    assert set(talk.buttons()) == {"Ja, Rotterdam", "Nee, iets anders"}
    assert talk.slot("intake_misses") in (None, {})  # a typo is no failed try
    talk.press("Ja, Rotterdam")
    talk.expect("contact")
    assert talk.slot("place")["gemeente_name"] == "Rotterdam"
    finish(talk)


def test_no_to_bedoel_je_asks_the_place_once_more_without_a_miss(stack):
    talk = Talk(stack, "places-typo-no")
    to_location(talk)
    talk.say("ik woon in groningn")
    talk.expect(r"Bedoel je Groningen\?")
    talk.press("Nee, iets anders")
    talk.expect("verkeerd begrepen")
    talk.expect("postcode")
    talk.refuse("kan ik niet vinden")
    talk.say("9711")
    talk.expect("contact")
    assert talk.slot("place")["region_code"] == "AM01"
    finish(talk)


# --- item 9: e-mail typos, for the young person and for the guardian ---------------------------------

def test_an_email_typo_is_corrected_with_the_button_before_anything_is_stored(stack):
    talk = Talk(stack, "mail-typo")
    to_email(talk)
    talk.say("sam.devries@gmial.com")
    talk.expect(r"Bedoel je sam\.devries@gmail\.com\?")
    assert talk.slot("contact_value") is None  # nothing stored yet
    talk.press("sam.devries@gmail.com")
    talk.expect("wanneer")
    assert talk.slot("contact_value") == "sam.devries@gmail.com" and talk.slot("email_suggestion") is None
    preview = talk.say("middag")
    assert "sam.devries@gmail.com" in preview and "gmial" not in preview
    finish(talk)


def test_an_address_kept_as_typed_is_not_asked_again(stack):
    talk = Talk(stack, "mail-keep")
    to_email(talk)
    talk.say("sam@hotmial.nl")
    talk.expect(r"Bedoel je sam@hotmail\.nl\?")
    talk.press("Nee, het klopt zo")
    talk.refuse("Bedoel je")
    talk.expect("wanneer")
    assert talk.slot("contact_value") == "sam@hotmial.nl"
    finish(talk)


def test_a_guardians_address_typo_on_the_under_16_route(stack):
    talk = Talk(stack, "mail-guardian")
    talk.say("/request_human")
    talk.say("14")
    talk.expect("jonger dan 16")
    talk.expect("noemen", talk.say("Mijn ouder of verzorger regelt het"))
    talk.say("Tim")
    talk.say("heerlen centrum")
    talk.expect("e-mailadres van je ouder")
    talk.say("ouder.jansen@gmail.con")
    talk.expect(r"Bedoel je ouder\.jansen@gmail\.com\?")
    preview = talk.press("ouder.jansen@gmail.com")
    assert "ouder.jansen@gmail.com" in preview and "gmail.con" not in preview
    assert talk.slot("contact_value") == "ouder.jansen@gmail.com"
    finish(talk)


# --- item 12: events are never a dead end --------------------------------------------------------------

@pytest.mark.parametrize("place", ["Eindhoven", "enschede centrum"])
def test_no_events_nearby_gives_the_nearest_further_away_and_a_next_step(stack, place):
    talk = Talk(stack, "events-far")
    talk.say("wanneer zijn er open dagen bij mij in de buurt")
    talk.expect("postcode of woonplaats")
    answer = talk.say(place)
    talk.expect(r"binnen 50 km")
    talk.expect(r"\(\d+ km\)")  # the nearest further away, with their distance
    talk.refuse(r"ik ken nu geen open dagen")
    assert {"Praat met een adviseur", "Ontdek wat bij je past"} <= set(talk.buttons()), answer
    resolved = talk.slot("events_place_resolved")
    assert resolved and resolved["gemeente_name"] == place.split()[0].capitalize()
    finish(talk)


def test_an_events_place_typo_gets_bedoel_je_and_the_button_finds_the_events(stack):
    talk = Talk(stack, "events-typo")
    talk.say("zijn er open dagen?")
    talk.expect("postcode of woonplaats")
    talk.say("groningn")
    talk.expect(r"Bedoel je Groningen\?")
    talk.press("Ja, Groningen")
    talk.expect(r"agenda van Techniekpunt Groningen.*https://groningen")
    assert {"Praat met een adviseur", "Ontdek wat bij je past"} <= set(talk.buttons())
    assert talk.slot("events_place_resolved")["region_code"] == "AM01"
    finish(talk)


def test_events_near_middelburg_never_show_a_placeholder_label(stack):
    talk = Talk(stack, "events-near")
    talk.say("open dag techniek in middelburg?")
    if "postcode of woonplaats" in talk.last.lower():  # the NLU did not take the place from the question
        talk.say("middelburg zei ik toch al")
    talk.expect(r"Middelburg")
    talk.expect(r"Meer info: https://")
    finish(talk)
