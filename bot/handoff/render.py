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
METHOD_LABELS = {"telefoon": "telefoon (bellen)", "whatsapp": "WhatsApp", "email": "e-mail",
                 "telegram": "Telegram", None: "onbekend"}
# Shown instead of "onbekend" on a guardian's lead: the under-16 route asks no name (issue 24 item 2).
NOT_ASKED_UNDER_16 = "niet gevraagd (jonger dan 16: contact via de ouder)"
NO_CONTEXT = {"topics": [], "doubts": [], "asks_for": [], "asker": {"code": "self", "label": "de persoon zelf"},
              "language_needs": [], "urgent": False, "explored_jobs": []}
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
# Pages a visitor opens from a mail (the guardian's) wear the site's own look: web/templates/base.html.
SITE_TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
_PAGES = Environment(loader=FileSystemLoader([str(TEMPLATES), str(SITE_TEMPLATES)]), autoescape=True,
                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _context(summary: Dict[str, Any], links: List[Dict[str, str]], key: str) -> Dict[str, Any]:
    given_at = summary["consent"]["given_at"]
    when = "onbekend"
    if given_at:
        dt = as_utc(datetime.fromisoformat(given_at)).astimezone(AMSTERDAM)
        when = f"{dutch_date_long(dt)} om {dt:%H:%M}"
    name = summary["situation"]["counsellor"]["name"] or ""
    return {
        "s": summary, "links": links, "key": key, **person_fields(summary),
        "counsellor_first": name.split()[0] if name.strip() else "",
        "consent_when": when,
        "consent_by": GIVEN_BY_LABELS.get(summary["consent"]["given_by"], "onbekend"),
        "delete_on": dutch_date_long(datetime.fromisoformat(summary["conversation"]["delete_on"]).date()),
    }


def contact_href(method: Any, value: Any) -> str:
    """A link that starts the contact as chosen: tel:, mailto:, WhatsApp (wa.me), Telegram (t.me)."""
    value = str(value or "").strip()
    if not value:
        return ""
    if method == "email" and "@" in value:
        return f"mailto:{value}"
    digits = "".join(ch for ch in value if ch.isdigit())
    if method == "whatsapp" and value.startswith("+") and digits:
        return f"https://wa.me/{digits}"
    if method == "telegram" and value.startswith("@"):
        return f"https://t.me/{value[1:]}"
    if value.startswith("+") and digits:
        return f"tel:+{digits}"
    return ""


def person_fields(summary: Dict[str, Any]) -> Dict[str, Any]:
    """What the mail, Telegram text and workspace show for the person, the same way (v1 and v2)."""
    background = summary["background"]
    guardian = summary["consent"].get("given_by") == "ouder_voogd"
    context = summary.get("context") or NO_CONTEXT
    interests = background["interests"]["choices"] or context.get("explored_jobs") or []
    return {
        "c": context,
        "first_name": background["first_name"] or (NOT_ASKED_UNDER_16 if guardian else "onbekend"),
        "interests": ", ".join(interests) or (NOT_ASKED_UNDER_16 if guardian else "onbekend"),
        "method_label": METHOD_LABELS.get(summary["contact"]["method"], "onbekend"),
        "contact_href": contact_href(summary["contact"]["method"], summary["contact"]["value"]),
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


def render_page(template: str, **ctx: Any) -> str:
    """An autoescaped HTML page in the site's template (the guardian's confirmation page)."""
    return _PAGES.get_template(template).render(ctx)
