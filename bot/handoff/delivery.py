"""The transport interface shared by the delivery channels.

A transport either returns (delivered) or raises: ``TemporaryFailure`` → retry with backoff;
``PermanentFailure`` → dead letter at once (retrying a refused address only delays the alert).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Protocol


class DeliveryError(Exception):
    pass


class TemporaryFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


@dataclass(frozen=True)
class Envelope:
    """What a transport needs, detached from the database session (sending happens outside it)."""

    outbox_id: int
    lead_id: str
    kind: str
    channel: str
    recipient: str
    idempotency_key: str
    payload: Dict[str, Any]


class Transport(Protocol):
    def send(self, envelope: Envelope) -> None: ...
