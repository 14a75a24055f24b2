"""Routes of the counsellors' workspace (/adviseur) and of the one-click status links (/lead/…).

Only HTTP here: cookies, CSRF checks, status codes and templates (web/templates/workspace, Jinja2 with
autoescape). What happens lives in ``bot.workspace``. The synchronous database work runs in the
default executor, so the event loop that also serves the chat never waits on it.

CSRF: a signed-in user's forms carry the session's CSRF token. Forms before sign-in (asking for a
link, using a link, confirming a status link) use a double-submit token: a random value in a
SameSite=Strict, HttpOnly cookie that must equal the form's hidden field.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
import secrets
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Set
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.analytics import initiatives as initiatives_report
from bot.analytics import report as funnel_report
from bot.channels.limits import RateLimiter, address_group
from bot.channels.web_chat import client_address
from bot.analytics.funnel import iso_week
from bot.content.initiatives import name_of as initiative_name
from bot.content.packs import organisation_contact
from bot.handoff import links
from bot.handoff.clock import AMSTERDAM
from bot.handoff.workdays import MONTH_NAMES, dutch_date
from bot.ops.config import PROJECT_ROOT
from bot.store.statuses import OUTCOME_CHOICES
from bot.workspace import auth
from bot.workspace.actions import InvalidAction, apply_action, apply_link_status
from bot.handoff.render import contact_href, person_fields
from bot.workspace.inbox import STATUS_LABELS, NotAllowed, first_name_of, inbox, lead_page
from bot.workspace.settings import WorkspaceSettings
from bot.workspace.users import FUNNEL_ROLES, NATIONAL, all_users, colleagues

log = logging.getLogger(__name__)

TEMPLATES = PROJECT_ROOT / "web" / "templates" / "workspace"
SESSION_COOKIE = "gp_werkplek"
FORM_COOKIE = "gp_formulier"
WEEK = re.compile(r"^\d{4}-W\d{2}$")
# The trend over the period's weeks: these steps, one column each.
TREND_STEPS = ("started", "intake", "preview", "consent", "handoff")
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
# Asking for a sign-in link answers after this long for every address, registered or not; the
# database write for a registered one (10-40 ms) happens within it or after it, never in the answer time.
SIGN_IN_ANSWER_SECONDS = 0.25

# the confirmation the workspace and the mail's links share: status → (question, button)
CONFIRM = {
    "in_contact": ("Heb je contact gehad met deze jongere?", "Ja, contact gehad"),
    "appointment": ("Is er een afspraak gepland?", "Ja, afspraak gepland"),
    "no_contact": ("Kon je deze jongere niet bereiken?", "Klopt, geen contact gekregen"),
}


def _local(value: Optional[datetime]) -> str:
    if value is None:
        return "-"
    local = value.astimezone(AMSTERDAM)
    return f"{dutch_date(value)} {local:%H:%M}"


_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
_env.filters["when"] = _local
_env.filters["day"] = lambda value: dutch_date(value) if value else "-"
_env.filters["month"] = lambda value: f"{MONTH_NAMES[value.month - 1]} {value.year}" if value else "-"


def render(name: str, status: int = 200, **context: Any) -> web.Response:
    html = _env.get_template(name).render(outcomes=OUTCOME_CHOICES, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8", headers=NO_STORE)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


async def blocking(func: Callable, *args, **kwargs):
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(func, *args, **kwargs))


class WorkspaceRoutes:
    def __init__(self, settings: WorkspaceSettings, clock: Callable[[], datetime] = now_utc):
        self.settings = settings
        self.clock = clock
        self.limiter = RateLimiter()
        self._background: Set["asyncio.Task"] = set()

    # --- cookies and CSRF -------------------------------------------------------------------
    def _cookie(self, response: web.Response, name: str, value: str, max_age: Optional[int] = None) -> None:
        response.set_cookie(name, value, httponly=True, samesite="Strict", secure=self.settings.secure_cookie,
                            path="/", max_age=max_age)

    def form_token(self, request: web.Request) -> str:
        return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)

    def with_form_cookie(self, response: web.Response, token: str) -> web.Response:
        self._cookie(response, FORM_COOKIE, token)
        return response

    @staticmethod
    def form_ok(request: web.Request, form) -> bool:
        return auth.csrf_ok(request.cookies.get(FORM_COOKIE), form.get("csrf"))

    async def signed_in(self, request: web.Request) -> Optional[auth.SignedIn]:
        return await blocking(auth.current_user, self.settings, request.cookies.get(SESSION_COOKIE), self.clock())

    @staticmethod
    def refused(message: str = "Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens.") -> web.Response:
        return render("message.html", status=403, title="Niet gelukt", message=message, user=None)

    # --- sign-in ------------------------------------------------------------------------------
    async def home(self, request: web.Request) -> web.Response:
        who = await self.signed_in(request)
        if who is None:
            token = self.form_token(request)
            return self.with_form_cookie(render("sign_in.html", csrf=token, user=None), token)
        if who.user.role == NATIONAL:
            raise web.HTTPSeeOther("/adviseur/trechter")  # the national role sees counts, never leads
        show_closed = request.query.get("afgesloten") == "1"
        rows = await blocking(inbox, self.settings.database_url, who.user, self.clock(), show_closed)
        return render("inbox.html", user=who.user, csrf=who.csrf_token, rows=rows, show_closed=show_closed,
                      overdue=sum(1 for r in rows if r.overdue))

    async def ask_link(self, request: web.Request) -> web.Response:
        """The same page, after the same time, for every address: neither the text nor the moment of
        the answer may tell who is registered. The database work (only for a registered address, and
        only if no recent link of theirs is unused) runs in the background; the answer comes
        ``SIGN_IN_ANSWER_SECONDS`` after the form was read, whether that work is done or not."""
        form = await request.post()
        if not self.form_ok(request, form):
            return self.refused()
        loop = asyncio.get_running_loop()
        answer_at = loop.time() + SIGN_IN_ANSWER_SECONDS
        email = str(form.get("email") or "")[:254]
        address = address_group(client_address(request, self.settings.trusted_proxies))
        if self.limiter.hit(("signin", address), self.settings.signin_per_address_per_hour, 3600) is None:
            self._in_background(self._request_sign_in(email, self.clock()))
        else:
            log.warning("sign-in links: too many requests from one client address; nothing sent")
        await asyncio.sleep(max(0.0, answer_at - loop.time()))
        return render("message.html", title="Kijk in je mail", user=None,
                      message=("Staat dit e-mailadres bij ons bekend? Dan krijg je binnen een paar minuten een "
                               "mail met een inloglink. De link werkt 15 minuten en één keer."))

    async def _request_sign_in(self, email: str, now: datetime) -> None:
        sent = await blocking(auth.request_sign_in, self.settings, email, now)
        log.info("sign-in link asked (%s)", "mail queued" if sent else "unknown address or a recent link unused")

    def _in_background(self, work) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: "asyncio.Task") -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("sign-in link request failed", exc_info=task.exception())

    async def finish_background(self, app: web.Application = None) -> None:
        """On shutdown (and in tests): wait for sign-in requests that are still being written."""
        if self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def open_link(self, request: web.Request) -> web.Response:
        token = request.query.get("t", "")[:100]
        if not await blocking(auth.link_is_usable, self.settings, token, self.clock()):
            return render("message.html", status=410, title="Deze link werkt niet meer", user=None,
                          message="De link is al gebruikt of verlopen. Vraag een nieuwe aan.", again=True)
        form_token = self.form_token(request)
        return self.with_form_cookie(render("use_link.html", token=token, csrf=form_token, user=None), form_token)

    async def use_link(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self.form_ok(request, form):
            return self.refused()
        who = await blocking(auth.use_sign_in_link, self.settings, str(form.get("t") or "")[:100], self.clock())
        if who is None:
            return render("message.html", status=410, title="Deze link werkt niet meer", user=None,
                          message="De link is al gebruikt of verlopen. Vraag een nieuwe aan.", again=True)
        response = web.HTTPSeeOther("/adviseur")
        self._cookie(response, SESSION_COOKIE, who.session_token)
        response.del_cookie(FORM_COOKIE, path="/")
        raise response

    async def sign_out(self, request: web.Request) -> web.Response:
        who = await self.signed_in(request)
        form = await request.post()
        if who is None or not auth.csrf_ok(who.csrf_token, form.get("csrf")):
            return self.refused()
        await blocking(auth.sign_out, self.settings, who.session_token, self.clock())
        response = render("message.html", title="Je bent uitgelogd", message="Tot de volgende keer.", user=None,
                          again=True)
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    # --- leads --------------------------------------------------------------------------------
    async def _lead(self, request: web.Request, who: auth.SignedIn, message: str = "", error: str = "",
                    status: int = 200) -> web.Response:
        lead_id = request.match_info["lead_id"][:16]
        names = {u.id: u.name for u in all_users()}
        try:
            page = await blocking(lead_page, self.settings.database_url, who.user, lead_id, self.clock(), names)
        except NotAllowed:
            log.warning("workspace: %s was refused a lead of another counsellor or region", who.user.id)
            return render("message.html", status=403, title="Geen toegang", user=who.user, csrf=who.csrf_token,
                          message="Deze aanvraag hoort niet bij jou of bij jouw regio.")
        if page is None:
            return render("message.html", status=404, title="Aanvraag niet gevonden", user=who.user,
                          csrf=who.csrf_token, message="Deze aanvraag bestaat niet (meer).")
        region = page.lead.counsellor_id and next((u.region_code for u in all_users() if u.id == page.lead.counsellor_id), "")
        others = [u for u in colleagues(region or who.user.region_code) if u.id != page.lead.counsellor_id]
        return render("lead.html", status=status, user=who.user, csrf=who.csrf_token, page=page, lead=page.lead,
                      s=page.summary, message=message, error=error, colleagues=others, labels=STATUS_LABELS,
                      p=person_fields(page.summary), tel=contact_href("telefoon", page.summary["contact"]["value"]),
                      via=initiative_name(page.lead.initiative))

    async def show_lead(self, request: web.Request) -> web.Response:
        who = await self.signed_in(request)
        if who is None:
            raise web.HTTPSeeOther("/adviseur")
        return await self._lead(request, who)

    async def confirm_status(self, request: web.Request) -> web.Response:
        """GET: the same confirmation page as the mail's links; nothing changes until the POST."""
        who = await self.signed_in(request)
        if who is None:
            raise web.HTTPSeeOther("/adviseur")
        status = request.query.get("s", "")
        if status not in CONFIRM:
            raise web.HTTPSeeOther(f"/adviseur/lead/{request.match_info['lead_id']}")
        lead_id = request.match_info["lead_id"][:16]
        question, button = CONFIRM[status]
        return render("confirm.html", user=who.user, csrf=who.csrf_token, lead_id=lead_id, question=question,
                      button=button, action=f"/adviseur/lead/{lead_id}/actie", fields={"action": status},
                      back=f"/adviseur/lead/{lead_id}")

    async def act(self, request: web.Request) -> web.Response:
        who = await self.signed_in(request)
        form = await request.post()
        if who is None:
            return self.refused("Je bent niet (meer) ingelogd. Log opnieuw in.")
        if not auth.csrf_ok(who.csrf_token, form.get("csrf")):
            return self.refused()
        lead_id = request.match_info["lead_id"][:16]
        values = {k: str(v)[:2000] for k, v in form.items() if isinstance(v, str)}
        try:
            done = await blocking(apply_action, self.settings.database_url, who.user, lead_id,
                                  values.get("action", ""), values, self.clock(), self.settings.base_url)
        except InvalidAction as exc:
            return await self._lead(request, who, error=str(exc), status=400)
        except NotAllowed:
            return await self._lead(request, who)  # renders the 403 page
        if done is None:
            raise web.HTTPNotFound()
        return await self._lead(request, who, message=done.message)

    # --- the funnel (bot.analytics): counts only, small cells "< 5" ---------------------------------
    async def _funnel_user(self, request: web.Request):
        who = await self.signed_in(request)
        if who is None:
            raise web.HTTPSeeOther("/adviseur")
        if who.user.role not in FUNNEL_ROLES:
            return who, render("message.html", status=403, title="Geen toegang", user=who.user, csrf=who.csrf_token,
                               message="De trechter is er voor coördinatoren en de landelijke stuurgroep.")
        return who, None

    def _period(self, request: web.Request) -> str:
        period = request.query.get("periode", "").strip()[:12]
        return period if period in funnel_report.PERIODS else funnel_report.DEFAULT_PERIOD

    def _week(self, request: web.Request) -> str:
        week = request.query.get("week", "").strip()[:8]
        return week if WEEK.match(week) else iso_week(self.clock().astimezone(AMSTERDAM))

    async def funnel(self, request: web.Request) -> web.Response:
        who, refused = await self._funnel_user(request)
        if refused is not None:
            return refused
        week, period = self._week(request), self._period(request)
        weeks = funnel_report.period_weeks(week, period)
        national = who.user.role == NATIONAL
        region = None if national else who.user.region_code
        f = await blocking(functools.partial(funnel_report.funnel, self.settings.database_url, week, region,
                                             national, weeks=weeks))
        steps = funnel_report.shown_bars([(label, *f.total(f"step:{s}")) for s, label, _n in f.step_rows()])
        dropoff = funnel_report.shown_bars([(funnel_report.QUESTION_LABELS[q], *f.total(f"dropoff:{q}"))
                                            for q in funnel_report.QUESTIONS])
        reached = {funnel_report.QUESTION_LABELS[q]: f.total(f"step:q:{q}")[0] for q in funnel_report.QUESTIONS}
        regions = funnel_report.regions_table(f) if national else []
        handoff_column = funnel_report.SIDE_BY_SIDE.index("handoff")
        handoffs = funnel_report.shown_bars([(name, row[handoff_column], funnel_report.bar_count(row[handoff_column]))
                                             for code, name, row in regions if code != "-"])
        trend = f.trend(TREND_STEPS)
        trend_chart = funnel_report.bars([(funnel_report.week_label(w), f.by_week.get(w, {}).get("step:started", 0))
                                          for w in weeks])
        questions = await blocking(funnel_report.unanswered_groups, self.settings.database_url, 20) if national else []
        return render("funnel.html", user=who.user, csrf=who.csrf_token, week=week, f=f, steps=steps,
                      dropoff=dropoff, reached=reached, regions=regions, handoffs=handoffs, national=national,
                      columns=[funnel_report.STEP_LABELS[s] for s in funnel_report.SIDE_BY_SIDE],
                      contact=f.contact, fallback=f.total("fallback")[0], period=period,
                      periods=funnel_report.PERIODS, period_words=funnel_report.PERIODS[period][0],
                      first_week=funnel_report.week_label(weeks[0]), last_week=funnel_report.week_label(weeks[-1]),
                      trend=trend, trend_chart=trend_chart,
                      trend_columns=[funnel_report.STEP_LABELS[s] for s in TREND_STEPS],
                      questions=questions, title="Trechter")

    async def funnel_csv(self, request: web.Request) -> web.Response:
        who, refused = await self._funnel_user(request)
        if refused is not None:
            return refused
        week, period = self._week(request), self._period(request)
        region = None if who.user.role == NATIONAL else who.user.region_code
        body = await blocking(functools.partial(funnel_report.csv_export, self.settings.database_url, week, region,
                                                weeks=funnel_report.period_weeks(week, period)))
        name = f"trechter-{week}-{period}-{region or 'landelijk'}.csv"
        return web.Response(text=body, content_type="text/csv", charset="utf-8",
                            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})

    # --- initiatives (issue 28): every region's initiatives with what they bring in -----------------
    def _quarter(self, request: web.Request) -> str:
        quarter = request.query.get("kwartaal", "").strip()[:7]
        if initiatives_report.valid_quarter(quarter):
            return quarter
        return initiatives_report.quarter_of_day(self.clock().astimezone(AMSTERDAM).date())

    async def _initiatives_view(self, request: web.Request):
        who, refused = await self._funnel_user(request)
        if refused is not None:
            return who, None, refused
        kind = request.query.get("soort", "").strip()[:40] or None
        target = request.query.get("doelgroep", "").strip()[:40] or None
        view = await blocking(initiatives_report.overview, self.settings.database_url, self._quarter(request),
                              kind, target)
        return who, view, None

    async def initiatives(self, request: web.Request) -> web.Response:
        who, view, refused = await self._initiatives_view(request)
        if refused is not None:
            return refused
        everything = await blocking(initiatives_report.overview, self.settings.database_url, view.quarter)
        kind, target = request.query.get("soort", ""), request.query.get("doelgroep", "")
        contacts = {r.found.region_code: organisation_contact(r.found.region_code) for r in view.rows}
        return render("initiatives.html", user=who.user, csrf=who.csrf_token, view=view, kinds=everything.kinds,
                      targets=everything.target_groups, kind=kind, target=target, contacts=contacts,
                      labels=initiatives_report.METRIC_LABELS, metrics=initiatives_report.METRICS,
                      query=urlencode({k: v for k, v in (("kwartaal", view.quarter), ("soort", kind),
                                                         ("doelgroep", target)) if v}),
                      title="Initiatieven")

    async def initiatives_file(self, request: web.Request) -> web.Response:
        who, view, refused = await self._initiatives_view(request)
        if refused is not None:
            return refused
        markdown = request.path.endswith(".md")
        body = initiatives_report.markdown(view) if markdown else initiatives_report.csv_text(view)
        name = f"initiatieven-{view.quarter}.{'md' if markdown else 'csv'}"
        return web.Response(text=body, content_type="text/markdown" if markdown else "text/csv", charset="utf-8",
                            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})

    # --- one-click status links from the hand-off mail -----------------------------------------
    def _link_parts(self, request: web.Request, source) -> tuple:
        return (request.match_info["lead_id"][:16], str(source.get("s", ""))[:32], str(source.get("e", ""))[:12],
                str(source.get("sig", ""))[:100])

    def _check_link(self, lead_id, status, expires, sig) -> Optional[web.Response]:
        secret = self.settings.handoff.link_secret
        if not links.verify(secret, lead_id, status, expires, sig):
            log.warning("status link with a bad signature")
            return render("message.html", status=400, title="Deze link klopt niet", user=None,
                          message=("Deze link is niet geldig. Gebruik de knop uit de e-mail, of log in op de "
                                   "werkplek."), again=True)
        if links.expired(expires, self.clock()):
            return render("message.html", status=410, title="Deze link is verlopen", user=None,
                          message="Deze link is verlopen. Zet de status in de werkplek.", again=True)
        return None

    async def link_page(self, request: web.Request) -> web.Response:
        lead_id, status, expires, sig = self._link_parts(request, request.query)
        bad = self._check_link(lead_id, status, expires, sig)
        if bad is not None:
            return bad
        if await blocking(links.was_used, self.settings.database_url, sig):
            return render("message.html", status=410, title="Deze link is al gebruikt", user=None, again=True,
                          message="Met deze link is de status al doorgegeven. Wijzigen kan in de werkplek.")
        question, button = CONFIRM[status]
        token = self.form_token(request)
        first_name = await blocking(first_name_of, self.settings.database_url, lead_id)
        return self.with_form_cookie(render(
            "confirm.html", user=None, csrf=token, lead_id=lead_id, question=question, button=button,
            first_name=first_name,
            action=f"/lead/{lead_id}/status", fields={"s": status, "e": expires, "sig": sig}, back=None), token)

    async def link_post(self, request: web.Request) -> web.Response:
        form = await request.post()
        lead_id, status, expires, sig = self._link_parts(request, form)
        bad = self._check_link(lead_id, status, expires, sig)
        if bad is not None:
            return bad
        if not self.form_ok(request, form):
            return self.refused()
        outcome = await blocking(self._use_link, lead_id, status, sig, expires)
        if outcome == "missing":
            return render("message.html", status=404, title="Aanvraag niet gevonden", user=None,
                          message="Deze aanvraag bestaat niet meer. Misschien zijn de gegevens op verzoek verwijderd.")
        if outcome == "used":
            return render("message.html", status=410, title="Deze link is al gebruikt", user=None, again=True,
                          message="Met deze link is de status al doorgegeven. Wijzigen kan in de werkplek.")
        return render("message.html", title=f"{links.LINK_STATUSES[status]} – {lead_id}", user=None,
                      message=links.CONFIRMATIONS[status], again=True)

    def _use_link(self, lead_id: str, status: str, sig: str, expires: str) -> str:
        now = self.clock()
        return apply_link_status(self.settings.database_url, lead_id, status, now,
                                 claim=lambda session: links.mark_used(session, lead_id, sig, now, expires))


def register_routes(app: web.Application, settings: WorkspaceSettings, clock: Callable[[], datetime] = now_utc) -> None:
    routes = WorkspaceRoutes(settings, clock)
    app["workspace_routes"] = routes
    app.on_shutdown.append(routes.finish_background)
    app.router.add_get("/adviseur", routes.home, allow_head=False)
    app.router.add_post("/adviseur/aanmelden", routes.ask_link)
    app.router.add_get("/adviseur/inloggen", routes.open_link, allow_head=False)
    app.router.add_post("/adviseur/inloggen", routes.use_link)
    app.router.add_post("/adviseur/uitloggen", routes.sign_out)
    app.router.add_get("/adviseur/trechter", routes.funnel, allow_head=False)
    app.router.add_get("/adviseur/trechter.csv", routes.funnel_csv, allow_head=False)
    app.router.add_get("/adviseur/initiatieven", routes.initiatives, allow_head=False)
    app.router.add_get("/adviseur/initiatieven.md", routes.initiatives_file, allow_head=False)
    app.router.add_get("/adviseur/initiatieven.csv", routes.initiatives_file, allow_head=False)
    app.router.add_get("/adviseur/lead/{lead_id}", routes.show_lead, allow_head=False)
    app.router.add_get("/adviseur/lead/{lead_id}/bevestig", routes.confirm_status, allow_head=False)
    app.router.add_post("/adviseur/lead/{lead_id}/actie", routes.act)
    # no HEAD: link checkers and mail scanners often send HEAD first
    app.router.add_get("/lead/{lead_id}/status", routes.link_page, allow_head=False)
    app.router.add_post("/lead/{lead_id}/status", routes.link_post)
