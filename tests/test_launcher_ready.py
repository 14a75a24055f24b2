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
