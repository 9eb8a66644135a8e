"""One page of a list: the rows and where it sits among all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def clamp_page(number: int, *, total: int, per_page: int) -> int:
    """A requested page number brought into range (a stale link past the end shows the last page)."""
    last = max(1, -(-total // per_page))
    return min(max(1, number), last)
