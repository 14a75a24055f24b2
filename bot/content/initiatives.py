"""The initiatives of all regional packs (issue 28): find one by its code, and read where a
conversation came from.

An initiative brings people in with its own entry: the widget's ``data-initiatief`` next to
``data-region``, or a Telegram deep link ``/start <regio>-<initiatief>`` (the bridge passes that as
the region, so it is split here, where the packs are known). Only a code that is in a pack counts: a
typo on a flyer never ends up in the funnel. The code says nothing about the person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from bot.content.packs import PACKS_DIR, load_packs
from bot.content.schema import INITIATIVE_CODE, Initiative
from bot.routing.regions import load_gazetteer

LABEL = re.compile(r"\s*\((voorbeeld|example)[^)]*\)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    initiative: Initiative
    region_code: str
    region_name: str
    organisation: str
    example_data: bool

    @property
    def code(self) -> str:
        return self.initiative.code

    @property
    def name(self) -> str:
        """The name as the bot and the lead page show it: without a "(voorbeeld)" label."""
        return LABEL.sub(" ", self.initiative.name).strip()


def all_initiatives(directory=PACKS_DIR) -> List[Found]:
    names = {code: region.name for code, region in load_gazetteer().regions.items()}
    found = []
    for loaded in load_packs(directory).packs():
        pack = loaded.pack
        for entry in pack.initiatives:
            found.append(Found(entry, pack.region, names.get(pack.region, pack.region), pack.organisation,
                               pack.example_data))
    return found


def by_code(directory=PACKS_DIR) -> Dict[str, Found]:
    out: Dict[str, Found] = {}
    for item in all_initiatives(directory):
        out.setdefault(item.code, item)
    return out


def find(code: Any, directory=PACKS_DIR) -> Optional[Found]:
    if not isinstance(code, str) or not INITIATIVE_CODE.match(code.strip().lower()):
        return None
    return by_code(directory).get(code.strip().lower())


def name_of(code: Optional[str], directory=PACKS_DIR) -> Optional[str]:
    """"Beroepentuin Goes" for a code; the code itself when the pack no longer has it; None without one."""
    if not code:
        return None
    item = find(code, directory)
    return item.name if item else code


def split_entry(region: Any, initiative: Any = None, directory=PACKS_DIR) -> Tuple[Optional[str], Optional[str]]:
    """(region slug, initiative code) of a message's metadata. ``region`` may be a combined deep link
    ("zeeland-beroepentuin-goes"): the part after a hyphen that is a known code is the initiative, the
    part before it the region. An unknown initiative is dropped; the region stays as it was."""
    region = region.strip().lower() if isinstance(region, str) else None
    code = find(initiative, directory)
    if code is not None:
        return region, code.code
    if region and "-" in region:
        known = by_code(directory)
        parts = region.split("-")
        for cut in range(1, len(parts)):
            head, tail = "-".join(parts[:cut]), "-".join(parts[cut:])
            if tail in known:
                return head, tail
    return region, None


MAX_POINTED = 2


def _ages(band: Optional[str]) -> Optional[Tuple[int, int]]:
    try:
        low, high = (int(x) for x in str(band).split("-"))
        return low, high
    except (TypeError, ValueError):
        return None


def fitting(region_code: Optional[str], age_band: Optional[str] = None, interests: Any = None,
            directory=PACKS_DIR) -> List[Found]:
    """The region's active initiatives that fit the person (issue 28 item 5): the age band overlaps
    the target ages and, when both sides name interests, one is shared. Those naming an interest the
    person has come first; at most MAX_POINTED, so the answer stays short."""
    if not region_code:
        return []
    ages = _ages(age_band)
    wanted = set(interests or [])
    scored = []
    for item in all_initiatives(directory):
        target = item.initiative.target
        if item.region_code != region_code or item.initiative.status != "actief":
            continue
        if ages and ((target.age_max is not None and ages[0] > target.age_max)
                     or (target.age_min is not None and ages[1] < target.age_min)):
            continue
        shared = wanted & set(target.interests or [])
        if wanted and target.interests and not shared:
            continue
        scored.append((-len(shared), item.name, item))
    return [item for _, _, item in sorted(scored, key=lambda s: s[:2])][:MAX_POINTED]
