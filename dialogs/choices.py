"""Numbered choices: a digit (or 一/二/第一个) answers the choices offered in the last reply."""

from __future__ import annotations

from dialogs.replies import Choice

# Commands a user may type themselves (also sent by Telegram commands and WeChat menu clicks).
PUBLIC_COMMANDS = frozenset(
    {"/start", "/help", "/cancel", "/status", "/handoff", "/menu", "/resume", "/restart"}
)

_CHINESE_DIGITS = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}


def choice_key(text: str) -> str | None:
    """ "1", "1.", "1号", "第一个", "一", "选2" -> the digit; anything else -> None."""
    t = text.strip().strip("。.!!、,, ").removeprefix("选").removeprefix("第")
    t = t.removesuffix("个").removesuffix("项").removesuffix("号").strip()
    if t.isdigit() and len(t) <= 2:
        return str(int(t))
    if len(t) == 1 and t in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[t]
    return None


def resolve_choice(choices: tuple[Choice, ...], text: str) -> Choice | None:
    key = choice_key(text)
    if key is None:
        return None
    return next((c for c in choices if c.key == key), None)
