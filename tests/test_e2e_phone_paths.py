"""Issue 26 items 5, 6 and 7 over the real stack: "hoi" halfway says where we were, the under-16 info
ends with the website as a link and buttons, and "Stuur mij dit" after the hand-off sends the
reference and the promise once to the e-mail address the person gave (the local mailbox), or says
honestly that it cannot when they chose to be called."""
from __future__ import annotations

import mailbox
import re
import time
import zlib
from email import policy
from email.parser import BytesParser

import pytest

from bot.store.db import new_session
from bot.store.handoff_models import OutboxMessage
from tests.listening import Talk
from tests.test_e2e_context_codes import through_the_intake

pytestmark = [pytest.mark.e2e, pytest.mark.listening]


def mails_to(stack, address: str, timeout: float = 60.0) -> list:
    """The mails the local mailbox got for ``address`` (poll the Maildir)."""
    box = stack.settings.var_dir / "mail"
    deadline = time.monotonic() + timeout
    found: list = []
    while time.monotonic() < deadline:
        if (box / "new").exists():
            found = []
            for _, message in mailbox.Maildir(str(box), create=False).items():
                parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
                if address in str(parsed["To"]):
                    found.append((str(parsed["Subject"]), parsed.get_body(("plain",)).get_content()))
            if found:
                return found
        time.sleep(0.2)
    return found


def test_hoi_halfway_the_intake_names_the_open_question_not_the_whole_welcome(stack):
    talk = Talk(stack, "hoi-form")
    welcome = talk.say("/greet")
    talk.expect(r"AI-chatbot", welcome)
    talk.say("/request_human")
    talk.say("19")
    asked = talk.last
    answer = talk.say("hoi")
    talk.expect(r"^Hoi! We waren bij de vraag", answer)
    talk.refuse(r"AI-chatbot|Waar wil je mee beginnen", answer)
    talk.refuse(r"niet goed als naam", answer)  # "hoi" is no name: not taken, no error
    # the question comes back in one short line, and then the name is taken as usual
    assert talk.slot("first_name") is None and answer.split("\n")[-1] != asked
    talk.say("Sam")
    assert talk.slot("first_name") == "Sam"
    talk.check_no_repeats()


def test_hoi_after_a_few_questions_says_what_we_talked_about(stack):
    talk = Talk(stack, "hoi-topic")
    replies = [talk.say(m) for m in ("/greet", "welk werk is er in de techniek?", "hoeveel verdien je als monteur?", "hoi")]
    talk.expect(r"AI-chatbot", replies[0])  # the first greeting: the whole welcome
    talk.expect(r"^Hoi! We waren bij wat je kunt verdienen", replies[-1])
    talk.refuse(r"AI-chatbot", replies[-1])
    assert "Praat met een adviseur" in talk.buttons()
    talk.check_no_repeats()


def test_hoi_in_ontdek_wat_bij_je_past_keeps_the_quiz_going(stack):
    talk = Talk(stack, "hoi-explore")
    talk.say("/explore_options")
    quiz = set(talk.buttons())
    answer = talk.say("hallo")
    talk.expect(r"^Hoi! We waren bij 'Ontdek wat bij je past'", answer)
    assert set(talk.buttons()) == quiz and talk.slot("requested_slot") == "explore_style", talk.transcript()
    talk.check_no_repeats()


def test_under_16_info_ends_with_a_link_and_buttons(stack):
    talk = Talk(stack, "minor-info")
    talk.say("/request_human")
    talk.say("14")
    talk.press("Info en events bekijken")
    talk.expect(r"https://\S+")
    talk.refuse(r"op de website van de Gouden Poort")
    assert {"Welk werk is er?", "Open dagen"} <= set(talk.buttons()), talk.transcript()
    talk.check_no_repeats()


def test_stuur_mij_dit_mails_the_reference_once_to_the_address_given(stack):
    talk = Talk(stack, "keep-ref")
    address = f"ref{zlib.crc32(talk.sender.encode()) % 10**7:07d}@ziggo.nl"
    talk.say("/request_human")
    through_the_intake(talk, "E-mail", address)
    talk.press("Ja, versturen")
    reference = talk.slot("lead_id")
    assert reference and reference in talk.last, talk.transcript()
    assert "Stuur mij dit" in talk.buttons(), talk.transcript()
    sent = talk.press("Stuur mij dit")
    talk.expect(r"Gedaan!.*" + reference, sent)
    talk.expect(re.escape(address[0]) + r"…@ziggo\.nl", sent)
    [(subject, body)] = mails_to(stack, address)
    assert reference in subject
    assert reference in body and "stuurt je een e-mail" in body and "uiterlijk" in body
    again = talk.say("/send_reference")
    talk.expect(r"al gestuurd", again)
    with new_session(stack.settings.database_url) as session:  # one row per lead: no second mail to wait for
        rows = session.query(OutboxMessage).filter_by(lead_id=reference, kind="reference").all()
    assert [(r.channel, r.recipient) for r in rows] == [("email", address)]
    talk.check_no_repeats()


def test_stuur_mij_dit_after_choosing_a_call_says_write_it_down(stack):
    talk = Talk(stack, "keep-ref-phone")
    talk.say("/request_human")
    through_the_intake(talk, "Bellen", f"06 5{zlib.crc32(talk.sender.encode()) % 10**7:07d}")
    talk.press("Ja, versturen")
    reference = talk.slot("lead_id")
    answer = talk.press("Stuur mij dit")
    talk.expect(r"Schrijf je referentie op: " + reference, answer)
    assert talk.buttons(), talk.transcript()
    talk.check_no_repeats()
