"""Regional welcome: the embed snippet (``data-region="zeeland"``) and Telegram deep links
(``/start zeeland``) name a region; the greeting then names that region and its organisation.

Region names in snippets are slugs of the CBS arbeidsmarktregio names ("Gooi en Vechtstreek" →
``gooi-en-vechtstreek``); the regional code (``am24``) works too. Unknown slugs get the national
greeting: a typo on a regional site must never break the chat.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from bot.routing.counsellors import load_registry
from bot.routing.regions import load_gazetteer


@dataclass(frozen=True)
class RegionalWelcome:
    code: str
    name: str
    organisation: str


def slugify(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def regional_welcome(slug: Any) -> Optional[RegionalWelcome]:
    if not isinstance(slug, str) or not slug.strip():
        return None
    wanted = slugify(slug)
    for region in load_gazetteer().regions.values():
        if wanted in (slugify(region.name), region.code.lower()):
            organisations = sorted({c.organisation for c in load_registry().in_region(region.code)})
            return RegionalWelcome(region.code, region.name, organisations[0] if organisations else "")
    return None
