"""Checks content/woordenlijst.yml (issue 23) for `python -m bot content check`: every word has an
explanation and its written forms, and no form belongs to two words. The bot's use of the list:
bot/conversation/glossary.py."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Tuple

_TOKEN = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def _form(word: Any) -> str:
    return " ".join(_TOKEN.findall(str(word).lower().replace("’", "'")))


def check(data: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """(level, message) pairs, level "error" or "warning"."""
    problems: List[Tuple[str, str]] = []
    seen: Dict[str, str] = {}
    terms = data.get("terms") if isinstance(data, Mapping) else None
    if not terms:
        return [("error", "de woordenlijst heeft geen woorden (terms)")]
    for key, entry in terms.items():
        entry = entry or {}
        if not str(entry.get("uitleg") or "").strip():
            problems.append(("error", f"woord {key} heeft geen uitleg"))
        if not entry.get("woorden"):
            problems.append(("error", f"woord {key} heeft geen woorden (hoe mensen het schrijven)"))
        for word in entry.get("woorden") or []:
            form = _form(word)
            if form in seen and seen[form] != key:
                problems.append(("error", f"'{word}' staat bij {seen[form]} en bij {key}"))
            seen[form] = key
    return problems
