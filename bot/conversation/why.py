"""'Waarom vraag je dat?': which explanation fits the question the bot just asked.

Each explanation is a response in domain/ (utter_why_<slot>); this module only picks it, so
the intake colleague can add slots without touching code: an unknown slot gets the general
explanation.
"""
from __future__ import annotations

from typing import Optional

EXPLAINED_SLOTS = {
    "first_name": "utter_why_first_name",
    "age": "utter_why_age",
    "age_band": "utter_why_age",
    "situation": "utter_why_situation",
    "interests": "utter_why_interests",
    "postcode": "utter_why_postcode",
    "location": "utter_why_postcode",
    "woonplaats": "utter_why_postcode",
    "location_choice": "utter_why_postcode",
    "minor_route": "utter_why_age",
    "contact_time": "utter_why_contact",
    "confirm": "utter_why_consent",
    "contact_method": "utter_why_contact",
    "contact_value": "utter_why_contact",
    "contact": "utter_why_contact",
    "email": "utter_why_contact",
    "phone": "utter_why_contact",
    "consent": "utter_why_consent",
    "explore_style": "utter_why_explore",
    "explore_place": "utter_why_explore",
    "explore_activity": "utter_why_explore",
}
GENERAL = "utter_why_general"


def explanation_for(requested_slot: Optional[str]) -> str:
    if not requested_slot:
        return GENERAL
    return EXPLAINED_SLOTS.get(requested_slot, GENERAL)
