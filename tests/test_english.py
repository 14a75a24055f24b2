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


def test_names_used_when_none_is_known():
    assert to_english("je adviseur") == "your counsellor" and to_english("de Gouden Poort") == "the Gouden Poort"


def test_unknown_text_stays_as_it_is():
    for text in ("Een zin die de tabel niet kent.", "Hello Sam", "", None, "regel een\nregel twee"):
        assert to_english(text) == text


# ---------------------------------------------------------------- new sentences made in Python (issue 23)

def _validate(slot, value, slots, language="en"):
    """Runs the real validator of the intake form; the bot's messages as to_english would show them."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.actions import ValidateIntakeForm

    tracker = Tracker("t-en", {**slots, "requested_slot": slot, "language": language},
                      {"text": value, "intent": {"name": "inform"}}, [], False, None,
                      {"name": "intake_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    getattr(ValidateIntakeForm(), f"validate_{slot}")(value, dispatcher, tracker, {})
    return dispatcher.messages


def test_did_you_mean_a_place_in_english():
    messages = _validate("location", "rotterdm", {})
    question = next(m for m in messages if m.get("buttons"))
    assert to_english(question["text"]) == "Do you mean Rotterdam?"
    titles = [to_english(b["title"]) for b in question["buttons"]]
    assert titles == ["Yes, Rotterdam", "No, another place"], titles
    # the payloads stay Dutch: the form reads them as a typed answer
    assert [b["payload"] for b in question["buttons"]] == [p for _, p in intake.suggestion_buttons("Rotterdam")]


def test_did_you_mean_an_email_address_in_english():
    messages = _validate("contact_value", "kees@gmial.com", {"contact_method": "email", "age_band": "18-20"})
    question = next(m for m in messages if m.get("buttons"))
    assert to_english(question["text"]) == "Do you mean kees@gmail.com?"
    assert [to_english(b["title"]) for b in question["buttons"]] == ["kees@gmail.com", "No, it is right as I typed it"]


@pytest.mark.parametrize("method", ["phone", "whatsapp", "email", "telegram"])
def test_other_ways_to_be_reached_in_english(method):
    titles = [to_english(title) for title, _ in intake.other_methods({"contact_method": method, "age_band": "18-20"})]
    assert titles[-1] == "Stop" and len(titles) == 4  # the three other ways, and stop
    assert all(t.endswith(" instead") for t in titles[:-1]) and not any(_still_dutch(t) for t in titles), titles
    guardian = intake.other_methods({"contact_method": "email", "age_band": "12-15", "minor_route": "guardian"})
    assert [to_english(title) for title, _ in guardian] == ["Stop"]


def _contact(**kw):
    from bot.content.packs import OrganisationContact

    return OrganisationContact(organisation=kw.pop("organisation", "TechniekTalent Rijnmond"), **kw)


CONTACTS = [
    dict(phone="010 1234567", hours="maandag tot en met vrijdag, 9.00 tot 17.00 uur", email="info@r.example.org",
         website="https://r.example.org/"),
    dict(phone="010 1234567", email="info@r.example.org", website="https://r.example.org/"),
    dict(phone="010 1234567", hours="maandag tot en met vrijdag, 9.00 tot 17.00 uur", email="info@r.example.org"),
    dict(phone="010 1234567", hours="maandag tot en met vrijdag, 9.00 tot 17.00 uur", website="https://r.example.org/"),
    dict(phone="010 1234567", email="info@r.example.org"),
    dict(phone="010 1234567", website="https://r.example.org/"),
    dict(email="info@r.example.org", website="https://r.example.org/"),
    dict(phone="010 1234567", hours="maandag tot en met vrijdag, 9.00 tot 17.00 uur"),
    dict(phone="010 1234567"),
    dict(email="info@r.example.org"),
    dict(website="https://r.example.org/"),
]


@pytest.mark.parametrize("fields", CONTACTS, ids=lambda f: "+".join(sorted(f)))
def test_contact_ways_in_english(fields):
    from bot.conversation.reach_person import contact_ways

    english = to_english(contact_ways(_contact(**fields)))
    assert not _still_dutch(english) and " of " not in english and "bel " not in english, english
    for value in fields.values():
        assert value in english or value.startswith("maandag"), (value, english)
    if "hours" in fields:
        assert "(Monday to Friday, 9.00 to 17.00)" in english
    assert english.split(" ", 1)[0] in ("call", "e-mail", "look")


def test_the_honest_answer_values_in_english():
    """reach_person.promise_values: the organisation, the weekday and date, and the ways to call, as
    the English variations of utter_no_live_person and utter_reach_organisation get them."""
    from bot.content.packs import organisation_contact
    from bot.conversation.english import to_english_values
    from bot.conversation.reach_person import promise_values

    now = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    values = to_english_values(promise_values(now, 2, organisation_contact("AM24")))
    assert values["deadline"] == "Tuesday 1 December" and values["workdays"] == 2
    assert values["organisation"] == "TechniekTalent Zeeland"
    assert values["contact_ways"] == ("e-mail info@zeeland.example.org or look at https://zeeland.example.org/")
    national = to_english_values(promise_values(now, 2, organisation_contact(None)))
    assert national["organisation"] == "the Gouden Poort"


@pytest.mark.parametrize("method", ["phone", "email", "telegram", None])
def test_after_the_hand_off_values_in_english(method):
    from types import SimpleNamespace

    from bot.conversation.english import to_english_values
    from bot.handoff.after_handoff import followup_values

    lead = SimpleNamespace(counsellor_name="Sanne de Vries", organisation=None, contact_method=method, id="GP-7K3M9Q",
                           created_at=datetime(2026, 11, 27, 10, tzinfo=timezone.utc))
    values = to_english_values(followup_values(lead, datetime(2026, 11, 28, tzinfo=timezone.utc), 2))
    assert values["counsellor"] == "Sanne" and values["organisation"] == "the Gouden Poort"
    assert values["deadline"] == "Tuesday 1 December" and values["how"].startswith("will ")
    assert not _still_dutch(values["how"]) and values["reference"] == "GP-7K3M9Q", values


def test_salary_figures_in_english():
    from bot.conversation import salary
    from bot.conversation.english import to_english_values

    dutch = salary.values()
    english = to_english_values(dutch)
    assert english.keys() == dutch.keys()
    spans = [k for k, v in dutch.items() if " tot " in v]
    assert spans and all(" to " in english[k] and " tot " not in english[k] for k in spans)


def test_a_person_now_in_english_is_in_a_hurry():
    """"can I talk to a real person now?" gets the honest answer (no one live in the chat), as in Dutch."""
    from bot.conversation.reach_person import asks_for_person, asks_for_today, wants_now

    for text in ("can I talk to a real person now?", "is anyone online?", "I need someone immediately"):
        assert wants_now(text), text
    assert asks_for_person("can I talk to a real person now?")
    assert asks_for_today("can I talk to someone today?") and not asks_for_today("can I talk to a real person now?")
    assert not wants_now("I would like a counsellor to contact me")
