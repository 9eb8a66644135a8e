"""Terminal chat as a resident: one line in, the replies out; numbered choices answered with a digit."""

from __future__ import annotations

import itertools
import uuid
from typing import TextIO

from bot.clock import shenzhen_now
from bot.messages import Handler, InboundMessage

PROMPT = "您:"
GREETING = "社区助手(输入 exit 退出)"


def run_terminal(handle: Handler, stdin: TextIO, stdout: TextIO, *, user_id: str | None = None) -> None:
    user = user_id or f"terminal-{uuid.uuid4().hex[:12]}"
    counter = itertools.count(1)
    print(GREETING, file=stdout)
    _show(
        handle,
        InboundMessage("terminal", user, f"t-{next(counter)}", "", shenzhen_now(), event="/start"),
        stdout,
    )
    while True:
        stdout.write(PROMPT)
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in ("exit", "quit", "退出"):
            print("再见!", file=stdout)
            return
        message = InboundMessage("terminal", user, f"t-{next(counter)}", line.rstrip("\n"), shenzhen_now())
        _show(handle, message, stdout)


def _show(handle: Handler, message: InboundMessage, stdout: TextIO) -> None:
    outcome = handle(message)
    for reply in outcome.replies:
        print(f"助手:{reply.as_text()}", file=stdout)
    stdout.flush()
