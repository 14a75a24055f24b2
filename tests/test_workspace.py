"""The workspace's domain (bot.workspace) without a browser, on SQLite and PostgreSQL: sign-in links,
sessions, roles, the inbox, the lead page's view log, and every action with its audit trail and
follow-up schedule."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.store.db import new_session
from bot.store.handoff_models import FollowUp, OutboxMessage
from bot.store.models import Lead, LeadEvent, utcnow
from bot.store.workspace_models import LoginToken
from bot.workspace import auth
from bot.workspace.actions import InvalidAction, apply_action, apply_link_status
from bot.workspace.inbox import NotAllowed, inbox, lead_page, views_of
from tests.store_fixtures import store_url  # noqa: F401
from tests.workspace_support import FLEUR, JEROEN, SANNE, ZEELAND_COORDINATOR, new_lead, user, workspace_settings

NAMES = {}


@pytest.fixture
def ws(store_url, tmp_path):
    return workspace_settings(store_url, tmp_path)


def token_from_outbox(ws, email):
    with new_session(ws.database_url) as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "signin",
                                                           OutboxMessage.recipient == email)).scalars().all()
    assert rows, f"no sign-in mail queued for {email}"
    text = rows[-1].payload["text"]
    return text.split("?t=", 1)[1].split()[0]


def test_sign_in_link_works_once_within_15_minutes(ws):
    now = utcnow()
    assert auth.request_sign_in(ws, "Sanne@TechniekTalent-Zeeland.example.org ", now)
    token = token_from_outbox(ws, "sanne@techniektalent-zeeland.example.org")
    assert auth.link_is_usable(ws, token, now)
    signed = auth.use_sign_in_link(ws, token, now + timedelta(minutes=1))
    assert signed and signed.user.id == SANNE and signed.csrf_token and signed.session_token
    assert auth.use_sign_in_link(ws, token, now + timedelta(minutes=2)) is None           # used
    with new_session(ws.database_url) as session:                                          # only a hash is stored
        assert session.get(LoginToken, token) is None and session.get(LoginToken, auth.digest(token))

    auth.request_sign_in(ws, "sanne@techniektalent-zeeland.example.org", now)
    late = token_from_outbox(ws, "sanne@techniektalent-zeeland.example.org")
    assert late != token
    assert auth.use_sign_in_link(ws, late, now + timedelta(minutes=15, seconds=1)) is None  # expired


def test_unknown_address_gets_no_mail(ws):
    assert not auth.request_sign_in(ws, "iemand@elders.example.org", utcnow())
    with new_session(ws.database_url) as session:
        assert session.execute(select(OutboxMessage)).first() is None


def test_session_ends_when_idle_and_on_sign_out(ws):
    now = utcnow()
    auth.request_sign_in(ws, "sanne@techniektalent-zeeland.example.org", now)
    signed = auth.use_sign_in_link(ws, token_from_outbox(ws, "sanne@techniektalent-zeeland.example.org"), now)
    again = auth.current_user(ws, signed.session_token, now + timedelta(minutes=29))
    assert again and again.csrf_token == signed.csrf_token
    assert auth.current_user(ws, signed.session_token, now + timedelta(minutes=29 + 31)) is None   # idle
    auth.request_sign_in(ws, "sanne@techniektalent-zeeland.example.org", now)
    second = auth.use_sign_in_link(ws, token_from_outbox(ws, "sanne@techniektalent-zeeland.example.org"), now)
    auth.sign_out(ws, second.session_token, now)
    assert auth.current_user(ws, second.session_token, now) is None
    assert auth.current_user(ws, "made-up", now) is None


def test_roles_counsellor_own_leads_coordinator_own_region(ws):
    mine = new_lead(ws.database_url, ws, SANNE, first_name="Mila")
    colleague = new_lead(ws.database_url, ws, JEROEN, first_name="Noah")
    elsewhere = new_lead(ws.database_url, ws, FLEUR, first_name="Lotte")
    now = utcnow()
    assert [r.id for r in inbox(ws.database_url, user(SANNE), now)] == [mine]
    assert {r.id for r in inbox(ws.database_url, user(ZEELAND_COORDINATOR), now)} == {mine, colleague}
    with pytest.raises(NotAllowed):
        lead_page(ws.database_url, user(SANNE), colleague, now, NAMES)
    with pytest.raises(NotAllowed):
        lead_page(ws.database_url, user(ZEELAND_COORDINATOR), elsewhere, now, NAMES)
    with pytest.raises(NotAllowed):
        apply_action(ws.database_url, user(FLEUR), mine, "note", {"note": "mag niet"}, now)
    assert views_of(ws.database_url, colleague) == [] and views_of(ws.database_url, elsewhere) == []


def test_inbox_sorted_by_promise_with_overdue_marked(ws):
    first = new_lead(ws.database_url, ws, SANNE, first_name="Eerste")
    second = new_lead(ws.database_url, ws, SANNE, first_name="Tweede")
    with new_session(ws.database_url) as session, session.begin():   # the first one was promised later
        from bot.store.handoff_models import HandoffCase
        session.get(HandoffCase, first).promised_by = utcnow() + timedelta(days=3)
        session.get(HandoffCase, second).promised_by = utcnow() - timedelta(hours=1)
    rows = inbox(ws.database_url, user(SANNE), utcnow())
    assert [r.id for r in rows] == [second, first]
    assert [r.overdue for r in rows] == [True, False]


def test_lead_page_shows_summary_history_contact_and_logs_the_view(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE, first_name="Mila", contact=("email", "mila@example.org"))
    now = utcnow()
    page = lead_page(ws.database_url, user(SANNE), lead_id, now, NAMES)
    assert page.summary["schema"] == "handoff-summary.v2" and page.summary["contact"]["value"] == "mila@example.org"
    assert page.summary["background"]["first_name"] == "Mila"
    whats = [h.what for h in page.history]
    assert "Status: Nieuw (test)" in whats and any("Aanvraag per email" in w for w in whats)
    assert any(w.startswith("Herinnering 1") for w in whats)
    lead_page(ws.database_url, user(ZEELAND_COORDINATOR), lead_id, now, NAMES)
    assert [(v.viewer_id, v.lead_id) for v in views_of(ws.database_url, lead_id)] == [
        (SANNE, lead_id), (ZEELAND_COORDINATOR, lead_id)]


def followups(url, lead_id):
    with new_session(url) as session:
        return {(f.kind, f.seq): f.status for f in session.execute(
            select(FollowUp).where(FollowUp.lead_id == lead_id)).scalars()}


def events(url, lead_id):
    with new_session(url) as session:
        return session.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)).scalars().all()


def test_appointment_records_details_and_cancels_the_nudges(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE)
    with pytest.raises(InvalidAction):
        apply_action(ws.database_url, user(SANNE), lead_id, "appointment", {"date": "morgen"}, utcnow())
    done = apply_action(ws.database_url, user(SANNE), lead_id, "appointment",
                        {"date": "2026-12-03", "time": "14:30", "online": "1"}, utcnow())
    assert "03-12-2026 14:30, online" in done.message
    last = events(ws.database_url, lead_id)[-1]
    assert (last.to_status, last.actor, last.kind) == ("appointment", f"workspace:{SANNE}", "status")
    assert last.details == {"at": "2026-12-03T13:30:00+00:00", "place": "online", "local": "03-12-2026 14:30"}
    assert followups(ws.database_url, lead_id) == {("nudge", 1): "cancelled", ("escalation", 1): "cancelled"}


def test_no_contact_moves_the_nudge_to_now(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE)
    now = utcnow()
    apply_action(ws.database_url, user(SANNE), lead_id, "no_contact", {}, now)
    with new_session(ws.database_url) as session:
        nudge = session.execute(select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.kind == "nudge")).scalar_one()
        assert nudge.status == "scheduled" and nudge.due_at.replace(tzinfo=None) <= (now + timedelta(hours=12)).replace(tzinfo=None)
        assert session.get(Lead, lead_id).status == "no_contact"


def test_closed_with_outcome_is_counted_per_region(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE)
    with pytest.raises(InvalidAction):
        apply_action(ws.database_url, user(SANNE), lead_id, "closed", {"outcome": "weet niet"}, utcnow())
    apply_action(ws.database_url, user(SANNE), lead_id, "closed", {"outcome": "started_bbl"}, utcnow())
    with new_session(ws.database_url) as session:
        lead = session.get(Lead, lead_id)
        assert (lead.status, lead.outcome, lead.region_code) == ("closed", "started_bbl", "AM24")
    assert events(ws.database_url, lead_id)[-1].details == {"outcome": "started_bbl"}
    assert inbox(ws.database_url, user(SANNE), utcnow()) == []
    assert [r.id for r in inbox(ws.database_url, user(SANNE), utcnow(), include_closed=True)] == [lead_id]


def test_a_closed_lead_is_read_only_until_reopened(ws):
    """Issue 24 item 4: a closed lead takes only a note, until "Heropenen"; outcomes as regions report."""
    lead_id = new_lead(ws.database_url, ws, SANNE)
    apply_action(ws.database_url, user(SANNE), lead_id, "closed", {"outcome": "referred_uwv"}, utcnow())
    for action, form in (("in_contact", {}), ("no_contact", {}), ("closed", {"outcome": "other"})):
        with pytest.raises(InvalidAction, match="Heropenen"):
            apply_action(ws.database_url, user(SANNE), lead_id, action, form, utcnow())
    apply_action(ws.database_url, user(SANNE), lead_id, "note", {"note": "Gaat naar het UWV"}, utcnow())
    done = apply_action(ws.database_url, user(SANNE), lead_id, "reopen", {}, utcnow())
    assert done.message.startswith("Heropend")
    with new_session(ws.database_url) as session:
        lead = session.get(Lead, lead_id)
        assert (lead.status, lead.outcome) == ("in_contact", None)
    with pytest.raises(InvalidAction):
        apply_action(ws.database_url, user(SANNE), lead_id, "reopen", {}, utcnow())


def test_note_goes_into_the_one_trail_without_changing_status(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE)
    apply_action(ws.database_url, user(SANNE), lead_id, "note", {"note": "  Belt  morgen terug "}, utcnow())
    last = events(ws.database_url, lead_id)[-1]
    assert (last.kind, last.note, last.from_status, last.to_status) == ("note", "Belt morgen terug", "new", "new")
    with pytest.raises(InvalidAction):
        apply_action(ws.database_url, user(SANNE), lead_id, "note", {"note": "   "}, utcnow())


def test_handover_within_the_region_tells_the_person_once(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE, first_name="Mila")
    with pytest.raises(InvalidAction):
        apply_action(ws.database_url, user(SANNE), lead_id, "handover", {"to": FLEUR}, utcnow())   # other region
    apply_action(ws.database_url, user(SANNE), lead_id, "handover", {"to": JEROEN}, utcnow(), "http://werkplek")
    with new_session(ws.database_url) as session:
        lead = session.get(Lead, lead_id)
        assert (lead.counsellor_id, lead.counsellor_name) == (JEROEN, "Jeroen Verhulst")
        assert session.execute(select(Lead)).scalars().all() == [lead]            # no second referral
        mails = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "handover")).scalars().all()
        assert [m.recipient for m in mails] == ["jeroen@techniektalent-zeeland.example.org"]
        assert "http://werkplek/adviseur/lead/" + lead_id in mails[0].payload["text"]
    assert followups(ws.database_url, lead_id)[("handover", 1)] == "scheduled"
    assert [r.id for r in inbox(ws.database_url, user(JEROEN), utcnow())] == [lead_id]
    assert inbox(ws.database_url, user(SANNE), utcnow()) == []


def test_link_status_uses_the_same_change_and_claim(ws):
    lead_id = new_lead(ws.database_url, ws, SANNE)
    assert apply_link_status(ws.database_url, lead_id, "in_contact", utcnow(), claim=lambda s: False) == "used"
    assert apply_link_status(ws.database_url, lead_id, "in_contact", utcnow()) == "ok"
    assert events(ws.database_url, lead_id)[-1].actor == "handoff:link"
    assert followups(ws.database_url, lead_id)[("nudge", 1)] == "cancelled"
    assert apply_link_status(ws.database_url, "GP-NIETS2", "in_contact", utcnow()) == "missing"


class Sent:
    def __init__(self):
        self.messages = []

    def send(self, channel, address, subject, text, key):
        self.messages.append((channel, address, text, key))


def test_handover_message_reaches_the_person_once_with_the_new_name(ws):
    from bot.handoff.followup import process_due_followups
    from bot.store.db import session_factory

    lead_id = new_lead(ws.database_url, ws, SANNE, first_name="Mila", channel="telegram",
                       conversation_id="telegram-" + "42" * 16, channel_ref="4242",
                       contact=("phone", "+31612345678"))
    apply_action(ws.database_url, user(SANNE), lead_id, "handover", {"to": JEROEN}, utcnow())
    sent = Sent()
    now = utcnow().replace(hour=10)                        # inside the allowed hours
    process_due_followups(session_factory(ws.database_url), ws.handoff, now + timedelta(minutes=1), sent)
    process_due_followups(session_factory(ws.database_url), ws.handoff, now + timedelta(days=1), sent)
    handovers = [m for m in sent.messages if "-handover-" in m[3]]
    assert len(handovers) == 1
    assert "Je aanvraag is nu bij Jeroen Verhulst van TechniekTalent Zeeland" in handovers[0][2]
    assert handovers[0][:2] == ("telegram", "4242")
    assert followups(ws.database_url, lead_id)[("handover", 1)] == "sent"
