"""Signed one-click status links, so a counsellor closes the loop from the e-mail without a login.

A link is ``{base}/lead/{id}/status?s={status}&sig={hmac}``, where the signature is
HMAC-SHA256(secret, "v1|{id}|{status}") in URL-safe base64. It authorises exactly one status for
exactly one lead; changing either byte invalidates it, and comparison is constant-time.

Links do not expire: a counsellor may report "afspraak gepland" weeks later. They stop working when
the lead is erased (the page then says the request no longer exists). Mail scanners that pre-fetch
links could "click" one; every change is recorded in the lead's audit trail (``lead_events``) and the page offers
the other statuses, so a wrong status is visible and corrected with one more click.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
from typing import Dict, List, Optional
from urllib.parse import quote

from bot.handoff.clock import SystemClock
from bot.handoff.render import render_status_page
from bot.handoff.settings import HandoffSettings
from bot.handoff.status import set_status_by_link

log = logging.getLogger(__name__)

# status code stored on the lead → label on the button / page
LINK_STATUSES: Dict[str, str] = {
    "in_contact": "Contact gehad",
    "appointment": "Afspraak gepland",
    "no_contact": "Geen contact kunnen krijgen",
}
CONFIRMATIONS: Dict[str, str] = {
    "in_contact": "Dank je! We hebben genoteerd dat je contact hebt gehad.",
    "appointment": "Dank je! We hebben genoteerd dat er een afspraak gepland is.",
    "no_contact": ("Dank je! We hebben genoteerd dat je geen contact kon krijgen. We vragen de persoon "
                    "of de contactgegevens kloppen."),
}


def sign(secret: str, lead_id: str, status: str) -> str:
    if not secret:
        raise ValueError("link secret is empty")
    mac = hmac.new(secret.encode(), f"v1|{lead_id}|{status}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def verify(secret: str, lead_id: str, status: str, signature: Optional[str]) -> bool:
    if not signature or status not in LINK_STATUSES or not secret:
        return False
    return hmac.compare_digest(sign(secret, lead_id, status), signature)


def status_url(settings: HandoffSettings, lead_id: str, status: str) -> str:
    return (f"{settings.public_base_url}/lead/{quote(lead_id)}/status?s={status}"
            f"&sig={sign(settings.link_secret, lead_id, status)}")


def status_links(settings: HandoffSettings, lead_id: str) -> List[Dict[str, str]]:
    return [{"status": s, "label": label, "url": status_url(settings, lead_id, s)}
            for s, label in LINK_STATUSES.items()]


def register_routes(app, settings: HandoffSettings, clock=None) -> None:
    """Mount ``GET /lead/{lead_id}/status`` on an aiohttp app (the web app of ``bot/channels/webapp.py``).

    The database work is synchronous SQLAlchemy, so it runs in the default executor and never
    blocks the event loop that also serves the chat.
    """
    # Local on purpose: only the web app serves these routes, while the action server and the worker
    # import this module for status_links() and would otherwise load aiohttp's server stack.
    from aiohttp import web

    clock = clock or SystemClock()

    def page(title: str, message: str, status: int, others=None) -> "web.Response":
        return web.Response(text=render_status_page(title, message, others or []), status=status,
                            content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                     "X-Robots-Tag": "noindex"})

    async def handle(request: "web.Request") -> "web.Response":
        lead_id = request.match_info["lead_id"]
        status = request.query.get("s", "")
        if not verify(settings.link_secret, lead_id, status, request.query.get("sig")):
            log.warning("rejected status link with a bad signature for %r", lead_id[:40])  # %r: no log injection
            return page("Deze link klopt niet",
                        "Deze link is niet geldig. Gebruik de knop uit de e-mail, of neem contact op met "
                        "De Gouden Poort.", 403)
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(None, set_status_by_link, settings.database_url, lead_id,
                                           status, clock.now())
        if not found:
            return page("Aanvraag niet gevonden",
                        "Deze aanvraag bestaat niet meer. Misschien zijn de gegevens op verzoek verwijderd.", 404)
        others = [link for link in status_links(settings, lead_id) if link["status"] != status]
        return page(f"{LINK_STATUSES[status]} – {lead_id}", CONFIRMATIONS[status], 200, others)

    # no HEAD: link checkers and mail scanners often send HEAD first; it must not change anything
    app.router.add_get("/lead/{lead_id}/status", handle, allow_head=False)
