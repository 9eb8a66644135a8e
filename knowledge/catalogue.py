"""Demand and project catalogues as validated data, and the check that ties them to their sources.

Three catalogues live in ``knowledge/catalogues/`` as YAML, validated by pydantic at load:

* ``futian-2024``: the 22 items of the 2024 Futian demand catalogue (source 000), :class:`DemandItem`;
* ``sz-demo-2014``: the 17 first-batch items of the 2014 Shenzhen demonstration-point programme
  (source 002, draft for comment), :class:`ProgrammeItem`;
* ``nanshan-2012``: the 10 Nanshan 2012 project requirements (source 003), :class:`ProjectItem`.

``lexicon.yaml`` beside them holds the shared search vocabulary (target groups, colloquial aliases,
generic words, narrowing choices), loaded as :class:`Lexicon`.

All three item types expose the same read-only attributes the category guide relies on:
``item_id``, ``number``, ``title``, ``field``, ``text``, ``target_groups``, ``keywords``,
``activities`` and ``citation``.

:func:`check_catalogues` re-reads the sources and returns ``(problems, coverage_lines)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import opencc
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.types import Citation

CATALOGUE_DIR = Path(__file__).parent / "catalogues"
SOURCE_DIR = Path(__file__).parent / "sources"
CATALOGUE_IDS: tuple[str, ...] = ("futian-2024", "sz-demo-2014", "nanshan-2012")

MANDATORY_FIELD = "原则上应纳入"
OPTIONAL_FIELD = "可选择纳入"

# Pinyin inserted after characters in source 003, e.g. 項(xiàng): lower-case Latin letters with tone marks.
_PINYIN = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňḿ]+)\)")
_PAGE_NUMBER = re.compile(r"^\d+、")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WHITESPACE = re.compile(r"\s+")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# --------------------------------------------------------------------------- frozen types handed out


@dataclass(frozen=True, slots=True)
class DemandItem:
    """One row of the Futian 2024 demand catalogue."""

    item_id: str
    number: int
    field: str  # 项目领域, filled down from the row above where the source cell is empty
    field_filled_down: bool
    category: str  # 需求类别
    need: str  # 项目需求, verbatim minus <p> tags
    target_groups: tuple[str, ...]
    activities: tuple[str, ...]  # phrases quoted from `need`
    keywords: tuple[str, ...]
    citation: Citation

    @property
    def title(self) -> str:
        return self.category

    @property
    def text(self) -> str:
        return self.need


@dataclass(frozen=True, slots=True)
class ProgrammeItem:
    """One first-batch item of the 2014 demonstration-point programme (附件2 申请表 order)."""

    item_id: str
    number: int
    name: str  # wording of the application form
    heading: str  # wording of 附件1 特色项目内容说明 (same as name unless the source differs)
    section: str  # where the description is, e.g. 附件1 特色项目内容说明 1、(3)
    description: str
    mandatory: bool  # 原则上应纳入 (1-7) or 可选择纳入 (8-17)
    commercial: bool  # earns the community money: no 福彩公益金 for it
    revenue: str  # the source's words on money the item brings in, "" if none
    target_groups: tuple[str, ...]
    keywords: tuple[str, ...]
    citation: Citation

    @property
    def title(self) -> str:
        return self.name

    @property
    def field(self) -> str:
        return MANDATORY_FIELD if self.mandatory else OPTIONAL_FIELD

    @property
    def text(self) -> str:
        return self.description

    @property
    def activities(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class ProjectItem:
    """One Nanshan 2012 project requirement (Simplified text for matching, original Traditional name kept)."""

    item_id: str
    number: int
    name: str
    original_name: str
    summary: tuple[str, ...]  # clauses quoted from 主要内容及要求
    sites: tuple[str, ...]  # 示范点
    key_areas: tuple[str, ...]  # 重点推进
    deadline: tuple[str, ...]  # 进度要求
    lead_units: tuple[str, ...]  # 牵头单位
    truncated: str  # what the source lost, "" if complete
    target_groups: tuple[str, ...]
    keywords: tuple[str, ...]
    citation: Citation

    @property
    def title(self) -> str:
        return self.name

    @property
    def field(self) -> str:
        return ""

    @property
    def text(self) -> str:
        return ";".join(self.summary)

    @property
    def activities(self) -> tuple[str, ...]:
        return ()


CatalogueItem = DemandItem | ProgrammeItem | ProjectItem


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A loaded catalogue; `items` are in source order."""

    catalogue_id: str
    kind: str
    title: str
    year: str
    status: str
    source_file: str
    items: tuple[CatalogueItem, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """Distinct non-empty fields in source order (the choices of a "which field?" question)."""
        seen: dict[str, None] = {}
        for item in self.items:
            if item.field:
                seen.setdefault(item.field, None)
        return tuple(seen)

    def item(self, item_id: str) -> CatalogueItem:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True, slots=True)
class TargetGroup:
    name: str
    label: str
    aliases: tuple[str, ...]
    broad: bool = False  # so wide (all residents, children) that naming it alone is not specific


@dataclass(frozen=True, slots=True)
class NarrowingGroup:
    """One choice of the "which group of people?" question and the target groups it covers."""

    label: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Shared search vocabulary (Simplified)."""

    groups: tuple[TargetGroup, ...]
    aliases: tuple[tuple[str, tuple[str, ...]], ...]  # colloquial word -> catalogue words
    generic: frozenset[str]
    narrowing_groups: tuple[NarrowingGroup, ...]
    field_aliases: tuple[tuple[str, tuple[str, ...]], ...]  # field -> short names

    def group(self, name: str) -> TargetGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)


# --------------------------------------------------------------------------- YAML schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _DemandRow(_Strict):
    id: NonEmpty
    number: int = Field(ge=1)
    field: NonEmpty
    field_filled_down: bool
    category: NonEmpty
    need: NonEmpty
    target_groups: list[NonEmpty] = Field(min_length=1)
    activities: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(min_length=3)

    @model_validator(mode="after")
    def _activities_quote_need(self) -> _DemandRow:
        missing = [a for a in self.activities if a not in self.need]
        if missing:
            raise ValueError(f"{self.id}: activities not quoted from need: {missing}")
        if "<p>" in self.need or "</p>" in self.need:
            raise ValueError(f"{self.id}: need still carries <p> tags")
        return self


class _ProgrammeRow(_Strict):
    id: NonEmpty
    number: int = Field(ge=1)
    name: NonEmpty
    heading: str = ""
    section: NonEmpty
    mandatory: bool
    commercial: bool
    revenue: str = ""
    description: NonEmpty
    target_groups: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(min_length=3)

    @model_validator(mode="after")
    def _commercial_has_revenue(self) -> _ProgrammeRow:
        if self.commercial and not self.revenue:
            raise ValueError(f"{self.id}: a commercial item must quote its revenue")
        if self.revenue and self.revenue not in self.description:
            raise ValueError(f"{self.id}: revenue is not quoted from the description")
        return self


class _ProjectRow(_Strict):
    id: NonEmpty
    number: int = Field(ge=1)
    name: NonEmpty
    original_name: NonEmpty
    summary: list[NonEmpty] = Field(min_length=1)
    sites: list[NonEmpty] = Field(min_length=1)
    key_areas: list[NonEmpty]
    deadline: list[NonEmpty]
    lead_units: list[NonEmpty]
    truncated: str = ""
    target_groups: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(min_length=3)

    @model_validator(mode="after")
    def _complete_or_truncated(self) -> _ProjectRow:
        if not (self.deadline and self.lead_units) and not self.truncated:
            raise ValueError(f"{self.id}: deadline/lead units may be empty only when `truncated` says why")
        return self


class _Repair(_Strict):
    damaged: NonEmpty
    repaired: NonEmpty
    why: NonEmpty


class _Cleaning(_Strict):
    start_after: NonEmpty
    end_before: NonEmpty
    repairs: list[_Repair] = []


class _CatalogueHeader(_Strict):
    id: NonEmpty
    title: NonEmpty
    source_file: NonEmpty
    year: NonEmpty
    status: str = ""


class _DemandFile(_CatalogueHeader):
    kind: Literal["demand"]
    items: list[_DemandRow]


class _ProgrammeFile(_CatalogueHeader):
    kind: Literal["programme_items"]
    items: list[_ProgrammeRow]


class _ProjectFile(_CatalogueHeader):
    kind: Literal["project_requirements"]
    original_title: NonEmpty
    cleaning: _Cleaning
    items: list[_ProjectRow]


class _CatalogueFile(_Strict):
    """Wrapper so pydantic picks the file model by `kind`."""

    catalogue: Annotated[_DemandFile | _ProgrammeFile | _ProjectFile, Field(discriminator="kind")]


class _GroupRow(_Strict):
    name: NonEmpty
    broad: bool = False
    label: NonEmpty
    aliases: list[NonEmpty] = Field(min_length=1)


class _NarrowingRow(_Strict):
    label: NonEmpty
    groups: list[NonEmpty] = Field(min_length=1)


class _LexiconFile(_Strict):
    groups: list[_GroupRow] = Field(min_length=1)
    aliases: dict[NonEmpty, list[NonEmpty]]
    generic: list[NonEmpty]
    narrowing_groups: list[_NarrowingRow] = Field(min_length=2)
    field_aliases: dict[NonEmpty, list[NonEmpty]]

    @model_validator(mode="after")
    def _narrowing_names_groups(self) -> _LexiconFile:
        names = {g.name for g in self.groups}
        if len(names) != len(self.groups):
            raise ValueError("duplicate group names in lexicon")
        unknown = sorted({g for row in self.narrowing_groups for g in row.groups} - names)
        if unknown:
            raise ValueError(f"narrowing_groups name unknown groups: {unknown}")
        return self


# --------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def _parsed(catalogue_id: str) -> _DemandFile | _ProgrammeFile | _ProjectFile:
    path = CATALOGUE_DIR / f"{catalogue_id}.yaml"
    if catalogue_id not in CATALOGUE_IDS or not path.exists():
        raise KeyError(f"unknown catalogue {catalogue_id!r}; known: {', '.join(CATALOGUE_IDS)}")
    parsed = _CatalogueFile.model_validate({"catalogue": _read_yaml(path)}).catalogue
    if parsed.id != catalogue_id:
        raise ValueError(f"{path.name} declares id {parsed.id!r}")
    return parsed


def _t(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _demand_items(parsed: _DemandFile) -> tuple[DemandItem, ...]:
    return tuple(
        DemandItem(
            item_id=row.id,
            number=row.number,
            field=row.field,
            field_filled_down=row.field_filled_down,
            category=row.category,
            need=row.need,
            target_groups=_t(row.target_groups),
            activities=_t(row.activities),
            keywords=_t(row.keywords),
            citation=Citation(parsed.id, parsed.title, f"序号 {row.number}", parsed.year, parsed.status),
        )
        for row in parsed.items
    )


def _programme_items(parsed: _ProgrammeFile) -> tuple[ProgrammeItem, ...]:
    return tuple(
        ProgrammeItem(
            item_id=row.id,
            number=row.number,
            name=row.name,
            heading=row.heading or row.name,
            section=row.section,
            description=row.description,
            mandatory=row.mandatory,
            commercial=row.commercial,
            revenue=row.revenue,
            target_groups=_t(row.target_groups),
            keywords=_t(row.keywords),
            citation=Citation(
                parsed.id,
                parsed.title,
                f"{row.section};附件2 项目申请表 序号 {row.number}",
                parsed.year,
                parsed.status,
            ),
        )
        for row in parsed.items
    )


def _project_items(parsed: _ProjectFile) -> tuple[ProjectItem, ...]:
    return tuple(
        ProjectItem(
            item_id=row.id,
            number=row.number,
            name=row.name,
            original_name=row.original_name,
            summary=_t(row.summary),
            sites=_t(row.sites),
            key_areas=_t(row.key_areas),
            deadline=_t(row.deadline),
            lead_units=_t(row.lead_units),
            truncated=row.truncated,
            target_groups=_t(row.target_groups),
            keywords=_t(row.keywords),
            citation=Citation(
                parsed.id, parsed.title, f"{row.number}、{row.name}", parsed.year, parsed.status
            ),
        )
        for row in parsed.items
    )


@cache
def load_catalogue(catalogue_id: str) -> Catalogue:
    """Load and validate one catalogue (cached; the result is immutable).

    Raises ``KeyError`` for an unknown id and ``pydantic.ValidationError`` for a malformed file.
    Every item's target groups must exist in the lexicon.
    """
    parsed = _parsed(catalogue_id)
    items: tuple[CatalogueItem, ...]
    if isinstance(parsed, _DemandFile):
        items = _demand_items(parsed)
    elif isinstance(parsed, _ProgrammeFile):
        items = _programme_items(parsed)
    else:
        items = _project_items(parsed)
    known = {g.name for g in load_lexicon().groups}
    for item in items:
        unknown = set(item.target_groups) - known
        if unknown:
            raise ValueError(f"{item.item_id}: target groups not in lexicon.yaml: {sorted(unknown)}")
    return Catalogue(
        catalogue_id=parsed.id,
        kind=parsed.kind,
        title=parsed.title,
        year=parsed.year,
        status=parsed.status,
        source_file=parsed.source_file,
        items=items,
    )


def load_all_catalogues() -> tuple[Catalogue, ...]:
    return tuple(load_catalogue(cid) for cid in CATALOGUE_IDS)


@cache
def load_lexicon() -> Lexicon:
    """Load and validate ``lexicon.yaml`` (cached)."""
    parsed = _LexiconFile.model_validate(_read_yaml(CATALOGUE_DIR / "lexicon.yaml"))
    return Lexicon(
        groups=tuple(TargetGroup(g.name, g.label, _t(g.aliases), g.broad) for g in parsed.groups),
        aliases=tuple((word, _t(targets)) for word, targets in parsed.aliases.items()),
        generic=frozenset(parsed.generic),
        narrowing_groups=tuple(NarrowingGroup(n.label, _t(n.groups)) for n in parsed.narrowing_groups),
        field_aliases=tuple((name, _t(short)) for name, short in parsed.field_aliases.items()),
    )


# --------------------------------------------------------------------------- cleaned sources


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional to Simplified Chinese (OpenCC t2s); Simplified text passes unchanged."""
    return _t2s().convert(text)


def _source_text(source_file: str) -> str:
    return (SOURCE_DIR / source_file).read_text(encoding="utf-8")


def clean_nanshan_traditional(raw: str, cleaning: _Cleaning) -> str:
    """Source 003 cleaned but still Traditional: pinyin, page numbers, boilerplate and mojibake removed."""
    text = _PINYIN.sub("", raw)
    start = text.find(cleaning.start_after)
    end = text.find(cleaning.end_before)
    if start < 0 or end < 0:
        raise ValueError("source 003 no longer has the declared boilerplate markers")
    body = text[start + len(cleaning.start_after) : end]
    # Each line starts with the page number of the original document glued to the text ("7、辦事處...").
    text = "".join(_PAGE_NUMBER.sub("", line) for line in body.strip("\n").split("\n"))
    for repair in cleaning.repairs:
        text = text.replace(repair.damaged, repair.repaired)
    return text


def _strip_p_tags(text: str) -> str:
    return re.sub(r"</?p>", "", text)


@cache
def cleaned_source(catalogue_id: str) -> str:
    """The catalogue's source document, cleaned and in Simplified Chinese, as the checks compare it."""
    parsed = _parsed(catalogue_id)
    raw = _source_text(parsed.source_file)
    if isinstance(parsed, _ProjectFile):
        return to_simplified(clean_nanshan_traditional(raw, parsed.cleaning))
    if isinstance(parsed, _DemandFile):
        return _strip_p_tags(raw)
    return raw


def _squash(text: str) -> str:
    """Whitespace-free form: the sources wrap and pad text arbitrarily, the data does not."""
    return _WHITESPACE.sub("", text)


# --------------------------------------------------------------------------- checks


def _futian_rows(raw: str) -> list[tuple[int, str, str, str]]:
    """(number, filled-down field, category, need) from the tab-separated source 000."""
    rows: list[tuple[int, str, str, str]] = []
    field = ""
    for line in raw.splitlines():
        cells = line.split("\t")
        if len(cells) < 4 or not cells[0].strip().isdigit():
            continue
        field = cells[1].strip() or field
        rows.append((int(cells[0]), field, _squash(cells[2]), _squash(_strip_p_tags(cells[3]))))
    return rows


def _check_ids(catalogue: Catalogue) -> list[str]:
    problems: list[str] = []
    ids = [item.item_id for item in catalogue.items]
    expected = [f"{catalogue.catalogue_id}-{n:02d}" for n in range(1, len(ids) + 1)]
    if ids != expected:
        problems.append(f"{catalogue.catalogue_id}: ids are not contiguous from 01: {ids}")
    if len(set(ids)) != len(ids):
        problems.append(f"{catalogue.catalogue_id}: duplicate ids")
    for item in catalogue.items:
        if not item.item_id.endswith(f"-{item.number:02d}"):
            problems.append(f"{item.item_id}: number {item.number} does not match the id")
    return problems


def _check_quotes(item_id: str, quotes: Iterable[tuple[str, str]], source: str) -> list[str]:
    squashed = _squash(source)
    return [
        f"{item_id}: {what} not found in the cleaned source: {text[:40]}"
        for what, text in quotes
        if _squash(text) not in squashed
    ]


def _check_numbers(item_id: str, texts: Iterable[str], source: str) -> list[str]:
    present = set(_NUMBER.findall(source))
    problems: list[str] = []
    for text in texts:
        for number in _NUMBER.findall(text):
            if number not in present:
                problems.append(f"{item_id}: number {number} is not in the source")
    return problems


def _quoted_fields(item: CatalogueItem) -> list[tuple[str, str]]:
    if isinstance(item, DemandItem):
        return [("field", item.field), ("category", item.category), ("need", item.need)]
    if isinstance(item, ProgrammeItem):
        return [("name", item.name), ("heading", item.heading), ("description", item.description)]
    quotes = [("name", item.name)]
    quotes += [("summary", s) for s in item.summary]
    quotes += [("site", s) for s in item.sites]
    quotes += [("key area", s) for s in item.key_areas]
    quotes += [("deadline", s) for s in item.deadline]
    quotes += [("lead unit", s) for s in item.lead_units]
    return quotes


def _check_futian(catalogue: Catalogue) -> list[str]:
    rows = _futian_rows(_source_text(catalogue.source_file))
    problems: list[str] = []
    if len(rows) != len(catalogue.items):
        problems.append(f"futian-2024: source has {len(rows)} rows, catalogue {len(catalogue.items)} items")
    for (number, field, category, need), item in zip(rows, catalogue.items, strict=False):
        assert isinstance(item, DemandItem)
        if item.number != number or item.field != field or _squash(item.category) != category:
            problems.append(f"{item.item_id}: number/field/category differ from source row {number}")
        if _squash(item.need) != need:
            problems.append(f"{item.item_id}: need differs from the source cell")
    return problems


def _check_programme(catalogue: Catalogue) -> list[str]:
    problems: list[str] = []
    for item in catalogue.items:
        assert isinstance(item, ProgrammeItem)
        if item.mandatory != (item.number <= 7):
            problems.append(f"{item.item_id}: items 1-7 are 原则上应纳入, 8-17 可选择纳入")
    return problems


def _check_nanshan(catalogue: Catalogue) -> list[str]:
    parsed = _parsed(catalogue.catalogue_id)
    assert isinstance(parsed, _ProjectFile)
    traditional = clean_nanshan_traditional(_source_text(parsed.source_file), parsed.cleaning)
    problems: list[str] = []
    if not traditional.startswith(parsed.original_title):
        problems.append("nanshan-2012: the cleaned source does not start with the original title")
    simplified = to_simplified(traditional)
    for index, item in enumerate(catalogue.items):
        assert isinstance(item, ProjectItem)
        if f"{item.number}、{item.original_name}" not in traditional:
            problems.append(f"{item.item_id}: original name not found in the cleaned Traditional source")
            continue
        # Quotes must come from the item's own segment: from its heading to the next item's heading.
        start = simplified.find(f"{item.number}、{item.name}")
        following = catalogue.items[index + 1] if index + 1 < len(catalogue.items) else None
        end = simplified.find(f"{following.number}、{following.title}") if following else len(simplified)
        if start < 0 or end < 0:
            problems.append(f"{item.item_id}: cannot find its segment in the cleaned source")
            continue
        segment = simplified[start:end]
        problems += _check_quotes(item.item_id, _quoted_fields(item)[1:], segment)
    return problems


def check_catalogues() -> tuple[list[str], list[str]]:
    """Check every catalogue against its source; return ``(problems, coverage_lines)``.

    Problems: ids not contiguous or not unique, an item's quoted text (need, name, description,
    summary clauses, sites, deadlines, lead units) not found in its cleaned source, a number in an
    item that the source does not contain, Futian fields/categories differing from the source rows
    (after filling down), the mandatory/optional split of the 2014 items, target groups or lexicon
    aliases that name nothing; and, for each eligibility programme in ``knowledge/eligibility/``, quotes
    not found in its source or numbers not backed by its quotes. An empty problem list means every
    check passed.
    """
    problems: list[str] = []
    coverage: list[str] = []
    lexicon = load_lexicon()
    known_words: set[str] = {g.name for g in lexicon.groups}
    for catalogue_id in CATALOGUE_IDS:
        try:
            catalogue = load_catalogue(catalogue_id)
        except (KeyError, ValueError) as error:
            problems.append(f"{catalogue_id}: does not load: {error}")
            continue
        source = cleaned_source(catalogue_id)
        before = len(problems)
        problems += _check_ids(catalogue)
        for item in catalogue.items:
            known_words.update(item.keywords)
            quotes = _quoted_fields(item)
            if not isinstance(item, ProjectItem):
                problems += _check_quotes(item.item_id, quotes, source)
            problems += _check_numbers(item.item_id, (text for _, text in quotes), source)
        if isinstance(catalogue.items[0], DemandItem):
            problems += _check_futian(catalogue)
        elif isinstance(catalogue.items[0], ProgrammeItem):
            problems += _check_programme(catalogue)
        else:
            problems += _check_nanshan(catalogue)
        groups = sorted({g for item in catalogue.items for g in item.target_groups})
        fields = catalogue.fields
        first, last = catalogue.items[0].item_id, catalogue.items[-1].item_id
        verdict = "all quotes found in source" if len(problems) == before else "PROBLEMS"
        coverage.append(
            f"{catalogue_id}: {len(catalogue.items)} items ({first} .. {last}), "
            f"{len(fields)} fields, {len(groups)} target groups, "
            f"{sum(len(i.keywords) for i in catalogue.items)} keywords; {verdict} "
            f"({catalogue.source_file})"
        )
    for word, targets in lexicon.aliases:
        unknown = [t for t in targets if t not in known_words]
        if unknown:
            problems.append(f"lexicon alias {word}: targets name no keyword or group: {unknown}")
    coverage.append(
        f"lexicon: {len(lexicon.groups)} target groups, {len(lexicon.aliases)} aliases, "
        f"{len(lexicon.narrowing_groups)} narrowing choices"
    )
    # Imported here: eligibility builds on the category guide, which builds on this module.
    from knowledge.eligibility import check_programme, list_programmes, load_programme

    for programme_id in list_programmes():
        try:
            programme = load_programme(programme_id)
        except (KeyError, ValueError) as error:
            problems.append(f"eligibility {programme_id}: does not load: {error}")
            continue
        found = check_programme(programme_id)
        problems += found
        coverage.append(
            f"eligibility {programme_id}: rules stated: {'yes' if programme.rules_stated else 'no'}, "
            f"{len(programme.conditions)} conditions, {len(programme.facts)} facts; "
            f"{'all quotes found in source' if not found else 'PROBLEMS'}"
        )
    return problems, coverage
