"""A clock the tests move by hand: idle timeouts and duplicate windows without sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import SHENZHEN


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=SHENZHEN))

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
