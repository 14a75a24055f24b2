"""The launcher's readiness check: only a 2xx answer means "ready"; errors and closed ports do not."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.ops.launcher import free_port, http_ok


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/health")
        else:
            self.send_response(200 if self.path == "/health" else 404 if self.path == "/nope" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_ok_means_a_2xx_answer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert http_ok(f"{base}/health")
        assert http_ok(f"{base}/moved")  # redirects are followed, as urllib did
        assert not http_ok(f"{base}/nope")
        assert not http_ok(f"{base}/starting")
    finally:
        server.shutdown()
        server.server_close()
    assert not http_ok(f"http://127.0.0.1:{free_port()}/health", timeout=0.5)


def test_free_ports_lie_outside_the_range_of_outgoing_connections():
    """Linux gives outgoing connections local ports from 32768 up; a server port from that range was
    once taken by a client connection before the server bound it (CI, 2026-12-02)."""
    import socket

    from bot.ops.launcher import PORT_RANGE

    low, high = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    assert PORT_RANGE[1] <= low
    ports = {free_port() for _ in range(50)}
    assert all(PORT_RANGE[0] <= p < PORT_RANGE[1] for p in ports)
    assert len(ports) > 40  # random, not the same few
    for port in list(ports)[:5]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # each one could really be bound


def test_stop_all_gives_every_service_one_shared_deadline(tmp_path):
    """Ctrl-C must not take ten seconds per slow service: all get SIGTERM at once, then SIGKILL."""
    import sys
    import time

    from bot.ops.launcher import Service, stop_all

    stubborn = [sys.executable, "-c",
                "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"]
    services = [Service(name=f"koppig{i}", cmd=stubborn, env=None, health_url="http://127.0.0.1:9/",
                        log_path=tmp_path / f"{i}.log") for i in range(3)]
    for service in services:
        service.start()
    time.sleep(0.5)
    started = time.monotonic()
    stop_all(services, timeout=2)
    assert not any(service.alive() for service in services)
    assert time.monotonic() - started < 5  # one after the other it takes 3 x 2 s
