"""Workspace settings (environment variables, defaults that work on a laptop).

==============================  ===========================================  ======================
variable                        meaning                                      default
==============================  ===========================================  ======================
GP_WORKSPACE_LOGIN_MINUTES      how long a sign-in link works (once)         15
GP_WORKSPACE_IDLE_MINUTES       signed out after this long without a click   30
GP_WORKSPACE_SESSION_HOURS      signed out after this long in any case       12
GP_WORKSPACE_SECURE_COOKIE      cookies only over https (1/0)                1 when GP_PUBLIC_BASE_URL is https
==============================  ===========================================  ======================
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from bot.handoff.settings import HandoffSettings, _env, _flag, load_handoff_settings


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


def load_workspace_settings(handoff: HandoffSettings = None) -> WorkspaceSettings:
    handoff = handoff or load_handoff_settings()
    return WorkspaceSettings(
        handoff=handoff,
        login_ttl=timedelta(minutes=float(_env("GP_WORKSPACE_LOGIN_MINUTES", "15"))),
        idle_timeout=timedelta(minutes=float(_env("GP_WORKSPACE_IDLE_MINUTES", "30"))),
        session_max=timedelta(hours=float(_env("GP_WORKSPACE_SESSION_HOURS", "12"))),
        secure_cookie=_flag("GP_WORKSPACE_SECURE_COOKIE", handoff.public_base_url.startswith("https://")),
    )
