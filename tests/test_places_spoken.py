"""Places as people type them (issue 23 item 7): parts of town, chat filler, everyday names, typos.

Pure functions over the CBS data in content/regions/ (bot/routing/regions.py) and the intake's location
decision (bot/intake/decisions.py); no Rasa.
"""
import pytest

from bot.intake import decisions as intake
from bot.routing.regions import find_places, load_aliases, load_gazetteer, place_key


def only(text):
    match = find_places(text)
    assert match.unique is not None, f"{text!r}: {match}"
    return match.unique


@pytest.mark.parametrize("text, gemeente", [
    ("rotterdam zuid", "Rotterdam"),
    ("Rotterdam-Zuid", "Rotterdam"),
    ("eindhoven woensel", "Eindhoven"),
    ("amsterdam noord", "Amsterdam"),
    ("ik woon in amsterdam nieuw west", "Amsterdam"),
    ("in groningen stad", "Groningen"),
    ("stad groningen", "Groningen"),
    ("middelburg zei ik toch al", "Middelburg (Z.)"),
    ("ik woon in tilburg hoor", "Tilburg"),
    ("uh ik kom uit haarlem centrum", "Haarlem"),
    ("woensel eindhoven", "Eindhoven"),
    ("Rotterdam Hoogvliet", "Rotterdam"),
])
def test_a_place_with_a_part_of_town_or_chat_filler_is_that_place(text, gemeente):
    assert only(text).gemeente_name == gemeente


@pytest.mark.parametrize("text, gemeente, shown", [
    ("den bosch", "'s-Hertogenbosch", "Den Bosch"),
    ("Den Haag", "'s-Gravenhage", "Den Haag"),
    ("a'dam", "Amsterdam", "Amsterdam"),
    ("r'dam", "Rotterdam", "Rotterdam"),
    ("dordt", "Dordrecht", "Dordrecht"),
    ("hoogvliet", "Rotterdam", "Hoogvliet Rotterdam"),
    ("den haag scheveningen", "'s-Gravenhage", "Den Haag"),
])
def test_everyday_names_from_the_alias_table(text, gemeente, shown):
    place = only(text)
    assert (place.gemeente_name, place.woonplaats) == (gemeente, shown)


def test_the_alias_table_is_data_and_every_alias_names_a_cbs_place():
    aliases = load_aliases()
    assert aliases[place_key("den bosch")] == ("'s-Hertogenbosch", "Den Bosch")
    names = load_gazetteer().names
    for alias, (target, _) in aliases.items():
        assert place_key(target) in names, f"alias {alias!r} points to {target!r}, which CBS does not list"
        assert alias not in names or alias == place_key(target), f"alias {alias!r} hides a real CBS place"


@pytest.mark.parametrize("typo, meant", [
    ("rotterdm", "Rotterdam"), ("eindhovn", "Eindhoven"), ("groningn", "Groningen"),
    ("Midelburg", "Middelburg"), ("utrect", "Utrecht"), ("zwole", "Zwolle"), ("rotterdma", "Rotterdam"),
    ("den bosh", "Den Bosch"), ("rotterdm zuid", "Rotterdam"), ("ik woon in eindhovn hoor", "Eindhoven"),
])
def test_a_typo_gives_a_suggestion_never_a_place(typo, meant):
    match = find_places(typo)
    assert not match.places and match.suggestions[0] == meant


@pytest.mark.parametrize("text", ["Goes", "Ede", "Epe", "Oss", "Ens", "Urk", "Best", "Echt", "Made", "Delft", "Zwolle"])
def test_a_real_place_is_never_corrected_into_another_one(text):
    match = find_places(text)
    assert match.places and not match.suggestions
    assert all(place_key(p.woonplaats or "") == place_key(text) for p in match.places)


@pytest.mark.parametrize("text", ["eed", "gos", "xyz", "ja", "nee", "ik weet het niet"])
def test_short_or_unknown_words_get_no_guess(text):
    assert find_places(text) == type(find_places(text))()


def test_two_different_places_in_one_answer_are_not_silently_one_of_them():
    assert not find_places("ede wageningen").places
    assert not find_places("rotterdam of utrecht").places


def test_an_ambiguous_name_with_a_part_of_town_still_asks_which_one():
    assert len(find_places("hengelo centrum").places) == 2


def test_the_location_question_asks_bedoel_je_with_the_display_name():
    result = intake.check_location("rotterdm")
    assert result.place is None and result.suggestion == "Rotterdam"
    assert result.error == "Bedoel je Rotterdam?"
    titles = dict(intake.suggestion_buttons(result.suggestion))
    assert titles == {"Ja, Rotterdam": "Rotterdam", "Nee, iets anders": intake.NOT_THIS_PLACE}
    # the "Ja" payload resolves; the "Nee" payload is no place and no typo
    assert intake.check_location(titles["Ja, Rotterdam"]).place["gemeente_name"] == "Rotterdam"
    declined = intake.check_location(intake.NOT_THIS_PLACE)
    assert declined.declined_suggestion and declined.suggestion is None and declined.place is None


def test_the_location_question_takes_a_place_with_a_part_of_town():
    assert intake.check_location("eindhoven woensel").place["region_code"] == "AM28"
    assert intake.check_location("rotterdam zuid").place["gemeente_name"] == "Rotterdam"
    assert intake.check_location("xyzzy").error == intake.LOCATION_NOT_FOUND


def test_the_location_question_shows_bedoel_je_with_buttons_and_counts_no_miss():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    from actions.actions import ValidateIntakeForm

    def tracker(text, events=()):
        return Tracker("t-place", {"requested_slot": "location"}, {"text": text, "intent": {"name": "inform"}},
                       list(events), False, None, {"name": "intake_form"}, "action_listen")

    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    result = form.validate_location("rotterdm", dispatcher, tracker("rotterdm"), {})
    assert result["location"] is None and "intake_misses" not in result
    message = dispatcher.messages[-1]
    assert message["text"] == "Bedoel je Rotterdam?"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == intake.suggestion_buttons("Rotterdam")
    result = form.validate_location("Rotterdam", dispatcher, tracker("Rotterdam"), {})
    assert result["place"]["gemeente_name"] == "Rotterdam"
    asked = [{"event": "user", "text": "rotterdm"}, {"event": "bot", "text": "Bedoel je Rotterdam?"},
             {"event": "user", "text": intake.NOT_THIS_PLACE}]
    result = form.validate_location(intake.NOT_THIS_PLACE, dispatcher, tracker(intake.NOT_THIS_PLACE, asked), {})
    assert result["location"] is None and "intake_misses" not in result
    # typed out of the blue, "iets anders" is just no place (a miss)
    result = form.validate_location("iets anders", dispatcher, tracker("iets anders"), {})
    assert result["intake_misses"] == {"location": 1} and dispatcher.messages[-1]["text"] == intake.LOCATION_NOT_FOUND
