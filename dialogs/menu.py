"""Greetings, help, goodbyes and not-understood: the main menu."""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.replies import Reply, numbered
from dialogs.turn import Action, Decision, TurnInput

MAIN_MENU = numbered(texts.MENU_LABELS)


def menu_reply(text: str) -> Reply:
    return Reply(text, MAIN_MENU)


def welcome(turn: TurnInput) -> Decision:
    return _say(turn, texts.WELCOME, Action.SMALLTALK)


def help_menu(turn: TurnInput) -> Decision:
    return _say(turn, texts.HELP, Action.SMALLTALK)


def goodbye(turn: TurnInput) -> Decision:
    return Decision(
        replies=(Reply(texts.GOODBYE),), state=replace(turn.state, choices=()), action=Action.SMALLTALK
    )


def not_understood(turn: TurnInput) -> Decision:
    return _say(turn, texts.NOT_UNDERSTOOD, Action.FALLBACK)


def empty_message(turn: TurnInput) -> Decision:
    return _say(turn, texts.EMPTY_MESSAGE, Action.FALLBACK)


def _say(turn: TurnInput, text: str, action: str) -> Decision:
    reply = menu_reply(text)
    return Decision(replies=(reply,), state=replace(turn.state, choices=reply.choices), action=action)
