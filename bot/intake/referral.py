"""The one way a lead comes into being: resolve the chosen counsellor, make sure the lead store knows
the regions and counsellors it will reference, and insert the lead in one transaction.

It lives in the domain, not in the store, because it needs the counsellor registry; the store only
writes what it is given.
"""
from __future__ import annotations

from typing import Optional

from bot.routing.counsellors import Registry, load_registry
from bot.routing.regions import load_gazetteer
from bot.store.leads import LeadResult, NewLead, OnCreated, insert_lead, sync_reference_data


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
