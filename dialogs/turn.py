"""The shape of one dialog turn: what goes in, what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from dialogs.effects import Effect
from dialogs.ports import CaseDesk
from dialogs.replies import Reply
from dialogs.state import ConversationState
from knowledge.types import Citation, PolicyAnswer, RetrievalResult
from nlu.types import Understanding


class Action:
    """The `action` field of the `ask` contract: what the assistant did with a message."""

    ANSWER = "answer"
    GUIDE_CATEGORY = "guide_category"
    ELIGIBILITY = "eligibility"
    FORM_HELP = "form:help_request"
    FORM_VOLUNTEER = "form:volunteer_signup"
    CASE_STATUS = "case_status"
    HANDOFF = "handoff"
    CRISIS = "crisis"
    SAFETY_CHECK = "safety_check"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"


class PolicyLookup(Protocol):
    """The knowledge pack as dialogs see it (implemented by knowledge.retrieval.PolicyKnowledge)."""

    def retrieve(self, question: str) -> RetrievalResult: ...

    def topic(self, record_id: str) -> PolicyAnswer: ...


class Reinterpret(Protocol):
    """Understands a text the user did not type (a chosen payload), with the same NLU as the pipeline."""

    def __call__(self, text: str) -> Understanding: ...


@dataclass(frozen=True, slots=True)
class DialogConfig:
    office_hours: str = "工作日 9:00-18:00"
    idle_timeout: timedelta = timedelta(minutes=30)
    max_retries: int = 3
    retention_days: int = 365


@dataclass(frozen=True, slots=True)
class TurnInput:
    understanding: Understanding
    state: ConversationState
    now: datetime
    channel: str
    command: str | None = None  # a "/..." payload from a numbered choice, menu click or bot command


@dataclass(frozen=True, slots=True)
class Decision:
    """What a dialog decided: replies, the new state and the effects to carry out."""

    replies: tuple[Reply, ...]
    state: ConversationState
    action: str
    effects: tuple[Effect, ...] = ()
    citations: tuple[Citation, ...] = ()
    categories: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DialogServices:
    """What dialogs may consult while deciding. All of it is read-only."""

    knowledge: PolicyLookup
    desk: CaseDesk
    config: DialogConfig
    guide: object | None = None  # knowledge.category_guide.CategoryGuide, typed where used
    reinterpret: Reinterpret | None = None
