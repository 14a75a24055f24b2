"""Common typos in e-mail domains ("kees@gmial.com", "sam@hotmail.con", "ouder@live.nll"): the address
the person most likely meant, so the bot can ask "Bedoel je kees@gmail.com?" before anything is stored
(issue 23 item 9: a guardian's "gmial.com" was stored, the consent mail never arrived and the request
was wiped).

Only when we are confident: a domain we do not know is never "corrected" into a big provider
(``@ziggo.nl``, ``@kpnmail.nl``, ``@live.nl``, a school's own domain all stay as typed). The checks are
plain string rules, no DNS look-up: the bot never talks to the network for this.
"""
from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from rapidfuzz.distance import OSA

# Providers and the endings their addresses really have; the first is the one a wrong ending becomes.
# Only providers where that choice is clear: hotmail and live have both .nl and .com (and more), so an
# unknown ending there is left alone unless it is a typo of .nl or .com.
PROVIDERS: Dict[str, Tuple[str, ...]] = {
    "gmail": ("com",),
    "googlemail": ("com",),
    "icloud": ("com",),
    "me": ("com",),
    "hotmail": ("com", "nl", "be", "co.uk", "fr", "de"),
    "live": ("nl", "com", "be", "co.uk", "fr", "de"),
    "outlook": ("com", "be", "de", "fr"),
    "yahoo": ("com", "co.uk", "fr", "de"),
    "ymail": ("com",),
    "msn": ("com",),
    "ziggo": ("nl",),
    "kpnmail": ("nl",),
    "kpnplanet": ("nl",),
    "planet": ("nl",),
    "home": ("nl",),
    "xs4all": ("nl",),
    "upcmail": ("nl",),
    "chello": ("nl",),
    "casema": ("nl",),
    "hetnet": ("nl",),
    "telfort": ("nl",),
    "zeelandnet": ("nl",),
    "proton": ("me",),
    "protonmail": ("com",),
}
# Providers with one real ending for Dutch users: any other ending is a slip ("gmail.nl", "ziggo.com").
ONE_ENDING = frozenset({"gmail", "googlemail", "icloud", "ziggo", "kpnmail"})
# Typos of a provider's name that a one-letter rule would miss, or that are too short for it.
NAME_TYPOS: Dict[str, str] = {
    "gmai": "gmail", "gmial": "gmail", "gamil": "gmail", "gnail": "gmail", "gmal": "gmail", "gmil": "gmail",
    "gmaill": "gmail", "gmali": "gmail", "gimail": "gmail", "gmeil": "gmail", "g-mail": "gmail", "gemail": "gmail",
    "hotmal": "hotmail", "hotmial": "hotmail", "hotmai": "hotmail", "hotmil": "hotmail", "homail": "hotmail",
    "hotamil": "hotmail", "hormail": "hotmail", "hotmaill": "hotmail", "hotmeil": "hotmail", "hotnail": "hotmail",
    "htomail": "hotmail", "hotmall": "hotmail",
    "outlok": "outlook", "outloo": "outlook", "outlookk": "outlook", "otlook": "outlook", "outllok": "outlook",
    "oulook": "outlook", "outlool": "outlook",
    "yaho": "yahoo", "yahooo": "yahoo", "yhoo": "yahoo", "yahho": "yahoo",
    "iclod": "icloud", "icoud": "icloud", "iclould": "icloud", "icluod": "icloud", "icould": "icloud",
    "zigo": "ziggo", "ziggi": "ziggo", "zigggo": "ziggo", "ziggoo": "ziggo", "ziigo": "ziggo",
    "kpnmial": "kpnmail", "kpnmal": "kpnmail", "kpnmai": "kpnmail", "kpnmaill": "kpnmail", "kpmail": "kpnmail",
    "kpnmail": "kpnmail",
    "liv": "live", "livee": "live",
}
# Real domains one letter away from a provider: never corrected.
REAL_LOOKALIKES = frozenset({"email", "mail", "gmx", "live", "home", "me", "web", "hetnet", "online", "planet",
                             "hotmail", "outlook", "icloud", "ziggo", "kpnmail", "yahoo", "gmail"})
# Endings that are typos of .com or .nl.
TLD_TYPOS: Dict[str, str] = {
    "con": "com", "comm": "com", "cpm": "com", "ocm": "com", "vom": "com", "xom": "com", "coom": "com",
    "cim": "com", "clm": "com", "col": "com", "com.": "com", "cm": "com", "co": "com", "om": "com",
    "nll": "nl", "nk": "nl", "nl.": "nl", "ln": "nl", "bl": "nl", "mn": "nl", "n": "nl", "nlk": "nl", "nnl": "nl",
}
# Only for an unknown domain: endings that are never real (.cm and .co are countries, so not there).
SURE_TLD_TYPOS = frozenset({"con", "comm", "cpm", "ocm", "vom", "xom", "coom", "cim", "clm", "nll", "nk", "nlk", "nnl"})

_ADDRESS = re.compile(r"^(?P<local>[^@\s]+)\s*@\s*(?P<domain>[^@\s]+)$")
_IN_TEXT = re.compile(r"[^@\s<>:]+\s?@\s?[^@\s<>]+")
# The "Nee, het klopt zo" button's payload: plain text, read like a typed answer.
KEEP_AS_TYPED = "Het adres klopt zo"
_KEEP = re.compile(r"^(nee+|nope|no|neen)?[ ,.!]*(het )?(adres )?(klopt|is goed|is juist|klopt wel|goed zo|zo is het goed)"
                   r"( zo| wel| echt)?[ .!]*$|^(nee+|nope|no)[ .!]*$")
_TAKE = re.compile(r"^(ja+|jep|jup|yes|yep|klopt|precies|idd|inderdaad|oke?|ok[eé])\b[^@]*$")


def _provider(name: str) -> Optional[str]:
    """The provider a domain name means: itself, a known typo, or one edit away from a long name."""
    if name in PROVIDERS:
        return name
    if name in NAME_TYPOS:
        return NAME_TYPOS[name]
    if len(name) < 5 or name in REAL_LOOKALIKES:
        return None
    close = [p for p in PROVIDERS if len(p) >= 5 and OSA.distance(name, p, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else None


def _fixed_tld(provider: str, tld: str) -> Optional[str]:
    endings = PROVIDERS[provider]
    if tld in endings:
        return tld
    if TLD_TYPOS.get(tld) in endings:
        return TLD_TYPOS[tld]
    return endings[0] if provider in ONE_ENDING else None


def suggest_email(address: str) -> Optional[str]:
    """The address with a common domain typo fixed, or None when it looks right (or we are not sure)."""
    found = _IN_TEXT.findall(address or "")
    match = _ADDRESS.match(found[0].strip().strip(".,!?")) if len(found) == 1 else None
    if not match:
        return None
    local, domain = match.group("local"), match.group("domain").lower().replace(",", ".")
    original = f"{local}@{match.group('domain').lower()}"
    domain = re.sub(r"\.{2,}", ".", domain)
    for provider in PROVIDERS:  # "gmailcom", "hotmailnl": the dot is missing
        for ending in ("com", "nl"):
            if domain == provider + ending and ending in PROVIDERS[provider] and provider not in ("me", "home"):
                domain = f"{provider}.{ending}"
    name, _, tld = domain.partition(".")
    if not _:  # "kees@gmail": no ending at all
        provider = _provider(name)
        fixed = f"{provider}.{PROVIDERS[provider][0]}" if provider in ONE_ENDING else None
    else:
        provider = _provider(name)
        if provider is not None:
            ending = _fixed_tld(provider, tld)
            fixed = f"{provider}.{ending}" if ending else None
        else:
            parts = domain.split(".")
            fixed = ".".join(parts[:-1] + [TLD_TYPOS[parts[-1]]]) if parts[-1] in SURE_TLD_TYPOS else None
    if fixed is None:
        return None
    suggestion = f"{local}@{fixed}"
    return None if suggestion == original else suggestion


def pending_suggestion(typed: str, suggested: str) -> Dict[str, str]:
    """What the bot remembers while "Bedoel je ...?" is open (slot ``email_suggestion``)."""
    return {"typed": str(typed or "")[:254], "suggested": suggested}


def answer_to_suggestion(text: str, pending: Optional[Dict[str, str]]) -> Optional[str]:
    """The address to use after "Bedoel je kees@gmail.com?": the suggestion ("ja", the button), the
    address as first typed ("Nee, het klopt zo", or the same address typed again), or None when the
    person typed something else (a new address: check that one as usual)."""
    if not pending:
        return None
    low = " ".join(str(text or "").lower().split())[:254]
    if low == pending["suggested"].lower() or _TAKE.match(low):
        return pending["suggested"]
    if low == KEEP_AS_TYPED.lower() or _KEEP.match(low) or low == " ".join(pending["typed"].lower().split()):
        return pending["typed"]
    return None
