"""The names of the responses in domain/, read once by the action server.

Rasa sends the domain to an action only when asked (selective domain, for speed: bot/ops/endpoints.py),
so an action that must know whether, say, ``utter_reask_age_band`` exists reads the names here.
"""
from __future__ import annotations

from functools import lru_cache
from typing import FrozenSet

import yaml

from bot.ops.config import PROJECT_ROOT


@lru_cache(maxsize=1)
def response_names() -> FrozenSet[str]:
    names = set()
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update((data.get("responses") or {}).keys())
    return frozenset(names)
