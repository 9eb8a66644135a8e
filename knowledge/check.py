"""`python -m knowledge check`: validate the policy knowledge pack against its sources.

Checks, each reported as one problem line:
- the schema and pack rules (via `load_pack`: unique ids, known sources, years, related ids);
- every source file in the registry exists, and every source has at least one record;
- every quote appears in its source's cleaned text;
- every number in an answer (Arabic or Chinese numerals, fractions, percentages) appears in the record's
  quote, and so in the source; answers from a source without binding figures state no number;
- no question is listed by two records, and every question retrieves its own record;
- the catalogue checks of `knowledge.catalogue.check_catalogues`, when that module exists.
Prints coverage (records per source and per kind) and exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from knowledge.pack import Pack, PackError, PackRecord, load_pack
from knowledge.retrieval import PolicyKnowledge, Vocabulary, compact
from knowledge.text import numbers_in, quote_found, read_clean_source

SHORT_ANSWER = 80  # characters an elderly resident reads comfortably on a phone


@dataclass
class CheckReport:
    """What the check found: problems (any makes the check fail), coverage lines and notes."""

    problems: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _number_problems(record: PackRecord, figures_allowed: bool, in_source: frozenset[Fraction]) -> list[str]:
    stated = numbers_in(record.answer)
    if not stated:
        return []
    where = f"{record.file} {record.id}"
    if not figures_allowed:
        spans = "、".join(m.text for m in stated)
        return [f"{where}: answer states figures ({spans}) but {record.source_id} states no binding figures"]
    quoted = {m.value for q in record.quotes for m in numbers_in(q)}
    problems = []
    for mention in stated:
        if mention.value not in in_source:
            problems.append(
                f"{where}: number {mention.text} ({mention.value}) is not in source {record.source_id}"
            )
        elif mention.value not in quoted:
            problems.append(f"{where}: number {mention.text} ({mention.value}) is not in the record's quote")
    return problems


def _text_problems(pack: Pack, report: CheckReport) -> None:
    texts: dict[str, str] = {}
    figures: dict[str, frozenset[Fraction]] = {}
    for source in pack.sources.values():
        path = pack.sources_dir / source.file
        if not path.is_file():
            report.problems.append(f"sources.yml {source.id}: file {path} does not exist")
            continue
        texts[source.id] = read_clean_source(source, pack.sources_dir)
        figures[source.id] = frozenset(m.value for m in numbers_in(texts[source.id]))
    for record in pack.records:
        text = texts.get(record.source_id)
        if text is None:
            continue
        for quote in record.quotes:
            if not quote_found(quote, text):
                report.problems.append(
                    f"{record.file} {record.id}: quote not found in cleaned source: {quote[:40]}"
                )
        figures_allowed = pack.sources[record.source_id].figures
        report.problems.extend(_number_problems(record, figures_allowed, figures[record.source_id]))
        if len(record.answer) > SHORT_ANSWER:
            report.notes.append(f"{record.id}: answer is {len(record.answer)} characters (> {SHORT_ANSWER})")


def _question_problems(pack: Pack, knowledge: PolicyKnowledge, report: CheckReport) -> None:
    owner: dict[str, str] = {}
    for record in pack.records:
        for question in record.questions:
            key = compact(question)
            if key in owner and owner[key] != record.id:
                report.problems.append(f"question {question!r} is listed by {owner[key]} and {record.id}")
            owner.setdefault(key, record.id)
    for record in pack.records:
        for question in record.questions:
            result = knowledge.retrieve(question)
            if result.answer is None:
                best = result.suggestions[0].record_id if result.suggestions else "nothing"
                report.problems.append(
                    f"{record.file} {record.id}: question {question!r} is not answered "
                    f"(confidence {result.confidence:.2f}, closest {best})"
                )
            elif result.answer.record_id != record.id:
                report.problems.append(
                    f"{record.file} {record.id}: question {question!r} retrieves {result.answer.record_id}"
                )


def _coverage(pack: Pack, report: CheckReport) -> None:
    per_source = Counter(r.source_id for r in pack.records)
    for source in pack.sources.values():
        count = per_source.get(source.id, 0)
        if count == 0:
            report.problems.append(f"source {source.id} has no records")
        kinds = Counter(r.kind for r in pack.records if r.source_id == source.id)
        detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        label = f"{source.year}{source.status}"
        report.coverage.append(f"{source.id} ({source.file[:3]}, {label}): {count} records ({detail})")
    questions = sum(len(r.questions) for r in pack.records)
    report.coverage.append(f"total: {len(pack.records)} records, {questions} questions")


def _catalogue_checks(report: CheckReport) -> None:
    """Run the catalogue engineer's checks when knowledge.catalogue exists (it may not yet)."""
    if importlib.util.find_spec("knowledge.catalogue") is None:
        report.notes.append("knowledge.catalogue not present: catalogue checks skipped")
        return
    try:
        check: Callable[[], tuple[list[str], list[str]]] = importlib.import_module(
            "knowledge.catalogue"
        ).check_catalogues
        problems, coverage = check()
    except Exception as exc:  # a broken catalogue module is a check failure, not a crash
        report.problems.append(f"catalogue checks failed to run: {type(exc).__name__}: {exc}")
        return
    report.problems.extend(f"catalogue: {p}" for p in problems)
    report.coverage.extend(f"catalogue: {c}" for c in coverage)


def check_pack(
    pack_dir: Path | None = None, *, synonyms: Path | None = None, catalogues: bool = True
) -> CheckReport:
    """Run every pack check (and, by default, the catalogue checks); never raises for a bad pack."""
    report = CheckReport()
    try:
        pack = load_pack(pack_dir)
        knowledge = PolicyKnowledge(pack, Vocabulary.load(synonyms))
    except PackError as exc:
        report.problems.append(f"pack does not load: {exc}")
    else:
        _text_problems(pack, report)
        _question_problems(pack, knowledge, report)
        _coverage(pack, report)
    if catalogues:
        _catalogue_checks(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge check", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=None, help="pack directory (default knowledge/pack)")
    parser.add_argument("--no-catalogues", action="store_true", help="skip knowledge.catalogue checks")
    parser.add_argument("--notes", action="store_true", help="also print notes (long answers etc.)")
    args = parser.parse_args(argv)
    report = check_pack(args.pack, catalogues=not args.no_catalogues)
    print("coverage:")
    for line in report.coverage:
        print(f"  {line}")
    if args.notes and report.notes:
        print("notes:")
        for line in report.notes:
            print(f"  {line}")
    if report.problems:
        print(f"problems ({len(report.problems)}):")
        for line in report.problems:
            print(f"  {line}")
        return 1
    print("pack check passed" + (f" ({len(report.notes)} notes; --notes to list)" if report.notes else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
