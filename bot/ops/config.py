"""All runtime settings: the one place where environment variables are read.

``EnvSettings`` (pydantic ``BaseSettings``) names every variable, its type and its default; the rest
of the code gets plain frozen views built from it (``Settings`` here, ``HandoffSettings`` in
``bot.handoff.settings``) so tests can ``dataclasses.replace`` them. A ``.env`` file in the project
root fills gaps (python-dotenv); real environment variables always win, and a blank value means
"use the default". Every default works on a fresh laptop (SQLite files under ``var/``, everything on
127.0.0.1), so ``make run`` needs no configuration. ``tests/test_settings_example.py`` keeps
``.env.example`` in step with this model.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
import ipaddress
from pathlib import Path
from typing import Any, Dict

import dotenv
from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Per-counsellor and per-region variables: GP_WEBHOOK_SECRET__<COUNSELLOR_ID>, GP_COORDINATOR_EMAIL__<REGION>.
PER_KEY_PREFIXES = {"webhook_secrets": "GP_WEBHOOK_SECRET__", "coordinator_emails": "GP_COORDINATOR_EMAIL__"}
TRUE_WORDS = {"1", "true", "yes", "ja", "on"}


def _nonblank(source):
    """Blank means default (``GP_PRIVATE_HOST='  '`` must not give an empty host); values are trimmed."""
    def read(settings: BaseSettings) -> Dict[str, Any]:
        return {key: value.strip() if isinstance(value, str) else value
                for key, value in source(settings).items()
                if not (isinstance(value, str) and value.strip() == "")}
    return read


def _per_key(settings: BaseSettings) -> Dict[str, Any]:
    found: Dict[str, Dict[str, str]] = {field: {} for field in PER_KEY_PREFIXES}
    for name, value in os.environ.items():
        for field, prefix in PER_KEY_PREFIXES.items():
            if name.startswith(prefix) and len(name) > len(prefix) and value.strip():
                found[field][name[len(prefix):]] = value.strip()
    return found


class EnvSettings(BaseSettings):
    """Every environment variable, with its default. An empty default is computed or means "off"."""

    # where things live
    var_dir: str = Field("", env="GP_VAR_DIR", description="folder for databases, logs, mail (default: var/)")
    database_url: str = Field("", env="DATABASE_URL", description="lead store (default: SQLite in GP_VAR_DIR)")
    tracker_store_url: str = Field("", env="TRACKER_STORE_URL",
                                   description="Rasa tracker store (default: SQLite in GP_VAR_DIR)")
    redis_url: str = Field("", env="REDIS_URL", description="Redis lock store for several Rasa instances")
    event_broker: str = Field("sql", env="GP_EVENT_BROKER",
                              description="Rasa event broker for the funnel: sql (default), pika (RabbitMQ) or off")
    events_url: str = Field("", env="GP_EVENTS_URL",
                            description="SQL event broker database (default: SQLite events.db in GP_VAR_DIR)")
    rabbitmq_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", env="GP_RABBITMQ_URL",
                              description="RabbitMQ for GP_EVENT_BROKER=pika")
    rabbitmq_queue: str = Field("gouden-poort-events", env="GP_RABBITMQ_QUEUE")
    analytics_interval_seconds: float = Field(60.0, env="GP_ANALYTICS_INTERVAL_SECONDS",
                                              description="how often the worker turns new events into funnel counts")
    models_dir: str = Field("", env="GP_MODELS_DIR", description="trained models (default: models/)")
    # addresses: only the web app listens on the public host; everything else on the private host
    public_host: str = Field("127.0.0.1", env="GP_PUBLIC_HOST", description="where the web app listens")
    web_port: int = Field(8000, env="GP_WEB_PORT")
    host: str = Field("127.0.0.1", env="GP_PRIVATE_HOST",
                      description="Rasa, action server, local mail sink: loopback or a private network")
    rasa_port: int = Field(5005, env="GP_RASA_PORT")
    action_port: int = Field(5055, env="GP_ACTION_PORT")
    rasa_url: str = Field("", env="GP_RASA_URL", description="default: http://GP_PRIVATE_HOST:GP_RASA_PORT")
    action_url: str = Field("", env="GP_ACTION_URL",
                            description="default: http://GP_PRIVATE_HOST:GP_ACTION_PORT/webhook")
    public_base_url: str = Field("", env="GP_PUBLIC_BASE_URL",
                                 description="base of links in mails (default: http://GP_PUBLIC_HOST:GP_WEB_PORT)")
    public_web_url: str = Field("", env="GP_PUBLIC_WEB_URL",
                                description="the web app as Telegram users reach it (default: http://GP_PUBLIC_HOST:GP_WEB_PORT)")
    trusted_proxies: str = Field("", env="GP_TRUSTED_PROXIES",
                                 description="reverse proxies whose X-Forwarded-For counts for rate limits (comma-separated)")
    # secrets between our own processes
    channel_secret: str = Field("", env="GP_CHANNEL_SECRET",
                                description="web app / Telegram bridge → Rasa gateway (empty: generated once in GP_VAR_DIR)")
    identity_secret: str = Field("", env="GP_IDENTITY_SECRET",
                                 description="derives sender ids and client keys (empty: generated once); never rotate")
    action_token: str = Field("", env="GP_ACTION_TOKEN",
                              description="Rasa → action server (empty: generated once in GP_VAR_DIR)")
    rest_channel: bool = Field(True, env="GP_REST_CHANNEL",
                               description="1: Rasa's REST channel for local tools (tests, make bench); 0 in production")
    # limits (a refusal is a Dutch sentence; HTTP 413/429 at the web app)
    max_message_chars: int = Field(2000, env="GP_MAX_MESSAGE_CHARS")
    limit_messages_per_minute: int = Field(20, env="GP_LIMIT_MESSAGES_PER_MINUTE", description="per conversation")
    limit_address_messages_per_minute: int = Field(120, env="GP_LIMIT_ADDRESS_MESSAGES_PER_MINUTE",
                                                   description="per client address (web)")
    limit_conversations_per_hour: int = Field(30, env="GP_LIMIT_CONVERSATIONS_PER_HOUR",
                                              description="new web conversations per client address")
    limit_leads_per_day: int = Field(10, env="GP_LIMIT_LEADS_PER_DAY",
                                     description="referrals per client address (web) or Telegram chat")
    rasa_max_request_bytes: int = Field(65536, env="GP_RASA_MAX_REQUEST_BYTES",
                                        description="SANIC_REQUEST_MAX_SIZE of the Rasa server")
    action_max_request_bytes: int = Field(8 * 1024 * 1024, env="GP_ACTION_MAX_REQUEST_BYTES",
                                          description="SANIC_REQUEST_MAX_SIZE of the action server (gets whole trackers)")
    log_level: str = Field("INFO", env="GP_LOG_LEVEL")
    ready_timeout: float = Field(180.0, env="GP_READY_TIMEOUT",
                                 description="seconds make run waits for each service (Rasa loads its model)")
    # privacy
    consent_text_version: str = Field("2026-11-v1", env="GP_CONSENT_TEXT_VERSION")
    lead_retention_months: int = Field(12, env="GP_LEAD_RETENTION_MONTHS")
    tracker_inactivity_hours: int = Field(24, env="GP_TRACKER_INACTIVITY_HOURS",
                                          description="conversations without a lead are deleted this long after the last message")
    purge_interval_minutes: int = Field(10, env="GP_PURGE_INTERVAL_MINUTES",
                                        description="how often the worker runs the privacy purge")
    guardian_confirm_days: int = Field(7, env="GP_GUARDIAN_CONFIRM_DAYS",
                                       description="days a guardian has to confirm an under-16's request")
    session_token_days: float = Field(7.0, env="GP_SESSION_TOKEN_DAYS",
                                      description="days a web widget's session token leads back into its conversation")
    limit_guardian_mails_per_address: int = Field(3, env="GP_LIMIT_GUARDIAN_MAILS_PER_ADDRESS",
                                                  description="mails to one guardian address per GP_GUARDIAN_CONFIRM_DAYS")
    # hand-off to counsellors
    smtp_host: str = Field("", env="GP_SMTP_HOST", description="empty: 127.0.0.1 (make run starts a local Maildir)")
    smtp_port: int = Field(25, env="GP_SMTP_PORT")
    smtp_user: str = Field("", env="GP_SMTP_USER")
    smtp_password: str = Field("", env="GP_SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, env="GP_SMTP_STARTTLS")
    smtp_ssl: bool = Field(False, env="GP_SMTP_SSL")
    smtp_ca_file: str = Field("", env="GP_SMTP_CA_FILE")
    smtp_timeout: float = Field(20.0, env="GP_SMTP_TIMEOUT")
    smtp_allow_plaintext: bool = Field(False, env="GP_SMTP_ALLOW_PLAINTEXT",
                                       description="1: allow mail to a non-loopback host without TLS")
    mail_from: str = Field("de-gouden-poort@example.org", env="GP_MAIL_FROM")
    fallback_alert_email: str = Field("", env="GP_FALLBACK_ALERT_EMAIL")
    coordinator_email: str = Field("", env="GP_COORDINATOR_EMAIL")
    webhook_secret: str = Field("", env="GP_WEBHOOK_SECRET")
    webhook_timeout: float = Field(10.0, env="GP_WEBHOOK_TIMEOUT")
    link_secret: str = Field("", env="GP_LINK_SECRET", description="empty: generated once in GP_VAR_DIR")
    link_max_age_days: float = Field(30.0, env="GP_LINK_MAX_AGE_DAYS",
                                     description="days a one-click status link keeps working (once)")
    # the counsellors' workspace (/adviseur)
    workspace_login_minutes: float = Field(15.0, env="GP_WORKSPACE_LOGIN_MINUTES")
    workspace_idle_minutes: float = Field(30.0, env="GP_WORKSPACE_IDLE_MINUTES")
    workspace_session_hours: float = Field(12.0, env="GP_WORKSPACE_SESSION_HOURS")
    workspace_secure_cookie: str = Field("", env="GP_WORKSPACE_SECURE_COOKIE",
                                         description="1/0; empty: on when GP_PUBLIC_BASE_URL is https")
    workspace_signin_mail_minutes: float = Field(5.0, env="GP_WORKSPACE_SIGNIN_MAIL_MINUTES",
                                                 description="no new sign-in mail while one this recent is unused")
    workspace_signin_per_hour: int = Field(20, env="GP_WORKSPACE_SIGNIN_PER_HOUR",
                                           description="sign-in link requests per client address per hour")
    handoff_max_attempts: int = Field(10, env="GP_HANDOFF_MAX_ATTEMPTS")
    handoff_backoff_base: float = Field(30.0, env="GP_HANDOFF_BACKOFF_BASE")
    handoff_backoff_max: float = Field(3600.0, env="GP_HANDOFF_BACKOFF_MAX")
    handoff_lease: float = Field(120.0, env="GP_HANDOFF_LEASE")
    handoff_poll: float = Field(2.0, env="GP_HANDOFF_POLL")
    promise_workdays: int = Field(2, env="GP_PROMISE_WORKDAYS")
    conversation_url_template: str = Field("", env="GP_CONVERSATION_URL_TEMPLATE")
    handoff_telegram_token: str = Field("", env="GP_HANDOFF_TELEGRAM_TOKEN", description="default: TELEGRAM_BOT_TOKEN")
    telegram_api_base: str = Field("https://api.telegram.org/bot", env="GP_TELEGRAM_API_BASE")
    privacy_email: str = Field("privacy@example.org", env="GP_PRIVACY_EMAIL",
                               description="privacy requests the chat cannot prove (a phone number: no SMS)")
    # Telegram bridge
    telegram_token: str = Field("", env="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field("", env="TELEGRAM_API_BASE_URL")
    telegram_api_base_file_url: str = Field("", env="TELEGRAM_API_BASE_FILE_URL")
    telegram_webhook_url: str = Field("", env="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_port: int = Field(8443, env="TELEGRAM_WEBHOOK_PORT")
    telegram_webhook_path: str = Field("telegram", env="TELEGRAM_WEBHOOK_PATH")
    telegram_webhook_secret: str = Field("", env="TELEGRAM_WEBHOOK_SECRET")
    # filled from GP_WEBHOOK_SECRET__<ID> / GP_COORDINATOR_EMAIL__<REGION>, never from one variable
    webhook_secrets: Dict[str, str] = Field(default_factory=dict, env=[])
    coordinator_emails: Dict[str, str] = Field(default_factory=dict, env=[])

    @validator("smtp_starttls", "smtp_ssl", "rest_channel", pre=True)
    def _flag(cls, value: Any) -> bool:
        return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS

    class Config:
        case_sensitive = True
        extra = "ignore"

        @classmethod
        def customise_sources(cls, init_settings, env_settings, file_secret_settings):
            return init_settings, _nonblank(env_settings), _per_key

    @classmethod
    def variables(cls) -> Dict[str, str]:
        """Variable name → field name, for documentation and the .env.example check."""
        return {name: field.name for field in cls.__fields__.values()
                for name in field.field_info.extra.get("env_names", ())}


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    tracker_store_url: str
    redis_url: str
    host: str
    rasa_port: int
    action_port: int
    web_port: int
    rasa_url: str
    action_url: str
    models_dir: Path
    telegram_token: str
    consent_text_version: str
    smtp_host: str = ""
    log_level: str = "INFO"
    lead_retention_months: int = 12
    tracker_inactivity_hours: int = 24
    purge_interval_minutes: int = 10
    # A widget's session token works this long after it was issued; then a new conversation starts.
    session_token_days: float = 7.0
    public_web_url: str = "http://127.0.0.1:8000"
    telegram_api_base_url: str = ""
    telegram_api_base_file_url: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_port: int = 8443
    telegram_webhook_path: str = "telegram"
    telegram_webhook_secret: str = ""
    # Only the web app listens here (the one public door); everything else binds ``host`` (loopback).
    public_host: str = "127.0.0.1"
    # Shared secret the web app and the Telegram bridge send to Rasa's gateway channel, and the key
    # that derives sender ids, session tokens and client keys. Empty: generated once into var/.
    channel_secret: str = ""
    identity_secret: str = ""
    # Rasa sends it with every call to the action server, which refuses calls without it (bot.ops.action_server).
    action_token: str = ""
    # Rasa's REST channel lets the caller pick any sender id: for local tools only, off in production.
    rest_channel: bool = True
    # Limits (bot/channels/limits.py); tests lower them through the same settings.
    max_message_chars: int = 2000
    limit_messages_per_minute: int = 20
    limit_address_messages_per_minute: int = 120
    limit_conversations_per_hour: int = 30
    limit_leads_per_day: int = 10
    rasa_max_request_bytes: int = 65536
    action_max_request_bytes: int = 8 * 1024 * 1024
    trusted_proxies: tuple = ()
    # Rasa's event broker feeds the funnel (bot/analytics): "sql" (events_url), "pika" (RabbitMQ) or "off".
    event_broker: str = "sql"
    events_url: str = ""
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    rabbitmq_queue: str = "gouden-poort-events"
    analytics_interval_seconds: float = 60.0


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that never leave this machine. Used to decide where plain-text
    transport (SMTP without TLS, http webhooks) is acceptable: only where nobody can listen in."""
    host = (host or "").strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_dotenv(path: Path) -> None:
    """Reads KEY=value lines from .env into the environment; real environment variables always win.

    Into ``os.environ`` (not only into the model) so the Rasa and worker processes the launcher starts
    see the same values.
    """
    if path.is_file():
        dotenv.load_dotenv(path, override=False)


def stored_secret(var_dir: Path, name: str, configured: str = "") -> str:
    """The configured secret, or one random secret per installation kept in ``var/<name>`` (0600).

    Several processes (web app, Rasa, action server, bridge) must agree on it, so it is created once
    with O_EXCL; a process that loses that race reads the winner's value.
    """
    if configured:
        return configured
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            try:
                os.write(fd, secrets.token_urlsafe(32).encode())
            finally:
                os.close(fd)
    return path.read_text().strip()


def channel_secret(settings: "Settings") -> str:
    return stored_secret(settings.var_dir, "channel-secret", settings.channel_secret)


def action_token(settings: "Settings") -> str:
    return stored_secret(settings.var_dir, "action-token", settings.action_token)


def identity_secret(settings: "Settings") -> str:
    """Never rotate this one on a running installation: every sender id is derived from it."""
    return stored_secret(settings.var_dir, "identity-secret", settings.identity_secret)


def load_env() -> EnvSettings:
    load_dotenv(PROJECT_ROOT / ".env")
    return EnvSettings()


def default_web_url(env: EnvSettings) -> str:
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(env.public_host, env.public_host)
    return f"http://{host}:{env.web_port}"


def load_settings(env: EnvSettings = None) -> Settings:
    env = env or load_env()
    var_dir = Path(env.var_dir or PROJECT_ROOT / "var").resolve()
    return Settings(
        var_dir=var_dir,
        database_url=env.database_url or f"sqlite:///{var_dir / 'leads.db'}",
        tracker_store_url=env.tracker_store_url or f"sqlite:///{var_dir / 'tracker.db'}",
        redis_url=env.redis_url,
        host=env.host,
        rasa_port=env.rasa_port,
        action_port=env.action_port,
        web_port=env.web_port,
        rasa_url=env.rasa_url or f"http://{env.host}:{env.rasa_port}",
        action_url=env.action_url or f"http://{env.host}:{env.action_port}/webhook",
        models_dir=Path(env.models_dir or PROJECT_ROOT / "models").resolve(),
        telegram_token=env.telegram_token,
        consent_text_version=env.consent_text_version,
        smtp_host=env.smtp_host,
        log_level=env.log_level,
        lead_retention_months=max(1, env.lead_retention_months),
        tracker_inactivity_hours=max(1, env.tracker_inactivity_hours),
        purge_interval_minutes=max(1, env.purge_interval_minutes),
        session_token_days=max(1 / 24, env.session_token_days),
        public_web_url=(env.public_web_url or default_web_url(env)).rstrip("/"),
        telegram_api_base_url=env.telegram_api_base_url,
        telegram_api_base_file_url=env.telegram_api_base_file_url,
        telegram_webhook_url=env.telegram_webhook_url,
        telegram_webhook_port=env.telegram_webhook_port,
        telegram_webhook_path=env.telegram_webhook_path,
        telegram_webhook_secret=env.telegram_webhook_secret,
        public_host=env.public_host,
        channel_secret=env.channel_secret,
        identity_secret=env.identity_secret,
        action_token=env.action_token,
        rest_channel=env.rest_channel,
        max_message_chars=env.max_message_chars,
        limit_messages_per_minute=env.limit_messages_per_minute,
        limit_address_messages_per_minute=env.limit_address_messages_per_minute,
        limit_conversations_per_hour=env.limit_conversations_per_hour,
        limit_leads_per_day=env.limit_leads_per_day,
        rasa_max_request_bytes=env.rasa_max_request_bytes,
        action_max_request_bytes=env.action_max_request_bytes,
        trusted_proxies=tuple(p.strip() for p in env.trusted_proxies.split(",") if p.strip()),
        event_broker=env.event_broker.lower(),
        events_url=env.events_url or f"sqlite:///{var_dir / 'events.db'}",
        rabbitmq_url=env.rabbitmq_url,
        rabbitmq_queue=env.rabbitmq_queue,
        analytics_interval_seconds=max(1.0, env.analytics_interval_seconds),
    )
