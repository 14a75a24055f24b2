"""Issue 22 item 7: ``python -m bot content fetch`` must not be steered into our own network.

A real HTTPS feed server runs on 127.0.0.1 with a test CA. The fetch under test is the production
one (``bot.content.fetch.fetch_feed`` through ``fetch_feeds``); its only test switch lets this one
origin be the *first* request's target. Every later hop gets the full rules, so a redirect back to
the same server's internal page must be refused: that is what these tests can catch. A control run
with a plain "follow redirects" client shows that the set-up would see the leak. Names are resolved
by an injected resolver: no DNS query and no packet leaves 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.content.events import cache_path, fetch_feeds
from bot.content.fetch import FeedRefused, FetchPolicy, fetch_feed, public_address
from bot.content.packs import load_packs
from bot.ops.launcher import free_port
from tests.test_content import FEED

SECRET = "BEGIN:VCALENDAR\nX-INTERN:geheim-van-de-actieserver\nEND:VCALENDAR\n"


def _certificates(tmp: Path):
    """A test CA and a server certificate for 127.0.0.1 and feeds.example.test."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gouden Poort test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("feeds.example.test")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (tmp / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                                     + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    return tmp / "ca.pem", tmp / "server.pem"


class FeedServer:
    """HTTPS on 127.0.0.1: /agenda.ics, /geheim (the "internal" page), /naar?<location> (302),
    /groot (3 MB), /traag (a byte every 0.2 s). ``hits`` lists every path requested."""

    def __init__(self, tmp: Path):
        self.ca_file, server_pem = _certificates(tmp)
        self.port = free_port()
        self.hits: List[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.hits.append(self.path)
                if self.path.startswith("/naar?"):
                    self.send_response(302)
                    self.send_header("Location", self.path[len("/naar?"):])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/traag":
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(100):
                            self.wfile.write(b"X")
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                    return
                body = {"/agenda.ics": FEED.encode(), "/geheim": SECRET.encode(),
                        "/groot": b"X" * (3 * 1024 * 1024)}.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                try:
                    self.wfile.write(body or b"")
                except OSError:
                    pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(server_pem)
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def policy(self, **kwargs) -> FetchPolicy:
        kwargs.setdefault("resolve", no_dns)
        return FetchPolicy(first_hop_origin=self.origin, ssl_context=self.client_context(), **kwargs)


def no_dns(host: str, port: int) -> List[str]:
    raise AssertionError(f"a test must not resolve {host} through real DNS")


@pytest.fixture
def feeds(tmp_path):
    server = FeedServer(tmp_path)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _pack(tmp_path: Path, url: str):
    packs_dir = tmp_path / "regios"
    packs_dir.mkdir(exist_ok=True)
    (packs_dir / "zeeland.yml").write_text(
        "region: AM24\norganisation: Voorbeeld Zeeland\nfeeds:\n"
        f"  - {{name: Agenda, url: '{url}', source: voorbeeld}}\n", encoding="utf-8")
    return load_packs(packs_dir)


def test_the_allowed_first_hop_fetches_and_caches_the_feed(feeds, tmp_path):
    """The switch works for the first hop (otherwise the refusals below would prove nothing)."""
    report = fetch_feeds(_pack(tmp_path, f"{feeds.origin}/agenda.ics"), tmp_path / "cache", policy=feeds.policy())
    assert any("2 evenementen opgehaald" in line for line in report), report
    assert feeds.hits == ["/agenda.ics"]


def test_a_plain_redirect_following_client_would_leak_the_internal_page(feeds, tmp_path):
    """Control: what the old fetch did (``httpx.get(..., follow_redirects=True)``) is caught here."""
    leaky = lambda url: httpx.get(url, follow_redirects=True, verify=feeds.client_context()).text  # noqa: E731
    cache = tmp_path / "cache"
    fetch_feeds(_pack(tmp_path, f"{feeds.origin}/naar?{feeds.origin}/geheim"), cache, get=leaky)
    assert "/geheim" in feeds.hits and "geheim-van-de-actieserver" in cache_path(cache, "AM24", 0).read_text()


@pytest.mark.parametrize("target", [
    "{origin}/geheim",                       # back to the same loopback server: only the first hop was allowed
    "https://localhost:{port}/geheim",
    "https://[::1]:{port}/geheim",
    "https://127.0.0.1/geheim",
    "https://2130706433/geheim",             # 127.0.0.1 as one number
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.8/geheim",
    "http://feeds.example.test/geheim",      # no https
    "https://feeds.example.test:{port}/geheim",  # not port 443
    "https://intern.example.test/geheim",    # a name that resolves to loopback
    "https://lan.example.test/geheim",       # a name with a private address among public ones
    "https://mapped.example.test/geheim",    # an IPv4-mapped IPv6 loopback
])
def test_a_redirect_into_our_own_network_is_refused_and_nothing_is_cached(feeds, tmp_path, target):
    names = {"intern.example.test": ["127.0.0.1"], "lan.example.test": ["93.184.216.34", "192.168.1.10"],
             "mapped.example.test": ["::ffff:127.0.0.1"]}
    policy = feeds.policy(resolve=lambda host, port: names[host])
    location = target.format(origin=feeds.origin, port=feeds.port)
    cache = tmp_path / "cache"
    report = fetch_feeds(_pack(tmp_path, f"{feeds.origin}/naar?{location}"), cache, policy=policy)
    assert feeds.hits == [f"/naar?{location}"], feeds.hits   # the first hop only; never /geheim
    assert not cache_path(cache, "AM24", 0).exists()
    assert "niet opgehaald" in report[0] and "er is nog geen versie" in report[0], report


def test_the_first_hop_gets_the_same_rules_without_the_switch(feeds):
    with pytest.raises(FeedRefused, match="IP-adres"):
        fetch_feed(f"{feeds.origin}/agenda.ics", FetchPolicy(ssl_context=feeds.client_context(), resolve=no_dns))
    assert feeds.hits == []


def test_a_name_that_turns_into_loopback_at_connect_time_is_refused(feeds):
    """DNS rebinding: the check sees a public address, the connection would get loopback."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    policy = feeds.policy(resolve=lambda host, port: next(answers))
    with pytest.raises(FeedRefused, match="intern"):
        fetch_feed(f"{feeds.origin}/naar?https://feeds.example.test/agenda.ics", policy)
    assert feeds.hits == ["/naar?https://feeds.example.test/agenda.ics"]


def test_size_and_time_are_capped(feeds):
    with pytest.raises(FeedRefused, match="groter dan"):
        fetch_feed(f"{feeds.origin}/groot", feeds.policy(max_bytes=1024 * 1024))
    started = time.monotonic()
    with pytest.raises(FeedRefused, match="langer dan"):
        fetch_feed(f"{feeds.origin}/traag", feeds.policy(max_seconds=1.0))
    assert time.monotonic() - started < 5


def test_too_many_redirects(feeds):
    hop = f"{feeds.origin}/agenda.ics"
    # Only the first hop may be loopback, so a chain of public hops is simulated by the resolver: all
    # of them are refused at the second hop anyway; the count is checked with max_redirects=0.
    with pytest.raises(FeedRefused, match="doorverwijzingen"):
        fetch_feed(f"{feeds.origin}/naar?{hop}", feeds.policy(max_redirects=0))


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.0.1", False), ("169.254.169.254", False), ("fe80::1", False), ("fc00::1", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("::", False), ("224.0.0.1", False), ("255.255.255.255", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("2002:7f00:1::", False), ("64:ff9b::a00:1", False),
    ("nonsense", False),
])
def test_public_addresses(address, public):
    assert public_address(address) is public
