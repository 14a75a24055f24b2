"""Benchmark: our bot against a stock `rasa init` bot, side by side, in one run on one machine.

Fair by construction (issue 14):
- the stock bot lives in its own temporary folder with its own domain, endpoints and credentials,
  so nothing of this project leaks into it;
- both bots walk a multi-turn conversation on fresh senders over Rasa's REST channel: ours the full
  intake, the stock bot its own moodbot script (greet, mood, affirm, goodbye);
- the stock bot is measured twice: as shipped (in-memory tracker store) and on SQLite like ours;
- every figure is measured in the same run, so ratios compare like with like on a shared machine;
  the load average is printed with it, because a figure from a busy machine is not a fair figure.

Prints msg/s and p50/p95/p99 at 1, 10 and 50 users, errors, time to ready, resident memory of every
process of ours (Rasa, action server, web app, worker) and the training times; writes bench/out/bench.json
and bench/out/latency.png. Talks to 127.0.0.1 only; every load phase is bounded in conversations and
seconds. This is a benchmark, not a test: it never fails the test command.

``--scale``: our intake on one and then two Rasa instances (each with its own action server) on throwaway
PostgreSQL databases and the Redis lock store, conversations routed sticky by sender; prints msg/s and
p95 per instance count and writes bench/out/scale.json. Where one turn's time goes: bench/profile_turn.py.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
import zlib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Union

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ops.config import load_settings  # noqa: E402
from bot.ops.launcher import Service, build_services, free_port, stop_all, wait_until_ready  # noqa: E402
from bot.ops.training import ensure_model, rasa_env, rasa_executable, training_record_path  # noqa: E402

OUT = ROOT / "bench" / "out"
USER_LEVELS = (1, 10, 50)
PHASE_SECONDS = 60          # hard cap per load phase
CONVERSATIONS_PER_USER = 2  # bounded count per simulated user

# One intake as a real person would type and tap it: age first, then the form, then consent. Every
# conversation has its own phone number and one of twelve regions' postcodes: with one number for all,
# only the first conversation became a lead ("hooguit één keer doorverwijzen") and every other ended on
# the cheaper "je hebt al een aanvraag" path; with one postcode, one region's counsellors fill up.
OUR_CONVERSATION = ["hoi", "/request_human", "17", "Sam", "Ik zit op school", "iets met bouwen en lassen",
                    "{postcode}", "Bellen of WhatsApp", "{phone}", "Middag", "/affirm"]
POSTCODES = ["4331 AB", "1012 AB", "3011 AA", "2511 AA", "3511 AA", "5611 AA", "9711 AA", "6811 AA",
             "7511 AA", "8011 AA", "6211 AA", "4811 AA"]
LEAD_REFERENCE = re.compile(r"GP-[A-Z0-9]{6}")
MAIL_WAIT_SECONDS = 30      # after the last phase: hand-off mails still on their way
# The stock moodbot's own happy path: greet -> utter_greet, mood -> cheer up + "did that help?",
# affirm -> utter_happy, goodbye -> utter_goodbye.
STOCK_CONVERSATION = ["hello", "I am sad", "yes", "bye"]


def personal(script: List[str], sender: str) -> List[str]:
    """The script with this conversation's own phone number and postcode filled in."""
    digits = zlib.crc32(sender.encode())
    return [line.format(phone=f"06 {digits % 10**8:08d}", postcode=POSTCODES[digits % len(POSTCODES)])
            for line in script]


@dataclass
class Phase:
    users: int
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    consents: Dict[str, float] = field(default_factory=dict)   # lead reference -> wall time of the answer

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

    def summary(self) -> Dict[str, float]:
        return {"users": self.users, "messages": self.messages, "errors": self.errors,
                "seconds": round(self.seconds, 2), "msg_per_s": round(self.rate, 2),
                "p50_ms": round(self.pct(50), 1), "p95_ms": round(self.pct(95), 1), "p99_ms": round(self.pct(99), 1)}


def post(client: httpx.Client, url: str, sender: str, text: str) -> str:
    body = client.post(url, json={"sender": sender, "message": text}, timeout=60).raise_for_status().json()
    if not isinstance(body, list) or not body:
        raise RuntimeError("empty answer")
    return "\n".join(str(m.get("text") or "") for m in body)


def sticky(urls: Union[str, List[str]], sender: str) -> str:
    """One conversation, one Rasa instance (README "Opschalen"): the instance follows from a hash of the
    sender id, as a load balancer with hash-based stickiness would route it."""
    if isinstance(urls, str):
        return urls
    return urls[zlib.crc32(sender.encode()) % len(urls)]


def run_phase(url: Union[str, List[str]], script: List[str], users: int, tag: str) -> Phase:
    phase = Phase(users)
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS

    def user(n: int) -> None:
        # one connection per simulated user, as one browser tab keeps its connection to the web app
        with httpx.Client() as client:
            for conv in range(CONVERSATIONS_PER_USER):
                sender = f"bench-{tag}-{users}-{n}-{conv}-{time.time_ns()}"
                for text in personal(script, sender):
                    if time.monotonic() > deadline:
                        return
                    started = time.monotonic()
                    try:
                        answer = post(client, sticky(url, sender), sender, text)
                    except Exception:
                        with lock:
                            phase.errors += 1
                        continue
                    answered = time.time()
                    with lock:
                        phase.latencies.append(time.monotonic() - started)
                        if text == "/affirm":
                            phase.consents.update({ref: answered for ref in LEAD_REFERENCE.findall(answer)})

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started
    return phase


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (a Rasa server may fork helpers)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            continue
    return total / 1024


@dataclass
class BotResult:
    name: str
    ready_s: float
    rss_mib: Dict[str, float]
    phases: List[Phase]
    turns_per_conversation: int
    handoff_mail: Optional[dict] = None


def handoff_mail_delays(mail_dir: Path, consents: Dict[str, float], wait_s: float = MAIL_WAIT_SECONDS) -> dict:
    """Seconds from the consent answer to the hand-off mail in the local mailbox (file time), per lead.

    The target (issue 14) is <= 5 s. Waits up to ``wait_s`` for mails still on their way; a lead whose
    mail did not come counts as missing, not as fast."""
    arrived: Dict[str, float] = {}
    deadline = time.monotonic() + wait_s
    while True:
        for path in (mail_dir / "new").glob("*") if (mail_dir / "new").is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            reference = str(message.get("X-GoudenPoort-Reference", ""))
            if str(message.get("X-GoudenPoort-Kind", "")) == "handoff" and reference in consents:
                arrived.setdefault(reference, path.stat().st_mtime)
        if len(arrived) == len(consents) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    delays = sorted(max(0.0, arrived[ref] - consents[ref]) for ref in arrived)

    def pct(p: float) -> float:
        return round(delays[min(len(delays) - 1, int(round(p / 100 * (len(delays) - 1))))], 2) if delays else float("nan")

    return {"leads": len(consents), "mails": len(arrived), "p50_s": pct(50), "p95_s": pct(95),
            "max_s": round(delays[-1], 2) if delays else float("nan")}


def measure(name: str, start: Callable[[], Tuple[List[Service], str]], script: List[str],
            log: Callable[[str], None], mail_dir: Optional[Path] = None) -> BotResult:
    services, url = start()
    try:
        started = time.monotonic()
        for service in services:
            service.start()
        for service in services:
            if service.health_url:
                wait_until_ready(service, deadline_s=900)
        ready = time.monotonic() - started
        log(f"  {name}: klaar in {ready:.1f} s")
        with httpx.Client() as client:
            post(client, url, f"warmup-{name}-{time.time_ns()}", script[0])
        phases = []
        for users in USER_LEVELS:
            phase = run_phase(url, script, users, name)
            log(f"  {name}: {users:>2} gebruikers  {phase.rate:6.1f} msg/s  p50 {phase.pct(50):6.0f} ms  "
                f"p95 {phase.pct(95):6.0f} ms  p99 {phase.pct(99):6.0f} ms  fouten {phase.errors}")
            phases.append(phase)
        rss = {s.name: round(tree_rss_mib(s.process.pid), 1) for s in services if s.process is not None}
        mails = None
        if mail_dir is not None:
            mails = handoff_mail_delays(mail_dir, {ref: t for phase in phases for ref, t in phase.consents.items()})
            log(f"  {name}: overdrachtsmail na toestemming: {mails['mails']} van {mails['leads']} aanvragen, "
                f"p50 {mails['p50_s']} s, p95 {mails['p95_s']} s, max {mails['max_s']} s (doel <= 5 s)")
        return BotResult(name, ready, rss, phases, len(script), mails)
    finally:
        stop_all(services)


def our_bot(var_dir: Path) -> Callable[[], Tuple[List[Service], str]]:
    def start():
        base = load_settings()
        rasa_port, action_port = free_port(), free_port()
        settings = replace(base, var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'leads.db'}",
                           tracker_store_url=f"sqlite:///{var_dir / 'tracker.db'}", rasa_port=rasa_port,
                           action_port=action_port, web_port=free_port(),
                           rasa_url=f"http://127.0.0.1:{rasa_port}",
                           action_url=f"http://127.0.0.1:{action_port}/webhook", telegram_token="")
        model = ensure_model(base.models_dir, ROOT / "var" / "logs")
        # everything `make run` starts except the optional Telegram bridge: its memory counts too
        services = build_services(settings, model)
        return services, f"{settings.rasa_url}/webhooks/rest/webhook"
    return start


STOCK_SQLITE_ENDPOINTS = """tracker_store:
  type: SQL
  dialect: sqlite
  db: {db}
"""


def stock_project(log: Callable[[str], None]) -> Tuple[Path, float]:
    """`rasa init` once into bench/out/stock, trained once; returns the project and its training time."""
    project = OUT / "stock"
    record = project / "training.json"
    models = sorted((project / "models").glob("*.tar.gz")) if project.exists() else []
    if models and record.exists():
        return project, json.loads(record.read_text())["seconds"]
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    log("  stock: rasa init (eenmalig)")
    subprocess.run([rasa_executable(), "init", "--no-prompt", "--init-dir", str(project)], cwd=project,
                   env=rasa_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for model in (project / "models").glob("*.tar.gz"):
        model.unlink()  # `rasa init` trains too; train again, timed, like ours
    shutil.rmtree(project / ".rasa", ignore_errors=True)  # and without its cache, or the timing means nothing
    log("  stock: trainen (eenmalig, getimed, zonder cache)")
    started = time.monotonic()
    subprocess.run([rasa_executable(), "train", "--force", "--out", "models"], cwd=project, env=rasa_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    record.write_text(json.dumps({"seconds": round(seconds, 1), "load_average": list(os.getloadavg())}))
    return project, seconds


def stock_bot(project: Path, run_dir: Path, sqlite: bool) -> Callable[[], Tuple[List[Service], str]]:
    """The stock bot in its own fresh folder: its own files, its own working directory."""
    def start():
        if run_dir.exists():
            shutil.rmtree(run_dir)
        shutil.copytree(project, run_dir, ignore=shutil.ignore_patterns(".rasa", "training.json"))
        endpoints = run_dir / "endpoints.yml"
        if sqlite:
            endpoints.write_text(STOCK_SQLITE_ENDPOINTS.format(db=run_dir / "tracker.db"))
        model = next((run_dir / "models").glob("*.tar.gz"))
        port = free_port()
        # The stock bot keeps its API, on loopback only: /status is its readiness check.
        env = rasa_env()
        env["PYTHONPATH"] = ""  # nothing of this project on its path
        service = Service("rasa", [rasa_executable(), "run", "--model", str(model), "--enable-api",
                                   "--endpoints", str(endpoints), "--credentials", str(run_dir / "credentials.yml"),
                                   "--interface", "127.0.0.1", "--port", str(port)],
                          f"http://127.0.0.1:{port}/status", env, run_dir / "rasa.log", cwd=run_dir)
        return [service], f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    return start


def our_training_seconds(model: Path) -> Optional[dict]:
    record = training_record_path(model)
    return json.loads(record.read_text()) if record.exists() else None


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def print_table(results: List[BotResult], log: Callable[[str], None]) -> None:
    names = [r.name for r in results]
    ours = results[0]
    log("")
    log(f"{'':18}" + "".join(f"{n:>14}" for n in names) + "".join(f"{'ons/' + n:>20}" for n in names[1:]))
    log(f"{'klaar (s)':18}" + "".join(f"{r.ready_s:14.1f}" for r in results)
        + "".join(f"{ratio(ours.ready_s, r.ready_s):20.2f}" for r in results[1:]))
    log(f"{'RSS rasa (MiB)':18}" + "".join(f"{r.rss_mib.get('rasa', float('nan')):14.0f}" for r in results)
        + "".join(f"{ratio(ours.rss_mib.get('rasa', 0), r.rss_mib.get('rasa', 0)):20.2f}" for r in results[1:]))
    for i, users in enumerate(USER_LEVELS):
        rows = (("msg/s", lambda p: p.rate, "{:14.1f}"), ("p50 ms", lambda p: p.pct(50), "{:14.0f}"),
                ("p95 ms", lambda p: p.pct(95), "{:14.0f}"), ("p99 ms", lambda p: p.pct(99), "{:14.0f}"))
        for label, get, fmt in rows:
            values = [get(r.phases[i]) for r in results]
            log(f"{f'{label} @{users}':18}" + "".join(fmt.format(v) for v in values)
                + "".join(f"{ratio(values[0], v):20.2f}" for v in values[1:]))
        log(f"{f'fouten @{users}':18}" + "".join(f"{r.phases[i].errors:14d}" for r in results))
    log("")
    log("Geheugen van al onze processen (MiB): "
        + ", ".join(f"{name} {mib:.0f}" for name, mib in sorted(ours.rss_mib.items())))


def chart(bots: List[dict], path: Path) -> None:
    """Latency and throughput against users, from the JSON summaries (so a chart can be redrawn from
    bench/out/bench.json without measuring again: `python bench/run_bench.py --chart-only`)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    levels = sorted({p["users"] for bot in bots for p in bot["phases"]})
    for index, bot in enumerate(bots):
        colour = f"C{index}"  # one colour per bot: p50 solid, p95 dashed
        users = [p["users"] for p in bot["phases"]]
        left.plot(users, [p["p50_ms"] for p in bot["phases"]], marker="o", color=colour, label=f"{bot['name']} p50")
        left.plot(users, [p["p95_ms"] for p in bot["phases"]], marker="o", linestyle="--", color=colour,
                  label=f"{bot['name']} p95")
        right.plot(users, [p["msg_per_s"] for p in bot["phases"]], marker="o", color=colour, label=bot["name"])
    left.set(xlabel="gelijktijdige gebruikers", ylabel="latentie per bericht (ms)", xscale="log", yscale="log",
             title="Latentie")
    right.set(xlabel="gelijktijdige gebruikers", ylabel="berichten per seconde", xscale="log", title="Doorvoer")
    for axis in (left, right):
        axis.set_xticks(levels)
        axis.set_xticklabels([str(u) for u in levels])
        axis.legend(fontsize=7)
        axis.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SCALE_USERS = (10, 20)
PG_ADMIN_URL = os.environ.get("GP_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("GP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


@contextmanager
def throwaway_pg(names: List[str]) -> Iterator[List[str]]:
    """Fresh PostgreSQL databases for one run, dropped afterwards (also when the run fails)."""
    import psycopg2

    created = [f"gp_bench_{name}_{uuid.uuid4().hex[:8]}" for name in names]
    admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            for name in created:
                cur.execute(f'CREATE DATABASE "{name}"')
        yield [PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}" for name in created]
    finally:
        with admin.cursor() as cur:
            for name in created:
                cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def prepare_pg(leads_url: str, tracker_url: str, events_url: str) -> None:
    """Tables made once, before several servers start at the same moment and race to make them."""
    from bot.store.db import get_engine

    get_engine(leads_url).dispose()
    subprocess.run([sys.executable, "-c",
                    "import sys, sqlalchemy as sa\n"
                    "from rasa.core.tracker_store import SQLTrackerStore\n"
                    "from rasa.core.brokers.sql import SQLEventBroker\n"
                    "SQLTrackerStore.Base.metadata.create_all(sa.create_engine(sys.argv[1]))\n"
                    "SQLEventBroker.Base.metadata.create_all(sa.create_engine(sys.argv[2]))\n",
                    tracker_url, events_url], env=rasa_env(), check=True, stdout=subprocess.DEVNULL)


def scale_instances(count: int, var_dir: Path, urls: Dict[str, str], model: Path) -> Tuple[List[Service], List[str]]:
    """``count`` Rasa servers, each with its own action server, on one PostgreSQL (tracker, leads,
    events) and one Redis lock store: the set-up of README "Opschalen", without web app and worker."""
    base = load_settings()
    services: List[Service] = []
    rasa_urls: List[str] = []
    for n in range(count):
        rasa_port, action_port = free_port(), free_port()
        settings = replace(base, var_dir=var_dir / f"instance-{n + 1}", database_url=urls["leads"],
                           tracker_store_url=urls["tracker"], events_url=urls["events"], event_broker="sql",
                           redis_url=REDIS_URL, rasa_port=rasa_port, action_port=action_port,
                           web_port=free_port(), rasa_url=f"http://127.0.0.1:{rasa_port}",
                           action_url=f"http://127.0.0.1:{action_port}/webhook", telegram_token="")
        for service in build_services(settings, model):
            if service.name in ("actieserver", "rasa"):
                service.name = f"{service.name}-{n + 1}"
                services.append(service)
        rasa_urls.append(f"{settings.rasa_url}/webhooks/rest/webhook")
    return services, rasa_urls


def run_scale(log: Callable[[str], None]) -> dict:
    """Our intake on 1 and then 2 Rasa instances (each with its own action server), sticky by sender,
    same load levels; prints msg/s and p95 for each."""
    model = ensure_model(load_settings().models_dir, ROOT / "var" / "logs", out=log)
    results = []
    with tempfile.TemporaryDirectory(prefix="gp-scale-") as tmp:
        for count in (1, 2):
            with throwaway_pg(["tracker", "leads", "events"]) as (tracker, leads, events):
                prepare_pg(leads, tracker, events)
                services, urls = scale_instances(count, Path(tmp) / f"n{count}",
                                                 {"tracker": tracker, "leads": leads, "events": events}, model)
                try:
                    started = time.monotonic()
                    for service in services:
                        service.start()
                    for service in services:
                        wait_until_ready(service, deadline_s=900)
                    log(f"  {count} instantie(s): klaar in {time.monotonic() - started:.1f} s")
                    with httpx.Client() as client:
                        for url in urls:
                            post(client, url, f"warmup-scale-{time.time_ns()}", OUR_CONVERSATION[0])
                    phases = []
                    for users in SCALE_USERS:
                        load = os.getloadavg()[0]
                        phase = run_phase(urls, OUR_CONVERSATION, users, f"scale{count}")
                        log(f"  {count} instantie(s), {users:>2} gebruikers: {phase.rate:6.1f} msg/s  "
                            f"p50 {phase.pct(50):6.0f} ms  p95 {phase.pct(95):6.0f} ms  fouten {phase.errors}  "
                            f"(belasting vooraf {load:.2f})")
                        phases.append(dict(phase.summary(), load_before=round(load, 2)))
                    rss = {s.name: round(tree_rss_mib(s.process.pid), 1) for s in services if s.process}
                finally:
                    stop_all(services)
            results.append({"instances": count, "phases": phases, "rss_mib": rss})
    log("")
    log(f"{'':24}" + "".join(f"{f'{u} gebruikers':>24}" for u in SCALE_USERS))
    for result in results:
        log(f"{str(result['instances']) + ' instantie(s)':24}" + "".join(
            f"{p['msg_per_s']:8.1f} msg/s p95 {p['p95_ms']:5.0f}" for p in result["phases"]))
    one, two = results
    log("  verhouding 2/1 (msg/s): " + ", ".join(
        f"{b['users']} gebruikers {ratio(b['msg_per_s'], a['msg_per_s']):.2f}x"
        for a, b in zip(one["phases"], two["phases"])))
    report = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": {"cpus": os.cpu_count(), "load_after": os.getloadavg()},
              "phase_seconds": PHASE_SECONDS, "setup": "PostgreSQL tracker+leads+events, Redis lock store, "
              "one action server per Rasa instance, sticky by crc32(sender)", "results": results}
    (OUT / "scale.json").write_text(json.dumps(report, indent=2))
    log(f"\nGeschreven: {OUT / 'scale.json'}")
    return report


def main(argv: Optional[List[str]] = None) -> int:
    global PHASE_SECONDS, USER_LEVELS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-seconds", type=int, default=PHASE_SECONDS)
    parser.add_argument("--users", default=",".join(str(u) for u in USER_LEVELS),
                        help="gebruikersniveaus, bijvoorbeeld 1,10,50")
    parser.add_argument("--scale", action="store_true",
                        help="onze bot op 1 en 2 Rasa-instanties (PostgreSQL, Redis, sticky per gesprek)")
    parser.add_argument("--chart-only", action="store_true",
                        help="alleen de grafiek opnieuw tekenen uit bench/out/bench.json")
    args = parser.parse_args(argv)
    if args.chart_only:
        chart(json.loads((OUT / "bench.json").read_text())["bots"], OUT / "latency.png")
        print(f"Geschreven: {OUT / 'latency.png'}")
        return 0
    PHASE_SECONDS = args.phase_seconds
    USER_LEVELS = tuple(int(u) for u in args.users.split(","))
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    OUT.mkdir(parents=True, exist_ok=True)
    if args.scale:
        global SCALE_USERS
        if args.users != parser.get_default("users"):
            SCALE_USERS = USER_LEVELS
        log(f"==> Opschalen meten (belasting vooraf {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)")
        run_scale(log)
        return 0
    load_before = os.getloadavg()
    log(f"==> Belasting van de machine vooraf: {load_before[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="gp-bench-") as tmp:
        tmp_dir = Path(tmp)
        log("==> Modellen klaarzetten")
        model = ensure_model(load_settings().models_dir, ROOT / "var" / "logs", out=log)
        project, stock_training = stock_project(log)
        log("==> Onze bot meten (volledige intake, alle processen van `make run`)")
        ours = measure("ons", our_bot(tmp_dir / "ours"), OUR_CONVERSATION, log, mail_dir=tmp_dir / "ours" / "mail")
        log("==> Stock `rasa init` bot meten, zoals geleverd (tracker in het geheugen)")
        shipped = measure("stock", stock_bot(project, tmp_dir / "stock", sqlite=False), STOCK_CONVERSATION, log)
        log("==> Stock bot op SQLite (zelfde soort tracker store als wij)")
        on_sqlite = measure("stock-sqlite", stock_bot(project, tmp_dir / "stock-sqlite", sqlite=True),
                            STOCK_CONVERSATION, log)
    results = [ours, shipped, on_sqlite]
    print_table(results, log)
    training = our_training_seconds(model)
    log(f"Trainen: ons {training['seconds']:.0f} s (belasting toen {training['load_average'][0]:.1f})"
        if training else "Trainen: ons onbekend (model niet in deze versie getraind; `make clean` en opnieuw)")
    log(f"         stock {stock_training:.0f} s")
    at10 = USER_LEVELS.index(10) if 10 in USER_LEVELS else len(USER_LEVELS) - 1
    log("")
    log("Doelen bij 10 gebruikers: msg/s >= 1.0x stock, p95 <= 1.0x stock; klaar <= 20 s; <= 1.0 GiB per "
        "Rasa-proces; trainen <= 3 min")
    log(f"  msg/s ons/stock-sqlite {ratio(ours.phases[at10].rate, on_sqlite.phases[at10].rate):.2f}   "
        f"p95 ons/stock-sqlite {ratio(ours.phases[at10].pct(95), on_sqlite.phases[at10].pct(95)):.2f}   "
        f"klaar {ours.ready_s:.1f} s   RSS rasa {ours.rss_mib.get('rasa', float('nan')) / 1024:.2f} GiB")
    load_after = os.getloadavg()
    report = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "phase_seconds": PHASE_SECONDS, "conversations_per_user": CONVERSATIONS_PER_USER,
        "conversations": {"ons": OUR_CONVERSATION, "stock": STOCK_CONVERSATION},
        "training_seconds": {"ons": training, "stock": stock_training},
        "bots": [{"name": r.name, "ready_s": round(r.ready_s, 2), "rss_mib": r.rss_mib,
                  "turns_per_conversation": r.turns_per_conversation, "handoff_mail": r.handoff_mail,
                  "phases": [p.summary() for p in r.phases]} for r in results],
    }
    (OUT / "bench.json").write_text(json.dumps(report, indent=2))
    chart(report["bots"], OUT / "latency.png")
    log(f"\nGeschreven: {OUT / 'bench.json'} en {OUT / 'latency.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
