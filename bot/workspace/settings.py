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
        # behind https (a reverse proxy) cookies must never travel over plain http
        secure_cookie=secure in TRUE_WORDS if secure else handoff.public_base_url.startswith("https://"),
    )
