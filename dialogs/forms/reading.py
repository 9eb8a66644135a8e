"""What a resident's answer says besides the value asked for: cancel, decline, or ask about the data.

The words are data (``answer_words.yml`` next to this file, validated at load). They are matched on
the whole answer and on its normalised form, so Traditional and Cantonese count too, and never by word
boundaries: "唔使留名" declines the name, it does not cancel the form; "没有钱吃饭" is a description,
not a refusal.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from nlu.types import Intent, Understanding

WORDS_FILE = Path(__file__).with_name("answer_words.yml")
# The intent model's "cancel" counts only for short answers it is sure of.
CANCEL_CONFIDENCE = 0.7
CANCEL_MAX_CHARS = 8  # "取消了订单被平台罚款" (10) describes a need

Words = tuple[str, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CancelWords(_Strict):
    words: Words = Field(min_length=1)
    tails: Words
    particles: str


class DeclineWords(_Strict):
    verbs: Words = Field(min_length=1)
    actions: Words
    alone: Words
    objects: Words
    particles: Words


class PrivacyWords(_Strict):
    max_chars: int = Field(ge=4, le=100)
    why: Words = Field(min_length=1)
    data: Words = Field(min_length=1)
    alone: Words
    form: Words


class AnswerWords(_Strict):
    """Schema of answer_words.yml."""

    cancel: CancelWords
    skip: Words
    decline: DeclineWords
    privacy: PrivacyWords
    address_hints: Words = Field(min_length=1)


@lru_cache(maxsize=1)
def answer_words() -> AnswerWords:
    return AnswerWords.model_validate(yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")))


def _alternatives(words: Words) -> str:
    # Longest first, so "不愿意" is tried before "不愿".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _decline_pattern() -> re.Pattern[str]:
    d = answer_words().decline
    return re.compile(
        rf"^(?:我)?(?:(?:{_alternatives(d.verbs)})(?:{_alternatives(d.actions)})?|{_alternatives(d.alone)})"
        rf"(?:我?的)?(?:{_alternatives(d.objects)})?(?:{_alternatives(d.particles)})?$"
    )


def skips(text: str) -> bool:
    """ "跳过" and the like, typed or sent by a button."""
    skip = answer_words().skip
    return text in skip or text.lower() in skip


def declines(u: Understanding) -> bool:
    """ "不想说名字", "我冇電話" (-> 我没有电话), "唔想留": the whole answer declines the question."""
    return bool(_decline_pattern().match(u.normalized.strip().rstrip("!!。.~ ")))


def asks_about_privacy(u: Understanding) -> bool:
    """ "为什么要我的电话?", "会不会泄露", "要填什么?": a question about the personal data asked."""
    p = answer_words().privacy
    t = u.normalized
    if len(t) > p.max_chars:
        return False
    if any(w in t for w in p.alone) or any(w in t for w in p.form):
        return True
    return any(w in t for w in p.why) and any(w in t for w in p.data)


def is_cancel(text: str, u: Understanding) -> bool:
    """ "取消", "算了吧", "取消登记", or the model sure of a short cancel that declines nothing."""
    c = answer_words().cancel
    t = text.lower().strip().rstrip("!!。.~ ")
    for word in c.words:
        if t.startswith(word):
            tail = t[len(word) :].strip(c.particles)
            if not tail or tail in c.tails:
                return True
    return (
        u.intent == Intent.CANCEL
        and u.confidence >= CANCEL_CONFIDENCE
        and len(t) <= CANCEL_MAX_CHARS
        and not declines(u)
    )
