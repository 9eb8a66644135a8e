"""Interprets a `FormSpec`: consent first, then one slot at a time, a summary, and submission.

Behaviour residents expect, whatever the form: "取消"/"算了" at any step; corrections such as
"电话写错了,是139..." at any step; a question in the middle of a form is answered and the form
resumes ("为什么要我的电话?" is answered with what the data is for); a bad answer gets a specific
re-ask, and after `max_retries` failures a hand-off offer; declining a required question says why it
is needed and offers a person; a phone typed at another question is kept, not lost; wanting another
service mid-form ("我想报名做义工") offers to switch or carry on.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs import policy, status, texts
from dialogs.choices import choice_key
from dialogs.forms.reading import asks_about_privacy, declines, is_cancel, skips
from dialogs.forms.spec import FormContext, FormSpec, Slot
from dialogs.handoff import hand_off
from dialogs.replies import Choice, Reply, numbered
from dialogs.state import FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from dialogs.yesno import yes_or_no
from nlu.types import Intent, Understanding

CONSENT_STEP = "consent"
SUMMARY_STEP = "summary"
EDIT_STEP = "edit"
GIVE_UP_STEP = "give_up"
PENDING = "__pending__"
EDITING = "__editing__"
DECLINED = "__declined__"  # the give-up step was reached by declining a required question
CONTINUE = "/continue"

CORRECTION_HINTS = ("错", "改", "更正", "不是", "应该是", "换成", "换个", "更改")
QUESTION_MARKERS = ("?", "?", "吗", "多少", "怎么", "什么", "哪", "几", "能不能", "可不可以", "是否")
INTERRUPTING_INTENTS = {Intent.ASK_POLICY, Intent.CHECK_CASE_STATUS}

_CONSENT_CHOICES = numbered((("同意", "/yes"), ("不同意", "/no")))
_SUMMARY_CHOICES = numbered((("确认提交", "/submit"), ("修改", "/edit"), ("取消", "/cancel")))
_GIVE_UP_CHOICES = numbered((("转人工", "/handoff"), ("再试一次", "/retry"), ("取消", "/cancel")))
_DECLINED_CHOICES = numbered((("继续填写", "/retry"), ("转人工", "/handoff"), ("取消登记", "/cancel")))
_CONFIRM_CHOICES = numbered((("是", "/yes"), ("不是", "/no")))

CONSENT_REFUSED = (
    "好的,尊重您的选择,没有记录您的任何个人信息。不登记也可以继续问我政策问题,或回复「转人工」。"
)
CONSENT_AGAIN = "请回复 1 同意 或 2 不同意。"
CORRECTED = "好的,{label}已改为 {value}。"
SKIPPED = "好的,跳过。"
NOT_SKIPPABLE = "这一项需要填写,才能办理。"
SKIP_HINT = "不想留可以回复「跳过」。"
NOTED = "已记下{label}:{value}。"
RESUME_FORM = "我们接着填写:"
MIDFORM_UNSURE = "这个问题我没有把握回答准确,已记下转给工作人员。"
SWITCH_OFFER = "您的{title}还没填完。要改为{other}吗?回复数字:"
# Another service asked for mid-form, by the intent that starts it: (flow name, what it is called).
SWITCH_TO: dict[str, tuple[str, str]] = {
    Intent.REQUEST_HELP: ("help_request", "求助登记"),
    Intent.VOLUNTEER_SIGNUP: ("volunteer_signup", "志愿者报名"),
    Intent.FIND_DEMAND_CATEGORY: ("category_guide", "项目申报指引"),
    Intent.CHECK_ELIGIBILITY: ("eligibility", "申报条件检查"),
}
SWITCH_CONFIDENCE = 0.9
# A choice (urgency) is taken out of turn only from an answer this short: keywords hide in sentences.
OUT_OF_TURN_CHOICE_CHARS = 4
CONFIRM_FUZZY = "您说的是「{value}」吗?"
CONFIRM_AGAIN = "请先回复 1 是 或 2 不是。"
CHOOSE_ONE = "有几个相近的,请回复数字选择:"
SUMMARY_HEAD = "请核对您的{title}:"
EDIT_WHICH = "要修改哪一项?回复数字:"
GIVE_UP = "这一项多次没有填成功。需要我帮您转给工作人员吗?"
UNVERIFIED = "(未核实)"


def context(services: DialogServices) -> FormContext:
    return FormContext(
        office_hours=services.config.office_hours, retention_days=services.config.retention_days
    )


def start(spec: FormSpec, turn: TurnInput, services: DialogServices) -> Decision:
    """Open the form: values already in the first message are kept (not asked again), consent comes first."""
    flow = _fill_from(spec, FlowState(name=spec.name, step=CONSENT_STEP), turn.understanding)
    return _decide(turn, spec, flow, (_consent(spec, services),))


def step(spec: FormSpec, turn: TurnInput, services: DialogServices) -> Decision:
    flow = turn.state.flow
    assert flow is not None and flow.name == spec.name  # the router only routes a form's own flow here
    u = turn.understanding
    text = (turn.command or u.text).strip()

    # A chosen command means what it says, whatever the model reads into its label
    # ("继续填写求助登记" is not a cancel).
    typed = turn.command is None
    if text == "/cancel" or (typed and is_cancel(text, u)):
        return _cancel(turn)
    if text == "/handoff" or (typed and u.intent == Intent.HUMAN_HANDOFF and u.confidence >= 0.6):
        return hand_off(turn, services, reason=f"填写{spec.title}时要求转人工")
    if text == CONTINUE:
        return resume(spec, turn, services)
    if turn.command is None and asks_about_privacy(u):
        privacy = spec.privacy.replace("{retention_days}", str(services.config.retention_days))
        flow, pending = _pending_reply(spec, flow, services)
        again = Reply(f"{RESUME_FORM}{pending.text}", pending.choices)
        return _decide(turn, spec, flow, (Reply(privacy), again))

    if turn.command is None and choice_key(text) is not None and turn.state.choices:
        # A digit the last reply did not offer ("2" with one choice): the same choices again.
        offered = turn.state.choices
        again = texts.NO_SUCH_CHOICE.replace("{first}", offered[0].key).replace("{last}", offered[-1].key)
        return _decide(turn, spec, flow, (Reply(again, offered),))
    if flow.step == CONSENT_STEP:
        return _on_consent(spec, turn, services, flow, text)
    if flow.step == GIVE_UP_STEP:
        return _on_give_up(spec, turn, services, flow, text)

    corrected = _correction(spec, flow, u, text)
    if corrected is not None:
        slot, value = corrected
        flow = flow.with_value(slot.name, value)
        note = Reply(CORRECTED.replace("{label}", slot.label).replace("{value}", slot.display(value)))
        return _continue(spec, turn, services, flow, (note,))

    if flow.step.startswith("ask:"):
        return _on_answer(spec, turn, services, flow, spec.slot(flow.step[4:]), text)
    if flow.step.startswith("confirm:"):
        return _on_confirm(spec, turn, services, flow, spec.slot(flow.step[8:]), text)
    if flow.step.startswith("choose:"):
        slot = spec.slot(flow.step[7:])
        if text.startswith(f"/slot {slot.name} "):
            return _continue(spec, turn, services, flow.with_value(slot.name, text.split(" ", 2)[2]), ())
        return _on_answer(spec, turn, services, flow, slot, text)
    if flow.step == SUMMARY_STEP:
        if text == "/submit" or yes_or_no(text, u) is True:
            return _submit(spec, turn, services, flow)
        if text == "/edit" or "修改" in text or yes_or_no(text, u) is False:
            return _edit_menu(spec, turn, flow)
        return _interrupt_or(spec, turn, services, flow, _summary(spec, flow))
    if flow.step == EDIT_STEP:
        if text.startswith("/edit "):
            name = text.removeprefix("/edit ")
            return _ask(spec, turn, flow.with_value(EDITING, "1"), name, ())
        return _edit_menu(spec, turn, flow)
    return _continue(spec, turn, services, flow, ())


# --- steps -----------------------------------------------------------------------------------


def _on_consent(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, text: str
) -> Decision:
    answer = yes_or_no(text, turn.understanding)
    if answer is True:
        return _continue(spec, turn, services, flow.at("started"), ())
    if answer is False:
        return Decision(
            replies=(Reply(CONSENT_REFUSED),),
            state=replace(turn.state, flow=None, choices=()),
            action=spec.action,
        )
    if _is_question(turn.understanding):
        return _answer_then(spec, turn, services, flow, Reply(CONSENT_AGAIN, _CONSENT_CHOICES))
    return _decide(turn, spec, flow, (Reply(CONSENT_AGAIN, _CONSENT_CHOICES),))


def _on_give_up(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, text: str
) -> Decision:
    """After repeated failures (or declining a required question): a person, another try, or cancel."""
    u = turn.understanding
    slot_name = flow.get(PENDING) or _first_missing(spec, flow) or ""
    declined = flow.get(DECLINED) is not None
    cleared = flow.without(PENDING, DECLINED)
    answer = yes_or_no(text, u)
    # Declined: "好" carries on filling in. Given up: "不" (no person) tries again, "好" hands off.
    carry_on = answer is True if declined else answer is False
    if text == "/retry" or carry_on:
        return _ask(spec, turn, cleared, slot_name, ())
    if answer is True:
        return hand_off(turn, services, reason=f"填写{spec.title}时多次没有填成功")
    if slot_name and turn.command is None and not declines(u):
        # The answer after all ("我想想,还是留电话吧 139..."): take it and carry on.
        slot = spec.slot(slot_name)
        check = slot.validate(_resolve_choice_text(slot, text), u)
        if check.value is not None:
            return _continue(spec, turn, services, cleared.with_value(slot.name, check.value), ())
    _, pending = _pending_reply(spec, flow, services)
    return _decide(turn, spec, flow, (pending,))


def _on_confirm(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, slot: Slot, text: str
) -> Decision:
    u = turn.understanding
    pending = flow.get(PENDING)
    answer = yes_or_no(text)
    if answer is None:
        # Not a yes/no word: a new answer to this question ("不是莲花北,是莲花西") is taken as one; an
        # answer to a later question ("不急", a phone) is kept; only then may the model read yes or no.
        check = slot.validate(_resolve_choice_text(slot, text), u)
        if check.value is not None or check.confirm is not None or check.options:
            return _on_answer(spec, turn, services, flow.without(PENDING), slot, text)
        noted = _fill_out_of_turn(spec, flow, u, slot)
        if noted is not None:
            flow, note = noted
            _, again = _pending_reply(spec, flow, services)
            return _decide(turn, spec, flow, (Reply(f"{note}{again.text}", again.choices),))
        answer = yes_or_no(text, u)
    if answer is True and pending is not None:
        return _continue(spec, turn, services, flow.without(PENDING).with_value(slot.name, pending), ())
    if answer is False:
        return _ask(spec, turn, flow.without(PENDING), slot.name, ())
    if _is_question(u, strict=False):
        _, again = _pending_reply(spec, flow, services)
        return _answer_then(spec, turn, services, flow, again)
    retries = flow.retries + 1
    if retries >= services.config.max_retries:
        given_up = flow.without(PENDING).with_value(PENDING, slot.name).at(GIVE_UP_STEP)
        return _decide(turn, spec, given_up, (Reply(GIVE_UP, _GIVE_UP_CHOICES),))
    again = Reply(
        f"{CONFIRM_AGAIN}{CONFIRM_FUZZY.replace('{value}', flow.get(PENDING) or '')}", _CONFIRM_CHOICES
    )
    return _decide(turn, spec, flow.at(flow.step, retries=retries), (again,))


def _on_answer(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, slot: Slot, text: str
) -> Decision:
    u = turn.understanding
    if _is_question(u) and not slot.choices:
        return _answer_then(spec, turn, services, flow, _prompt(slot))
    if skips(text) or declines(u):
        if slot.optional:
            return _continue(spec, turn, services, flow.with_value(slot.name, ""), (Reply(SKIPPED),))
        return _decline_required(spec, turn, flow, slot)
    answer = _resolve_choice_text(slot, text)
    check = slot.validate(answer, u)
    if check.value is not None:
        flow = flow.with_value(slot.name, check.value)
        if answer == text and not flow.get(EDITING):
            # "我妈腿脚不好,想找人上门照顾" answers the need type and is the description too.
            flow = _fill_from(spec, flow, u, mid_form=True)
        return _continue(spec, turn, services, flow, ())
    if check.confirm is not None:
        pending = flow.with_value(PENDING, check.confirm).at(f"confirm:{slot.name}", retries=flow.retries)
        reply = Reply(CONFIRM_FUZZY.replace("{value}", check.confirm), _CONFIRM_CHOICES)
        return _decide(turn, spec, pending, (reply,))
    if check.options:
        choices = numbered([(label, f"/slot {slot.name} {value}") for label, value in check.options])
        return _decide(
            turn,
            spec,
            flow.at(f"choose:{slot.name}", retries=flow.retries),
            (Reply(check.problem or CHOOSE_ONE, choices),),
        )
    switch = _switch_offer(spec, turn, flow)
    if switch is not None:
        return switch
    if _is_question(u, strict=False):
        return _answer_then(spec, turn, services, flow, _prompt(slot))
    noted = _fill_out_of_turn(spec, flow, u, slot)
    if noted is not None:
        flow, note = noted
        prompt = _prompt(slot)
        again = Reply(f"{note}{prompt.text}", prompt.choices)
        return _decide(turn, spec, flow.at(f"ask:{slot.name}", retries=flow.retries), (again,))
    if _accept_unverified(slot, flow, u):
        return _continue(spec, turn, services, flow.with_value(slot.name, f"{text[:60]}{UNVERIFIED}"), ())
    return _retry(spec, turn, services, flow, slot, check.problem or "")


def _accept_unverified(slot: Slot, flow: FlowState, u: Understanding) -> bool:
    """After failed tries, an answer of the right kind ("碧海花园") is kept, marked 未核实 for staff."""
    if not slot.accept_unverified_after or flow.retries + 1 < slot.accept_unverified_after:
        return False
    return slot.unverified_check is None or slot.unverified_check(u)


def _decline_required(spec: FormSpec, turn: TurnInput, flow: FlowState, slot: Slot) -> Decision:
    """A required question declined: say why it is needed, and offer a person or cancelling."""
    declined = flow.with_value(PENDING, slot.name).with_value(DECLINED, "1").at(GIVE_UP_STEP)
    return _decide(turn, spec, declined, (Reply(slot.required_why or NOT_SKIPPABLE, _DECLINED_CHOICES),))


def _switch_offer(spec: FormSpec, turn: TurnInput, flow: FlowState) -> Decision | None:
    """ "我想报名做义工" in the middle of a help request: switch to it, or carry on with this form."""
    u = turn.understanding
    target = SWITCH_TO.get(u.intent)
    if target is None or target[0] == spec.name or u.confidence < SWITCH_CONFIDENCE:
        return None
    name, other = target
    offer = Reply(
        SWITCH_OFFER.replace("{title}", spec.title).replace("{other}", other),
        numbered(((f"改为{other}", f"/start {name}"), (f"继续填写{spec.title}", CONTINUE))),
    )
    return _decide(turn, spec, flow, (offer,))


def _fill_from(spec: FormSpec, flow: FlowState, u: Understanding, *, mid_form: bool = False) -> FlowState:
    """`flow` with every empty slot that this message already answers filled in, so it is not asked."""
    for slot in spec.slots:
        if flow.get(slot.name) is not None or (mid_form and not slot.prefill_mid_form):
            continue
        value = _prefilled(slot, u)
        if value is not None:
            flow = flow.with_value(slot.name, value)
    return flow


def _prefilled(slot: Slot, u: Understanding) -> str | None:
    """The value this message gives for `slot` unasked, once its validator accepts it."""
    raw = slot.prefill(u) if slot.prefill is not None else None
    return slot.validate(raw, u).value if raw else None


def _fill_out_of_turn(
    spec: FormSpec, flow: FlowState, u: Understanding, asked: Slot
) -> tuple[FlowState, str] | None:
    """Slots a message answers although another was asked (a phone typed at the community question).

    Returns the flow with them filled and a note saying what was kept, or None when it answers none.
    """
    notes: list[str] = []
    for slot in spec.slots:
        if not slot.out_of_turn or slot.name == asked.name or flow.get(slot.name) is not None:
            continue
        if slot.choices and len(u.normalized.strip()) > OUT_OF_TURN_CHOICE_CHARS:
            continue  # "今天天气怎么样" is no urgency; "不急" on its own is
        value = _prefilled(slot, u)
        if value is not None:
            flow = flow.with_value(slot.name, value)
            notes.append(NOTED.replace("{label}", slot.label).replace("{value}", slot.display(value)))
    return (flow, "".join(notes) + "\n") if notes else None


def _retry(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, slot: Slot, problem: str
) -> Decision:
    """Ask again, once: the specific problem (it says what to type) with the slot's choices."""
    retries = flow.retries + 1
    if retries >= services.config.max_retries:
        given_up = flow.with_value(PENDING, slot.name).at(GIVE_UP_STEP)
        return _decide(turn, spec, given_up, (Reply(f"{problem}\n{GIVE_UP}".strip(), _GIVE_UP_CHOICES),))
    prompt = _prompt(slot)
    text = problem or prompt.text
    if problem and slot.optional:
        text += SKIP_HINT
    return _decide(turn, spec, flow.at(f"ask:{slot.name}", retries=retries), (Reply(text, prompt.choices),))


def _continue(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, before: tuple[Reply, ...]
) -> Decision:
    """Ask the next missing slot, or show the summary when everything is in."""
    if flow.get(EDITING) or flow.step in (SUMMARY_STEP, EDIT_STEP):
        missing = _first_missing(spec, flow)
        if missing is None:
            flow = flow.without(EDITING)
            return _decide(turn, spec, flow.at(SUMMARY_STEP), (*before, _summary(spec, flow)))
    missing = _first_missing(spec, flow)
    if missing is None:
        return _decide(turn, spec, flow.at(SUMMARY_STEP), (*before, _summary(spec, flow)))
    return _ask(spec, turn, flow, missing, before)


def _ask(
    spec: FormSpec, turn: TurnInput, flow: FlowState, slot_name: str, before: tuple[Reply, ...]
) -> Decision:
    slot = spec.slot(slot_name)
    return _decide(turn, spec, flow.at(f"ask:{slot.name}"), (*before, _prompt(slot)))


def _submit(spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision:
    values = {k: v for k, v in flow.values if not k.startswith("__")}
    done = spec.complete(values, services.desk, context(services))
    return Decision(
        replies=(Reply(done.text),),
        state=replace(turn.state, flow=None, choices=()),
        action=spec.action,
        effects=done.effects,
    )


def _edit_menu(spec: FormSpec, turn: TurnInput, flow: FlowState) -> Decision:
    return _decide(turn, spec, flow.at(EDIT_STEP), (_edit_reply(spec),))


def _edit_reply(spec: FormSpec) -> Reply:
    return Reply(EDIT_WHICH, numbered([(s.label, f"/edit {s.name}") for s in spec.slots]))


def _cancel(turn: TurnInput) -> Decision:
    return Decision(
        replies=(Reply(texts.CANCELLED),),
        state=replace(turn.state, flow=None, choices=()),
        action="smalltalk",
    )


def _interrupt_or(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, then: Reply
) -> Decision:
    if _is_question(turn.understanding, strict=False):
        return _answer_then(spec, turn, services, flow, then)
    return _decide(turn, spec, flow, (then,))


def _answer_then(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, resume: Reply
) -> Decision:
    """Answer a question asked mid-form, then ask the pending question again.

    A question the knowledge pack cannot answer is recorded for staff; its topic choices are not
    offered here, since a digit now answers the form.
    """
    if turn.understanding.intent == Intent.CHECK_CASE_STATUS:
        answered = status.show_status(turn, services)
    else:
        answered = policy.answer_question(turn, services)
    said = (Reply(MIDFORM_UNSURE),) if answered.action == Action.FALLBACK else answered.replies
    replies = (
        *(Reply(r.text) for r in said),
        Reply(f"{RESUME_FORM}{resume.text}", resume.choices),
    )
    return Decision(
        replies=replies,
        state=replace(turn.state, flow=flow, choices=resume.choices),
        action=spec.action,
        effects=answered.effects,
        citations=answered.citations,
    )


# --- helpers ---------------------------------------------------------------------------------


def _decide(turn: TurnInput, spec: FormSpec, flow: FlowState, replies: tuple[Reply, ...]) -> Decision:
    last_choices: tuple[Choice, ...] = replies[-1].choices if replies else ()
    return Decision(
        replies=replies,
        state=replace(turn.state, flow=flow, choices=last_choices),
        action=spec.action,
    )


def _consent(spec: FormSpec, services: DialogServices) -> Reply:
    return Reply(
        spec.consent.replace("{retention_days}", str(services.config.retention_days)), _CONSENT_CHOICES
    )


def _prompt(slot: Slot) -> Reply:
    if not slot.choices:
        return Reply(slot.prompt)
    return Reply(
        slot.prompt, numbered([(label, f"/slot {slot.name} {value}") for label, value in slot.choices])
    )


def _summary(spec: FormSpec, flow: FlowState) -> Reply:
    lines = [SUMMARY_HEAD.replace("{title}", spec.title)]
    for slot in spec.slots:
        value = flow.get(slot.name) or ""
        shown = slot.display(value) if value else "(未填)"
        lines.append(f"{slot.label}:{shown}")
    return Reply("\n".join(lines), _SUMMARY_CHOICES)


def _first_missing(spec: FormSpec, flow: FlowState) -> str | None:
    for slot in spec.slots:
        if flow.get(slot.name) is None:
            return slot.name
    return None


def _is_question(u: Understanding, *, strict: bool = True) -> bool:
    if u.intent not in INTERRUPTING_INTENTS:
        return False
    if u.intent == Intent.CHECK_CASE_STATUS:
        # "查询进度" asks without a question word; an unsure guess ("为什么要我的电话") is no look-up.
        return u.confidence >= 0.8
    has_marker = any(m in u.normalized for m in QUESTION_MARKERS)
    return u.confidence >= (0.7 if strict else 0.5) and has_marker


def _correction(spec: FormSpec, flow: FlowState, u: Understanding, text: str) -> tuple[Slot, str] | None:
    """A corrected value for an already-filled slot, e.g. "电话写错了,是 139...".

    Only when the message says it corrects something, so a phone typed at the phone step is an answer.
    """
    if not any(h in text or h in u.normalized for h in CORRECTION_HINTS):
        return None
    for slot in spec.slots:
        if slot.correctable_by is None or flow.get(slot.name) is None:
            continue
        candidate = slot.correctable_by(u)
        if candidate is None:
            continue
        check = slot.validate(candidate, u)
        if check.value is not None and check.value != flow.get(slot.name):
            return slot, check.value
    return None


_MULTI_SPLIT = re.compile(r"[\s,,、;;和及]+")


def _resolve_choice_text(slot: Slot, text: str) -> str:
    """Map typed digits ("1 3", "2、4") to the slot's choice values; other text passes through.

    A digit outside the choices leaves the text as it is, so it is asked again rather than dropped.
    """
    if not slot.choices:
        return text
    if text.startswith(f"/slot {slot.name} "):
        return text.split(" ", 2)[2]
    parts = [p for p in _MULTI_SPLIT.split(text) if p]
    if parts and all(p.isdigit() for p in parts):
        if not all(1 <= int(p) <= len(slot.choices) for p in parts):
            return text
        picked = [slot.choices[int(p) - 1][1] for p in parts]
        if slot.multi or len(picked) == 1:
            return ",".join(dict.fromkeys(picked))
    return text


def _pending_reply(spec: FormSpec, flow: FlowState, services: DialogServices) -> tuple[FlowState, Reply]:
    """What the form is waiting for, asked again: the flow to wait in and the question."""
    if flow.step == CONSENT_STEP:
        return flow, _consent(spec, services)
    if flow.step == SUMMARY_STEP:
        return flow, _summary(spec, flow)
    if flow.step == EDIT_STEP:
        return flow, _edit_reply(spec)
    if flow.step == GIVE_UP_STEP:
        if flow.get(DECLINED):
            slot = spec.slot(flow.get(PENDING) or "")
            return flow, Reply(slot.required_why or NOT_SKIPPABLE, _DECLINED_CHOICES)
        return flow, Reply(GIVE_UP, _GIVE_UP_CHOICES)
    pending = flow.get(PENDING)
    if flow.step.startswith("confirm:") and pending is not None:
        return flow, Reply(CONFIRM_FUZZY.replace("{value}", pending), _CONFIRM_CHOICES)
    if flow.step.startswith(("ask:", "confirm:", "choose:")):
        slot = spec.slot(flow.step.split(":", 1)[1])
        return flow.without(PENDING).at(f"ask:{slot.name}", retries=flow.retries), _prompt(slot)
    missing = _first_missing(spec, flow)
    if missing is None:
        return flow.at(SUMMARY_STEP), _summary(spec, flow)
    slot = spec.slot(missing)
    return flow.at(f"ask:{slot.name}"), _prompt(slot)


def resume(spec: FormSpec, turn: TurnInput, services: DialogServices) -> Decision:
    """Pick a form up where it stopped (after an idle time-out, a crisis, or "继续填写")."""
    flow = turn.state.flow
    assert flow is not None
    waiting, pending = _pending_reply(spec, flow, services)
    return _decide(turn, spec, waiting, (pending,))
