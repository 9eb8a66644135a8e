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


def out_of_scope(turn: TurnInput) -> Decision:
    return _say(turn, texts.OUT_OF_SCOPE, Action.FALLBACK)


def no_such_choice(turn: TurnInput) -> Decision:
    """A digit that is not among the choices offered: the same choices again, or the menu."""
    offered = turn.state.choices
    if not offered:
        return help_menu(turn)
    text = texts.NO_SUCH_CHOICE.replace("{first}", offered[0].key).replace("{last}", offered[-1].key)
    return Decision(replies=(Reply(text, offered),), state=turn.state, action=Action.FALLBACK)


def _say(turn: TurnInput, text: str, action: str) -> Decision:
    reply = menu_reply(text)
    return Decision(replies=(reply,), state=replace(turn.state, choices=reply.choices), action=action)


def service_offer(flow_name: str, payload: str) -> Reply:
    """After answering a question about a service: the service itself, or back to the menu."""
    choices = numbered(((texts.SERVICE_OFFER_LABELS[flow_name], payload), (texts.BACK_TO_MENU, "/menu")))
    return Reply(texts.SERVICE_OFFER_LEADS[flow_name], choices)
