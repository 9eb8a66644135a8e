"""Lenient reading of filter values from a query string: a bad value is dropped, never a 422 page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

MAX_PAGE = 100_000


def parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def parse_page(raw: str) -> int:
    raw = raw.strip()
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def one_of(raw: str, allowed: Iterable[str], *, default: str = "") -> str:
    return raw if raw in set(allowed) else default
