"""Issue 25 items 3 and 4 at store level (SQLite and PostgreSQL): access is complete and its printout
is erased with the lead; a pending under-16 request is shown; the parent's consent mail leaves the
local mail sink on erasure.

- Access (art. 15) shows the consent text as it was shown, and what the counsellor wrote down about
  the person (a note can name a street or a third party).
- The access printout sits in the tracker of the conversation that asked; the code's check row is
  gone once used, so the lead's audit trail remembers that conversation (kind "access") and an
  erasure of the lead from yet another conversation deletes it too. The counsellor does not see it.
- A child's request waiting for the parent's "ja" is no lead yet; access in that conversation shows
  it (no "Ik heb geen aanvraag van je gevonden"), and "wis mijn gegevens" removes it with the mail
  to the parent in ``var/mail``.
"""
import mailbox
from email.message import EmailMessage

from sqlalchemy import select

from bot.handoff import guardian
from bot.handoff import person_rights as rights
from bot.store.db import new_session
from bot.store.leads import NewLead, record_event
from bot.store.models import ConsentRecord, Lead, LeadEvent, utcnow
from bot.store.person_checks import verify_code
from bot.workspace.inbox import history
from tests.handoff_support import make_settings
from tests.store_fixtures import store_url  # noqa: F401
from tests.test_erasure import _everything_mentioning, _make_tracker
from tests.test_person_rights import EMAIL, _code, _handed_off

NOTE = "Moeder wil mee naar het gesprek, woont Dorpsstraat 12, broer Ahmed ook geïnteresseerd"


CONSENT = "Dit sturen we naar Sanne de Vries van TechniekTalent Zeeland: Naam: Sam, Woont in: Middelburg."


def _note_and_consent(url, lead_id):
    with new_session(url) as session, session.begin():
        lead = session.get(Lead, lead_id)
        record_event(session, lead, "note", "workspace:sanne", note=NOTE)
        consent = ConsentRecord(conversation_id=lead.conversation_id, basis="self", consent_text_version="t",
                                consent_text=CONSENT, shared_fields=["first_name"], counsellor_id="sanne")
        session.add(consent)
        session.flush()
        lead.consent_record_id = consent.id


def test_access_shows_notes_and_consent_text_and_its_printout_is_erased_with_the_lead(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    lead_id = _handed_off(store_url, settings, "conv-made", "Sam")
    _note_and_consent(store_url, lead_id)
    _make_tracker(store_url, ["conv-made", "conv-looked", "conv-erases", "bystander"])

    rights.request_code(settings, "conv-looked", "access", EMAIL)
    unlocked = verify_code(store_url, "conv-looked", _code(store_url, EMAIL.lower()))
    shown = rights.access_text(settings, "conv-looked", unlocked.lead_ids)
    assert f"aanvraag {lead_id}" in shown and NOTE in shown and "Wat de adviseur over je opschreef" in shown
    assert CONSENT in shown and "waar je ja op zei" in shown
    with new_session(store_url) as session:
        lead = session.get(Lead, lead_id)
        assert all(item.kind != "access" for item in history(session, lead, {}))  # not in the workspace
        trail = session.execute(select(LeadEvent).where(LeadEvent.kind == "access")).scalars().all()
        assert [(e.lead_id, e.details) for e in trail] == [(lead_id, {"conversation": "conv-looked"})]

    with new_session(store_url) as session, session.begin():  # the code is used: its check row is gone
        from bot.store.models import PersonCheck
        session.query(PersonCheck).delete()
    rights.request_code(settings, "conv-erases", "erase", EMAIL)
    with new_session(store_url) as session, session.begin():
        from bot.store.models import PersonCheckContact
        session.query(PersonCheckContact).delete()  # a fresh code for the erasure
    rights.request_code(settings, "conv-erases", "erase", EMAIL)
    codes = _code_latest(store_url)
    unlocked = verify_code(store_url, "conv-erases", codes)
    report = rights.erase_everywhere(settings, store_url, "conv-erases", unlocked.lead_ids, schedule_sweeps=False)
    assert report.references == [lead_id] and report.conversations == 3
    hits = [h for h in _everything_mentioning(store_url, ["conv-made", "conv-looked", "conv-erases", NOTE, CONSENT, lead_id])
            if h[0] != "tracker_erasures"]
    assert hits == [("handoff_outbox", lead_id)]  # the art. 19 notice to the counsellor: only the reference
    assert ("events", "bystander") in _everything_mentioning(store_url, ["bystander"])


def _code_latest(url):
    import re
    from bot.store.handoff_models import OutboxMessage
    with new_session(url) as session:
        row = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "person_code")
                              .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"\b(\d{8})\b", row.payload["text"]).group(1)


def test_a_pending_under_16_request_is_shown_and_erased_with_the_parents_mail(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    parent = "ouder.van.mila@example.org"
    lead = NewLead(conversation_id="conv-kid", channel="web", consent=True, consent_basis="guardian",
                   consent_text="De ouder of verzorger kreeg per e-mail: ...", consent_text_version="2026-11-v1",
                   age_band="12-15", postcode="4331", gemeente_name="Middelburg", region_code="AM24",
                   region_name="Zeeland", counsellor_id="sanne", routing_rule="own_region", routing_reason="test",
                   contact_method="email", contact_value=parent, client_key="c" * 32)
    request_id = guardian.request_consent(store_url, settings, lead, ["- Leeftijd: 12-15 jaar", "- Woont in: Middelburg"],
                                          {"name": "Sanne de Vries", "first_name": "Sanne",
                                           "organisation": "TechniekTalent Zeeland"}, now=utcnow())
    assert request_id
    _make_tracker(store_url, ["conv-kid", "bystander"])
    maildir = mailbox.Maildir(tmp_path / "mail")
    for to, kind in ((parent, "guardian"), ("andere.ouder@example.org", "guardian")):
        message = EmailMessage()
        message["To"], message["Subject"], message["X-GoudenPoort-Kind"] = to, "Uw kind", kind
        message["X-GoudenPoort-Reference"] = ""
        message.set_content("Beste ouder, ... Middelburg ...")
        maildir.add(message)

    shown = rights.access_text(settings, "conv-kid")
    assert "geen aanvraag" not in shown and request_id in shown and parent in shown
    assert "- Woont in: Middelburg" in shown and "nog geen 'ja'" in shown

    report = rights.erase_everywhere(settings, store_url, "conv-kid", (), tmp_path / "mail", schedule_sweeps=False)
    assert report.mails_removed == 1
    assert [str(m["To"]) for m in maildir] == ["andere.ouder@example.org"]
    assert [h for h in _everything_mentioning(store_url, [parent, request_id, "conv-kid"])
            if h[0] != "tracker_erasures"] == []
