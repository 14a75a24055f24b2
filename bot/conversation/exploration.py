"""'Ontdek wat bij je past': turn three button answers into two or three concrete jobs.

It matches jobs to answers; it never scores or ranks the person. The job texts live in
content/exploration.yml so the content team can edit them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content" / "exploration.yml"

SLOTS = ("explore_style", "explore_place", "explore_activity")

# Canonical answer per slot, with the words people type (or the button payload values).
ANSWERS: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {
    "explore_style": [
        ("allebei", ("allebei", "beide", "allebij", "mix", "maakt niet uit", "weet niet", "idk", "geen idee")),
        ("handen", ("hand", "praktisch", "doen", "fysiek", "klussen", "maken")),
        ("hoofd", ("hoofd", "denk", "nadenk", "computer", "puzzel", "bedenk", "brein")),
    ],
    "explore_place": [
        ("maakt_niet_uit", ("maakt niet uit", "allebei", "beide", "maakt me niet", "weet niet", "idk", "geen idee", "mix", "boeit niet")),
        ("buiten", ("buiten", "frisse lucht", "onderweg", "op pad", "bouwplaats")),
        ("binnen", ("binnen", "werkplaats", "kantoor", "droog", "fabriek", "thuis")),
    ],
    "explore_activity": [
        ("gamen", ("gam", "game", "gaming", "playstation", "xbox", "fortnite", "minecraft", "console")),
        ("programmeren", ("programm", "code", "coden", "codeer", "computer", "app", "software", "hack")),
        ("ontwerpen", ("ontwerp", "tekenen", "teken", "design", "creatief", "3d", "bedenken")),
        ("repareren", ("repar", "maken als het stuk", "uitzoeken", "sleutel", "fix", "oplossen", "kapot", "stuk")),
        ("bouwen", ("bouw", "in elkaar", "lego", "timmer", "maken", "klus", "knutsel")),
    ],
}


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    style: Tuple[str, ...]
    place: Tuple[str, ...]
    activities: Tuple[str, ...]
    dag: str


@lru_cache(maxsize=1)
def load_jobs(path: Path = CONTENT) -> Tuple[Job, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Job(id=j["id"], name=j["name"], style=tuple(j["style"]), place=tuple(j["place"]),
                     activities=tuple(j["activities"]), dag=j["dag"]) for j in data["jobs"])


def normalise_answer(slot: str, text: Optional[str]) -> Optional[str]:
    """The canonical answer for what someone clicked or typed, or None if it is not clear."""
    options = ANSWERS.get(slot)
    if not options or not text:
        return None
    lowered = re.sub(r"\s+", " ", str(text).lower()).strip()
    canonical = {value for value, _ in options}
    if lowered in canonical:
        return lowered
    for value, words in options:
        if any(word in lowered for word in words):
            return value
    return None


def suggest(style: Optional[str], place: Optional[str], activity: Optional[str],
            jobs: Sequence[Job] = (), limit: int = 3) -> List[Job]:
    """Two or three jobs that fit the answers best; ties keep the catalogue order."""
    catalogue = list(jobs) or list(load_jobs())

    def fit(job: Job) -> int:
        points = 0
        if activity and activity in job.activities:
            points += 3
        if style in (None, "allebei") or style in job.style:
            points += 2
        if place in (None, "maakt_niet_uit") or place in job.place:
            points += 1
        return points

    ranked = sorted(enumerate(catalogue), key=lambda pair: (-fit(pair[1]), pair[0]))
    chosen = [job for _, job in ranked[:limit]]
    return chosen


def job_message(job: Job) -> str:
    return f"🔧 {job.name}\n{job.dag}"
