"""Rasa's door for our own front-ends: the web app and the Telegram bridge, over loopback only.

Configured in credentials.yml as ``bot.channels.gateway.GatewayInput`` (URL
``/webhooks/gateway/webhook``). Unlike Rasa's REST channel it trusts nobody by default:

- every request must carry the shared secret (header ``X-Gouden-Poort-Secret``, setting
  ``GP_CHANNEL_SECRET`` or ``var/channel-secret``), so only our processes can speak here;
- the sender id must have the server-derived shape (``web-…``/``telegram-…``, bot.channels.identity);
  front-ends derive it, clients never choose it;
- text over the length limit is answered with a Dutch sentence and never handled (nothing stored);
- metadata is reduced to known keys; ``source`` becomes the input channel (``web``/``telegram``), which
  the lead keeps, so the follow-up knows a Telegram lead can be reached in its chat;
- a message sent again with the same ``message_id`` (a retry after a lost answer) is handled once and
  the same replies are returned.

The reply is ``{"replies": [...]}`` with Rasa's usual message dicts (text, buttons, …).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.identity import SENDER_ID, SOURCES, clean_metadata
from bot.channels.limits import too_long_text
from bot.ops.config import channel_secret, load_settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Gouden-Poort-Secret"
SEEN_LIMIT = 20_000


class Deduplicator:
    """Remembers the replies to recent ``(sender, message_id)`` pairs: a retry gets the same answer
    (also while the first attempt is still running), and is not handled twice."""

    def __init__(self, limit: int = SEEN_LIMIT):
        self.limit = limit
        self._seen: "OrderedDict[Tuple[str, str], asyncio.Future]" = OrderedDict()

    async def once(self, key: Optional[Tuple[str, str]], handle: Callable[[], Awaitable[List[Dict]]]) -> List[Dict]:
        if key is None:
            return await handle()
        if key in self._seen:
            return await asyncio.shield(self._seen[key])
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._seen[key] = future
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)
        try:
            replies = await handle()
        except BaseException as exc:
            self._seen.pop(key, None)            # failed: a retry must really be handled
            future.set_exception(exc)
            future.exception()                   # mark retrieved: no "never retrieved" warning
            raise
        future.set_result(replies)
        return replies


class GatewayInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GatewayInput":
        settings = load_settings()
        return cls(channel_secret(settings), settings.max_message_chars)

    def __init__(self, secret: str, max_message_chars: int = 2000) -> None:
        if not secret:
            raise ValueError("the gateway channel needs a shared secret")
        self.secret = secret
        self.max_message_chars = max_message_chars
        self.dedup = Deduplicator()

    def authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        gateway = Blueprint("gateway_webhook", __name__)

        @gateway.route("/", methods=["GET"])
        async def health(request: Request) -> Any:
            # Readiness, not just liveness: with the HTTP API off there is no /status, and the
            # launcher must not send anyone here before the model is loaded.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            return response.json({"status": "ok"})

        @gateway.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            if not self.authorised(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises its own InvalidUsage for bad JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "bad_request"}, status=400)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER_ID.match(sender):
                return response.json({"error": "bad_sender"}, status=400)
            if not isinstance(text, str) or not text.strip():
                return response.json({"error": "empty"}, status=400)
            if len(text) > self.max_message_chars:
                return response.json({"error": "too_long",
                                      "replies": [{"text": too_long_text(self.max_message_chars)}]}, status=413)
            metadata = clean_metadata(body.get("metadata"))
            channel = SOURCES.get(metadata.get("source", ""), self.name())

            async def handle() -> List[Dict]:
                collector = CollectingOutputChannel()
                await on_new_message(UserMessage(text, collector, sender, input_channel=channel,
                                                 metadata=metadata))
                return collector.messages

            key = (sender, metadata["message_id"]) if "message_id" in metadata else None
            try:
                replies = await self.dedup.once(key, handle)
            except Exception:  # noqa: BLE001 - never log the text itself
                log.exception("gateway: handling a message for a %s conversation failed", channel)
                return response.json({"error": "failed"}, status=500)
            return response.json({"replies": replies})

        return gateway
