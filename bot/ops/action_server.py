"""The action server, as ``rasa run actions`` starts it, but it answers only callers with the shared
secret (issue 22 item 10).

Rasa's action server has no authentication of its own: anything that could reach its port could post
a forged tracker ("my sender id is the victim's, my slots say 'access, code ok'") and have an action
read or erase a lead. Loopback is not a boundary on a machine that also runs other software. Rasa 3.6
sends ``action_endpoint.token`` from endpoints.yml as a query parameter (``?token=…``) with every call
(``bot.ops.endpoints``); this server refuses ``/webhook`` and ``/actions`` without exactly that token
(403, compared in constant time). ``/health`` stays open for the launcher's readiness check.

The token comes from ``GP_ACTION_TOKEN``; the launcher always sets it (from the same setting, or a
secret generated once in ``var/action-token``), so Rasa and this server agree. Without a token the
server does not start.
"""
from __future__ import annotations

import hmac
import logging
import os
from typing import Optional

OPEN_PATHS = ("/health",)
TOKEN_NAME = "token"

log = logging.getLogger(__name__)


def create_app(token: str, actions_package: str = "actions", token_name: str = TOKEN_NAME):
    """rasa_sdk's own app with a request middleware in front of every route but ``/health``."""
    if not token:
        raise ValueError("the action server needs a token (GP_ACTION_TOKEN)")
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app(actions_package, cors_origins=None)
    expected = token.encode()

    @app.middleware("request")
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        given = (request.args.get(token_name) or "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("action server: refused a call to %s without the right token", request.path)
            return response.json({"error": "forbidden"}, status=403)
        return None

    return app


def serve(port: int, token: Optional[str] = None, actions_package: str = "actions") -> None:
    """What ``rasa_sdk.endpoint.run`` does, with :func:`create_app`."""
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(os.environ.get("GP_LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    app = create_app(token if token is not None else os.environ.get("GP_ACTION_TOKEN", ""), actions_package)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    log.info("action server on http://%s:%s (token required)", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers())
