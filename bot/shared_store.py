"""A small key-value store with expiry in the database, shared by every worker process.

Used for platform access tokens, so several workers do not each fetch (and invalidate) their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, local, shenzhen_now
from bot.models import SharedValue


class SharedStore:
    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock = shenzhen_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def get(self, key: str) -> str | None:
        with self._sessions() as session:
            row = session.get(SharedValue, key)
            if row is None:
                return None
            if row.expires_at is not None and local(row.expires_at) <= self._clock():
                return None
            return row.value

    def set(self, key: str, value: str, *, ttl: timedelta | None = None) -> None:
        expires: datetime | None = self._clock() + ttl if ttl is not None else None
        with self._sessions.begin() as session:
            row = session.get(SharedValue, key, with_for_update=True)
            if row is None:
                session.add(SharedValue(key=key, value=value, expires_at=expires))
            else:
                row.value = value
                row.expires_at = expires

    def delete(self, key: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(SharedValue, key)
            if row is not None:
                session.delete(row)
