"""Message ids being answered in this process, so that concurrent retries wait instead of answering twice.

WeChat re-posts a message it got no answer for within 5 seconds, up to three times. The first
request for an id runs the turn; a copy that arrives while it runs joins the same future, waits,
and then answers "success" (empty), so the resident sees one answer. Across worker processes the
database does the same job (the core replays a stored outcome for a known message id).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class InFlight(Generic[T]):
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running: dict[str, Future[T]] = {}
        self._waiting: dict[str, int] = {}

    def join(self, key: str, start: Callable[[], Future[T]]) -> tuple[Future[T], bool]:
        """The future answering `key`, and whether this caller started it (True) or joined it."""
        with self._changed:
            running = self._running.get(key)
            if running is not None:
                self._waiting[key] = self._waiting.get(key, 0) + 1
                self._changed.notify_all()
                return running, False
            future = start()
            self._running[key] = future
        # Outside the lock: on a future that is already done the callback runs right here.
        future.add_done_callback(lambda done: self._finished(key, done))
        return future, True

    def leave(self, key: str) -> None:
        """A caller that joined is done waiting."""
        with self._changed:
            count = self._waiting.get(key, 0) - 1
            if count > 0:
                self._waiting[key] = count
            else:
                self._waiting.pop(key, None)
            self._changed.notify_all()

    def waiting(self, key: str) -> int:
        with self._changed:
            return self._waiting.get(key, 0)

    def wait_for_waiters(self, key: str, count: int, timeout: float) -> bool:
        """Block until `count` copies of `key` are waiting (for monitoring and for tests of retry storms)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._waiting.get(key, 0) >= count, timeout)

    def _finished(self, key: str, future: Future[T]) -> None:
        with self._changed:
            if self._running.get(key) is future:
                del self._running[key]
            self._changed.notify_all()
