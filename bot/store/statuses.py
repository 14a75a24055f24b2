"""The one status vocabulary of a lead (``leads.status``), and the named groups that decisions use.

A lead moves ``new`` (stored by the intake) → ``delivered`` (first delivery to the counsellor
succeeded) → ``in_contact`` | ``appointment`` | ``no_contact`` (counsellor via a one-click link, or
the person answering a nudge) → ``closed``. Two questions are asked about a status, and they have
different answers, so they have different names:

- does the lead still take up one of the counsellor's places? (``TAKES_CAPACITY``, routing);
- is the person still waiting for a first contact? (``AWAITING_CONTACT``, follow-up nudges).
"""
from __future__ import annotations

NEW = "new"
DELIVERED = "delivered"
IN_CONTACT = "in_contact"
APPOINTMENT = "appointment"
NO_CONTACT = "no_contact"
CLOSED = "closed"

STATUSES = (NEW, DELIVERED, IN_CONTACT, APPOINTMENT, NO_CONTACT, CLOSED)

# The counsellor still works on these: they count against ``capacity`` in the registry.
TAKES_CAPACITY = frozenset({NEW, DELIVERED, IN_CONTACT, APPOINTMENT})
# Nobody has reached the person yet: nudges and the escalation still apply.
AWAITING_CONTACT = frozenset({NEW, DELIVERED})
# Contact happened (or the lead is done): no more nudges, and a "yes" from the person changes nothing.
CONTACT_MADE = frozenset({IN_CONTACT, APPOINTMENT, CLOSED})

# How a counsellor closes a lead (``leads.outcome``), as regions report it (issue 24); the funnel
# counts "started" (STARTED_OUTCOMES) per region. OUTCOME_CHOICES are offered; OUTCOMES also names
# the one code used before ("started_training") so older leads keep their label.
OUTCOME_CHOICES = {
    "started_bbl": "Gestart met BBL",
    "started_bol": "Gestart met BOL",
    "found_work": "Werk gevonden",
    "trial": "Meeloopdag of proefplaatsing",
    "referred_uwv": "Doorverwezen naar UWV",
    "referred_municipality": "Doorverwezen naar de gemeente",
    "referred_school": "Doorverwezen naar een school",
    "not_interested": "Geen interesse",
    "not_reachable": "Niet bereikbaar",
    "other": "Anders",
}
OUTCOMES = {**OUTCOME_CHOICES, "started_training": "Begonnen aan een opleiding"}
STARTED_OUTCOMES = frozenset({"started_bbl", "started_bol", "found_work", "started_training"})
