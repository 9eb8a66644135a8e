"""Rule-based crisis detection that does not depend on the intent classifier.

Suicide, self-harm, violence in progress and life-threatening emergencies must never be missed
because a statistical model was unsure, so this detector runs first on every message. The
phrases live in data/crisis.yml; it errs towards firing: a false alarm costs a resident one
extra hotline reply, a miss can cost a life.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
        for pattern in value:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid crisis pattern {pattern!r}: {exc}") from exc
            if compiled.match(""):
                raise ValueError(f"crisis pattern {pattern!r} matches the empty string")
        return value


class CrisisSpec(BaseModel):
    """Schema of data/crisis.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    kinds: dict[str, _KindSpec]
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


class CrisisDetector:
    """Matches the phrases and patterns of a `CrisisSpec`, ignoring matches that overlap a guard."""

    def __init__(self, spec: CrisisSpec) -> None:
        self._kinds: list[tuple[str, re.Pattern[str]]] = []
        for name, kind in spec.kinds.items():
            parts = [re.escape(_matchable(p)) for p in sorted(kind.phrases, key=len, reverse=True)]
            parts.extend(f"(?:{p})" for p in kind.patterns)
            self._kinds.append((name, re.compile("|".join(parts))))
        guards = sorted({_matchable(g) for g in spec.guards if g.strip()}, key=len, reverse=True)
        self._guard = re.compile("|".join(re.escape(g) for g in guards)) if guards else None

    def detect(self, normalized: str) -> CrisisSignal | None:
        text = _matchable(normalized)
        if not text:
            return None
        guarded = self._guarded_spans(text)
        for name, pattern in self._kinds:
            for match in self._matches(pattern, text):
                start, end = match
                if not any(start < g_end and g_start < end for g_start, g_end in guarded):
                    return CrisisSignal(kind=name, phrase=text[start:end])
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
    """A `CrisisSignal` when the normalised message talks about a crisis, else None."""
    return default_detector().detect(normalized)
