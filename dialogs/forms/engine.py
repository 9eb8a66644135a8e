"""Interprets a `FormSpec`: consent first, then one slot at a time, a summary, and submission.

Behaviour residents expect, whatever the form: "取消"/"算了" at any step; corrections such as
"电话写错了,是139..." at any step; a question in the middle of a form is answered and the form
resumes; a bad answer gets a specific re-ask, and after `max_retries` failures a hand-off offer.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs import policy, status
from dialogs.forms.spec import FormContext, FormSpec, Slot
from dialogs.handoff import hand_off
from dialogs.replies import Choice, Reply, numbered
from dialogs.state import FlowState
from dialogs.turn import Decision, DialogServices, TurnInput
from dialogs.yesno import yes_or_no
from nlu.types import Intent, Understanding

CONSENT_STEP = "consent"
SUMMARY_STEP = "summary"
EDIT_STEP = "edit"
GIVE_UP_STEP = "give_up"
PENDING = "__pending__"
EDITING = "__editing__"

CANCEL_WORDS = ("取消", "算了", "不要了", "不填了", "不办了", "退出", "唔要", "唔使", "cancel", "/cancel")
SKIP_WORDS = ("跳过", "不填", "不想说", "不想留", "略过", "skip", "/skip")
CORRECTION_HINTS = ("错", "改", "更正", "不是", "应该是", "换成", "换个", "更改")
QUESTION_MARKERS = ("?", "?", "吗", "多少", "怎么", "什么", "哪", "几", "能不能", "可不可以", "是否")
INTERRUPTING_INTENTS = {Intent.ASK_POLICY, Intent.CHECK_CASE_STATUS}

_CONSENT_CHOICES = numbered((("同意", "/yes"), ("不同意", "/no")))
_SUMMARY_CHOICES = numbered((("确认提交", "/submit"), ("修改", "/edit"), ("取消", "/cancel")))
_GIVE_UP_CHOICES = numbered((("转人工", "/handoff"), ("再试一次", "/retry"), ("取消", "/cancel")))
_CONFIRM_CHOICES = numbered((("是", "/yes"), ("不是", "/no")))

CONSENT_REFUSED = (
    "好的,尊重您的选择,没有记录您的任何个人信息。不登记也可以继续问我政策问题,或回复「转人工」。"
)
CONSENT_AGAIN = "请回复 1 同意 或 2 不同意。"
CORRECTED = "好的,{label}已改为 {value}。"
SKIPPED = "好的,跳过。"
NOT_SKIPPABLE = "这一项需要填写。"
CONFIRM_FUZZY = "您说的是「{value}」吗?"
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
    text = spec.consent.replace("{retention_days}", str(services.config.retention_days))
    return _decide(turn, spec, flow, (Reply(text, _CONSENT_CHOICES),))


def step(spec: FormSpec, turn: TurnInput, services: DialogServices) -> Decision:
    flow = turn.state.flow
    assert flow is not None and flow.name == spec.name  # the router only routes a form's own flow here
    u = turn.understanding
    text = (turn.command or u.text).strip()

    if _is_cancel(text, u):
        return _cancel(turn)
    if text == "/handoff" or (u.intent == Intent.HUMAN_HANDOFF and u.confidence >= 0.6):
        return hand_off(turn, services, reason=f"填写{spec.title}时要求转人工")

    if flow.step == CONSENT_STEP:
        return _on_consent(spec, turn, services, flow, text)
    if flow.step == GIVE_UP_STEP:
        if text == "/retry" or yes_or_no(text, u) is False:
            slot_name = flow.get(PENDING) or _first_missing(spec, flow)
            return _ask(spec, turn, flow.without(PENDING), slot_name or "", ())
        return _decide(turn, spec, flow, (Reply(GIVE_UP, _GIVE_UP_CHOICES),))

    corrected = _correction(spec, flow, u, text)
    if corrected is not None:
        slot, value = corrected
        flow = flow.with_value(slot.name, value)
        note = Reply(CORRECTED.replace("{label}", slot.label).replace("{value}", slot.display(value)))
        return _continue(spec, turn, services, flow, (note,))

    if flow.step.startswith("ask:"):
        return _on_answer(spec, turn, services, flow, spec.slot(flow.step[4:]), text)
    if flow.step.startswith("confirm:"):
        slot = spec.slot(flow.step[8:])
        answer = yes_or_no(text, u)
        pending = flow.get(PENDING)
        if answer is True and pending is not None:
            return _continue(spec, turn, services, flow.without(PENDING).with_value(slot.name, pending), ())
        if answer is False:
            return _ask(spec, turn, flow.without(PENDING), slot.name, ())
        return _on_answer(spec, turn, services, flow.without(PENDING), slot, text)
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


def _on_answer(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, slot: Slot, text: str
) -> Decision:
    u = turn.understanding
    if _is_question(u) and not slot.choices:
        return _answer_then(spec, turn, services, flow, _prompt(slot))
    if text in SKIP_WORDS or text.lower() in SKIP_WORDS:
        if slot.optional:
            return _continue(spec, turn, services, flow.with_value(slot.name, ""), (Reply(SKIPPED),))
        return _retry(spec, turn, services, flow, slot, NOT_SKIPPABLE)
    answer = _resolve_choice_text(slot, text)
    check = slot.validate(answer, u)
    if check.value is not None:
        flow = flow.with_value(slot.name, check.value)
        if answer == text and not flow.get(EDITING):
            # "我妈腿脚不好,想找人上门照顾" answers the need type and is the description too.
            flow = _fill_from(spec, flow, u)
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
    if _is_question(u, strict=False):
        return _answer_then(spec, turn, services, flow, _prompt(slot))
    if slot.accept_unverified_after and flow.retries + 1 >= slot.accept_unverified_after and _has_words(text):
        return _continue(spec, turn, services, flow.with_value(slot.name, f"{text[:60]}{UNVERIFIED}"), ())
    return _retry(spec, turn, services, flow, slot, check.problem or "")


def _has_words(text: str) -> bool:
    """At least two Chinese characters or letters: "1 3" typed at the wrong step is not a place."""
    return sum(1 for ch in text if ch.isalpha()) >= 2


def _fill_from(spec: FormSpec, flow: FlowState, u: Understanding) -> FlowState:
    """`flow` with every empty slot that this message already answers filled in, so it is not asked."""
    for slot in spec.slots:
        if slot.prefill is None or flow.get(slot.name) is not None:
            continue
        raw = slot.prefill(u)
        if raw:
            check = slot.validate(raw, u)
            if check.value is not None:
                flow = flow.with_value(slot.name, check.value)
    return flow


def _retry(
    spec: FormSpec, turn: TurnInput, services: DialogServices, flow: FlowState, slot: Slot, problem: str
) -> Decision:
    retries = flow.retries + 1
    if retries >= services.config.max_retries:
        given_up = flow.with_value(PENDING, slot.name).at(GIVE_UP_STEP)
        return _decide(turn, spec, given_up, (Reply(f"{problem}\n{GIVE_UP}".strip(), _GIVE_UP_CHOICES),))
    prompt = _prompt(slot)
    reply = Reply(f"{problem}\n{prompt.text}".strip(), prompt.choices)
    return _decide(turn, spec, flow.at(f"ask:{slot.name}", retries=retries), (reply,))


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
    choices = numbered([(s.label, f"/edit {s.name}") for s in spec.slots])
    return _decide(turn, spec, flow.at(EDIT_STEP), (Reply(EDIT_WHICH, choices),))


def _cancel(turn: TurnInput) -> Decision:
    from dialogs import texts

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
    """Answer a question asked mid-form, then ask the pending question again."""
    if turn.understanding.intent == Intent.CHECK_CASE_STATUS:
        answered = status.show_status(turn, services)
    else:
        answered = policy.answer_question(turn, services)
    replies = (
        *(Reply(r.text) for r in answered.replies),
        Reply(f"我们接着填写:{resume.text}", resume.choices),
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


def _is_cancel(text: str, u: Understanding) -> bool:
    t = text.lower().rstrip("!!。.")
    if t in CANCEL_WORDS or any(t.startswith(w) for w in CANCEL_WORDS if len(w) > 1 and len(t) <= 6):
        return True
    return u.intent == Intent.CANCEL and u.confidence >= 0.7 and len(t) <= 12


def _is_question(u: Understanding, *, strict: bool = True) -> bool:
    if u.intent not in INTERRUPTING_INTENTS:
        return False
    if u.intent == Intent.CHECK_CASE_STATUS and u.confidence >= 0.8:
        return True  # "查询进度" asks without a question word
    has_marker = any(m in u.normalized for m in QUESTION_MARKERS)
    return u.confidence >= (0.7 if strict else 0.5) and has_marker


def _correction(spec: FormSpec, flow: FlowState, u: Understanding, text: str) -> tuple[Slot, str] | None:
    """A corrected value for an already-filled slot, e.g. "电话写错了,是 139...".

    Only when the message says it corrects something, so a phone typed at the phone step is an answer.
    """
    if not any(h in text for h in CORRECTION_HINTS):
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
    """Map typed digits ("1 3", "2、4") to the slot's choice values; other text passes through."""
    if not slot.choices:
        return text
    if text.startswith(f"/slot {slot.name} "):
        return text.split(" ", 2)[2]
    parts = [p for p in _MULTI_SPLIT.split(text) if p]
    if parts and all(p.isdigit() for p in parts):
        picked = [slot.choices[int(p) - 1][1] for p in parts if 1 <= int(p) <= len(slot.choices)]
        if picked and (slot.multi or len(picked) == 1):
            return ",".join(dict.fromkeys(picked))
    return text


def resume(spec: FormSpec, turn: TurnInput, services: DialogServices) -> Decision:
    """Pick a suspended form up where it stopped: ask the pending question again."""
    flow = turn.state.flow
    assert flow is not None
    if flow.step == CONSENT_STEP:
        text = spec.consent.replace("{retention_days}", str(services.config.retention_days))
        return _decide(turn, spec, flow, (Reply(text, _CONSENT_CHOICES),))
    if flow.step == SUMMARY_STEP:
        return _decide(turn, spec, flow, (_summary(spec, flow),))
    if flow.step.startswith(("ask:", "confirm:", "choose:")):
        slot_name = flow.step.split(":", 1)[1]
        return _ask(spec, turn, flow.without(PENDING), slot_name, ())
    return _continue(spec, turn, services, flow, ())
