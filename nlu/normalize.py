"""Turn what a resident typed (or dictated) into clean Simplified Chinese for understanding.

The tables (Cantonese phrases, homophone typos, fillers, emoji) live in data/normalization.yml;
this module only interprets them. `normalize` never raises: empty, huge, binary-ish or
malformed input all come back as a (possibly empty) `Normalized`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from nlu.types import Script

NORMALIZATION_FILE = Path(__file__).resolve().parent / "data" / "normalization.yml"

# Characters that separate clauses: a spoken pause in voice-to-text shows up as one of these.
PAUSE_CHARS = " ,.!?;:~，。！？；：、…"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A message after normalisation.

    `original` is the input as received; `text` is cleaned Simplified Chinese for the models;
    `script` is detected from the original; `notes` name the steps that changed something.
    """

    original: str
    text: str
    script: Script
    notes: tuple[str, ...] = ()


class _PhraseTableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Phrases replaced in a pass of their own before `replace`, so that they win over an entry
    # that starts one character earlier (系唔系 in 你系唔系 must not lose to 你系).
    first: dict[str, str] = Field(default_factory=dict)
    replace: dict[str, str] = Field(default_factory=dict)
    protect: list[str] = Field(default_factory=list)

    @field_validator("first", "replace")
    @classmethod
    def _no_empty_keys(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not key for key in value):
            raise ValueError("phrase table keys must not be empty")
        return value


class _FillerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    anywhere: list[str] = Field(default_factory=list)
    at_pause: list[str] = Field(default_factory=list)
    lead_ins: list[str] = Field(default_factory=list)


class NormalizationSpec(BaseModel):
    """Schema of data/normalization.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    max_model_chars: int = Field(gt=0)
    opencc_configs: list[str] = Field(min_length=1)
    shared_characters: str = ""
    emoji: dict[str, str] = Field(default_factory=dict)
    traditional: _PhraseTableSpec
    cantonese: _PhraseTableSpec
    homophones: _PhraseTableSpec
    fillers: _FillerSpec
    domain_words: list[str] = Field(default_factory=list)


class ConverterChain:
    """Several OpenCC conversions applied one after the other."""

    def __init__(self, configs: list[str]) -> None:
        self._converters = [opencc.OpenCC(config) for config in configs]

    def convert(self, text: str) -> str:
        for converter in self._converters:
            text = converter.convert(text)
        return text


class PhraseTable:
    """Longest-match-first replacement; entries mapping to themselves protect a phrase.

    `first` entries are replaced in an earlier pass of their own (protected phrases still win
    there), then `replace` runs on the result.
    """

    def __init__(
        self,
        replace: Mapping[str, str],
        protect: tuple[str, ...] = (),
        first: Mapping[str, str] | None = None,
    ) -> None:
        self._passes = [_compile_pass(mapping, protect) for mapping in (first or {}, replace) if mapping]

    def apply(self, text: str) -> str:
        for pattern, mapping in self._passes:
            text = pattern.sub(lambda m, table=mapping: table[m.group(0)], text)
        return text


def _compile_pass(
    replace: Mapping[str, str], protect: tuple[str, ...]
) -> tuple[re.Pattern[str], dict[str, str]]:
    mapping: dict[str, str] = dict(replace)
    for phrase in protect:
        mapping.setdefault(phrase, phrase)
    keys = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), mapping


@dataclass(frozen=True, slots=True)
class _Pipeline:
    spec: NormalizationSpec
    to_simplified: ConverterChain
    to_traditional: opencc.OpenCC
    emoji: PhraseTable
    traditional: PhraseTable
    cantonese: PhraseTable
    homophones: PhraseTable
    anywhere_fillers: re.Pattern[str] | None
    filler_runs: re.Pattern[str] | None
    clause_start_fillers: re.Pattern[str] | None
    lead_ins: re.Pattern[str] | None


def load_spec(path: Path = NORMALIZATION_FILE) -> NormalizationSpec:
    """Read and validate a normalisation table file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return NormalizationSpec.model_validate(raw)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _pipeline() -> _Pipeline:
    spec = load_spec()
    anywhere = _alternation(spec.fillers.anywhere)
    at_pause = _alternation(spec.fillers.at_pause)
    lead_ins = _alternation(spec.fillers.lead_ins)
    pause = re.escape(PAUSE_CHARS)
    return _Pipeline(
        spec=spec,
        to_simplified=ConverterChain(spec.opencc_configs),
        to_traditional=opencc.OpenCC("s2t"),
        emoji=PhraseTable(spec.emoji),
        traditional=PhraseTable(
            spec.traditional.replace, tuple(spec.traditional.protect), spec.traditional.first
        ),
        cantonese=PhraseTable(spec.cantonese.replace, tuple(spec.cantonese.protect), spec.cantonese.first),
        homophones=PhraseTable(
            spec.homophones.replace, tuple(spec.homophones.protect), spec.homophones.first
        ),
        anywhere_fillers=re.compile(f"(?:{anywhere})+") if anywhere else None,
        filler_runs=re.compile(f"(?:{at_pause}){{2,}}") if at_pause else None,
        clause_start_fillers=re.compile(f"(?:^|(?<=[{pause}]))(?:{at_pause})+") if at_pause else None,
        lead_ins=re.compile(f"^(?:{lead_ins})[{pause}]*") if lead_ins else None,
    )


def normalization_spec() -> NormalizationSpec:
    """The validated tables in use (loaded once)."""
    return _pipeline().spec


def _coerce(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", errors="replace")
    return text if isinstance(text, str) else str(text)


def _clean_characters(text: str) -> str:
    """Drop control, zero-width/format, lone surrogate, private-use and variation-selector characters.

    Tabs and line breaks become spaces (they separate words); everything else invisible goes.
    Unassigned code points stay: they may be emoji or CJK newer than this Python's Unicode tables.
    """
    out: list[str] = []
    for ch in text:
        if ch in "\t\n\r\v\f\u2028\u2029\x85":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co"):
            continue
        if "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
            continue  # variation selectors: ❤️ and ❤ must read the same
        out.append(ch)
    return "".join(out)


def _to_half_width(text: str) -> str:
    """Full-width ASCII forms (ＡＢＣ１２３，？) and the ideographic space become ASCII."""
    return "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else (" " if ch == "\u3000" else ch)
        for ch in text
    )


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3134F
        or 0xF900 <= code <= 0xFAFF
    )


def has_han(text: str) -> bool:
    """True when the text contains at least one Chinese character."""
    return any(_is_han(ch) for ch in text)


def _differs(converted: str, original: str) -> list[bool]:
    """Which characters of `original` a 1:1 OpenCC conversion changed."""
    if len(converted) == len(original):
        return [a != b for a, b in zip(original, converted, strict=True)]
    # Phrase-level conversions can change length in rare cases: fall back to per-character.
    return [False] * len(original)


def detect_script(text: str) -> Script:
    """Traditional when the text has Traditional-only characters, unless Simplified-only ones outnumber them.

    A character is Traditional-only when OpenCC's Traditional->Simplified conversion changes it
    and Simplified-only when Simplified->Traditional changes it and it is not listed in
    `shared_characters` (晒, 干, 后... are valid in both). Characters common to both scripts
    (我, 人, 低保) do not count. A tie goes to Traditional: the user did type Traditional-only
    characters, and a Hong Kong reader gets a reply they can read either way.
    """
    han = "".join(ch for ch in text if _is_han(ch))
    if not han:
        return Script.SIMPLIFIED
    pipeline = _pipeline()
    traditional = sum(_differs(pipeline.to_simplified.convert(han), han))
    if traditional == 0:
        return Script.SIMPLIFIED
    shared = pipeline.spec.shared_characters
    changed = _differs(pipeline.to_traditional.convert(han), han)
    simplified = sum(1 for ch, differs in zip(han, changed, strict=True) if differs and ch not in shared)
    return Script.TRADITIONAL if traditional >= simplified else Script.SIMPLIFIED


def _remove_fillers(text: str, pipeline: _Pipeline) -> str:
    result = text
    if pipeline.anywhere_fillers is not None:
        result = pipeline.anywhere_fillers.sub("", result)
    if pipeline.filler_runs is not None:
        result = pipeline.filler_runs.sub(" ", result)
    if pipeline.clause_start_fillers is not None:
        result = pipeline.clause_start_fillers.sub("", result)
    # "嗯嗯" answering a question IS the message: never reduce a message to nothing.
    if not any(ch.isalnum() for ch in result):
        return text
    return _remove_lead_in(result, pipeline)


def _remove_lead_in(text: str, pipeline: _Pipeline) -> str:
    """Drop a lead-in (我想问下, 请问, 等一下我先问个问题) that opens a question, so that what is
    asked comes first; a message that is only a lead-in keeps it, it is what the user said."""
    if pipeline.lead_ins is None:
        return text
    # A filler removed before the lead-in can leave its pause behind: ",我想问下..."
    stripped = text.lstrip(PAUSE_CHARS)
    rest = pipeline.lead_ins.sub("", stripped, count=1)
    if rest != stripped and pipeline.clause_start_fillers is not None:
        # The lead-in was a clause of its own: a filler after it starts the question (我想问一下那个低保...).
        rest = pipeline.clause_start_fillers.sub("", rest, count=1)
    if rest == stripped or sum(1 for ch in rest if ch.isalnum()) < 2:
        return text
    return rest


_SPACE_RUN = re.compile(r"\s+")
_LEADING_PAUSES = re.compile(r"^[\s,，、;；:：.。~]+")
_REPEATED_PUNCT = re.compile(r"([,.!?;:~，。！？；：、…])\1+")


def _tidy_whitespace(text: str) -> str:
    text = _SPACE_RUN.sub(" ", text).strip()
    if " " in text:
        # Chinese does not separate words with spaces: drop the ones voice input puts between
        # Chinese characters, keep those between Latin words and numbers.
        chars = list(text)
        text = "".join(
            ch
            for i, ch in enumerate(chars)
            if not (ch == " " and 0 < i < len(chars) - 1 and _is_han(chars[i - 1]) and _is_han(chars[i + 1]))
        )
    text = _REPEATED_PUNCT.sub(r"\1", text)
    return _LEADING_PAUSES.sub("", text)


def normalize(text: str) -> Normalized:
    """Clean, convert to Simplified and map Cantonese/typos/fillers; never raises."""
    original = _coerce(text)
    pipeline = _pipeline()
    notes: list[str] = []

    limit = pipeline.spec.max_model_chars
    # Cleaning only ever removes characters, so a generous raw prefix is enough to fill `limit`
    # in practice and keeps a 100 kB paste cheap.
    work = _clean_characters(original[: limit * 4])
    if work != original[: limit * 4]:
        notes.append("cleaned")
    if len(work) > limit or len(original) > limit * 4:
        work = work[:limit]
        notes.append("truncated")
    script = detect_script(work)

    steps = (
        ("half_width", _to_half_width),
        ("emoji", pipeline.emoji.apply),
        ("cantonese", pipeline.traditional.apply),
        ("simplified", pipeline.to_simplified.convert),
        ("cantonese", pipeline.cantonese.apply),
        ("typos", pipeline.homophones.apply),
        ("fillers", lambda s: _remove_fillers(s, pipeline)),
    )
    for note, step in steps:
        changed = step(work)
        if changed != work and note not in notes:
            notes.append(note)
        work = changed
    work = _tidy_whitespace(work)
    return Normalized(original=original, text=work, script=script, notes=tuple(notes))
