"""Time in Shenzhen: every timestamp the assistant stores or shows is Asia/Shanghai local time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

SHENZHEN = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def shenzhen_now() -> datetime:
    return datetime.now(SHENZHEN)


def local(value: datetime) -> datetime:
    """Stored datetimes come back naive from SQLite and aware from PostgreSQL: make both aware."""
    if value.tzinfo is None:
        return value.replace(tzinfo=SHENZHEN)
    return value.astimezone(SHENZHEN)
