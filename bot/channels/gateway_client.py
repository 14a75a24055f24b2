"""The web app's and the Telegram bridge's way to Rasa: the gateway channel on loopback, with the
shared secret (see bot/channels/gateway.py, which runs inside Rasa). No Rasa import here: the web app
and the bridge stay light."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import httpx

SECRET_HEADER = "X-Gouden-Poort-Secret"
GATEWAY_PATH = "/webhooks/gateway/webhook"


class RasaUnavailable(Exception):
    """Rasa did not answer (down, starting, overloaded): the front-end says so in Dutch, loses nothing."""


@dataclass
class GatewayAnswer:
    replies: List[Dict[str, Any]] = field(default_factory=list)
    refused: str = ""        # "", "too_long", "empty": Rasa would not handle it (replies say why)


class GatewayClient:
    def __init__(self, rasa_url: str, secret: str, timeout: float = 30.0):
        self.url = rasa_url.rstrip("/") + GATEWAY_PATH
        self.headers = {SECRET_HEADER: secret}
        self.client = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, message: str, metadata: Dict[str, Any]) -> GatewayAnswer:
        try:
            response = await self.client.post(self.url, headers=self.headers,
                                              json={"sender": sender, "message": message, "metadata": metadata})
        except httpx.HTTPError as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and isinstance(body.get("replies"), list):
            return GatewayAnswer(body["replies"])
        if response.status_code in (400, 413) and body.get("error") in ("too_long", "empty"):
            return GatewayAnswer(body.get("replies") or [], refused=body["error"])
        raise RasaUnavailable(f"gateway answered {response.status_code}")

    async def close(self) -> None:
        await self.client.aclose()
