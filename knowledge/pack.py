"""Loading and validating the policy knowledge pack (knowledge/pack/*.yml).

`sources.yml` is the source registry; every other `*.yml` file holds records. Loading validates the
schema of every file and the rules that need the whole pack: unique record ids, known sources and
document keys, the record's year matching its source, and `related` ids that exist. Anything wrong
raises `PackError` naming the file and the record. The heavier checks against the source texts
(quotes, numbers, self-retrieval) are in `knowledge.check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.schema import PackFile, RecordSpec, SourcesFile, SourceSpec
from knowledge.types import Citation

DEFAULT_PACK_DIR = Path(__file__).resolve().parent / "pack"
DEFAULT_SOURCES_DIR = Path(__file__).resolve().parent / "sources"
SOURCES_FILE = "sources.yml"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PackError(ValueError):
    """The knowledge pack is malformed; the message says where and what."""


@dataclass(frozen=True, slots=True)
class PackRecord:
    """One validated record of the pack, with its citation resolved from the source registry."""

    id: str
    title: str
    kind: str
    answer: str
    quotes: tuple[str, ...]
    source_id: str
    locator: str
    year: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...]
    figure_absent: bool
    aliases: tuple[str, ...]  # the source's aliases, searchable with the record
    citation: Citation
    file: str  # the pack file the record came from, for messages


@dataclass(frozen=True, slots=True)
class Pack:
    """The whole pack: sources by id and records in file order."""

    directory: Path
    sources_dir: Path
    sources: Mapping[str, SourceSpec]
    records: tuple[PackRecord, ...]

    def record(self, record_id: str) -> PackRecord:
        for record in self.records:
            if record.id == record_id:
                return record
        raise KeyError(record_id)


def _read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)  # a safe loader (C-accelerated when available)
    except yaml.YAMLError as exc:
        raise PackError(f"{path.name}: not valid YAML: {exc}") from exc


def _explain(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<file>'}: {err['msg']}" for err in exc.errors()
    )


def load_sources(pack_dir: Path) -> tuple[dict[str, SourceSpec], Path]:
    """The source registry of a pack and the directory its source files are in."""
    path = pack_dir / SOURCES_FILE
    if not path.is_file():
        raise PackError(f"{pack_dir}: no {SOURCES_FILE} (the source registry)")
    try:
        registry = SourcesFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise PackError(f"{SOURCES_FILE}: {_explain(exc)}") from exc
    sources: dict[str, SourceSpec] = {}
    for source in registry.sources:
        if source.id in sources:
            raise PackError(f"{SOURCES_FILE}: source id {source.id!r} is listed twice")
        sources[source.id] = source
    sources_dir = (pack_dir / registry.sources_dir).resolve() if registry.sources_dir else DEFAULT_SOURCES_DIR
    return sources, sources_dir


def _citation(spec: RecordSpec, source: SourceSpec, where: str) -> Citation:
    if spec.document is None:
        title = source.title
    elif spec.document in source.documents:
        title = source.documents[spec.document]
    else:
        known = ", ".join(source.documents) or "none"
        raise PackError(
            f"{where}: document {spec.document!r} is not one of {source.id}'s documents ({known})"
        )
    return Citation(
        source_id=source.id, title=title, locator=spec.locator, year=source.year, status=source.status
    )


def _records_of(path: Path, sources: Mapping[str, SourceSpec]) -> list[PackRecord]:
    try:
        pack_file = PackFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise PackError(f"{path.name}: {_explain(exc)}") from exc
    defaults = {k: v for k, v in (("source", pack_file.source), ("year", pack_file.year)) if v is not None}
    if pack_file.document is not None:
        defaults["document"] = pack_file.document
    records = []
    for index, raw in enumerate(pack_file.records):
        where = f"{path.name} record {raw.get('id', f'#{index + 1}')}"
        try:
            spec = RecordSpec.model_validate({**defaults, **raw})
        except ValidationError as exc:
            raise PackError(f"{where}: {_explain(exc)}") from exc
        source = sources.get(spec.source)
        if source is None:
            raise PackError(f"{where}: unknown source {spec.source!r} (not in {SOURCES_FILE})")
        if spec.year != source.year:
            raise PackError(f"{where}: year {spec.year!r} differs from its source's year {source.year!r}")
        records.append(
            PackRecord(
                id=spec.id,
                title=spec.title,
                kind=spec.kind,
                answer=spec.answer,
                quotes=spec.quote,
                source_id=spec.source,
                locator=spec.locator,
                year=spec.year,
                questions=spec.questions,
                keywords=spec.keywords,
                related=spec.related,
                figure_absent=spec.figure_absent,
                aliases=source.aliases,
                citation=_citation(spec, source, where),
                file=path.name,
            )
        )
    return records


def load_pack(pack_dir: Path | None = None) -> Pack:
    """Load and validate a pack directory (default: knowledge/pack); raises PackError when it is malformed."""
    directory = (pack_dir or DEFAULT_PACK_DIR).resolve()
    if not directory.is_dir():
        raise PackError(f"{directory}: the knowledge pack directory does not exist")
    sources, sources_dir = load_sources(directory)
    records: list[PackRecord] = []
    for path in sorted(directory.glob("*.yml")):
        if path.name != SOURCES_FILE:
            records.extend(_records_of(path, sources))
    if not records:
        raise PackError(f"{directory}: no records")
    seen: dict[str, str] = {}
    for record in records:
        if record.id in seen:
            raise PackError(f"duplicate record id {record.id!r} in {seen[record.id]} and {record.file}")
        seen[record.id] = record.file
    for record in records:
        missing = [r for r in record.related if r not in seen]
        if missing:
            raise PackError(
                f"{record.file} record {record.id}: related ids not in the pack: {', '.join(missing)}"
            )
    return Pack(directory=directory, sources_dir=sources_dir, sources=sources, records=tuple(records))
