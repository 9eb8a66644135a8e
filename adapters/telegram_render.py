"""The core's replies -> Telegram messages: text within the length limit, choices as inline buttons."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.replies import Reply

# Telegram refuses longer texts ("1-4096 characters"); it counts UTF-16 code units, so an emoji
# outside the Basic Multilingual Plane costs two.
TEXT_LIMIT = 4096
_SENTENCE_ENDS = "。!?;!?;\n"


@dataclass(frozen=True, slots=True)
class OutgoingText:
    """One sendMessage call: the text and the inline buttons as (label, callback_data) pairs."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


def render(reply: Reply, *, limit: int = TEXT_LIMIT) -> tuple[OutgoingText, ...]:
    """One reply as one or more messages; the buttons go with the last part, next to the question."""
    buttons = tuple((f"{c.key} {c.label}", c.key) for c in reply.choices)
    text = reply.text
    if not text.strip() and buttons:
        # Telegram refuses an empty text; the choices themselves then become the text.
        text = "\n".join(label for label, _ in buttons)
    parts = split_text(text, limit)
    if not parts:
        return ()
    *head, last = parts
    return (*(OutgoingText(p) for p in head), OutgoingText(last, buttons))


def keyboard(buttons: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup | None:
    """One button per row: the labels are whole Chinese phrases, too wide to sit side by side."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
    )


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into parts of at most `limit` UTF-16 units, between lines where possible.

    A single line longer than the limit is cut after the last sentence end that keeps at least half
    of the part, else at the limit; blank parts are dropped (Telegram refuses them).
    """
    if limit < 2:
        raise ValueError("limit must leave room for a surrogate pair")
    parts: list[str] = []
    lines: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _fit_line(line, limit):
            cost = utf16_len(piece) + (1 if lines else 0)
            if lines and size + cost > limit:
                parts.append("\n".join(lines))
                lines, size, cost = [], 0, utf16_len(piece)
            lines.append(piece)
            size += cost
    if lines:
        parts.append("\n".join(lines))
    return [p.strip("\n") for p in parts if p.strip()]


def _fit_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    rest = line
    while utf16_len(rest) > limit:
        cut = _cut_index(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _cut_index(text: str, limit: int) -> int:
    """Index (in code points) of the longest prefix within `limit` units, moved back to a sentence end."""
    units = 0
    end = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit:
            break
        units += width
        end = index + 1
    sentence_end = max(text.rfind(mark, 0, end) for mark in _SENTENCE_ENDS)
    if sentence_end + 1 >= end // 2 and sentence_end >= 0:
        return sentence_end + 1
    return end
