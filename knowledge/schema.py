"""The pydantic schema of the policy knowledge pack: source registry, cleaning rules and records.

The pack is human-edited YAML; these models are the contract its files must meet. They validate
shape and local consistency only; cross-record rules (unique ids, known sources, quotes found in the
cleaned source, numbers traceable) live in `knowledge.pack` (load) and `knowledge.check` (check).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

UNDATED = "年份不详"

RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# YAML reads a bare 12349 as a number; a keyword is always text.
Keyword = Annotated[ShortText, BeforeValidator(lambda v: str(v) if isinstance(v, int | float) else v)]

# What a record is about; dialogs and the console may group or label records by it.
Kind = Literal[
    "amount",  # money: how much is paid or funded
    "quota",  # how many places, points, people
    "condition",  # who may apply, what must be true
    "procedure",  # steps, who submits what to whom
    "deadline",  # dates and time limits
    "service",  # what is provided to residents
    "contact",  # phone, e-mail, office
    "programme",  # what a programme or document is
    "item",  # one catalogue item or project
    "rule",  # obligations and restrictions
    "lead",  # who leads or manages what
    "result",  # what was achieved (reports)
    "faq",  # a curated question/answer pair
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CleaningSpec(_Frozen):
    """How one source file is turned into the clean, Simplified text that quotes and numbers are checked against.

    Steps run in this order: repairs, keep_after/keep_before, drop_lines, drop_patterns, page_numbers,
    pinyin, to_simplified.
    """

    repairs: dict[str, str] = Field(default_factory=dict)  # raw span -> repaired span (mojibake fixes)
    keep_after: str | None = None  # drop everything up to and including this marker (site header)
    keep_before: str | None = None  # drop this marker and everything after it (site footer)
    drop_lines: tuple[str, ...] = ()  # regexes; a matching line is removed
    drop_patterns: tuple[str, ...] = ()  # regexes; matches are removed wherever they occur
    page_numbers: bool = False  # lines start with a glued page number "N、" and break mid-sentence
    pinyin: bool = False  # remove pinyin inserted in parentheses after characters: 項(xiàng)目 -> 項目
    to_simplified: bool = True  # OpenCC t2s

    @field_validator("drop_lines", "drop_patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
        return patterns


class SourceSpec(_Frozen):
    """One source document (file), its citation data and how to clean it."""

    id: SourceId
    file: ShortText
    title: ShortText  # the document's own title, as cited
    documents: dict[str, ShortText] = Field(default_factory=dict)  # key -> title of a part cited on its own
    year: ShortText  # "2014", or 年份不详
    status: str = ""  # e.g. 征求意见稿
    figures: bool = True  # False: the source is not binding; answers from it must state no figures
    # What residents call the document (南山, 示范点): searchable with every record of the source.
    aliases: tuple[ShortText, ...] = ()
    cleaning: CleaningSpec = Field(default_factory=CleaningSpec)

    @field_validator("year")
    @classmethod
    def _year(cls, year: str) -> str:
        if year != UNDATED and not re.fullmatch(r"(19|20)\d\d", year):
            raise ValueError(f"year must be four digits or {UNDATED!r}, got {year!r}")
        return year


class SourcesFile(_Frozen):
    """The pack's source registry (sources.yml)."""

    sources_dir: str | None = None  # relative to the pack directory; default knowledge/sources
    sources: tuple[SourceSpec, ...] = Field(min_length=1)


class RecordSpec(_Frozen):
    """One fact (or curated Q/A pair) with the verbatim source text that supports it."""

    id: RecordId
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
    kind: Kind
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=120)]
    # Verbatim from the cleaned source; "……" joins fragments that must occur in this order.
    quote: tuple[ShortText, ...] = Field(min_length=1)
    source: SourceId
    document: str | None = None  # a key of the source's `documents`; default: the source's title
    locator: ShortText  # item number / section in the document
    year: ShortText
    questions: tuple[ShortText, ...] = Field(min_length=2)
    keywords: tuple[Keyword, ...] = ()
    related: tuple[RecordId, ...] = ()
    # The answer says the source states no such figure (福田目录没有写资助金额): a question asking for a
    # figure may be answered by it. Retrieval otherwise distrusts a figure-less answer to such a question.
    figure_absent: bool = False

    @field_validator("quote", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _distinct_questions(self) -> RecordSpec:
        if len(set(self.questions)) != len(self.questions):
            raise ValueError("a question is listed twice")
        return self


class PackFile(_Frozen):
    """One YAML file of records; `source`, `year` and `document` are defaults for its records."""

    source: SourceId | None = None
    year: str | None = None
    document: str | None = None
    records: tuple[dict[str, object], ...] = Field(min_length=1)  # validated one by one as RecordSpec


class SynonymsFile(_Frozen):
    """knowledge/synonyms.yml: the words residents use, for query expansion and scope guards."""

    subjects: tuple[tuple[Keyword, ...], ...] = Field(min_length=1)  # who and what a question is about
    terms: tuple[tuple[Keyword, ...], ...] = ()  # money, actions, question types
    stopwords: tuple[ShortText, ...] = ()
    figure_cues: tuple[ShortText, ...] = ()
    date_cues: tuple[ShortText, ...] = ()
    outside_places: tuple[ShortText, ...] = ()
    local_places: tuple[ShortText, ...] = ()
    off_topics: tuple[ShortText, ...] = ()
    money_cues: tuple[ShortText, ...] = ()

    @field_validator("subjects", "terms")
    @classmethod
    def _groups(cls, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in groups:
            if len(group) < 2:
                raise ValueError(f"a synonym group needs at least two words: {list(group)}")
        return groups
