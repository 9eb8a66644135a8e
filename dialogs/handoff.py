"""Hand-off to a person: a case with the transcript, and when staff will answer."""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.effects import HandOffToHuman
from dialogs.replies import Reply
from dialogs.turn import Action, Decision, DialogServices, TurnInput


def hand_off(turn: TurnInput, services: DialogServices, *, reason: str = "用户要求转人工") -> Decision:
    text = texts.HANDOFF.replace("{office_hours}", services.config.office_hours)
    return Decision(
        replies=(Reply(text),),
        state=replace(turn.state, flow=None, choices=()),
        action=Action.HANDOFF,
        effects=(HandOffToHuman(reason=reason),),
    )
