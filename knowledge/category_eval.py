"""``python -m knowledge evaluate-categories``: accuracy and latency of the category guide.

Reads ``knowledge/questions/category_descriptions.yaml`` (descriptions with their expected item ids),
ranks each one and prints top-1 / top-3 accuracy overall and per script, and latency p50 / p99 of
``CategoryGuide.rank`` (after loading, which is timed separately). ``--verbose`` lists every miss.
Exit status is 0 when top-3 accuracy reaches ``--min-top3`` (default 0.9), 1 otherwise.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from knowledge.category_guide import CategoryGuide

DESCRIPTIONS = Path(__file__).parent / "questions" / "category_descriptions.yaml"


class _Description(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    expected: list[str] = Field(min_length=1)
    script: str
    style: str
    set: str = "tuning"  # "holdout": written after tuning and never tuned on


class _DescriptionFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    catalogue: str
    descriptions: list[_Description] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one description ranked."""

    text: str
    expected: tuple[str, ...]
    ranked: tuple[str, ...]
    script: str
    subset: str
    seconds: float

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.expected

    @property
    def top3(self) -> bool:
        return any(item_id in self.expected for item_id in self.ranked[:3])


def load_descriptions(path: Path = DESCRIPTIONS) -> tuple[str, list[_Description]]:
    """(catalogue id, descriptions), validated."""
    with path.open(encoding="utf-8") as handle:
        parsed = _DescriptionFile.model_validate(yaml.safe_load(handle))
    return parsed.catalogue, parsed.descriptions


def evaluate(guide: CategoryGuide, catalogue: str, descriptions: Sequence[_Description]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for description in descriptions:
        started = time.perf_counter()
        result = guide.rank(description.text, catalogue=catalogue, k=3)
        elapsed = time.perf_counter() - started
        outcomes.append(
            Outcome(
                text=description.text,
                expected=tuple(description.expected),
                ranked=tuple(m.item_id for m in result.matches),
                script=description.script,
                subset=description.set,
                seconds=elapsed,
            )
        )
    return outcomes


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation), so p99 of few samples is the slowest one."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def report(outcomes: Sequence[Outcome], load_seconds: float, verbose: bool) -> list[str]:
    total = len(outcomes)
    lines = [
        f"descriptions: {total}",
        f"top-1 accuracy: {sum(o.top1 for o in outcomes) / total:.1%} ({sum(o.top1 for o in outcomes)}/{total})",
        f"top-3 accuracy: {sum(o.top3 for o in outcomes) / total:.1%} ({sum(o.top3 for o in outcomes)}/{total})",
    ]
    groups = [("set", s) for s in sorted({o.subset for o in outcomes})]
    groups += [("script", s) for s in sorted({o.script for o in outcomes})]
    for kind, name in groups:
        subset = [o for o in outcomes if (o.subset if kind == "set" else o.script) == name]
        lines.append(
            f"  {kind} {name}: top-1 {sum(o.top1 for o in subset)}/{len(subset)}, "
            f"top-3 {sum(o.top3 for o in subset)}/{len(subset)}"
        )
    millis = [o.seconds * 1000 for o in outcomes]
    lines.append(
        f"latency per description: p50 {percentile(millis, 0.5):.2f} ms, p99 {percentile(millis, 0.99):.2f} ms"
    )
    lines.append(f"guide load: {load_seconds:.2f} s")
    if verbose:
        for outcome in outcomes:
            if not outcome.top1:
                mark = "top-3" if outcome.top3 else "MISS"
                lines.append(
                    f"  [{mark}] {outcome.text} expected {', '.join(outcome.expected)} "
                    f"got {', '.join(outcome.ranked) or '(vague)'}"
                )
    return lines


def main(argv: list[str]) -> int:
    """Entry point for ``python -m knowledge evaluate-categories [--file F] [--verbose] [--min-top3 X]``."""
    parser = argparse.ArgumentParser(prog="python -m knowledge evaluate-categories")
    parser.add_argument("--file", type=Path, default=DESCRIPTIONS, help="descriptions YAML")
    parser.add_argument("--verbose", action="store_true", help="list descriptions not ranked first")
    parser.add_argument("--min-top3", type=float, default=0.9, help="exit 1 below this top-3 accuracy")
    args = parser.parse_args(argv)
    catalogue, descriptions = load_descriptions(args.file)
    started = time.perf_counter()
    guide = CategoryGuide.load()
    load_seconds = time.perf_counter() - started
    guide.rank("预热", catalogue=catalogue)  # first call pays lazy initialisation, not measured
    outcomes = evaluate(guide, catalogue, descriptions)
    for line in report(outcomes, load_seconds, args.verbose):
        print(line)
    top3 = sum(o.top3 for o in outcomes) / len(outcomes)
    return 0 if top3 >= args.min_top3 else 1


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
