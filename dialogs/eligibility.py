"""Check a community's or organisation's eligibility: ask only the missing facts, one at a time.

The rules are data (``knowledge/eligibility/*.yaml``, interpreted by :mod:`knowledge.eligibility`); this
flow holds the conversation around them:

* which programme: named in the message (示范点, 专项资金), chosen as a numbered choice, or - right after
  the category guide's ranking - the programme of the catalogue just ranked;
* facts already given are not asked again: the district named in the first message, the project
  description from the guide or from the first message (Futian 2024 asks for nothing else);
* one question at a time, answered by digit or in words; "不清楚" leaves the fact unknown and moves on;
  an unreadable answer is asked again with a hint, and after ``max_retries`` it is left unknown;
* a policy question in the middle is answered and the check is paused (kept, resumable by a digit);
  a message clearly about something else leaves the check;
* the report leads with the outcome, then every condition as met / not met / unknown with its source
  clause, then amounts, next steps and caveats; where the programme states no rules it says so and
  gives the fit to demand items and what to prepare instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs import policy
from dialogs.category_guide import (
    CHECK_COMMAND,
    NARROW_COMMAND,
    GuideContext,
    answer_narrowing,
    is_cancel,
    is_question,
    leaves,
    load_guide,
    narrowing_reply,
    recall,
    render_matches,
)
from dialogs.replies import Choice, Reply, numbered
from dialogs.state import ConversationState, FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from knowledge.eligibility import (
    ConditionResult,
    ConditionStatus,
    EligibilityProgramme,
    EligibilityReport,
    FactKind,
    FactQuestion,
    InfoLine,
    evaluate,
    is_unsure,
    list_programmes,
    load_programme,
    parse_answer,
)
from knowledge.types import Citation
from nlu.types import EntityKind, Intent, Understanding

NAME = "eligibility"
PROGRAMME_KEY = "__programme__"
OPENING_KEY = "__opening__"  # the first message, when the programme had to be asked for
KIND_KEY = "__kind__"  # the narrowing question pending for a vague project description
FIELD_KEY = "__field__"
GROUP_KEY = "__group__"
PREFILLED_KEY = "__prefilled__"  # how many facts the conversation answered before the first question
UNKNOWN = "__unknown__"  # a fact the user does not know: asked once, reported as unknown
DESCRIPTION_FACT = "description"  # the free-text fact programmes without rules match against the catalogue
LAST_PROGRAMME = "eligibility.programme"  # in ConversationState.extra, for /restart
PROGRAMME_COMMAND = "/programme "

# Words that name a programme in a message, checked in this order (示范点 wins over 福田: a Futian
# community may apply for the city's demonstration points); the programme's own title is matched as well.
PROGRAMME_HINTS: dict[str, tuple[str, ...]] = {
    "sz-demo-2014": ("示范点", "福彩公益金", "社区建设示范"),
    "futian-2024": ("专项资金", "需求目录", "社会建设专项", "福田"),
}
WHICH = "想检查哪个项目的申报条件?请回复数字:"
WHICH_AGAIN = "没看懂您选的项目。"
INTRO = "好的,检查《{title}》({when})的申报条件,共 {n} 个问题。不清楚的回复“不清楚”,先跳过。"
INTRO_NONE_MISSING = "好的,检查《{title}》({when})的申报条件。"
REUSED_DESCRIPTION = "按您的项目描述:「{text}」"
PREFILLED = "已从您的话里读到:{label}{value}。"
UNKNOWN_NOTED = "好的,这一项先记为“未知”。"
GIVE_UP = "这一项先跳过,记为“未知”。"
AGAIN = "没看懂您的回答。"
HINTS: dict[FactKind, str] = {
    FactKind.YES_NO: "请回复 1(是)或 2(否);不清楚请回复“不清楚”。",
    FactKind.NUMBER: "请回复一个数,例如“18个月”“两年”“12项”;不清楚请回复“不清楚”。",
    FactKind.CHOICE: "请回复数字选择;不清楚请回复“不清楚”。",
    FactKind.TEXT: "请用一两句话描述。",
}
RESUMED = "我们接着检查:"
PAUSED = "申报条件检查先暂停。"
PAUSED_KEPT = "申报条件检查先暂停(已回答 {n} 项,会保留)。"
PAUSE_CHOICES: tuple[tuple[str, str], ...] = (("继续检查", "/resume"), ("重新开始", "/restart"))
STOPPED = "好的,已停止申报条件检查。还有什么可以帮您?"
VAGUE_DESCRIPTION = "这个描述还比较笼统,先确定一下方向:"
NO_FIT = "项目描述还不够具体,暂时对应不到需求条目。"
FIT_HEAD = "和您的项目最接近的需求条目:"
GENERAL_ADVICE = "(一般建议,原文未规定)"
AFTER_REPORT = "接下来您可以:"
AFTER_REPORT_CHOICES: tuple[tuple[str, str], ...] = (("转人工咨询", "/handoff"), ("返回主菜单", "/menu"))
PREFILL_LABELS: dict[str, str] = {"district": "社区所在区 "}

# These leave the check when the model is this sure, even if the words could pass for an answer.
LEAVE_ALWAYS = {Intent.HUMAN_HANDOFF, Intent.CHECK_CASE_STATUS}
LEAVE_CONFIDENCE = 0.85
# An answer the check cannot read leaves it unless it is one of these (or the model is unsure).
STAY_INTENTS = {
    Intent.CHECK_ELIGIBILITY,
    Intent.INFORM,
    Intent.AFFIRM,
    Intent.DENY,
    Intent.OUT_OF_SCOPE,
    Intent.FIND_DEMAND_CATEGORY,
}
# "不清楚" said of a project description is a short answer; a long one is a description.
_UNSURE_DESCRIPTION_CHARS = 8


# --------------------------------------------------------------------------- programmes


def programme_label(programme: EligibilityProgramme) -> str:
    """The title with its year and status, e.g. 深圳市“社区建设示范点”项目(2014 年征求意见稿)."""
    if programme.year in programme.title and not programme.status:
        return programme.title
    return f"{programme.title}({_when(programme)})"


def _when(programme: EligibilityProgramme) -> str:
    return f"{programme.year} 年{programme.status}"


def _programme_choices() -> tuple[Choice, ...]:
    return numbered(
        [(programme_label(load_programme(pid)), PROGRAMME_COMMAND + pid) for pid in list_programmes()]
    )


def programme_from_text(text: str) -> str | None:
    """The programme a message names, by its hint words or a part of its title (福田, 示范点)."""
    for programme_id, hints in PROGRAMME_HINTS.items():
        if programme_id in list_programmes() and any(h in text for h in hints):
            return programme_id
    stripped = text.strip()
    if len(stripped) < 2:
        return None
    named = [pid for pid in list_programmes() if stripped in programme_label(load_programme(pid))]
    return named[0] if len(named) == 1 else None


def programme_for_catalogue(catalogue: str) -> str | None:
    """The programme whose demand items a catalogue lists (futian-2024 -> futian-2024)."""
    for programme_id in list_programmes():
        if programme_id == catalogue or load_programme(programme_id).guide_catalogue == catalogue:
            return programme_id
    return None


def _extra(state: ConversationState, key: str) -> str | None:
    return dict(state.extra).get(key)


def _with_extra(state: ConversationState, key: str, value: str) -> ConversationState:
    return replace(state, extra=(*((k, v) for k, v in state.extra if k != key), (key, value)))


# --------------------------------------------------------------------------- facts in the flow


def _programme(flow: FlowState) -> EligibilityProgramme:
    return load_programme(flow.get(PROGRAMME_KEY) or "")


def _facts(flow: FlowState) -> dict[str, str]:
    """Known facts only: unknown ones are left out, so their conditions are reported as unknown."""
    return {k: v for k, v in flow.values if not k.startswith("__") and v != UNKNOWN}


def _pending(programme: EligibilityProgramme, flow: FlowState) -> FactQuestion | None:
    """The next fact not yet asked (a fact answered "不清楚" counts as asked)."""
    return next((q for q in programme.facts if flow.get(q.fact_id) is None), None)


def _answered(programme: EligibilityProgramme, flow: FlowState) -> int:
    return sum(1 for q in programme.facts if flow.get(q.fact_id) is not None)


def _guide_context(flow: FlowState, programme: EligibilityProgramme) -> GuideContext:
    return GuideContext(
        description=_facts(flow).get(DESCRIPTION_FACT, ""),
        catalogue=programme.guide_catalogue,
        field=flow.get(FIELD_KEY) or "",
        group=flow.get(GROUP_KEY) or "",
    )


def _question_reply(
    question: FactQuestion, programme: EligibilityProgramme, flow: FlowState, before: list[str]
) -> Reply:
    options = ("是", "否") if question.kind is FactKind.YES_NO else question.choices
    # Progress counts only the questions this check asks: facts read from earlier messages are not asked.
    prefilled = int(flow.get(PREFILLED_KEY) or 0)
    total = len(programme.facts) - prefilled
    number = _answered(programme, flow) - prefilled + 1
    progress = f"({number}/{total})" if total > 1 else ""
    text = "\n".join([*before, f"{progress}{question.text}"])
    # The payload is the option's own word: the answer parser reads it like a typed answer.
    return Reply(text, numbered([(o, o) for o in options]))


def _prefill_from_entities(
    programme: EligibilityProgramme, u: Understanding
) -> tuple[list[tuple[str, str]], list[str]]:
    """Choice facts (the district) the first message already answers."""
    values: list[tuple[str, str]] = []
    notes: list[str] = []
    places = [e.value for e in u.all(EntityKind.DISTRICT)]
    for question in programme.facts:
        if question.kind is not FactKind.CHOICE:
            continue
        for place in places:
            value = parse_answer(question, place)
            if value is not None:
                values.append((question.fact_id, value))
                notes.append(PREFILLED.format(label=PREFILL_LABELS.get(question.fact_id, ""), value=value))
                break
    return values, notes


# --------------------------------------------------------------------------- the flow


@dataclass(frozen=True, slots=True)
class EligibilityFlow:
    title: str = "申报条件检查"

    def start(self, turn: TurnInput, services: DialogServices) -> Decision:
        u = turn.understanding
        # The user's own words are kept (shown back as the project description); hints read Simplified.
        text = u.text.strip() if turn.command is None else ""
        state = turn.state
        context = recall(state)
        after_ranking = turn.command == CHECK_COMMAND or any(
            c.payload == CHECK_COMMAND for c in state.choices
        )
        programme_id = programme_from_text(u.normalized) if text else None
        if programme_id is None and after_ranking and context is not None:
            # "1 检查申报条件" right after a ranking checks the programme of the catalogue just ranked.
            programme_id = programme_for_catalogue(context.catalogue)
        if programme_id is None and turn.command == "/restart":
            programme_id = _extra(state, LAST_PROGRAMME)
        if programme_id is None or programme_id not in list_programmes():
            return self._which(turn, FlowState(name=NAME, step="programme", values=((OPENING_KEY, text),)))
        return self._begin(turn, services, programme_id, opening=text)

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        flow = turn.state.flow
        assert flow is not None
        u = turn.understanding
        if turn.command is None and is_cancel(u.text, u):
            return Decision(
                replies=(Reply(STOPPED),),
                state=replace(turn.state, flow=None, choices=()),
                action=Action.ELIGIBILITY,
            )
        if turn.command is None and is_question(u):
            return self._pause_for_question(turn, services, flow)
        if turn.command is None and u.intent in LEAVE_ALWAYS and u.confidence >= LEAVE_CONFIDENCE:
            return None
        if flow.step == "programme":
            return self._on_programme(turn, services, flow)
        if flow.step == "narrow":
            return self._on_narrowing(turn, services, flow)
        return self._on_fact(turn, services, flow)

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision:
        flow = turn.state.flow
        assert flow is not None
        if flow.step == "programme":
            return self._which(turn, flow)
        if flow.step == "narrow":
            return self._narrow(turn, services, flow, RESUMED)
        return self._ask_next(turn, services, flow.at("fact"), [RESUMED])

    # ------------------------------------------------------------------ steps

    def _on_programme(self, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision | None:
        u = turn.understanding
        if turn.command is not None and turn.command.startswith(PROGRAMME_COMMAND):
            chosen: str | None = turn.command.removeprefix(PROGRAMME_COMMAND)
        else:
            chosen = programme_from_text(u.normalized) if turn.command is None else None
        if chosen in list_programmes():
            return self._begin(turn, services, chosen or "", opening=flow.get(OPENING_KEY) or "")
        if turn.command is None and leaves(u, STAY_INTENTS):
            return None
        return self._which(turn, flow, prefix=WHICH_AGAIN)

    def _on_fact(self, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision | None:
        programme = _programme(flow)
        question = _pending(programme, flow)
        if question is None:
            return self._report(turn, services, flow)
        u = turn.understanding
        if turn.command is not None:
            # A command this flow does not know (e.g. a stale choice): ask the pending question again.
            return self._ask_next(turn, services, flow, [])
        text = u.text.strip()
        unsure = is_unsure(text) and (
            question.kind is not FactKind.TEXT or len(text) <= _UNSURE_DESCRIPTION_CHARS
        )
        if unsure:
            return self._ask_next(
                turn, services, flow.with_value(question.fact_id, UNKNOWN).at("fact"), [UNKNOWN_NOTED]
            )
        answer = parse_answer(question, text)
        if answer is not None and question.fact_id == DESCRIPTION_FACT and programme.guide_catalogue:
            return self._on_description(turn, services, flow, programme, answer)
        if answer is not None:
            return self._ask_next(turn, services, flow.with_value(question.fact_id, answer).at("fact"), [])
        # "福田区" while asked about the site answers a later question: keep it, ask this one again.
        found, notes = _prefill_from_entities(programme, u)
        later = [(k, v, note) for (k, v), note in zip(found, notes, strict=True) if flow.get(k) is None]
        if later:
            # Counted like facts read from the first message: the progress shown stays on this question.
            prefilled = int(flow.get(PREFILLED_KEY) or 0) + len(later)
            kept = flow.with_value(PREFILLED_KEY, str(prefilled))
            for fact_id, value, _ in later:
                kept = kept.with_value(fact_id, value)
            reply = _question_reply(question, programme, kept, [note for _, _, note in later])
            return Decision(
                replies=(reply,),
                state=replace(turn.state, flow=kept.at("fact", retries=flow.retries), choices=reply.choices),
                action=Action.ELIGIBILITY,
            )
        if u.intent == Intent.ASK_POLICY and u.confidence >= LEAVE_CONFIDENCE:
            # A statement about the rules ("服务中心开了三年") is answered, and the check kept aside.
            return self._pause_for_question(turn, services, flow)
        if leaves(u, STAY_INTENTS):
            return None
        if flow.retries + 1 >= services.config.max_retries:
            return self._ask_next(
                turn, services, flow.with_value(question.fact_id, UNKNOWN).at("fact"), [GIVE_UP]
            )
        reply = _question_reply(question, programme, flow, [f"{AGAIN}{HINTS[question.kind]}"])
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow.at("fact", retries=flow.retries + 1), choices=reply.choices),
            action=Action.ELIGIBILITY,
        )

    def _on_description(
        self,
        turn: TurnInput,
        services: DialogServices,
        flow: FlowState,
        programme: EligibilityProgramme,
        description: str,
    ) -> Decision:
        """A project description for a catalogue: too vague to match asks the guide's narrowing question."""
        flow = flow.with_value(DESCRIPTION_FACT, description)
        result = _guide_context(flow, programme).rank(load_guide(services))
        if result.vague and result.narrowing:
            flow = flow.with_value(KIND_KEY, result.narrowing_kind or "field").at("narrow")
            return self._narrow(turn, services, flow, VAGUE_DESCRIPTION)
        return self._ask_next(turn, services, flow.at("fact"), [])

    def _on_narrowing(self, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision | None:
        programme = _programme(flow)
        guide = load_guide(services)
        context = _guide_context(flow, programme)
        kind = flow.get(KIND_KEY) or "field"
        u = turn.understanding
        if turn.command is not None and turn.command.startswith(NARROW_COMMAND):
            chosen = answer_narrowing(
                guide, context, kind, turn.command.removeprefix(NARROW_COMMAND), typed=False
            )
        elif turn.command is None and u.text.strip():
            chosen = answer_narrowing(guide, context, kind, u.text.strip(), typed=True)
        else:
            chosen = None
        if chosen is not None:
            picked, result = chosen
            flow = (
                flow.with_value(DESCRIPTION_FACT, picked.description)
                .with_value(FIELD_KEY, picked.field)
                .with_value(GROUP_KEY, picked.group)
            )
            if result.vague and result.narrowing:
                return self._narrow(
                    turn, services, flow.with_value(KIND_KEY, result.narrowing_kind).at("narrow"), ""
                )
            return self._ask_next(turn, services, flow.without(KIND_KEY).at("fact"), [])
        if turn.command is None and leaves(u, STAY_INTENTS):
            return None
        if flow.retries + 1 >= services.config.max_retries:
            # The report then says the description could not be matched, and what to prepare anyway.
            return self._ask_next(turn, services, flow.without(KIND_KEY).at("fact"), [])
        decision = self._narrow(turn, services, flow, AGAIN)
        assert decision.state.flow is not None
        return replace(
            decision,
            state=replace(decision.state, flow=decision.state.flow.at("narrow", retries=flow.retries + 1)),
        )

    # ------------------------------------------------------------------ replies

    def _which(self, turn: TurnInput, flow: FlowState, prefix: str = "") -> Decision:
        reply = Reply(prefix + WHICH, _programme_choices())
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow.at("programme", retries=flow.retries), choices=reply.choices),
            action=Action.ELIGIBILITY,
        )

    def _begin(
        self, turn: TurnInput, services: DialogServices, programme_id: str, *, opening: str
    ) -> Decision:
        """Open the check: keep what the conversation already told us, then ask the first missing fact."""
        programme = load_programme(programme_id)
        values: list[tuple[str, str]] = [(PROGRAMME_KEY, programme_id)]
        notes: list[str] = []
        said = turn.understanding
        if opening and opening != said.text.strip() and services.reinterpret is not None:
            said = services.reinterpret(opening)  # the programme was asked for: read the first message
        prefilled, prefill_notes = _prefill_from_entities(programme, said)
        values += prefilled
        described = self._known_description(services, programme, opening, recall(turn.state))
        if described is not None:
            values += [(k, v) for k, v in described.values() if v]
            if described.description:
                notes.append(REUSED_DESCRIPTION.format(text=described.description))
        flow = FlowState(name=NAME, step="fact", values=tuple(values))
        missing = [q for q in programme.facts if flow.get(q.fact_id) is None]
        flow = flow.with_value(PREFILLED_KEY, str(len(programme.facts) - len(missing)))
        intro = INTRO if missing else INTRO_NONE_MISSING
        notes.insert(0, intro.format(title=programme.title, when=_when(programme), n=len(missing)))
        state = _with_extra(turn.state, LAST_PROGRAMME, programme_id)
        return self._ask_next(replace(turn, state=state), services, flow, [*notes, *prefill_notes])

    @staticmethod
    def _known_description(
        services: DialogServices, programme: EligibilityProgramme, opening: str, context: GuideContext | None
    ) -> _Described | None:
        """The project description this conversation already gave, for programmes matched to a catalogue."""
        if not programme.guide_catalogue or DESCRIPTION_FACT not in {q.fact_id for q in programme.facts}:
            return None
        if opening:
            opened = GuideContext(opening, programme.guide_catalogue)
            if not opened.rank(load_guide(services)).vague:
                return _Described(opening, "", "")
        same_catalogue = context is not None and context.catalogue == programme.guide_catalogue
        if context is not None and same_catalogue and (context.description or context.field or context.group):
            return _Described(context.description, context.field, context.group)
        return None

    def _narrow(self, turn: TurnInput, services: DialogServices, flow: FlowState, prefix: str) -> Decision:
        result = _guide_context(flow, _programme(flow)).rank(load_guide(services))
        if not result.vague:
            return self._ask_next(turn, services, flow.without(KIND_KEY).at("fact"), [])
        reply = narrowing_reply(result, prefix=f"{prefix}\n" if prefix else "")
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow, choices=reply.choices),
            action=Action.ELIGIBILITY,
        )

    def _ask_next(
        self, turn: TurnInput, services: DialogServices, flow: FlowState, before: list[str]
    ) -> Decision:
        programme = _programme(flow)
        question = _pending(programme, flow)
        if question is None:
            return self._report(turn, services, flow, before)
        reply = _question_reply(question, programme, flow, before)
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow, choices=reply.choices),
            action=Action.ELIGIBILITY,
        )

    def _pause_for_question(self, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision:
        """Answer the question, and keep the check aside: a digit picks it up where it stopped."""
        answered = policy.answer_question(replace(turn, state=replace(turn.state, flow=None)), services)
        offered = answered.state.choices
        extra = tuple(
            Choice(str(len(offered) + n), label, payload)
            for n, (label, payload) in enumerate(PAUSE_CHOICES, 1)
        )
        answered_facts = (
            _answered(_programme(flow), flow) - int(flow.get(PREFILLED_KEY) or 0)
            if flow.get(PROGRAMME_KEY)
            else 0
        )
        paused = Reply(PAUSED_KEPT.format(n=answered_facts) if answered_facts > 0 else PAUSED, extra)
        return Decision(
            replies=(*answered.replies, paused),
            state=replace(
                answered.state, flow=None, suspended=flow.at(flow.step), choices=(*offered, *extra)
            ),
            action=answered.action,
            effects=answered.effects,
            citations=answered.citations,
        )

    def _report(
        self, turn: TurnInput, services: DialogServices, flow: FlowState, before: list[str] | None = None
    ) -> Decision:
        programme = _programme(flow)
        report = evaluate(programme, _facts(flow))
        if not programme.rules_stated and programme.guide_catalogue:
            # Rank with the field or group chosen in this conversation, which evaluate() does not know.
            context = _guide_context(flow, programme)
            described = context.description or context.field or context.group
            result = context.rank(load_guide(services)) if described else None
            report = replace(
                report, matches=result.matches if result else (), narrowing_question="", narrowing=()
            )
        description = _facts(flow).get(DESCRIPTION_FACT, "")
        replies = render_report(report, description=description, before=before or [])
        # The report ends with what can be done next, so it is no dead end.
        after = Reply(AFTER_REPORT, numbered(AFTER_REPORT_CHOICES))
        return Decision(
            replies=(*replies, after),
            state=replace(turn.state, flow=None, choices=after.choices),
            action=Action.ELIGIBILITY,
            citations=report_citations(report, programme),
            categories=tuple(m.item_id for m in report.matches),
        )


@dataclass(frozen=True, slots=True)
class _Described:
    description: str
    field: str
    group: str

    def values(self) -> tuple[tuple[str, str], ...]:
        return ((DESCRIPTION_FACT, self.description), (FIELD_KEY, self.field), (GROUP_KEY, self.group))


# --------------------------------------------------------------------------- the report


_MARKS = {
    ConditionStatus.MET: "✓ 符合",
    ConditionStatus.NOT_MET: "✗ 不符合",
    ConditionStatus.UNKNOWN: "? 未知",
}


def _condition_lines(n: int, result: ConditionResult) -> list[str]:
    return [
        f"{n}. {_MARKS[result.status]}:{result.label}",
        f"   {result.explanation}",
        f"   {result.citation.render()}",
    ]


def _info_line(n: int, line: InfoLine) -> str:
    if line.citation is None:
        return f"{n}. {GENERAL_ADVICE}{line.text}"
    return f"{n}. {line.text}({line.citation.render()})"


def _block(title: str, lines: tuple[InfoLine, ...]) -> list[str]:
    if not lines:
        return []
    return [title, *(_info_line(n, line) for n, line in enumerate(lines, 1))]


def render_report(
    report: EligibilityReport, *, description: str = "", before: list[str]
) -> tuple[Reply, ...]:
    """The report as two phone-sized messages: the outcome with every condition, then what to do next."""
    first = [*before, report.summary]
    if report.conditions:
        first.append("申报条件:")
        for n, result in enumerate(report.conditions, 1):
            first.extend(_condition_lines(n, result))
    if not report.rules_stated:
        if report.matches:
            first.append(render_matches(report.matches, head=FIT_HEAD))
        elif description:
            first.append(NO_FIT)
    second = [
        *_block("资助与名额:", report.info),
        *_block("申报步骤:", report.next_steps),
        *_block("需要准备:", report.prepare),
        *_block("请注意:", report.caveats),
    ]
    replies = [Reply("\n".join(first))]
    if second:
        replies.append(Reply("\n".join(second)))
    return tuple(replies)


def report_citations(report: EligibilityReport, programme: EligibilityProgramme) -> tuple[Citation, ...]:
    """Every clause the report relies on, each once, in the order shown."""
    cited: list[Citation | None] = [c.citation for c in report.conditions]
    if programme.no_rules is not None:
        cited.append(programme.no_rules.citation)
    cited += [m.citation for m in report.matches]
    for block in (report.info, report.next_steps, report.prepare, report.caveats):
        cited += [line.citation for line in block]
    return tuple(dict.fromkeys(c for c in cited if c is not None))
