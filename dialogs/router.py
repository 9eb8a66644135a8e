"""One turn of the conversation: safety first, then commands, the flow in progress, then the intent.

The order is the policy: a crisis interrupts anything (a form the intent model alone, unsure, took a
crisis from stays resumable); a flow idle for longer than the timeout is suspended (an answer typed on
return still reaches it, a new request gets a resume offer); a "/..." command from a numbered choice or
a menu is handled as such; a flow in progress gets the message next; a digit nobody offered gets the
choices again; otherwise the intent picks the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import menu, policy, safety, status, texts
from dialogs.choices import choice_key
from dialogs.crisis import follow_up, handle_crisis, rules_said_crisis
from dialogs.eligibility import OPENING_KEY, PROGRAMME_COMMAND, programme_from_text
from dialogs.flows import FLOWS, Flow
from dialogs.forms.help_request import reads_like_help_request
from dialogs.handoff import hand_off
from dialogs.replies import Choice, Reply
from dialogs.service_questions import asks_about_service
from dialogs.state import FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from nlu.types import Intent

IntentHandler = Callable[[TurnInput, DialogServices], Decision]

# The model is this sure a message is unrelated ("讲个笑话"): say so, rather than "I did not understand".
OUT_OF_SCOPE_CONFIDENCE = 0.8
# Below this, a crisis the intent model alone saw ("被平台扣钱了" at 0.6) keeps a form resumable.
UNSURE_CRISIS_CONFIDENCE = 0.9


# The intents that start a service, and the flow each one starts.
SERVICE_FLOWS: dict[str, str] = {
    Intent.VOLUNTEER_SIGNUP: "volunteer_signup",
    Intent.REQUEST_HELP: "help_request",
    Intent.CHECK_ELIGIBILITY: "eligibility",
}


def _answer_service_question(turn: TurnInput, services: DialogServices, flow_name: str) -> Decision | None:
    """The pack's answer with its citation, then the service as a choice; None when the pack is not sure."""
    if flow_name not in SERVICE_FLOWS.values() or not asks_about_service(turn.understanding):
        return None
    answered = policy.answer_question(turn, services)
    if answered.action != Action.ANSWER:
        return None
    payload = f"/start {flow_name}"
    if flow_name == "eligibility":
        programme = programme_from_text(turn.understanding.normalized)
        payload = f"/check {programme}" if programme is not None else payload
    offer = menu.service_offer(flow_name, payload)
    return replace(
        answered,
        replies=(*answered.replies, offer),
        state=replace(answered.state, choices=offer.choices),
    )


def _check_programme(turn: TurnInput, services: DialogServices, programme_id: str) -> Decision:
    """ "检查我们社区的申报条件" after an answer about a programme: the check of that programme, no "which one?"."""
    flow = FLOWS["eligibility"]
    cleared = replace(turn, state=replace(turn.state, flow=None, choices=()))
    if not programme_id:
        return flow.start(cleared, services)
    # The check as if its "which programme?" question had just been answered with this one.
    asked = FlowState(name="eligibility", step="programme", values=((OPENING_KEY, ""),))
    chosen = replace(
        cleared, state=replace(cleared.state, flow=asked), command=PROGRAMME_COMMAND + programme_id
    )
    stepped = flow.step(chosen, services)
    return stepped if stepped is not None else flow.start(cleared, services)


def _inform(turn: TurnInput, services: DialogServices) -> Decision:
    """A statement outside any flow: a help request if it reads like one, else not understood."""
    if reads_like_help_request(turn.understanding) and "help_request" in FLOWS:
        return FLOWS["help_request"].start(turn, services)
    return menu.not_understood(turn)


def _start(flow_name: str) -> IntentHandler:
    def start(turn: TurnInput, services: DialogServices) -> Decision:
        flow = FLOWS.get(flow_name)
        if flow is None:
            return policy.answer_question(turn, services)
        answered = _answer_service_question(turn, services, flow_name)
        return answered if answered is not None else flow.start(turn, services)

    return start


# A policy question whose runner-up is a service ("志愿者要几点报到": ask_policy, then volunteer_signup)
# is answered and the service offered, as when the service came first. Only a numbered offer follows
# the answer, so a weak runner-up is enough.
SERVICE_RUNNER_UP = 0.15


def _ask_policy(turn: TurnInput, services: DialogServices) -> Decision:
    ranking = turn.understanding.ranking
    runner_up = ranking[1] if len(ranking) > 1 else None
    if (
        runner_up is not None
        and runner_up.name in SERVICE_FLOWS
        and runner_up.confidence >= SERVICE_RUNNER_UP
    ):
        answered = _answer_service_question(turn, services, SERVICE_FLOWS[runner_up.name])
        if answered is not None:
            return answered
    return policy.answer_question(turn, services)


INTENT_HANDLERS: dict[str, IntentHandler] = {
    Intent.GREET: lambda turn, services: menu.welcome(turn),
    Intent.THANKS_BYE: lambda turn, services: menu.goodbye(turn),
    Intent.ASK_POLICY: _ask_policy,
    Intent.REQUEST_HELP: _start(SERVICE_FLOWS[Intent.REQUEST_HELP]),
    Intent.VOLUNTEER_SIGNUP: _start(SERVICE_FLOWS[Intent.VOLUNTEER_SIGNUP]),
    Intent.CHECK_CASE_STATUS: status.show_status,
    Intent.HUMAN_HANDOFF: hand_off,
    Intent.FIND_DEMAND_CATEGORY: _start("category_guide"),
    Intent.CHECK_ELIGIBILITY: _start(SERVICE_FLOWS[Intent.CHECK_ELIGIBILITY]),
    Intent.INFORM: _inform,
}


def decide(turn: TurnInput, services: DialogServices) -> Decision:
    u = turn.understanding
    # A chosen answer to the safety question first (its label "有,现在有危险" reads as a crisis itself);
    # a typed message that is a crisis is one, whatever it answers ("不是,是我爸倒在地上了").
    if turn.command in safety.COMMANDS:
        return _after_safety_answer(turn, services, turn.command == safety.YES_COMMAND)
    if u.intent == Intent.CRISIS:
        return _keep_form_after_model_crisis(turn, handle_crisis(turn, services))
    danger = safety.answer_to_question(turn)
    if danger is not None:
        return _after_safety_answer(turn, services, danger)
    if safety.pending_message(turn.state) is not None:
        # Something else than an answer: the question lapses; this message is checked on its own.
        turn = replace(turn, state=safety.without_pending(turn.state))
    if u.safety_check and turn.command is None:
        return safety.ask(turn)
    followed = follow_up(turn, services)
    if followed is not None:
        return followed

    resumable = _suspend_if_idle(turn, services)
    if resumable is not turn:
        decision = _route(resumable, services)
        picked_up = _pick_up_on_return(turn, decision, services)
        return picked_up if picked_up is not None else _offer_resume(decision)
    decision = _route(turn, services)
    if decision.action == Action.FALLBACK and not any(c.payload == "/resume" for c in decision.state.choices):
        # Not understood while a form waits (set aside by a crisis or a question): offer it again.
        return _offer_resume(decision)
    return decision


def _after_safety_answer(turn: TurnInput, services: DialogServices, danger: bool) -> Decision:
    """ "有": the crisis, with the message the question was about. "没有": that message goes on as if
    the question had not been asked (a form in progress takes it as its answer)."""
    message = safety.pending_message(turn.state) or turn.understanding.text
    cleared = replace(turn, state=replace(safety.without_pending(turn.state), choices=()), command=None)
    if danger:
        return handle_crisis(cleared, services, message=message)
    if services.reinterpret is None or not message.strip():
        reply = menu.menu_reply(texts.SAFETY_OK)
        return Decision(
            replies=(reply,), state=replace(cleared.state, choices=reply.choices), action="smalltalk"
        )
    understood = replace(services.reinterpret(message), safety_check=False)
    return decide(replace(cleared, understanding=understood), services)


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
    u = turn.understanding
    if not u.normalized.strip():
        return menu.empty_message(turn)
    if turn.command is None and choice_key(u.text) is not None:
        # A digit the last reply did not offer ("9" after six choices) is no message to classify.
        return menu.no_such_choice(turn)
    if u.intent == Intent.OUT_OF_SCOPE and u.confidence >= OUT_OF_SCOPE_CONFIDENCE:
        return menu.out_of_scope(turn)
    handler = INTENT_HANDLERS.get(u.intent)
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
    if name == "/check" and "eligibility" in FLOWS:
        return _check_programme(turn, services, arg)
    if name == "/topic" and arg:
        return policy.answer_topic(turn, services, arg)
    if name == "/cancel" and state.flow is None:
        return Decision(
            replies=(Reply(texts.CANCELLED),), state=replace(state, choices=()), action="smalltalk"
        )
    if name == "/media":
        if state.flow is not None and state.flow.name in FLOWS:
            # A picture or an unheard voice message mid-form: say so, then ask the pending question again.
            said = Reply(texts.MEDIA_IN_FLOW.get(arg, texts.MEDIA_IN_FLOW["other"]))
            again = FLOWS[state.flow.name].resume(turn, services)
            return replace(again, replies=(said, *again.replies))
        reply = menu.menu_reply(texts.MEDIA_REPLIES.get(arg, texts.MEDIA_REPLIES["other"]))
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
    """A status look-up from the menu in the middle of a form leaves the form where it was.

    The look-up's own choices are dropped: the next digit answers the form.
    """
    if turn.state.flow is None:
        return decision
    note = Reply("您的登记还没填完,回复任意内容继续。")
    return replace(
        decision,
        replies=(*(Reply(r.text) for r in decision.replies), note),
        state=replace(decision.state, flow=turn.state.flow, choices=()),
    )


def _keep_form_after_model_crisis(turn: TurnInput, decision: Decision) -> Decision:
    """Safety first, whatever the source; but an answer the model alone read as a crisis
    ("楼上漏水好几个月了物业不管") must not cost the resident the form: it stays resumable by a digit.
    """
    flow = turn.state.flow
    u = turn.understanding
    if (
        flow is None
        or flow.name not in FLOWS
        or rules_said_crisis(u)
        or u.confidence >= UNSURE_CRISIS_CONFIDENCE
    ):
        return decision
    choices = tuple(
        Choice(str(i), label, payload) for i, (label, payload) in enumerate(texts.RESUME_CHOICES[:1], 1)
    )
    offer = Reply(texts.CRISIS_FORM_KEPT.replace("{form}", FLOWS[flow.name].title), choices)
    return replace(
        decision,
        replies=(*decision.replies, offer),
        state=replace(decision.state, suspended=flow, choices=choices),
    )


def _suspend_if_idle(turn: TurnInput, services: DialogServices) -> TurnInput:
    state = turn.state
    if state.flow is None or state.last_active is None:
        return turn
    if turn.now - state.last_active <= services.config.idle_timeout:
        return turn
    return replace(turn, state=replace(state, flow=None, suspended=state.flow, choices=()))


def _pick_up_on_return(turn: TurnInput, routed: Decision, services: DialogServices) -> Decision | None:
    """Back after the idle time-out with an answer, not a new request ("王芳" to "请问您的姓名?"):
    the form takes it, as if no time had passed. A greeting or a new request gets the resume offer.
    """
    flow = turn.state.flow
    if routed.action != Action.FALLBACK or turn.command is not None or flow is None or flow.name not in FLOWS:
        return None
    if not turn.understanding.normalized.strip():
        return None
    stepped = FLOWS[flow.name].step(turn, services)
    if stepped is None:
        return None
    back = Reply(texts.WELCOME_BACK.replace("{form}", FLOWS[flow.name].title))
    return replace(stepped, replies=(back, *stepped.replies))


def _offer_resume(decision: Decision) -> Decision:
    """Tell the user a suspended form can be continued; its choices follow any already offered."""
    suspended = decision.state.suspended
    if suspended is None or decision.state.flow is not None:
        return decision
    title = FLOWS[suspended.name].title if suspended.name in FLOWS else "登记"
    offered = decision.state.choices
    extra = tuple(
        Choice(str(len(offered) + i), label, payload)
        for i, (label, payload) in enumerate(texts.RESUME_CHOICES, 1)
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
