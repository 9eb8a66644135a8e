"""The small read-only protocol through which dialogs look at cases; `bot/` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CaseSummary:
    ref: str
    kind: str
    status: str
    need_type: str
    created_at: datetime  # aware, Shenzhen time
    updated_at: datetime
    last_note: str = ""


class CaseDesk(Protocol):
    """What a dialog may ask about cases. Every call is scoped: nobody sees another person's case."""

    def cases_of_user(self) -> tuple[CaseSummary, ...]:
        """The current user's own cases, newest first."""
        ...

    def open_duplicate(self, *, phone: str, need_type: str) -> CaseSummary | None:
        """An open help case of the same need from the same phone within the duplicate window."""
        ...
