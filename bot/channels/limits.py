"""Limits at every entry, and what we say when one is reached (plain Dutch, nothing is lost).

A message over the length limit is refused before it reaches Rasa (the place-name lookup costs about
0.9 s of CPU per 100 KB, and one server serves everyone). Rate limits stop a script from filling
counsellors' capacity or flooding the bot; a refused message stays in the widget and is sent again
after the wait the server names.

The counters live in the process that counts (one web app, one Telegram bridge). Several web app
instances each count on their own: put the limit in the reverse proxy as well, or share a store.

Per-address limits count an IPv6 client by its /64: one connection usually gets a whole /64 (2^64
addresses), so counting single IPv6 addresses would let anyone take a fresh address for every request.
"""
from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Hashable, Optional

TOO_LONG = "Je bericht is te lang. Maak het korter dan {limit} tekens en stuur het dan opnieuw."
SLOW_DOWN = ("Even rustig aan: je stuurt veel berichten snel na elkaar. Wacht even, dan sturen we je "
             "bericht opnieuw.")
TOO_MANY_CONVERSATIONS = ("Even rustig aan: vanaf jouw internetadres zijn net veel nieuwe gesprekken "
                          "gestart. Probeer het later nog een keer.")
TOO_MANY_LEADS = ("Even rustig aan: vanaf jouw internetadres zijn vandaag al veel aanvragen verstuurd. "
                  "Je gegevens zijn niet verstuurd. Probeer het morgen nog een keer, of vraag op school of "
                  "thuis om hulp.")
MAX_KEYS = 100_000
IPV6_PREFIX = 64


def address_group(address: str) -> str:
    """What per-address limits count: an IPv4 address as it is, an IPv6 address as its /64 network
    (``2001:db8:1:2::/64``), an IPv4-mapped IPv6 address as the IPv4 address. Anything that is not an
    IP address (a Telegram chat key, "unknown") comes back unchanged."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return text
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def too_long_text(limit: int) -> str:
    return TOO_LONG.format(limit=limit)


class RateLimiter:
    """Sliding-window counter per key: ``hit`` counts an event unless the limit is reached, and then
    says how many seconds to wait instead. Memory stays bounded (oldest keys are forgotten first)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self._clock = clock
        self._max_keys = max_keys
        self._events: "OrderedDict[Hashable, Deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    def _live(self, key: Hashable, window_s: float, now: float) -> Deque[float]:
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - window_s:
            events.popleft()
        self._events[key] = events                      # most recently used last
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)
        return events

    def hit(self, key: Hashable, limit: int, window_s: float) -> Optional[int]:
        """None when allowed (and counted); otherwise the whole seconds until one is allowed again."""
        return self.check_all((key, limit, window_s))

    def check_all(self, *rules: tuple) -> Optional[int]:
        """Several ``(key, limit, window_s)`` at once: counted in all of them only if all allow it,
        so a refused message does not use up the allowance it will need when it is sent again."""
        now = self._clock()
        with self._lock:
            waits = []
            live = [(self._live(key, window_s, now), limit, window_s) for key, limit, window_s in rules]
            for events, limit, window_s in live:
                if limit > 0 and len(events) >= limit:
                    waits.append(max(1, math.ceil(events[0] + window_s - now)))
            if waits:
                return max(waits)
            for events, limit, _ in live:
                if limit > 0:
                    events.append(now)
            return None
