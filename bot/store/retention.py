"""Keep nothing without consent: the tracker purge and the lead retention, in one idempotent run.

Everything a person types lands in Rasa's tracker store the moment they send it, long before the
consent question: first name, age, postcode, phone number, free text. Only a lead (stored after
"Ja, versturen") gives us a reason to keep any of it. So :func:`purge` applies seven rules:

1. **Ended without a lead** (stop, "nee" at the consent question, the under-16 info route, no
   counsellor available): the action calls :func:`mark_ended`, which puts the conversation in
   ``tracker_erasures`` with ``kind`` "ended" — the same table and the same sweep as an erasure
   request, because the same trap applies: Rasa saves the events of the current turn *after* the
   action returns, and its SQL tracker store re-inserts every event of the session it finds missing,
   so a delete inside the action would be undone. The sweep therefore waits until ``sweep_until``
   (the end plus :data:`ENDED_SETTLE`, long after Rasa has saved that turn) and then deletes the
   conversation. If the person came back in the meantime (a user message after the end), the mark is
   dropped and rule 2 applies to the whole conversation; if they became a lead, rule 4 does.
2. **Inactive**: a conversation without a lead whose last event is older than
   ``GP_TRACKER_INACTIVITY_HOURS`` (default 24) is deleted. This catches everyone who just closes the
   tab, and everything typed after an end.
3. **Erasure requests** still pending (bot.store.erasure) are swept again.
4. **Leads** older than ``GP_LEAD_RETENTION_MONTHS`` are removed with their consent record, hand-off
   rows (cascade) and their conversation in the tracker store.
5. **Guardian requests** of under-16s that no parent or guardian confirmed within
   ``GP_GUARDIAN_CONFIRM_DAYS`` (default 7) are deleted with their mail in the outbox and their
   conversation (bot.store.guardian), as the bot told the young person.
6. **Workspace rows** (bot.workspace, :func:`purge_workspace`): sign-in links a day after they were
   used or expired, sessions once they ended (sign-out, ``GP_WORKSPACE_IDLE_MINUTES`` without a click,
   ``GP_WORKSPACE_SESSION_HOURS`` in any case), used one-click status links once the link has expired
   anyway (its own signed expiry, stored with the record since revision 0131), and the view log (who opened which lead)
   after ``GP_LEAD_RETENTION_MONTHS``, the accountability period.
7. **Unanswered questions** of the funnel (``analytics_unanswered``, redacted before they were
   stored) go 90 days after the first question of their group (:data:`UNANSWERED_DAYS`).

Delete, not redact. We delete the conversation's events instead of blanking texts and slot values:
personal data sits in many places of an event (the user's text, the NLU parse with its entities,
slot values, bot messages that repeat it such as the consent preview, "Bedoel je Laren?" buttons,
form validation results), and a redactor has to know every one of them, today and after every
Rasa upgrade; a missed field is a silent leak. Deleting is complete by construction, and nothing of
value is lost: the funnel's counts come from Rasa's event broker, never from trackers, and a person who comes back simply starts a new
conversation. What remains is an anonymous count per month in ``erasure_stats`` ("ended",
"inactive", "retention").

The run is idempotent (a second run finds nothing), safe with several workers (every statement is
"delete what is still there"), and reports counts, never contents or conversation ids.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, List, Optional, Sequence, Set

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.ops.config import load_env
from bot.store.db import checkpoint, new_session
from bot.store.guardian import purge_expired_requests
from bot.store.erasure import (_count, _delete_leads, broker_events_url, delete_conversation, delete_tracker_events,
                               disclosed_in, inactivity_hours, retention_months, tracker_events_engine)
from bot.store.analytics_models import UnansweredQuestion
from bot.store.handoff_models import OutboxMessage
from bot.store.models import Lead, TrackerErasure, utcnow
from bot.store.person_checks import purge_checks
from bot.store.workspace_models import LeadView, LoginToken, UsedStatusLink, WorkspaceSession

log = logging.getLogger(__name__)

# How long after the end of a conversation the sweep waits before deleting it: Rasa has saved the
# last turn long before that, so nothing is written back after the delete.
ENDED_SETTLE = timedelta(seconds=30)
UNANSWERED_DAYS = 90
_BATCH = 500
# A used or expired sign-in link is kept this long (a counsellor who clicks it again an hour later is
# told "al gebruikt of verlopen" instead of "klopt niet"); it can no longer sign anyone in.
SIGN_IN_LINK_GRACE = timedelta(days=1)


@dataclass
class PurgeReport:
    """Counts only: how many conversations and leads one run removed, never which."""
    ended: int = 0            # conversations deleted after they ended without a lead
    inactive: int = 0         # conversations deleted after GP_TRACKER_INACTIVITY_HOURS without a lead
    came_back: int = 0        # end marks dropped: the person wrote again (rule 2 applies)
    kept_for_lead: int = 0    # end marks dropped: the conversation became a lead (rule 4 applies)
    expired_leads: int = 0    # leads past GP_LEAD_RETENTION_MONTHS, with their conversation
    erasure_events: int = 0   # tracker events removed by pending erasure sweeps
    guardian_expired: int = 0  # under-16 requests no guardian confirmed in time, with mail and conversation
    workspace: int = 0        # workspace rows: old sign-in links, ended sessions, expired used links, old views
    unanswered: int = 0       # groups of unanswered questions older than UNANSWERED_DAYS

    def __str__(self) -> str:
        return (f"{self.ended} beëindigde en {self.inactive} inactieve gesprekken zonder aanvraag gewist, "
                f"{self.expired_leads} aanvraag/aanvragen na de bewaartermijn verwijderd, "
                f"{self.guardian_expired} onbevestigde aanvraag/aanvragen van onder-16'ers gewist, "
                f"{self.workspace} verlopen regel(s) van de werkplek opgeruimd, "
                f"{self.unanswered} groep(en) onbeantwoorde vragen na {UNANSWERED_DAYS} dagen gewist "
                f"({self.came_back} gesprek(ken) weer actief, {self.kept_for_lead} werd(en) een aanvraag)")

    def as_dict(self) -> dict:
        return asdict(self)


def _aware(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; we store UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _chunks(items: Sequence[str], size: int = _BATCH) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def conversations_to_keep(session: Session, sender_ids: Sequence[str]) -> Set[str]:
    """The conversations among ``sender_ids`` that the purge must leave alone: those that became a
    lead (whatever its status). They follow the lead's retention instead."""
    keep: Set[str] = set()
    for batch in _chunks(list(sender_ids)):
        keep.update(c for (c,) in session.execute(select(Lead.conversation_id).where(Lead.conversation_id.in_(batch))))
    return keep


def mark_ended(database_url: str, sender_id: str, now: Optional[datetime] = None) -> None:
    """The conversation ended without a lead: have the sweep delete it once the turn is saved.

    A later end moves the mark (it waits for the last end); a pending erasure request is left as it
    is, because it is stronger. Called from the actions; never raises into the conversation.
    """
    now = now or utcnow()
    for _attempt in range(2):
        try:
            with new_session(database_url) as session, session.begin():
                pending = session.get(TrackerErasure, sender_id)
                if pending is None:
                    session.add(TrackerErasure(sender_id=sender_id, kind="ended", requested_at=now,
                                               sweep_until=now + ENDED_SETTLE))
                elif pending.kind == "ended":
                    pending.requested_at, pending.sweep_until = now, now + ENDED_SETTLE
            return
        except IntegrityError:  # a concurrent mark for the same conversation won: update that one
            continue
        except Exception:  # pragma: no cover - the inactivity rule still removes it within the period
            log.exception("could not mark a conversation as ended")
            return


def _came_back(tracker_store_url: Optional[str], sender_id: str, since: datetime) -> bool:
    engine = tracker_events_engine(tracker_store_url)
    if engine is None:
        return False
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT 1 FROM events WHERE sender_id = :s AND type_name = 'user' AND timestamp > :t LIMIT 1"),
            {"s": sender_id, "t": since.timestamp()}).first() is not None


def sweep(database_url: str, tracker_store_url: Optional[str], now: Optional[datetime] = None,
          at_once: bool = False, report: Optional[PurgeReport] = None) -> PurgeReport:
    """Works through ``tracker_erasures``: erasure requests (delete, forget after their window) and
    ended conversations (delete after the settle time, or now when ``at_once``).

    ``at_once`` (``python -m bot leads purge``) deletes ended conversations without waiting, but
    keeps their mark until the settle time is over, so a turn Rasa was still saving is swept again by
    the next run.
    """
    now = now or utcnow()
    report = report or PurgeReport()
    ended = 0
    with new_session(database_url) as session, session.begin():
        rows: List[TrackerErasure] = session.execute(select(TrackerErasure)).scalars().all()
        keep = conversations_to_keep(session, [r.sender_id for r in rows if r.kind == "ended"])
        for row in rows:
            settled = _aware(row.sweep_until) <= now
            if row.kind == "ended":
                if row.sender_id in keep:
                    session.delete(row)
                    report.kept_for_lead += 1
                    continue
                if _came_back(tracker_store_url, row.sender_id, _aware(row.requested_at)):
                    session.delete(row)
                    report.came_back += 1
                    continue
                if not (settled or at_once):
                    continue
                delete_conversation(tracker_store_url, row.sender_id)
                if settled:
                    session.delete(row)
                    ended += 1
            else:
                report.erasure_events += delete_conversation(tracker_store_url, row.sender_id)
                if settled:
                    session.delete(row)
        _count(session, "ended", ended, now)
    report.ended += ended
    return report


def purge_inactive(database_url: str, tracker_store_url: Optional[str], cutoff: datetime,
                   now: Optional[datetime] = None) -> int:
    """Deletes every conversation without a lead whose last event is older than ``cutoff``.

    The delete re-checks "nothing newer than the cutoff" in the same statement, so a person who
    writes again between our look-up and the delete keeps their conversation.
    """
    engine = tracker_events_engine(tracker_store_url)
    if engine is None:
        return 0
    now = now or utcnow()
    with engine.connect() as conn:
        quiet = [s for (s,) in conn.execute(text(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :c"),
            {"c": cutoff.timestamp()})]
    if not quiet:
        return 0
    with new_session(database_url) as session:
        keep = conversations_to_keep(session, quiet)
    doomed = [s for s in quiet if s not in keep]
    statement = text(
        "DELETE FROM events WHERE sender_id = :s AND NOT EXISTS "
        "(SELECT 1 FROM events recent WHERE recent.sender_id = :s AND recent.timestamp >= :c)")
    purged, gone = 0, []
    for batch in _chunks(doomed):
        with engine.begin() as conn:
            for sender in batch:
                if conn.execute(statement, {"s": sender, "c": cutoff.timestamp()}).rowcount:
                    purged += 1
                    gone.append(sender)
    broker = broker_events_url()
    for sender in gone if broker else ():
        delete_tracker_events(broker, sender)
    with new_session(database_url) as session, session.begin():
        _count(session, "inactive", purged, now)
    return purged


def purge_expired_leads(database_url: str, tracker_store_url: Optional[str] = None,
                        months: Optional[int] = None, now: Optional[datetime] = None) -> int:
    """Retention rule: leads (with consent, hand-off rows and conversation) older than ``months``."""
    now = now or utcnow()
    months = months or retention_months()
    cutoff = retention_cutoff(now, months)
    with new_session(database_url) as session, session.begin():
        rows = session.execute(select(Lead.id, Lead.conversation_id).where(Lead.created_at < cutoff)).all()
        lead_ids = [r[0] for r in rows]
        conversations = [r[1] for r in rows] + disclosed_in(session, lead_ids)
        _delete_leads(session, lead_ids, conversations)
        _count(session, "retention", len(lead_ids), now)
        # unused codes for erasure/access live minutes, a contact's failures and lock a day
        purge_checks(session, now)
    for conversation in conversations:
        if conversation:
            delete_conversation(tracker_store_url, conversation)
    return len(lead_ids)


def retention_cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


def purge_workspace(database_url: str, now: Optional[datetime] = None, *, idle: Optional[timedelta] = None,
                    session_max: Optional[timedelta] = None, link_max_age: Optional[timedelta] = None,
                    view_months: Optional[int] = None) -> int:
    """Rule 6: what the workspace (``bot.workspace``) no longer needs; returns the rows removed.

    Periods default to the settings the workspace itself uses, so a session is removed exactly when
    ``current_user`` would refuse it anyway. A used status link is kept while the link itself could
    still be valid: it expires ``GP_LINK_MAX_AGE_DAYS`` after the mail, which was before its use.
    """
    now = now or utcnow()
    env = load_env()
    idle = idle or timedelta(minutes=env.workspace_idle_minutes)
    session_max = session_max or timedelta(hours=env.workspace_session_hours)
    link_max_age = link_max_age or timedelta(days=env.link_max_age_days)
    view_months = view_months or retention_months()
    removed = 0
    with new_session(database_url) as session, session.begin():
        grace = now - SIGN_IN_LINK_GRACE
        removed += session.execute(delete(LoginToken).where(
            (LoginToken.expires_at < grace) | (LoginToken.used_at < grace))).rowcount
        removed += session.execute(delete(WorkspaceSession).where(
            WorkspaceSession.ended_at.isnot(None) | (WorkspaceSession.last_seen_at < now - idle)
            | (WorkspaceSession.created_at < now - session_max))).rowcount
        # a used link's record goes once the link's own signed expiry has passed; rows from before
        # revision 0131 have no expiry and fall back to "max age after use"
        removed += session.execute(delete(UsedStatusLink).where(
            (UsedStatusLink.expires_at < now)
            | (UsedStatusLink.expires_at.is_(None) & (UsedStatusLink.used_at < now - link_max_age)))).rowcount
        removed += session.execute(delete(LeadView).where(LeadView.at < retention_cutoff(now, view_months))).rowcount
        # the sign-in mail in the outbox (the address, and until delivery the link): its link works 15
        # minutes, so a day after it was asked nothing needs it (issue 25: they survived every purge)
        removed += session.execute(delete(OutboxMessage).where(
            OutboxMessage.kind == "signin", OutboxMessage.created_at < grace)).rowcount
    return removed


def purge_unanswered(database_url: str, now: Optional[datetime] = None) -> int:
    """Rule 7: the funnel's redacted unanswered questions, 90 days after their group's first one."""
    now = now or utcnow()
    with new_session(database_url) as session, session.begin():
        return session.execute(delete(UnansweredQuestion).where(
            UnansweredQuestion.first_seen < now - timedelta(days=UNANSWERED_DAYS))).rowcount or 0


def purge(database_url: str, tracker_store_url: Optional[str], now: Optional[datetime] = None,
          inactivity: Optional[timedelta] = None, months: Optional[int] = None, at_once: bool = False,
          lookahead: timedelta = timedelta(0)) -> PurgeReport:
    """All six rules, in the order that never deletes something another rule still needs.

    ``lookahead``: the worker passes its interval, so a conversation that will pass the inactivity
    limit before the next run is removed now — "binnen 24 uur" then holds to the minute.
    """
    now = now or utcnow()
    inactivity = inactivity or timedelta(hours=inactivity_hours())
    report = PurgeReport()
    report.expired_leads = purge_expired_leads(database_url, tracker_store_url, months, now)
    report.guardian_expired = purge_expired_requests(database_url, tracker_store_url, now)
    sweep(database_url, tracker_store_url, now, at_once=at_once, report=report)
    report.inactive = purge_inactive(database_url, tracker_store_url, now - inactivity + lookahead, now)
    report.workspace = purge_workspace(database_url, now)
    report.unanswered = purge_unanswered(database_url, now)
    checkpoint(database_url, tracker_store_url, broker_events_url())
    if (report.ended or report.inactive or report.expired_leads or report.guardian_expired
            or report.workspace or report.unanswered):
        log.info("purge: %s", report)
    return report


def hours_text(hours: int) -> str:
    """"24 uur", "2 dagen": how the bot and /privacy name the inactivity period."""
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} dagen"
    return f"{hours} uur"


def months_text(months: int) -> str:
    return "1 maand" if months == 1 else f"{months} maanden"


def periods() -> dict:
    """The periods as the bot and the privacy page say them, read from the settings."""
    return {"inactivity": hours_text(inactivity_hours()), "lead_retention": months_text(retention_months())}
