"""E-mail over SMTP (smtplib): STARTTLS / implicit TLS and AUTH configurable.

The idempotency key becomes the ``Message-ID``, so a message re-sent after a crash is recognisably
the same message: receivers (and our test receiver) drop duplicates by Message-ID.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from bot.handoff.delivery import Envelope, PermanentFailure, TemporaryFailure
from bot.handoff.settings import HandoffSettings
from bot.ops.config import is_loopback_host


def message_id(key: str, mail_from: str) -> str:
    domain = mail_from.rsplit("@", 1)[-1] if "@" in mail_from else "goudenpoort.invalid"
    return f"<{key}@{domain}>"


def build_message(settings: HandoffSettings, envelope: Envelope) -> EmailMessage:
    payload = envelope.payload
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = payload.get("to") or envelope.recipient
    msg["Subject"] = payload.get("subject") or "De Gouden Poort"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(envelope.idempotency_key, settings.mail_from)
    msg["X-GoudenPoort-Idempotency-Key"] = envelope.idempotency_key
    # the art. 19 notice is sent after its lead is gone: its reference travels in the payload
    msg["X-GoudenPoort-Reference"] = envelope.lead_id or payload.get("reference") or ""
    msg["X-GoudenPoort-Kind"] = envelope.kind
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(payload.get("text") or "", charset="utf-8")
    if payload.get("html"):
        msg.add_alternative(payload["html"], subtype="html", charset="utf-8")
    return msg


class InsecureTransport(ValueError):
    """Refused at start-up, so a misconfiguration is seen at once instead of as a leak later."""


def check_encrypted(settings: HandoffSettings) -> None:
    """Hand-off mail carries a young person's contact data: to any host but loopback it goes over
    TLS (implicit or STARTTLS) unless the operator explicitly allows plain text."""
    if settings.smtp_ssl or settings.smtp_starttls or settings.smtp_allow_plaintext:
        return
    if not is_loopback_host(settings.smtp_host):
        raise InsecureTransport(
            f"GP_SMTP_HOST={settings.smtp_host} is not loopback: set GP_SMTP_STARTTLS=1 or GP_SMTP_SSL=1 "
            "(or, knowingly, GP_SMTP_ALLOW_PLAINTEXT=1). Hand-off mail contains personal data.")


class SmtpTransport:
    def __init__(self, settings: HandoffSettings):
        check_encrypted(settings)
        self.settings = settings

    def _tls(self) -> ssl.SSLContext:
        """Certificate and host name are always verified; a private CA can be added, never skipped."""
        return ssl.create_default_context(cafile=self.settings.smtp_ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_ssl:
            return smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self._tls())
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        if s.smtp_starttls:
            smtp.ehlo()
            smtp.starttls(context=self._tls())
            smtp.ehlo()
        return smtp

    def send(self, envelope: Envelope) -> None:
        if not (envelope.payload.get("to") or envelope.recipient):
            raise PermanentFailure("no e-mail address for this message")
        msg = build_message(self.settings, envelope)
        try:
            with self._connect() as smtp:
                if self.settings.smtp_user:
                    smtp.login(self.settings.smtp_user, self.settings.smtp_password)
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            # wrong credentials are an operator problem: keep retrying (and dead-letter + alert)
            raise TemporaryFailure(f"SMTP auth failed: {exc.smtp_code}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 535):
                raise PermanentFailure(f"SMTP {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TemporaryFailure(f"SMTP {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as exc:
            raise TemporaryFailure(f"SMTP unavailable: {exc!r}") from exc
