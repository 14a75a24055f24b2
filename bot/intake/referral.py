"""The one way a lead comes into being: resolve the chosen counsellor, make sure the lead store knows
the regions and counsellors it will reference, and insert the lead in one transaction.

It lives in the domain, not in the store, because it needs the counsellor registry; the store only
writes what it is given.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping, Optional, Tuple

from bot.routing.counsellors import Registry, load_registry
from bot.routing.regions import load_gazetteer
from bot.store.guardian import asks_from_client_since
from bot.store.leads import LeadResult, NewLead, OnCreated, insert_lead, leads_from_client_since, sync_reference_data


def create_lead(database_url: str, data: NewLead, on_created: Optional[OnCreated] = None,
                registry: Optional[Registry] = None) -> LeadResult:
    """Stores the lead for ``data.counsellor_id``; see :func:`bot.store.leads.insert_lead`."""
    if not data.consent:
        raise ValueError("a lead is only stored with the person's (or their guardian's) consent")
    registry = registry or load_registry()
    counsellor = registry.by_id(data.counsellor_id or "")
    if counsellor is None:
        raise ValueError(f"unknown counsellor id {data.counsellor_id!r}")
    sync_registry(database_url, registry)
    return insert_lead(database_url, data, counsellor, on_created)


def sync_registry(database_url: str, registry: Registry) -> None:
    """Copies the CBS regions and the counsellors as loaded into the lead store (once per version)."""
    regions = [(r.code, r.name) for r in load_gazetteer().regions.values()]
    sync_reference_data(database_url, f"{id(registry)}:{registry.version}", regions, registry.counsellors)


def origin_from_metadata(metadata: Optional[Mapping[str, Any]], channel: str) -> Tuple[Optional[str], Optional[str]]:
    """(client_key, channel_ref) from the message metadata our gateway channel let through: the
    pseudonymous client key, and for Telegram the chat id the follow-up needs."""
    metadata = metadata or {}
    key = metadata.get("client_key") if isinstance(metadata.get("client_key"), str) else None
    chat = metadata.get("telegram_chat_id") if channel == "telegram" else None
    return key, (str(chat) if chat else None)


def lead_limit_reached(database_url: str, client_key: Optional[str], per_day: int, now: datetime) -> bool:
    """Leads per client address per day: a script must not fill every counsellor's capacity (or enter
    someone else's phone number over and over). A mail to a parent or guardian counts as one too
    (issue 22 item 4: as a "14-year-old", one address had strangers mailed without any limit), and so
    does the lead it becomes, which carries the client key. Without a client key (local tools) there
    is no limit."""
    if not client_key or per_day <= 0:
        return False
    since = now - timedelta(days=1)
    return (leads_from_client_since(database_url, client_key, since)
            + asks_from_client_since(database_url, client_key, since)) >= per_day
