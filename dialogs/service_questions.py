"""Tell a question about a service ("做义工是不是要固定时间") from a request for it ("我想做义工怎么报名").

The words are data (service_questions.yml), checked at load; this module only reads them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from nlu.types import Understanding

WORDS_FILE = Path(__file__).with_name("service_questions.yml")


class ServiceQuestionWords(BaseModel):
    """Schema of service_questions.yml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    question_markers: tuple[str, ...] = Field(min_length=1)
    fact_markers: tuple[str, ...] = Field(min_length=1)
    asking_frames: tuple[str, ...]
    request_cues: tuple[str, ...] = Field(min_length=1)
    self_wants: re.Pattern[str]
    self_able: re.Pattern[str]

    @field_validator("asking_frames")
    @classmethod
    def _longest_first(cls, frames: tuple[str, ...]) -> tuple[str, ...]:
        # "想问一下" must be removed before "想问", whatever order the file lists them in.
        return tuple(sorted(frames, key=len, reverse=True))


@lru_cache(maxsize=1)
def service_question_words() -> ServiceQuestionWords:
    return ServiceQuestionWords.model_validate(yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")))


def asks_about_service(u: Understanding) -> bool:
    """A question about a service, not a request for it: answered from the pack before the service is offered."""
    w = service_question_words()
    text = u.normalized
    if not any(m in text for m in w.question_markers):
        return False
    for frame in w.asking_frames:
        text = text.replace(frame, "")
    if any(cue in text for cue in w.request_cues) or w.self_wants.search(text) is not None:
        return False
    asks_fact = any(m in text for m in w.fact_markers)
    return asks_fact or w.self_able.search(text) is None
