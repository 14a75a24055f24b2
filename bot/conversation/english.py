"""The sentences the bot makes in Python, in simple English (issue 23, item 11).

Most of what the bot says are responses in domain/, and those have English variations that Rasa
picks with the ``language`` slot. A few sentences are made in Python: the intake's validation errors
(bot/intake/validation.py, bot/intake/decisions.py), the preview before consent
(``decisions.confirmation_text``) and the promise at the end (bot/handoff/promise.py). ``to_english``
translates those, line by line, with the table in content/english_sentences.yml (Dutch pattern ->
English pattern, placeholders for names, places, dates and numbers). Text it does not know comes back
unchanged, so a new Dutch sentence is never garbled: it stays Dutch until the table has it.

The actions call it for the person's words only when the ``language`` slot is "en":

    text = to_english(text) if tracker.get_slot("language") == "en" else text

Values that go into a response's placeholders (a date, an organisation, how to call) are
translated with ``to_english_values`` before they are passed to the English variation.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

TABLE = Path(__file__).resolve().parents[2] / "content" / "english_sentences.yml"
_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|(\w+))?\}")
_DATE = r"[^\W\d_]+dag \d{1,2} [^\W\d_]+(?: \d{4})?"


class Table:
    """The patterns (compiled, in file order) and the terms used inside placeholders."""

    def __init__(self, data: Dict) -> None:
        self.terms: Dict[str, str] = {str(k): str(v) for k, v in (data.get("terms") or {}).items()}
        self.words: Dict[str, str] = {str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()}
        self.patterns: List[Tuple[re.Pattern, str, Dict[str, Optional[str]]]] = []
        for item in data.get("sentences") or []:
            self.patterns.append(self._compile(str(item["nl"]), str(item["en"])))

    def _compile(self, dutch: str, english: str):
        kinds: Dict[str, Optional[str]] = {}
        parts, at = [], 0
        for match in _PLACEHOLDER.finditer(dutch):
            parts.append(re.escape(dutch[at:match.start()]))
            name, kind = match.group(1), match.group(2)
            kinds[name] = kind
            if kind == "term":  # exactly one of the Dutch terms, longest first
                choices = sorted(self.terms, key=len, reverse=True)
                parts.append(f"(?P<{name}>" + "|".join(re.escape(c) for c in choices) + ")")
            elif kind == "date":  # a date as bot/handoff/workdays.py says it: "dinsdag 1 december (2026)"
                parts.append(f"(?P<{name}>{_DATE})")
            else:
                parts.append(f"(?P<{name}>.+?)")
            at = match.end()
        parts.append(re.escape(dutch[at:]))
        return re.compile("^" + "".join(parts) + "$", re.S), english, kinds

    def value(self, text: str, kind: Optional[str]) -> str:
        """A placeholder's value in English: a known term; a list of terms ("Bouw en infra, ICT en
        tech"); with kind ``words`` every known word ("dinsdag 1 december"); anything else (a name,
        a number, a place, the person's own words) unchanged."""
        if kind == "keep":
            return text
        if kind == "date":
            return self.value(text, "words")
        if text in self.terms:
            return self.terms[text]
        if ", " in text:
            items = self._items(text)
            if any(i in self.terms for i in items):
                return ", ".join(self.terms.get(i, i) for i in items)
        if kind == "words":
            return re.sub(r"[^\W\d_]+", lambda m: self.words.get(m.group(0).lower(), m.group(0)), text)
        return text

    def _items(self, text: str) -> List[str]:
        """``text`` split at ", ", where a known term holds together although it has commas inside
        ("opleidingsroutes (mbo-niveaus, BBL en BOL, omscholing)")."""
        items: List[str] = []
        rest = text
        while rest:
            term = next((t for t in sorted(self.terms, key=len, reverse=True)
                         if rest == t or rest.startswith(t + ", ")), None)
            item = term if term else rest.split(", ", 1)[0]
            items.append(item)
            rest = rest[len(item) + 2:] if len(rest) > len(item) else ""
        return items

    def line(self, text: str) -> str:
        for pattern, english, kinds in self.patterns:
            match = pattern.match(text)
            if match:
                values = {k: self.value(v, kinds.get(k)) for k, v in match.groupdict().items()}
                return english.format(**values)
        return text


@lru_cache(maxsize=1)
def table(path: Optional[str] = None) -> Table:
    source = Path(path) if path else TABLE
    return Table(yaml.safe_load(source.read_text(encoding="utf-8")) or {})


def to_english(text: Optional[str]) -> Optional[str]:
    """``text`` in simple English, line by line; lines the table does not know stay as they are."""
    if not text:
        return text
    return "\n".join(table().line(line) for line in text.split("\n"))


def to_english_values(values: Mapping[str, Any]) -> Dict[str, Any]:
    """The placeholder values of a response (``dispatcher.utter_message(response=..., **values)``)
    in English: each text value through :func:`to_english` ("dinsdag 1 december", "de Gouden
    Poort", the contact ways of bot/conversation/reach_person.py, "belt je", "€ 2.300 tot € 2.700"),
    everything else unchanged. For the English variations of the responses in domain/."""
    return {key: to_english(value) if isinstance(value, str) else value for key, value in values.items()}
