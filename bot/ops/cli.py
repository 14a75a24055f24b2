"""``python -m bot …``: the commands behind the README (run, train, web, leads export)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import List, Optional

from bot.analytics.consume import run_once as count_funnel, source_for
from bot.analytics import initiatives as initiatives_report
from bot.analytics.report import csv_export, find_region, text_report
from bot.handoff.clock import SystemClock
from bot.handoff.settings import load_handoff_settings
from bot.handoff.worker import Worker, requeue_dead
from bot.ops.config import PROJECT_ROOT, identity_secret, load_settings
from bot.ops.logging_setup import configure_logging
from bot.ops.launcher import build_services, local_address, start_all, stop_all
from bot.ops.migrate_senders import migrate_senders
from bot.ops.training import ensure_model
from bot.store.db import get_engine, session_factory
from bot.store.erasure import purge_interval_minutes
from bot.store.retention import purge
from bot.store.leads import export_leads


def cmd_leads_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    json.dump(export_leads(settings.database_url), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_leads_purge(args: argparse.Namespace) -> int:
    """The worker's purge (bot.store.retention), now: conversations that ended without a lead are
    deleted at once, quiet ones after GP_TRACKER_INACTIVITY_HOURS, leads after --months (default
    GP_LEAD_RETENTION_MONTHS), pending erasures are swept. Prints counts, never contents."""
    settings = load_settings()
    get_engine(settings.database_url)
    _count_before_purge(settings)
    report = purge(settings.database_url, settings.tracker_store_url, months=args.months, at_once=True)
    print(report)
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    """Regional packs, references, sources, links, dates and B1 (bot.content.check); 1 on errors."""
    from bot.content.check import Sources, render, run_check
    report = run_check(Sources(packs_dir=args.packs))
    print(render(report, quiet_warnings=args.quiet))
    return 1 if report.errors else 0


def cmd_content_fetch(args: argparse.Namespace) -> int:
    """Fetches the packs' iCalendar feeds into the cache the bot reads (bot.content.events)."""
    from bot.content.events import default_cache_dir, fetch_feeds
    from bot.content.packs import load_packs
    for line in fetch_feeds(load_packs(), default_cache_dir()):
        print(line)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    settings = load_settings()
    progress = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731 - stdout is the path only
    try:
        model = ensure_model(settings.models_dir, settings.var_dir / "logs", out=progress)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(model)
    return 0


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _model_for(args: argparse.Namespace):
    """The model named by --model, or the current one (trained first when stale)."""
    from pathlib import Path

    if args.model:
        return Path(args.model)
    settings = load_settings()
    return ensure_model(settings.models_dir, settings.var_dir / "logs", out=_progress)


def cmd_nlu_report(args: argparse.Namespace) -> int:
    """Scores, confusion matrix and (development set only) most-confused messages (issues 13, 21)."""
    from pathlib import Path

    from bot.ops.nlu_report import OUT_DIR, SETS, build_report

    try:
        model = _model_for(args)
        test_dir, label = SETS[args.set]
        out = Path(args.out) if args.out else (OUT_DIR if args.set == "test" else OUT_DIR.with_name(f"nlu_report_{args.set}"))
        build_report(model, out, test_dir=test_dir, progress=_progress, label=label)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    """The action server behind the shared token (bot/ops/action_server.py); `make run` starts it."""
    from bot.ops.action_server import serve

    serve(args.port, actions_package=args.actions)
    return 0


def cmd_nlu_gate(args: argparse.Namespace) -> int:
    """The NLU gate on the test set: counts and scores only (issue 21)."""
    from bot.ops.nlu_gate import run_gate

    try:
        model = _model_for(args)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0 if run_gate(model, out=lambda line: print(line, flush=True)) else 1


def cmd_web(args: argparse.Namespace) -> int:
    # Local on purpose (also in cmd_telegram): each channel's server stack (aiohttp's web server,
    # python-telegram-bot) is needed by that one command only, not by leads export or the worker.
    from bot.channels.webapp import serve

    serve()
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    from bot.channels.telegram_bridge import run

    return run()


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        model = ensure_model(settings.models_dir, settings.var_dir / "logs")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    get_engine(settings.database_url)  # create/upgrade the lead store before any action needs it
    services = build_services(settings, model)
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    # Started in the background by a non-interactive shell, a process inherits SIGINT as ignored and
    # Python then never raises KeyboardInterrupt: Ctrl-C (or a test's SIGINT) must always stop us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        start_all(services)
        print()
        print(f"De Gouden Poort draait. Open de chat:  http://{local_address(settings.public_host)}:{settings.web_port}/")
        print(f"  Publiek (alleen de webapp):         {settings.public_host}:{settings.web_port}")
        print(f"  Rasa (alleen {settings.host}, geen HTTP-API): {settings.rasa_url}")
        print(f"  Actieserver (alleen {settings.host}):   http://{settings.host}:{settings.action_port}")
        print(f"  Logs:                               {settings.var_dir / 'logs'}")
        if any(service.name == "mailbox" for service in services):
            print(f"  Overdracht-e-mails (lokaal):        {settings.var_dir / 'mail'}  (zet GP_SMTP_HOST voor echte mail)")
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


def cmd_migrate_senders(args: argparse.Namespace) -> int:
    """Once after upgrading: old ``tg-<chat id>`` conversations and leads get their derived sender id."""
    settings = load_settings()
    report = migrate_senders(settings.database_url, settings.tracker_store_url, identity_secret(settings))
    print(f"{report.conversations} Telegram-gesprek(ken) omgezet ({report.tracker_events} events), "
          f"{report.leads} aanvraag/aanvragen, {report.consent_records} toestemming(en), "
          f"{report.pending_erasures} wachtende wissing(en)")
    return 0


def _purge_interval_s() -> float:
    return purge_interval_minutes() * 60.0


def _count_before_purge(settings) -> None:
    """The purge deletes the broker's raw events of the conversations it removes (issue 25); the
    funnel counts what is there first, so a conversation that ended is still counted."""
    source = source_for(settings)
    if source is None:
        return
    try:
        count_funnel(settings.database_url, source)
    except Exception:  # the purge runs all the same: privacy before counts
        logging.getLogger(__name__).exception("funnel counting before the purge failed")


def _scheduled_purge():
    """The purge as the worker runs it: ended conversations after their settle time, and with the
    interval as look-ahead so the inactivity period holds to the minute (bot.store.retention)."""
    settings = load_settings()
    lookahead = timedelta(seconds=_purge_interval_s())

    def run():
        _count_before_purge(settings)
        return purge(settings.database_url, settings.tracker_store_url, lookahead=lookahead)
    return run


def cmd_worker(args: argparse.Namespace) -> int:
    """Hand-off delivery + follow-up worker (bot/handoff/worker.py); SIGTERM stops it cleanly."""
    settings = load_handoff_settings()
    factory = session_factory(settings.database_url)
    if args.requeue_dead:
        print(f"{requeue_dead(factory, SystemClock().now())} dead letter(s) requeued")
        return 0
    app = load_settings()
    source = source_for(app)
    funnel = (lambda: count_funnel(settings.database_url, source, promise_workdays=settings.promise_workdays)
              ) if source is not None else None
    worker = Worker(factory, settings, purge=_scheduled_purge(), purge_interval=_purge_interval_s(),
                    analytics=funnel, analytics_interval=app.analytics_interval_seconds)
    if args.once:
        print(f"{worker.run_once(args.batch)} item(s) handled")
        return 0
    signal.signal(signal.SIGTERM, lambda signum, frame: worker.stop())
    signal.signal(signal.SIGINT, lambda signum, frame: worker.stop())
    worker.run_forever(args.batch)
    return 0


def cmd_initiatives_report(args: argparse.Namespace) -> int:
    """Issue 28: the quarterly overview of the initiatives for the steering group, as Markdown and CSV
    (counts under 5 as "< 5", complementary suppression, the regions' own lessons)."""
    initiatives = initiatives_report
    if not initiatives.valid_quarter(args.kwartaal):
        print(f"Kwartaal '{args.kwartaal}' klopt niet. Schrijf het zo: 2026-Q4.", file=sys.stderr)
        return 2
    settings = load_settings()
    get_engine(settings.database_url)
    view = initiatives.overview(settings.database_url, args.kwartaal, args.soort, args.doelgroep)
    out = Path(args.uit) if args.uit else PROJECT_ROOT / "results" / "initiatieven"
    out.mkdir(parents=True, exist_ok=True)
    markdown, table = out / f"initiatieven-{args.kwartaal}.md", out / f"initiatieven-{args.kwartaal}.csv"
    markdown.write_text(initiatives.markdown(view) + "\n", encoding="utf-8")
    table.write_text(initiatives.csv_text(view), encoding="utf-8")
    print(f"{len(view.rows)} initiatieven, kwartaal {args.kwartaal}:\n  {markdown}\n  {table}")
    return 0


def cmd_funnel(args: argparse.Namespace) -> int:
    """The funnel in Dutch (or as CSV), counts under 5 shown as "< 5"."""
    settings = load_settings()
    get_engine(settings.database_url)
    region = None
    if args.regio:
        region = find_region(settings.database_url, args.regio)
        if region is None:
            print(f"Regio '{args.regio}' ken ik niet. Gebruik de naam of de code (bijvoorbeeld Zeeland of AM24).",
                  file=sys.stderr)
            return 2
    if args.bijwerken:
        count_funnel(settings.database_url, source_for(settings))
    print(csv_export(settings.database_url, args.week, region) if args.csv
          else text_report(settings.database_url, args.week, region), end="\n" if not args.csv else "")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="De Gouden Poort intake-assistent")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="train als het nodig is en start alles").set_defaults(func=cmd_run)
    sub.add_parser("train", help="train het model als domein/config/data veranderd zijn").set_defaults(func=cmd_train)
    sub.add_parser("web", help="start alleen de webapp").set_defaults(func=cmd_web)
    actions = sub.add_parser("actions", help="start alleen de actieserver (weigert aanroepen zonder GP_ACTION_TOKEN)")
    actions.add_argument("--port", type=int, default=5055)
    actions.add_argument("--actions", default="actions", help="package met de acties")
    actions.set_defaults(func=cmd_actions)
    worker = sub.add_parser("worker", help="bezorgt overdrachten aan adviseurs en doet de opvolging")
    worker.add_argument("--once", action="store_true", help="één ronde en stoppen")
    worker.add_argument("--batch", type=int, default=20, help="berichten per ronde")
    worker.add_argument("--requeue-dead", action="store_true", help="dead letters opnieuw in de wachtrij")
    worker.set_defaults(func=cmd_worker)
    sub.add_parser("migrate-senders", help="eenmalig: oude Telegram-afzender-id's omzetten (tg-<chat> → afgeleid)"
                   ).set_defaults(func=cmd_migrate_senders)
    sub.add_parser("telegram", help="start de Telegram-koppeling (TELEGRAM_BOT_TOKEN nodig)").set_defaults(func=cmd_telegram)
    funnel = sub.add_parser("funnel", help="de trechter per week en regio (aantallen onder 5 als '< 5')")
    funnel.add_argument("--week", help="ISO-week, bijvoorbeeld 2026-W49 (standaard: alle weken)")
    funnel.add_argument("--regio", help="naam of code van de arbeidsmarktregio (standaard: alle)")
    funnel.add_argument("--csv", action="store_true", help="als CSV, zoals de export in de werkplek")
    funnel.add_argument("--bijwerken", action="store_true",
                        help="eerst nieuwe events tellen (alleen als de bezorger niet draait)")
    funnel.set_defaults(func=cmd_funnel)
    initiatives = sub.add_parser("initiatieven", help="initiatieven van de regio's (issue 28)").add_subparsers(
        dest="initiatives_command", required=True)
    overview = initiatives.add_parser("rapport", help="kwartaaloverzicht voor de stuurgroep (Markdown en CSV)")
    overview.add_argument("--kwartaal", required=True, help="bijvoorbeeld 2026-Q4")
    overview.add_argument("--soort", default=None, help="alleen deze soort (bijvoorbeeld beroepentuin)")
    overview.add_argument("--doelgroep", default=None, help="alleen deze doelgroep (bijvoorbeeld vmbo)")
    overview.add_argument("--uit", default=None, help="map (standaard results/initiatieven)")
    overview.set_defaults(func=cmd_initiatives_report)
    nlu = sub.add_parser("nlu", help="taalbegrip meten").add_subparsers(dest="nlu_command", required=True)
    report = nlu.add_parser("report", help="scores op de testset, verwarringsmatrix en de meest verwarde zinnen")
    report.add_argument("--model", default=None, help="model (standaard: het huidige, getraind als het nodig is)")
    report.add_argument("--set", choices=("test", "dev"), default="test",
                        help="test: de eerlijke score (nooit op afstemmen); dev: de ontwikkelset, om gaten te vinden")
    report.add_argument("--out", default=None, help="map (standaard results/nlu_report, bij --set dev results/nlu_report_dev)")
    report.set_defaults(func=cmd_nlu_report)
    gate = nlu.add_parser("gate", help="de NLU-poort: scores op de testset tegen de minima (geen berichten)")
    gate.add_argument("--model", default=None, help="model (standaard: het huidige, getraind als het nodig is)")
    gate.set_defaults(func=cmd_nlu_gate)
    leads = sub.add_parser("leads", help="leads bekijken").add_subparsers(dest="leads_command", required=True)
    leads.add_parser("export", help="alle leads als JSON-array").set_defaults(func=cmd_leads_export)
    purge = leads.add_parser("purge", help="bewaartermijnen nu toepassen: gesprekken zonder aanvraag en oude leads wissen")
    purge.add_argument("--months", type=int, default=None, help="bewaartermijn in maanden")
    purge.set_defaults(func=cmd_leads_purge)
    content = sub.add_parser("content", help="inhoud van de regio's").add_subparsers(dest="content_command", required=True)
    check = content.add_parser("check", help="controleer inhoudspakketten, verwijzingen, bronnen, links, data en B1")
    check.add_argument("--quiet", action="store_true", help="alleen fouten tonen, geen waarschuwingen")
    check.add_argument("--packs", type=Path, default=None, help="map met inhoudspakketten (standaard content/regios)")
    check.set_defaults(func=cmd_content_check)
    content.add_parser("fetch", help="haal de agenda's (iCalendar) van de regio's op in de cache").set_defaults(func=cmd_content_fetch)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    # Everything we create under var/ (databases, logs, mail, secrets) is for this user only; the
    # processes `make run` starts inherit the mask.
    os.umask(0o077)
    settings = load_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.var_dir.chmod(0o700)
    configure_logging(settings.log_level)
    return args.func(args)
