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
    cases = services.desk.cases_of_user()
    asked = turn.understanding.first(EntityKind.CASE_REF)
    state = replace(turn.state, choices=())
    if not cases:
        reply = Reply(
            texts.STATUS_NONE,
            numbered((("我要求助", "/start help_request"), ("志愿报名", "/start volunteer_signup"))),
        )
        return Decision(
            replies=(reply,), state=replace(state, choices=reply.choices), action=Action.CASE_STATUS
        )
    if asked is not None:
        mine = [c for c in cases if c.ref == asked.value]
        if mine:
            return Decision(replies=(Reply(describe(mine[0])),), state=state, action=Action.CASE_STATUS)
        head = texts.STATUS_NOT_YOURS.replace("{ref}", asked.value)
    else:
        head = texts.STATUS_HEAD
    body = "\n".join(describe(c) for c in cases[:5])
    return Decision(replies=(Reply(f"{head}\n{body}"),), state=state, action=Action.CASE_STATUS)
