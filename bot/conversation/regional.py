"""Regional welcome: the embed snippet (``data-region="zeeland"``) and Telegram deep links
(``/start zeeland``) name a region; the greeting then names that region and its organisation.

Region names in snippets are slugs of the CBS arbeidsmarktregio names ("Gooi en Vechtstreek" →
``gooi-en-vechtstreek``); the regional code (``am24``) works too. Unknown slugs get the national
greeting: a typo on a regional site must never break the chat. The organisation and an extra welcome
sentence come from the region's content pack (content/regios/, issue 15) when it has one, else the
organisation from the counsellor register.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from bot.content.packs import load_packs
from bot.routing.counsellors import load_registry
from bot.routing.regions import load_gazetteer


@dataclass(frozen=True)
class RegionalWelcome:
    code: str
    name: str
    organisation: str
    welcome: str = ""


def slugify(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def regional_welcome(slug: Any) -> Optional[RegionalWelcome]:
    if not isinstance(slug, str) or not slug.strip():
        return None
    wanted = slugify(slug)
    for region in load_gazetteer().regions.values():
        if wanted in (slugify(region.name), region.code.lower()):
            pack = load_packs().pack(region.code)
            if pack is not None:
                return RegionalWelcome(region.code, region.name, pack.organisation, pack.welcome or "")
            organisations = sorted({c.organisation for c in load_registry().in_region(region.code)})
            return RegionalWelcome(region.code, region.name, organisations[0] if organisations else "")
    return None
