"""One turn of the conversation: safety first, then commands, the flow in progress, then the intent.

The order is the policy: a crisis interrupts anything; a flow idle for longer than the timeout is
suspended (and can be resumed); a "/..." command from a numbered choice or a menu is handled as
such; a flow in progress gets the message next; otherwise the intent picks the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import menu, policy, status, texts
from dialogs.crisis import handle_crisis
from dialogs.flows import FLOWS, Flow
from dialogs.handoff import hand_off
from dialogs.replies import Choice, Reply
from dialogs.turn import Decision, DialogServices, TurnInput
from nlu.types import Intent

IntentHandler = Callable[[TurnInput, DialogServices], Decision]


def _start(flow_name: str) -> IntentHandler:
    def start(turn: TurnInput, services: DialogServices) -> Decision:
        flow = FLOWS.get(flow_name)
        if flow is None:
            return policy.answer_question(turn, services)
        return flow.start(turn, services)

    return start


INTENT_HANDLERS: dict[str, IntentHandler] = {
    Intent.GREET: lambda turn, services: menu.welcome(turn),
    Intent.THANKS_BYE: lambda turn, services: menu.goodbye(turn),
    Intent.ASK_POLICY: policy.answer_question,
    Intent.REQUEST_HELP: _start("help_request"),
    Intent.VOLUNTEER_SIGNUP: _start("volunteer_signup"),
    Intent.CHECK_CASE_STATUS: status.show_status,
    Intent.HUMAN_HANDOFF: hand_off,
    Intent.FIND_DEMAND_CATEGORY: _start("category_guide"),
    Intent.CHECK_ELIGIBILITY: _start("eligibility"),
}


def decide(turn: TurnInput, services: DialogServices) -> Decision:
    u = turn.understanding
    if u.intent == Intent.CRISIS:
        return handle_crisis(turn)

    resumable = _suspend_if_idle(turn, services)
    if resumable is not turn:
        decision = _route(resumable, services)
        return _offer_resume(decision)
    return _route(turn, services)


def _route(turn: TurnInput, services: DialogServices) -> Decision:
    if turn.command is not None:
        handled = _command(turn, services, turn.command)
        if handled is not None:
            return handled
    flow = turn.state.flow
    if flow is not None and flow.name in FLOWS:
        decision = FLOWS[flow.name].step(turn, services)
        if decision is not None:
            return decision
        # The flow let go of the message (it is clearly about something else): leave the flow.
        turn = replace(turn, state=replace(turn.state, flow=None, choices=()))
    if not turn.understanding.normalized.strip():
        return menu.empty_message(turn)
    handler = INTENT_HANDLERS.get(turn.understanding.intent)
    if handler is None:
        return menu.not_understood(turn)
    return handler(turn, services)


def _command(turn: TurnInput, services: DialogServices, command: str) -> Decision | None:
    """Global commands. Form-local commands (/yes, /slot ...) return None and go to the flow."""
    name, _, arg = command.partition(" ")
    state = turn.state
    if name in ("/start", "/menu") and not arg:
        return menu.welcome(turn)
    if name == "/help":
        return menu.help_menu(turn)
    if name == "/start" and arg in FLOWS:
        return FLOWS[arg].start(replace(turn, state=replace(state, flow=None)), services)
    if name == "/menu" and arg == "policy":
        return policy.prompt_for_question(turn)
    if name == "/menu" and arg == "guide" and "category_guide" in FLOWS:
        return FLOWS["category_guide"].start(replace(turn, state=replace(state, flow=None)), services)
    if name == "/status":
        decision = status.show_status(turn, services)
        return _keep_flow(turn, decision)
    if name == "/handoff":
        return hand_off(turn, services)
    if name == "/topic" and arg:
        return policy.answer_topic(turn, services, arg)
    if name == "/cancel" and state.flow is None:
        return Decision(
            replies=(Reply(texts.CANCELLED),), state=replace(state, choices=()), action="smalltalk"
        )
    if name == "/media":
        reply = menu.menu_reply(texts.MEDIA_REPLIES.get(arg, texts.MEDIA_REPLIES["other"]))
        if state.flow is not None:
            return Decision(replies=(Reply(reply.text),), state=state, action="fallback")
        return Decision(replies=(reply,), state=replace(state, choices=reply.choices), action="fallback")
    if name == "/resume":
        return _resume(turn, services)
    if name == "/restart":
        suspended = state.suspended
        cleared = replace(turn, state=replace(state, suspended=None, flow=None))
        if suspended is not None and suspended.name in FLOWS:
            return FLOWS[suspended.name].start(cleared, services)
        return menu.welcome(cleared)
    return None


def _keep_flow(turn: TurnInput, decision: Decision) -> Decision:
    """A status look-up from the menu in the middle of a form leaves the form where it was."""
    if turn.state.flow is None:
        return decision
    note = Reply("您的登记还没填完,回复任意内容继续。")
    return replace(
        decision, replies=(*decision.replies, note), state=replace(decision.state, flow=turn.state.flow)
    )


def _suspend_if_idle(turn: TurnInput, services: DialogServices) -> TurnInput:
    state = turn.state
    if state.flow is None or state.last_active is None:
        return turn
    if turn.now - state.last_active <= services.config.idle_timeout:
        return turn
    return replace(turn, state=replace(state, flow=None, suspended=state.flow, choices=()))


def _offer_resume(decision: Decision) -> Decision:
    """Tell the user a suspended form can be continued; its choices follow any already offered."""
    suspended = decision.state.suspended
    if suspended is None or decision.state.flow is not None:
        return decision
    title = FLOWS[suspended.name].title if suspended.name in FLOWS else "登记"
    offered = decision.state.choices
    extra = tuple(
        Choice(str(len(offered) + i), label, payload) for i, (label, payload) in enumerate(texts.RESUME_CHOICES, 1)
    )
    offer = Reply(texts.RESUME_OFFER.replace("{form}", title), extra)
    return replace(
        decision,
        replies=(*decision.replies, offer),
        state=replace(decision.state, choices=(*offered, *extra)),
    )


def _resume(turn: TurnInput, services: DialogServices) -> Decision:
    suspended = turn.state.suspended
    if suspended is None or suspended.name not in FLOWS:
        return menu.help_menu(turn)
    flow: Flow = FLOWS[suspended.name]
    resumed = replace(turn, state=replace(turn.state, flow=suspended, suspended=None))
    return flow.resume(resumed, services)
