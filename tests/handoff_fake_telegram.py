"""A minimal fake of the Telegram Bot API (getMe, sendMessage) for the hand-off tests.

Runs an aiohttp server on 127.0.0.1 in its own thread and event loop, so the real
python-telegram-bot client (``Bot(token, base_url=...)``) talks HTTP to it exactly as it would to
api.telegram.org. Kept small on purpose; the user-facing bridge has its own, fuller fake.
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Dict, List, Set

from aiohttp import web


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-TOKEN"):
        self.token = token
        self.sent: List[Dict] = []          # every sendMessage that was accepted
        self.calls: List[str] = []          # every method called, in order
        self.blocked: Set[str] = set()      # chat ids that "blocked the bot" (403)
        self.fail_next = 0                  # answer the next N sendMessage calls with 502
        self.port = 0
        self._loop = None
        self._runner = None
        self._thread = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        with self._lock:
            self.calls.append(method)
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 4242, "is_bot": True, "first_name": "Gouden Poort",
                                                              "username": "goudenpoort_test_bot"}})
        if method == "sendMessage":
            chat_id = str(params.get("chat_id"))
            with self._lock:
                if self.fail_next > 0:
                    self.fail_next -= 1
                    return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"},
                                             status=502)
                if chat_id in self.blocked:
                    return web.json_response({"ok": False, "error_code": 403,
                                              "description": "Forbidden: bot was blocked by the user"}, status=403)
                message_id = len(self.sent) + 1
                self.sent.append({"chat_id": chat_id, "text": params.get("text", ""), "message_id": message_id})
            return web.json_response({"ok": True, "result": {
                "message_id": message_id, "date": int(time.time()),
                "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0, "type": "private"},
                "text": params.get("text", "")}})
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    def start(self) -> "FakeTelegram":
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            app = web.Application()
            app.router.add_post("/bot{token}/{method}", self._handle)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Telegram API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
