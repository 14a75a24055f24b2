"""Issue 24: the context of the conversation as codes the preview shows, and the hand-off made of them.

Each code comes from a conversation (events as Rasa's tracker keeps them), is a line in the preview
the person agrees to, and reaches the summary (v2), the mail and the export; the person's own words
never do.
"""
import json
from datetime import datetime, timezone

import jsonschema
import pytest

from bot.handoff.context import context_codes, conversation_context, preview_lines, reason_text
from bot.handoff.render import render_email, render_telegram
from bot.handoff.summary import build_summary, load_schema, validate_stored
from bot.intake import decisions as intake
from bot.intake import validation
from bot.store.models import Lead
from tests.handoff_support import COUNSELLOR

NOW = datetime(2026, 11, 27, 15, tzinfo=timezone.utc)


def user(intent, text, topic=None):
    entities = [{"entity": "topic", "value": topic}] if topic else []
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": entities}}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def in_form(slot_name, intent, text, topic=None):
    """A question typed at a form's question: the validator answers it and sets the slot back to None."""
    return [slot("requested_slot", slot_name), {"event": "action", "name": "action_listen"},
            user(intent, text, topic), slot(slot_name, text), {"event": "action", "name": "intake_form"},
            slot(slot_name, None), slot("requested_slot", slot_name)]


START = [{"event": "active_loop", "name": None}]
FORM = [{"event": "active_loop", "name": "intake_form"}]

# (what the conversation said, the code, where it shows in the preview)
CASES = [
    ("topics", [user("ask_salary", "wat verdien je"), user("ask_training", "wat is bbl", "bbl")],
     {}, ["salary", "bbl"], "- Je vroeg naar: salaris, BBL (leren en werken)"),
    ("doubts", [user("doubt_fit", "ik ben slecht in wiskunde", "maths"), user("doubt_fit", "is het niet te zwaar", "physical"),
                user("doubt_fit", "is techniek wel iets voor meisjes", "gender")],
     {}, ["maths", "heavy_work", "girls_in_tech"], "- Je twijfelde over: wiskunde en rekenen, zwaar werk, of techniek past bij meisjes"),
    ("doubts", [user("doubt_fit", "telt mijn diploma uit syrie", "diploma")],
     {}, ["foreign_diploma"], "- Je twijfelde over: een diploma uit het buitenland"),
    ("asks_for", [user("ask_events", "wanneer is er een open dag"), user("request_human", "kan ik een afspraak maken")],
     {"contact_method": "whatsapp"}, ["whatsapp", "appointment", "open_day"],
     "- Je wilt: een WhatsApp-bericht, een afspraak, naar een open dag of meeloopdag"),
    ("asks_for", [user("request_human", "ik wil eerst alleen informatie")], {"contact_method": "phone"},
     ["callback", "info_only"], "- Je wilt: teruggebeld worden, eerst alleen informatie"),
    ("asker", [], {"asker_role": "parent"}, "parent", "- Wie vraagt: jij, als ouder of verzorger"),
    ("asker", [], {"asker_role": "teacher"}, "teacher", "- Wie vraagt: jij, als docent of mentor"),
    ("language_needs", [user("doubt_fit", "mijn nederlands is niet zo goed", "language")], {}, ["nt2"],
     "- Taal: de adviseur praat eenvoudig Nederlands met je"),
    ("language_needs", [slot("language", "en")], {}, ["en"], "- Taal: de adviseur praat eenvoudig Engels met je"),
    ("urgent", [], {"intake_quick": True}, True, "- Snel: je wilt zo snel mogelijk iemand spreken"),
    ("explored_jobs", [slot("explore_interests", "Elektromonteur, Installatiemonteur")], {},
     ["Elektromonteur", "Installatiemonteur"], "- Uit 'Ontdek wat bij je past': Elektromonteur, Installatiemonteur"),
]


@pytest.mark.parametrize("kind, events, slots, code, line", CASES)
def test_each_code_comes_from_the_conversation_and_is_a_preview_line(kind, events, slots, code, line):
    codes = context_codes(START + events, slots)
    assert codes[kind] == code
    assert line in preview_lines(codes)


def test_nothing_said_gives_no_line_and_the_person_themself():
    codes = context_codes([])
    assert preview_lines(codes) == [] and codes["asker"] == "self"
    assert reason_text(codes) == "Wil contact over leren en werken in de techniek."


def test_questions_asked_inside_the_form_count_as_topics_but_answers_do_not():
    events = FORM + in_form("interests", "ask_salary", "wat verdien je als lasser?") \
        + in_form("location", "doubt_fit", "ben ik niet te oud?", "age") \
        + [slot("requested_slot", "first_name"), user("ask_jobs", "ict"), slot("first_name", "ict"),
           slot("first_name", "Ict"), slot("requested_slot", "situation")]
    codes = context_codes(events)
    assert codes["topics"] == ["salary"] and codes["doubts"] == ["age"]


def test_the_guardian_route_carries_only_who_asks_language_and_explored_jobs():
    events = START + [user("doubt_fit", "ik ben slecht in wiskunde", "maths"), slot("explore_interests", "Automonteur")]
    codes = context_codes(events, {"asker_role": "parent", "intake_quick": True, "contact_method": "email"}, guardian=True)
    assert codes["doubts"] == [] and codes["urgent"] is False and codes["asks_for"] == []
    assert preview_lines(codes) == ["- Wie vraagt: jij, als ouder of verzorger", "- Uit 'Ontdek wat bij je past': Automonteur"]


def _lead(**kw):
    values = dict(id="GP-7K3M9Q", first_name="Sam", age_band="16-17", postcode="4331", channel="rest",
                  conversation_id="c1", contact_method="whatsapp", contact_value="+31612345678", interests=["ict"],
                  created_at=NOW, consent_at=NOW, consent_basis="self", status="new")
    values.update(kw)
    return Lead(**values)


EVERYTHING = START + [
    user("ask_salary", "Wat verdien ik als monteur, ik wil echt geld verdienen"),
    user("ask_training", "hoe werkt bbl", "bbl"),
    user("doubt_fit", "mijn diploma komt uit syrie, telt dat?", "diploma"),
    user("doubt_fit", "mijn nederlands is niet zo goed", "language"),
    user("ask_events", "is er een open dag"),
    slot("explore_interests", "Elektromonteur"),
]
SLOTS = {"asker_role": "parent", "intake_quick": True, "contact_method": "whatsapp"}


def test_the_summary_mail_and_telegram_carry_every_code_and_no_own_words():
    context = conversation_context(EVERYTHING, SLOTS)
    summary = build_summary(_lead(), COUNSELLOR, context, now=NOW)
    jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker()).validate(summary)
    assert summary["schema"] == "handoff-summary.v2"
    c = summary["context"]
    assert [t["code"] for t in c["topics"]] == ["salary", "bbl", "events"]
    assert [d["code"] for d in c["doubts"]] == ["foreign_diploma", "language"]
    assert [a["code"] for a in c["asks_for"]] == ["whatsapp", "open_day"]
    assert c["asker"]["code"] == "parent" and c["urgent"] is True and c["explored_jobs"] == ["Elektromonteur"]
    assert [n["code"] for n in c["language_needs"]] == ["nt2"]
    assert summary["situation"]["reason"].startswith("Vroeg naar salaris, BBL (leren en werken), open dagen")
    assert summary["situation"]["requested_next_step"] == "een WhatsApp-bericht, een open dag of meeloopdag bezoeken"
    assert summary["assessment"]["doubts"] == ["diploma uit het buitenland", "de Nederlandse taal"]
    _, text, html = render_email(summary, [], "k")
    telegram = render_telegram(summary, [], "k")
    for out in (text, telegram):
        assert "Vraagt om: een WhatsApp-bericht" in out and "Wie vraagt: een ouder of verzorger, voor de jongere" in out
        assert "diploma uit het buitenland" in out
        assert "Waarom: onbekend" not in out and "Waarom contact: onbekend" not in out and "Vraagt om: onbekend" not in out
    assert "Via: WhatsApp" in text and "NT2" in text and "Haast: wil zo snel mogelijk een mens spreken" in text
    assert 'href="https://wa.me/31612345678"' in html
    everything = json.dumps(summary, ensure_ascii=False) + text + telegram
    for said in ("echt geld verdienen", "syrie", "telt dat", "niet zo goed", "hoe werkt"):
        assert said not in everything.lower()


def test_the_preview_shows_what_the_summary_carries():
    context = conversation_context(EVERYTHING, SLOTS)
    slots = {"first_name": "Sam", "age_band": "16-17", "contact_method": "whatsapp", "contact_value": "+31612345678"}
    routing = {"counsellor_first_name": "Sanne", "organisation": "TechniekTalent Zeeland"}
    preview = intake.confirmation_text(slots, routing, context_lines=preview_lines(context["context"]))
    assert "- Contact: WhatsApp op 06 12345678" in preview
    for line in ("- Je vroeg naar: salaris, BBL (leren en werken), open dagen en meeloopdagen",
                 "- Je twijfelde over: een diploma uit het buitenland, de Nederlandse taal",
                 "- Je wilt: een WhatsApp-bericht, naar een open dag of meeloopdag",
                 "- Wie vraagt: jij, als ouder of verzorger", "- Taal: de adviseur praat eenvoudig Nederlands met je",
                 "- Snel: je wilt zo snel mogelijk iemand spreken", "- Uit 'Ontdek wat bij je past': Elektromonteur"):
        assert line in preview.split("\n"), line


def test_a_guardian_lead_shows_explored_jobs_as_interests_and_no_onbekend_name():
    codes = context_codes(START + [slot("explore_interests", "Automonteur")], {"asker_role": "parent"}, guardian=True)
    lead = _lead(first_name=None, interests=[], consent_basis="guardian", contact_method="email",
                 contact_value="ouder@example.org", context=codes)
    summary = build_summary(lead, COUNSELLOR, None, now=NOW)
    _, text, _ = render_email(summary, [], "k")
    assert "Interesses: Automonteur" in text
    assert "Voornaam: niet gevraagd (jonger dan 16: contact via de ouder)" in text
    assert "Vraagt om: een e-mail" in text


def test_old_v1_summaries_still_validate_and_v2_ones_too():
    v1 = {"schema": "handoff-summary.v1"}
    assert validate_stored(v1)  # incomplete: problems listed, not raised
    full_v2 = build_summary(_lead(), COUNSELLOR, None, now=NOW)
    assert validate_stored(full_v2) == []


def test_whatsapp_is_its_own_choice():
    assert validation.check_contact_method("WhatsApp").value == "whatsapp"
    assert validation.check_contact_method("Bellen").value == "phone"
    assert validation.check_contact_method("Bellen of WhatsApp").value == "phone"  # the old button
    assert validation.check_contact_value("whatsapp", "06 12345678").value == "+31612345678"
