"""An honest way to a person (issue 23 item 2).

"Ik wil gwoon met een mens praten" used to get "Hoe oud ben je?". The bot has no live person behind
it, so it says so, says when a counsellor of the person's region gets in touch (the real promise,
with the weekday), and how to reach the regional organisation yourself. Then the callback starts;
someone who wants a person now gets it with the fewest questions (``QUICK_SKIPS``).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, Optional

from bot.handoff.workdays import dutch_date, promised_by

# "nu meteen?", "is er iemand online", "kan het vandaag", "bel me", "can I talk to a person now?": a
# person, as soon as possible.
_NOW = re.compile(r"\b(nu|nou|now|immediately|meteen|direct|gelijk|vandaag|vanavond|vanmiddag|online|live|zo snel mogelijk|asap|"
                  r"spoed|dringend|bel|bellen|opbellen|telefoon|right now|today|call)\b")
_TODAY = re.compile(r"\b(vandaag|vanavond|vanmiddag|nu|meteen|today|right now)\b")


def wants_now(text: Optional[str]) -> bool:
    return bool(_NOW.search(" ".join(str(text or "").lower().split())[:300]))


def asks_for_today(text: Optional[str]) -> bool:
    return bool(_TODAY.search(" ".join(str(text or "").lower().split())[:300]))


def contact_ways(contact: Any) -> str:
    """'bel 010 ... (maandag tot en met vrijdag, 9.00 tot 17.00 uur), mail naar ... of kijk op ...'."""
    ways = []
    if getattr(contact, "phone", None):
        hours = f" ({contact.hours})" if getattr(contact, "hours", None) else ""
        ways.append(f"bel {contact.phone}{hours}")
    if getattr(contact, "email", None):
        ways.append(f"mail naar {contact.email}")
    if getattr(contact, "website", None):
        ways.append(f"kijk op {contact.website}")
    if not ways:
        return ""
    return ways[0] if len(ways) == 1 else ", ".join(ways[:-1]) + " of " + ways[-1]


def promise_values(now: datetime, workdays: int, contact: Any) -> Dict[str, Any]:
    """The placeholders of the honest answers (domain/onderbrekingen.yml)."""
    return {"organisation": getattr(contact, "organisation", None) or "de Gouden Poort",
            "workdays": workdays, "deadline": dutch_date(promised_by(now, workdays)),
            "contact_ways": contact_ways(contact)}


_PERSON = re.compile(r"\b(mens|mensen|iemand|persoon|medewerker|echte adviseur|human|real person|someone|anybody|anyone)\b")


def asks_for_person(text: Optional[str]) -> bool:
    """"is er iemand online?", "kan ik een mens spreken": also when the classifier was unsure."""
    low = " ".join(str(text or "").lower().split())[:300]
    return bool(_PERSON.search(low)) and ("?" in low or wants_now(low) or bool(re.search(r"\b(wil|praten|spreken|talk)\b", low)))
