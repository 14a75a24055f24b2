"""What a signed-in user sees: the inbox (open leads by promised-by date) and one lead's page.

Opening a lead page is logged in ``lead_views`` (who, when, which lead) before the data is returned:
no personal data leaves the store without a trace. The inbox shows no contact data and is not logged
per lead; it shows only what a counsellor needs to choose what to do next.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.handoff.clock import as_utc
from bot.handoff.summary import GUARDIAN_UNCHECKED, build_summary
from bot.store.db import new_session
from bot.store.handoff_models import FollowUp, HandoffCase, OutboxMessage
from bot.store.models import Lead, LeadEvent
from bot.store.statuses import AWAITING_CONTACT, CLOSED, NO_CONTACT, OUTCOMES
from bot.store.workspace_models import LeadView
from bot.workspace.users import User, may_see, visible_leads

STATUS_LABELS = {
    # "delivered" is our word for "it reached you": for the counsellor it is simply new (issue 24)
    "new": "Nieuw", "delivered": "Nieuw", "in_contact": "Contact gehad", "appointment": "Afspraak gepland",
    "no_contact": "Niet bereikt", "closed": "Afgesloten",
}
CHANNEL_LABELS = {"telegram": "Telegram", "web": "Website", "socketio": "Website", "rest": "Website"}
# Waiting for a first contact (or not reached): past the promised date this is "te laat".
NEEDS_CONTACT = AWAITING_CONTACT | {NO_CONTACT}


class NotAllowed(Exception):
    """The lead exists but belongs to someone this user may not see (the web layer answers 403)."""


@dataclass
class InboxRow:
    id: str
    first_name: str
    status: str
    status_label: str
    channel: str
    region: str
    counsellor: str
    promised_by: Optional[datetime]
    overdue: bool
    said_no: bool = False


def inbox(database_url: str, user: User, now: datetime, include_closed: bool = False) -> List[InboxRow]:
    query = (select(Lead.id, Lead.first_name, Lead.status, Lead.channel, Lead.region_name,
                    Lead.counsellor_name, HandoffCase.promised_by)
             .outerjoin(HandoffCase, HandoffCase.lead_id == Lead.id).where(visible_leads(user)))
    if not include_closed:
        query = query.where(Lead.status != CLOSED)
    with new_session(database_url) as session:
        rows = session.execute(query).all()
        ids = [r.id for r in rows]
        said_no = set()
        if ids:
            # the last answer per lead: an open "nee" is shown in the inbox
            answers = session.execute(select(LeadEvent.lead_id, LeadEvent.details).where(
                LeadEvent.lead_id.in_(ids), LeadEvent.kind == "reply").order_by(LeadEvent.id)).all()
            last = {lead_id: (details or {}).get("answer") for lead_id, details in answers}
            said_no = {lead_id for lead_id, answer in last.items() if answer == "nee"}
    result = []
    for r in rows:
        promised = as_utc(r.promised_by) if r.promised_by else None
        result.append(InboxRow(
            id=r.id, first_name=r.first_name or "(geen naam)", status=r.status,
            status_label=STATUS_LABELS.get(r.status, r.status), channel=CHANNEL_LABELS.get(r.channel or "", r.channel or "?"),
            region=r.region_name or "", counsellor=r.counsellor_name or "", promised_by=promised,
            overdue=bool(promised and promised < now and r.status in NEEDS_CONTACT),
            said_no=r.id in said_no and r.status in NEEDS_CONTACT))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    result.sort(key=lambda row: (row.status == CLOSED, row.promised_by or far, row.id))
    return result


@dataclass
class HistoryItem:
    at: datetime
    who: str
    what: str
    kind: str


@dataclass
class LeadPage:
    lead: Lead
    summary: Dict[str, Any]
    promised_by: Optional[datetime]
    overdue: bool
    status_label: str
    outcome_label: str
    channel_label: str = ""
    history: List[HistoryItem] = field(default_factory=list)
    attention: List[str] = field(default_factory=list)  # "Let op": check before or at the first contact
    guardian_checks: List[HistoryItem] = field(default_factory=list)  # "ouder gecontroleerd" (issue 25)


def _who(actor: str, names: Dict[str, str]) -> str:
    if actor.startswith("workspace:"):
        return names.get(actor.split(":", 1)[1], actor.split(":", 1)[1])
    return {"bot": "Chatbot", "handoff:worker": "Bezorging", "handoff:link": "Link in e-mail",
            "handoff:person": "Jongere zelf", "system": "Systeem"}.get(actor, actor)


def _event_text(e: LeadEvent) -> str:
    if e.kind == "status" or not e.kind:
        text = f"Status: {STATUS_LABELS.get(e.to_status, e.to_status)}"
        return f"{text} ({e.note})" if e.note else text
    return e.note or e.kind


def history(session, lead: Lead, names: Dict[str, str]) -> List[HistoryItem]:
    items = [HistoryItem(as_utc(e.at), _who(e.actor, names), _event_text(e), e.kind or "status")
             for e in session.execute(select(LeadEvent).where(LeadEvent.lead_id == lead.id)).scalars()
             if e.kind != "access"]  # the person looked at her data: not the counsellor's business
    for m in session.execute(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id)).scalars():
        what = {"handoff": "Aanvraag", "escalation": "Seintje aan coördinator", "alert": "Seintje",
                "handover": "Overdracht"}.get(m.kind, m.kind)
        state = {"sent": "bezorgd", "dead": "niet bezorgd", "pending": "wacht op bezorging",
                 "sending": "wordt bezorgd"}.get(m.status, m.status)
        items.append(HistoryItem(as_utc(m.sent_at or m.created_at), "Bezorging",
                                 f"{what} per {m.channel} aan {m.recipient}: {state}", "delivery"))
    for f in session.execute(select(FollowUp).where(FollowUp.lead_id == lead.id)).scalars():
        what = {"nudge": f"Herinnering {f.seq} aan jongere", "escalation": "Controle door coördinator",
                "handover": "Bericht over nieuwe adviseur aan jongere"}.get(f.kind, f.kind)
        state = {"scheduled": "gepland", "sent": "verstuurd", "skipped": "niet nodig", "cancelled": "geannuleerd",
                 "not_reachable": "niet te bereiken via de chat", "failed": "mislukt",
                 "sending": "wordt verstuurd"}.get(f.status, f.status)
        items.append(HistoryItem(as_utc(f.done_at or f.due_at), "Opvolging", f"{what}: {state}", "followup"))
    items.sort(key=lambda item: item.at)
    return items


def lead_page(database_url: str, user: User, lead_id: str, now: datetime, names: Dict[str, str]) -> Optional[LeadPage]:
    """None when the lead does not exist; NotAllowed when it is not this user's. Logs the view."""
    with new_session(database_url) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return None
        if not may_see(user, lead):
            raise NotAllowed(lead_id)
        session.add(LeadView(lead_id=lead.id, viewer_id=user.id, at=now, what="lead_page"))
        session.commit()
        case = session.get(HandoffCase, lead.id)
        summary = (case.summary if case is not None and case.summary
                   else build_summary(lead, case.counsellor if case else {"id": lead.counsellor_id or "",
                                                                          "name": lead.counsellor_name or ""}, now=now))
        promised = as_utc(case.promised_by) if case else None
        page = LeadPage(lead=lead, summary=summary, promised_by=promised,
                        overdue=bool(promised and promised < now and lead.status in NEEDS_CONTACT),
                        status_label=STATUS_LABELS.get(lead.status, lead.status),
                        outcome_label=OUTCOMES.get(lead.outcome or "", ""),
                        channel_label=CHANNEL_LABELS.get(lead.channel or "", lead.channel or "onbekend"),
                        history=history(session, lead, names), attention=attention_of(lead, summary))
        page.guardian_checks = [item for item in page.history if item.kind == "guardian_checked"]
        session.expunge_all()
        return page


def attention_of(lead: Lead, summary: Dict[str, Any]) -> List[str]:
    """The summary's warnings; a guardian's consent is flagged also on summaries stored before they had any."""
    items = list(summary.get("attention") or [])
    if lead.consent_basis == "guardian" and GUARDIAN_UNCHECKED not in items:
        items.insert(0, GUARDIAN_UNCHECKED)
    return items


def first_name_of(database_url: str, lead_id: str) -> Optional[str]:
    """The first name on the confirmation page of a signed mail link: the counsellor sees whom the
    click is about (issue 24). Only after the link's signature was checked."""
    with new_session(database_url) as session:
        lead = session.get(Lead, lead_id)
        return lead.first_name if lead is not None else None


def views_of(database_url: str, lead_id: str) -> List[LeadView]:
    with new_session(database_url) as session:
        return list(session.execute(select(LeadView).where(LeadView.lead_id == lead_id)
                                    .order_by(LeadView.id)).scalars())
