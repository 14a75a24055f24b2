"""Rasa's socket.io input channel, fixed and hardened for the web widget.

Rasa 3.6.21 calls ``sio.enter_room()`` without ``await``; with python-socketio 5.x that is a
coroutine, so a client never joins its session room and, with ``session_persistence: true``, no
bot message ever reaches the browser. This channel (configured in credentials.yml as
``bot.channels.socketio_channel.SocketIOInput``) keeps Rasa's wire protocol (``session_request`` →
``session_confirm``, ``user_uttered`` → ``bot_uttered``) and adds:

- the room join is awaited, so replies arrive and a reload (same ``session_id``) keeps the conversation;
- a socket may only speak for the session it asked for (no writing into someone else's conversation);
- every ``user_uttered`` is acknowledged after Rasa handled it, so the widget knows a message arrived
  and can keep unsent ones queued; a resend with the same ``metadata.message_id`` is not handled twice;
- metadata is reduced to known keys (``region``, ``source``, ``message_id``) and text is length-capped.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage, decode_bearer_token
from sanic import Blueprint, response
from socketio import AsyncServer

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SEEN_LIMIT = 20_000


def clean_region(value: Any) -> Optional[str]:
    """A region code as used in embed snippets and deep links (``zeeland``, ``noord-holland``)."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if REGION.match(value) else None


def clean_metadata(raw: Any) -> Dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = {}
    if not isinstance(raw, dict):
        return {}
    metadata: Dict[str, Any] = {"source": "web-widget"}
    region = clean_region(raw.get("region"))
    if region:
        metadata["region"] = region
    message_id = raw.get("message_id")
    if isinstance(message_id, str) and MESSAGE_ID.match(message_id):
        metadata["message_id"] = message_id
    return metadata


class SocketIOInput(rasa_socketio.SocketIOInput):
    """Drop-in replacement for ``rasa.core.channels.socketio.SocketIOInput`` (channel name ``socketio``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: "OrderedDict[tuple, None]" = OrderedDict()

    def _already_seen(self, session_id: str, message_id: Optional[str]) -> bool:
        if not message_id:
            return False
        key = (session_id, message_id)
        if key in self._seen:
            return True
        self._seen[key] = None
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        socketio_webhook = rasa_socketio.SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Any) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            if not token:
                return False
            return bool(decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text, *args: Any) -> None:
            log.debug("socket %s disconnected", sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> str:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                session_id = uuid.uuid4().hex
            async with sio.session(sid, namespace=namespace) as session:
                previous = session.get("session_id")
                session["session_id"] = session_id
            if previous and previous != session_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            return session_id

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None) -> Dict[str, Any]:
            if not isinstance(data, dict):
                return {"ok": False, "error": "bad_message"}
            session = await sio.get_session(sid, namespace=namespace)
            confirmed = session.get("session_id")
            if self.session_persistence:
                if not confirmed or data.get("session_id") != confirmed:
                    # The widget answers this by asking for its session again and resending.
                    return {"ok": False, "error": "no_session"}
                sender_id = confirmed
            else:
                sender_id = sid
            text = data.get("message")
            if not isinstance(text, str) or not text.strip():
                return {"ok": False, "error": "empty"}
            metadata = clean_metadata(data.get(self.metadata_key, {}))
            if self._already_seen(sender_id, metadata.get("message_id")):
                return {"ok": True, "duplicate": True}
            message = UserMessage(text[:MAX_MESSAGE_CHARS], rasa_socketio.SocketIOOutput(sio, self.bot_message_evt),
                                  sender_id, input_channel=self.name(), metadata=metadata)
            await on_new_message(message)
            return {"ok": True}

        return socketio_webhook
