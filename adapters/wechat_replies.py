"""TurnOutcome -> WeChat text: numbered choices as lines, split to the platform's byte limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from dialogs.replies import Reply

# Content limits in bytes of UTF-8: a passive reply is one text message, and so is each
# customer-service message. A Chinese character takes 3 bytes, so one part holds about 680 of them.
PASSIVE_LIMIT = 2048
CUSTOM_LIMIT = 2048

EMPTY_REPLY = "success"  # WeChat's "received, nothing to say": no retry, nothing shown


def render(replies: Sequence[Reply]) -> str:
    """All replies of a turn as one text, one blank line between replies."""
    return "\n\n".join(reply.as_text() for reply in replies if reply.as_text().strip())


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes, cut between paragraphs, else at line ends.

    Paragraphs (one reply, or a question with its numbered choices) stay together when they fit
    in one part. A line longer than the limit is cut between characters, never inside one (a
    Chinese character is 3 bytes, an emoji 4), so every part is valid UTF-8 and reads as written.
    """
    if limit < 4:
        raise ValueError("limit must hold at least one character")
    parts: list[str] = []
    current = ""
    for block in _paragraphs(text):
        joined = f"{current}\n\n{block}" if current else block
        if _size(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
            current = ""
        if _size(block) <= limit:
            current = block
            continue
        for line in _pieces(block.split("\n"), limit):
            joined = f"{current}\n{line}" if current else line
            if _size(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = line
    if current:
        parts.append(current)
    return parts


def passive_reply(message: BaseMessage, content: str, *, created: int) -> str:
    """The XML of a passive text reply to `message` (addressed back to its sender)."""
    return str(TextReply(message=message, content=content, time=created).render())


def _paragraphs(text: str) -> list[str]:
    blocks = (block.strip("\n") for block in text.split("\n\n"))
    return [block for block in blocks if block.strip()]


def _pieces(lines: Iterable[str], limit: int) -> Iterable[str]:
    for line in lines:
        if _size(line) <= limit:
            yield line
            continue
        chars: list[str] = []
        size = 0
        for char in line:
            width = _size(char)
            if size + width > limit:
                yield "".join(chars)
                chars, size = [], 0
            chars.append(char)
            size += width
        if chars:
            yield "".join(chars)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
