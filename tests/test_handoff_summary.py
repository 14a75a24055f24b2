"""The summary follows the versioned schema, renders in Dutch, and never crashes on missing fields."""
import json

import jsonschema
import pytest

from bot.handoff.links import status_links, verify
from bot.handoff.promise import confirmation_text
from bot.handoff.render import render_email, render_telegram, webhook_body
from bot.handoff.settings import load_handoff_settings
from bot.handoff.summary import SummaryInvalid, build_summary, load_schema
from bot.routing.counsellors import Counsellor
from bot.handoff.followup import reach_for
from bot.store.models import ConsentRecord, Lead
from tests.handoff_support import COUNSELLOR, EXTRA, FRIDAY_AFTERNOON, LINK_SECRET, lead_kwargs, make_settings

VALIDATOR = jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker())


def lead(**kw):
    values = dict(id="GP-7K3M9Q", first_name="Sam", age=17, postcode="4331 AB", channel="rest",
                  conversation_id="c1", contact={"method": "whatsapp", "value": "+31612345678"},
                  interests=["elektrotechniek"], created_at=FRIDAY_AFTERNOON, consent_at=FRIDAY_AFTERNOON,
                  status="new")
    values.update(kw)
    return Lead(**lead_kwargs(**values))


def test_schema_itself_is_valid():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_full_summary_validates_and_is_in_sbar_order():
    summary = build_summary(lead(), COUNSELLOR, EXTRA, now=FRIDAY_AFTERNOON)
    VALIDATOR.validate(summary)
    assert list(summary)[:6] == ["schema", "referral", "situation", "background", "assessment", "recommendation"]
    assert summary["referral"]["label"] == "1 van 1"
    assert summary["situation"]["promised"]["text"] == "binnen 2 werkdagen, uiterlijk dinsdag 1 december"
    assert summary["background"]["location"] == {"postcode4": "4331", "gemeente": "Middelburg"}
    assert summary["contact"] == {"method": "whatsapp", "value": "+31612345678", "preferred_time": "na 16 uur"}
    assert summary["consent"]["given_by"] == "zelf" and summary["consent"]["text_version"] == "2026-11-v1"
    assert "toestemming" in summary["dont_ask_again"] and "voornaam" in summary["dont_ask_again"]
    assert summary["conversation"]["delete_on"] == "2027-11-27"  # GP_LEAD_RETENTION_MONTHS = 12


def test_missing_everything_still_validates_and_renders_onbekend():
    bare = Lead(**lead_kwargs(id="GP-AAAA22", created_at=FRIDAY_AFTERNOON, contact={}, interests=[]))
    summary = build_summary(bare, {"name": ""}, None, now=FRIDAY_AFTERNOON)
    VALIDATOR.validate(summary)
    subject, text, html = render_email(summary, [], "k")
    assert "Voornaam: onbekend" in text and "Via: onbekend" in text
    assert "Twijfels: geen genoemd in de chat" in text
    assert "Waarom contact: Wil contact over leren en werken in de techniek." in text  # never "onbekend"
    assert "Vroeg naar" not in text  # empty lists are left out
    assert render_telegram(summary, [], "k")


def test_odd_inputs_do_not_crash():
    summary = build_summary(lead(postcode="xx", contact="not a dict", interests=None), COUNSELLOR,
                            {"hesitations": "één zin", "reason": "eigen woorden", "interests": {"choices": ["bouw"], "free_text": "hout"},
                             "contact_method": "E-mail", "contact_value": "sam@example.org",
                             "consent": {"given_at": "2026-11-27T15:00:00+00:00", "given_by": "parent"}},
                            now=FRIDAY_AFTERNOON)
    VALIDATOR.validate(summary)
    assert "één zin" not in json.dumps(summary) and "eigen woorden" not in json.dumps(summary)  # v2: no own words
    assert summary["assessment"]["doubts"] == [] and summary["situation"]["requested_next_step"] == "een e-mail"
    assert summary["contact"]["method"] == "email"
    assert summary["consent"]["given_by"] == "ouder_voogd"
    assert summary["background"]["location"]["postcode4"] is None


def test_email_contains_sbar_dutch_content_and_signed_links(tmp_path):
    settings = make_settings("sqlite://", tmp_path)
    summary = build_summary(lead(), COUNSELLOR, EXTRA, now=FRIDAY_AFTERNOON)
    links = status_links(settings, "GP-7K3M9Q")
    subject, text, html = render_email(summary, links, "gp-GP-7K3M9Q-handoff-email")
    assert "Sam" not in subject and "+316" not in subject  # no personal data on lock screens
    for needle in ("S - SITUATIE", "B - ACHTERGROND", "A - BEOORDELING", "R - AANBEVELING",
                   "Waarom contact: Vroeg naar BBL (leren en werken), salaris; twijfelt over geen diploma, wiskunde en rekenen.",
                   "Vraagt om: een WhatsApp-bericht, een afspraak", "- geen diploma", "- BBL (leren en werken)",
                   "Wie vraagt: de persoon zelf", "Via: WhatsApp",
                   "De chatbot stelt voor, jij beslist.", "Contact gehad:", "Afspraak gepland:",
                   "Geen contact kunnen krijgen:", "doorverwijzing 1 van 1", "Bericht-id: gp-GP-7K3M9Q"):
        assert needle in text, needle
    assert text.index("S - SITUATIE") < text.index("B - ACHTERGROND") < text.index("A - BEOORDELING") \
        < text.index("R - AANBEVELING")
    assert "<h2" in html and "geen diploma" in html and 'lang="nl"' in html
    assert 'href="https://wa.me/31612345678"' in html  # the channel as chosen, one tap away
    assert "\n" not in subject


def test_html_escapes_the_persons_own_words():
    summary = build_summary(lead(first_name="<script>x</script>"), COUNSELLOR,
                            dict(EXTRA, interests_free_text='<img src=x onerror="alert(1)">'), now=FRIDAY_AFTERNOON)
    _, text, html = render_email(summary, [], "k")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img" in html


def test_webhook_body_carries_key_and_validating_summary(tmp_path):
    settings = make_settings("sqlite://", tmp_path)
    summary = build_summary(lead(), COUNSELLOR, EXTRA, now=FRIDAY_AFTERNOON)
    body = json.loads(webhook_body(summary, status_links(settings, "GP-7K3M9Q"), "key-1"))
    assert body["idempotency_key"] == "key-1" and body["event"] == "lead.handoff"
    VALIDATOR.validate(body["summary"])
    assert set(body["status_links"]) == {"in_contact", "appointment", "no_contact"}


def test_status_links_verify_and_tampering_fails():
    url = status_links(make_settings("sqlite://", "/tmp"), "GP-7K3M9Q")[0]["url"]
    sig = url.split("sig=")[1]
    expires = url.split("e=")[1].split("&")[0]
    assert verify(LINK_SECRET, "GP-7K3M9Q", "in_contact", expires, sig)
    assert not verify(LINK_SECRET, "GP-7K3M9Q", "appointment", expires, sig)
    assert not verify(LINK_SECRET, "GP-7K3M9R", "in_contact", expires, sig)
    assert not verify(LINK_SECRET, "GP-7K3M9Q", "in_contact", str(int(expires) + 86400), sig)  # longer life
    assert not verify("other-secret", "GP-7K3M9Q", "in_contact", expires, sig)
    assert not verify(LINK_SECRET, "GP-7K3M9Q", "deleted", expires, sig)
    assert not verify(LINK_SECRET, "GP-7K3M9Q", "in_contact", expires, sig + "%%")


@pytest.mark.parametrize("method, how", [("whatsapp", "stuurt je een WhatsApp-bericht"), ("phone", "belt je"),
                                         ("e-mail", "stuurt je een e-mail"), (None, "neemt contact met je op")])
def test_confirmation_text_b1(method, how):
    text = confirmation_text("GP-7K3M9Q", COUNSELLOR, method, FRIDAY_AFTERNOON)
    assert text.startswith(f"Gelukt! Sanne van TechniekTalent Zeeland {how}.")
    assert "binnen 2 werkdagen: uiterlijk dinsdag 1 december" in text
    assert "GP-7K3M9Q" in text
    # B1: short sentences
    assert max(len(s.split()) for s in text.split(". ")) <= 15


def test_counsellor_from_dict_and_object():
    c = Counsellor.from_record({"name": " Sanne de Vries ", "email": "s@example.org", "webhook_url": None})
    assert c.first_name == "Sanne" and c.channels() == ["email"]
    assert Counsellor.from_record(c) is c
    assert Counsellor.from_record(c.to_record()) == c


def test_summary_that_breaks_the_schema_is_refused_at_build_time():
    """A lead id that is not a GP-reference would break receivers that rely on the contract."""
    with pytest.raises(SummaryInvalid, match=r"breaks handoff-summary.v2 at referral/id"):
        build_summary(lead(id="lead-1"), COUNSELLOR, EXTRA, now=FRIDAY_AFTERNOON)


def test_intake_lead_shape_without_extra():
    """Issue 4's lead row keeps contact, age band, situation and consent basis in columns and calls the
    hook without ``extra``; the summary must pick everything up from the row itself."""
    intake_lead = Lead(
        id="GP-7K3M9Q", created_at=FRIDAY_AFTERNOON, status="new", first_name="Noor", age_band="16-17",
        situation="gestopt", interests=["elektro"], interests_text="iets met zonnepanelen", postcode="4331",
        gemeente_name="Middelburg", region_code="AM12", region_name="Zeeland", counsellor_name="Sanne de Vries",
        organisation="TechniekTalent Zeeland", routing_reason="dichtstbijzijnde adviseur in Zeeland (3,1 km)",
        contact_method="email", contact_value="noor@example.org", contact_time="na 16 uur",
        consent_at=FRIDAY_AFTERNOON, consent_basis="guardian",
        consent_record=ConsentRecord(consent_text_version="2026-11-v1"), channel="rest", conversation_id="c9")
    registry_counsellor = Counsellor(id="zeeland-1", name="Sanne de Vries", region_code="AM12",
                                     organisation="TechniekTalent Zeeland", office_place="Middelburg",
                                     lat=51.5, lon=3.61, email="sanne@example.org")
    summary = build_summary(intake_lead, registry_counsellor, None, now=FRIDAY_AFTERNOON)
    VALIDATOR.validate(summary)
    assert summary["contact"] == {"method": "email", "value": "noor@example.org", "preferred_time": "na 16 uur"}
    assert summary["consent"] == {"text_version": "2026-11-v1", "given_at": FRIDAY_AFTERNOON.isoformat(),
                                  "given_by": "ouder_voogd"}
    assert summary["background"]["age_band"] == "16-17"
    assert summary["background"]["interests"]["free_text"] == "iets met zonnepanelen"
    assert summary["background"]["location"] == {"postcode4": "4331", "gemeente": "Middelburg"}
    assert summary["situation"]["region"] == {"code": "AM12", "name": "Zeeland"}
    assert summary["assessment"]["routing_reason"].startswith("dichtstbijzijnde")
    assert reach_for(intake_lead) == ("email", "noor@example.org")


def test_secrets_and_coordinators_come_from_the_environment(monkeypatch, tmp_path):
    for name, value in dict(GP_VAR_DIR=str(tmp_path), GP_LINK_SECRET="geheim-en-minstens-32-bytes-lang!!", GP_COORDINATOR_EMAIL="",
                            GP_FALLBACK_ALERT_EMAIL="beheer@example.org", GP_WEBHOOK_SECRET="global",
                            GP_WEBHOOK_SECRET__ZEELAND_1="own",
                            GP_COORDINATOR_EMAIL__AM12="coord.zeeland@example.org").items():
        monkeypatch.setenv(name, value)
    settings = load_handoff_settings()
    assert settings.webhook_secret_for("zeeland-1") == "own"
    assert settings.webhook_secret_for("utrecht-2") == "global"
    assert settings.coordinator_email_for("AM12") == "coord.zeeland@example.org"
    assert settings.coordinator_email_for("AM01") == "beheer@example.org"
