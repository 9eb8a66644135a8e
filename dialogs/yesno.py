"""Yes / no answers as residents type them, Simplified, Traditional and Cantonese (words in yes_no.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from nlu.types import Intent, Understanding

WORDS_FILE = Path(__file__).with_name("yes_no.yml")
MODEL_CONFIDENCE = 0.6


class YesNoWords(BaseModel):
    """Schema of yes_no.yml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_chars: int = Field(ge=1, le=20)
    yes_despite_no: tuple[str, ...]
    no_alone: tuple[str, ...] = Field(min_length=1)
    no_particles: str
    no_start: tuple[str, ...] = Field(min_length=1)
    yes_start: tuple[str, ...] = Field(min_length=1)


@lru_cache(maxsize=1)
def yes_no_words() -> YesNoWords:
    return YesNoWords.model_validate(yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")))


def yes_or_no(text: str, understanding: Understanding | None = None) -> bool | None:
    """True for yes, False for no, None when the answer is neither.

    Words decide first; the intent model only when `understanding` is given and the words do not.
    "No" words are checked before "yes" words because most of them contain one (不同意 contains 同意).
    """
    w = yes_no_words()
    t = text.strip().lower().rstrip("!!。.~～ ")
    if t in ("1", "/yes"):
        return True
    if t in ("2", "/no"):
        return False
    if len(t) <= w.max_chars:
        if t.startswith(w.yes_despite_no):
            return True
        if t in w.no_alone or t.rstrip(w.no_particles) in w.no_alone or t.startswith(w.no_start):
            return False
        if t.startswith(w.yes_start):
            return True
    if understanding is not None and understanding.confidence >= MODEL_CONFIDENCE:
        if understanding.intent == Intent.AFFIRM:
            return True
        if understanding.intent == Intent.DENY:
            return False
    return None
