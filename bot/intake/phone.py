"""Dutch phone numbers and e-mail addresses in, one canonical form out.

People type numbers in every notation (06-12345678, 06 1234 5678, +31 6 12345678, 0031612345678,
+31 (0)6 12 34 56 78, 010-1234567). Counsellors need one form that dials and that we can compare to
enforce "one person, one referral": E.164 (+31612345678).

Hand-written rather than ``phonenumbers``: that library's validity check refuses numbers in Dutch
number ranges that are not handed out yet, which the intake must still accept (a counsellor can try
them); the rules we need (Dutch subscriber numbers, no 0800/0900, no foreign numbers) fit in a page.
Digits from other scripts (Arabic-Indic "٠٦…", full-width "０６…") are read as the digits they are,
so someone typing on a non-Latin keyboard is understood and the stored number always dials.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

_SEPARATORS = re.compile(r"[\s\-./()\u00a0]")
_TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")


def normalise_phone(text: Optional[str]) -> Optional[str]:
    """E.164 for a Dutch subscriber number (fixed line or mobile); None for anything else.

    Service numbers (0800/0900), foreign numbers and numbers of the wrong length are refused: a
    counsellor cannot call a young person back on those.
    """
    raw = (text or "").strip()
    if not raw or len(raw) > 40:
        return None
    raw = _TRUNK_IN_BRACKETS.sub("", raw)
    compact = _ascii_digits(_SEPARATORS.sub("", raw))
    if compact.startswith("+"):
        compact = "00" + compact[1:]
    if not compact.isascii() or not compact.isdigit():
        return None
    if compact.startswith("0031"):
        national = compact[4:]
    elif compact.startswith("00"):
        return None  # another country
    elif compact.startswith("0"):
        national = compact[1:]
    elif len(compact) == 9 and compact.startswith("6"):
        national = compact  # "612345678": the leading 0 forgotten
    else:
        return None
    if national.startswith("0"):
        national = national[1:]  # "+31 06…" is a common mix-up
    if len(national) != 9 or national[0] not in "12345678":
        return None
    if national.startswith(("800", "900", "906", "909")):
        return None
    return "+31" + national


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def is_mobile(e164: Optional[str]) -> bool:
    """06 numbers (not 066 pagers): the only ones that can have WhatsApp."""
    return bool(e164) and e164.startswith("+316") and not e164.startswith("+3166")


def format_phone(e164: str) -> str:
    """How we show a number back to a Dutch reader: 06 12345678 / 010 1234567."""
    national = "0" + e164[3:]
    if national.startswith("06"):
        return f"06 {national[2:]}"
    return f"{national[:3]} {national[3:]}"


_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})$"
)


def normalise_email(text: Optional[str]) -> Optional[str]:
    """A syntactically valid address with the domain in lower case; None otherwise (no DNS look-up)."""
    raw = (text or "").strip().strip("<>").strip()
    raw = re.sub(r"^(mailto:|mijn (e-?mail|mail)(adres)? is:?\s*)", "", raw, flags=re.IGNORECASE).strip()
    if not raw or len(raw) > 254:
        return None
    match = _EMAIL.match(raw)
    if not match or len(match.group("local")) > 64:
        return None
    return f"{match.group('local')}@{match.group('domain').lower()}"


_TELEGRAM = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{4,31})$")


def normalise_telegram(text: Optional[str]) -> Optional[str]:
    """A Telegram username as '@name' (5–32 characters, letters, digits, underscore)."""
    match = _TELEGRAM.match((text or "").strip())
    return "@" + match.group(1) if match else None
