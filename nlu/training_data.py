"""Load intent examples from Rasa 3.x NLU YAML, the one format both backends train on.

Rasa trains on the same files (data/nlu.yml), so they follow Rasa's syntax exactly:

    version: "3.1"
    nlu:
    - intent: request_help
      examples: |
        - 我家[独居老人](target_group)没人照顾

Entity annotations (`[text](entity)`, `[text](entity:value)`, `[text]{"entity": ..., "value": ...}`)
are stripped for the embedded model and kept as spans on the plain text. `synonym`, `regex` and
`lookup` items are valid Rasa and are skipped here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlu.types import Intent

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TRAINING_FILES: tuple[Path, ...] = (DATA_DIR / "nlu.yml", DATA_DIR / "nlu_written.yml")
# Held out: never pass it to training.
HELD_OUT_TEST_FILE = DATA_DIR / "test.yml"

KNOWN_INTENTS: frozenset[str] = frozenset(intent.value for intent in Intent)

_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<short>[^()]+)\)|(?P<json>\{[^{}]*\}))")


class TrainingDataError(ValueError):
    """A training file is not valid Rasa NLU YAML for this project."""


@dataclass(frozen=True, slots=True)
class AnnotatedEntity:
    """An entity annotated in a training example; `start`/`end` index the stripped text."""

    entity: str
    value: str
    start: int
    end: int
    role: str = ""


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """One example: plain text (annotations stripped), its intent, entities and where it came from."""

    text: str
    intent: str
    entities: tuple[AnnotatedEntity, ...] = ()
    source: str = ""


class _ExampleItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str


class _NluItem(BaseModel):
    """One item of the `nlu:` list; only `intent` items carry training examples for us."""

    model_config = ConfigDict(extra="allow")

    intent: str | None = None
    synonym: str | None = None
    regex: str | None = None
    lookup: str | None = None
    examples: str | list[_ExampleItem] = ""
    metadata: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> _NluItem:
        kinds = [k for k in ("intent", "synonym", "regex", "lookup") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"an nlu item needs exactly one of intent/synonym/regex/lookup, got {kinds}")
        return self


class _NluFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    nlu: list[_NluItem] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_3x(cls, value: object) -> str:
        text = str(value)
        if not text.startswith("3."):
            raise ValueError(f'expected a Rasa 3.x training data version like "3.1", got {value!r}')
        return text


def strip_entity_annotations(line: str) -> tuple[str, tuple[AnnotatedEntity, ...]]:
    """Remove Rasa entity markup from one example, returning the plain text and the entity spans."""
    parts: list[str] = []
    entities: list[AnnotatedEntity] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        parts.append(before)
        length += len(before)
        surface = match.group("text")
        entity, value, role = _annotation_target(match, surface)
        entities.append(AnnotatedEntity(entity, value, length, length + len(surface), role))
        parts.append(surface)
        length += len(surface)
        cursor = match.end()
    parts.append(line[cursor:])
    return "".join(parts), tuple(entities)


def _annotation_target(match: re.Match[str], surface: str) -> tuple[str, str, str]:
    short = match.group("short")
    if short is not None:
        entity, _, value = short.partition(":")
        return entity.strip(), (value.strip() or surface), ""
    try:
        data = json.loads(match.group("json"))
    except json.JSONDecodeError as exc:
        raise TrainingDataError(f"bad entity annotation {match.group(0)!r}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entity"), str):
        raise TrainingDataError(f"entity annotation without an entity name: {match.group(0)!r}")
    return data["entity"], str(data.get("value", surface)), str(data.get("role", ""))


def _example_lines(examples: str | list[_ExampleItem]) -> Iterable[str]:
    if isinstance(examples, list):
        for item in examples:
            yield item.text.strip()
        return
    for raw in examples.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("- "):
            raise TrainingDataError(f"example line must start with '- ': {raw!r}")
        yield line[2:].strip()


def parse_rasa_nlu(
    content: str, *, source: str = "", known_intents: frozenset[str] | None = KNOWN_INTENTS
) -> tuple[TrainingExample, ...]:
    """Parse the text of one Rasa NLU YAML file; `known_intents=None` accepts any intent name."""
    try:
        document = _NluFile.model_validate(yaml.safe_load(content))
    except (yaml.YAMLError, ValidationError) as exc:
        raise TrainingDataError(f"{source or 'training data'}: {exc}") from exc
    examples: list[TrainingExample] = []
    for item in document.nlu:
        if item.intent is None:
            continue
        if known_intents is not None and item.intent not in known_intents:
            raise TrainingDataError(f"{source}: unknown intent {item.intent!r}")
        for line in _example_lines(item.examples):
            text, entities = strip_entity_annotations(line)
            if text.strip():
                examples.append(TrainingExample(text, item.intent, entities, source))
    return tuple(examples)


def load_training_data(
    paths: Sequence[Path] | None = None, *, known_intents: frozenset[str] | None = KNOWN_INTENTS
) -> tuple[TrainingExample, ...]:
    """All intent examples of the given files (default: data/nlu.yml), in file order."""
    files = tuple(paths) if paths is not None else DEFAULT_TRAINING_FILES
    examples: list[TrainingExample] = []
    for path in files:
        examples.extend(
            parse_rasa_nlu(path.read_text(encoding="utf-8"), source=str(path), known_intents=known_intents)
        )
    return tuple(examples)
