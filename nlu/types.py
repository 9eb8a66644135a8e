"""Frozen types that carry what the NLU layer understood across layer boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Script(StrEnum):
    """The Chinese script a user writes in; replies follow it."""

    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"


class Intent(StrEnum):
    """Intent names are a public contract (see README, `ask --json`)."""

    GREET = "greet"
    THANKS_BYE = "thanks_bye"
    ASK_POLICY = "ask_policy"
    FIND_DEMAND_CATEGORY = "find_demand_category"
    CHECK_ELIGIBILITY = "check_eligibility"
    REQUEST_HELP = "request_help"
    VOLUNTEER_SIGNUP = "volunteer_signup"
    CHECK_CASE_STATUS = "check_case_status"
    HUMAN_HANDOFF = "human_handoff"
    CRISIS = "crisis"
    OUT_OF_SCOPE = "out_of_scope"
    # form-control intents
    AFFIRM = "affirm"
    DENY = "deny"
    CANCEL = "cancel"
    INFORM = "inform"


CONTRACT_INTENTS: tuple[Intent, ...] = (
    Intent.GREET,
    Intent.THANKS_BYE,
    Intent.ASK_POLICY,
    Intent.FIND_DEMAND_CATEGORY,
    Intent.CHECK_ELIGIBILITY,
    Intent.REQUEST_HELP,
    Intent.VOLUNTEER_SIGNUP,
    Intent.CHECK_CASE_STATUS,
    Intent.HUMAN_HANDOFF,
    Intent.CRISIS,
    Intent.OUT_OF_SCOPE,
)


class EntityKind(StrEnum):
    PHONE = "phone"
    CASE_REF = "case_ref"
    DATE = "date"
    TIME = "time"
    TARGET_GROUP = "target_group"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


@dataclass(frozen=True, slots=True)
class Entity:
    """One thing found in a message.

    `value` is the canonical form (E.164 phone, `HR-20261123-0001`, ISO date, gazetteer name);
    `text` is the span as the user wrote it (after normalisation), `start`/`end` index the normalised text.
    `score` is 1.0 for exact matches and the fuzzy similarity (0..1) otherwise.
    """

    kind: EntityKind
    value: str
    text: str
    start: int
    end: int
    score: float = 1.0
    detail: str = ""  # e.g. the parent district/street of a community, or why a phone is invalid


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the NLU layer understood of one message."""

    text: str
    normalized: str
    script: Script
    intent: str
    confidence: float
    ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    backend: str = "embedded"
    notes: tuple[str, ...] = field(default=())
    # Not sure whether someone is in danger: the safety question comes before anything else.
    safety_check: bool = False

    def first(self, kind: EntityKind) -> Entity | None:
        return next((e for e in self.entities if e.kind is kind), None)

    def all(self, kind: EntityKind) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind is kind)
