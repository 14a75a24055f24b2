"""Checks the pay figures in content/facts.yml (section ``salaries``, issue 23) for `python -m bot
content check`: every figure has a source, a status and a period, ranges are [low, high], every job
family has figures, and a figure whose period has passed gives a warning. The bot's use of the
figures: bot/conversation/salary.py."""
from __future__ import annotations

from datetime import date
from typing import Any, List, Mapping, Tuple

# The job families of bot/conversation/topics.py JOB_TOPICS.
FAMILIES = ("installatie", "bouw", "metaal", "ict", "mobiliteit", "proces")


def check(data: Mapping[str, Any], today: date) -> List[Tuple[str, str]]:
    """Problems in the ``salaries`` section for `python -m bot content check`: (level, message) with
    level "error" or "warning"."""
    problems: List[Tuple[str, str]] = []
    entries = [("minimumloon", data.get("minimum_wage") or {})] + list((data.get("families") or {}).items())
    for name, entry in entries:
        for key in ("source", "status", "valid_from", "valid_until"):
            if not str(entry.get(key) or "").strip():
                problems.append(("error", f"salaris {name} heeft geen {key}"))
        until = entry.get("valid_until")
        if isinstance(until, date) and until < today:
            problems.append(("warning", f"salaris {name} gold tot {until.isoformat()}: bedragen bijwerken"))
        if name != "minimumloon":
            for key in ("starter", "vakkracht"):
                pair = entry.get(key)
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, (int, float)) for x in pair)
                        and pair[0] <= pair[1]):
                    problems.append(("error", f"salaris {name}: {key} moet [laag, hoog] zijn"))
    missing = sorted(set(FAMILIES) - set(data.get("families") or {}))
    if missing:
        problems.append(("error", f"salaris: geen bedragen voor {', '.join(missing)}"))
    return problems
