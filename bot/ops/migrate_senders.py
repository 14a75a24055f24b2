"""One-time mapping of Telegram sender ids from ``tg-<chat id>`` to the server-derived ``telegram-<hmac>``.

Before issue 10 a Telegram conversation's sender id was the chat id in plain sight, so anyone who could
reach a Rasa channel could read or erase it. New messages now arrive under the derived id; this command
moves the old conversations and leads along, so a person who chatted before the change keeps their
conversation, their referral ("one person, one referral") and their follow-ups (the chat id goes to
``leads.channel_ref``, where the follow-up looks for it). Safe to run twice: the second run finds nothing.

Web widget conversations are not mapped: their old ids were chosen by the browser and are exactly the
kind of id that must no longer open a conversation; those people simply start a new chat.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

import sqlalchemy as sa

from bot.channels.identity import LEGACY_TELEGRAM_SENDER, telegram_sender_id
from bot.store.db import get_engine


@dataclass
class MigrationReport:
    conversations: int = 0
    tracker_events: int = 0
    leads: int = 0
    consent_records: int = 0
    pending_erasures: int = 0


def _mapping(ids, secret: str) -> Dict[str, str]:
    found = {}
    for old in ids:
        match = LEGACY_TELEGRAM_SENDER.match(old or "")
        if match:
            found[old] = telegram_sender_id(secret, match.group(1))
    return found


def migrate_tracker_store(tracker_store_url: str, secret: str, report: MigrationReport) -> Dict[str, str]:
    engine = sa.create_engine(tracker_store_url, future=True)
    try:
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table("events"):
                return {}
            ids = conn.execute(sa.text("SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE 'tg-%'")).scalars()
            mapping = _mapping(list(ids), secret)
            for old, new in mapping.items():
                report.tracker_events += conn.execute(sa.text("UPDATE events SET sender_id = :new WHERE sender_id = :old"),
                                                      {"new": new, "old": old}).rowcount or 0
            report.conversations = len(mapping)
            return mapping
    finally:
        engine.dispose()


def migrate_lead_store(database_url: str, secret: str, report: MigrationReport) -> None:
    engine = get_engine(database_url)          # also brings the schema up to date (channel_ref)
    with engine.begin() as conn:
        ids = set(conn.execute(sa.text("SELECT conversation_id FROM leads WHERE conversation_id LIKE 'tg-%' "
                                       "UNION SELECT conversation_id FROM consent_records "
                                       "WHERE conversation_id LIKE 'tg-%' UNION SELECT sender_id FROM "
                                       "tracker_erasures WHERE sender_id LIKE 'tg-%'")).scalars())
        for old, new in _mapping(ids, secret).items():
            chat = LEGACY_TELEGRAM_SENDER.match(old).group(1)
            report.leads += conn.execute(sa.text(
                "UPDATE leads SET conversation_id = :new, channel = 'telegram', "
                "channel_ref = COALESCE(channel_ref, :chat) WHERE conversation_id = :old"),
                {"new": new, "old": old, "chat": chat}).rowcount or 0
            report.consent_records += conn.execute(sa.text(
                "UPDATE consent_records SET conversation_id = :new WHERE conversation_id = :old"),
                {"new": new, "old": old}).rowcount or 0
            report.pending_erasures += conn.execute(sa.text(
                "UPDATE tracker_erasures SET sender_id = :new WHERE sender_id = :old"),
                {"new": new, "old": old}).rowcount or 0


def migrate_senders(database_url: str, tracker_store_url: Optional[str], secret: str) -> MigrationReport:
    report = MigrationReport()
    if tracker_store_url:
        migrate_tracker_store(tracker_store_url, secret, report)
    migrate_lead_store(database_url, secret, report)
    return report
