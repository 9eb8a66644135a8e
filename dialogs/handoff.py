"""Hand-off to a person: a case with the transcript, and when staff will answer.

Asking again while a hand-off is still open ("转人工" then "我要投诉 ...") adds the message to that
case instead of opening another one, so staff see one thread.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.effects import HandOffToHuman, LinkToOpenCase
from dialogs.replies import CASE_REF_PLACEHOLDER, Reply
from dialogs.turn import Action, Decision, DialogServices, TurnInput

OPEN_STATUSES = frozenset({"new", "acknowledged", "in_progress"})
COMPLAINT_WORDS = ("投诉", "举报", "不满意")


def hand_off(turn: TurnInput, services: DialogServices, *, reason: str = "用户要求转人工") -> Decision:
    said = turn.understanding.text.strip()
    if any(w in turn.understanding.normalized for w in COMPLAINT_WORDS):
        reason = "用户投诉"  # what was said is in the case's (encrypted) transcript
    open_case = next(
        (c for c in services.desk.cases_of_user() if c.kind == "handoff" and c.status in OPEN_STATUSES), None
    )
    if open_case is not None:
        text = texts.HANDOFF_AGAIN.replace(CASE_REF_PLACEHOLDER, open_case.ref)
        effect: LinkToOpenCase | HandOffToHuman = LinkToOpenCase(
            case_ref=open_case.ref, note=f"再次要求转人工:{said[:200]}"
        )
    else:
        text = texts.HANDOFF
        effect = HandOffToHuman(reason=reason)
    return Decision(
        replies=(Reply(text.replace("{office_hours}", services.config.office_hours)),),
        state=replace(turn.state, flow=None, choices=()),
        action=Action.HANDOFF,
        effects=(effect,),
    )
