"""Retention of the workspace's own rows (bot.store.retention.purge_workspace, rule 6 of the purge), on
SQLite and PostgreSQL. Every row is made by the workspace's real functions (sign-in request, link use,
session touch, lead page, one-click status link); the purge must remove exactly what can no longer be
used, and nothing a signed-in counsellor or a still valid link needs."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.handoff import links
from bot.store import retention
from bot.store.db import new_session
from bot.store.models import utcnow
from bot.store.workspace_models import LeadView, LoginToken, UsedStatusLink, WorkspaceSession
from bot.workspace import auth
from bot.workspace.actions import apply_link_status
from bot.workspace.inbox import lead_page, views_of
from tests.store_fixtures import store_url  # noqa: F401
from tests.test_workspace import NAMES, token_from_outbox
from tests.workspace_support import SANNE, ZEELAND_COORDINATOR, new_lead, user, workspace_settings

SANNE_MAIL = "sanne@techniektalent-zeeland.example.org"


def sign_in_at(ws, at, use=True):
    auth.request_sign_in(ws, SANNE_MAIL, at)
    token = token_from_outbox(ws, SANNE_MAIL)
    return token, (auth.use_sign_in_link(ws, token, at) if use else None)


def keep_busy(ws, signed, start, until):
    """A click every 25 minutes from ``start`` to ``until``: never idle."""
    at = start
    while at + timedelta(minutes=25) < until:
        at += timedelta(minutes=25)
        auth.current_user(ws, signed.session_token, at)
    auth.current_user(ws, signed.session_token, until)


def count(url, model) -> int:
    with new_session(url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_sign_in_links_go_a_day_after_use_or_expiry(store_url, tmp_path):
    ws = workspace_settings(store_url, tmp_path)
    now = utcnow()
    used_long_ago, _ = sign_in_at(ws, now - timedelta(days=2))
    unused_long_ago, _ = sign_in_at(ws, now - timedelta(days=2), use=False)
    used_today, _ = sign_in_at(ws, now - timedelta(hours=3))
    fresh, _ = sign_in_at(ws, now - timedelta(minutes=5), use=False)

    retention.purge_workspace(store_url, now)
    with new_session(store_url) as session:
        left = {h for (h,) in session.execute(select(LoginToken.token_hash))}
    assert left == {auth.digest(used_today), auth.digest(fresh)}
    assert auth.use_sign_in_link(ws, fresh, now) is not None            # a fresh link still works
    assert auth.use_sign_in_link(ws, used_long_ago, now) is None         # a purged one never does
    assert auth.use_sign_in_link(ws, unused_long_ago, now) is None


def test_sessions_go_when_the_workspace_would_refuse_them(store_url, tmp_path):
    ws = workspace_settings(store_url, tmp_path)
    now = utcnow()
    _, active = sign_in_at(ws, now - timedelta(hours=2))
    keep_busy(ws, active, now - timedelta(hours=2), now - timedelta(minutes=5))
    _, idle = sign_in_at(ws, now - timedelta(hours=1))                   # no click for an hour
    _, signed_out = sign_in_at(ws, now - timedelta(minutes=10))
    auth.sign_out(ws, signed_out.session_token, now - timedelta(minutes=9))
    start = now - ws.session_max - timedelta(minutes=20)                 # busy all day, never idle
    _, marathon = sign_in_at(ws, start)
    keep_busy(ws, marathon, start, start + ws.session_max - timedelta(minutes=1))
    assert auth.current_user(ws, active.session_token, now - timedelta(minutes=4)) is not None
    assert count(store_url, WorkspaceSession) == 4

    removed = retention.purge_workspace(store_url, now, idle=ws.idle_timeout, session_max=ws.session_max)
    # the marathon session was never idle, but it is past the absolute maximum
    with new_session(store_url) as session:
        left = {h for (h,) in session.execute(select(WorkspaceSession.token_hash))}
    assert left == {auth.digest(active.session_token)}
    assert removed >= 3
    assert auth.current_user(ws, active.session_token, now) is not None  # the one at work is not signed out


def test_used_status_links_stay_while_the_link_could_still_work(store_url, tmp_path):
    ws = workspace_settings(store_url, tmp_path)
    lead_id = new_lead(ws.database_url, ws, SANNE)
    now = utcnow()
    max_age = timedelta(days=ws.handoff.link_max_age_days)
    mailed = now - max_age - timedelta(days=2)
    old = next(l["url"] for l in links.status_links(ws.handoff, lead_id, mailed) if l["status"] == "in_contact")
    recent = next(l["url"] for l in links.status_links(ws.handoff, lead_id, now - timedelta(days=3))
                  if l["status"] == "no_contact")
    for url, used_at, status in ((old, mailed + timedelta(days=1), "in_contact"),
                                 (recent, now - timedelta(days=2), "no_contact")):
        signature = url.rsplit("sig=", 1)[1]
        expires = url.split("&e=", 1)[1].split("&", 1)[0]
        outcome = apply_link_status(ws.database_url, lead_id, status, used_at,
                                    claim=lambda s, sig=signature, at=used_at, e=expires:
                                    links.mark_used(s, lead_id, sig, at, e))
        assert outcome == "ok"
    assert count(store_url, UsedStatusLink) == 2

    retention.purge_workspace(store_url, now, link_max_age=max_age)
    old_sig, recent_sig = old.rsplit("sig=", 1)[1], recent.rsplit("sig=", 1)[1]
    assert not links.was_used(store_url, old_sig) and links.was_used(store_url, recent_sig)
    # the forgotten one cannot be used again: its own expiry has passed
    expires = old.split("&e=", 1)[1].split("&", 1)[0]
    assert links.expired(expires, now)


def test_lowering_the_link_age_later_does_not_let_a_used_link_work_twice(store_url, tmp_path):
    """The link carries its own signed expiry; its 'used' record must outlive that expiry even when
    GP_LINK_MAX_AGE_DAYS is lowered after the mail went out."""
    ws = workspace_settings(store_url, tmp_path)
    lead_id = new_lead(ws.database_url, ws, SANNE)
    now = utcnow()
    url = next(l["url"] for l in links.status_links(ws.handoff, lead_id, now) if l["status"] == "in_contact")
    signature = url.rsplit("sig=", 1)[1]
    expires = url.split("&e=", 1)[1].split("&", 1)[0]
    assert apply_link_status(ws.database_url, lead_id, "in_contact", now,
                             claim=lambda s: links.mark_used(s, lead_id, signature, now, expires)) == "ok"
    later = now + timedelta(days=2)
    assert not links.expired(expires, later)
    retention.purge_workspace(store_url, later, link_max_age=timedelta(days=1))  # the setting was lowered
    assert links.was_used(store_url, signature)
    assert apply_link_status(ws.database_url, lead_id, "in_contact", later,
                             claim=lambda s: links.mark_used(s, lead_id, signature, later, expires)) == "used"
    after_expiry = now + timedelta(days=ws.handoff.link_max_age_days, hours=1)
    retention.purge_workspace(store_url, after_expiry, link_max_age=timedelta(days=1))
    assert not links.was_used(store_url, signature) and links.expired(expires, after_expiry)


def test_view_log_is_kept_for_the_accountability_period(store_url, tmp_path):
    ws = workspace_settings(store_url, tmp_path)
    lead_id = new_lead(ws.database_url, ws, SANNE)
    now = utcnow()
    lead_page(ws.database_url, user(SANNE), lead_id, now - timedelta(days=400), NAMES)
    lead_page(ws.database_url, user(ZEELAND_COORDINATOR), lead_id, now - timedelta(days=300), NAMES)
    lead_page(ws.database_url, user(SANNE), lead_id, now - timedelta(days=1), NAMES)

    retention.purge_workspace(store_url, now, view_months=12)
    assert [(v.viewer_id, v.at.date()) for v in views_of(store_url, lead_id)] == [
        (ZEELAND_COORDINATOR, (now - timedelta(days=300)).date()), (SANNE, (now - timedelta(days=1)).date())]
    assert retention.purge_workspace(store_url, now, view_months=6) == 1          # the setting decides
    assert count(store_url, LeadView) == 1


def test_the_purge_runs_the_workspace_rule_once_and_from_the_settings(store_url, tmp_path, monkeypatch):
    ws = workspace_settings(store_url, tmp_path)
    lead_id = new_lead(ws.database_url, ws, SANNE)
    now = utcnow()
    sign_in_at(ws, now - timedelta(days=3))                             # token, session, sign-in mail: all done
    lead_page(ws.database_url, user(SANNE), lead_id, now - timedelta(days=100), NAMES)
    monkeypatch.setenv("GP_LEAD_RETENTION_MONTHS", "3")                  # view log follows the lead retention
    monkeypatch.setenv("GP_WORKSPACE_IDLE_MINUTES", "30")

    report = retention.purge(store_url, None, now=now)
    assert report.workspace == 4 and "4 verlopen regel(s) van de werkplek" in str(report)
    assert (count(store_url, LoginToken), count(store_url, WorkspaceSession), count(store_url, LeadView)) == (0, 0, 0)
    assert retention.purge(store_url, None, now=now).workspace == 0            # idempotent


def test_sign_in_mails_leave_the_outbox_a_day_after_they_were_asked(store_url, tmp_path):
    """Issue 25 item 6: the sign-in mail (address and link) in ``handoff_outbox`` survived every purge."""
    from bot.store.handoff_models import OutboxMessage
    ws = workspace_settings(store_url, tmp_path)
    now = utcnow()
    sign_in_at(ws, now - timedelta(days=400))
    sign_in_at(ws, now - timedelta(days=2), use=False)
    sign_in_at(ws, now - timedelta(hours=3))

    def signin_rows():
        with new_session(store_url) as session:
            return [(m.recipient, m.created_at) for m in session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "signin")).scalars()]
    assert len(signin_rows()) == 3
    retention.purge_workspace(store_url, now)
    left = signin_rows()
    assert len(left) == 1 and left[0][0] == SANNE_MAIL
