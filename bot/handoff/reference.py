"""Keep the reference (issue 26 item 7): after the hand-off the person may have the reference and the
promise sent to them, once, and only to where we may write to them ourselves (``followup.reach_for``):
the e-mail address they gave, if they chose e-mail, or their Telegram chat with our bot. Phone or
WhatsApp: we have no way to write, so the chat says so and the person writes the reference down.

It goes through the outbox like every other message (retries, dead letters, an alert when it fails).
The idempotency key ``gp-<lead>-reference-<channel>`` is unique: a second press sends nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select

from bot.handoff.followup import reach_for
from bot.handoff.outbox import enqueue_email, idempotency_key
from bot.handoff.promise import confirmation_text
from bot.handoff.render import render_plain
from bot.store.db import new_session
from bot.store.handoff_models import HandoffCase, OutboxMessage
from bot.store.models import Lead

KIND = "reference"
SENT, ALREADY, CANNOT, NO_LEAD = "sent", "already", "cannot", "no_lead"


@dataclass(frozen=True)
class Outcome:
    kind: str                       # SENT | ALREADY | CANNOT | NO_LEAD
    reference: str = ""
    channel: str = ""               # email | telegram when there is a way to write
    address: str = ""               # where it went (shown masked in the chat)
    promise: str = ""


def mask(channel: str, address: str) -> str:
    """What the chat may show of the address: "k…@gmail.com", Telegram: "je Telegram-chat"."""
    if channel != "email" or "@" not in address:
        return ""
    local, domain = address.split("@", 1)
    return f"{local[:1]}…@{domain}"


def promise_of(session, lead: Lead) -> str:
    case = session.get(HandoffCase, lead.id)
    counsellor = case.counsellor if case is not None else {"name": lead.counsellor_name or "je adviseur",
                                                            "organisation": lead.organisation or ""}
    return confirmation_text(lead.id, counsellor, lead.contact_method, lead.created_at)


def send_reference(database_url: str, conversation_id: str, now: datetime, english: bool = False,
                   translate=None) -> Outcome:
    """Queues the reference and the promise for this conversation's lead, at most once per lead.
    ``translate``: turns the Dutch promise into the person's language (the action passes it)."""
    with new_session(database_url) as session, session.begin():
        lead = session.execute(select(Lead).where(Lead.conversation_id == conversation_id)).scalars().first()
        if lead is None:
            return Outcome(NO_LEAD)
        promise = promise_of(session, lead)
        if english and translate is not None:
            promise = translate(promise) or promise
        reach = reach_for(lead)
        if reach is None:
            return Outcome(CANNOT, lead.id, promise=promise)
        channel, address = reach
        key = idempotency_key(lead.id, KIND, channel)
        if session.execute(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
            return Outcome(ALREADY, lead.id, channel, address, promise)
        text = render_plain("reference_person.txt.j2", promise=promise, reference=lead.id, english=english)
        subject = (f"Your request at the Gouden Poort: {lead.id}" if english
                   else f"Je aanvraag bij de Gouden Poort: {lead.id}")
        if channel == "email":
            enqueue_email(session, lead.id, KIND, address, subject, text, now)
        else:
            session.add(OutboxMessage(lead_id=lead.id, kind=KIND, channel="telegram", recipient=address,
                                      idempotency_key=key, payload={"chat_id": address, "text": text},
                                      status="pending", attempts=0, next_attempt_at=now, created_at=now))
        return Outcome(SENT, lead.id, channel, address, promise)
