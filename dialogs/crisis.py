"""Crisis: answer at once with emergency numbers and open an urgent case, whatever was going on.

A second danger message, or a follow-up ("救护车到了,谢谢"), from the same resident while their
crisis case is still open and recent joins that case instead of opening another: staff see one
thread, and nobody is alarmed twice for one emergency.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dialogs import texts
from dialogs.effects import EscalateCrisis, LinkToOpenCase
from dialogs.handoff import OPEN_STATUSES
from dialogs.ports import CaseSummary
from dialogs.replies import CASE_REF_PLACEHOLDER, Reply
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from nlu.types import Intent, Understanding

# How long after a crisis case was last touched a message from the same resident still belongs to it.
FOLLOW_UP_WINDOW = timedelta(hours=2)
# A follow-up to an emergency: thanks, or news that help has come ("救护车到了", the rules' "resolved").
FOLLOW_UP_INTENTS = frozenset({Intent.THANKS_BYE})
RESOLVED_NOTE = "danger_context:resolved"


def rules_said_crisis(u: Understanding) -> bool:
    """Whether the crisis phrases and patterns matched (not just the intent model's guess)."""
    return any(n.startswith("crisis:") for n in u.notes)


def recent_crisis_case(turn: TurnInput, services: DialogServices) -> CaseSummary | None:
    """This resident's open crisis case, if it was opened or updated within the follow-up window."""
    return next(
        (
            case
            for case in services.desk.cases_of_user()
            if case.kind == "crisis"
            and case.status in OPEN_STATUSES
            and turn.now - case.updated_at <= FOLLOW_UP_WINDOW
        ),
        None,
    )


def handle_crisis(turn: TurnInput, services: DialogServices, *, message: str | None = None) -> Decision:
    """A form in progress is closed, its values travel with the urgent case so nothing is lost."""
    u = turn.understanding
    flow = turn.state.flow
    said = message if message is not None else u.text
    signal = (
        "safety_check_yes"
        if message is not None
        else next((n.removeprefix("crisis:") for n in u.notes if n.startswith("crisis:")), "crisis")
    )
    open_case = recent_crisis_case(turn, services)
    if open_case is not None:
        return Decision(
            replies=(Reply(texts.CRISIS_AGAIN.replace(CASE_REF_PLACEHOLDER, open_case.ref)),),
            state=replace(turn.state, flow=None, choices=()),
            action=Action.CRISIS,
            effects=(LinkToOpenCase(case_ref=open_case.ref, note=f"紧急情况补充:{said[:500]}"),),
        )
    effect = EscalateCrisis(
        signal=signal,
        message=said,
        form_values=(("form", flow.name), *flow.values) if flow else (),
    )
    return Decision(
        replies=(Reply(texts.CRISIS),),
        state=replace(turn.state, flow=None, choices=()),
        action=Action.CRISIS,
        effects=(effect,),
    )


def follow_up(turn: TurnInput, services: DialogServices) -> Decision | None:
    """A message after an emergency ("救护车到了", "谢谢") joins the open crisis case; None otherwise."""
    u = turn.understanding
    if turn.command is not None or turn.state.flow is not None:
        return None
    if u.intent not in FOLLOW_UP_INTENTS and RESOLVED_NOTE not in u.notes:
        return None
    open_case = recent_crisis_case(turn, services)
    if open_case is None:
        return None
    return Decision(
        replies=(Reply(texts.CRISIS_FOLLOW_UP.replace(CASE_REF_PLACEHOLDER, open_case.ref)),),
        state=replace(turn.state, choices=()),
        action=Action.CRISIS,
        effects=(LinkToOpenCase(case_ref=open_case.ref, note=f"紧急情况后续:{u.text[:500]}"),),
    )
