"""What every request and every response of the web app (the one public door) goes through.

Requests: aiohttp 3.9 (held below 3.10 by Rasa 3.6) decompresses a request body without any limit
(CVE-2025-69223: a 57 KB gzip body grew the process by 115-146 MB) and parses multipart bodies
without a total cap (a 61 KB gzip multipart body stalled every other client for seconds). Nothing
here needs either: the widget sends small JSON, every form is urlencoded. So

- the decompression is switched off in the HTTP parser itself (``HANDLER_ARGS``): it runs while the
  bytes arrive, before any handler or middleware could say no;
- a request with a ``Content-Encoding`` header or a multipart body is refused with 415 before its
  body is read (``refuse_unsafe_bodies``);
- a body larger than ``MAX_BODY_BYTES`` is refused with 413 (``client_max_size``), in Dutch.

Responses: ``secure_headers`` runs on ``on_response_prepare``, so it also reaches what a middleware
never sees returned: aiohttp's own 404/405/413, a raised redirect, static files. It also hides the
``Server: aiohttp/3.9.5`` header (no version for a scanner to match).
"""
from __future__ import annotations

from aiohttp import hdrs, web

# A message is at most 2,000 characters (up to 6 bytes each as JSON escapes) plus a little metadata;
# the workspace's forms are far smaller.
MAX_BODY_BYTES = 64 * 1024
HANDLER_ARGS = {"auto_decompress": False}
SERVER_NAME = "gouden-poort"

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                           "object-src 'none'")

COMPRESSED = ("Dit verzoek is ingepakt (gecomprimeerd) verstuurd. Dat nemen we niet aan. "
              "Laad de pagina opnieuw en probeer het nog eens.")
MULTIPART = ("Dit formulier is op een manier verstuurd die we niet aannemen. Laad de pagina opnieuw "
             "en probeer het nog eens.")
TOO_LARGE = "Dit verzoek is te groot. Laad de pagina opnieuw en probeer het nog eens."

# the widget runs on regional sites: its script, CSS and config may be fetched cross-origin
CROSS_ORIGIN_PATHS = ("/static/", "/widget-config.json")
CHAT_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
             "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600",
             "Cache-Control": "no-store"}


def _refuse(request: web.Request, status: int, error: str, message: str) -> web.Response:
    if request.path.startswith("/chat/"):       # the widget reads JSON and shows ``message``
        return web.json_response({"error": error, "message": message}, status=status, headers=CHAT_CORS)
    return web.Response(text=message, status=status, content_type="text/plain", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def is_multipart(request: web.BaseRequest) -> bool:
    return "multipart" in request.headers.get(hdrs.CONTENT_TYPE, "").lower()


@web.middleware
async def refuse_unsafe_bodies(request: web.Request, handler):
    """415 for compressed and multipart requests, before anything reads the body; 413 in Dutch for a
    body over the limit (aiohttp raises it from ``request.read()``/``request.post()``)."""
    if hdrs.CONTENT_ENCODING in request.headers:
        return _refuse(request, 415, "compressed", COMPRESSED)
    if is_multipart(request):
        return _refuse(request, 415, "multipart", MULTIPART)
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return _refuse(request, 413, "too_large", TOO_LARGE)


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, whatever produced it."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers[hdrs.SERVER] = SERVER_NAME           # not "Python/3.10 aiohttp/3.9.5"
    if request.path.startswith(CROSS_ORIGIN_PATHS[0]) or request.path == CROSS_ORIGIN_PATHS[1]:
        headers["Access-Control-Allow-Origin"] = "*"
        headers.setdefault("Cache-Control", "public, max-age=300")


def guarded_application(**kwargs) -> web.Application:
    """A ``web.Application`` with the request and response guards above."""
    middlewares = [refuse_unsafe_bodies, *kwargs.pop("middlewares", ())]
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares, handler_args=HANDLER_ARGS,
                          **kwargs)
    app.on_response_prepare.append(secure_headers)
    return app
