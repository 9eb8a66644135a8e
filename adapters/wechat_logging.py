"""Keep residents' openids out of the HTTP access log.

WeChat puts the sender's openid (with the signatures) in the query string of every callback, and
uvicorn's access log prints each request's path with its query string: every message would leave
a personal identifier in plain text next to its time. The filter keeps the path and drops the query.
"""

from __future__ import annotations

import logging

# uvicorn's access record: '%s - "%s %s HTTP/%s" %d' with (client, method, path?query, version, status).
ACCESS_LOGGER = "uvicorn.access"
_TARGET_ARG = 2
HIDDEN = "?<query hidden>"


class CallbackQueryRedactor(logging.Filter):
    """Drops the query string of requests to the given paths; never drops a record."""

    def __init__(self) -> None:
        super().__init__("wechat-query-redactor")
        self._paths: set[str] = set()

    def add(self, path: str) -> None:
        self._paths.add(path)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) <= _TARGET_ARG:
            return True
        target = args[_TARGET_ARG]
        if isinstance(target, str):
            path, mark, _query = target.partition("?")
            if mark and path in self._paths:
                record.args = (*args[:_TARGET_ARG], path + HIDDEN, *args[_TARGET_ARG + 1 :])
        return True


_REDACTOR = CallbackQueryRedactor()


def hide_callback_queries(path: str) -> None:
    """Hide the query string of requests to `path` in the access log (idempotent)."""
    _REDACTOR.add(path)
    logger = logging.getLogger(ACCESS_LOGGER)
    if _REDACTOR not in logger.filters:
        logger.addFilter(_REDACTOR)
