"""Yes / no answers as residents type them, Simplified, Traditional-converted and Cantonese."""

from __future__ import annotations

from nlu.types import Intent, Understanding

_NO = (
    "不同意",
    "不是",
    "不对",
    "不要",
    "不用",
    "不行",
    "不好",
    "不可以",
    "没有",
    "否",
    "不",
    "唔",
    "冇",
    "no",
    "n",
)
_YES = (
    "同意",
    "是的",
    "是",
    "对",
    "好的",
    "好",
    "可以",
    "行",
    "嗯",
    "确认",
    "没问题",
    "有",
    "係",
    "啱",
    "得",
    "ok",
    "yes",
    "y",
)


def yes_or_no(text: str, understanding: Understanding | None = None) -> bool | None:
    """True for yes, False for no, None when the answer is neither.

    "No" words are checked first because most of them contain a "yes" word (不同意 contains 同意).
    """
    t = text.strip().lower().rstrip("!!。.~～ ")
    if t in ("1", "/yes"):
        return True
    if t in ("2", "/no"):
        return False
    if len(t) <= 6:
        if any(t.startswith(w) for w in _NO):
            return False
        if any(t.startswith(w) for w in _YES):
            return True
    if understanding is not None and understanding.confidence >= 0.6:
        if understanding.intent == Intent.AFFIRM:
            return True
        if understanding.intent == Intent.DENY:
            return False
    return None
