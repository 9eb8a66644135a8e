"""Funding eligibility as rules-as-data, in the spirit of OpenFisca: YAML declares, this module interprets.

A programme file in ``knowledge/eligibility/`` declares the facts to ask (with Chinese questions), the
conditions as tests on those facts (each with its source clause), and the amounts, quotas, next steps and
caveats to report. The conversation drives it one question at a time::

    programme = load_programme("sz-demo-2014")
    facts: dict[str, str] = {}
    while (question := next_question(programme, facts)) is not None:
        answer = parse_answer(question, user_reply(question.prompt()))   # None: ask again
        if answer is not None:
            facts[question.fact_id] = answer
    report = evaluate(programme, facts)       # also fine with facts missing: those conditions are unknown
    print(report.render())

Facts are strings in canonical form: "yes" / "no", an integer ("18"), a choice ("南山") or free text.
A programme whose source states no rules (Futian 2024) has ``rules_stated: false``: its report says so,
lists the demand items the project fits (through the category guide) and what to prepare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from rapidfuzz import fuzz, process

from knowledge.catalogue import SOURCE_DIR, to_simplified
from knowledge.category_guide import CategoryGuide, CategoryMatch
from knowledge.types import Citation

PROGRAMME_DIR = Path(__file__).parent / "eligibility"
YES = "yes"
NO = "no"

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PUNCTUATION = re.compile(r"[\s,,。.!!??~～、;;::\"“”'‘’()()]+")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千半]+)(个月|年|月|项|个|家)?")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}


class FactKind(StrEnum):
    YES_NO = "yes_no"
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"


class ConditionStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"  # every condition met
    NOT_ELIGIBLE = "not_eligible"  # at least one condition not met
    INCOMPLETE = "incomplete"  # none failed, some unknown
    NO_RULES = "no_rules"  # the source states no eligibility rules


_STATUS_MARK = {
    ConditionStatus.MET: "✓ 符合",
    ConditionStatus.NOT_MET: "✗ 不符合",
    ConditionStatus.UNKNOWN: "? 未知",
}


# --------------------------------------------------------------------------- frozen types handed out


@dataclass(frozen=True, slots=True)
class FactQuestion:
    """A question for one missing fact. `choices` are shown numbered; yes/no questions offer 是/否."""

    fact_id: str
    text: str
    kind: FactKind
    choices: tuple[str, ...] = ()
    unit: str = ""  # "个月" (durations, answers in years are converted), "项" ...

    def prompt(self) -> str:
        """The question as shown to the user, with numbered choices where there are any."""
        options = ("是", "否") if self.kind is FactKind.YES_NO else self.choices
        if not options:
            return self.text
        return self.text + "\n" + "\n".join(f"{n}. {option}" for n, option in enumerate(options, 1))


@dataclass(frozen=True, slots=True)
class Test:
    """One test on a fact: exactly one of `equals`, `at_least`, `one_of` is set."""

    equals: str | None = None
    at_least: float | None = None
    one_of: tuple[str, ...] = ()

    def passes(self, value: str) -> bool | None:
        """True/False, or None when the value cannot be tested (e.g. not a number)."""
        if self.equals is not None:
            return value == self.equals
        if self.at_least is not None:
            try:
                return float(value) >= self.at_least
            except ValueError:
                return None
        return value in self.one_of


@dataclass(frozen=True, slots=True)
class Condition:
    condition_id: str
    label: str  # Chinese, what the source requires
    fact_id: str
    test: Test
    not_met: str  # Chinese, said when the test fails
    citation: Citation


@dataclass(frozen=True, slots=True)
class InfoLine:
    """A sentence for the report with the clause it comes from (`citation` None for general advice)."""

    text: str
    citation: Citation | None


@dataclass(frozen=True, slots=True)
class EligibilityProgramme:
    """A programme loaded from ``knowledge/eligibility/<id>.yaml``."""

    programme_id: str
    title: str
    rules_stated: bool
    year: str
    status: str
    applicant: str
    facts: tuple[FactQuestion, ...]
    conditions: tuple[Condition, ...]
    info: tuple[InfoLine, ...]
    next_steps: tuple[InfoLine, ...]
    caveats: tuple[InfoLine, ...]
    district_quota: tuple[tuple[str, int], ...]  # () when the programme has none
    quota_total: int  # 0 when the programme has no quota
    quota_citation: Citation | None
    quota_total_citation: Citation | None
    no_rules: InfoLine | None  # set when rules_stated is false
    prepare: tuple[InfoLine, ...]  # what to prepare when no rules are stated
    guide_catalogue: str  # catalogue for the fit to demand items, "" if none

    def fact(self, fact_id: str) -> FactQuestion:
        for question in self.facts:
            if question.fact_id == fact_id:
                return question
        raise KeyError(fact_id)


@dataclass(frozen=True, slots=True)
class ConditionResult:
    condition_id: str
    label: str
    status: ConditionStatus
    explanation: str  # Chinese: what was answered and why it does or does not meet the condition
    citation: Citation


@dataclass(frozen=True, slots=True)
class EligibilityReport:
    """The outcome of :func:`evaluate`; `render()` gives the Chinese text for the user."""

    programme_id: str
    title: str
    rules_stated: bool
    outcome: Outcome
    summary: str  # one Chinese sentence leading the report
    conditions: tuple[ConditionResult, ...]
    info: tuple[InfoLine, ...]  # amount, match funding, quota
    next_steps: tuple[InfoLine, ...]
    caveats: tuple[InfoLine, ...]
    matches: tuple[CategoryMatch, ...] = ()  # demand items the project fits (no-rules programmes)
    prepare: tuple[InfoLine, ...] = ()
    # When the project description was too vague to match: the guide's narrowing question and choices.
    narrowing_question: str = ""
    narrowing: tuple[str, ...] = ()

    def statuses(self) -> dict[str, ConditionStatus]:
        return {c.condition_id: c.status for c in self.conditions}

    def render(self) -> str:
        lines = [self.summary]
        if self.conditions:
            lines.append("申报条件:")
            for c in self.conditions:
                lines.append(f"{_STATUS_MARK[c.status]} {c.label}:{c.explanation}({c.citation.render()})")
        if self.narrowing_question:
            lines.append("项目描述还不够具体,无法对应到需求条目。" + self.narrowing_question)
            lines.extend(f"{n}. {choice}" for n, choice in enumerate(self.narrowing, 1))
        if self.matches:
            lines.append("最接近的需求条目:")
            for n, m in enumerate(self.matches, 1):
                lines.append(f"{n}. {m.category}({m.field}):{m.reason}({m.citation.render()})")
        for title, block in (
            ("资助与名额:", self.info),
            ("申报步骤:", self.next_steps),
            ("需要准备:", self.prepare),
        ):
            if block:
                lines.append(title)
                lines.extend(_render_line(n, line) for n, line in enumerate(block, 1))
        if self.caveats:
            lines.append("请注意:")
            lines.extend(_render_line(n, line) for n, line in enumerate(self.caveats, 1))
        return "\n".join(lines)


def _render_line(n: int, line: InfoLine) -> str:
    if line.citation is None:
        return f"{n}. (一般建议,原文未规定){line.text}"
    return f"{n}. {line.text}({line.citation.render()})"


# --------------------------------------------------------------------------- YAML schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CitationRow(_Strict):
    document: NonEmpty
    locator: NonEmpty


class _FactRow(_Strict):
    id: NonEmpty
    kind: FactKind
    question: NonEmpty
    unit: str = ""
    choices: list[NonEmpty] = []

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> _FactRow:
        if (self.kind is FactKind.CHOICE) != bool(self.choices):
            raise ValueError(f"fact {self.id}: choices are required for, and only for, choice facts")
        return self


class _TestRow(_Strict):
    equals: str | None = None
    at_least: float | None = None
    one_of: list[NonEmpty] = []

    @model_validator(mode="after")
    def _exactly_one(self) -> _TestRow:
        if sum([self.equals is not None, self.at_least is not None, bool(self.one_of)]) != 1:
            raise ValueError("a test sets exactly one of equals, at_least, one_of")
        return self


class _ConditionRow(_Strict):
    id: NonEmpty
    label: NonEmpty
    fact: NonEmpty
    test: _TestRow
    quotes: list[NonEmpty] = Field(min_length=1)
    not_met: NonEmpty
    citation: _CitationRow


class _LineRow(_Strict):
    text: NonEmpty
    quotes: list[NonEmpty] = []
    citation: _CitationRow


class _PrepareRow(_Strict):
    text: NonEmpty
    basis: Literal["source", "general"]
    citation: _CitationRow | None = None

    @model_validator(mode="after")
    def _source_lines_cite(self) -> _PrepareRow:
        if (self.basis == "source") != (self.citation is not None):
            raise ValueError("prepare lines based on the source cite it; general advice cites nothing")
        if self.basis == "general" and _NUMBER.search(self.text):
            raise ValueError("general advice may not state numbers: numbers must come from a source")
        return self


class _QuotaRow(_Strict):
    quotes: list[NonEmpty] = Field(min_length=1)
    citation: _CitationRow
    quotas: dict[NonEmpty, int]
    total: int  # the programme-wide number of points, as the source states it
    total_quotes: list[NonEmpty] = Field(min_length=1)
    total_citation: _CitationRow


class _ProgrammeFile(_Strict):
    id: NonEmpty
    title: NonEmpty
    rules_stated: bool
    source_file: NonEmpty
    year: NonEmpty
    status: str = ""
    documents: dict[NonEmpty, NonEmpty]
    applicant: str = ""
    guide_catalogue: str = ""
    facts: list[_FactRow] = Field(min_length=1)
    conditions: list[_ConditionRow]
    district_quota: _QuotaRow | None = None
    info: list[_LineRow] = []
    next_steps: list[_LineRow] = []
    caveats: list[_LineRow] = []
    no_rules: _LineRow | None = None
    prepare: list[_PrepareRow] = []

    @model_validator(mode="after")
    def _consistent(self) -> _ProgrammeFile:
        fact_ids = [f.id for f in self.facts]
        if len(set(fact_ids)) != len(fact_ids):
            raise ValueError("duplicate fact ids")
        for condition in self.conditions:
            if condition.fact not in fact_ids:
                raise ValueError(f"condition {condition.id} tests unknown fact {condition.fact}")
        citations = [c.citation for c in self.conditions] + [r.citation for r in self.info]
        citations += [r.citation for r in self.next_steps + self.caveats] + [
            p.citation for p in self.prepare if p.citation
        ]
        if self.district_quota:
            citations += [self.district_quota.citation, self.district_quota.total_citation]
        if self.no_rules:
            citations.append(self.no_rules.citation)
        unknown = sorted({c.document for c in citations} - set(self.documents))
        if unknown:
            raise ValueError(f"citations name undeclared documents: {unknown}")
        if self.rules_stated:
            if not self.conditions or self.no_rules is not None:
                raise ValueError("a programme with rules states conditions and no `no_rules` note")
        elif self.conditions or self.no_rules is None or not self.prepare:
            raise ValueError(
                "a programme without rules has no conditions, a `no_rules` note and `prepare` lines"
            )
        return self


class _AnswersFile(_Strict):
    unsure: list[NonEmpty]
    yes_phrases: list[NonEmpty]
    no_words: list[NonEmpty]
    no_start_words: list[NonEmpty]
    yes_words: list[NonEmpty]
    yes_start_words: list[NonEmpty]
    ordinals: dict[NonEmpty, int]
    months_per_unit: dict[NonEmpty, int]
    place_suffixes: list[NonEmpty]


# --------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def list_programmes() -> tuple[str, ...]:
    """Ids of the programmes in ``knowledge/eligibility/`` (files starting with "_" are vocabulary)."""
    return tuple(sorted(p.stem for p in PROGRAMME_DIR.glob("*.yaml") if not p.stem.startswith("_")))


@cache
def _parsed(programme_id: str) -> _ProgrammeFile:
    if programme_id not in list_programmes():
        raise KeyError(f"unknown programme {programme_id!r}; known: {', '.join(list_programmes())}")
    parsed = _ProgrammeFile.model_validate(_read_yaml(PROGRAMME_DIR / f"{programme_id}.yaml"))
    if parsed.id != programme_id:
        raise ValueError(f"{programme_id}.yaml declares id {parsed.id!r}")
    return parsed


@cache
def _answers() -> _AnswersFile:
    return _AnswersFile.model_validate(_read_yaml(PROGRAMME_DIR / "_answers.yaml"))


@cache
def load_programme(programme_id: str) -> EligibilityProgramme:
    """Load and validate one programme (cached; immutable). Raises ``KeyError`` for an unknown id."""
    parsed = _parsed(programme_id)

    def cite(row: _CitationRow) -> Citation:
        return Citation(parsed.id, parsed.documents[row.document], row.locator, parsed.year, parsed.status)

    def line(row: _LineRow) -> InfoLine:
        return InfoLine(row.text, cite(row.citation))

    quota = parsed.district_quota
    return EligibilityProgramme(
        programme_id=parsed.id,
        title=parsed.title,
        rules_stated=parsed.rules_stated,
        year=parsed.year,
        status=parsed.status,
        applicant=parsed.applicant,
        facts=tuple(FactQuestion(f.id, f.question, f.kind, tuple(f.choices), f.unit) for f in parsed.facts),
        conditions=tuple(
            Condition(
                condition_id=c.id,
                label=c.label,
                fact_id=c.fact,
                test=Test(c.test.equals, c.test.at_least, tuple(c.test.one_of)),
                not_met=c.not_met,
                citation=cite(c.citation),
            )
            for c in parsed.conditions
        ),
        info=tuple(line(r) for r in parsed.info),
        next_steps=tuple(line(r) for r in parsed.next_steps),
        caveats=tuple(line(r) for r in parsed.caveats),
        district_quota=tuple(quota.quotas.items()) if quota else (),
        quota_total=quota.total if quota else 0,
        quota_citation=cite(quota.citation) if quota else None,
        quota_total_citation=cite(quota.total_citation) if quota else None,
        no_rules=line(parsed.no_rules) if parsed.no_rules else None,
        prepare=tuple(InfoLine(p.text, cite(p.citation) if p.citation else None) for p in parsed.prepare),
        guide_catalogue=parsed.guide_catalogue,
    )


def check_programme(programme_id: str) -> list[str]:
    """Problems tying a programme file to its source: quotes not in the source, numbers not in the quotes."""
    parsed = _parsed(programme_id)
    source = re.sub(r"\s+", "", (SOURCE_DIR / parsed.source_file).read_text(encoding="utf-8"))
    problems: list[str] = []
    rows: list[tuple[str, Sequence[str], Sequence[str]]] = []
    for c in parsed.conditions:
        rows.append((f"condition {c.id}", [c.label, c.not_met], c.quotes))
    for kind, block in (("info", parsed.info), ("next step", parsed.next_steps), ("caveat", parsed.caveats)):
        rows += [(f"{kind} {n}", [r.text], r.quotes) for n, r in enumerate(block, 1)]
    if parsed.no_rules:
        rows.append(("no_rules", [parsed.no_rules.text], parsed.no_rules.quotes))
    if parsed.district_quota:
        quota = parsed.district_quota
        rows.append(("district quota", [f"{d}{n}" for d, n in quota.quotas.items()], quota.quotes))
        rows.append(("quota total", [str(quota.total)], quota.total_quotes))
    for where, texts, quotes in rows:
        for quote in quotes:
            if re.sub(r"\s+", "", quote) not in source:
                problems.append(f"{programme_id} {where}: quote not found in {parsed.source_file}: {quote}")
        quoted = {n for q in quotes for n in _NUMBER.findall(q)}
        for text in texts:
            for number in _NUMBER.findall(text):
                if number not in quoted and not (where == "no_rules" and number in _NUMBER.findall(source)):
                    problems.append(f"{programme_id} {where}: number {number} is not in its quotes")
    return problems


# --------------------------------------------------------------------------- asking


def _valid(question: FactQuestion, value: str | None) -> bool:
    if value is None or not value.strip():
        return False
    if question.kind is FactKind.YES_NO:
        return value in (YES, NO)
    if question.kind is FactKind.NUMBER:
        return _NUMBER.fullmatch(value) is not None
    if question.kind is FactKind.CHOICE:
        return value in question.choices
    return True


def next_question(programme: EligibilityProgramme, facts: Mapping[str, str]) -> FactQuestion | None:
    """The next fact to ask, in the programme's order, or None when nothing is missing.

    A fact counts as missing when absent or not in canonical form (e.g. "abc" for a number).
    All facts are asked even after a condition fails, so the report lists everything to fix.
    """
    for question in programme.facts:
        if not _valid(question, facts.get(question.fact_id)):
            return question
    return None


def _normalise_answer(text: str) -> str:
    return _PUNCTUATION.sub("", to_simplified(text)).lower()


def is_unsure(text: str) -> bool:
    """Whether an answer says "I don't know" (不清楚, 唔知, 不確定 ...): the fact stays unknown.

    :func:`parse_answer` gives None both for these and for answers it cannot read; a conversation
    moves on after the first and asks again after the second.
    """
    cleaned = _normalise_answer(text)
    return bool(cleaned) and any(w in cleaned for w in _answers().unsure)


def _yes_no(text: str) -> str | None:
    words = _answers()
    if text in ("1", "2"):
        return YES if text == "1" else NO
    if any(w in text for w in words.unsure):
        return None
    if any(w in text for w in words.yes_phrases):
        return YES
    # No-words first: most negative answers contain a yes-word (没有 contains 有, 不是 contains 是).
    if any(w in text for w in words.no_words) or text.startswith(tuple(words.no_start_words)):
        return NO
    if any(w in text for w in words.yes_words) or text.startswith(tuple(words.yes_start_words)):
        return YES
    return None


def chinese_number(text: str) -> float | None:
    """Value of a Chinese numeral such as 十二, 二十五, 一百零八, 两, 半 (0.5); None if not one."""
    if text == "半":
        return 0.5
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _MULTIPLIERS:
            total += (current or 1) * _MULTIPLIERS[ch]
            current = 0
        else:
            return None
    return float(total + current)


def _amount(text: str, unit: str) -> str | None:
    """A count or duration: Arabic or Chinese numerals; durations in 个月 convert years to months."""
    months = _answers().months_per_unit
    total = 0.0
    found = False
    previous_unit = ""
    for number, unit_word in _AMOUNT.findall(text):
        value = float(number) if number[0].isdigit() else chinese_number(number)
        if value is None:
            continue
        found = True
        if unit == "个月":
            if not unit_word and number == "半" and previous_unit == "年":
                total += 6  # 一年半
            else:
                total += value * months.get(unit_word or "个月", 1)
            previous_unit = unit_word
        else:
            total = value
            break
    if not found:
        return None
    return str(int(total)) if total == int(total) else str(total)


def _choice(question: FactQuestion, text: str) -> str | None:
    answers = _answers()
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    for word, n in answers.ordinals.items():
        if text.startswith(word) and n <= len(question.choices):
            return question.choices[n - 1]
    for choice in question.choices:
        if choice in text:
            return choice
    stripped = text
    for suffix in answers.place_suffixes:
        stripped = stripped.removesuffix(suffix)
    best = process.extractOne(stripped, question.choices, scorer=fuzz.ratio)
    return best[0] if best is not None and best[1] >= 80 else None


def parse_answer(question: FactQuestion, text: str) -> str | None:
    """The canonical fact value for a free-text answer, or None when the answer cannot be read.

    yes/no: 是/有/对/1/係/有嘅 -> "yes"; 没有/不是/2/冇/唔係 -> "no"; 不知道 -> None.
    number: "18个月" -> "18", "十二项" -> "12", "两年" -> "24" (for durations in months), "一年半" -> "18".
    choice: the choice's number ("3"), 第三个, or its name (南山区, 羅湖 -> 罗湖).
    text: the answer itself, trimmed.
    """
    cleaned = _normalise_answer(text)
    if not cleaned:
        return None
    if question.kind is FactKind.YES_NO:
        return _yes_no(cleaned)
    if question.kind is FactKind.NUMBER:
        return _amount(cleaned, question.unit)
    if question.kind is FactKind.CHOICE:
        return _choice(question, cleaned)
    return text.strip()


# --------------------------------------------------------------------------- evaluating


def _describe(question: FactQuestion, value: str) -> str:
    if question.kind is FactKind.YES_NO:
        return "是" if value == YES else "否"
    if question.kind is FactKind.NUMBER:
        return f"{value} {question.unit}".strip()
    return value


def _judge(
    programme: EligibilityProgramme, condition: Condition, facts: Mapping[str, str]
) -> ConditionResult:
    question = programme.fact(condition.fact_id)
    value = facts.get(condition.fact_id)
    passed = condition.test.passes(value) if _valid(question, value) and value is not None else None
    if passed is None:
        status, explanation = ConditionStatus.UNKNOWN, "还不知道,需要确认:" + question.text
    elif passed:
        status, explanation = ConditionStatus.MET, f"你们的回答:{_describe(question, value or '')}"
    else:
        status = ConditionStatus.NOT_MET
        explanation = f"你们的回答:{_describe(question, value or '')}。{condition.not_met}"
    return ConditionResult(condition.condition_id, condition.label, status, explanation, condition.citation)


def _quota_lines(programme: EligibilityProgramme, facts: Mapping[str, str]) -> tuple[InfoLine, ...]:
    if not programme.district_quota:
        return ()
    quotas = dict(programme.district_quota)
    district = facts.get("district")
    lines: list[InfoLine] = []
    if district in quotas:
        lines.append(
            InfoLine(f"{district}区的试点社区名额为 {quotas[district]} 个。", programme.quota_citation)
        )
    else:
        listing = "、".join(f"{d}{n}" for d, n in programme.district_quota)
        lines.append(InfoLine(f"各区试点社区名额:{listing}。", programme.quota_citation))
    lines.append(
        InfoLine(f"全市最后确定 {programme.quota_total} 个左右的示范点。", programme.quota_total_citation)
    )
    return tuple(lines)


def _summary(programme: EligibilityProgramme, results: Sequence[ConditionResult]) -> tuple[Outcome, str]:
    when = f"{programme.year} 年{programme.status}" if programme.status else f"{programme.year} 年"
    failed = [r for r in results if r.status is ConditionStatus.NOT_MET]
    unknown = [r for r in results if r.status is ConditionStatus.UNKNOWN]
    if failed:
        names = "、".join(r.label for r in failed)
        return (
            Outcome.NOT_ELIGIBLE,
            f"按《{programme.title}》{when}的条件,有 {len(failed)} 项不符合:{names}。",
        )
    if unknown:
        return (
            Outcome.INCOMPLETE,
            f"按《{programme.title}》{when}的条件,还有 {len(unknown)} 项需要确认,暂时无法判断。",
        )
    return Outcome.ELIGIBLE, f"按《{programme.title}》{when}的条件,你们符合全部 {len(results)} 项申报条件。"


def evaluate(programme: EligibilityProgramme, facts: Mapping[str, str]) -> EligibilityReport:
    """Judge every condition (met / not met / unknown) and assemble the report.

    For programmes without stated rules the outcome is ``NO_RULES``; if a project description is among
    the facts, the report lists the catalogue items it fits (best first) and what to prepare.
    """
    if not programme.rules_stated:
        return _no_rules_report(programme, facts)
    results = tuple(_judge(programme, c, facts) for c in programme.conditions)
    outcome, summary = _summary(programme, results)
    return EligibilityReport(
        programme_id=programme.programme_id,
        title=programme.title,
        rules_stated=True,
        outcome=outcome,
        summary=summary,
        conditions=results,
        info=programme.info + _quota_lines(programme, facts),
        next_steps=programme.next_steps,
        caveats=programme.caveats,
    )


def _no_rules_report(programme: EligibilityProgramme, facts: Mapping[str, str]) -> EligibilityReport:
    assert programme.no_rules is not None  # validated at load
    description = facts.get("description", "").strip()
    matches: tuple[CategoryMatch, ...] = ()
    narrowing_question = ""
    narrowing: tuple[str, ...] = ()
    if description and programme.guide_catalogue:
        result = CategoryGuide.load().rank(description, catalogue=programme.guide_catalogue)
        matches = result.matches
        narrowing_question, narrowing = result.narrowing_question, result.narrowing
    citation = programme.no_rules.citation
    return EligibilityReport(
        programme_id=programme.programme_id,
        title=programme.title,
        rules_stated=False,
        outcome=Outcome.NO_RULES,
        summary=programme.no_rules.text + (f"({citation.render()})" if citation else ""),
        conditions=(),
        info=(),
        next_steps=programme.next_steps,
        caveats=programme.caveats,
        matches=matches,
        prepare=programme.prepare,
        narrowing_question=narrowing_question,
        narrowing=narrowing,
    )
