"""Screenshots of the counsellors' workspace at phone (360 px) and desk (1280 px) width, for a look.

Fills a throw-away SQLite lead store with a few leads (one late, one where the person said "nee"),
serves the workspace on loopback and lets Chromium take full-page PNGs into the given folder.

    .venv/bin/python scripts/workspace_screenshots.py var/screens
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bot.channels.webapp import STATIC_DIR  # noqa: E402
from bot.channels.workspace_web import SESSION_COOKIE, register_routes  # noqa: E402
from bot.ops.launcher import free_port  # noqa: E402
from bot.store.db import new_session  # noqa: E402
from bot.store.handoff_models import HandoffCase  # noqa: E402
from bot.store.leads import record_event  # noqa: E402
from bot.store.models import Lead, utcnow  # noqa: E402
from bot.workspace.actions import apply_action  # noqa: E402
from bench.workspace_pages import session_cookie  # noqa: E402
from tests.workspace_support import SANNE, new_lead, user, workspace_settings  # noqa: E402


def fill(ws):
    url = ws.database_url
    late = new_lead(url, ws, SANNE, first_name="Mila", contact=("phone", "+31623456789"))
    said_no = new_lead(url, ws, SANNE, first_name="Noah", channel="telegram")
    ids = [late, said_no] + [new_lead(url, ws, SANNE, first_name=n) for n in ("Lotte", "Daan", "Fatima")]
    with new_session(url) as session, session.begin():
        session.get(HandoffCase, late).promised_by = utcnow() - timedelta(days=1)
        lead = session.get(Lead, said_no)
        record_event(session, lead, "reply", "handoff:person", note="Antwoord op de vraag of er contact was: nee",
                     details={"answer": "nee"})
    apply_action(url, user(SANNE), ids[2], "appointment", {"date": "2026-12-03", "time": "14:30",
                                                           "place": "Middelburg"}, utcnow())
    apply_action(url, user(SANNE), late, "note", {"note": "Twee keer gebeld, voicemail ingesproken."}, utcnow())
    return late


def serve(ws, port: int, ready: threading.Event) -> None:
    app = web.Application()
    register_routes(app, ws)
    app.router.add_static("/static/", STATIC_DIR)

    async def run():
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace_settings(f"sqlite:///{tmp}/leads.db", Path(tmp))
        lead_id = fill(ws)
        cookie = session_cookie(ws, "sanne@techniektalent-zeeland.example.org")
        port, ready = free_port(), threading.Event()
        threading.Thread(target=serve, args=(ws, port, ready), daemon=True).start()
        ready.wait(10)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for width in (360, 1280):
                context = browser.new_context(viewport={"width": width, "height": 800}, locale="nl-NL")
                page = context.new_page()
                page.goto(base + "/adviseur")
                page.screenshot(path=str(out / f"signin-{width}.png"), full_page=True)
                context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": base}])
                page.goto(base + "/adviseur")
                page.screenshot(path=str(out / f"inbox-{width}.png"), full_page=True)
                page.goto(f"{base}/adviseur/lead/{lead_id}")
                page.get_by_text("Afspraak vastleggen").click()
                page.screenshot(path=str(out / f"lead-{width}.png"), full_page=True)
                page.goto(f"{base}/adviseur/lead/{lead_id}/bevestig?s=in_contact")
                page.screenshot(path=str(out / f"confirm-{width}.png"), full_page=True)
                context.close()
            browser.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/screens"))
