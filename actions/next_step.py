"""Dead ends removed (issue 26 item 6): values for the responses that end a path with a link.
The under-16 answers name the website of the region (or the national one) as a link."""
from __future__ import annotations

from typing import Dict

from rasa_sdk import Tracker

from actions.regional import region_of
from bot.content.packs import organisation_contact


def website_values(tracker: Tracker) -> Dict[str, str]:
    """{website}: the region's own site, else the national one (content/contact.yml)."""
    website = organisation_contact(region_of(tracker)).website or organisation_contact(None).website
    if not website:  # no website in the content at all: the words, never a made-up address
        website = "of the Gouden Poort" if tracker.get_slot("language") == "en" else "van de Gouden Poort"
    return {"website": website}
