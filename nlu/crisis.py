"""Rule-based crisis assessment that does not depend on the intent classifier.

Suicide, self-harm, violence, a child or an elderly person in danger, medical emergencies,
disasters and missing people must never be missed because a statistical model was unsure, so this
runs first on every message, and on every answer inside a form. Everything it knows is data in
data/crisis.yml, organised by the triage taxonomy of shared/BLIND_ROUNDS.md:

- `kinds`: phrases and patterns that name a danger (不想活了, 拿刀, 着火);
- `combinations`: who is at risk plus what is happening, neither enough alone (a child + 栏杆外,
  an elderly person + 几天没开门): danger that is described, not named;
- `weak`: distress that may or may not be a danger (撑不下去了): the safety question is asked;
- `harmless`: contexts in which danger words are talk, not danger (a course, a drama, a project,
  a question about emergency numbers, an ambulance that has arrived, a past event);
- `present`: words that make it now (现在, 刚刚, 正在), which keep a harmless context from clearing
  a danger entirely;
- `guards`: hyperbole that hides only the words it overlaps (笑死, 死机, 跳楼价).

The assessment has three levels: ALARM (110/120/12356 at once and an urgent case), ASK (one safety
question with the numbers before anything else) and NONE. It errs towards asking: a question costs
a resident one turn, a miss can cost a life.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

CRISIS_FILE = Path(__file__).resolve().parent / "data" / "crisis.yml"


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    """Why a message is a crisis: its kind (suicide, self_harm, violence, ...) and the phrase matched."""

    kind: str
    phrase: str


class DangerLevel(StrEnum):
    NONE = "none"
    ASK = "ask"  # ask the safety question before anything else
    ALARM = "alarm"  # emergency numbers and an urgent case at once


@dataclass(frozen=True, slots=True)
class CrisisAssessment:
    """What the rules make of one message: the level, the danger seen (if any) and the context that
    softened it (a course, a drama, a project ...)."""

    level: DangerLevel
    signal: CrisisSignal | None = None
    context: str = ""

    @property
    def alarm(self) -> bool:
        return self.level is DangerLevel.ALARM


NO_DANGER = CrisisAssessment(DangerLevel.NONE)


def _checked_patterns(value: list[str]) -> list[str]:
    for pattern in value:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid crisis pattern {pattern!r}: {exc}") from exc
        if compiled.match(""):
            raise ValueError(f"crisis pattern {pattern!r} matches the empty string")
    return value


class _KindSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)

    @field_validator("phrases")
    @classmethod
    def _phrases_not_empty(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("crisis phrases must not be empty")
        return value

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        return _checked_patterns(value)


class _CombinationSpec(BaseModel):
    """Danger described rather than named: one `who` and one `what` anywhere in the message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    who: list[str] = Field(min_length=1)
    what: list[str] = Field(min_length=1)

    @field_validator("who", "what")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        return _checked_patterns(value)


class _ContextSpec(_KindSpec):
    # The danger kinds this context can soften; empty: all of them.
    clears: list[str] = Field(default_factory=list)


class CrisisSpec(BaseModel):
    """Schema of data/crisis.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    kinds: dict[str, _KindSpec]
    combinations: list[_CombinationSpec] = Field(default_factory=list)
    weak: dict[str, _KindSpec] = Field(default_factory=dict)
    harmless: dict[str, _ContextSpec] = Field(default_factory=dict)
    present: list[str] = Field(default_factory=list)
    # Contexts that only soften a danger to the safety question (a past event may have come back today),
    # and the words that make it today again.
    uncertain: list[str] = Field(default_factory=list)
    firm: list[str] = Field(default_factory=list)
    recent: list[str] = Field(default_factory=list)
    guards: list[str] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _kinds_not_empty(cls, value: dict[str, _KindSpec]) -> dict[str, _KindSpec]:
        if not value:
            raise ValueError("at least one crisis kind is required")
        for name, kind in value.items():
            if not kind.phrases and not kind.patterns:
                raise ValueError(f"crisis kind {name!r} has neither phrases nor patterns")
        return value


def _matchable(text: str) -> str:
    """The form patterns are written against: lower case, no whitespace."""
    return "".join(text.lower().split())


def _alternation(phrases: list[str], patterns: list[str]) -> re.Pattern[str] | None:
    parts = [re.escape(_matchable(p)) for p in sorted(phrases, key=len, reverse=True) if p.strip()]
    parts.extend(f"(?:{p})" for p in patterns)
    return re.compile("|".join(parts)) if parts else None


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


class CrisisDetector:
    """Interprets a `CrisisSpec`: named dangers, described dangers, distress, harmless contexts."""

    def __init__(self, spec: CrisisSpec) -> None:
        self._kinds = self._compile(spec.kinds)
        self._weak = self._compile(spec.weak)
        self._combinations: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = []
        for combo in spec.combinations:
            who = _alternation([], combo.who)
            what = _alternation([], combo.what)
            if who is not None and what is not None:
                self._combinations.append((combo.kind, who, what))
        self._harmless: list[tuple[str, re.Pattern[str], frozenset[str]]] = []
        for name, context in spec.harmless.items():
            pattern = _alternation(context.phrases, context.patterns)
            if pattern is not None:
                self._harmless.append((name, pattern, frozenset(context.clears)))
        self._present = _alternation(spec.present, [])
        self._recent = _alternation(spec.recent, [])
        self._uncertain = frozenset(spec.uncertain)
        self._firm = frozenset(spec.firm)
        guards = sorted({_matchable(g) for g in spec.guards if g.strip()}, key=len, reverse=True)
        self._guard = re.compile("|".join(re.escape(g) for g in guards)) if guards else None

    @staticmethod
    def _compile(kinds: dict[str, _KindSpec]) -> list[tuple[str, re.Pattern[str]]]:
        compiled: list[tuple[str, re.Pattern[str]]] = []
        for name, kind in kinds.items():
            pattern = _alternation(kind.phrases, kind.patterns)
            if pattern is not None:
                compiled.append((name, pattern))
        return compiled

    def detect(self, normalized: str) -> CrisisSignal | None:
        """The danger named or described, when the message raises the alarm; else None."""
        assessment = self.assess(normalized)
        return assessment.signal if assessment.alarm else None

    def assess(self, normalized: str) -> CrisisAssessment:
        text = _matchable(normalized)
        if not text:
            return NO_DANGER
        guarded = self._guarded_spans(text)
        signal = self._first_signal(self._kinds, text, guarded) or self._combination(text)
        context = self._context(text, signal.kind if signal is not None else None)
        if signal is not None:
            if not context:
                return CrisisAssessment(DangerLevel.ALARM, signal)
            if context in self._uncertain:
                # A story that mentions the past may still end in a danger today: ask, unless it is now.
                # Not `present`: "现在已经离婚了" after a past event says it is over, not happening.
                level = DangerLevel.ALARM if _found(self._recent, text) else DangerLevel.ASK
                return CrisisAssessment(level, signal, context)
            # Talk about danger (a course, a drama, a project) clears it, unless it is happening now.
            if _found(self._present, text):
                return CrisisAssessment(DangerLevel.ASK, signal, context)
            return CrisisAssessment(DangerLevel.NONE, signal, context)
        weak = self._first_signal(self._weak, text, guarded)
        if weak is not None and not context:
            return CrisisAssessment(DangerLevel.ASK, weak)
        return CrisisAssessment(DangerLevel.NONE, None, context)

    def _context(self, text: str, kind: str | None) -> str:
        """The name of the first harmless context the (matchable) text is in ("course", "fiction" ...)
        that can soften a danger of `kind`, or ""."""
        return next(
            (
                name
                for name, pattern, clears in self._harmless
                if (kind is None or not clears or kind in clears) and pattern.search(text)
            ),
            "",
        )

    def is_firm(self, context: str) -> bool:
        """A context that is talk (a course, a project, a drama), whatever a model thinks of the words."""
        return context in self._firm

    def _first_signal(
        self, kinds: list[tuple[str, re.Pattern[str]]], text: str, guarded: list[tuple[int, int]]
    ) -> CrisisSignal | None:
        for name, pattern in kinds:
            for start, end in self._matches(pattern, text):
                if not any(start < g_end and g_start < end for g_start, g_end in guarded):
                    return CrisisSignal(kind=name, phrase=text[start:end])
        return None

    def _combination(self, text: str) -> CrisisSignal | None:
        # Guards are words of hyperbole and phone calls (笑死, 打电话); a described danger never is one,
        # and "打电话就没人接" must not be hidden by the 打电话 guard.
        for kind, who, what in self._combinations:
            person = who.search(text)
            if person is None:
                continue
            found = what.search(text)
            if found is not None:
                return CrisisSignal(kind=kind, phrase=f"{person.group(0)}…{found.group(0)}")
        return None

    def _guarded_spans(self, text: str) -> list[tuple[int, int]]:
        if self._guard is None:
            return []
        spans: list[tuple[int, int]] = []
        # Guards may overlap each other (防家暴 / 家暴宣传): scan from every position.
        pos = 0
        while pos < len(text):
            match = self._guard.search(text, pos)
            if match is None:
                break
            spans.append(match.span())
            pos = match.start() + 1
        return spans

    @staticmethod
    def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
        """Every match start, not only non-overlapping ones: a guarded match must not hide a real one."""
        spans: list[tuple[int, int]] = []
        pos = 0
        while pos < len(text):
            match = pattern.search(text, pos)
            if match is None:
                break
            if match.end() > match.start():
                spans.append(match.span())
            pos = match.start() + 1
        return spans


def load_crisis_spec(path: Path = CRISIS_FILE) -> CrisisSpec:
    """Read and validate a crisis phrase file."""
    return CrisisSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_detector() -> CrisisDetector:
    """The detector built from data/crisis.yml (built once)."""
    return CrisisDetector(load_crisis_spec())


def detect_crisis(normalized: str) -> CrisisSignal | None:
    """A `CrisisSignal` when the normalised message raises the alarm, else None."""
    return default_detector().detect(normalized)


def firm_context(context: str) -> bool:
    """Whether a harmless context of data/crisis.yml is one no model score overrides."""
    return default_detector().is_firm(context)


def assess_crisis(normalized: str) -> CrisisAssessment:
    """The rules' three-level view of a normalised message."""
    return default_detector().assess(normalized)
