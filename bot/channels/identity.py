"""Who is talking, decided on the server: session tokens, sender ids and client keys.

A client never names its own conversation. The web app hands a new widget a random session token
(128 bits, the time it was issued and a tag, so the server can tell its own tokens from invented ones
and refuse them after ``GP_SESSION_TOKEN_DAYS``) and the Rasa sender id is an HMAC of that token under
a server secret. Knowing a sender id (it appears in hand-off mail)
or guessing one gets nobody into a conversation: the way in is the token, which only that browser has.
Telegram chats get their sender id the same way from the chat id, so ``tg-<chat id>`` can no longer be
typed into a REST call to read or erase someone's referral.

Client keys are what rate limits and the leads-per-address limit count: a salted hash of the client
address, never the address itself, so no IP address reaches Rasa's tracker or the lead store. An IPv6
address counts as its /64 (bot.channels.limits.address_group).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Any, Dict, Optional

from bot.channels.limits import address_group

TOKEN_RANDOM_BYTES = 16          # 128 bits
TAG_BYTES = 16
DEFAULT_SESSION_SECONDS = 7 * 24 * 3600   # GP_SESSION_TOKEN_DAYS
CLOCK_SKEW_S = 300
ISSUED = re.compile(r"^[0-9]{1,12}$")
WEB_PREFIX = "web-"
TELEGRAM_PREFIX = "telegram-"
SENDER_ID = re.compile(r"^(web|telegram)-[0-9a-f]{32}$")
LEGACY_TELEGRAM_SENDER = re.compile(r"^tg-(-?\d{1,20})$")
# A region slug, or a Telegram deep link's "<regio>-<initiatief>" (at most 64 characters, Telegram's limit)
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# An initiative's code from a pack (bot.content.schema.INITIATIVE_CODE; issue 28): the widget's data-initiatief
INITIATIVE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CLIENT_KEY = re.compile(r"^[0-9a-f]{32}$")
CHAT_ID = re.compile(r"^-?\d{1,20}$")
SOURCES = {"web-widget": "web", "telegram": "telegram"}


def _mac(secret: str, label: str, value: str) -> bytes:
    return hmac.new(secret.encode(), f"{label}:{value}".encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_session_token(secret: str) -> str:
    """``<random>.<issued, unix seconds>.<tag>``: the tag covers both, so the age cannot be changed."""
    body = f"{_b64(secrets.token_bytes(TOKEN_RANDOM_BYTES))}.{int(time.time())}"
    return f"{body}.{_b64(_mac(secret, 'session', body)[:TAG_BYTES])}"


def valid_session_token(secret: str, token: Any, max_age_s: float = DEFAULT_SESSION_SECONDS) -> bool:
    """A token this server issued less than ``max_age_s`` ago. An older one is refused like an unknown
    one (the widget then starts a new conversation), so a token left in a shared computer's browser
    does not lead back into the conversation (and its "Alleen dit gesprek") for ever. Tokens from
    before the lifetime (``<random>.<tag>``) are refused too."""
    if not isinstance(token, str) or len(token) > 64 or token.count(".") != 2:
        return False
    random_part, issued, tag = token.split(".")
    if len(random_part) < 22 or not ISSUED.match(issued):
        return False
    if not hmac.compare_digest(tag, _b64(_mac(secret, "session", f"{random_part}.{issued}")[:TAG_BYTES])):
        return False
    age = time.time() - int(issued)
    return -CLOCK_SKEW_S <= age < max_age_s


def web_sender_id(secret: str, token: str) -> str:
    return WEB_PREFIX + _mac(secret, "web", token).hex()[:32]


def telegram_sender_id(secret: str, chat_id: Any) -> str:
    return TELEGRAM_PREFIX + _mac(secret, "telegram", str(int(chat_id))).hex()[:32]


def client_key(secret: str, address: str) -> str:
    """Pseudonymous key for a client address (or a Telegram chat): same input, same key; every IPv6
    address of one /64 network gives the same key."""
    return _mac(secret, "client", address_group(address) or "unknown").hex()[:32]


def clean_region(value: Any) -> Optional[str]:
    """A region code as used in embed snippets and deep links (``zeeland``, ``noord-holland``)."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if REGION.match(value) else None


def clean_initiative(value: Any) -> Optional[str]:
    """An initiative code as written in an embed snippet (``data-initiatief="beroepentuin-goes"``)."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if INITIATIVE.match(value) else None


def clean_metadata(raw: Any) -> Dict[str, Any]:
    """Only keys we know, in shapes we expect: metadata ends up in the tracker store."""
    if not isinstance(raw, dict):
        return {}
    metadata: Dict[str, Any] = {}
    if raw.get("source") in SOURCES:
        metadata["source"] = raw["source"]
    region = clean_region(raw.get("region"))
    if region:
        metadata["region"] = region
    initiative = clean_initiative(raw.get("initiative"))
    if initiative:
        metadata["initiative"] = initiative
    for key, pattern in (("message_id", MESSAGE_ID), ("client_key", CLIENT_KEY), ("telegram_chat_id", CHAT_ID)):
        value = raw.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and pattern.match(str(value)):
            metadata[key] = str(value)
    return metadata
