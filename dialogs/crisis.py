"""Crisis: answer at once with emergency numbers and open an urgent case, whatever was going on."""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.effects import EscalateCrisis
from dialogs.replies import Reply
from dialogs.turn import Action, Decision, TurnInput
from nlu.types import Understanding


def rules_said_crisis(u: Understanding) -> bool:
    """Whether the crisis phrases and patterns matched (not just the intent model's guess)."""
    return any(n.startswith("crisis:") for n in u.notes)


def handle_crisis(turn: TurnInput) -> Decision:
    """A form in progress is closed, its values travel with the urgent case so nothing is lost."""
    u = turn.understanding
    flow = turn.state.flow
    signal = next((n.removeprefix("crisis:") for n in u.notes if n.startswith("crisis:")), "crisis")
    effect = EscalateCrisis(
        signal=signal,
        message=u.text,
        form_values=(("form", flow.name), *flow.values) if flow else (),
    )
    return Decision(
        replies=(Reply(texts.CRISIS),),
        state=replace(turn.state, flow=None, choices=()),
        action=Action.CRISIS,
        effects=(effect,),
    )
