"""Follow-up ("en dan vasthouden"), scheduled in the database so a restart forgets nothing.

Per lead (created by ``enqueue_handoff``):
* nudge 1 at the promised time; nudge 2 two working days after nudge 1 was sent — at most two;
* one escalation to the regional coordinator at the promised time if the counsellor set no status.

When a follow-up is due it looks at the situation *then*: the person said stop → cancelled; the lead
is resolved (contact / appointment) → skipped; the counsellor could not reach them → the nudge asks
whether the contact details are right. Nudges are never sent between 21:00 and 08:00 Europe/Amsterdam
(they are moved to 08:00), and only over a channel where we can reach the person proactively
(Telegram chat, e-mail); otherwise the outcome "not reachable proactively" is recorded.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Callable, List, Optional, Protocol, Tuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.handoff.clock import AMSTERDAM, as_utc
from bot.handoff.delivery import Envelope, PermanentFailure, TemporaryFailure
from bot.handoff.delivery_smtp import SmtpTransport
from bot.handoff.delivery_telegram import TelegramTransport
from bot.handoff.outbox import enqueue_email
from bot.handoff.render import render_plain
from bot.handoff.schedule import QUIET_END, QUIET_START, in_quiet_hours, next_allowed  # noqa: F401 (re-exported)
from bot.handoff.summary import normalise_method
from bot.handoff.workdays import add_workdays, dutch_date
from bot.store.db import new_session
from bot.routing.counsellors import Counsellor
from bot.store.handoff_models import FollowUp, HandoffCase
from bot.store.leads import record_event, set_status
from bot.store.models import Lead, LeadEvent
from bot.store.statuses import AWAITING_CONTACT, CONTACT_MADE, IN_CONTACT, NO_CONTACT

log = logging.getLogger(__name__)

MAX_NUDGES = 2
SECOND_NUDGE_AFTER_WORKDAYS = 2
SECOND_NUDGE_AT = time(10, 0)
MAX_SEND_ATTEMPTS = 4


def reach_for(lead: Lead) -> Optional[Tuple[str, str]]:
    """Where we may message the person ourselves: their Telegram chat (they talked to our bot
    there) or their e-mail address. Phone/WhatsApp: the counsellor calls; we cannot nudge."""
    if lead.channel == "telegram" and lead.channel_ref:
        # The sender id is derived one-way from the chat id; the lead keeps the chat id itself.
        return "telegram", str(lead.channel_ref)
    if normalise_method(lead.contact_method) == "email" and "@" in str(lead.contact_value or ""):
        return "email", str(lead.contact_value)
    return None


def nudge_text(lead: Lead, case: HandoffCase, seq: int) -> Tuple[str, str]:
    """(subject, text) in B1 Dutch."""
    c = Counsellor.from_record(case.counsellor)
    who = c.first_name
    org = f" van {c.organisation}" if c.organisation else ""
    hi = f"Hoi {lead.first_name}!" if lead.first_name else "Hoi!"
    asked = dutch_date(as_utc(case.created_at))
    stop = "Wil je geen berichten meer van ons? Stuur dan: stop."
    ref = f"Je referentie is {lead.id}."
    if lead.status == NO_CONTACT:
        subject = f"{who} kon je niet bereiken"
        text = (f"{hi} {who}{org} heeft geprobeerd je te bereiken, maar dat lukte niet. "
                f"Kloppen je gegevens nog? Stuur ons je nieuwe nummer of e-mailadres, dan geven we het door. "
                f"{stop} {ref}")
    elif seq == 1:
        subject = f"Heeft {who} al contact met je gehad?"
        text = (f"{hi} Op {asked} vroeg je om contact met {who}{org}. "
                f"Heeft {who} al contact met je gehad? Antwoord met ja of nee. {stop} {ref}")
    else:
        subject = f"Nog één vraag: heeft {who} contact met je gehad?"
        text = (f"{hi} We vragen het nog één keer: heeft {who}{org} al contact met je gehad? "
                f"Antwoord met ja of nee. Dit is ons laatste bericht hierover. {ref}")
    return subject, text


class FollowupSender(Protocol):
    """Sends a nudge to the person; raises TemporaryFailure / PermanentFailure like transports."""

    def send(self, channel: str, address: str, subject: str, text: str, key: str) -> None: ...


class ChannelFollowupSender:
    """Telegram users via the Bot API, e-mail contacts via SMTP (same transports as the hand-off)."""

    def __init__(self, settings):
        self.settings = settings

    def send(self, channel: str, address: str, subject: str, text: str, key: str) -> None:
        if channel == "telegram":
            TelegramTransport(self.settings).send(Envelope(0, "", "nudge", channel, address, key,
                                                           {"chat_id": address, "text": text}))
        elif channel == "email":
            SmtpTransport(self.settings).send(Envelope(0, "", "nudge", channel, address, key,
                                                       {"to": address, "subject": subject, "text": text}))
        else:
            raise PermanentFailure(f"no follow-up sender for {channel}")


def opt_out(session: Session, lead_id: str, now: datetime) -> bool:
    """The person said "stop": no nudge is ever sent again (escalation to the coordinator stays,
    that is about the counsellor, not a message to the person)."""
    case = session.get(HandoffCase, lead_id)
    if case is None:
        return False
    if case.stopped_at is None:
        case.stopped_at = now
    session.execute(update(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.kind == "nudge",
                                           FollowUp.status == "scheduled")
                    .values(status="cancelled", outcome="person said stop", done_at=now))
    return True


def opt_out_conversation(database_url: str, conversation_id: str, now: datetime) -> bool:
    """"Stop" typed in the chat: finds this conversation's lead (if any) and opts it out.

    The chat only knows its sender id, so this is the entry point for the Rasa action."""
    with new_session(database_url) as session, session.begin():
        lead_id = session.execute(select(Lead.id).where(Lead.conversation_id == conversation_id)).scalar()
        return bool(lead_id) and opt_out(session, lead_id, now)


def record_person_reply(session: Session, lead_id: str, had_contact: bool, now: datetime,
                        text: Optional[str] = None) -> None:
    """The person answered a nudge. "ja" marks the lead contacted (no more nudges, no escalation);
    "nee" leaves it open so the escalation and the second nudge still happen. Either way the answer
    itself goes into the lead's trail, so the counsellor sees it in the workspace."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return
    answer = "ja" if had_contact else "nee"
    record_event(session, lead, "reply", "handoff:person", at=now, note=f"Antwoord op de vraag of er contact was: {answer}",
                 details={"answer": answer, "text": (text or "")[:200] or None})
    if had_contact and lead.status not in CONTACT_MADE:
        set_status(session, lead, IN_CONTACT, "handoff:person", at=now)


def open_nudge(session: Session, lead_id: str) -> Optional[FollowUp]:
    """The last nudge we sent, as long as the person has not answered it yet."""
    nudge = session.execute(select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.kind == "nudge",
                                                   FollowUp.status == "sent")
                            .order_by(FollowUp.done_at.desc(), FollowUp.id.desc())).scalars().first()
    if nudge is None:
        return None
    answered = session.execute(select(LeadEvent.id).where(
        LeadEvent.lead_id == lead_id, LeadEvent.kind == "reply", LeadEvent.at >= nudge.done_at)).first()
    return None if answered else nudge


def answer_nudge(database_url: str, conversation_id: str, had_contact: bool, text: Optional[str],
                 now: datetime, settings, coordinator_emails: Callable[[str], List[str]] = lambda region: []
                 ) -> Optional[str]:
    """"ja"/"nee" typed in the chat: when this conversation's lead has an open nudge, the answer is
    recorded and returned ("ja"/"nee"); otherwise None and the chat answers as it always does.

    A "nee" alerts the counsellor by e-mail (through the outbox), and past the promised date the
    region's coordinators too (``coordinator_emails(region_code)``, else the settings' address). The
    mails carry only the reference and the workspace link, never the person's data.
    """
    with new_session(database_url) as session, session.begin():
        lead = session.execute(select(Lead).where(Lead.conversation_id == conversation_id)).scalars().first()
        if lead is None or open_nudge(session, lead.id) is None:
            return None
        record_person_reply(session, lead.id, had_contact, now, text)
        if had_contact:
            return "ja"
        case = session.get(HandoffCase, lead.id)
        c = Counsellor.from_record(case.counsellor) if case else None
        link = f"{settings.public_base_url}/adviseur/lead/{lead.id}"
        suffix = f"reply-{int(now.timestamp())}"
        if c and c.email:
            enqueue_email(session, lead.id, "alert", c.email, f"Aanvraag {lead.id}: nog geen contact",
                          render_plain("reply_alert_email.txt.j2", lead_id=lead.id, name=c.first_name,
                                       late=False, link=link), now, suffix=suffix)
        if case is not None and now > as_utc(case.promised_by):
            region = (c.region_code if c else "") or lead.region_code or ""
            for n, to in enumerate(coordinator_emails(region) or [settings.coordinator_email_for(region)]):
                if to:
                    enqueue_email(session, lead.id, "alert", to, f"Aanvraag {lead.id}: te laat, nog geen contact",
                                  render_plain("reply_alert_email.txt.j2", lead_id=lead.id, name=None, late=True,
                                               link=link, counsellor=c.name if c else ""),
                                  now, suffix=f"{suffix}-coordinator-{n}")
        record_event(session, lead, "alert", "handoff:person", at=now,
                     note="Seintje gestuurd: de persoon zegt nog geen contact te hebben gehad")
        return "nee"


def _claim(session: Session, now: datetime, limit: int, lease: timedelta) -> List[int]:
    due = or_(and_(FollowUp.status == "scheduled", FollowUp.due_at <= now),
              and_(FollowUp.status == "sending", FollowUp.lease_until < now))
    with session.begin():
        query = select(FollowUp.id).where(due).order_by(FollowUp.due_at, FollowUp.id).limit(limit)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = session.execute(query).scalars().all()
        claimed = []
        for fid in ids:
            result = session.execute(update(FollowUp).where(FollowUp.id == fid, due)
                                     .values(status="sending", lease_until=now + lease)
                                     .execution_options(synchronize_session=False))
            if result.rowcount == 1:
                claimed.append(fid)
        return claimed


def process_due_followups(session_factory: Callable[[], Session], settings, now: datetime,
                          sender: FollowupSender, limit: int = 50) -> int:
    """Handle every follow-up that is due at ``now``; returns how many were handled."""
    with session_factory() as session:
        ids = _claim(session, now, limit, timedelta(seconds=settings.lease_seconds))
    for fid in ids:
        with session_factory() as session:
            with session.begin():
                fu = session.get(FollowUp, fid)
                lead = session.get(Lead, fu.lead_id) if fu else None
                case = session.get(HandoffCase, fu.lead_id) if fu else None
                if fu is None or lead is None or case is None:
                    continue
                action = _decide(fu, lead, case, now)
                if action == "escalate":
                    c = Counsellor.from_record(case.counsellor)
                    to = c.coordinator_email or settings.coordinator_email_for(c.region_code)
                    if not to:
                        _finish(fu, "failed", now, "no coordinator or fallback address")
                    else:
                        text = render_plain("escalation_email.txt.j2", lead_id=lead.id, region=c.region_name,
                                            promised=dutch_date(as_utc(case.promised_by)),
                                            counsellor_name=c.name, organisation=c.organisation,
                                            sent_on=dutch_date(as_utc(case.created_at)),
                                            key=f"gp-{lead.id}-escalation-email")
                        enqueue_email(session, lead.id, "escalation", to,
                                      f"Nog geen status voor aanvraag {lead.id}", text, now)
                        case.escalated_at = now
                        fu.channel = "email"
                        _finish(fu, "sent", now, f"escalated to coordinator {to}")
                    continue
                if action != "nudge":
                    continue
                reach = reach_for(lead)
                if reach is None:
                    _finish(fu, "not_reachable", now, f"not reachable proactively (channel {lead.channel}, "
                                                     f"contact {normalise_method(lead.contact_method)})")
                    continue
                subject, text = handover_text(lead, case) if fu.kind == "handover" else nudge_text(lead, case, fu.seq)
                channel, address = reach
                key = f"gp-{lead.id}-{fu.kind}-{fu.seq}"
            # send outside the transaction: a slow Bot API must not hold database locks
            try:
                sender.send(channel, address, subject, text, key)
                outcome, error = "sent", None
            except TemporaryFailure as exc:
                outcome, error = "retry", str(exc)
            except PermanentFailure as exc:
                outcome, error = "failed", str(exc)
            with session.begin():
                fu = session.get(FollowUp, fid)
                if fu is None:
                    continue
                fu.channel = channel
                fu.attempts += 1
                if outcome == "sent":
                    _finish(fu, "sent", now, f"delivered via {channel}")
                    if fu.kind == "nudge" and fu.seq < MAX_NUDGES:
                        local_day = now.astimezone(AMSTERDAM).date()
                        when = datetime.combine(add_workdays(local_day, SECOND_NUDGE_AFTER_WORKDAYS),
                                                SECOND_NUDGE_AT, tzinfo=AMSTERDAM)
                        session.add(FollowUp(lead_id=fu.lead_id, kind="nudge", seq=fu.seq + 1,
                                             due_at=as_utc(when), status="scheduled", attempts=0))
                elif outcome == "retry" and fu.attempts < MAX_SEND_ATTEMPTS:
                    fu.status, fu.outcome = "scheduled", f"retry: {error}"
                    fu.due_at = next_allowed(now + timedelta(minutes=15 * 2 ** (fu.attempts - 1)))
                else:
                    _finish(fu, "failed", now, error)
    return len(ids)


def _finish(fu: FollowUp, status: str, now: datetime, outcome: Optional[str]) -> None:
    fu.status, fu.outcome, fu.done_at, fu.lease_until = status, outcome, now, None


def handover_text(lead: Lead, case: HandoffCase) -> Tuple[str, str]:
    """(subject, text): told once, when a counsellor hands the lead to a colleague."""
    c = Counsellor.from_record(case.counsellor)
    org = f" van {c.organisation}" if c.organisation else ""
    hi = f"Hoi {lead.first_name}!" if lead.first_name else "Hoi!"
    return (f"Je adviseur is nu {c.first_name}",
            f"{hi} Je aanvraag is nu bij {c.name}{org}. {c.first_name} neemt contact met je op. "
            f"Je hoeft niets opnieuw te vertellen. Je referentie is {lead.id}.")


def _decide(fu: FollowUp, lead: Lead, case: HandoffCase, now: datetime) -> str:
    """Look at the lead *now*; returns nudge | escalate | done (row already finished)."""
    if fu.kind == "handover":
        if case.stopped_at is not None:
            _finish(fu, "cancelled", now, "person said stop")
            return "done"
        return "nudge"
    if fu.kind == "escalation":
        if case.escalated_at is not None:
            _finish(fu, "skipped", now, "already escalated")
            return "done"
        if lead.status not in AWAITING_CONTACT:
            _finish(fu, "skipped", now, f"counsellor set status {lead.status}")
            return "done"
        return "escalate"
    if case.stopped_at is not None:
        _finish(fu, "cancelled", now, "person said stop")
        return "done"
    if lead.status in CONTACT_MADE:
        _finish(fu, "skipped", now, f"lead status {lead.status}")
        return "done"
    if in_quiet_hours(now):
        fu.status, fu.due_at, fu.lease_until = "scheduled", next_allowed(now), None
        return "done"
    return "nudge"
