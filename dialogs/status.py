"""Case status in chat: a user sees only their own cases."""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.ports import CaseSummary
from dialogs.replies import Reply, numbered
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from nlu.types import EntityKind


def describe(case: CaseSummary) -> str:
    kind = texts.KIND_LABELS.get(case.kind, case.kind)
    status = texts.STATUS_LABELS.get(case.status, case.status)
    line = f"{case.ref}({kind}):{status},更新于 {case.updated_at:%m月%d日 %H:%M}"
    if case.last_note:
        line += f"\n  工作人员回复:{case.last_note}"
    return line


def show_status(turn: TurnInput, services: DialogServices) -> Decision:
    """The user's own cases (or the one asked for), then what they can do next as numbered choices."""
    cases = services.desk.cases_of_user()
    asked = turn.understanding.first(EntityKind.CASE_REF)
    if not cases:
        head = texts.STATUS_NOT_FOUND.replace("{ref}", asked.value) if asked else texts.STATUS_NONE
        return _say(turn, Reply(head, numbered(texts.STATUS_REGISTER)))
    if asked is not None:
        mine = [c for c in cases if c.ref == asked.value]
        if mine:
            return _say(turn, Reply(describe(mine[0]), numbered(texts.STATUS_NEXT)))
        head = texts.STATUS_NOT_YOURS.replace("{ref}", asked.value)
    else:
        head = texts.STATUS_HEAD
    body = "\n".join(describe(c) for c in cases[:5])
    return _say(turn, Reply(f"{head}\n{body}", numbered(texts.STATUS_NEXT)))


def _say(turn: TurnInput, reply: Reply) -> Decision:
    return Decision(
        replies=(reply,), state=replace(turn.state, choices=reply.choices), action=Action.CASE_STATUS
    )
