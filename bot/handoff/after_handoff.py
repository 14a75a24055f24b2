"""After the hand-off the bot knows what it promised (issue 23 item 4).

"wanneer belt kevin nou", "krijg ik een bevestiging", "ik wil iets veranderen", "ik heb nog niks
gehoord" used to get the intake offer, the salary text or "Geen dank!". Each gets the counsellor's
name, the channel the person chose, the promised date and the reference, from the stored lead.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, Optional

from bot.handoff.workdays import dutch_date, promised_by

WHEN, LATE, CONFIRMATION, CHANGE = "when", "late", "confirmation", "change"
_KINDS = (
    (LATE, re.compile(r"\b(nog )?(niks|niets|niemand|nix) (ge)?(hoord|gehoord|gezien|ontvangen|gebeld|gemaild)\b|"
                      r"\bnog steeds (niks|niets|geen)\b|\b(heeft|is) (nog )?niet (gebeld|gemaild|geappt)\b|"
                      r"\bnog (steeds )?(niet|geen) (gebeld|gemaild|geappt|gereageerd|telefoontje|mail)\b|"
                      r"\bhaven'?t heard\b|\bnobody (called|contacted)\b")),
    (WHEN, re.compile(r"\bwanneer (belt|mailt|appt|reageert|hoor ik|krijg ik (antwoord|een mail|bericht|een telefoontje))\b|"
                      r"\bwanneer (neemt|komt|gaat|zal|word|wordt) .{0,30}(bellen|mailen|appen|gebeld|gemaild|contact|"
                      r"reageren|telefoontje)\b|\bhoe lang (nog|moet ik (nog )?wachten|duurt het (voordat|tot|voor))\b|"
                      r"\bwhen (will|does) .{0,20}(call|contact|mail)\b")),
    (CONFIRMATION, re.compile(r"\bbevestiging\b|\bbevestigings?mail\b|\bconfirmation\b|\b(is|zijn) (mijn )?(aanvraag|gegevens) "
                              r"(aangekomen|goed aangekomen|verstuurd|ontvangen)\b|\b(aanvraag|request) (is |been )?(verstuurd|sent)\b")),
    (CHANGE, re.compile(r"\b(iets|wat|mijn (nummer|mail|e-mail|aanvraag|gegevens)) (veranderen|aanpassen|wijzigen)\b|"
                        r"\b(ander|nieuw) (nummer|telefoonnummer|e-?mailadres|mailadres)\b|\bchange my\b")),
)

# How the counsellor gets in touch, by the way the person chose (never "belt je" to someone who chose
# e-mail; the phone choice is "Bellen of WhatsApp", so both are named).
HOW = {"phone": "belt je", "whatsapp": "stuurt je een WhatsApp-bericht", "email": "stuurt je een e-mail",
       "telegram": "stuurt je een bericht via Telegram"}


def followup_kind(text: Optional[str]) -> Optional[str]:
    low = " ".join(str(text or "").lower().split())[:300]
    for kind, pattern in _KINDS:
        if pattern.search(low):
            return kind
    return None


def followup_values(lead: Any, now: datetime, workdays: int) -> Dict[str, Any]:
    """The placeholders of the answers in domain/gesprek.yml, from the stored lead."""
    deadline = promised_by(lead.created_at, workdays)
    return {"counsellor": (lead.counsellor_name.split()[0] if lead.counsellor_name else "je adviseur"),
            "organisation": lead.organisation or "de Gouden Poort",
            "how": HOW.get(lead.contact_method or "", "neemt contact met je op"),
            "deadline": dutch_date(deadline), "reference": lead.id,
            "past_deadline": _aware(now) > _aware(deadline)}


def _aware(value: datetime) -> datetime:
    from datetime import timezone
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def response_for(kind: str, values: Dict[str, Any]) -> str:
    if kind == LATE:
        return "utter_followup_late" if values["past_deadline"] else "utter_followup_not_yet"
    return {WHEN: "utter_followup_when", CONFIRMATION: "utter_followup_confirmation",
            CHANGE: "utter_followup_change"}[kind]
