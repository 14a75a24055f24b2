"""Workspace settings: a frozen view of ``bot.ops.config.EnvSettings`` (GP_WORKSPACE_*), like
``HandoffSettings``, so tests can ``replace`` them. The public base URL, the database and the link
secret come from the hand-off settings: the workspace lives in the same web app as the links."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from bot.handoff.settings import HandoffSettings, load_handoff_settings
from bot.ops.config import TRUE_WORDS, EnvSettings, load_env


@dataclass(frozen=True)
class WorkspaceSettings:
    handoff: HandoffSettings
    login_ttl: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(minutes=30)
    session_max: timedelta = timedelta(hours=12)
    secure_cookie: bool = False
    # Sign-in mails: no new link for an account while one sent less than this long ago is unused;
    # asking for links at all: at most this many times per client address (IPv6: per /64) per hour.
    signin_mail_gap: timedelta = timedelta(minutes=5)
    signin_per_address_per_hour: int = 20
    # reverse proxies whose X-Forwarded-For names the client (GP_TRUSTED_PROXIES)
    trusted_proxies: tuple = ()

    @property
    def database_url(self) -> str:
        return self.handoff.database_url

    @property
    def base_url(self) -> str:
        return self.handoff.public_base_url

    def with_(self, **changes) -> "WorkspaceSettings":
        return replace(self, **changes)


def load_workspace_settings(env: EnvSettings = None) -> WorkspaceSettings:
    env = env or load_env()
    handoff = load_handoff_settings(env)
    secure = env.workspace_secure_cookie.strip().lower()
    return WorkspaceSettings(
        handoff=handoff,
        login_ttl=timedelta(minutes=env.workspace_login_minutes),
        idle_timeout=timedelta(minutes=env.workspace_idle_minutes),
        session_max=timedelta(hours=env.workspace_session_hours),
        signin_mail_gap=timedelta(minutes=max(0.0, env.workspace_signin_mail_minutes)),
        signin_per_address_per_hour=env.workspace_signin_per_hour,
        trusted_proxies=tuple(p.strip() for p in env.trusted_proxies.split(",") if p.strip()),
        # behind https (a reverse proxy) cookies must never travel over plain http
        secure_cookie=secure in TRUE_WORDS if secure else handoff.public_base_url.startswith("https://"),
    )
