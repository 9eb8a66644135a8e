"""Blind rounds: messages written by helpers who never saw the training data, the rules or the tests.

A round is a folder under `nlu/data/blind/` with the brief the writers were given (`BRIEF.md`) and one
YAML file per writer:

    writer: "A"
    messages:
      - text: "商场门口车里锁着个娃"
        intent: crisis
        crisis_kind: child_danger
        persona: passer-by
      - text: "笑死我了"
        intent: out_of_scope
        danger_words: true

`evaluate_round` parses every message once with an interpreter and reports what matters for safety
beside the usual intent figures: crisis recall (the alarm raised at once), crisis messages that at
least got the safety question, false alarms on the harmless messages that use danger words and on
all other messages, and recall per branch of the crisis taxonomy. A round is measured once before
anything in it is used for tuning (docs/nlu.md keeps every round's first-seen figures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from nlu.metrics import CONTRACT, classification_metrics, macro_f1
from nlu.types import Intent, Understanding

BLIND_DIR = Path(__file__).resolve().parent / "data" / "blind"
CRISIS = Intent.CRISIS.value

# The branches of the crisis taxonomy (shared/BLIND_ROUNDS.md) a crisis message is labelled with.
CRISIS_KINDS = (
    "suicide_self_harm",
    "violence",
    "child_abuse",
    "child_danger",
    "elderly_unresponsive",
    "medical",
    "disaster",
    "missing",
)


class BlindMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str
    intent: str
    crisis_kind: str | None = None
    danger_words: bool = False
    persona: str = ""

    @field_validator("intent")
    @classmethod
    def _contract_intent(cls, value: str) -> str:
        if value not in CONTRACT:
            raise ValueError(f"intent {value!r} is not one of the 11 contract intents")
        return value


class BlindFile(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    writer: str = ""
    messages: list[BlindMessage] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    text: str
    intent: str
    crisis_kind: str | None
    danger_words: bool
    source: str  # round/file


def load_round(folder: Path) -> list[LabelledMessage]:
    """Every message of every writer's file in `folder` (BRIEF files and others without messages skipped)."""
    messages: list[LabelledMessage] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        parsed = BlindFile.model_validate(data)
        for m in parsed.messages:
            if not m.text.strip():
                continue
            messages.append(
                LabelledMessage(
                    text=m.text,
                    intent=m.intent,
                    crisis_kind=m.crisis_kind if m.intent == CRISIS else None,
                    danger_words=m.danger_words and m.intent != CRISIS,
                    source=f"{folder.name}/{path.stem}",
                )
            )
    return messages


def rounds(base: Path = BLIND_DIR) -> list[Path]:
    """The round folders in order (round-01, round-02, ...)."""
    return sorted(p for p in base.glob("round-*") if p.is_dir())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the assistant did with one message, as far as the interpreter decides it."""

    intent: str
    alarm: bool  # the crisis reply and an urgent case at once
    safety_check: bool  # the safety question ("现在有没有人有生命危险?") before anything else


def outcome_of(understanding: Understanding) -> Outcome:
    alarm = understanding.intent == CRISIS
    check = understanding.safety_check and not alarm
    return Outcome(understanding.intent, alarm, check)


@dataclass(slots=True)
class RoundReport:
    backend: str
    n_messages: int
    macro_f1: float
    accuracy: float
    per_intent_f1: dict[str, float]
    per_intent_support: dict[str, int]
    crisis_total: int
    crisis_alarmed: int
    crisis_checked: int  # not alarmed, but asked the safety question
    harmless_total: int  # danger_words messages
    harmless_alarms: int
    harmless_checks: int
    other_total: int  # non-crisis messages without danger words
    other_alarms: int
    other_checks: int
    per_kind: dict[str, tuple[int, int, int]]  # kind -> (total, alarmed, checked)
    confusion: dict[str, dict[str, int]]
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # crisis not alarmed
    false_alarms: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def crisis_recall(self) -> float:
        return self.crisis_alarmed / self.crisis_total if self.crisis_total else 1.0

    @property
    def crisis_recall_with_check(self) -> float:
        caught = self.crisis_alarmed + self.crisis_checked
        return caught / self.crisis_total if self.crisis_total else 1.0

    @property
    def harmless_false_alarm_rate(self) -> float:
        return self.harmless_alarms / self.harmless_total if self.harmless_total else 0.0


def evaluate_round(
    messages: Iterable[LabelledMessage], parse: Callable[[str], Understanding], backend: str
) -> RoundReport:
    """Parse every message once and count what the assistant would have done."""
    items = list(messages)
    expected: list[str] = []
    predicted: list[str] = []
    per_kind: dict[str, list[int]] = {k: [0, 0, 0] for k in CRISIS_KINDS}
    counts = Counter[str]()
    misses: list[tuple[str, str, str]] = []
    false_alarms: list[tuple[str, str]] = []
    errors: list[tuple[str, str, str]] = []
    confusion: dict[str, Counter[str]] = {label: Counter() for label in CONTRACT}
    for m in items:
        got = outcome_of(parse(m.text))
        # Form-control intents (affirm, inform...) outside a form are what the router makes of them:
        # count them as the contract intent they would not be, i.e. a miss, under their own name.
        predicted_intent = got.intent if got.intent in CONTRACT else Intent.OUT_OF_SCOPE.value
        expected.append(m.intent)
        predicted.append(predicted_intent)
        confusion[m.intent][got.intent] += 1
        if predicted_intent != m.intent:
            errors.append((m.text, m.intent, got.intent + (" +check" if got.safety_check else "")))
        if m.intent == CRISIS:
            kind = m.crisis_kind if m.crisis_kind in per_kind else "unlabelled"
            tally = per_kind.setdefault(kind, [0, 0, 0])
            tally[0] += 1
            counts["crisis"] += 1
            if got.alarm:
                tally[1] += 1
                counts["crisis_alarmed"] += 1
            elif got.safety_check:
                tally[2] += 1
                counts["crisis_checked"] += 1
                misses.append((m.text, kind, "safety question"))
            else:
                misses.append((m.text, kind, got.intent))
        else:
            group = "harmless" if m.danger_words else "other"
            counts[group] += 1
            if got.alarm:
                counts[f"{group}_alarms"] += 1
                false_alarms.append((m.text, m.intent))
            elif got.safety_check:
                counts[f"{group}_checks"] += 1
    metrics = classification_metrics(expected, predicted, CONTRACT)
    return RoundReport(
        backend=backend,
        n_messages=len(items),
        macro_f1=macro_f1(metrics),
        accuracy=float(np.mean([e == p for e, p in zip(expected, predicted, strict=True)])) if items else 0.0,
        per_intent_f1={label: m.f1 for label, m in metrics.items()},
        per_intent_support={label: m.support for label, m in metrics.items()},
        crisis_total=counts["crisis"],
        crisis_alarmed=counts["crisis_alarmed"],
        crisis_checked=counts["crisis_checked"],
        harmless_total=counts["harmless"],
        harmless_alarms=counts["harmless_alarms"],
        harmless_checks=counts["harmless_checks"],
        other_total=counts["other"],
        other_alarms=counts["other_alarms"],
        other_checks=counts["other_checks"],
        per_kind={k: (v[0], v[1], v[2]) for k, v in per_kind.items() if v[0]},
        confusion={k: dict(v) for k, v in confusion.items()},
        misses=misses,
        false_alarms=false_alarms,
        errors=errors,
    )


def format_round_report(report: RoundReport, title: str, *, show_failures: bool = True) -> str:
    lines = [f"== {title}: {report.backend}, {report.n_messages} messages =="]
    lines.append(f"macro-F1 (11 contract intents)      {report.macro_f1:.3f}")
    lines.append(f"accuracy                            {report.accuracy:.3f}")
    lines.append(
        f"crisis recall (alarm at once)       {report.crisis_recall:.3f}  "
        f"({report.crisis_alarmed}/{report.crisis_total})"
    )
    lines.append(
        f"crisis alarm or safety question     {report.crisis_recall_with_check:.3f}  "
        f"({report.crisis_alarmed + report.crisis_checked}/{report.crisis_total})"
    )
    lines.append(
        f"false alarms, harmless danger words {report.harmless_false_alarm_rate:.3f}  "
        f"({report.harmless_alarms}/{report.harmless_total}; safety questions {report.harmless_checks})"
    )
    lines.append(
        f"false alarms, other messages        "
        f"{(report.other_alarms / report.other_total if report.other_total else 0.0):.3f}  "
        f"({report.other_alarms}/{report.other_total}; safety questions {report.other_checks})"
    )
    lines.append("per intent: F1 (support)")
    for label in CONTRACT:
        lines.append(f"  {label:<22}{report.per_intent_f1[label]:.3f} ({report.per_intent_support[label]})")
    lines.append("crisis by taxonomy branch: alarmed / asked / total")
    for kind, (total, alarmed, checked) in report.per_kind.items():
        lines.append(f"  {kind:<22}{alarmed:>3} / {checked:>3} / {total:>3}")
    if show_failures:
        lines.append(f"crisis not alarmed ({len(report.misses)}):")
        lines.extend(f"  [{kind}] -> {got}: {text}" for text, kind, got in report.misses)
        lines.append(f"false alarms ({len(report.false_alarms)}):")
        lines.extend(f"  ({intent}) {text}" for text, intent in report.false_alarms)
        lines.append(f"other intent errors ({len(report.errors)}):")
        lines.extend(
            f"  {want} -> {got}: {text}"
            for text, want, got in report.errors
            if want != CRISIS and got != CRISIS
        )
    return "\n".join(lines)
