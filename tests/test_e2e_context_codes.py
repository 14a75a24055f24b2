"""Issue 24 over the real stack: each context code from a conversation that raises it, through the
preview that shows it, to the mail the counsellor gets (the local mailbox) and the lead page.

Topics, doubts (with a foreign diploma), what they ask for (WhatsApp, an open day), language (NT2),
who asks (a parent) and urgency; the person's own words reach neither the mail nor the page.
"""
from __future__ import annotations

import mailbox
import time
import zlib
from email import policy
from email.parser import BytesParser

import pytest

from bot.channels.workspace_web import render
from bot.handoff.render import contact_href, person_fields
from bot.store.models import utcnow
from bot.workspace.inbox import lead_page
from bot.workspace.users import user_by_id
from bot.store.db import new_session
from bot.store.models import Lead
from tests.listening import Talk

pytestmark = [pytest.mark.e2e]

ANSWERS = {"age_band": "19", "first_name": "Sam", "situation": "Ik werk", "interests": "ict",
           "location": "4331", "contact_time": "avond"}


def number_of(talk: Talk) -> str:
    return f"06 4{zlib.crc32(talk.sender.encode()) % 10**7:07d}"


def through_the_intake(talk: Talk, method: str, value: str = "") -> str:
    """Answers the form's questions in whatever order it asks them, up to the preview. ``value``: the
    contact to give (default: this conversation's own phone number)."""
    for _ in range(14):
        if "Dit sturen we naar" in talk.last:
            return talk.last
        wanted = talk.slot("requested_slot")
        if wanted == "contact_method":
            talk.press(method)
        elif wanted == "contact_value":
            talk.say(value or number_of(talk))
        elif wanted in ANSWERS:
            talk.say(ANSWERS[wanted])
        else:
            raise AssertionError(f"unexpected question {wanted!r}\n{talk.transcript()}")
    raise AssertionError("no preview\n" + talk.transcript())


def mail_for(stack, lead_id: str, timeout: float = 60.0) -> str:
    """The hand-off mail as the counsellor's mailbox got it (poll the local Maildir)."""
    box = stack.settings.var_dir / "mail"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (box / "new").exists():
            for key, message in mailbox.Maildir(str(box), create=False).items():
                parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
                if lead_id in str(parsed["Subject"]):
                    return parsed.get_body(("plain",)).get_content()
        time.sleep(0.2)
    raise AssertionError(f"no mail for {lead_id} within {timeout} s")


def the_lead_page(stack, lead_id: str) -> str:
    with new_session(stack.settings.database_url) as session:
        counsellor_id = session.get(Lead, lead_id).counsellor_id
    user = user_by_id(counsellor_id)
    page = lead_page(stack.settings.database_url, user, lead_id, utcnow(), {})
    return render("lead.html", user=user, csrf="x", page=page, lead=page.lead, s=page.summary, message=None,
                  error=None, colleagues=[], labels={}, p=person_fields(page.summary),
                  tel=contact_href("telefoon", page.summary["contact"]["value"])).text


def send(talk: Talk) -> str:
    talk.press("Ja, versturen")
    lead_id = talk.slot("lead_id")
    assert lead_id, talk.transcript()
    return lead_id


def test_topics_doubts_foreign_diploma_nt2_whatsapp_and_open_day_reach_preview_mail_and_page(stack):
    talk = Talk(stack, "context-self")
    talk.say('/ask_salary')
    talk.say('/ask_training{"topic": "bbl"}')
    talk.say("telt mijn diploma uit syrie hier wel?")
    talk.say('/doubt_fit{"topic": "language"}')
    talk.say('/ask_events')
    talk.say("/request_human")
    preview = through_the_intake(talk, "WhatsApp")
    lines = preview.split("\n")
    for line in ("- Je vroeg naar: salaris, BBL (leren en werken), open dagen en meeloopdagen",
                 "- Taal: de adviseur praat eenvoudig Nederlands met je"):
        assert line in lines, talk.transcript()
    assert any(l.startswith("- Je twijfelde over: ") and "een diploma uit het buitenland" in l
               and "de Nederlandse taal" in l for l in lines), talk.transcript()
    assert any(l.startswith("- Je wilt: een WhatsApp-bericht") and "naar een open dag of meeloopdag" in l
               for l in lines), talk.transcript()
    assert any(l.startswith("- Contact: WhatsApp op 06") for l in lines), talk.transcript()
    lead_id = send(talk)
    talk.expect(r"stuurt je een WhatsApp-bericht")
    mail = mail_for(stack, lead_id)
    page = the_lead_page(stack, lead_id)
    for out in (mail, page):
        assert "diploma uit het buitenland" in out and "de Nederlandse taal" in out
        assert "salaris" in out and "BBL (leren en werken)" in out
        assert "een WhatsApp-bericht" in out and "een open dag of meeloopdag bezoeken" in out
        assert "NT2" in out
        assert "syrie" not in out.lower() and "hier wel" not in out
    assert "Waarom contact: Vroeg naar salaris" in mail and "Via: WhatsApp" in mail
    assert 'href="https://wa.me/31' in page and 'href="tel:+31' in page


def test_a_parent_in_a_hurry_reaches_preview_mail_and_page(stack):
    talk = Talk(stack, "context-parent")
    talk.say("ik vraag dit voor mijn zoon, hij is 19")
    talk.say("ik wil nu meteen een mens spreken")
    if talk.slot("requested_slot") is None:
        talk.say("/request_human")
    preview = through_the_intake(talk, "Bellen")
    lines = preview.split("\n")
    assert "- Wie vraagt: jij, als ouder of verzorger" in lines, talk.transcript()
    assert "- Snel: je wilt zo snel mogelijk iemand spreken" in lines, talk.transcript()
    assert any(l.startswith("- Je wilt: teruggebeld worden") for l in lines), talk.transcript()
    lead_id = send(talk)
    talk.expect(r"belt je")
    mail = mail_for(stack, lead_id)
    page = the_lead_page(stack, lead_id)
    for out in (mail, page):
        assert "een ouder of verzorger, voor de jongere" in out
        assert "wil zo snel mogelijk een mens spreken" in out
        assert "terugbellen" in out
        assert "mijn zoon" not in out and "nu meteen" not in out
    assert "Vraagt om: terugbellen" in mail and 'href="tel:+31' in page
