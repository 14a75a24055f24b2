"""Common e-mail domain typos (issue 23 item 9): "Bedoel je kees@gmail.com?" before anything is stored.

bot/intake/email_typos.py is plain string rules; these tests need no Rasa.
"""
import pytest

from bot.intake.email_typos import KEEP_AS_TYPED, answer_to_suggestion, pending_suggestion, suggest_email
from bot.intake.phone import normalise_email


@pytest.mark.parametrize("typed, meant", [
    ("kees@gmial.com", "kees@gmail.com"),
    ("kees@gmai.com", "kees@gmail.com"),
    ("kees@gnail.com", "kees@gmail.com"),
    ("kees@gamil.com", "kees@gmail.com"),
    ("kees@gmaik.com", "kees@gmail.com"),
    ("kees@gmail.con", "kees@gmail.com"),
    ("kees@gmail.cm", "kees@gmail.com"),
    ("kees@gmail.nl", "kees@gmail.com"),
    ("kees@gmailcom", "kees@gmail.com"),
    ("kees@gmail", "kees@gmail.com"),
    ("kees@gmail,com", "kees@gmail.com"),
    ("sam@hotmal.com", "sam@hotmail.com"),
    ("sam@hotmial.nl", "sam@hotmail.nl"),
    ("sam@hotmail.nll", "sam@hotmail.nl"),
    ("sam@hotmail.con", "sam@hotmail.com"),
    ("sam@outlok.com", "sam@outlook.com"),
    ("sam@outloo.com", "sam@outlook.com"),
    ("sam@yaho.com", "sam@yahoo.com"),
    ("ouder@live.nll", "ouder@live.nl"),
    ("ouder@live.nk", "ouder@live.nl"),
    ("ouder@zigo.nl", "ouder@ziggo.nl"),
    ("ouder@ziggo.nk", "ouder@ziggo.nl"),
    ("ouder@ziggo.com", "ouder@ziggo.nl"),
    ("ouder@kpnmial.nl", "ouder@kpnmail.nl"),
    ("ouder@iclod.com", "ouder@icloud.com"),
    ("leerling@davinci.nll", "leerling@davinci.nl"),
    ("K.Jansen@Gmial.com", "K.Jansen@gmail.com"),
    ("mijn mail is kees@gmial.com", "kees@gmail.com"),
])
def test_a_common_typo_gets_the_address_that_was_meant(typed, meant):
    assert suggest_email(typed) == meant
    assert normalise_email(meant) is not None


@pytest.mark.parametrize("address", [
    "kees@gmail.com", "sam@hotmail.com", "sam@hotmail.nl", "sam@hotmail.be", "ouder@live.nl", "ouder@live.com",
    "sam@outlook.com", "sam@icloud.com", "sam@me.com", "sam@yahoo.com", "ouder@ziggo.nl", "ouder@kpnmail.nl",
    "ouder@kpnplanet.nl", "ouder@planet.nl", "ouder@home.nl", "ouder@xs4all.nl", "ouder@hetnet.nl",
    "ouder@upcmail.nl", "sam@proton.me", "sam@gmx.net", "sam@web.de", "sam@email.nl", "sam@mail.com",
    "s.jansen@student.rocmondriaan.nl", "123456@leerling.davinci.nl", "j.devries@school.nl",
    "info@bedrijf.example.org",
])
def test_a_valid_address_is_left_alone(address):
    assert suggest_email(address) is None


@pytest.mark.parametrize("address", ["sam@outlook.nl", "sam@yahoo.nl", "sam@hotmail.fr", "geen mail", "", "06 12345678",
                                     "a@b@c.nl"])
def test_when_not_sure_there_is_no_suggestion(address):
    assert suggest_email(address) is None


def test_the_answer_to_bedoel_je():
    pending = pending_suggestion("kees@gmial.com", "kees@gmail.com")
    for yes in ("ja", "Ja, klopt", "klopt", "kees@gmail.com", "KEES@gmail.com"):
        assert answer_to_suggestion(yes, pending) == "kees@gmail.com", yes
    for keep in (KEEP_AS_TYPED, "nee het klopt zo", "nee", "kees@gmial.com"):
        assert answer_to_suggestion(keep, pending) == "kees@gmial.com", keep
    # a new address is checked again as usual; without an open question nothing is chosen
    assert answer_to_suggestion("piet@hotmail.nl", pending) is None
    assert answer_to_suggestion("ja", None) is None


# --- the intake's e-mail question (actions/actions.py validate_contact_value), without a Rasa server

def _tracker(slots, text):
    from rasa_sdk import Tracker
    return Tracker("t-mail", {**slots, "requested_slot": "contact_value"}, {"text": text, "intent": {"name": "inform"}},
                   [], False, None, {"name": "intake_form"}, "action_listen")


@pytest.mark.parametrize("route", [
    {"age_band": "18-22", "contact_method": "email"},
    {"age_band": "12-15", "minor_route": "guardian"},  # the guardian's address: also e-mail, also contact_value
])
def test_the_intake_asks_bedoel_je_before_storing_and_takes_the_button(route):
    from rasa_sdk.executor import CollectingDispatcher
    from actions.actions import ValidateIntakeForm

    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    first = form.validate_contact_value("kees@gmial.com", dispatcher, _tracker(route, "kees@gmial.com"), {})
    assert first["contact_value"] is None and "intake_misses" not in first
    assert dispatcher.messages[-1]["text"] == "Bedoel je kees@gmail.com?"
    buttons = {b["title"]: b["payload"] for b in dispatcher.messages[-1]["buttons"]}
    assert buttons == {"kees@gmail.com": "kees@gmail.com", "Nee, het klopt zo": KEEP_AS_TYPED}
    pending = {**route, "email_suggestion": first["email_suggestion"]}
    taken = form.validate_contact_value("kees@gmail.com", dispatcher, _tracker(pending, "kees@gmail.com"), {})
    assert taken["contact_value"] == "kees@gmail.com" and taken["email_suggestion"] is None
    kept = form.validate_contact_value(KEEP_AS_TYPED, dispatcher, _tracker(pending, KEEP_AS_TYPED), {})
    assert kept["contact_value"] == "kees@gmial.com" and kept["email_suggestion"] is None


def test_a_valid_address_is_stored_without_a_question():
    from rasa_sdk.executor import CollectingDispatcher
    from actions.actions import ValidateIntakeForm

    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    slots = {"age_band": "18-22", "contact_method": "email"}
    result = form.validate_contact_value("ouder@ziggo.nl", dispatcher, _tracker(slots, "ouder@ziggo.nl"), {})
    assert result == {"contact_value": "ouder@ziggo.nl"} and dispatcher.messages == []
