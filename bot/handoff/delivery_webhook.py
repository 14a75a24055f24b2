"""JSON webhook for a regional CRM: POST with an HMAC-SHA256 signature and an idempotency key.

Headers: ``X-GoudenPoort-Signature: sha256=<hex of HMAC(secret, "{timestamp}.{body}")>``,
``X-GoudenPoort-Timestamp`` (unix seconds), ``Idempotency-Key`` (also ``idempotency_key`` in the
body). The body bytes are identical on every retry; the timestamp is fresh, so receivers can reject
replays older than a few minutes. 2xx and 409 (already have it) count as delivered.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx

from bot.handoff.delivery import Envelope, PermanentFailure, TemporaryFailure
from bot.handoff.render import webhook_signature
from bot.handoff.settings import HandoffSettings
from bot.ops.config import is_loopback_host

SIGNATURE_HEADER = "X-GoudenPoort-Signature"
TIMESTAMP_HEADER = "X-GoudenPoort-Timestamp"
KEY_HEADER = "Idempotency-Key"


def webhook_url_allowed(url: str) -> bool:
    """https anywhere; plain http only to this machine (tests, a local relay)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


class WebhookTransport:
    def __init__(self, settings: HandoffSettings, client: httpx.Client = None, wall_clock=time.time):
        self.settings = settings
        self.http = client or httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False)
        self.wall_clock = wall_clock

    def send(self, envelope: Envelope) -> None:
        payload = envelope.payload
        url, body = payload.get("url") or envelope.recipient, payload.get("body") or ""
        if not url:
            raise PermanentFailure("no webhook URL")
        if not webhook_url_allowed(url):
            raise PermanentFailure("webhook URL must be https (http only to loopback): refusing to send personal data")
        secret = payload.get("secret") or self.settings.webhook_secret_for(payload.get("counsellor_id") or "")
        if not secret:
            raise PermanentFailure("no webhook secret (GP_WEBHOOK_SECRET…): refusing to send personal data unsigned")
        timestamp = str(int(self.wall_clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "DeGoudenPoort-Handoff/1",
            KEY_HEADER: envelope.idempotency_key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
        }
        try:
            response = self.http.post(url, content=body.encode("utf-8"), headers=headers,
                                      timeout=self.settings.webhook_timeout, follow_redirects=False)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise TemporaryFailure(f"webhook unreachable: {exc.__class__.__name__}: {exc}") from exc
        code = response.status_code
        if 200 <= code < 300 or code == 409:
            return
        if code in (408, 425, 429) or code >= 500:
            raise TemporaryFailure(f"webhook answered {code}")
        raise PermanentFailure(f"webhook answered {code}: {response.text[:200]!r}")
