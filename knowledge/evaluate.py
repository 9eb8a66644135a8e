"""`python -m knowledge evaluate [--file F]`: how well policy retrieval answers a held-out question file.

Prints accuracy (answered by an expected record, answer matching the regex, with a citation), citation
correctness (the citation is the expected record's source and place), must-not-answer results, and
retrieval latency p50/p99. Exits 1 when accuracy is below --min-accuracy, a must-not-answer question is
answered, or an answer lacks a citation.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from knowledge.retrieval import PolicyKnowledge
from nlu.segmenter import default_dictionary

DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions" / "policy_questions.yaml"
NONE = "none"


class _Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    expect: tuple[str, ...] = Field(min_length=1)
    match: str | None = None

    @field_validator("expect", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("match")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
        return pattern


class _QuestionFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    questions: tuple[_Question, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One evaluation question: `expect` empty means the pack must not answer it."""

    question: str
    expect: tuple[str, ...]
    match: str | None

    @property
    def must_not_answer(self) -> bool:
        return not self.expect


def load_questions(path: Path | None = None) -> tuple[EvalQuestion, ...]:
    """Read and validate a question file; ValueError with the reason when it is malformed."""
    path = path or DEFAULT_QUESTIONS
    try:
        spec = _QuestionFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    questions = []
    for item in spec.questions:
        expect = () if item.expect == (NONE,) else item.expect
        if expect and item.match is None:
            raise ValueError(f"{path}: question {item.q!r} expects an answer but gives no `match` regex")
        if NONE in expect:
            raise ValueError(f"{path}: question {item.q!r} mixes `none` with record ids")
        questions.append(EvalQuestion(question=item.q, expect=expect, match=item.match))
    return tuple(questions)


@dataclass
class EvalReport:
    """Counts and latencies of one evaluation run; `failures` describe every miss."""

    in_scope: int = 0
    correct: int = 0
    citation_correct: int = 0
    answered_in_scope: int = 0
    uncited: int = 0
    must_not: int = 0
    must_not_declined: int = 0
    declined: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0  # mean CPU time per retrieve: wall latency also counts waiting on a busy machine
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.in_scope + self.must_not

    @property
    def accuracy(self) -> float:
        """Share of all questions handled right: in-scope answered correctly, must-not declined."""
        return (self.correct + self.must_not_declined) / self.total if self.total else 0.0

    @property
    def in_scope_accuracy(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def citation_accuracy(self) -> float:
        return self.citation_correct / self.answered_in_scope if self.answered_in_scope else 0.0

    @property
    def decline_precision(self) -> float:
        """Of the questions retrieval declined, the share that were must-not-answer ones."""
        return self.must_not_declined / self.declined if self.declined else 1.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def evaluate(
    knowledge: PolicyKnowledge, questions: Sequence[EvalQuestion], *, repeats: int = 5
) -> EvalReport:
    """Run every question; latency is measured over `repeats` passes (the first pass warms caches)."""
    known = {r.id: r for r in knowledge.records()}
    report = EvalReport()
    for item in questions:
        unknown = [e for e in item.expect if e not in known]
        if unknown:
            raise ValueError(f"question {item.question!r} expects unknown record ids: {', '.join(unknown)}")
        result = knowledge.retrieve(item.question)
        answer = result.answer
        if answer is None:
            report.declined += 1
        if item.must_not_answer:
            report.must_not += 1
            if answer is None:
                report.must_not_declined += 1
            else:
                report.failures.append(f"answered a must-not question: {item.question} -> {answer.record_id}")
            continue
        report.in_scope += 1
        if answer is None:
            closest = ", ".join(t.record_id for t in result.suggestions) or "no suggestions"
            report.failures.append(
                f"not answered ({result.confidence:.2f}): {item.question} (expected {item.expect[0]}; {closest})"
            )
            continue
        report.answered_in_scope += 1
        if not answer.citations:
            report.uncited += 1
        expected = known[item.expect[0]] if answer.record_id not in item.expect else known[answer.record_id]
        cited = answer.citations[0] if answer.citations else None
        if cited is not None and cited == expected.citation:
            report.citation_correct += 1
        right_record = answer.record_id in item.expect
        matches = item.match is not None and re.search(item.match, answer.text) is not None
        if right_record and matches and answer.citations:
            report.correct += 1
        else:
            why = "wrong record" if not right_record else "answer does not match"
            report.failures.append(
                f"{why}: {item.question} -> {answer.record_id} (expected {'/'.join(item.expect)})"
            )
    cpu_start = time.process_time()
    for _ in range(repeats):
        for item in questions:
            start = time.perf_counter_ns()
            knowledge.retrieve(item.question)
            report.latencies_ms.append((time.perf_counter_ns() - start) / 1e6)
    report.cpu_ms = (time.process_time() - cpu_start) * 1000 / max(1, repeats * len(questions))
    return report


@dataclass(frozen=True, slots=True)
class LoadTimes:
    """Seconds (wall and CPU) to load the pack and build its index, and jieba's one-off dictionary load."""

    pack_wall: float
    pack_cpu: float
    jieba_wall: float


def _timed_load(pack: Path | None) -> tuple[PolicyKnowledge, LoadTimes]:
    """Load the pack, timing jieba's dictionary load (once per process, shared with the NLU layer) apart."""
    start = time.perf_counter()
    default_dictionary()
    jieba_wall = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    knowledge = PolicyKnowledge.load(pack)
    times = LoadTimes(time.perf_counter() - start, time.process_time() - cpu, jieba_wall)
    return knowledge, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge evaluate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file", type=Path, default=None, help="question file (default: policy_questions.yaml)"
    )
    parser.add_argument("--pack", type=Path, default=None, help="pack directory (default knowledge/pack)")
    parser.add_argument("--repeats", type=int, default=5, help="latency passes over the file")
    parser.add_argument("--min-accuracy", type=float, default=0.9, help="fail below this accuracy")
    parser.add_argument("--quiet", action="store_true", help="do not list the failures")
    args = parser.parse_args(argv)
    try:
        questions = load_questions(args.file)
        knowledge, times = _timed_load(args.pack)
        report = evaluate(knowledge, questions, repeats=max(1, args.repeats))
    except ValueError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    print(f"questions: {report.total} ({report.in_scope} in scope, {report.must_not} must-not-answer)")
    print(
        f"accuracy: {report.accuracy:.1%} (in scope {report.correct}/{report.in_scope} = {report.in_scope_accuracy:.1%})"
    )
    print(
        f"citation correctness: {report.citation_correct}/{report.answered_in_scope} = {report.citation_accuracy:.1%}"
    )
    print(f"answers without citation: {report.uncited}")
    print(
        f"must-not-answer: {report.must_not_declined}/{report.must_not} declined; "
        f"decline precision {report.must_not_declined}/{report.declined} = {report.decline_precision:.1%}"
    )
    mean = statistics.fmean(report.latencies_ms) if report.latencies_ms else 0.0
    print(
        f"retrieve latency: p50 {report.percentile(50):.2f} ms, p99 {report.percentile(99):.2f} ms, "
        f"mean {mean:.2f} ms over {len(report.latencies_ms)} calls; CPU {report.cpu_ms:.2f} ms per call"
    )
    print(
        f"load: pack + index {times.pack_wall * 1000:.0f} ms (CPU {times.pack_cpu * 1000:.0f} ms); "
        f"jieba dictionary {times.jieba_wall * 1000:.0f} ms (once per process)"
    )
    if report.failures and not args.quiet:
        print("failures:")
        for line in report.failures:
            print(f"  {line}")
    failed = (
        report.accuracy < args.min_accuracy or report.must_not_declined < report.must_not or report.uncited
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
