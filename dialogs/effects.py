"""Effects a dialog asks the core to carry out, in the same transaction as the turn."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaseKind(StrEnum):
    HELP = "help"
    VOLUNTEER = "volunteer"
    CRISIS = "crisis"
    HANDOFF = "handoff"


class Urgency(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class OpenHelpRequest:
    """Save a help request. Replies may contain `{case_ref}`, filled in with the new (or linked) reference."""

    need_type: str
    description: str
    community: str
    phone: str
    name: str
    urgency: Urgency


@dataclass(frozen=True, slots=True)
class RegisterVolunteer:
    name: str
    phone: str
    community: str
    skills: tuple[str, ...]
    availability: tuple[str, ...]
    service_areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkToOpenCase:
    """A re-submission of the same need by the same phone: add to the open case instead of a new one."""

    case_ref: str
    note: str


@dataclass(frozen=True, slots=True)
class EscalateCrisis:
    """Open an urgent case for staff at once, with the message and any partly filled form."""

    signal: str
    message: str
    form_values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HandOffToHuman:
    reason: str


@dataclass(frozen=True, slots=True)
class RecordUnansweredQuestion:
    question: str
    normalized: str


Effect = (
    OpenHelpRequest
    | RegisterVolunteer
    | LinkToOpenCase
    | EscalateCrisis
    | HandOffToHuman
    | RecordUnansweredQuestion
)
