"""The project's own web app: the demo page with the chat widget and its static assets.

Chat traffic goes from the browser to this app (``/api/chat``) and is forwarded to Rasa's REST
channel, so the page works from one origin and can give a Dutch answer when Rasa is down.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.config import PROJECT_ROOT, Settings, load_settings

WEB_DIR = PROJECT_ROOT / "web"
MAX_MESSAGE_CHARS = 2000
RASA_DOWN_MESSAGE = ("De chat is even niet bereikbaar. Je bericht is niet kwijt: probeer het zo "
                     "nog een keer.")

log = logging.getLogger(__name__)


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "index.html")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def chat(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "Ongeldig bericht."}, status=400)
    sender = str(body.get("sender") or "").strip()[:128]
    message = str(body.get("message") or "")
    if not sender or not message.strip():
        return web.json_response({"error": "Leeg bericht."}, status=400)
    message = message[:MAX_MESSAGE_CHARS]
    settings: Settings = request.app["settings"]
    session: ClientSession = request.app["client"]
    try:
        async with session.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": message}) as response:
            if response.status != 200:
                raise ClientError(f"rasa answered {response.status}")
            replies = await response.json()
    except (ClientError, TimeoutError) as exc:
        log.warning("Rasa not reachable: %s", exc)
        return web.json_response({"error": RASA_DOWN_MESSAGE}, status=503)
    return web.json_response(replies)


async def _client(app: web.Application):
    app["client"] = ClientSession(timeout=ClientTimeout(total=30))
    yield
    await app["client"].close()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app["settings"] = settings
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/static/", WEB_DIR / "static", show_index=False)
    return app


def serve(settings: Settings = None) -> None:
    settings = settings or load_settings()
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)
