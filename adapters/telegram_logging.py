"""Keep the bot token out of the logs.

The token is part of every Bot API URL, and httpx logs each request URL at INFO level (python-telegram-bot
logs it at DEBUG): anyone who can read the logs could otherwise take over the bot.
"""

from __future__ import annotations

import logging

# Loggers that print Bot API URLs. Filters attached to a logger only see records logged on it, so
# each is named; python-telegram-bot names its loggers "telegram.<Class>".
URL_LOGGERS: tuple[str, ...] = (
    "httpx",
    "httpcore",
    "telegram.Bot",
    "telegram.BaseRequest",
    "telegram.HTTPXRequest",
    "telegram.ext.Updater",
)
MASK = "<telegram-token>"


class TokenRedactor(logging.Filter):
    """Replaces registered tokens in a record's message; never drops a record."""

    def __init__(self) -> None:
        super().__init__("telegram-token-redactor")
        self._tokens: set[str] = set()

    def add(self, token: str) -> None:
        if token:
            self._tokens.add(token)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._tokens:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report; never break the caller
            return True
        redacted = message
        for token in self._tokens:
            redacted = redacted.replace(token, MASK)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACTOR = TokenRedactor()


def redact_token_in_logs(token: str) -> None:
    """Mask `token` in every record of the URL-printing loggers (idempotent)."""
    _REDACTOR.add(token)
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
