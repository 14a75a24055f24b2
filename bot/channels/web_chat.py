"""The widget's transport: two small JSON endpoints on the web app, the only public listener.

Why plain HTTP and not socket.io: every message is one request, so a too-big message is a 413 and a
rate limit a 429 with ``Retry-After`` (visible to proxies, logs and tests), the 64 KB body limit of the
web app stops a 10 MB message before it is read (compressed and multipart bodies are refused with 415
before that: bot/channels/http_guard.py), a reverse proxy needs no WebSocket set-up, and the
widget needs no client library. The bot never starts a conversation in the browser (follow-ups go by
Telegram or e-mail), so there is nothing to push.

``POST /chat/session`` ``{"token": <old token or nothing>}`` → ``{"token": …}`` (+ ``"gone": true``)
    A token this server issued is returned as it is (a reload keeps the conversation), with
    ``gone`` when the tracker store holds nothing of its conversation (erased or purged: the widget
    then drops the transcript it stored, issue 25), until it is
    ``GP_SESSION_TOKEN_DAYS`` old; anything else, an expired token too, gets a new random token (a new
    conversation), limited per client address per hour.
``POST /chat/message`` with ``Authorization: Bearer <token>`` and ``{"message", "message_id", "region", "initiative"}``
    → ``{"replies": [{"text", "buttons"}]}``; 401 ``no_session``, 413 ``too_long``, 429 ``rate_limited``
    (+ ``Retry-After``), 503 ``rasa_down``. Every refusal carries a Dutch ``message`` for the person.

The Rasa sender id is derived here from the token (bot.channels.identity); the client address is
passed on only as a salted hash (``client_key``), for the leads-per-address limit.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List, Optional

from aiohttp import web
from sqlalchemy import text

from bot.channels.gateway_client import GatewayClient, RasaUnavailable
from bot.channels.http_guard import CHAT_CORS
from bot.channels.identity import (MESSAGE_ID, clean_initiative, clean_region, client_key, new_session_token,
                                   valid_session_token, web_sender_id)
from bot.channels.limits import SLOW_DOWN, TOO_MANY_CONVERSATIONS, RateLimiter, too_long_text
from bot.ops.config import Settings, channel_secret, identity_secret
from bot.store.erasure import tracker_events_engine

log = logging.getLogger(__name__)

RASA_DOWN_MESSAGE = ("De chat is even niet bereikbaar. Je bericht is niet kwijt: probeer het zo "
                     "nog een keer.")
NO_SESSION_MESSAGE = "Je gesprek is verlopen. We beginnen een nieuw gesprek."
BAD_MESSAGE = "Dit bericht kunnen we niet lezen. Typ het nog een keer."
CORS_HEADERS = CHAT_CORS


def refusal(status: int, error: str, message: str, retry_after: Optional[int] = None) -> web.Response:
    headers = dict(CORS_HEADERS)
    body: Dict[str, Any] = {"error": error, "message": message}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
        body["retry_after"] = retry_after
    return web.json_response(body, status=status, headers=headers)


def client_address(request: web.Request, trusted_proxies: tuple) -> str:
    """The peer address; behind a trusted reverse proxy the last address it added to X-Forwarded-For."""
    address = request.remote or ""
    if address in trusted_proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        while hops and hops[-1] in trusted_proxies:
            hops.pop()
        if hops:
            address = hops[-1]
    return address


def _signal(custom: Any, key: str) -> bool:
    """The custom messages the widget acts on (actions/person_rights.py sends them): ``clear_storage``
    after an erasure (forget the conversation in the browser) and ``offer_clear`` after "stop" (offer
    "Wis dit gesprek ook hier"). Nothing else of a custom payload is passed on."""
    if not isinstance(custom, dict):
        return False
    box = custom.get("gouden_poort")
    if box is None and isinstance(custom.get("data"), dict):
        box = custom["data"].get("gouden_poort")
    return isinstance(box, dict) and box.get(key) is True


def _clears_storage(custom: Any) -> bool:
    return _signal(custom, "clear_storage")


def widget_replies(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Only what the widget shows: text and buttons (title + payload), as plain strings."""
    out = []
    for reply in replies:
        text = reply.get("text") if isinstance(reply.get("text"), str) else ""
        raw = reply.get("buttons") or reply.get("quick_replies") or []
        buttons = [{"title": b["title"], "payload": b["payload"]} for b in raw if isinstance(b, dict)
                   and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)]
        if text or buttons:
            out.append({"text": text, "buttons": buttons})
        if _clears_storage(reply.get("custom")):
            out.append({"gouden_poort": {"clear_storage": True}})
        if _signal(reply.get("custom"), "offer_clear"):
            out.append({"gouden_poort": {"offer_clear": True}})
    return out


class WebChat:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.identity = identity_secret(settings)
        self.channel_secret = channel_secret(settings)
        self.limiter = RateLimiter()
        self.session_seconds = settings.session_token_days * 24 * 3600
        self.gateway: Optional[GatewayClient] = None

    def address_key(self, request: web.Request) -> str:
        return client_key(self.identity, client_address(request, self.settings.trusted_proxies))

    async def _json(self, request: web.Request) -> Any:
        """The body as JSON; raises HTTPRequestEntityTooLarge past the app's body limit (64 KB)."""
        raw = await request.read()
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            return None

    def _too_long(self) -> web.Response:
        return refusal(413, "too_long", too_long_text(self.settings.max_message_chars))

    async def session(self, request: web.Request) -> web.Response:
        try:
            body = await self._json(request)
        except web.HTTPRequestEntityTooLarge:
            return refusal(413, "too_large", BAD_MESSAGE)
        token = body.get("token") if isinstance(body, dict) else None
        if valid_session_token(self.identity, token, self.session_seconds):
            body = {"token": token}
            if await self._gone(web_sender_id(self.identity, token)):
                body["gone"] = True  # erased (from another device too) or purged: the widget forgets it here
            return web.json_response(body, headers=CORS_HEADERS)
        wait = self.limiter.hit(("conversations", self.address_key(request)),
                                self.settings.limit_conversations_per_hour, 3600)
        if wait:
            return refusal(429, "rate_limited", TOO_MANY_CONVERSATIONS, wait)
        return web.json_response({"token": new_session_token(self.identity)}, headers=CORS_HEADERS)

    async def _gone(self, sender: str) -> bool:
        """The tracker store holds nothing of this conversation (issue 25 item 7). Without a readable
        tracker store (not SQL, not created yet) nothing is said."""
        url = self.settings.tracker_store_url

        def look() -> bool:
            engine = tracker_events_engine(url)
            if engine is None:
                return False
            with engine.connect() as conn:
                return conn.execute(text("SELECT 1 FROM events WHERE sender_id = :s LIMIT 1"),
                                    {"s": sender}).first() is None
        try:
            return await asyncio.get_running_loop().run_in_executor(None, look)
        except Exception:  # never block a session over this
            log.debug("could not look up the conversation", exc_info=True)
            return False

    async def message(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else ""
        if not valid_session_token(self.identity, token, self.session_seconds):
            return refusal(401, "no_session", NO_SESSION_MESSAGE)
        try:
            body = await self._json(request)
        except web.HTTPRequestEntityTooLarge:
            return self._too_long()
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return refusal(400, "bad_message", BAD_MESSAGE)
        text = body["message"]
        if not text.strip():
            return refusal(400, "empty", BAD_MESSAGE)
        if len(text) > self.settings.max_message_chars:
            return self._too_long()
        sender = web_sender_id(self.identity, token)
        address = self.address_key(request)
        wait = self.limiter.check_all(
            (("messages", sender), self.settings.limit_messages_per_minute, 60),
            (("address-messages", address), self.settings.limit_address_messages_per_minute, 60))
        if wait:
            return refusal(429, "rate_limited", SLOW_DOWN, wait)
        metadata: Dict[str, Any] = {"source": "web-widget", "client_key": address}
        region = clean_region(body.get("region"))
        if region:
            metadata["region"] = region
        initiative = clean_initiative(body.get("initiative"))
        if initiative:
            metadata["initiative"] = initiative
        message_id = body.get("message_id")
        if isinstance(message_id, str) and MESSAGE_ID.match(message_id):
            metadata["message_id"] = message_id
        try:
            answer = await self.gateway.send(sender, text, metadata)
        except RasaUnavailable as exc:
            log.warning("Rasa not reachable for a web message: %s", exc)
            return refusal(503, "rasa_down", RASA_DOWN_MESSAGE)
        if answer.refused == "too_long":
            return self._too_long()
        return web.json_response({"replies": widget_replies(answer.replies)}, headers=CORS_HEADERS)

    async def preflight(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers=CORS_HEADERS)

    async def lifecycle(self, app: web.Application):
        self.gateway = GatewayClient(self.settings.rasa_url, self.channel_secret)
        yield
        await self.gateway.close()


def register_chat_routes(app: web.Application, settings: Settings) -> WebChat:
    chat = WebChat(settings)
    app.cleanup_ctx.append(chat.lifecycle)
    app.router.add_post("/chat/session", chat.session)
    app.router.add_post("/chat/message", chat.message)
    app.router.add_route("OPTIONS", "/chat/session", chat.preflight)
    app.router.add_route("OPTIONS", "/chat/message", chat.preflight)
    return chat
