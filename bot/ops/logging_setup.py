"""One logging set-up for every ``python -m bot`` process, so no log at the default level carries a
bot token, a young person's phone number or e-mail address, or a message they typed.

Libraries that log full request URLs at INFO (httpx puts the Telegram bot token in the path) are
raised to WARNING, and a filter masks tokens, phone numbers and e-mail addresses in whatever is
still logged, including exception text.
"""
from __future__ import annotations

import logging
import re

QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext", "apscheduler", "aiohttp.access", "urllib3")

_PATTERNS = (
    (re.compile(r"(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}"), "<bot-token>"),
    (re.compile(r"(?<![\w+])\+?\d[\d \-]{8,14}\d\b"), "<telefoon>"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<e-mail>"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Formats the record once, masks it, and stores the result as a plain message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
