"""What the person already told us before the intake starts (issue 23 items 5 and 6).

"Nothing asked twice": an age in the first message ("ik ben 17 en ik wil ..."), the place given for
the open days, the jobs "ontdek wat bij je past" ended on. And who is asking: a father writing for his
son gets questions about the son, and is himself the contact. Plain functions over the user's
earlier messages and slots; the action (actions/reach_person.py) turns them into slot values.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from bot.intake import validation
from bot.intake.decisions import age_correction, check_location, place_to_dict

# --- Who is asking --------------------------------------------------------------------------------
# (role, how the bot names the young person to them, pattern). Order matters: "mijn kleinzoon" is a
# grandparent, not a parent. The young person is named as the asker does ("je zoon"), never by name.
_ROLES: Tuple[Tuple[str, str, re.Pattern], ...] = (
    ("grandparent", "je kleinkind", re.compile(r"\b(mijn|onze|ons) (klein(zoon|dochter|kind))\b|\b(opa|oma) van\b|\bik ben (de |zijn |haar )?(opa|oma)\b")),
    ("parent", "je zoon", re.compile(r"\b(mijn|onze) zoon\b|\bik ben (zijn|de) (vader|moeder|papa|mama|pa|ma)\b|\bvoor (mijn|onze) zoon\b|\b(zoon|zoontje) van \d")),
    ("parent", "je dochter", re.compile(r"\b(mijn|onze) dochter\b|\bik ben haar (vader|moeder|papa|mama|pa|ma)\b|\bvoor (mijn|onze) dochter\b")),
    ("parent", "je kind", re.compile(r"\b(mijn|onze) (kind|kinderen|tiener|puber)\b|\bik ben (een |de )?(ouder|vader|moeder|verzorger|voogd)\b|\bals (ouder|vader|moeder)\b|\bmy (son|daughter|child)\b")),
    ("teacher", "je leerling", re.compile(r"\b(mijn|een) (leerling|leerlingen|student|studenten|mentorleerling)\b|\bik ben (docent|leraar|lerares|mentor|decaan|juf|meester)\b|\bvoor een (leerling|student)\b")),
    ("youth_worker", "de jongere", re.compile(r"\bik ben (jongerenwerker|jeugdwerker|hulpverlener|begeleider|coach|trajectbegeleider|consulent)\b|\b(mijn|een) (cliënt|client|jongere)\b")),
)
ROLE_LABELS = {"self": "de jongere zelf", "parent": "ouder of verzorger", "grandparent": "opa of oma",
               "teacher": "docent of mentor", "youth_worker": "jongerenwerker of begeleider"}


def asker_in(text: Optional[str]) -> Optional[Tuple[str, str]]:
    """(role, how to name the young person) when the message says it is written for someone else."""
    low = " ".join(str(text or "").lower().split())[:400]
    for role, child, pattern in _ROLES:
        if pattern.search(low):
            return role, child
    return None


def asker_from(texts: Iterable[Optional[str]]) -> Optional[Tuple[str, str]]:
    found = None
    for text in texts:
        found = asker_in(text) or found
    return found


# --- What was already said ------------------------------------------------------------------------
_AGE_OF_CHILD = re.compile(r"\b(?:is|wordt|van)\s+(\d{1,2})\b(?!\s*\d)|\b(\d{1,2})\s*(?:jaar|jr)\b")


def age_band_from(texts: Iterable[Optional[str]], for_other: bool = False) -> Optional[str]:
    """The last age someone stated about themselves ("ik ben 17", "17 jaar"), or, for someone asking
    for another, about the young person ("mijn zoon is 16"). Only clear statements count."""
    band = None
    for text in texts:
        if not text or str(text).startswith("/"):
            continue
        low = str(text).lower()[:300]
        if for_other:
            match = _AGE_OF_CHILD.search(low)
            found = None
            if match:
                checked = validation.check_age_band(int(match.group(1) or match.group(2)))
                found = checked.value if checked.ok else None
        else:
            found = age_correction("intake", low)
        band = found or band
    return band


def interests_from(explored: Optional[str]) -> Optional[Dict[str, Any]]:
    """The jobs the exploration ended on, as intake interests (codes and the names shown)."""
    if not explored:
        return None
    checked = validation.check_interests(explored)
    if not checked.ok:
        return None
    return {"choices": checked.value["choices"], "text": f"uit 'Ontdek wat bij je past': {explored}"[:300]}


def place_from(events_place: Optional[str], resolved: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """The place given for the open days, when it was one clear place."""
    if isinstance(resolved, Mapping) and resolved.get("gemeente_code"):
        return dict(resolved)
    if events_place:
        found = check_location(events_place)
        if found.place:
            return found.place
    return None


def known_before_intake(user_texts: Iterable[Optional[str]], slots: Mapping[str, Any]) -> Dict[str, Any]:
    """Slot values for the intake from what was said before it: age band, place, interests, asker."""
    texts = [t for t in user_texts if t]
    values: Dict[str, Any] = {}
    asker = asker_from(texts)
    if asker:
        values.update({"asker_role": asker[0], "asker_child": asker[1]})
    band = age_band_from(texts, for_other=bool(asker))
    if band and not slots.get("age_band"):
        values["age_band"] = band
    place = place_from(slots.get("events_place"), slots.get("events_place_resolved"))
    if place and not slots.get("place"):
        values.update({"place": place, "location": place.get("woonplaats") or place.get("gemeente_name") or place.get("pc4")})
    interests = interests_from(slots.get("explore_interests"))
    if interests and not slots.get("interests"):
        values["interests"] = interests
    return values


def known_summary(values: Mapping[str, Any]) -> Optional[str]:
    """'je leeftijd (16-17 jaar) en je woonplaats (Rotterdam)' for the line that says what we know."""
    parts = []
    if values.get("age_band"):
        parts.append(f"de leeftijd ({values['age_band']} jaar)")
    if values.get("place"):
        parts.append(f"de woonplaats ({values.get('location')})")
    if values.get("interests"):
        parts.append("wat je leuk vond bij 'Ontdek wat bij je past'")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
