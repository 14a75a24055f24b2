"""The project's own web app: the one public door. Demo page, privacy page, the chat widget's assets,
the widget's chat endpoints (bot/channels/web_chat.py) and the counsellors' status links.

The widget (web/static/gouden-poort-widget.js) is embedded on regional sites with one script tag and
talks only to this app (the origin of its script); this app passes each message to Rasa over loopback.
Rasa, the action server and everything else listen on the private host only. Every asset the widget
needs is served from here: no CDN. The pages are Jinja2 templates in web/templates (autoescaped).
"""
from __future__ import annotations

import logging
import re

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.channels.http_guard import guarded_application
from bot.channels.web_chat import register_chat_routes
from bot.handoff import guardian
from bot.channels.workspace_web import register_routes as register_workspace
from bot.handoff.settings import load_handoff_settings
from bot.ops.config import PROJECT_ROOT, Settings, load_settings
from bot.workspace.settings import load_workspace_settings
from bot.store.retention import UNANSWERED_DAYS, periods

WEB_DIR = PROJECT_ROOT / "web"
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
DEFAULT_DEMO_REGION = "zeeland"
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

log = logging.getLogger(__name__)


def widget_config(settings: Settings) -> dict:
    return {"sessionPath": "/chat/session", "messagePath": "/chat/message",
            "privacyPath": "/privacy", "maxMessageChars": settings.max_message_chars}


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


def session_period_text(days: float) -> str:
    """GP_SESSION_TOKEN_DAYS as the privacy page says it: "7 dagen", "1 dag", "12 uur"."""
    if days >= 1 and float(days).is_integer():
        return "1 dag" if days == 1 else f"{int(days)} dagen"
    hours = max(1, round(days * 24))
    return f"{hours} uur"


async def privacy(request: web.Request) -> web.Response:
    """The periods come from the same settings the purge and the chat use (bot.store.retention,
    the session token's lifetime), so the page cannot promise something the code does not do."""
    return _page(request, "privacy.html", privacy_email=load_handoff_settings().privacy_email,
                 guardian_days=request.app["guardian_days"],
                 session_period=session_period_text(request.app["settings"].session_token_days),
                 unanswered_days=UNANSWERED_DAYS, **periods())


async def config(request: web.Request) -> web.Response:
    return web.json_response(widget_config(request.app["settings"]),
                             headers={"Cache-Control": "no-cache"})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(settings: Settings) -> web.Application:
    # Request bodies: no decompression, no multipart, at most MAX_BODY_BYTES; security headers on every
    # response, errors and static files included (bot/channels/http_guard.py).
    app = guarded_application()
    app["settings"] = settings
    app.router.add_get("/", index)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/widget-config.json", config)
    app.router.add_get("/health", health)
    app.router.add_get("/favicon.ico", lambda request: web.Response(status=204))
    chat = register_chat_routes(app, settings)
    app.router.add_static("/static/", STATIC_DIR, show_index=False)
    # The counsellors' workspace (/adviseur) and the hand-off mail's one-click status links (/lead/…).
    register_workspace(app, load_workspace_settings())
    # A parent's or guardian's confirmation of an under-16's request (GET shows, POST confirms).
    handoff_settings = load_handoff_settings()
    app["guardian_days"] = guardian.days_text(handoff_settings.guardian_days)
    # The chat's own client key for the clicker's address: a "yes" from the child's client is flagged.
    guardian.register_routes(app, handoff_settings, client_key_of=chat.address_key,
                             tracker_store_url=settings.tracker_store_url)
    return app


def serve(settings: Settings = None) -> None:
    settings = settings or load_settings()
    web.run_app(create_app(settings), host=settings.public_host, port=settings.web_port, print=None)
