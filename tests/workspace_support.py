"""Leads for the workspace tests, created the way the intake creates them (``create_lead`` with the
hand-off's ``enqueue_handoff`` in the same transaction), for counsellors of the real registry."""
from __future__ import annotations

import uuid
from datetime import timedelta

from bot.handoff.outbox import enqueue_handoff
from bot.intake.referral import create_lead
from bot.store.leads import NewLead
from bot.store.models import utcnow
from bot.workspace.settings import WorkspaceSettings
from bot.workspace.users import user_by_id
from tests.handoff_support import make_settings

SANNE, JEROEN, FLEUR = "am24-sanne", "am24-jeroen", "am25-fleur"   # Zeeland, Zeeland, West-Brabant
ZEELAND_COORDINATOR = "am24-coordinator"


def workspace_settings(url: str, tmp_path, **handoff) -> WorkspaceSettings:
    return WorkspaceSettings(handoff=make_settings(url, tmp_path, **handoff))


def new_lead(url: str, settings: WorkspaceSettings, counsellor_id: str = SANNE, *, first_name: str = "Sam",
             channel: str = "rest", conversation_id: str = "", contact=("email", None)) -> str:
    method, value = contact
    conversation_id = conversation_id or f"conv-{uuid.uuid4().hex[:10]}"
    value = value or f"{conversation_id}@example.org"
    data = NewLead(conversation_id=conversation_id, channel=channel, consent=True, consent_text="Mag ik dit sturen?",
                   consent_text_version="2026-11-v1", first_name=first_name, age_band="16-17", situation="school",
                   interests=["bouw"], postcode="4331", gemeente_name="Middelburg", region_code="AM24",
                   region_name="Zeeland", counsellor_id=counsellor_id, routing_rule="own_region",
                   routing_reason="test", contact_method=method, contact_value=value, contact_time="middag")
    result = create_lead(url, data, on_created=lambda s, lead, c: enqueue_handoff(s, lead, c, settings=settings.handoff))
    return result.id


def user(user_id: str):
    return user_by_id(user_id)


def later(days: float = 0, hours: float = 0):
    return utcnow() + timedelta(days=days, hours=hours)
