"""Write the Rasa training input in the form the bot will send at run time.

The bot hands every backend `normalize(text).text` (Simplified, Cantonese phrases mapped,
fillers dropped), and the embedded model trains on normalised examples too. Rasa must learn
from the same form, so `scripts/rasa-train.sh` runs this first:

    .venv/bin/python -m nlu.rasa.training_export nlu/data/nlu.yml --out nlu/rasa/build

It writes `build/nlu.yml` (Rasa 3.1 YAML: every example, synonym and lookup entry
normalised, entity annotations moved onto the normalised text, duplicates dropped),
`build/jieba/domain_words.txt` (a jieba user dictionary, which config.yml's JiebaTokenizer
loads: the normaliser's domain words, so both backends keep 示范点 or 独居老人 whole, then every
entity surface the data names, annotated, lookup or synonym, so an entity never starts or ends
inside a jieba token) and `build/export_summary.json` (counts, read into the training report).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from nlu.normalize import normalization_spec, normalize
from nlu.training_data import (
    DEFAULT_TRAINING_FILES,
    HELD_OUT_TEST_FILE,
    TrainingDataError,
    TrainingExample,
    load_training_data,
)

RASA_DATA_VERSION = "3.1"
EXPORTED_NLU_NAME = "nlu.yml"
SUMMARY_NAME = "export_summary.json"
JIEBA_DIR_NAME = "jieba"
JIEBA_DICT_NAME = "domain_words.txt"


@dataclasses.dataclass(frozen=True, slots=True)
class ExportSummary:
    """What the export did, for the training log."""

    examples_in: int
    examples_out: int
    duplicates_dropped: int
    empty_dropped: int
    entities_kept: int
    entities_dropped: int
    # Normalised texts that appear under more than one intent: a data problem to fix upstream.
    conflicts: tuple[str, ...]
    domain_words: int
    # Entity surfaces added to the jieba dictionary after the domain words (not counted twice).
    entity_words: int = 0


class _AuxItem(BaseModel):
    """A `synonym`, `regex` or `lookup` item; intent items are read by nlu.training_data."""

    model_config = ConfigDict(extra="allow")

    intent: str | None = None
    synonym: str | None = None
    regex: str | None = None
    lookup: str | None = None
    examples: str | list[dict[str, Any]] = ""


class _AuxFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    nlu: list[_AuxItem] = []


def annotate(example: TrainingExample) -> tuple[str, int, int]:
    """Normalise one example and re-place its entity annotations on the normalised text.

    An entity is placed where its own normalised surface occurs, searching left to right after
    the previous one; an entity whose surface vanishes or cannot be found is dropped (its text
    still trains the intent). Returns the Rasa-markup line and the kept/dropped entity counts.
    """
    text = _one_line(normalize(example.text).text)
    parts: list[str] = []
    cursor = 0
    kept = dropped = 0
    for entity in sorted(example.entities, key=lambda e: e.start):
        original_surface = example.text[entity.start : entity.end]
        surface = _one_line(normalize(original_surface).text)
        position = text.find(surface, cursor) if surface else -1
        if position < 0:
            dropped += 1
            continue
        parts.append(text[cursor:position])
        # Without an explicit value Rasa takes the surface as the value, so the normalised
        # surface stays implicit; synonyms then map it to the canonical form.
        explicit_value = entity.value if entity.value != original_surface else ""
        parts.append(_markup(surface, entity.entity, explicit_value, entity.role))
        cursor = position + len(surface)
        kept += 1
    parts.append(text[cursor:])
    return "".join(parts), kept, dropped


def _markup(surface: str, entity: str, value: str, role: str) -> str:
    if not value and not role:
        return f"[{surface}]({entity})"
    target: dict[str, str] = {"entity": entity}
    if value:
        target["value"] = value
    if role:
        target["role"] = role
    return f"[{surface}]{json.dumps(target, ensure_ascii=False)}"


def _one_line(text: str) -> str:
    # A line break inside an example would end the YAML list item early.
    return " ".join(text.split())


def _example_lines(examples: str | list[dict[str, Any]]) -> list[str]:
    if isinstance(examples, list):
        return [str(item.get("text", "")).strip() for item in examples]
    lines = []
    for raw in examples.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            lines.append(line[2:].strip())
    return lines


def _normalized_unique(lines: Sequence[str], *, drop: str = "") -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        text = _one_line(normalize(line).text)
        if text and text != drop:
            seen.setdefault(text)
    return list(seen)


def _block(lines: Sequence[str]) -> str:
    return "".join(f"- {line}\n" for line in lines)


class _LiteralDumper(yaml.SafeDumper):
    """Writes example lists as `|` blocks, the layout Rasa's own files use."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LiteralDumper.add_representer(str, _represent_str)


def export_training_data(source: Path | Sequence[Path], out_dir: Path) -> ExportSummary:
    """Write `out_dir/nlu.yml` and `out_dir/jieba/domain_words.txt` from Rasa NLU files (the same ones
    the embedded model trains on); synonyms and lookups come from the first file."""
    sources = [source] if isinstance(source, Path) else list(source)
    if any(s.resolve() == HELD_OUT_TEST_FILE.resolve() for s in sources):
        raise TrainingDataError("the held-out test set must never be trained on")
    examples = load_training_data(sources)
    source = sources[0]
    try:
        aux = _AuxFile.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise TrainingDataError(f"{source}: {exc}") from exc

    by_intent: dict[str, dict[str, None]] = {}
    intents_of_text: dict[str, set[str]] = {}
    duplicates = empty = kept = dropped = 0
    # Rasa warns "Misaligned entity annotation" and cannot learn an entity whose span cuts
    # through a jieba token (给快递员建 segments as 给/快递/员建): such surfaces go into the dictionary.
    entity_words: dict[str, None] = {}
    for example in examples:
        plain = _one_line(normalize(example.text).text)
        if not plain:
            empty += 1
            continue
        line, example_kept, example_dropped = annotate(example)
        for entity in example.entities:
            entity_words.setdefault(_one_line(normalize(example.text[entity.start : entity.end]).text))
        lines = by_intent.setdefault(example.intent, {})
        if line in lines:
            duplicates += 1
            continue
        lines[line] = None
        kept += example_kept
        dropped += example_dropped
        intents_of_text.setdefault(plain, set()).add(example.intent)

    items: list[dict[str, str]] = [
        {"intent": intent, "examples": _block(list(lines))} for intent, lines in by_intent.items()
    ]
    for item in aux.nlu:
        if item.synonym is not None:
            names = _normalized_unique(_example_lines(item.examples), drop=item.synonym)
            if names:
                items.append({"synonym": item.synonym, "examples": _block(names)})
                entity_words.update(dict.fromkeys(names))
        elif item.lookup is not None:
            names = _normalized_unique(_example_lines(item.examples))
            if names:
                items.append({"lookup": item.lookup, "examples": _block(names)})
                entity_words.update(dict.fromkeys(names))
        elif item.regex is not None:
            # Patterns are code, not text: normalising would break them.
            items.append({"regex": item.regex, "examples": _block(_example_lines(item.examples))})

    out_dir.mkdir(parents=True, exist_ok=True)
    document = {"version": RASA_DATA_VERSION, "nlu": items}
    header = f"# Generated by nlu.rasa.training_export from {source.name}; do not edit.\n"
    (out_dir / EXPORTED_NLU_NAME).write_text(
        header + yaml.dump(document, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=1000),
        encoding="utf-8",
    )
    words = list(dict.fromkeys(w for w in normalization_spec().domain_words if w.strip()))
    # jieba reads one word per line, optionally followed by a frequency and a tag after a space,
    # so a surface with a space in it cannot be an entry.
    extra_words = [w for w in entity_words if w and " " not in w and w not in words]
    jieba_dir = out_dir / JIEBA_DIR_NAME
    jieba_dir.mkdir(exist_ok=True)
    (jieba_dir / JIEBA_DICT_NAME).write_text(
        "".join(f"{w}\n" for w in (*words, *extra_words)), encoding="utf-8"
    )

    summary = ExportSummary(
        examples_in=len(examples),
        examples_out=sum(len(lines) for lines in by_intent.values()),
        duplicates_dropped=duplicates,
        empty_dropped=empty,
        entities_kept=kept,
        entities_dropped=dropped,
        conflicts=tuple(sorted(text for text, intents in intents_of_text.items() if len(intents) > 1)),
        domain_words=len(words),
        entity_words=len(extra_words),
    )
    (out_dir / SUMMARY_NAME).write_text(
        json.dumps(dataclasses.asdict(summary), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Normalise Rasa NLU training data for rasa train nlu.")
    parser.add_argument(
        "source",
        type=Path,
        nargs="*",
        help="Rasa NLU YAML files (default: the embedded model's training files)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for nlu.yml and jieba/")
    args = parser.parse_args(argv)
    try:
        summary = export_training_data(args.source or list(DEFAULT_TRAINING_FILES), args.out)
    except (OSError, TrainingDataError) as exc:
        print(f"training_export: {exc}", file=sys.stderr)
        return 1
    print(
        f"training_export: {summary.examples_out} of {summary.examples_in} examples written "
        f"({summary.duplicates_dropped} duplicates, {summary.empty_dropped} empty after normalisation), "
        f"{summary.entities_kept} entity annotations kept, {summary.entities_dropped} dropped, "
        f"{summary.domain_words} jieba domain words and {summary.entity_words} entity words"
    )
    for text in summary.conflicts:
        print(f"training_export: warning: {text!r} is an example of more than one intent", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
