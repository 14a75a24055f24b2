"""What a counsellor or coordinator does with a lead. Every action, in ONE transaction:

- writes the lead's one audit trail (``set_status`` for status changes, ``record_event`` otherwise),
  with the actor ``workspace:<user id>`` and the structured details the funnel counts;
- updates the follow-up schedule: contact, an appointment or closing cancels the nudges and the
  escalation still waiting; "could not reach" moves the next nudge to now (it then asks the person
  whether the contact details are right); a hand-over tells the person the new name once.

The same function serves the one-click links from the hand-off mail (``apply_link_status``), so the
link and the workspace record a status the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable, Dict, Mapping, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.handoff.clock import AMSTERDAM, as_utc
from bot.handoff.outbox import enqueue_email
from bot.handoff.schedule import next_allowed
from bot.routing.counsellors import Counsellor, load_registry
from bot.store.db import new_session
from bot.store.handoff_models import FollowUp, HandoffCase
from bot.store.leads import record_event, set_status
from bot.store.models import Lead
from bot.store.statuses import APPOINTMENT, CLOSED, IN_CONTACT, NO_CONTACT, OUTCOME_CHOICES, OUTCOMES
from bot.workspace.inbox import NotAllowed
from bot.workspace.users import User, colleagues, may_see

ACTIONS = ("in_contact", "appointment", "no_contact", "closed", "note", "handover", "reopen", "guardian_checked")
# issue 25 item 1: the counsellor spoke the parent or guardian herself; a line in the audit trail
GUARDIAN_CHECKED = "Ouder of verzorger gecontroleerd"
MAX_NOTE = 1000


class InvalidAction(ValueError):
    """The form was not filled in right; the message is Dutch and shown to the user as is."""


@dataclass(frozen=True)
class Done:
    message: str


def _appointment(form: Mapping[str, str]) -> Dict[str, str]:
    try:
        day = date.fromisoformat((form.get("date") or "").strip())
        at = time.fromisoformat((form.get("time") or "").strip())
    except ValueError:
        raise InvalidAction("Vul een datum en een tijd in voor de afspraak.") from None
    online = (form.get("online") or "") in ("1", "on", "ja")
    place = "online" if online else (form.get("place") or "").strip()[:200]
    if not place:
        raise InvalidAction("Vul een plaats in, of kies 'online'.")
    when = datetime.combine(day, at, tzinfo=AMSTERDAM)
    return {"at": as_utc(when).isoformat(), "place": place, "local": when.strftime("%d-%m-%Y %H:%M")}


def _cancel_open_followups(session, lead_id: str, now: datetime, why: str) -> None:
    session.execute(update(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.status == "scheduled",
                                           FollowUp.kind.in_(("nudge", "escalation")))
                    .values(status="cancelled", outcome=why, done_at=now)
                    .execution_options(synchronize_session=False))


def _nudge_now(session, lead_id: str, now: datetime) -> None:
    """Could not reach: the next nudge goes now (within allowed hours) and asks about the details."""
    waiting = session.execute(select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.kind == "nudge",
                                                     FollowUp.status == "scheduled")).scalars().first()
    if waiting is not None:
        waiting.due_at = next_allowed(now)
        return
    seq = (session.execute(select(func.max(FollowUp.seq)).where(FollowUp.lead_id == lead_id,
                                                                FollowUp.kind == "nudge")).scalar() or 0) + 1
    session.add(FollowUp(lead_id=lead_id, kind="nudge", seq=seq, due_at=next_allowed(now), status="scheduled",
                         attempts=0))


def _change(session, lead: Lead, status: str, actor: str, now: datetime, note: Optional[str] = None,
            details: Optional[dict] = None) -> None:
    changed = set_status(session, lead, status, actor, at=now, note=note, details=details)
    if not changed and (note or details):  # same status again (a second appointment): still in the trail
        record_event(session, lead, "status", actor, at=now, note=note, details=details)
    if status in (IN_CONTACT, APPOINTMENT, CLOSED):
        _cancel_open_followups(session, lead.id, now, f"counsellor set status {status}")
    elif status == NO_CONTACT:
        _nudge_now(session, lead.id, now)


def _handover(session, lead: Lead, user: User, form: Mapping[str, str], now: datetime, base_url: str) -> str:
    target_id = (form.get("to") or "").strip()
    region = user.region_code
    target = next((u for u in colleagues(region) if u.id == target_id and u.id != lead.counsellor_id), None)
    registry_entry = load_registry().by_id(target_id)
    if target is None or registry_entry is None:
        raise InvalidAction("Kies een collega uit je eigen regio.")
    before = lead.counsellor_name or ""
    lead.counsellor_id, lead.counsellor_name = target.id, target.name
    lead.organisation = registry_entry.organisation or lead.organisation
    case = session.get(HandoffCase, lead.id)
    if case is not None:
        # the promise keeps its date; only who keeps it changes
        case.counsellor = Counsellor.to_record(registry_entry)
        seq = (session.execute(select(func.max(FollowUp.seq)).where(FollowUp.lead_id == lead.id,
                                                                    FollowUp.kind == "handover")).scalar() or 0) + 1
        session.add(FollowUp(lead_id=lead.id, kind="handover", seq=seq, due_at=next_allowed(now),
                             status="scheduled", attempts=0))
    record_event(session, lead, "handover", f"workspace:{user.id}", at=now,
                 note=f"Overgedragen van {before} aan {target.name}",
                 details={"from": before, "to": target.id, "to_name": target.name})
    if target.email:
        enqueue_email(session, lead.id, "handover", target.email, f"Aanvraag {lead.id} is aan jou overgedragen",
                      f"Hallo {target.first_name},\n\n{user.name} heeft aanvraag {lead.id} aan jou overgedragen. "
                      f"Alles wat je nodig hebt staat in de werkplek:\n{base_url}/adviseur/lead/{lead.id}\n\n"
                      "De Gouden Poort\n", now, suffix=str(seq if case is not None else int(now.timestamp())))
    return f"Overgedragen aan {target.name}. We laten de jongere één keer weten wie nu contact opneemt."


def apply_action(database_url: str, user: User, lead_id: str, action: str, form: Mapping[str, str],
                 now: datetime, base_url: str = "") -> Optional[Done]:
    """None when the lead does not exist; raises NotAllowed / InvalidAction."""
    if action not in ACTIONS:
        raise InvalidAction("Deze actie bestaat niet.")
    actor = f"workspace:{user.id}"
    with new_session(database_url) as session, session.begin():
        lead = session.get(Lead, lead_id, with_for_update=session.bind.dialect.name == "postgresql")
        if lead is None:
            return None
        if not may_see(user, lead):
            raise NotAllowed(lead_id)
        note = re.sub(r"\s+", " ", (form.get("note") or "")).strip()[:MAX_NOTE] or None
        if lead.status == CLOSED and action not in ("reopen", "note", "guardian_checked"):
            raise InvalidAction("Deze aanvraag is afgesloten. Kies eerst 'Heropenen'.")
        if action == "in_contact":
            _change(session, lead, IN_CONTACT, actor, now, note)
            return Done("Genoteerd: je hebt contact gehad.")
        if action == "appointment":
            details = _appointment(form)
            _change(session, lead, APPOINTMENT, actor, now,
                    note or f"Afspraak op {details['local']}, {details['place']}", details)
            return Done(f"Afspraak genoteerd: {details['local']}, {details['place']}.")
        if action == "no_contact":
            _change(session, lead, NO_CONTACT, actor, now, note)
            return Done("Genoteerd: geen contact gekregen. We vragen de jongere of de gegevens kloppen.")
        if action == "closed":
            outcome = (form.get("outcome") or "").strip()
            if outcome not in OUTCOME_CHOICES:
                raise InvalidAction("Kies hoe de aanvraag is afgelopen.")
            lead.outcome = outcome
            _change(session, lead, CLOSED, actor, now, note or f"Afgesloten: {OUTCOMES[outcome]}",
                    {"outcome": outcome})
            return Done(f"Afgesloten: {OUTCOMES[outcome]}.")
        if action == "reopen":
            if lead.status != CLOSED:
                raise InvalidAction("Deze aanvraag is niet afgesloten.")
            lead.outcome = None
            _change(session, lead, IN_CONTACT, actor, now, note or "Heropend", {"reopened": True})
            return Done("Heropend. Je kunt weer acties vastleggen.")
        if action == "guardian_checked":
            if lead.consent_basis != "guardian":
                raise InvalidAction("Bij deze aanvraag gaf de jongere zelf toestemming.")
            record_event(session, lead, "guardian_checked", actor, at=now,
                         note=f"{GUARDIAN_CHECKED}: {note}" if note else GUARDIAN_CHECKED)
            return Done("Genoteerd: je hebt de ouder of verzorger gecontroleerd.")
        if action == "note":
            if not note:
                raise InvalidAction("Schrijf eerst een notitie.")
            record_event(session, lead, "note", actor, at=now, note=note)
            return Done("Notitie bewaard.")
        return Done(_handover(session, lead, user, form, now, base_url))


def apply_link_status(database_url: str, lead_id: str, status: str, now: datetime,
                      claim: Callable[[Session], bool] = lambda session: True) -> str:
    """A one-click link from the hand-off mail: the same status change (and schedule update) as in
    the workspace, with actor ``handoff:link``. ``claim(session)`` marks the link used in the same
    transaction (False: used already). Returns "ok", "used" or "missing"."""
    with new_session(database_url) as session, session.begin():
        lead = session.get(Lead, lead_id, with_for_update=session.bind.dialect.name == "postgresql")
        if lead is None:
            return "missing"
        if not claim(session):
            return "used"
        _change(session, lead, status, "handoff:link", now)
    return "ok"
