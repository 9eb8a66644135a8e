"""The declarative parts of a form: slots, validators, and what a finished form produces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dialogs.effects import Effect
from dialogs.ports import CaseDesk
from nlu.types import Understanding


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """The outcome of validating one answer.

    Exactly one of: `value` (accepted), `confirm` (a fuzzy match to confirm with yes/no),
    `options` (ambiguous: numbered choices of (label, value), introduced by `problem` when given),
    or `problem` (a specific re-ask).
    """

    value: str | None = None
    confirm: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    problem: str | None = None

    @classmethod
    def ok(cls, value: str) -> SlotCheck:
        return cls(value=value)

    @classmethod
    def bad(cls, problem: str) -> SlotCheck:
        return cls(problem=problem)


Validator = Callable[[str, Understanding], SlotCheck]
Prefill = Callable[[Understanding], str | None]
Display = Callable[[str], str]


def _identity(value: str) -> str:
    return value


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    label: str  # shown in the summary, e.g. 联系电话
    prompt: str  # the question
    validate: Validator
    choices: tuple[tuple[str, str], ...] = ()  # (label, value) offered as numbered choices
    multi: bool = False  # several choices may be picked ("1 3")
    optional: bool = False  # "跳过" leaves it empty
    prefill: Prefill | None = None  # take the value from the first message when it is there
    display: Display = _identity  # how the summary shows the value (phones are masked)
    correctable_by: Callable[[Understanding], str | None] | None = (
        None  # finds a corrected value in free text
    )
    accept_unverified_after: int = 0  # after this many failed tries, accept the raw text marked 未核实
    # ... if it passes this rough test of being the right kind of answer (an address, not a name).
    unverified_check: Callable[[Understanding], bool] | None = None
    # An answer to another question may fill this slot too ("我妈腿脚不好..." is the description as
    # well as the need type). Off for choice lists whose keywords overlap another's ("法律 心理").
    prefill_mid_form: bool = True
    # Filled even from a message that fails the question asked: a phone typed at the community question.
    out_of_turn: bool = False
    required_why: str = ""  # why a required slot cannot be skipped, said when the user declines it


@dataclass(frozen=True, slots=True)
class Completion:
    """What submitting a finished form does: effects for the core and the confirmation text."""

    effects: tuple[Effect, ...]
    text: str


Complete = Callable[[dict[str, str], CaseDesk, "FormContext"], Completion]


@dataclass(frozen=True, slots=True)
class FormContext:
    office_hours: str
    retention_days: int


@dataclass(frozen=True, slots=True)
class FormSpec:
    name: str  # "help_request"
    title: str  # 求助登记
    action: str  # the ask-contract action, "form:help_request"
    consent: str  # what is collected, why, who sees it, for how long; may use {retention_days}
    privacy: str  # the short answer to "为什么要我的电话?" mid-form; may use {retention_days}
    slots: tuple[Slot, ...]
    complete: Complete

    def slot(self, name: str) -> Slot:
        for s in self.slots:
            if s.name == name:
                return s
        raise KeyError(name)
