"""The safety question: when the NLU is not sure whether someone is in danger, ask before anything else.

"现在有没有人有生命危险?" comes with 110 / 120 / 12356 in the same message, so a resident in danger has
the numbers at once whatever they answer. "有" raises the crisis with the message that prompted the
question; "没有" lets that message go where it would have gone (a form in progress takes it as its
answer; a new request starts). The message waits in the conversation state (encrypted at rest) for
one turn; anything else typed instead is handled as new, and checked for danger again itself.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.replies import Choice, Reply
from dialogs.state import ConversationState
from dialogs.turn import Action, Decision, TurnInput
from dialogs.yesno import yes_or_no

PENDING_KEY = "safety_pending"
YES_COMMAND = "/danger yes"
NO_COMMAND = "/danger no"
COMMANDS = frozenset({YES_COMMAND, NO_COMMAND})
CHOICES = (
    Choice("1", texts.SAFETY_YES, YES_COMMAND),
    Choice("2", texts.SAFETY_NO, NO_COMMAND),
)


def pending_message(state: ConversationState) -> str | None:
    """The message the safety question was asked about, while its answer is awaited."""
    return next((v for k, v in state.extra if k == PENDING_KEY), None)


def without_pending(state: ConversationState) -> ConversationState:
    return replace(state, extra=tuple((k, v) for k, v in state.extra if k != PENDING_KEY))


def ask(turn: TurnInput) -> Decision:
    """The question, with the numbers; a form in progress stays where it is."""
    state = without_pending(turn.state)
    state = replace(
        state, extra=(*state.extra, (PENDING_KEY, turn.understanding.text[:2000])), choices=CHOICES
    )
    return Decision(replies=(Reply(texts.SAFETY_QUESTION, CHOICES),), state=state, action=Action.SAFETY_CHECK)


def answer_to_question(turn: TurnInput) -> bool | None:
    """A typed answer to the question: True for "yes, danger", False for "no", None when the message is
    not one. (A chosen answer arrives as YES_COMMAND / NO_COMMAND and is the router's to read first.)"""
    if turn.command is not None or pending_message(turn.state) is None:
        return None
    return yes_or_no(turn.understanding.text, turn.understanding)
