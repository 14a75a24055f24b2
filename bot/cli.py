"""``python -m bot …``: the commands behind the README (run, train, web, leads export)."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import List, Optional

from bot.config import load_settings


def cmd_leads_export(args: argparse.Namespace) -> int:
    from bot.leads import export_leads

    settings = load_settings()
    json.dump(export_leads(settings.database_url), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.training import ensure_model

    settings = load_settings()
    progress = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731 - stdout is the path only
    try:
        model = ensure_model(settings.models_dir, settings.var_dir / "logs", out=progress)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(model)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from bot.webapp import serve

    serve()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.db import get_engine
    from bot.launcher import build_services, start_all, stop_all
    from bot.training import ensure_model

    settings = load_settings()
    try:
        model = ensure_model(settings.models_dir, settings.var_dir / "logs")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    get_engine(settings.database_url)  # create/upgrade the lead store before any action needs it
    services = build_services(settings, model, os.environ.get("REDIS_URL", ""))
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        start_all(services)
        print()
        print(f"De Gouden Poort draait. Open de chat:  http://{settings.host}:{settings.web_port}/")
        print(f"  Rasa (REST, socket.io, API):        {settings.rasa_url}")
        print(f"  Actieserver:                        http://{settings.host}:{settings.action_port}")
        print(f"  Logs:                               {settings.var_dir / 'logs'}")
        print("Stoppen: Ctrl-C")
        while not stopping:
            for service in services:
                if not service.alive():
                    print(f"{service.name} is onverwacht gestopt; zie {service.log_path}. Alles wordt gestopt.",
                          file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        print("\nAlles stoppen…")
        stop_all(services)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="De Gouden Poort intake-assistent")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="train als het nodig is en start alles").set_defaults(func=cmd_run)
    sub.add_parser("train", help="train het model als domein/config/data veranderd zijn").set_defaults(func=cmd_train)
    sub.add_parser("web", help="start alleen de webapp").set_defaults(func=cmd_web)
    leads = sub.add_parser("leads", help="leads bekijken").add_subparsers(dest="leads_command", required=True)
    leads.add_parser("export", help="alle leads als JSON-array").set_defaults(func=cmd_leads_export)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
