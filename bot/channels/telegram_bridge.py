"""Telegram ⇄ Rasa bridge on python-telegram-bot (long polling by default, webhook optional).

- Every Telegram chat is a Rasa conversation whose sender id is derived on the server from the chat id
  (``telegram-<hmac>``, bot.channels.identity), so nobody can name a chat's conversation from outside.
  Messages go to Rasa's gateway channel over loopback (shared secret, bot/channels/gateway.py) with
  metadata ``{"source": "telegram", "region": …, "telegram_chat_id": …, "client_key": …}`` (region from
  ``/start <region>`` or ``/start <region>-<initiative>``, split by the actions; the chat id lets a lead's follow-up find this chat again).
- Messages over the length limit and more than the per-chat rate limit are answered in Dutch here and
  never reach Rasa.
- Rasa's buttons become inline keyboards; a tap (callback query) is answered, the keyboard removed and
  the button's payload sent to Rasa. ``callback_data`` is limited to 64 bytes: longer payloads are
  stored under a short token (``CallbackStore``, SQLite, shared by every process on the machine).
- ``/stop`` → ``/stop``, ``/verwijder`` → ``/delete_data``, ``/mens`` → ``/request_human``.
- Text is sent as plain text (no parse mode): nothing a user or the bot writes is read as markup.
- Telegram errors never crash the bridge: ``safe_send`` retries rate limits (429 retry_after) and
  network errors, and records blocked users (403) and other failures in ``DELIVERIES``.
- Proactive messages (follow-ups) use ``send_proactive(bot, chat_id, text, buttons)``.

Webhook mode: set TELEGRAM_WEBHOOK_URL (public https URL), optionally TELEGRAM_WEBHOOK_SECRET and
TELEGRAM_WEBHOOK_PORT (default 8443, listens on GP_PRIVATE_HOST: put the reverse proxy in front).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
import threading
import time
import uuid
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)

from bot.channels.gateway_client import GatewayClient, RasaUnavailable
from bot.channels.identity import client_key, telegram_sender_id
from bot.channels.limits import RateLimiter, too_long_text
from bot.ops.config import channel_secret, identity_secret, load_settings

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64
MAX_TEXT = 4096
MAX_RETRY_AFTER_S = 60
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # "zeeland", or "<regio>-<initiatief>" (issue 28)

WELCOME = ("Hoi! Je chat hier met de AI-chatbot van de Gouden Poort. Ik ben geen mens. "
           "Ik vertel je over werken in de techniek en ik breng je in contact met een adviseur.\n\n"
           "Let op: Telegram is in Europa voor mensen van 16 jaar en ouder. Ben je jonger dan 16? "
           "Gebruik dan de chat op de website van de Gouden Poort.\n\n"
           "Handig: /mens = praat met een mens, /stop = geen berichten meer, "
           "/verwijder = verwijder mijn gegevens.")
RASA_DOWN = ("De chat is even niet bereikbaar. Je bericht is niet verstuurd. "
             "Probeer het over een paar minuten nog een keer.")
STALE_BUTTON = "Deze knop werkt niet meer. Typ je antwoord gewoon in de chat."
PRIVACY_HINT = "Wat we bewaren: {url}"
SLOW_DOWN = ("Even rustig aan: je stuurt veel berichten snel na elkaar. Wacht een minuutje en stuur je "
             "laatste bericht dan opnieuw.")

COMMAND_PAYLOADS = {"stop": "/stop", "verwijder": "/delete_data", "mens": "/request_human"}


def clean_region(value: Optional[str]) -> Optional[str]:
    value = (value or "").strip().lower().replace("_", "-")
    return value if REGION.match(value) else None


# ---------------------------------------------------------------- callback data (64-byte limit)
class CallbackStore:
    """Maps button payloads to callback_data of at most 64 bytes.

    Short payloads travel as they are; longer ones (or ones that look like our tokens) are stored
    under ``k:<hash>`` in SQLite, so a proactive message sent by another process still works when the
    user taps it. Unknown tokens (e.g. store deleted) resolve to None.
    """

    PREFIX = "k:"

    def __init__(self, path: Optional[Path] = None):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, timeout=10)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS callback (token TEXT PRIMARY KEY, payload TEXT NOT NULL,"
                         " created_at REAL NOT NULL)")
        self._db.commit()

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        token = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO callback VALUES (?, ?, ?)", (token, payload, time.time()))
            self._db.commit()
        return token

    def decode(self, data: Optional[str]) -> Optional[str]:
        if not data:
            return None
        if not data.startswith(self.PREFIX):
            return data
        with self._lock:
            row = self._db.execute("SELECT payload FROM callback WHERE token = ?", (data,)).fetchone()
        return row[0] if row else None


_default_store: Optional[CallbackStore] = None


def default_callback_store() -> CallbackStore:
    global _default_store
    if _default_store is None:
        var_dir = load_settings().var_dir
        var_dir.mkdir(parents=True, exist_ok=True)
        _default_store = CallbackStore(var_dir / "telegram-callbacks.sqlite")
    return _default_store


def keyboard(buttons: Optional[Sequence[Dict[str, Any]]], store: CallbackStore) -> Optional[InlineKeyboardMarkup]:
    rows = []
    for button in buttons or []:
        title, payload = str(button.get("title") or "").strip(), str(button.get("payload") or "").strip()
        if title and payload:
            rows.append([InlineKeyboardButton(title[:64], callback_data=store.encode(payload))])
    return InlineKeyboardMarkup(rows) if rows else None


# ---------------------------------------------------------------- delivery with retries
@dataclass
class Delivery:
    chat_id: int
    ok: bool
    attempts: int
    error: str = ""           # "", "blocked", "rate_limited", "network", "bad_request", "error"
    detail: str = ""
    at: float = field(default_factory=time.time)


DELIVERIES: Deque[Delivery] = deque(maxlen=1000)   # recent failures and successes, newest last
BLOCKED_CHATS: set = set()


def _chunks(text: str) -> List[str]:
    text = text or ""
    return [text[i:i + MAX_TEXT] for i in range(0, len(text), MAX_TEXT)] or [""]


async def safe_send(bot, chat_id: int, text: str, reply_markup=None, *, attempts: int = 4,
                    record: Deque[Delivery] = DELIVERIES) -> Delivery:
    """Sends one message; retries 429 and network errors; never raises. Returns what happened."""
    result = Delivery(chat_id, ok=False, attempts=0)
    delay = 1.0
    for attempt in range(1, attempts + 1):
        result.attempts = attempt
        try:
            chunks = _chunks(text)
            for i, chunk in enumerate(chunks):
                await bot.send_message(chat_id=chat_id, text=chunk,
                                       reply_markup=reply_markup if i == len(chunks) - 1 else None)
            result.ok, result.error, result.detail = True, "", ""
            BLOCKED_CHATS.discard(chat_id)
            break
        except RetryAfter as exc:
            wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
            result.error, result.detail = "rate_limited", str(exc)
            if wait > MAX_RETRY_AFTER_S:
                break
            await asyncio.sleep(wait)
        except Forbidden as exc:                    # bot blocked, user deactivated, kicked
            result.error, result.detail = "blocked", str(exc)
            BLOCKED_CHATS.add(chat_id)
            break
        except BadRequest as exc:                   # chat not found, message too long, …: retrying won't help
            result.error, result.detail = "bad_request", str(exc)
            break
        except (TimedOut, NetworkError) as exc:
            result.error, result.detail = "network", str(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
        except TelegramError as exc:
            result.error, result.detail = "error", str(exc)
            break
        except Exception as exc:  # noqa: BLE001 — the bridge must survive anything
            log.exception("unexpected error sending to %s", chat_id)
            result.error, result.detail = "error", repr(exc)
            break
    record.append(result)
    if not result.ok:
        log.warning("Telegram delivery to %s failed after %d attempt(s): %s %s",
                    chat_id, result.attempts, result.error, result.detail)
    return result


async def send_proactive(bot, chat_id: int, text: str, buttons: Optional[Sequence[Dict[str, Any]]] = None,
                         *, store: Optional[CallbackStore] = None) -> Delivery:
    """A message the bot starts (follow-up, hand-off notice). Never raises; see ``Delivery``.

    ``buttons`` are Rasa-style ``{"title": …, "payload": …}``; a tap comes back to Rasa as that payload.
    Chats that blocked the bot are reported as ``error == "blocked"`` (also in ``BLOCKED_CHATS``).
    """
    try:
        markup = keyboard(buttons, store or default_callback_store())
    except Exception as exc:  # noqa: BLE001
        result = Delivery(chat_id, ok=False, attempts=0, error="error", detail=repr(exc))
        DELIVERIES.append(result)
        return result
    return await safe_send(bot, chat_id, text, markup)


# ---------------------------------------------------------------- the bridge
@dataclass(frozen=True)
class BridgeLimits:
    max_message_chars: int = 2000
    messages_per_minute: int = 20


class Bridge:
    def __init__(self, rasa: GatewayClient, store: CallbackStore, identity_secret: str, privacy_url: str = "",
                 limits: BridgeLimits = BridgeLimits()):
        self.rasa = rasa
        self.store = store
        self.identity_secret = identity_secret
        self.privacy_url = privacy_url
        self.limits = limits
        self.limiter = RateLimiter()
        self.regions: Dict[int, str] = {}
        self._locks: "weakref.WeakValueDictionary[int, asyncio.Lock]" = weakref.WeakValueDictionary()

    def lock(self, chat_id: int) -> asyncio.Lock:
        """One turn at a time per chat (order kept), while other chats are served in parallel."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    def sender_id(self, chat_id: int) -> str:
        return telegram_sender_id(self.identity_secret, chat_id)

    def metadata(self, chat_id: int) -> Dict[str, Any]:
        meta: Dict[str, Any] = {"source": "telegram", "telegram_chat_id": str(chat_id),
                                "client_key": client_key(self.identity_secret, f"telegram:{chat_id}"),
                                "message_id": uuid.uuid4().hex}
        if chat_id in self.regions:
            meta["region"] = self.regions[chat_id]
        return meta

    async def _ask_rasa(self, chat_id: int, message: str) -> List[Dict[str, Any]]:
        """Two tries; the message id makes a retry after a lost answer safe (handled once)."""
        metadata = self.metadata(chat_id)
        for attempt in range(2):
            try:
                answer = await self.rasa.send(self.sender_id(chat_id), message, metadata)
                return answer.replies
            except RasaUnavailable:
                if attempt == 1:
                    raise
                await asyncio.sleep(0.5)
        return []

    async def forward(self, bot, chat_id: int, message: str) -> None:
        if len(message) > self.limits.max_message_chars:
            await safe_send(bot, chat_id, too_long_text(self.limits.max_message_chars))
            return
        if self.limiter.hit(chat_id, self.limits.messages_per_minute, 60):
            await safe_send(bot, chat_id, SLOW_DOWN)
            return
        try:
            await bot.send_chat_action(chat_id=chat_id, action="typing")
        except TelegramError:
            pass                                   # only a hint; the real send below records errors
        try:
            replies = await self._ask_rasa(chat_id, message)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for a Telegram chat: %s", exc)
            await safe_send(bot, chat_id, RASA_DOWN)
            return
        for reply in replies:
            text = reply.get("text") or ""
            markup = keyboard(reply.get("buttons"), self.store)
            if not text and markup is None:
                if reply.get("image"):
                    text = str(reply["image"])
                else:
                    continue
            result = await safe_send(bot, chat_id, text or "Kies hieronder:", markup)
            if result.error == "blocked":
                break

    # handlers
    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        region = clean_region(context.args[0]) if context.args else None
        if region:
            self.regions[chat_id] = region
        welcome = WELCOME
        if self.privacy_url:
            welcome += "\n\n" + PRIVACY_HINT.format(url=self.privacy_url)
        async with self.lock(chat_id):
            result = await safe_send(context.bot, chat_id, welcome)
            if result.ok:
                await self.forward(context.bot, chat_id, "/greet")

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        command = (update.effective_message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        async with self.lock(update.effective_chat.id):
            await self.forward(context.bot, update.effective_chat.id, COMMAND_PAYLOADS[command])

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = (update.effective_message.text or "").strip()
        if text:
            async with self.lock(update.effective_chat.id):
                await self.forward(context.bot, update.effective_chat.id, text)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        async with self.lock(chat_id):
            payload = self.store.decode(query.data)
            try:
                await query.answer(text=None if payload else STALE_BUTTON)
            except TelegramError as exc:
                log.info("answerCallbackQuery failed: %s", exc)
            if not payload or query.message is None:
                return
            try:
                await query.edit_message_reply_markup(reply_markup=None)   # one tap per keyboard
            except TelegramError as exc:
                log.info("removing keyboard failed: %s", exc)
            await self.forward(context.bot, chat_id, payload)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update (bridge keeps running): %r", context.error,
                  exc_info=context.error)


def build_application(token: str, rasa_url: str, *, channel_secret: str, identity_secret: str,
                      base_url: Optional[str] = None, base_file_url: Optional[str] = None,
                      store: Optional[CallbackStore] = None, privacy_url: str = "",
                      limits: BridgeLimits = BridgeLimits()) -> Application:
    builder: ApplicationBuilder = Application.builder().token(token)
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    # Chats are served in parallel (a rate-limited or slow chat does not stall the others);
    # Bridge.lock keeps each chat's turns in order.
    builder = builder.concurrent_updates(64)
    application = builder.build()
    bridge = Bridge(GatewayClient(rasa_url, channel_secret), store or default_callback_store(), identity_secret,
                    privacy_url, limits)
    application.bot_data["bridge"] = bridge
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", bridge.on_start, filters=private))
    application.add_handler(CommandHandler(list(COMMAND_PAYLOADS), bridge.on_command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, bridge.on_text))
    application.add_handler(CallbackQueryHandler(bridge.on_callback))
    application.add_error_handler(bridge.on_error)

    async def _close(app: Application) -> None:
        await bridge.rasa.close()

    application.post_shutdown = _close
    return application


def run(settings=None) -> int:
    """``python -m bot telegram``: long polling, or webhook when TELEGRAM_WEBHOOK_URL is set."""
    settings = settings or load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not settings.telegram_token:
        log.error("TELEGRAM_BOT_TOKEN ontbreekt: de Telegram-koppeling start niet.")
        return 1
    application = build_application(settings.telegram_token, settings.rasa_url,
                                     channel_secret=channel_secret(settings),
                                     identity_secret=identity_secret(settings),
                                     limits=BridgeLimits(settings.max_message_chars,
                                                         settings.limit_messages_per_minute),
                                     base_url=settings.telegram_api_base_url or None,
                                     base_file_url=settings.telegram_api_base_file_url or None,
                                     privacy_url=settings.public_web_url + "/privacy")
    if settings.telegram_webhook_url and len(settings.telegram_webhook_secret) < 16:
        # Without Telegram's secret_token header anyone who finds the URL can post fake updates,
        # i.e. speak as any chat. Refuse rather than run open.
        log.error("TELEGRAM_WEBHOOK_SECRET (minstens 16 tekens: A-Z, a-z, 0-9, _ en -) is verplicht in "
                  "webhook-modus; de Telegram-koppeling start niet.")
        return 1
    if settings.telegram_webhook_url:
        application.run_webhook(listen=settings.host, port=settings.telegram_webhook_port,
                                url_path=settings.telegram_webhook_path,
                                webhook_url=settings.telegram_webhook_url,
                                secret_token=settings.telegram_webhook_secret,
                                allowed_updates=["message", "callback_query"])
    else:
        application.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    return 0
