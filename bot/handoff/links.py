"""Signed one-click status links in the hand-off mail, safe against mail scanners.

A link is ``{base}/lead/{id}/status?s={status}&e={expires}&sig={hmac}``, where the signature is
HMAC-SHA256(secret, "v2|{id}|{status}|{expires}") in URL-safe base64 and ``expires`` is a Unix time
(``GP_LINK_MAX_AGE_DAYS`` after the mail, default 30). It authorises exactly one status for exactly one
lead, until it expires, and only once.

Opening a link (GET, what scanners and link previews do) only shows a confirmation page; the status
changes on the page's POST, which carries a CSRF token (``bot.channels.workspace_web``). A used
link is remembered by the hash of its signature (``used_status_links``) and cannot change the status
again. A malformed or wrong signature is a 400 page, never a 500.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError

from bot.handoff.settings import HandoffSettings
from bot.store.db import new_session
from bot.store.workspace_models import UsedStatusLink

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
SIGNATURE_BYTES = 32


def sign(secret: str, lead_id: str, status: str, expires: int) -> str:
    if not secret:
        raise ValueError("link secret is empty")
    mac = hmac.new(secret.encode(), f"v2|{lead_id}|{status}|{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def well_formed(signature: Optional[str]) -> bool:
    """43 URL-safe base64 characters that decode to 32 bytes; anything else is malformed (400)."""
    if not signature or len(signature) != 43:
        return False
    try:
        return len(base64.urlsafe_b64decode(signature + "=")) == SIGNATURE_BYTES
    except (binascii.Error, ValueError):
        return False


def verify(secret: str, lead_id: str, status: str, expires: str, signature: Optional[str]) -> bool:
    if not well_formed(signature) or status not in LINK_STATUSES or not secret or not str(expires).isdigit():
        return False
    return hmac.compare_digest(sign(secret, lead_id, status, int(expires)), signature)


def expired(expires: str, now: datetime) -> bool:
    return int(expires) < now.timestamp()


def expiry(settings: HandoffSettings, now: Optional[datetime] = None) -> int:
    now = now or datetime.now(timezone.utc)
    return int((now + timedelta(days=settings.link_max_age_days)).timestamp())


def status_url(settings: HandoffSettings, lead_id: str, status: str, expires: int) -> str:
    return (f"{settings.public_base_url}/lead/{quote(lead_id)}/status?s={status}&e={expires}"
            f"&sig={sign(settings.link_secret, lead_id, status, expires)}")


def status_links(settings: HandoffSettings, lead_id: str, now: Optional[datetime] = None) -> List[Dict[str, str]]:
    expires = expiry(settings, now)
    return [{"status": s, "label": label, "url": status_url(settings, lead_id, s, expires)}
            for s, label in LINK_STATUSES.items()]


def _hash(signature: str) -> str:
    return hashlib.sha256(signature.encode()).hexdigest()


def was_used(database_url: str, signature: str) -> bool:
    with new_session(database_url) as session:
        return session.get(UsedStatusLink, _hash(signature)) is not None


def mark_used(session, lead_id: str, signature: str, now: datetime, expires: Optional[str] = None) -> bool:
    """In the status change's transaction; False when another click used the link first.

    ``expires`` (the link's signed Unix time) is stored so retention keeps the record until the link
    itself no longer works."""
    expires_at = (datetime.fromtimestamp(int(expires), tz=timezone.utc)
                  if expires is not None and str(expires).isdigit() else None)
    try:
        with session.begin_nested():
            session.add(UsedStatusLink(signature_hash=_hash(signature), lead_id=lead_id, used_at=now,
                                       expires_at=expires_at))
    except IntegrityError:
        return False
    return True
