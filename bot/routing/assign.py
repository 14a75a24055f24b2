"""Choosing the one counsellor who gets a lead ("hooguit één keer doorverwijzen").

Rule, in order:
1. the nearest *available* counsellor of the person's own arbeidsmarktregio, measured from the PC4
   centroid (or the gemeente centroid when we only know the woonplaats) to the office;
2. if nobody in that region is available (inactive, out of office, at capacity), the nearest
   available counsellor in the whole country;
3. ties (same distance to 10 m) are broken by counsellor id, so the same input always gives the same
   counsellor, on every machine.

The decision is a plain value with a human-readable reason; the lead store keeps both, so a
coordinator can later see why a lead went where it went.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Dict, List, Mapping, Optional, Tuple

from bot.routing.counsellors import Counsellor, Registry
from bot.routing.regions import Place

EARTH_RADIUS_KM = 6371.0088

OWN_REGION = "own_region"
NATIONAL_FALLBACK = "national_fallback"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); plenty accurate at the scale of the Netherlands."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class RoutingDecision:
    counsellor: Counsellor
    region_code: str           # the person's own region
    region_name: str
    distance_km: float
    rule: str                  # OWN_REGION or NATIONAL_FALLBACK
    reason: str                # Dutch, for the counsellor summary and the audit trail

    def as_dict(self) -> Dict[str, object]:
        return {"counsellor_id": self.counsellor.id, "region_code": self.region_code, "rule": self.rule,
                "distance_km": round(self.distance_km, 1), "reason": self.reason}


class NoCounsellorAvailable(RuntimeError):
    """Nobody in the whole country can take a lead; the bot says so and stores nothing."""


def _ranked(place: Place, counsellors: List[Counsellor]) -> List[Tuple[float, Counsellor]]:
    scored = [(distance_km(place.lat, place.lon, c.lat, c.lon), c) for c in counsellors]
    # Round to 10 m before comparing: float noise must not decide between two offices.
    return sorted(scored, key=lambda item: (round(item[0], 2), item[1].id))


def route(place: Place, registry: Registry, today: date,
          open_leads: Optional[Mapping[str, int]] = None) -> RoutingDecision:
    """Picks the counsellor for someone at ``place``; ``open_leads`` is counsellor id → open leads."""
    open_leads = open_leads or {}
    unavailable: Dict[str, str] = {}
    available: List[Counsellor] = []
    for counsellor in registry.counsellors:
        why = counsellor.unavailable_reason(today, int(open_leads.get(counsellor.id, 0)))
        if why:
            unavailable[counsellor.id] = why
        else:
            available.append(counsellor)
    where = place.label()
    own = [c for c in available if c.region_code == place.region_code]
    if own:
        distance, chosen = _ranked(place, own)[0]
        reason = (f"Dichtstbijzijnde beschikbare adviseur in de eigen regio {place.region_name}: "
                  f"{chosen.name} ({chosen.office_place}), {distance:.1f} km vanaf {where}.")
        return RoutingDecision(chosen, place.region_code, place.region_name, distance, OWN_REGION, reason)
    if not available:
        raise NoCounsellorAvailable("er is op dit moment geen enkele adviseur beschikbaar")
    distance, chosen = _ranked(place, available)[0]
    absent = [f"{c.name}: {unavailable[c.id]}" for c in registry.in_region(place.region_code)]
    why_not = "; ".join(absent) if absent else "geen adviseurs geregistreerd"
    reason = (f"Niemand beschikbaar in de eigen regio {place.region_name} ({why_not}). "
              f"Dichtstbijzijnde beschikbare adviseur landelijk: {chosen.name} ({chosen.office_place}, "
              f"regio {chosen.region_code}), {distance:.1f} km vanaf {where}.")
    return RoutingDecision(chosen, place.region_code, place.region_name, distance, NATIONAL_FALLBACK, reason)
