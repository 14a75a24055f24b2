"""What the person is told at the end of the intake: who contacts them, how, by when, and their
reference — in B1 Dutch (short sentences, everyday words, no jargon)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from bot.handoff.summary import normalise_method
from bot.handoff.workdays import dutch_date, promised_by
from bot.routing.counsellors import Counsellor

HOW = {
    "telefoon": "belt je",
    "whatsapp": "stuurt je een WhatsApp-bericht",
    "email": "stuurt je een e-mail",
    "telegram": "stuurt je een bericht via Telegram",
}


def confirmation_text(lead_id: str, counsellor: Any, contact_method: Optional[str], now: datetime,
                      workdays: int = 2) -> str:
    """E.g. "Gelukt! Sanne van TechniekTalent Zeeland belt je. Dat gebeurt binnen 2 werkdagen:
    uiterlijk dinsdag 1 december. Je referentie is GP-7K3M9Q. ..."

    ``now`` must be the moment the lead was stored (the same moment the deadline in the counsellor's
    message is computed from), so the person and the counsellor see the same date.
    """
    c = Counsellor.from_record(counsellor)
    who = c.first_name
    if c.organisation:
        who = f"{who} van {c.organisation}"
    how = HOW.get(normalise_method(contact_method) or "", "neemt contact met je op")
    deadline = dutch_date(promised_by(now, workdays))
    return (f"Gelukt! {who} {how}. "
            f"Dat gebeurt binnen {workdays} werkdagen: uiterlijk {deadline}. "
            f"Je referentie is {lead_id}. Noem die als je contact met ons opneemt.")
