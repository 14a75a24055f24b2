"""Where the time of one intake turn goes (issue 14): NLU (per component, the RegexFeaturizer with the
2,458 place names among them), policy prediction, every action-server round trip with its payload
size, and the tracker store's loads and saves (with the event broker's writes inside the save).

Runs the real Rasa agent in this process, against the real action server (started here, on a free
loopback port) and SQLite files in a temporary folder, set up the way `make run` sets them up
(bot/ops/endpoints.py). It walks the benchmark's intake conversation (bench/run_bench.py) several times
on fresh senders, one message at a time, and times each part by wrapping Rasa's own functions, so the
parts add up to the turn as Rasa runs it. No load: this answers "what does one turn cost", the
benchmark answers "how many turns per second".

    .venv/bin/python bench/profile_turn.py [--conversations 5] [--cprofile bench/out/turn.prof]

Writes bench/out/profile.json and prints a table. A benchmark tool, never part of `make test`.
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import cProfile
import json
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.ops.config import load_settings  # noqa: E402
from bot.ops.endpoints import write_endpoints  # noqa: E402
from bot.ops.launcher import build_services, free_port, stop_all, wait_until_ready  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402
from run_bench import OUR_CONVERSATION  # noqa: E402

OUT = ROOT / "bench" / "out"

# The turn being measured: {part: seconds}, plus round trips as (action, ms, bytes out, bytes in).
_turn: contextvars.ContextVar[Optional[Dict[str, Any]]] = contextvars.ContextVar("turn", default=None)
_phase: contextvars.ContextVar[str] = contextvars.ContextVar("phase", default="other")


def _add(part: str, seconds: float) -> None:
    turn = _turn.get()
    if turn is not None:
        turn["parts"][part] = turn["parts"].get(part, 0.0) + seconds


def _wrap_async(cls, name: str, part: str, phase: Optional[str] = None) -> None:
    original = getattr(cls, name)

    async def timed(self, *args, **kwargs):
        token = _phase.set(phase) if phase else None
        started = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            _add(part, time.perf_counter() - started)
            if token is not None:
                _phase.reset(token)

    setattr(cls, name, timed)


def _wrap_sync(cls, name: str, part: str, phase: Optional[str] = None) -> None:
    original = getattr(cls, name)

    def timed(self, *args, **kwargs):
        token = _phase.set(phase) if phase else None
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _add(part, time.perf_counter() - started)
            if token is not None:
                _phase.reset(token)

    setattr(cls, name, timed)


def instrument() -> None:
    """Wraps the Rasa functions whose time we want, before the agent is loaded."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    _wrap_async(MessageProcessor, "parse_message", "nlu", phase="nlu")
    _wrap_sync(MessageProcessor, "_predict_next_with_tracker", "policy", phase="policy")
    _wrap_async(MessageProcessor, "save_tracker", "tracker save (incl. broker)")
    _wrap_async(SQLTrackerStore, "_retrieve", "tracker load")
    _wrap_async(TrackerStore, "stream_events", "broker (incl. its tracker load)")
    _wrap_sync(SQLEventBroker, "publish", "broker publish (1 commit per event)")

    node_call = GraphNode.__call__

    def node_timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return node_call(self, *args, **kwargs)
        finally:
            _add(f"{_phase.get()}: {self._node_name}", time.perf_counter() - started)

    GraphNode.__call__ = node_timed

    remote_run = RemoteAction.run

    async def remote_timed(self, output_channel, nlg, tracker, domain):
        started = time.perf_counter()
        token = _phase.set(f"action:{self.name()}")
        try:
            return await remote_run(self, output_channel, nlg, tracker, domain)
        finally:
            _phase.reset(token)
            seconds = time.perf_counter() - started
            _add("action server round trips", seconds)
            turn = _turn.get()
            if turn is not None:
                turn["calls"].append({"action": self.name(), "ms": round(seconds * 1000, 1)})

    RemoteAction.run = remote_timed

    request = EndpointConfig.request

    async def request_sized(self, *args, **kwargs):
        response = await request(self, *args, **kwargs)
        turn = _turn.get()
        if turn is not None and turn["calls"] is not None and "json" in kwargs:
            turn["payloads"].append({"action": _phase.get().split(":", 1)[-1],
                                     "bytes_out": len(json.dumps(kwargs["json"])),
                                     "bytes_in": len(json.dumps(response)) if response is not None else 0,
                                     "events_sent": len((kwargs["json"].get("tracker") or {}).get("events") or [])})
        return response

    EndpointConfig.request = request_sized


async def run_conversations(model: Path, endpoints: Path, conversations: int,
                            profiler: Optional[cProfile.Profile]) -> List[Dict[str, Any]]:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # the log level of `rasa run` (INFO): Rasa's debug logging copies and prints whole trackers
    configure_logging_and_warnings(logging.INFO, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)

    started = time.perf_counter()
    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    print(f"    model geladen in {time.perf_counter() - started:.1f} s", flush=True)

    async def say(sender: str, text: str) -> Dict[str, Any]:
        turn = {"text": text, "parts": {}, "calls": [], "payloads": []}
        token = _turn.set(turn)
        started = time.perf_counter()
        try:
            channel = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, channel, sender, input_channel="rest",
                                                   metadata={"region": "zeeland"}))
        finally:
            turn["total"] = time.perf_counter() - started
            _turn.reset(token)
        turn["answer"] = " | ".join((m.get("text") or "")[:40] for m in channel.messages)
        return turn

    for text in OUR_CONVERSATION:  # warm-up: first calls compile TensorFlow graphs and fill caches
        await say(f"profile-warmup-{time.time_ns()}", text)
    turns: List[Dict[str, Any]] = []
    if profiler is not None:
        profiler.enable()
    for n in range(conversations):
        sender = f"profile-{n}-{time.time_ns()}"
        for index, text in enumerate(OUR_CONVERSATION):
            turn = await say(sender, text)
            turn["index"] = index
            turns.append(turn)
    if profiler is not None:
        profiler.disable()
    return turns


def summarise(turns: List[Dict[str, Any]]) -> Dict[str, Any]:
    per_part: Dict[str, List[float]] = defaultdict(list)
    for turn in turns:
        for part, seconds in turn["parts"].items():
            per_part[part].append(seconds)
    count = len(turns)
    parts = {part: {"ms_per_turn": round(sum(values) / count * 1000, 2),
                    "share": round(sum(values) / sum(t["total"] for t in turns), 3)}
             for part, values in sorted(per_part.items(), key=lambda kv: -sum(kv[1]))}
    calls: Dict[str, Dict[str, List[float]]] = defaultdict(lambda: defaultdict(list))
    for turn in turns:
        for call in turn["calls"]:
            calls[call["action"]]["ms"].append(call["ms"])
        for payload in turn["payloads"]:
            for key in ("bytes_out", "bytes_in", "events_sent"):
                calls[payload["action"]][key].append(payload[key])
    round_trips = {name: {"calls_per_turn": round(len(v["ms"]) / count, 2),
                          "ms_mean": round(statistics.mean(v["ms"]), 1),
                          "bytes_out_mean": round(statistics.mean(v["bytes_out"])) if v["bytes_out"] else 0,
                          "bytes_out_max": max(v["bytes_out"]) if v["bytes_out"] else 0,
                          "bytes_in_mean": round(statistics.mean(v["bytes_in"])) if v["bytes_in"] else 0,
                          "events_sent_max": max(v["events_sent"]) if v["events_sent"] else 0}
                   for name, v in sorted(calls.items(), key=lambda kv: -sum(kv[1]["ms"]))}
    by_index: Dict[int, List[Dict[str, Any]]] = defaultdict(list)
    for turn in turns:
        by_index[turn["index"]].append(turn)
    per_turn = [{"turn": i + 1, "text": group[0]["text"], "answer": group[0]["answer"],
                 "ms": round(statistics.median(t["total"] for t in group) * 1000, 1),
                 "round_trips": round(statistics.mean(len(t["calls"]) for t in group), 1),
                 "nlu_ms": round(statistics.median(t["parts"].get("nlu", 0) for t in group) * 1000, 1),
                 "policy_ms": round(statistics.median(t["parts"].get("policy", 0) for t in group) * 1000, 1),
                 "actions_ms": round(statistics.median(t["parts"].get("action server round trips", 0)
                                                       for t in group) * 1000, 1),
                 "store_ms": round(statistics.median(t["parts"].get("tracker load", 0)
                                                     + t["parts"].get("tracker save (incl. broker)", 0)
                                                     for t in group) * 1000, 1)}
                for i, group in sorted(by_index.items())]
    totals = [t["total"] for t in turns]
    return {"turns": count, "turn_ms_mean": round(statistics.mean(totals) * 1000, 1),
            "turn_ms_p50": round(statistics.median(totals) * 1000, 1),
            "round_trips_per_turn": round(sum(len(t["calls"]) for t in turns) / count, 2),
            "parts": parts, "round_trips": round_trips, "per_turn": per_turn}


def print_summary(summary: Dict[str, Any]) -> None:
    print(f"\nPer beurt (gemiddeld over {summary['turns']} beurten): {summary['turn_ms_mean']:.0f} ms "
          f"(mediaan {summary['turn_ms_p50']:.0f} ms), {summary['round_trips_per_turn']:.2f} actieserver-aanroepen")
    print(f"\n{'onderdeel':58}{'ms/beurt':>10}{'aandeel':>9}")
    for part, row in summary["parts"].items():
        print(f"{part[:58]:58}{row['ms_per_turn']:10.1f}{row['share'] * 100:8.1f}%")
    print(f"\n{'actie':34}{'per beurt':>10}{'ms':>8}{'bytes heen':>12}{'max':>9}{'terug':>8}{'events':>8}")
    for name, row in summary["round_trips"].items():
        print(f"{name[:34]:34}{row['calls_per_turn']:10.2f}{row['ms_mean']:8.1f}{row['bytes_out_mean']:12d}"
              f"{row['bytes_out_max']:9d}{row['bytes_in_mean']:8d}{row['events_sent_max']:8d}")
    print(f"\n{'#':>3} {'bericht':24}{'ms':>8}{'nlu':>7}{'policy':>8}{'acties':>8}{'store':>7}{'calls':>6}")
    for row in summary["per_turn"]:
        print(f"{row['turn']:3d} {row['text'][:24]:24}{row['ms']:8.0f}{row['nlu_ms']:7.0f}{row['policy_ms']:8.0f}"
              f"{row['actions_ms']:8.0f}{row['store_ms']:7.0f}{row['round_trips']:6.1f}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=5)
    parser.add_argument("--cprofile", type=Path, help="schrijf ook een cProfile-bestand (pstats)")
    parser.add_argument("--model", type=Path, help="standaard: het model van de huidige trainingsdata")
    args = parser.parse_args(argv)
    base = load_settings()
    model = args.model or ensure_model(base.models_dir, ROOT / "var" / "logs")
    OUT.mkdir(parents=True, exist_ok=True)
    instrument()
    with tempfile.TemporaryDirectory(prefix="gp-profile-") as tmp:
        var = Path(tmp)
        action_port = free_port()
        settings = replace(base, var_dir=var, database_url=f"sqlite:///{var / 'leads.db'}",
                           tracker_store_url=f"sqlite:///{var / 'tracker.db'}",
                           events_url=f"sqlite:///{var / 'events.db'}", action_port=action_port,
                           action_url=f"http://127.0.0.1:{action_port}/webhook", rasa_port=free_port(),
                           web_port=free_port(), telegram_token="")
        services = [s for s in build_services(settings, model) if s.name == "actieserver"]
        endpoints = write_endpoints(settings, var / "endpoints-profile.yml")
        load = os.getloadavg()
        try:
            for service in services:
                service.start()
                wait_until_ready(service, deadline_s=600)
            profiler = cProfile.Profile() if args.cprofile else None
            turns = asyncio.run(run_conversations(model, endpoints, args.conversations, profiler))
            endpoints_text = endpoints.read_text()
        finally:
            stop_all(services)
    summary = summarise(turns)
    summary.update(model=model.name, load_average_before=load, load_average_after=os.getloadavg(),
                   endpoints=endpoints_text,
                   measured_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    print_summary(summary)
    print(f"\nBelasting van de machine: {load[0]:.2f} vooraf, {os.getloadavg()[0]:.2f} na afloop "
          f"(1 min), {os.cpu_count()} cores")
    (OUT / "profile.json").write_text(json.dumps(summary, indent=2))
    print(f"Geschreven: {OUT / 'profile.json'}")
    if profiler is not None:
        profiler.dump_stats(str(args.cprofile))
        pstats.Stats(str(args.cprofile)).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
