"""Transactional outbox: the hand-off messages are rows written in the lead's own transaction.

Either the lead and all its messages commit together, or neither does; the worker delivers later.
Nothing is sent from inside the request, so a crash between commit and send only delays delivery.

Integration: the intake's lead creation calls ``on_created(session, lead, counsellor)``; wire it as
``lambda s, lead, c: enqueue_handoff(s, lead, c, extra)``.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timezone
from typing import Any, List, Mapping, Optional, Union

from sqlalchemy.orm import Session

from bot.handoff.clock import as_utc
from bot.handoff.schedule import schedule_for_case
from bot.handoff.links import status_links
from bot.store.handoff_models import HandoffCase, OutboxMessage
from bot.store.leads import record_event, same_contact_leads
from bot.store.models import Lead
from bot.handoff.render import render_email, render_telegram, webhook_body
from bot.handoff.settings import HandoffSettings, load_handoff_settings
from bot.handoff.summary import build_summary, same_contact_text
from bot.handoff.workdays import promised_by
from bot.routing.counsellors import Counsellor

log = logging.getLogger(__name__)


def idempotency_key(lead_id: str, kind: str, channel: str, suffix: str = "") -> str:
    """Deterministic per (lead, kind, channel): enqueueing twice violates the unique constraint
    instead of sending twice, and the receiver sees the same key on every retry."""
    key = f"gp-{lead_id}-{kind}-{channel}"
    return f"{key}-{suffix}" if suffix else key


def conversation_url(settings: HandoffSettings, lead: Any) -> Optional[str]:
    """Only when a conversation viewer is configured; a dead link would cost the counsellor time."""
    if not settings.conversation_url_template:
        return None
    return settings.conversation_url_template.format(lead_id=lead.id,
                                                     conversation_id=lead.conversation_id or "")


def enqueue_handoff(session: Session, lead: Lead, counsellor: Union[Counsellor, Mapping[str, Any]], extra: Optional[Mapping[str, Any]] = None, *,
                    settings: Optional[HandoffSettings] = None, now: Optional[datetime] = None
                    ) -> List[OutboxMessage]:
    """Build the summary and add one outbox row per delivery channel of ``counsellor``, plus the
    follow-up schedule, to ``session``. Does not commit: the caller's transaction decides.

    ``counsellor``: the registry's ``Counsellor`` or a snapshot dict (see ``Counsellor.from_record``). ``extra``: see ``summary``.
    A counsellor without any channel gets the message by e-mail at the coordinator or fallback
    address instead, so the lead never silently waits for nobody.
    """
    settings = settings or load_handoff_settings()
    c = Counsellor.from_record(counsellor)
    if lead.id is None or lead in session.new:
        session.flush()  # assigns the GP-reference and inserts the lead before rows that point at it
    created = as_utc(lead.created_at or now or datetime.now(timezone.utc))
    now = as_utc(now or created)
    extra = _with_earlier_requests(session, lead, c, extra, now)
    summary = build_summary(lead, c, extra, now=now, promise_workdays=settings.promise_workdays,
                            retention_months=settings.retention_months,
                            conversation_url=conversation_url(settings, lead))
    links = status_links(settings, lead.id, now)
    rows: List[OutboxMessage] = []

    channels = c.channels()
    if not channels:
        rescue = c.coordinator_email or settings.coordinator_email_for(c.region_code or lead.region_code or "")
        log.error("counsellor %r has no delivery channel; lead %s goes to %s", c.name, lead.id, rescue or "nobody")
        channels = ["email"]
        c = dataclasses.replace(c, email=rescue)

    for channel in channels:
        key = idempotency_key(lead.id, "handoff", channel)
        if channel == "email":
            subject, text, html = render_email(summary, links, key)
            recipient, payload = c.email, {"to": c.email, "subject": subject, "text": text, "html": html}
        elif channel == "telegram":
            recipient, payload = c.telegram_chat_id, {"chat_id": c.telegram_chat_id,
                                                      "text": render_telegram(summary, links, key)}
        else:
            recipient = c.webhook_url
            # the secret is looked up at send time (GP_WEBHOOK_SECRET…) unless the caller passed one
            payload = {"url": c.webhook_url, "secret": c.webhook_secret, "counsellor_id": c.id,
                       "body": webhook_body(summary, links, key)}
        row = OutboxMessage(lead_id=lead.id, kind="handoff", channel=channel, recipient=recipient or "",
                            idempotency_key=key, payload=payload, status="pending", attempts=0,
                            next_attempt_at=now, created_at=now)
        session.add(row)
        rows.append(row)

    deadline = as_utc(promised_by(created, settings.promise_workdays))
    case = HandoffCase(lead_id=lead.id, counsellor=c.to_record(),
                       promised_by=deadline, created_at=now, summary=summary)
    session.add(case)
    schedule_for_case(session, case)
    return rows


def _with_earlier_requests(session: Session, lead: Lead, c: Counsellor, extra: Optional[Mapping[str, Any]],
                           now: datetime) -> Optional[Mapping[str, Any]]:
    """The same contact details came in before (another conversation or device): the chat treated it
    as a new request, so as not to tell a stranger who typed them anything (issue 22 item 2). The
    counsellors sort it out: this hand-off names the earlier request, and the earlier lead's audit
    trail (its counsellor's workspace) names this one."""
    earlier = same_contact_leads(session, lead)
    if not earlier:
        return extra
    extra = dict(extra or {})
    extra["attention"] = list(extra.get("attention") or []) + [same_contact_text(e) for e in earlier[-3:]]
    for e in earlier:
        record_event(session, e, "alert", "bot", at=now,
                     note=(f"Met dezelfde contactgegevens kwam een nieuwe aanvraag binnen: {lead.id}, bij "
                           f"{c.name}{' van ' + c.organisation if c.organisation else ''}. Stem af wie contact opneemt."))
    return extra


def enqueue_email(session: Session, lead_id: Optional[str], kind: str, to: str, subject: str, text: str,
                  now: datetime, suffix: str = "", guardian_request_id: Optional[str] = None) -> OutboxMessage:
    """Escalations, alerts and the guardian's consent mail go through the same outbox, so they get
    the same retries. A message belongs to a lead or, before there is one, to a guardian request."""
    key = idempotency_key(lead_id or guardian_request_id or "", kind, "email", suffix)
    row = OutboxMessage(lead_id=lead_id, guardian_request_id=guardian_request_id, kind=kind, channel="email",
                        recipient=to, idempotency_key=key,
                        payload={"to": to, "subject": subject, "text": text, "html": None},
                        status="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    return row
