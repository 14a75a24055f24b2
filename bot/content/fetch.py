"""Fetching a region's iCalendar feed without letting the feed's server steer us into our own network.

``python -m bot content fetch`` runs on the server, next to Rasa, the action server, the database and
whatever else listens on loopback or the private network. A feed URL comes from a content pack, and
the server behind it decides where a redirect goes. Checking only that the configured URL starts with
``https://`` is not enough (issue 22 item 7: a redirect to ``http://127.0.0.1/…`` was followed, cached
and parsed). So for *every* hop, the first one and each redirect:

- ``https`` only, port 443 only, no user name or password in the URL;
- a DNS name, never an IP literal (``https://127.0.0.1``, ``https://[::1]``, ``https://2130706433``),
  and not ``localhost``;
- every address the name resolves to must be public: no loopback, private (RFC 1918, ULA),
  link-local (169.254.0.0/16 with the cloud metadata service, fe80::/10), CGNAT, multicast, reserved
  or unspecified address, also not hidden in an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address;
- the connection goes to an address checked in that same step (the name is resolved once, checked,
  and that address is dialled; TLS still verifies the name), so a DNS answer that changes between
  the check and the connect (DNS rebinding) gains nothing;
- at most ``max_redirects`` redirects, ``max_bytes`` of body (also after decompression) and
  about ``max_seconds`` in total, whatever the server does (a server that trickles one byte a second
  is cut off by the total, checked after every chunk, not only by the 10 s read timeout).

Tests run a feed server on 127.0.0.1, which the rules above refuse. ``FetchPolicy.first_hop_origin``
lets exactly one origin be the *first* request's target; every later hop, including one back to that
same origin, is checked by the full rules, so a test can prove the refusal of a redirect. Nothing in
the settings or on the command line sets it.
"""
from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], List[str]]

MAX_FEED_BYTES = 2 * 1024 * 1024
MAX_FEED_SECONDS = 20.0
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class FeedRefused(Exception):
    """The feed (or a redirect) points somewhere we do not fetch from; the message is Dutch."""


def system_resolve(host: str, port: int) -> List[str]:
    """Every address the system resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = MAX_FEED_BYTES
    max_seconds: float = MAX_FEED_SECONDS
    max_redirects: int = MAX_REDIRECTS
    resolve: Resolver = system_resolve
    # Test only, never from configuration: "scheme://host:port" allowed as the first request's target.
    first_hop_origin: Optional[str] = None
    # Test only: trust a test CA instead of the system's.
    ssl_context: Optional[ssl.SSLContext] = field(default=None, compare=False)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> List[ipaddress.IPv4Address]:
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def public_address(address: str) -> bool:
    """True only for an address on the public internet."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates: List[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates.extend(_embedded_ipv4(ip))
    for candidate in candidates:
        if (not candidate.is_global or candidate.is_loopback or candidate.is_private or candidate.is_link_local
                or candidate.is_multicast or candidate.is_reserved or candidate.is_unspecified
                or (isinstance(candidate, ipaddress.IPv4Address) and candidate in _CGNAT)):
            return False
    return True


def origin_of(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


def check_url(url: httpx.URL, policy: FetchPolicy, first_hop: bool) -> Optional[Tuple[str, int]]:
    """Raises FeedRefused when ``url`` may not be fetched. Returns (host, port) when this is the test's
    allowed first hop (then the address rules do not apply to it), otherwise None."""
    if first_hop and policy.first_hop_origin and origin_of(url) == policy.first_hop_origin:
        return url.host, url.port or 443
    if url.scheme != "https":
        raise FeedRefused(f"alleen https, niet {url.scheme or 'zonder schema'}")
    if url.userinfo:
        raise FeedRefused("geen gebruikersnaam of wachtwoord in de link")
    host = (url.host or "").strip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise FeedRefused(f"een IP-adres ({host}) in plaats van een domeinnaam")
    if not host or "." not in host or host == "localhost" or host.endswith(".localhost"):
        raise FeedRefused(f"geen publieke domeinnaam ({host or 'leeg'})")
    if (url.port or 443) != 443:
        raise FeedRefused(f"alleen poort 443, niet {url.port}")
    return None


def _checked_addresses(host: str, port: int, policy: FetchPolicy) -> List[str]:
    try:
        addresses = policy.resolve(host, port)
    except OSError as exc:
        raise FeedRefused(f"{host} bestaat niet ({exc})") from None
    bad = [a for a in addresses if not public_address(a)]
    if not addresses or bad:
        raise FeedRefused(f"{host} wijst naar een intern of niet-publiek adres ({', '.join(bad) or 'geen'})")
    return addresses


class _PinnedBackend:
    """httpcore's network backend, but the name is resolved here, every address checked, and a checked
    address dialled. ``allowed`` is the test's first hop, dialled as it is."""

    def __init__(self, policy: FetchPolicy, allowed: Optional[Tuple[str, int]]):
        import httpcore

        self._inner = httpcore.SyncBackend()
        self._policy = policy
        self._allowed = allowed

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if self._allowed == (host, port):
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        address = _checked_addresses(host, port, self._policy)[0]
        return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never used for a feed
        raise FeedRefused("geen unix-socket")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries are off
        self._inner.sleep(seconds)


def _client(policy: FetchPolicy, allowed: Optional[Tuple[str, int]], timeout: float) -> httpx.Client:
    import httpcore

    transport = httpx.HTTPTransport(trust_env=False)
    context = policy.ssl_context or httpx.create_ssl_context(trust_env=False)
    # The transport's own pool, with our backend; TLS verification and SNI use the URL's host name.
    transport._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_PinnedBackend(policy, allowed),
                                              max_connections=1)
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                        timeout=httpx.Timeout(min(timeout, 10.0), connect=min(timeout, 5.0)),
                        headers={"Accept": "text/calendar, text/plain;q=0.5", "Accept-Encoding": "identity",
                                 "User-Agent": "gouden-poort-feed/1"})


def fetch_feed(url: str, policy: FetchPolicy = FetchPolicy()) -> str:
    """The feed's text, or FeedRefused / an httpx error. Every hop is checked (see the module)."""
    started = time.monotonic()
    current = httpx.URL(url)
    for hop in range(policy.max_redirects + 1):
        left = policy.max_seconds - (time.monotonic() - started)
        if left <= 0:
            raise FeedRefused(f"duurde langer dan {policy.max_seconds:.0f} s")
        allowed = check_url(current, policy, first_hop=hop == 0)
        if allowed is None:
            _checked_addresses(current.host, current.port or 443, policy)  # a clear message before dialling
        with _client(policy, allowed, left) as client, client.stream("GET", current) as response:
            if response.status_code in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FeedRefused("doorverwijzing zonder adres")
                current = current.join(location)
                continue
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                raise FeedRefused(f"groter dan {policy.max_bytes // 1024} KB")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise FeedRefused(f"groter dan {policy.max_bytes // 1024} KB")
                if time.monotonic() - started > policy.max_seconds:
                    raise FeedRefused(f"duurde langer dan {policy.max_seconds:.0f} s")
            return body.decode(response.encoding or "utf-8", errors="replace")
    raise FeedRefused(f"meer dan {policy.max_redirects} doorverwijzingen")
