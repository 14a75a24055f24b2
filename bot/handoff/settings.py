"""Hand-off settings: a view of ``bot.ops.config.EnvSettings`` (which reads the environment) for the worker.

The hand-off keeps its own frozen view so its tests can build one without an environment. The
variables it uses:

==============================  ===========================================  ======================
variable                        meaning                                      default
==============================  ===========================================  ======================
GP_SMTP_HOST / GP_SMTP_PORT     SMTP relay for counsellor mail               127.0.0.1 / 25
GP_SMTP_USER / GP_SMTP_PASSWORD SMTP AUTH (only used when a user is set)     (empty)
GP_SMTP_STARTTLS                "1" to upgrade with STARTTLS before AUTH     0
GP_SMTP_SSL                     "1" for implicit TLS (port 465)              0
GP_SMTP_CA_FILE                 extra CA bundle to trust (private relay)     (system CAs)
GP_SMTP_TIMEOUT                 seconds per SMTP connection                  20
GP_MAIL_FROM                    From: address                                de-gouden-poort@example.org
GP_FALLBACK_ALERT_EMAIL         gets an alert for every dead letter          (empty: log only)
GP_WEBHOOK_SECRET               HMAC key for webhooks (all counsellors);     (empty: webhooks refused)
GP_WEBHOOK_SECRET__<ID>         … or per counsellor id (upper case, - → _)
GP_COORDINATOR_EMAIL            escalations, when the registry has none;     GP_FALLBACK_ALERT_EMAIL
GP_COORDINATOR_EMAIL__<REGION>  … or per region code (e.g. __AM12)
GP_WEBHOOK_TIMEOUT              seconds (connect and read) per webhook POST  10
GP_LINK_SECRET                  HMAC key for one-click links                 generated once in var/
GP_PUBLIC_BASE_URL              base of links in mails (the web app)         http://127.0.0.1:8000
GP_LINK_MAX_AGE_DAYS            days a one-click status link keeps working   30
GP_HANDOFF_MAX_ATTEMPTS         attempts before a message is dead-lettered   10
GP_HANDOFF_BACKOFF_BASE         first retry delay in seconds (doubles)       30
GP_HANDOFF_BACKOFF_MAX          longest retry delay in seconds               3600
GP_HANDOFF_LEASE                seconds a claimed message stays claimed      120
GP_HANDOFF_POLL                 seconds between worker polls when idle       2
GP_PROMISE_WORKDAYS             working days within which contact is promised 2
GP_GUARDIAN_CONFIRM_DAYS        days a guardian has to confirm an under-16's 7
                              request; then it is erased
GP_LEAD_RETENTION_MONTHS        months after which lead + conversation are   12
                              purged (shared with the intake's purge)
GP_CONVERSATION_URL_TEMPLATE  link to the conversation, {lead_id} /       (empty: "niet beschikbaar")
                              {conversation_id} filled in
GP_HANDOFF_TELEGRAM_TOKEN       bot token for counsellor chats / nudges      TELEGRAM_BOT_TOKEN
GP_TELEGRAM_API_BASE            Bot API base URL (tests: a local fake)       https://api.telegram.org/bot
==============================  ===========================================  ======================

With the defaults, 10 attempts back off 30 s, 60 s, … capped at 1 h: a message survives a relay that
is down for roughly four hours before it is dead-lettered, and even then it is kept (and can be
requeued with ``python -m bot worker --requeue-dead``), never dropped.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from bot.ops.config import EnvSettings, default_web_url, load_env, load_settings, stored_secret


def _key(value: str) -> str:
    """Counsellor ids and region codes as they appear in a variable name: upper case, - → _."""
    return re.sub(r"[^A-Z0-9]", "_", (value or "").upper())


@dataclass(frozen=True)
class HandoffSettings:
    database_url: str
    var_dir: Path
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 20.0
    smtp_ca_file: str = ""
    smtp_allow_plaintext: bool = False
    mail_from: str = "de-gouden-poort@example.org"
    fallback_alert_email: str = ""
    webhook_timeout: float = 10.0
    link_secret: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    link_max_age_days: float = 30.0
    max_attempts: int = 10
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    lease_seconds: float = 120.0
    poll_seconds: float = 2.0
    promise_workdays: int = 2
    retention_months: int = 12
    guardian_days: int = 7
    guardian_mails_per_address: int = 3  # per guardian_days, however many conversations or addresses ask
    conversation_url_template: str = ""
    telegram_token: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"
    webhook_secret: str = ""
    webhook_secrets: Mapping[str, str] = field(default_factory=dict)
    coordinator_email: str = ""
    coordinator_emails: Mapping[str, str] = field(default_factory=dict)
    # who answers privacy questions the chat cannot (erasure of a phone number's data, complaints)
    privacy_email: str = "privacy@example.org"

    def webhook_secret_for(self, counsellor_id: str) -> str:
        """Secrets live in the environment, not in the registry the content team edits."""
        return (self.webhook_secrets.get(_key(counsellor_id), "") if counsellor_id else "") or self.webhook_secret

    def coordinator_email_for(self, region_code: str) -> str:
        return ((self.coordinator_emails.get(_key(region_code), "") if region_code else "")
                or self.coordinator_email or self.fallback_alert_email)

    def with_(self, **changes) -> "HandoffSettings":
        return replace(self, **changes)


MIN_LINK_SECRET_BYTES = 32


def _link_secret(configured: str, var_dir: Path) -> str:
    """Use GP_LINK_SECRET; otherwise one random secret per installation (kept in var/, 0600).

    The worker signs links and the web app verifies them, in different processes, so the secret must
    be stable; generating it on first use keeps secrets out of the repository.
    """
    if configured and len(configured.encode()) < MIN_LINK_SECRET_BYTES:
        raise ValueError(f"GP_LINK_SECRET is {len(configured.encode())} bytes; use at least "
                         f"{MIN_LINK_SECRET_BYTES} random bytes (e.g. python -c 'import secrets; "
                         "print(secrets.token_urlsafe(32))'), or leave it empty to generate one in var/.")
    return stored_secret(var_dir, "handoff-link-secret", configured)


def load_handoff_settings(env: EnvSettings = None) -> HandoffSettings:
    env = env or load_env()
    base = load_settings(env)
    return HandoffSettings(
        database_url=base.database_url,
        var_dir=base.var_dir,
        smtp_host=env.smtp_host or "127.0.0.1",
        smtp_port=env.smtp_port,
        smtp_user=env.smtp_user,
        smtp_password=env.smtp_password,
        smtp_starttls=env.smtp_starttls,
        smtp_ssl=env.smtp_ssl,
        smtp_timeout=env.smtp_timeout,
        smtp_ca_file=env.smtp_ca_file,
        smtp_allow_plaintext=env.smtp_allow_plaintext,
        mail_from=env.mail_from,
        fallback_alert_email=env.fallback_alert_email,
        webhook_timeout=env.webhook_timeout,
        link_secret=_link_secret(env.link_secret, base.var_dir),
        public_base_url=(env.public_base_url or default_web_url(env)).rstrip("/"),
        link_max_age_days=env.link_max_age_days,
        max_attempts=env.handoff_max_attempts,
        backoff_base=env.handoff_backoff_base,
        backoff_max=env.handoff_backoff_max,
        lease_seconds=env.handoff_lease,
        poll_seconds=env.handoff_poll,
        promise_workdays=env.promise_workdays,
        retention_months=base.lead_retention_months,
        guardian_days=max(1, env.guardian_confirm_days),
        guardian_mails_per_address=env.limit_guardian_mails_per_address,
        conversation_url_template=env.conversation_url_template,
        telegram_token=env.handoff_telegram_token or env.telegram_token,
        telegram_api_base=env.telegram_api_base,
        webhook_secret=env.webhook_secret,
        webhook_secrets=dict(env.webhook_secrets),
        coordinator_email=env.coordinator_email,
        coordinator_emails=dict(env.coordinator_emails),
        privacy_email=env.privacy_email,
    )
