"""Turning what people type into clean slot values, with a kind Dutch answer when that fails.

Each validator returns a ``Checked``: either a value, or a message to show. They never raise on user
input, whatever it is (markup, emoji, 10,000 characters).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

MAX_NAME_LENGTH = 40


@dataclass(frozen=True)
class Checked:
    value: Any = None
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None


_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*$")
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$", re.UNICODE)
_NAME_PREFIX = re.compile(r"^(ik heet|mijn naam is|noem me maar|noem me|ik ben|naam:?)\s+", re.IGNORECASE)
_AGE = re.compile(r"\b(\d{1,3})\b")


def check_first_name(text: Optional[str]) -> Checked:
    raw = (text or "").strip()
    raw = _NAME_PREFIX.sub("", raw).strip(" .!")
    if not raw or len(raw) > MAX_NAME_LENGTH or not _NAME_OK.match(raw):
        return Checked(error="Ik kan dat niet goed als naam lezen. Typ alleen je voornaam of een bijnaam, bijvoorbeeld: Sam.")
    return Checked(value=raw[:1].upper() + raw[1:])


def check_age(text: Any) -> Checked:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number: Optional[int] = int(text)
    else:
        match = _AGE.search(str(text or ""))
        number = int(match.group(1)) if match else None
    if number is None:
        return Checked(error="Ik zie geen leeftijd. Typ je leeftijd in cijfers, bijvoorbeeld: 17.")
    if number < 12 or number > 67:
        return Checked(error="Die leeftijd klopt volgens mij niet helemaal. Typ je leeftijd in cijfers, bijvoorbeeld: 17.")
    return Checked(value=number)


def normalise_postcode(text: Optional[str]) -> Optional[str]:
    """'1234ab', '1234 AB' and '1234' all become '1234AB' / '1234'; anything else is None."""
    match = _POSTCODE.match(text or "")
    if not match:
        return None
    digits, letters = match.group(1), match.group(2)
    return digits + letters.upper() if letters else digits


def check_postcode(text: Optional[str]) -> Checked:
    postcode = normalise_postcode(text)
    if postcode is None:
        return Checked(error="Dat lijkt geen postcode. Een postcode heeft 4 cijfers en vaak 2 letters, bijvoorbeeld: 4331 AB.")
    return Checked(value=postcode)
