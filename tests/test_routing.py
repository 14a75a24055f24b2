"""Place look-up (CBS data) and nearest-available-counsellor routing."""
import time
from dataclasses import replace
from datetime import date

import pytest

from bot.routing.counsellors import Absence, Registry, RegistryError, load_registry, parse_registry
from bot.routing.regions import find_places, load_gazetteer, place_for_postcode
from bot.routing.assign import NATIONAL_FALLBACK, OWN_REGION, NoCounsellorAvailable, distance_km, route

TODAY = date(2026, 11, 27)


def test_cbs_data_is_complete():
    gaz = load_gazetteer()
    assert len(gaz.regions) == 35 and len(gaz.gemeenten) == 342 and len(gaz.pc4) > 4000
    assert all(g.region_code in gaz.regions for g in gaz.gemeenten.values())


@pytest.mark.parametrize("postcode, gemeente, region", [
    ("4331AB", "GM0687", "AM24"),  # Middelburg → Zeeland
    ("6411", "GM0917", "AM30"),    # Heerlen → Zuid-Limburg
    ("1012", "GM0363", "AM18"),    # Amsterdam
    ("9711", "GM0014", "AM01"),    # Groningen
])
def test_postcode_to_region(postcode, gemeente, region):
    place = place_for_postcode(postcode)
    assert (place.gemeente_code, place.region_code) == (gemeente, region)


def test_unknown_postcode_is_none():
    assert place_for_postcode("1000") is None  # PO boxes only: not a CBS PC4 area


@pytest.mark.parametrize("text, region", [
    ("Den Haag", "AM21"), ("den bosch", "AM27"), ("'s-Hertogenbosch", "AM27"), ("Middelburg", "AM24"),
    ("ik woon in Heerlen", "AM30"), ("Bergen (NH)", "AM15"), ("Leeuwarden", "AM02"),
])
def test_woonplaats_to_region(text, region):
    match = find_places(text)
    assert match.unique is not None and match.unique.region_code == region


@pytest.mark.parametrize("text", ["Laren", "Zevenhuizen", "Velp", "Hengelo"])
def test_ambiguous_woonplaats_gives_several_options(text):
    match = find_places(text)
    assert match.ambiguous and len({p.gemeente_code for p in match.places}) == len(match.places) >= 2


def test_typo_gives_suggestion():
    assert "Middelburg" in find_places("Midelburg").suggestions


def test_shipped_registry_covers_all_35_regions_with_example_data():
    registry = load_registry()
    assert registry.example_data
    assert {c.region_code for c in registry.counsellors} == set(load_gazetteer().regions)
    assert all(c.email.endswith(".example.org") for c in registry.counsellors)


def test_middelburg_routes_to_zeeland_and_heerlen_to_zuid_limburg():
    registry = load_registry()
    zeeland = route(place_for_postcode("4331"), registry, TODAY)
    assert zeeland.rule == OWN_REGION and zeeland.counsellor.region_code == "AM24"
    assert zeeland.counsellor.office_place == "Middelburg"  # nearest of the two Zeeland offices
    heerlen = route(place_for_postcode("6411"), registry, TODAY)
    assert heerlen.counsellor.region_code == "AM30" and heerlen.counsellor.office_place == "Heerlen"
    assert "Zuid-Limburg" in heerlen.reason


def test_nearest_within_own_region_by_distance():
    registry = load_registry()
    terneuzen = route(place_for_postcode("4531"), registry, TODAY)  # Terneuzen
    assert terneuzen.counsellor.office_place == "Terneuzen"


def _with(registry, **changes_by_id):
    return Registry(tuple(replace(c, **changes_by_id.get(c.id, {})) for c in registry.counsellors), True, "test")


def test_region_with_nobody_available_falls_back_to_nearest_nationally():
    registry = load_registry()
    zeeland_ids = [c.id for c in registry.in_region("AM24")]
    assert len(zeeland_ids) == 2
    changed = _with(registry, **{zeeland_ids[0]: {"active": False},
                                 zeeland_ids[1]: {"out_of_office": (Absence(date(2026, 11, 20), date(2026, 12, 5)),)}})
    place = place_for_postcode("4331")
    decision = route(place, changed, TODAY)
    assert decision.rule == NATIONAL_FALLBACK and decision.counsellor.region_code != "AM24"
    others = [c for c in changed.counsellors if c.region_code != "AM24"]
    nearest = min(others, key=lambda c: distance_km(place.lat, place.lon, c.lat, c.lon))
    assert decision.counsellor.id == nearest.id
    assert "Niemand beschikbaar" in decision.reason and "afwezig" in decision.reason
    # After the absence ends, Zeeland gets the lead again.
    assert route(place, changed, date(2026, 12, 6)).counsellor.region_code == "AM24"


def test_capacity_counts_as_unavailable():
    registry = load_registry()
    full = {c.id: c.capacity for c in registry.in_region("AM30")}
    decision = route(place_for_postcode("6411"), registry, TODAY, open_leads=full)
    assert decision.rule == NATIONAL_FALLBACK and decision.counsellor.region_code != "AM30"


def test_tie_break_is_deterministic_by_id():
    registry = load_registry()
    base = registry.in_region("AM24")[0]
    twins = Registry((replace(base, id="b-twin"), replace(base, id="a-twin")), True, "t")
    assert route(place_for_postcode("4331"), twins, TODAY).counsellor.id == "a-twin"


def test_nobody_anywhere_raises():
    registry = _with(load_registry(), **{c.id: {"active": False} for c in load_registry().counsellors})
    with pytest.raises(NoCounsellorAvailable):
        route(place_for_postcode("4331"), registry, TODAY)


def test_registry_rejects_unknown_region_and_missing_channel():
    with pytest.raises(RegistryError):
        parse_registry({"regions": {"AM99": {"organisation": "x", "counsellors": []}}})
    with pytest.raises(RegistryError):
        parse_registry({"regions": {"AM24": {"organisation": "x", "counsellors": [
            {"id": "a", "name": "A", "office": {"lat": 51.5, "lon": 3.6}, "channels": {}}]}}})


def test_routing_is_fast():
    registry = load_registry()
    place = place_for_postcode("4331")
    started = time.perf_counter()
    for _ in range(1000):
        route(place, registry, TODAY)
    per_lookup_ms = (time.perf_counter() - started)
    assert per_lookup_ms < 1.0, f"{per_lookup_ms:.3f} ms per routing decision"
