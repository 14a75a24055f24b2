"""Starts and stops the whole product: action server, Rasa server, web app (and Telegram bridge).

Each child runs in its own process group so Ctrl-C (or a failing start) stops everything we
started and nothing else.

Only the web app listens on the public host (``GP_PUBLIC_HOST``). Rasa, the action server and the
local mail sink listen on the private host (``GP_PRIVATE_HOST``, loopback by default); Rasa runs
without its HTTP API and without CORS, and both Sanic servers refuse request bodies over their size
limit (``SANIC_REQUEST_MAX_SIZE``) before reading them. The action server answers only calls that
carry the shared token Rasa sends (``GP_ACTION_TOKEN``, bot/ops/action_server.py), and Rasa's REST
channel is there only with ``GP_REST_CHANNEL`` on (the default, for local tools; off in production).
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import httpx

from bot.ops.config import PROJECT_ROOT, Settings, action_token, channel_secret, identity_secret, load_env
from bot.ops.endpoints import write_credentials, write_endpoints
from bot.ops.training import rasa_env, rasa_executable


@dataclass
class Service:
    name: str
    cmd: List[str]
    health_url: str
    env: dict
    log_path: Path
    cwd: Path = PROJECT_ROOT
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout, follow_redirects=True).is_success
    except (httpx.HTTPError, httpx.InvalidURL):
        return False


def wait_until_ready(service: Service, deadline_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        if not service.alive():
            tail = "\n".join(service.log_path.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"{service.name} is gestopt tijdens het starten. Log ({service.log_path}):\n{tail}")
        if http_ok(service.health_url):
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(f"{service.name} was niet binnen {deadline_s:.0f} s klaar (log: {service.log_path})")


# Ports handed out for our own servers lie below Linux's ephemeral range (32768-60999). A port the
# kernel picks for "bind to 0" comes from that range, which is also where every outgoing connection
# gets its local port: with tests and benchmarks running side by side, a port picked that way was
# taken by a client connection before our server bound it ("address already in use", seen once).
PORT_RANGE = (20000, 32000)


def free_port(host: str = "127.0.0.1") -> int:
    for _ in range(500):
        port = random.randrange(*PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def local_address(host: str) -> str:
    """Where this machine reaches a server bound to ``host`` (a wildcard bind is reached on loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def service_env(settings: Settings) -> dict:
    """What every child needs to agree on: addresses, stores, the shared secrets and the limits."""
    return rasa_env({
        "GP_VAR_DIR": str(settings.var_dir), "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "GP_EVENT_BROKER": settings.event_broker, "GP_EVENTS_URL": settings.events_url,
        "GP_RABBITMQ_URL": settings.rabbitmq_url, "GP_RABBITMQ_QUEUE": settings.rabbitmq_queue,
        "GP_ANALYTICS_INTERVAL_SECONDS": str(settings.analytics_interval_seconds),
        "GP_PRIVATE_HOST": settings.host, "GP_PUBLIC_HOST": settings.public_host,
        "GP_WEB_PORT": str(settings.web_port), "GP_RASA_PORT": str(settings.rasa_port),
        "GP_ACTION_PORT": str(settings.action_port), "GP_RASA_URL": settings.rasa_url,
        "GP_ACTION_URL": settings.action_url,
        "GP_CHANNEL_SECRET": channel_secret(settings), "GP_IDENTITY_SECRET": identity_secret(settings),
        "GP_MAX_MESSAGE_CHARS": str(settings.max_message_chars),
        "GP_LIMIT_MESSAGES_PER_MINUTE": str(settings.limit_messages_per_minute),
        "GP_LIMIT_ADDRESS_MESSAGES_PER_MINUTE": str(settings.limit_address_messages_per_minute),
        "GP_LIMIT_CONVERSATIONS_PER_HOUR": str(settings.limit_conversations_per_hour),
        "GP_LIMIT_LEADS_PER_DAY": str(settings.limit_leads_per_day),
        "GP_TRUSTED_PROXIES": ",".join(settings.trusted_proxies),
    })


def build_services(settings: Settings, model: Path) -> List[Service]:
    logs = settings.var_dir / "logs"
    endpoints = write_endpoints(settings, settings.var_dir / f"endpoints-{settings.rasa_port}.yml")
    credentials = write_credentials(settings, settings.var_dir / f"credentials-{settings.rasa_port}.yml")
    env = service_env(settings)
    if settings.telegram_token:
        env["TELEGRAM_BOT_TOKEN"] = settings.telegram_token
    # Only the action server needs the token in its environment; Rasa reads it from its endpoints file.
    action_env = dict(env, SANIC_HOST=settings.host, SANIC_REQUEST_MAX_SIZE=str(settings.action_max_request_bytes),
                      GP_ACTION_TOKEN=action_token(settings))
    rasa_env_ = dict(env, SANIC_REQUEST_MAX_SIZE=str(settings.rasa_max_request_bytes))
    rasa = rasa_executable()
    private = local_address(settings.host)
    services = [
        # rasa_sdk's server behind a token check (bot/ops/action_server.py), not plain `rasa run actions`
        Service("actieserver", [sys.executable, "-m", "bot", "actions", "--port", str(settings.action_port)],
                f"http://{private}:{settings.action_port}/health", action_env, logs / "actions.log"),
        Service("rasa", [rasa, "run", "--model", str(model), "--endpoints", str(endpoints),
                         "--credentials", str(credentials), "--interface", settings.host,
                         "--port", str(settings.rasa_port)],
                f"http://{private}:{settings.rasa_port}/webhooks/gateway/", rasa_env_, logs / "rasa.log"),
        Service("webapp", [sys.executable, "-m", "bot", "web"],
                f"http://{local_address(settings.public_host)}:{settings.web_port}/health", env, logs / "web.log"),
    ]
    worker_env = dict(env)
    if not settings.smtp_host:
        # No mail server configured (a laptop): catch hand-off e-mails in a local Maildir so a
        # developer can read what a counsellor would get, instead of retrying against nothing.
        port = free_port(private)
        mail_dir = settings.var_dir / "mail"
        services.append(Service("mailbox", [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{private}:{port}",
                                            "-c", "aiosmtpd.handlers.Mailbox", str(mail_dir)],
                                "", env, logs / "mailbox.log"))
        worker_env.update(GP_SMTP_HOST=private, GP_SMTP_PORT=str(port))
    # Delivers hand-offs from the outbox (e-mail, Telegram, webhook) and runs the follow-ups.
    services.append(Service("bezorger", [sys.executable, "-m", "bot", "worker"], "", worker_env,
                            logs / "worker.log"))
    if settings.telegram_token:
        services.append(Service("telegram", [sys.executable, "-m", "bot", "telegram"], "", env,
                                logs / "telegram.log"))
    return services


def start_all(services: List[Service], out=print, ready_timeout: float = None) -> None:
    """Starts every service, then waits for each to answer its health check (GP_READY_TIMEOUT s)."""
    if ready_timeout is None:
        ready_timeout = load_env().ready_timeout
    try:
        for service in services:
            out(f"==> {service.name} starten")
            service.start()
        for service in services:
            if service.health_url:
                seconds = wait_until_ready(service, deadline_s=ready_timeout)
                out(f"    {service.name} klaar ({seconds:.1f} s)")
    except BaseException:
        stop_all(services)
        raise


def stop_all(services: List[Service], timeout: float = 10) -> None:
    """All services get SIGTERM at once and share one deadline, so Ctrl-C takes at most ``timeout``
    seconds (one after the other it could take ten seconds per slow service)."""
    running = [s for s in reversed(services) if s.alive()]
    for service in running:
        try:
            os.killpg(service.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for service in running:
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(service.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            service.process.wait()
