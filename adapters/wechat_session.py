"""wechatpy's SessionStorage on the shared key-value store, so every worker uses one access token.

WeChat issues one valid access token per app at a time (a new one retires the old after a few
minutes); workers that each fetched their own would keep invalidating each other's.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from wechatpy.session import SessionStorage

log = logging.getLogger(__name__)

# Tokens live 7200 s; the shared copy expires this much earlier so nobody uses one at its last second.
REFRESH_MARGIN_SECONDS = 300


class KeyValueStore(Protocol):
    """What bot.shared_store.SharedStore offers."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, *, ttl: timedelta | None = None) -> None: ...

    def delete(self, key: str) -> None: ...


class SharedSessionStorage(SessionStorage):  # type: ignore[misc]  # wechatpy is untyped
    def __init__(self, store: KeyValueStore, *, prefix: str = "wechat:") -> None:
        self._store = store
        self._prefix = prefix

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self._store.get(self._prefix + key)
        return default if value is None else value

    def set(self, key: str, value: object, ttl: int | None = None) -> None:
        expiry = None
        if ttl is not None:
            expiry = timedelta(seconds=max(int(ttl) - REFRESH_MARGIN_SECONDS, int(ttl) // 2, 1))
        try:
            self._store.set(self._prefix + key, str(value), ttl=expiry)
        except Exception:
            # Two workers storing the first token at the same moment: one insert loses to the
            # other's. Once more, now as an update; both tokens stay valid for a few minutes.
            log.warning("storing the shared WeChat %s failed once; retrying", key, exc_info=True)
            self._store.set(self._prefix + key, str(value), ttl=expiry)

    def delete(self, key: str) -> None:
        self._store.delete(self._prefix + key)
