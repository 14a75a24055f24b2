"""A local fake of the Telegram Bot API (127.0.0.1 only) for the real python-telegram-bot client.

Implements the methods the bridge uses (getMe, deleteWebhook, getUpdates with long polling,
sendMessage, sendChatAction, answerCallbackQuery, editMessageReplyMarkup, editMessageText,
setMyCommands, close/logOut), records every call, and can simulate a user who blocked the bot
(403 "Forbidden: bot was blocked by the user") and rate limits (429 with retry_after).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "GoudenPoortTest", "username": "gouden_poort_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token"):
        self.token = token
        self.calls: List[Call] = []
        self.blocked: set = set()
        self.rate_limits: Dict[int, List[int]] = {}        # chat_id -> retry_after values to answer with
        self._updates: List[Dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: Optional[web.AppRunner] = None
        self.port: Optional[int] = None

    # ------------------------------------------------------------ server
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> "FakeTelegram":
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        raw.update(request.query)
        return {k: _decode(v) for k, v in raw.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            return await self._get_updates(params)
        call = Call(method, params)
        status, body = self._answer(method, params)
        call.status = status
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.json_response(body, status=status)

    def _answer(self, method: str, params: Dict[str, Any]):
        chat_id = int(params["chat_id"]) if "chat_id" in params else None
        if chat_id is not None and chat_id in self.blocked and method.startswith("send"):
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if chat_id is not None and self.rate_limits.get(chat_id) and method == "sendMessage":
            retry_after = self.rate_limits[chat_id].pop(0)
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                         "parameters": {"retry_after": retry_after}}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method in ("deleteWebhook", "setWebhook", "setMyCommands", "sendChatAction", "answerCallbackQuery",
                      "close", "logOut"):
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            return 200, {"ok": True, "result": self._message(chat_id, params.get("text", ""), BOT_USER,
                                                             params.get("reply_markup"))}
        if method in ("editMessageReplyMarkup", "editMessageText"):
            return 200, {"ok": True, "result": self._message(chat_id, params.get("text", ""), BOT_USER,
                                                             params.get("reply_markup"),
                                                             int(params.get("message_id", 0)))}
        return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: fake has no {method}"}

    def _message(self, chat_id, text, sender, reply_markup=None, message_id=None) -> Dict[str, Any]:
        message = {"message_id": message_id or next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private", "first_name": "Test"}, "from": sender, "text": text}
        if reply_markup:
            message["reply_markup"] = reply_markup
        return message

    async def _get_updates(self, params: Dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)   # short long-poll keeps shutdown quick
        deadline = time.monotonic() + wait
        async with self._changed:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return web.json_response({"ok": True, "result": ready})

    # ------------------------------------------------------------ simulated users
    @staticmethod
    def user(chat_id: int) -> Dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}

    async def _push(self, update: Dict[str, Any]) -> int:
        update["update_id"] = next(self._update_ids)
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update["update_id"]

    async def user_says(self, chat_id: int, text: str) -> int:
        message = self._message(chat_id, text, self.user(chat_id))
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._push({"message": message})

    async def user_taps(self, chat_id: int, callback_data: str, message_id: int = 1) -> int:
        message = self._message(chat_id, "knoppen", BOT_USER, message_id=message_id)
        return await self._push({"callback_query": {"id": f"cq-{next(self._update_ids)}", "from": self.user(chat_id),
                                                    "chat_instance": "ci", "data": callback_data,
                                                    "message": message}})

    # ------------------------------------------------------------ assertions
    def sent(self, chat_id: Optional[int] = None, method: str = "sendMessage", ok: bool = True) -> List[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or (c.status == 200) == ok)
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)]

    async def wait_for(self, predicate: Callable[[List[Call]], Any], timeout: float = 30.0) -> Any:
        """Waits until ``predicate(calls)`` is truthy (event-driven, no fixed sleeps)."""
        async def _wait():
            async with self._changed:
                while True:
                    result = predicate(self.calls)
                    if result:
                        return result
                    await self._changed.wait()
        try:
            return await asyncio.wait_for(_wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out; calls so far: {[(c.method, c.status, c.params) for c in self.calls]}")
