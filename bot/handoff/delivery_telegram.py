"""Telegram messages through python-telegram-bot (async; run from the sync worker per message).

``base_url`` is configurable (``GP_TELEGRAM_API_BASE``) so tests talk to a local fake Bot API.
Telegram has no idempotency key: after a crash between send and mark the counsellor may see a
message twice. The text carries the ``Bericht-id`` so a duplicate is recognisable; e-mail and the
webhook are the exactly-once channels.
"""
from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.handoff.delivery import Envelope, PermanentFailure, TemporaryFailure
from bot.handoff.settings import HandoffSettings


async def send_telegram_text(settings: HandoffSettings, chat_id: str, text: str) -> None:
    if not settings.telegram_token:
        raise PermanentFailure("no Telegram bot token configured")
    request = HTTPXRequest(connect_timeout=settings.webhook_timeout, read_timeout=settings.webhook_timeout)
    bot = Bot(settings.telegram_token, base_url=settings.telegram_api_base, request=request)
    try:
        async with bot:
            await bot.send_message(chat_id=chat_id, text=text, disable_web_page_preview=True)
    except (RetryAfter, TimedOut) as exc:
        raise TemporaryFailure(f"telegram: {exc!r}") from exc
    except (BadRequest, Forbidden, InvalidToken) as exc:
        raise PermanentFailure(f"telegram refused: {exc!r}") from exc
    except (NetworkError, TelegramError) as exc:
        raise TemporaryFailure(f"telegram: {exc!r}") from exc


class TelegramTransport:
    def __init__(self, settings: HandoffSettings):
        self.settings = settings

    def send(self, envelope: Envelope) -> None:
        chat_id = envelope.payload.get("chat_id") or envelope.recipient
        if not chat_id:
            raise PermanentFailure("no Telegram chat id")
        asyncio.run(send_telegram_text(self.settings, str(chat_id), envelope.payload.get("text") or ""))
