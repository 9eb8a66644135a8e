"""Batch mode (`python -m bot ask`): one message per line in, one JSON object per message out.

This is the contract quality benchmarks read; see README "The ask contract". Keep it stable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from bot.clock import shenzhen_now
from bot.messages import Handler, InboundMessage, TurnOutcome

CHANNEL = "ask"


def contract(outcome: TurnOutcome, *, text: str, conversation: int | None = None) -> dict[str, object]:
    record: dict[str, object] = {
        "text": text,
        "intent": outcome.intent,
        "confidence": outcome.confidence,
        "action": outcome.action,
        "reply": "\n".join(r.as_text() for r in outcome.replies),
        "citations": [{"source": c.title, "locator": c.locator, "year": c.year} for c in outcome.citations],
        "categories": list(outcome.categories),
        "case_ref": outcome.case_ref,
    }
    if conversation is not None:
        record["conversation"] = conversation
    return record


def run_batch(
    handle: Handler, lines: Iterable[str], *, conversations: bool = False
) -> Iterator[dict[str, object]]:
    """Each line is a fresh conversation; with `conversations`, a blank line starts the next one."""
    index = 0
    started = False
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if conversations:
            if not line.strip():
                if started:
                    index += 1
                    started = False
                continue
            started = True
            user = f"ask-conversation-{index}"
        else:
            user = f"ask-line-{number}"
        message = InboundMessage(CHANNEL, user, f"{user}:{number}", line, shenzhen_now())
        outcome = handle(message)
        yield contract(outcome, text=line, conversation=index if conversations else None)


def dump(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False)
