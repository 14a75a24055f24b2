"""Who may use the workspace, and what they may see: the registry's counsellors and coordinators.

A counsellor sees the leads assigned to her; a coordinator sees every lead of a counsellor in her
region. Nobody sees another region's personal data: the web layer answers 403.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import false

from bot.routing.counsellors import Registry, load_registry
from bot.store.models import Lead

COUNSELLOR, COORDINATOR, NATIONAL = "counsellor", "coordinator", "national"
# who sees the funnel (bot.analytics): a coordinator her region, the national role every region
FUNNEL_ROLES = frozenset({COORDINATOR, NATIONAL})


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    role: str
    region_code: str
    region_name: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.id


def all_users(registry: Optional[Registry] = None) -> List[User]:
    registry = registry or load_registry()
    names = {c.region_code: c.region_name for c in registry.counsellors}
    users = [User(c.id, c.name, (c.email or "").strip().lower(), COUNSELLOR, c.region_code,
                  names.get(c.region_code, "")) for c in registry.counsellors if c.email]
    users += [User(c.id, c.name, c.email.strip().lower(), COORDINATOR, c.region_code,
                   names.get(c.region_code, "")) for c in registry.coordinators]
    users += [User(c.id, c.name, c.email.strip().lower(), NATIONAL, "", "landelijk") for c in registry.national]
    return users


def user_by_email(email: str, registry: Optional[Registry] = None) -> Optional[User]:
    wanted = (email or "").strip().lower()
    return next((u for u in all_users(registry) if wanted and u.email == wanted), None)


def user_by_id(user_id: str, registry: Optional[Registry] = None) -> Optional[User]:
    return next((u for u in all_users(registry) if u.id == user_id), None)


def colleagues(user_or_region: str, registry: Optional[Registry] = None) -> List[User]:
    """Counsellors of one region (a hand-over stays inside the region)."""
    return [u for u in all_users(registry) if u.role == COUNSELLOR and u.region_code == user_or_region]


def counsellor_ids_visible_to(user: User, registry: Optional[Registry] = None) -> List[str]:
    if user.role == COUNSELLOR:
        return [user.id]
    if user.role == NATIONAL:
        return []  # counts only, no leads
    return [u.id for u in colleagues(user.region_code, registry)]


def visible_leads(user: User, registry: Optional[Registry] = None):
    """A SQLAlchemy condition: the leads this user may see."""
    ids = counsellor_ids_visible_to(user, registry)
    return Lead.counsellor_id.in_(ids) if ids else false()


def may_see(user: User, lead: Lead, registry: Optional[Registry] = None) -> bool:
    return lead.counsellor_id in counsellor_ids_visible_to(user, registry)
