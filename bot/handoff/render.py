"""Render the hand-off summary into an e-mail (plain text + HTML), a Telegram text and a webhook body.

All human-facing text lives in Jinja2 templates (``templates/``) so the content team can change
wording without touching code. Missing values show as "onbekend"; lists that are empty are left out.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Tuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.handoff.clock import as_utc
from bot.handoff.workdays import AMSTERDAM, dutch_date, dutch_date_long

TEMPLATES = Path(__file__).resolve().parent / "templates"
TELEGRAM_LIMIT = 4096
METHOD_LABELS = {"telefoon": "telefoon (bellen of WhatsApp)", "whatsapp": "WhatsApp", "email": "e-mail",
                 "telegram": "Telegram", None: "onbekend"}
GIVEN_BY_LABELS = {"zelf": "de persoon zelf", "ouder_voogd": "een ouder of voogd", None: "onbekend"}


def _ok(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "onbekend"
    return str(value)


def _quoted(value: Any) -> str:
    return f"“{value}”" if value else "onbekend"


def _env(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=autoescape,
                      keep_trailing_newline=True, trim_blocks=False, undefined=StrictUndefined)
    env.filters["ok"] = _ok
    env.filters["quoted"] = _quoted
    return env


_TEXT = _env(False)
_HTML = _env(True)


def _context(summary: Dict[str, Any], links: List[Dict[str, str]], key: str) -> Dict[str, Any]:
    given_at = summary["consent"]["given_at"]
    when = "onbekend"
    if given_at:
        dt = as_utc(datetime.fromisoformat(given_at)).astimezone(AMSTERDAM)
        when = f"{dutch_date_long(dt)} om {dt:%H:%M}"
    name = summary["situation"]["counsellor"]["name"] or ""
    return {
        "s": summary, "links": links, "key": key,
        "counsellor_first": name.split()[0] if name.strip() else "",
        "method_label": METHOD_LABELS.get(summary["contact"]["method"], "onbekend"),
        "consent_when": when,
        "consent_by": GIVEN_BY_LABELS.get(summary["consent"]["given_by"], "onbekend"),
        "delete_on": dutch_date_long(datetime.fromisoformat(summary["conversation"]["delete_on"]).date()),
    }


def email_subject(summary: Dict[str, Any]) -> str:
    """No name or contact data in the subject: it shows up in lock screens and notifications."""
    promised = datetime.fromisoformat(summary["situation"]["promised"]["by"])
    return (f"Nieuwe aanvraag {summary['referral']['id']} via De Gouden Poort – "
            f"contact uiterlijk {dutch_date(promised)}")


def render_email(summary: Dict[str, Any], links: List[Dict[str, str]], key: str) -> Tuple[str, str, str]:
    ctx = _context(summary, links, key)
    return (email_subject(summary), _TEXT.get_template("handoff_email.txt.j2").render(ctx),
            _HTML.get_template("handoff_email.html.j2").render(ctx))


def render_telegram(summary: Dict[str, Any], links: List[Dict[str, str]], key: str) -> str:
    text = _TEXT.get_template("handoff_telegram.txt.j2").render(_context(summary, links, key))
    if len(text) > TELEGRAM_LIMIT:
        text = text[:TELEGRAM_LIMIT - 40] + "\n… (ingekort, zie de e-mail)"
    return text


def webhook_body(summary: Dict[str, Any], links: List[Dict[str, str]], key: str) -> str:
    """The exact JSON text that is signed and POSTed; stored as text so every retry sends the same
    bytes (and the same signature base)."""
    body = {"event": "lead.handoff", "idempotency_key": key, "summary": summary,
            "status_links": {link["status"]: link["url"] for link in links}}
    return json.dumps(body, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def webhook_signature(secret: str, timestamp: str, body: str) -> str:
    """``sha256=<hex>`` over ``"{timestamp}.{body}"``; receivers recompute it and compare in constant
    time, and may reject old timestamps to stop replays."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def render_plain(template: str, **ctx: Any) -> str:
    return _TEXT.get_template(template).render(ctx)
