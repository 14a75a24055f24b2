"""Benchmark: our bot against a stock `rasa init` bot on the same machine, in the same run.

Simulated users (1, 10, 50 at once) each walk through a conversation over the REST channel. We print
messages/s, latency percentiles, errors, time to ready and the Rasa process's resident memory, for
both bots, and the ratios ours/stock, so the figure means something on a noisy shared machine.

Everything talks to 127.0.0.1 only; every load phase is bounded in conversations and seconds.
This is a benchmark, not a test: it never fails the test command.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, List, Optional

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ops.config import load_settings  # noqa: E402
from bot.ops.launcher import Service, build_services, stop_all, wait_until_ready  # noqa: E402
from bot.ops.training import ensure_model, rasa_env, rasa_executable  # noqa: E402
from tests.stack import free_port  # noqa: E402

OUT = ROOT / "bench" / "out"
USER_LEVELS = (1, 10, 50)
PHASE_SECONDS = 60          # hard cap per load phase
CONVERSATIONS_PER_USER = 2  # bounded count per simulated user

# One intake conversation as a real person would type it (see data/ and domain/).
OUR_CONVERSATION = ["hoi", "/request_human", "17", "Sam", "Ik zit op school", "iets met bouwen en lassen",
                    "4331 AB", "Bellen of WhatsApp", "06 12345678", "Middag", "/affirm"]
STOCK_CONVERSATION = ["hello"]


@dataclass
class Phase:
    users: int
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def post(url: str, sender: str, text: str) -> None:
    """One message, on a fresh connection (as a browser tab of a new visitor would)."""
    body = httpx.post(url, json={"sender": sender, "message": text}, timeout=30).raise_for_status().json()
    if not isinstance(body, list) or not body:
        raise RuntimeError("empty answer")


def run_phase(url: str, script: List[str], users: int, tag: str) -> Phase:
    phase = Phase(users)
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS

    def user(n: int) -> None:
        for conv in range(CONVERSATIONS_PER_USER):
            sender = f"bench-{tag}-{users}-{n}-{conv}-{time.time_ns()}"
            for text in script:
                if time.monotonic() > deadline:
                    return
                started = time.monotonic()
                try:
                    post(url, sender, text)
                except Exception:
                    with lock:
                        phase.errors += 1
                    continue
                with lock:
                    phase.latencies.append(time.monotonic() - started)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started
    return phase


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class BotResult:
    name: str
    ready_s: float
    rss_mib: float
    phases: List[Phase]


def measure(name: str, start: Callable[[], tuple], script: List[str], log: Callable[[str], None]) -> BotResult:
    services, rasa, url = start()
    try:
        started = time.monotonic()
        for service in services:
            service.start()
        for service in services:
            wait_until_ready(service, deadline_s=300)
        ready = time.monotonic() - started
        log(f"  {name}: klaar in {ready:.1f} s")
        post(url, f"warmup-{name}", script[0])
        phases = []
        for users in USER_LEVELS:
            phase = run_phase(url, script, users, name)
            log(f"  {name}: {users:>2} gebruikers  {phase.rate:6.1f} msg/s  p50 {phase.pct(50):6.0f} ms  "
                f"p95 {phase.pct(95):6.0f} ms  p99 {phase.pct(99):6.0f} ms  fouten {phase.errors}")
            phases.append(phase)
        return BotResult(name, ready, rss_mib(rasa.process.pid), phases)
    finally:
        stop_all(services)


def our_bot(var_dir: Path) -> Callable[[], tuple]:
    def start():
        base = load_settings()
        rasa_port, action_port = free_port(), free_port()
        settings = replace(base, var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'leads.db'}",
                           tracker_store_url=f"sqlite:///{var_dir / 'tracker.db'}", rasa_port=rasa_port,
                           action_port=action_port, web_port=free_port(),
                           rasa_url=f"http://127.0.0.1:{rasa_port}",
                           action_url=f"http://127.0.0.1:{action_port}/webhook", telegram_token="")
        model = ensure_model(base.models_dir, ROOT / "var" / "logs")
        services = [s for s in build_services(settings, model) if s.name in ("actieserver", "rasa")]
        rasa = next(s for s in services if s.name == "rasa")
        return services, rasa, f"{settings.rasa_url}/webhooks/rest/webhook"
    return start


def stock_model(log: Callable[[str], None]) -> Path:
    """`rasa init` once, trained once; cached under bench/out/stock."""
    project = OUT / "stock"
    models = list((project / "models").glob("*.tar.gz")) if project.exists() else []
    if models:
        return models[0]
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    log("  stock: rasa init + trainen (eenmalig, ~1-2 min)")
    subprocess.run([rasa_executable(), "init", "--no-prompt", "--init-dir", str(project)], cwd=project,
                   env=rasa_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    models = list((project / "models").glob("*.tar.gz"))
    if not models:
        subprocess.run([rasa_executable(), "train"], cwd=project, env=rasa_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        models = list((project / "models").glob("*.tar.gz"))
    return models[0]


def stock_bot(model: Path, var_dir: Path) -> Callable[[], tuple]:
    def start():
        port = free_port()
        # The stock `rasa init` bot keeps its API (loopback only): /status is its readiness check.
        service = Service("stock-rasa", [rasa_executable(), "run", "--model", str(model), "--enable-api",
                                         "--interface", "127.0.0.1", "--port", str(port)],
                          f"http://127.0.0.1:{port}/status", rasa_env(), var_dir / "stock-rasa.log")
        return [service], service, f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    return start


def main(argv: Optional[List[str]] = None) -> int:
    global PHASE_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-seconds", type=int, default=PHASE_SECONDS)
    args = parser.parse_args(argv)
    PHASE_SECONDS = args.phase_seconds
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gp-bench-") as tmp:
        tmp_dir = Path(tmp)
        log("==> Modellen klaarzetten")
        model = stock_model(log)
        log("==> Onze bot meten")
        ours = measure("ons", our_bot(tmp_dir / "ours"), OUR_CONVERSATION, log)
        log("==> Stock `rasa init` bot meten")
        stock = measure("stock", stock_bot(model, tmp_dir), STOCK_CONVERSATION, log)

    log("")
    log(f"{'':14}{'ons':>12}{'stock':>12}{'ons/stock':>12}")
    log(f"{'klaar (s)':14}{ours.ready_s:12.1f}{stock.ready_s:12.1f}{ours.ready_s / stock.ready_s:12.2f}")
    log(f"{'RSS rasa MiB':14}{ours.rss_mib:12.0f}{stock.rss_mib:12.0f}{ours.rss_mib / stock.rss_mib:12.2f}")
    for o, s in zip(ours.phases, stock.phases):
        log(f"{f'msg/s @{o.users}':14}{o.rate:12.1f}{s.rate:12.1f}{o.rate / s.rate if s.rate else float('nan'):12.2f}")
        log(f"{f'p95 ms @{o.users}':14}{o.pct(95):12.0f}{s.pct(95):12.0f}{o.pct(95) / s.pct(95):12.2f}")
        log(f"{f'fouten @{o.users}':14}{o.errors:12d}{s.errors:12d}")
    at10 = next(o for o in ours.phases if o.users == 10), next(s for s in stock.phases if s.users == 10)
    log("")
    log("Doelen: msg/s-ratio bij 10 gebruikers >= 1.0, klaar <= 20 s, <= 1.0 GiB per Rasa-proces")
    log(f"  msg/s-ratio @10: {at10[0].rate / at10[1].rate:.2f}   klaar: {ours.ready_s:.1f} s   "
        f"RSS: {ours.rss_mib / 1024:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
