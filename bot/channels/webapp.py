"""The project's own web app: the demo page, the privacy page and the chat widget's assets.

The widget (web/static/gouden-poort-widget.js) is embedded on regional sites with one script tag;
it asks ``/widget-config.json`` where Rasa's socket.io channel lives and then talks to Rasa directly.
Every asset the widget needs (script, CSS, the socket.io client) is served from here: no CDN. The
pages are Jinja2 templates in web/templates (autoescaped); calls to Rasa go through httpx.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

import httpx
from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.handoff.settings import load_handoff_settings
from bot.ops.config import PROJECT_ROOT, Settings, load_settings
from bot.store.retention import periods

WEB_DIR = PROJECT_ROOT / "web"
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
MAX_MESSAGE_CHARS = 2000
DEFAULT_DEMO_REGION = "zeeland"
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
RASA_DOWN_MESSAGE = ("De chat is even niet bereikbaar. Je bericht is niet kwijt: probeer het zo "
                     "nog een keer.")

log = logging.getLogger(__name__)


def rasa_origins(rasa_url: str) -> str:
    """The http(s) and ws(s) origins of the Rasa server, for the pages' Content-Security-Policy."""
    parts = urlsplit(rasa_url)
    if not parts.scheme or not parts.netloc:
        return ""
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {rasa_origins(settings.public_rasa_url)}; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")


def widget_config(settings: Settings) -> dict:
    return {"socketUrl": settings.public_rasa_url, "socketPath": "/socket.io/",
            "privacyPath": "/privacy", "maxMessageChars": MAX_MESSAGE_CHARS}


# Autoescape on: every value that reaches a page (a region from the query string) is escaped, even if a
# later check forgets to restrict it.
PAGES = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                    trim_blocks=True, lstrip_blocks=True)


def _page(request: web.Request, name: str, **values: str) -> web.Response:
    html = PAGES.get_template(name).render(**values)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def index(request: web.Request) -> web.Response:
    region = request.query.get("regio", DEFAULT_DEMO_REGION).strip().lower()
    if not REGION.match(region):
        region = DEFAULT_DEMO_REGION
    return _page(request, "index.html", region=region)


async def privacy(request: web.Request) -> web.Response:
    """The periods come from the same settings the purge uses (bot.store.retention), so the page
    cannot promise something the code does not do."""
    return _page(request, "privacy.html", privacy_email=load_handoff_settings().privacy_email, **periods())


async def config(request: web.Request) -> web.Response:
    return web.json_response(widget_config(request.app["settings"]),
                             headers={"Cache-Control": "no-cache"})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def chat(request: web.Request) -> web.Response:
    """REST fallback kept from the foundation (the widget itself uses socket.io)."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "Ongeldig bericht."}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "Ongeldig bericht."}, status=400)
    sender = str(body.get("sender") or "").strip()[:128]
    message = str(body.get("message") or "")
    if not sender or not message.strip():
        return web.json_response({"error": "Leeg bericht."}, status=400)
    message = message[:MAX_MESSAGE_CHARS]
    settings: Settings = request.app["settings"]
    client: httpx.AsyncClient = request.app["client"]
    try:
        response = await client.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": message})
        if response.status_code != 200:
            raise httpx.HTTPStatusError(f"rasa answered {response.status_code}", request=response.request,
                                        response=response)
        replies = response.json()
    except (httpx.HTTPError, ValueError) as exc:  # ValueError: Rasa answered something that is not JSON
        log.warning("Rasa not reachable: %s", exc)
        return web.json_response({"error": RASA_DOWN_MESSAGE}, status=503)
    return web.json_response(replies)


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/static/") or request.path == "/widget-config.json":
        # the widget runs on regional sites: its script, CSS and config may be fetched cross-origin
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers.setdefault("Cache-Control", "public, max-age=300")
    elif response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = content_security_policy(request.app["settings"])
    return response


async def _client(app: web.Application):
    app["client"] = httpx.AsyncClient(timeout=30)
    yield
    await app["client"].aclose()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024, middlewares=[security_headers])
    app["settings"] = settings
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/widget-config.json", config)
    app.router.add_get("/health", health)
    app.router.add_get("/favicon.ico", lambda request: web.Response(status=204))
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/static/", STATIC_DIR, show_index=False)
    # Counsellors' signed one-click status links from the hand-off e-mail (no login needed).
    from bot.handoff.links import register_routes
    from bot.handoff.settings import load_handoff_settings

    register_routes(app, load_handoff_settings())
    return app


def serve(settings: Settings = None) -> None:
    settings = settings or load_settings()
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)
