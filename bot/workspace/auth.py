"""Password-less sign-in: a magic link by e-mail, then a session cookie.

- The link carries a random token (256 bits); only its SHA-256 is stored. It works once, for
  ``login_ttl`` (15 minutes), and opening it (GET) changes nothing: the page has a button that POSTs,
  so a mail scanner that follows links cannot use it up or sign in.
- Asking for a link answers the same for an unknown address as for a known one; only a known one gets
  a mail (through the hand-off outbox, so it has the worker's retries). While a link sent less than
  ``signin_mail_gap`` (5 minutes) ago is unused, asking again sends nothing: that link still works, and
  twelve requests no longer mean twelve mails in the outbox the hand-offs use too.
- A session is a random cookie token (hash stored) with its own CSRF token; it ends after
  ``idle_timeout`` without a request, after ``session_max`` in any case, or on sign-out.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select, update

from bot.handoff.clock import as_utc
from bot.handoff.outbox import idempotency_key
from bot.store.db import new_session
from bot.store.handoff_models import OutboxMessage
from bot.store.workspace_models import LoginToken, WorkspaceSession
from bot.workspace.settings import WorkspaceSettings
from bot.workspace.users import User, user_by_email, user_by_id

SIGN_IN_PATH = "/adviseur/inloggen"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SignedIn:
    user: User
    csrf_token: str
    session_token: str = ""


def sign_in_mail(name: str, link: str, minutes: int) -> str:
    return (f"Hallo {name},\n\nMet deze link log je in op de werkplek van De Gouden Poort:\n\n{link}\n\n"
            f"De link werkt {minutes} minuten en één keer. Heb je niet om deze link gevraagd? Dan kun je "
            "deze mail negeren.\n\nDe Gouden Poort\n")


# one process checks and writes one request at a time, so requests arriving together send one mail
_SIGN_IN_LOCK = threading.Lock()


def request_sign_in(settings: WorkspaceSettings, email: str, now: datetime) -> bool:
    """Queue a sign-in mail when ``email`` belongs to someone in the registry and no unused link of
    theirs is younger than ``signin_mail_gap``. The caller shows the same page either way; the return
    value (a mail was queued) is for tests and the log only."""
    user = user_by_email(email)
    if user is None:
        return False
    token = new_token()
    link = f"{settings.base_url}{SIGN_IN_PATH}?t={token}"
    minutes = int(settings.login_ttl.total_seconds() // 60)
    with _SIGN_IN_LOCK, new_session(settings.database_url) as session, session.begin():
        pending = session.execute(select(LoginToken.token_hash).where(
            LoginToken.user_id == user.id, LoginToken.used_at.is_(None), LoginToken.expires_at > now,
            LoginToken.created_at > now - settings.signin_mail_gap).limit(1)).first()
        if pending is not None:
            return False
        session.add(LoginToken(token_hash=digest(token), user_id=user.id, created_at=now,
                               expires_at=now + settings.login_ttl))
        key = idempotency_key("workspace", "signin", "email", digest(token)[:16])
        session.add(OutboxMessage(lead_id=None, kind="signin", channel="email", recipient=user.email,
                                  idempotency_key=key, status="pending", attempts=0, next_attempt_at=now,
                                  created_at=now,
                                  payload={"to": user.email, "subject": "Inloggen op de werkplek",
                                           "text": sign_in_mail(user.first_name, link, minutes), "html": None}))
    return True


def link_is_usable(settings: WorkspaceSettings, token: str, now: datetime) -> bool:
    """For the GET page: say early when a link is used or expired (it changes nothing)."""
    if not token:
        return False
    with new_session(settings.database_url) as session:
        row = session.get(LoginToken, digest(token))
        return row is not None and row.used_at is None and as_utc(row.expires_at) > now


def use_sign_in_link(settings: WorkspaceSettings, token: str, now: datetime) -> Optional[SignedIn]:
    """Spend the link (once) and open a session; None when it is unknown, used or expired."""
    if not token:
        return None
    with new_session(settings.database_url) as session, session.begin():
        # one UPDATE decides: two clicks at the same moment cannot both win
        spent = session.execute(update(LoginToken).where(
            LoginToken.token_hash == digest(token), LoginToken.used_at.is_(None), LoginToken.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        if spent != 1:
            return None
        user = user_by_id(session.get(LoginToken, digest(token)).user_id)
        if user is None:  # removed from the registry since the link was sent
            return None
        cookie, csrf = new_token(), new_token()
        session.add(WorkspaceSession(token_hash=digest(cookie), user_id=user.id, csrf_token=csrf,
                                     created_at=now, last_seen_at=now))
    return SignedIn(user, csrf, cookie)


def current_user(settings: WorkspaceSettings, cookie: Optional[str], now: datetime) -> Optional[SignedIn]:
    """The signed-in user behind a session cookie, and the session's CSRF token; touches the session."""
    if not cookie:
        return None
    with new_session(settings.database_url) as session, session.begin():
        row = session.get(WorkspaceSession, digest(cookie))
        if row is None or row.ended_at is not None:
            return None
        if (now - as_utc(row.last_seen_at) > settings.idle_timeout
                or now - as_utc(row.created_at) > settings.session_max):
            row.ended_at = now
            return None
        user = user_by_id(row.user_id)
        if user is None:
            row.ended_at = now
            return None
        row.last_seen_at = now
        return SignedIn(user, row.csrf_token, cookie)


def sign_out(settings: WorkspaceSettings, cookie: Optional[str], now: datetime) -> None:
    if not cookie:
        return
    with new_session(settings.database_url) as session, session.begin():
        row = session.get(WorkspaceSession, digest(cookie))
        if row is not None and row.ended_at is None:
            row.ended_at = now


def csrf_ok(expected: Optional[str], given: Optional[str]) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
