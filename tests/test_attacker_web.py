"""The public door, round two (issue 22): attacks on the web app alone, no Rasa needed.

The body and header attacks run against the real web app (``python -m bot web``) started in its own
process on a free loopback port, so memory and stalls are measured where they would happen. The rest
runs the same app in-process (aiohttp's test server, also on loopback)."""
from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

import httpx
import pytest

from bot.ops.config import PROJECT_ROOT

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_memory_kb(pid: int) -> int:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


class WebProcess:
    def __init__(self, var_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, GP_VAR_DIR=str(var_dir), GP_PUBLIC_HOST="127.0.0.1", GP_WEB_PORT=str(self.port),
                   GP_PUBLIC_BASE_URL=self.url, GP_RASA_URL=f"http://127.0.0.1:{free_port()}",
                   DATABASE_URL=f"sqlite:///{var_dir / 'leads.db'}", RASA_TELEMETRY_ENABLED="false")
        self.log = open(var_dir / "web.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=PROJECT_ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, (var_dir / "web.log").read_text(errors="replace")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the web app did not start"
            time.sleep(0.2)

    def stop(self) -> None:
        # A web app that is stuck on the CPU (the old multipart stall) does not answer SIGTERM.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    app = WebProcess(tmp_path_factory.mktemp("web"))
    try:
        yield app
    finally:
        app.stop()


def gzip_json_bomb() -> bytes:
    """57-61 KB on the wire, 60 MB once decompressed."""
    return gzip.compress(b'{"token": "' + b" " * (60 * 1024 * 1024) + b'"}', 9)


def gzip_multipart_bomb() -> bytes:
    """About 60 KB on the wire: 400,000 empty form fields once decompressed."""
    part = b'--XX\r\nContent-Disposition: form-data; name="e"\r\n\r\n\r\n'
    return gzip.compress(part * 400_000 + b"--XX--\r\n", 9)


# --- item 1: one small compressed request --------------------------------------------------------
def test_a_small_gzip_body_is_refused_unread_and_does_not_bloat_the_web_app(web_app):
    bomb = gzip_json_bomb()
    assert len(bomb) < 64 * 1024
    before = peak_memory_kb(web_app.process.pid)
    response = httpx.post(web_app.url + "/chat/session", content=bomb, timeout=30,
                          headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    grown_mb = (peak_memory_kb(web_app.process.pid) - before) / 1024
    assert response.status_code == 415, response.text
    assert "ingepakt" in response.json()["message"]                         # Dutch, for the widget
    assert grown_mb < 16, f"the web app grew by {grown_mb:.0f} MB for a {len(bomb)} byte request"
    # the same bytes without the header are an unreadable body (a new session), never decompressed
    plain = httpx.post(web_app.url + "/chat/session", content=bomb, timeout=30,
                       headers={"Content-Type": "application/json"})
    assert plain.status_code in (200, 400)
    assert (peak_memory_kb(web_app.process.pid) - before) / 1024 < 16


def probe_health(url: str, stop: threading.Event, waits: List[float]) -> None:
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                client.get(url + "/health")
            except httpx.HTTPError:
                pass
            waits.append(time.perf_counter() - started)
            time.sleep(0.05)


def test_a_gzip_multipart_body_is_refused_and_nobody_else_waits(web_app):
    waits: List[float] = []
    stop = threading.Event()
    prober = threading.Thread(target=probe_health, args=(web_app.url, stop, waits))
    prober.start()
    try:
        time.sleep(0.3)
        results: Dict[str, httpx.Response] = {}
        for name, headers, body in (
                ("gzip", {"Content-Encoding": "gzip"}, gzip_multipart_bomb()),
                ("plain", {}, b'--XX\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.nl\r\n--XX--\r\n')):
            try:
                results[name] = httpx.post(web_app.url + "/adviseur/aanmelden", content=body, timeout=15, headers={
                    "Content-Type": "multipart/form-data; boundary=XX", **headers})
            except httpx.TimeoutException:
                pytest.fail(f"a {len(body)} byte {name} multipart request kept the web app busy for 15 s")
        time.sleep(0.3)
    finally:
        stop.set()
        prober.join()
    assert results["gzip"].status_code == 415 and results["plain"].status_code == 415
    assert "niet aannemen" in results["plain"].text or "niet aan" in results["plain"].text
    assert waits and max(waits) < 1.0, f"/health waited {max(waits):.1f} s for another client's request"


def test_a_body_over_64_kb_is_refused_in_dutch(web_app):
    response = httpx.post(web_app.url + "/adviseur/aanmelden", content=b"email=" + b"a" * 100_000, timeout=10,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "te groot" in response.text


def test_the_server_header_names_no_software_or_version(web_app):
    for path in ("/health", "/bestaat-niet", "/static/widget.css"):
        server = httpx.get(web_app.url + path, timeout=10).headers.get("Server", "")
        assert "aiohttp" not in server.lower() and "python" not in server.lower(), (path, server)


# --- item 8: security headers on every response, errors and static files included -----------------
@pytest.mark.parametrize("method,path,body,headers,status", [
    ("GET", "/", None, {}, 200),
    ("GET", "/bestaat-niet", None, {}, 404),
    ("GET", "/static/bestaat-niet.js", None, {}, 404),
    ("POST", "/health", b"", {}, 405),
    ("GET", "/adviseur/lead/GP-ABC123", None, {}, 303),                     # a raised HTTPSeeOther
    ("GET", "/static/widget.css", None, {}, 200),                            # a static file
    ("GET", "/widget-config.json", None, {}, 200),
    ("POST", "/chat/session", b"{}", {"Content-Type": "application/json", "Content-Encoding": "br"}, 415),
    ("POST", "/adviseur/aanmelden", b"e=" + b"a" * 70_000, {"Content-Type": "application/x-www-form-urlencoded"}, 413),
])
def test_every_response_carries_the_security_headers(web_app, method, path, body, headers, status):
    response = httpx.request(method, web_app.url + path, content=body, headers=headers, timeout=10,
                             follow_redirects=False)
    assert response.status_code == status
    missing = [name for name in SECURITY_HEADERS if name not in response.headers]
    assert missing == [], f"{method} {path} ({status}) has no {missing}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
