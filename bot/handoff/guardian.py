"""A guardian who really agrees: an under-16's request reaches the counsellor only after a parent or
guardian confirms it through a link in their own mailbox.

Flow: the intake's "Ja" stores a ``guardian_requests`` row (no lead) and, in the same transaction,
one outbox mail to the guardian with exactly the lines the young person saw and a link. The link's
GET shows the page (a mail scanner that opens it changes nothing); its POST, with a CSRF token,
turns the request into a lead with guardian consent and writes the hand-off outbox rows, in ONE
transaction that also deletes the request, so the link works once. Unconfirmed requests are deleted
by the purge when they expire (``GP_GUARDIAN_CONFIRM_DAYS``, default 7).

Only e-mail: a Telegram bot cannot start a chat with someone who never wrote to it, so there is no
way to reach a guardian there.

Token: ``{request id}.{expires (unix s)}.{nonce}.{HMAC}``. The HMAC (``GP_LINK_SECRET``) covers id,
expiry and nonce, so a changed byte fails; the expiry is checked before the database; the database
keeps only the nonce's hash, and the row disappears on first use, so a second POST finds nothing.
"""
from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional

from bot.handoff.clock import SystemClock, as_utc
from bot.handoff.outbox import enqueue_email, enqueue_handoff
from bot.handoff.render import render_page, render_plain
from bot.handoff.settings import HandoffSettings
from bot.handoff.summary import same_client_text
from bot.handoff.workdays import dutch_date_long
from bot.intake.referral import create_lead
from bot.store.db import new_session
from bot.content.packs import organisation_contact
from bot.store.guardian import (add_request, get_request, mails_to_recipient_since, nonce_hash, record_ask,
                                refuse_request, take_request)
from bot.store.leads import NewLead
from bot.store.models import Lead

log = logging.getLogger(__name__)

CSRF_COOKIE = "gp_ouder_csrf"


# --- Tokens ----------------------------------------------------------------------------------------
def _mac(secret: str, message: str) -> str:
    if not secret:
        raise ValueError("link secret is empty")
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret: str, request_id: str, expires_at: datetime, nonce: str) -> str:
    expires = int(as_utc(expires_at).timestamp())
    return f"{request_id}.{expires}.{nonce}.{_mac(secret, f'guardian|v1|{request_id}|{expires}|{nonce}')}"


@dataclass(frozen=True)
class TokenCheck:
    request_id: str = ""
    nonce: str = ""
    error: Optional[str] = None  # "invalid" | "expired"

    @property
    def ok(self) -> bool:
        return self.error is None


def check_token(secret: str, token: Any, now: datetime) -> TokenCheck:
    """Signature first (a tampered token says nothing), then the expiry. Single use is the
    database's part: :func:`confirm` deletes the request it redeems."""
    parts = str(token or "")[:300].split(".")
    if len(parts) != 4 or not parts[1].isdigit() or not secret:
        return TokenCheck(error="invalid")
    request_id, expires, nonce, signature = parts
    expected = _mac(secret, f"guardian|v1|{request_id}|{expires}|{nonce}")
    if not hmac.compare_digest(expected, signature):
        return TokenCheck(error="invalid")
    if int(expires) <= as_utc(now).timestamp():
        return TokenCheck(request_id, nonce, error="expired")
    return TokenCheck(request_id, nonce)


def confirm_url(settings: HandoffSettings, token: str) -> str:
    return f"{settings.public_base_url}/ouder/{token}"


def csrf_token(secret: str, token: str, cookie: str) -> str:
    """Bound to this link and to a cookie set by the GET (SameSite=Strict): a form on another site
    can neither read it nor send the cookie along."""
    return _mac(secret, f"csrf|v1|{token}|{cookie}")


# --- Asking ----------------------------------------------------------------------------------------
def days_text(days: int) -> str:
    return "1 dag" if days == 1 else f"{days} dagen"


def asked_text(days: int) -> str:
    """What the young person reads at the moment the guardian's mail is queued (B1)."""
    return ("We hebben je ouder een mail gestuurd. Pas als die 'ja' zegt, sturen we je aanvraag door. "
            f"Zegt niemand binnen {days_text(days)} ja, dan wissen we alles.")


def pending_text(until: datetime) -> str:
    """Asking again while the guardian has not answered: no second mail, the same promise."""
    return ("We wachten nog op je ouder of verzorger. Pas als die 'ja' zegt in onze mail, sturen we je "
            f"aanvraag door. Zegt niemand vóór {dutch_date_long(as_utc(until).date())} ja, dan wissen we alles.")


def capped_text() -> str:
    """The guardian's address had its share of mails: nothing is sent (B1, the same for everyone)."""
    return ("Naar dat e-mailadres hebben we de laatste dagen al een paar keer gemaild. Daarom stuur ik er nu "
            "geen nieuwe mail heen, en ik stuur niets door. Kreeg je ouder of verzorger al een mail van ons? "
            "Dan kan die daarin op de link klikken. Of probeer het over een paar dagen nog eens.")


def recipient_hash(secret: str, email: str) -> str:
    """A keyed hash of the guardian's address: counts mails per recipient without keeping it."""
    return hmac.new(secret.encode(), f"guardian-mail|{email.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def request_consent(database_url: str, settings: HandoffSettings, lead: NewLead, lines: List[str],
                    counsellor: Mapping[str, str], context: Optional[Mapping[str, Any]] = None,
                    now: Optional[datetime] = None) -> Optional[str]:
    """Stores the request and queues the guardian's mail, in one transaction; returns the request id,
    or None when that address already got ``guardian_mails_per_address`` mails within
    ``guardian_days`` (from any conversation or client address: a stranger's inbox is not ours to fill).

    ``lines``: what the young person saw in the preview, which is exactly what the guardian reads and
    what the lead will hold. ``counsellor``: ``name``/``first_name``/``organisation`` for the text.
    ``lead.client_key`` travels in the payload to the lead, so a confirmed request counts toward the
    leads-per-address limit like any other lead; the mail itself counts from the moment it is asked.
    """
    now = as_utc(now or SystemClock().now())
    expires = now + timedelta(days=settings.guardian_days)
    nonce = secrets.token_urlsafe(16)
    payload = {"lead": asdict(lead), "lines": list(lines), "context": dict(context or {}),
               "counsellor": dict(counsellor)}
    recipient = recipient_hash(settings.link_secret, lead.contact_value or "")
    with new_session(database_url) as session, session.begin():
        window = now - timedelta(days=settings.guardian_days)
        if mails_to_recipient_since(session, recipient, window) >= settings.guardian_mails_per_address:
            log.info("guardian mail not sent: the address had %s mails in %s days",
                     settings.guardian_mails_per_address, settings.guardian_days)
            return None
        record_ask(session, lead.client_key, recipient, now)
        request = add_request(session, lead.conversation_id, lead.contact_value or "", nonce, payload, now, expires)
        link = confirm_url(settings, make_token(settings.link_secret, request.id, expires, nonce))
        text = render_plain("guardian_email.txt.j2", lines=lines, counsellor=counsellor, link=link,
                            days=days_text(settings.guardian_days), until=dutch_date_long(expires.date()))
        enqueue_email(session, None, "guardian", lead.contact_value or "",
                      "Uw kind wil praten over werken in de techniek: mag dat?", text, now,
                      guardian_request_id=request.id)
        return request.id


# --- Confirming ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    status: str  # "confirmed" | "refused" | "duplicate" | "used" | "expired" | "invalid"
    lead_id: Optional[str] = None


class _AlreadyTaken(Exception):
    """Another POST with the same link won the race; roll back this lead."""


# A "yes" from the client that asked, this soon, is likely the child's own (issue 22 item 9).
SAME_CLIENT_WINDOW = timedelta(minutes=30)


def attention_for(data: NewLead, asked_at: datetime, now: datetime, confirmer_key: Optional[str]) -> List[str]:
    """What the counsellor must check: a guardian's consent is never verified (the summary says so
    by itself), and a confirmation from the same client address as the request within
    SAME_CLIENT_WINDOW is flagged on top."""
    elapsed = now - as_utc(asked_at)
    if confirmer_key and data.client_key and hmac.compare_digest(confirmer_key, data.client_key) \
            and elapsed <= SAME_CLIENT_WINDOW:
        return [same_client_text(int(elapsed.total_seconds() // 60))]
    return []


def confirm(database_url: str, settings: HandoffSettings, token: str, now: Optional[datetime] = None,
            registry=None, confirmer_key: Optional[str] = None) -> Outcome:
    """The guardian said yes: the lead (consent basis "guardian", consent at this moment) and its
    hand-off rows are written, and the request deleted, in one transaction. Works once.
    ``confirmer_key``: the client key of whoever clicked (see :func:`attention_for`)."""
    now = as_utc(now or SystemClock().now())
    check = check_token(settings.link_secret, token, now)
    if not check.ok:
        return Outcome(check.error or "invalid")
    request = get_request(database_url, check.request_id)
    if request is None:
        return Outcome("used")
    payload = request.payload
    data = NewLead(**payload["lead"])
    context = dict(payload.get("context") or {})
    context["attention"] = list(context.get("attention") or []) + attention_for(data, request.created_at, now,
                                                                               confirmer_key)
    if any(item.startswith("Bevestigd vanaf hetzelfde") for item in context["attention"]):
        log.warning("guardian request %s confirmed from the client that asked for it", check.request_id)

    def hand_off(session, lead, counsellor):
        if not take_request(session, check.request_id, check.nonce):
            raise _AlreadyTaken()
        enqueue_handoff(session, lead, counsellor, context, now=now)

    try:
        result = create_lead(database_url, data, on_created=hand_off, registry=registry)
    except _AlreadyTaken:
        return Outcome("used")
    if not result.created:
        # This conversation or this guardian's e-mail already has a lead: nothing new to hand off.
        with new_session(database_url) as session, session.begin():
            take_request(session, check.request_id, check.nonce)
        return Outcome("duplicate", result.lead.id)
    log.info("guardian confirmed request %s: lead %s", check.request_id, result.lead.id)
    return Outcome("confirmed", result.lead.id)


def refuse(database_url: str, settings: HandoffSettings, token: str, now: Optional[datetime] = None,
           tracker_store_url: Optional[str] = None) -> Outcome:
    """The guardian said no: nothing is sent, and the request, its mail and the conversation are wiped
    at once, as when nobody answers in time (bot.store.guardian.refuse_request). Works once."""
    now = as_utc(now or SystemClock().now())
    check = check_token(settings.link_secret, token, now)
    if not check.ok:
        return Outcome(check.error or "invalid")
    if not refuse_request(database_url, tracker_store_url, check.request_id, check.nonce, now):
        return Outcome("used")
    log.info("guardian refused request %s: wiped", check.request_id)
    return Outcome("refused")


# --- The page --------------------------------------------------------------------------------------
# Who asked, in the guardian's words (bot.handoff.context codes: asker).
ASKER_WORDS = {"parent": "een ouder of verzorger", "grandparent": "een opa of oma",
               "teacher": "een docent of mentor", "youth_worker": "een begeleider"}


def page_request(payload: Mapping[str, Any], expires_at: datetime) -> Dict[str, Any]:
    """What the page shows about a pending request: who asks (first name if given, age band, place),
    what goes to whom, and how to reach the organisation of that region."""
    lead = payload.get("lead") or {}
    context = payload.get("context") or {}
    asker = context.get("asker") if isinstance(context.get("asker"), str) else (context.get("asker") or {}).get("code")
    place = lead.get("gemeente_name") or (f"postcode {lead['postcode']}" if lead.get("postcode") else "")
    return {"lines": [line[2:] if line.startswith("- ") else line for line in payload.get("lines") or []],
            "counsellor": payload.get("counsellor") or {}, "first_name": lead.get("first_name") or "",
            "age": lead.get("age_band") or "", "place": place, "asker": ASKER_WORDS.get(asker or "", ""),
            "until": dutch_date_long(as_utc(expires_at).date()),
            "contact": organisation_contact(lead.get("region_code"))}


_MESSAGES = {
    "refused": ("U heeft 'nee' gezegd", "We sturen niets door. We hebben de aanvraag en het gesprek nu gewist. "
                                        "Ook deze link werkt niet meer."),
    "confirmed": ("Dank u wel!", "U heeft 'ja' gezegd. We sturen de aanvraag nu naar {who}. "
                                 "{first} neemt contact met u op via uw e-mailadres."),
    "duplicate": ("Deze aanvraag loopt al", "Er is al een aanvraag met deze gegevens. We sturen niets extra."),
    "used": ("Deze link werkt niet meer", "Deze link is al gebruikt, of de aanvraag is gewist. "
                                         "Er gebeurt niets meer met deze link."),
    "expired": ("Deze link is verlopen", "Niemand heeft op tijd 'ja' gezegd. We hebben de aanvraag gewist. "
                                        "Uw kind kan het opnieuw vragen in de chat."),
    "invalid": ("Deze link klopt niet", "Deze link is niet geldig. Gebruik de knop uit de e-mail."),
    "csrf": ("Probeer het nog een keer", "Dit formulier was verlopen. Open de link uit de e-mail opnieuw "
                                        "en klik dan op de knop."),
}


def register_routes(app, settings: HandoffSettings, clock=None,
                    client_key_of: Optional[Callable[[Any], Optional[str]]] = None,
                    tracker_store_url: Optional[str] = None) -> None:
    """``GET /ouder/{token}`` shows what will be shared; ``POST /ouder/{token}`` confirms, or with
    ``antwoord=nee`` refuses (``tracker_store_url``: where the conversation to wipe then lives).
    ``client_key_of(request)``: the client key the chat uses for this request's address (the web app
    passes its own), so a "yes" from the child's own client is flagged to the counsellor."""
    from aiohttp import web  # only the web app serves pages; the worker imports this module too

    clock = clock or SystemClock()

    def page(template_status: str, code: int, **extra: str) -> "web.Response":
        title, message = _MESSAGES[template_status]
        html = render_page("guardian_page.html.j2", title=title, message=message.format(**extra) if extra else message,
                           request=None, csrf="", action="", status=template_status)
        return _html(html, code)

    def _html(html: str, code: int) -> "web.Response":
        return web.Response(text=html, status=code, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                     "X-Robots-Tag": "noindex"})

    async def show(request: "web.Request") -> "web.Response":
        token = request.match_info["token"]
        check = check_token(settings.link_secret, token, clock.now())
        if not check.ok:
            return page(check.error or "invalid", 410 if check.error == "expired" else 403)
        loop = asyncio.get_running_loop()
        pending = await loop.run_in_executor(None, get_request, settings.database_url, check.request_id)
        if pending is None or not hmac.compare_digest(pending.nonce_hash, nonce_hash(check.nonce)):
            return page("used", 410)
        cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
        html = render_page("guardian_page.html.j2", title="Mag uw kind contact met een adviseur?", message="",
                           request=page_request(pending.payload, pending.expires_at), status="ask",
                           csrf=csrf_token(settings.link_secret, token, cookie), action=f"/ouder/{token}")
        response = _html(html, 200)
        response.set_cookie(CSRF_COOKIE, cookie, path="/ouder/", httponly=True, samesite="Strict",
                            secure=settings.public_base_url.startswith("https"), max_age=3600)
        return response

    async def post(request: "web.Request") -> "web.Response":
        token = request.match_info["token"]
        form = await request.post()
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(form.get("csrf", ""))
        if not cookie or not hmac.compare_digest(csrf_token(settings.link_secret, token, cookie), sent):
            log.warning("guardian confirmation without a valid CSRF token")
            return page("csrf", 403)
        loop = asyncio.get_running_loop()
        if str(form.get("antwoord", "ja")) == "nee":
            outcome = await loop.run_in_executor(None, functools.partial(
                refuse, settings.database_url, settings, token, clock.now(), tracker_store_url=tracker_store_url))
            return page(outcome.status, {"refused": 200, "used": 410, "expired": 410}.get(outcome.status, 403))
        confirmer = client_key_of(request) if client_key_of is not None else None
        outcome = await loop.run_in_executor(None, functools.partial(
            confirm, settings.database_url, settings, token, clock.now(), confirmer_key=confirmer))
        if outcome.status == "confirmed":
            counsellor = await loop.run_in_executor(None, _counsellor_of, settings.database_url, outcome.lead_id)
            return page("confirmed", 200, who=counsellor["who"], first=counsellor["first"])
        code = {"duplicate": 200, "used": 410, "expired": 410}.get(outcome.status, 403)
        return page(outcome.status, code)

    app.router.add_get("/ouder/{token}", show, allow_head=False)
    app.router.add_post("/ouder/{token}", post)


def _counsellor_of(database_url: str, lead_id: str) -> Dict[str, str]:
    with new_session(database_url) as session:
        lead = session.get(Lead, lead_id)
        name = (lead.counsellor_name or "de adviseur") if lead else "de adviseur"
        organisation = (lead.organisation or "De Gouden Poort") if lead else "De Gouden Poort"
    return {"who": f"{name} van {organisation}", "first": name.split()[0]}
