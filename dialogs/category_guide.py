"""Guide an organisation from a project idea to the matching demand categories of a funding catalogue.

The conversation, as a programme officer would hold it:

* a description specific enough ("我们想帮外卖小哥维权") is ranked at once: the top catalogue items, each
  with the reason (which words or target group matched), the item's own need text and the source;
* a vague one ("我们想做个项目") gets ONE narrowing question as numbered choices (which field, or, for a
  large field, which group of people), and the answer - a digit, the choice's name or a fuller
  description - ranks again;
* after the ranking, "1 检查申报条件" checks the programme of the catalogue just ranked, reusing the
  description: the ranked context is kept in the conversation state (:func:`remember`, :func:`recall`).

Messages clearly about something else (a policy question, 转人工, 查询进度) leave the guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dialogs.replies import Reply, numbered
from dialogs.state import ConversationState, FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from knowledge.category_guide import DEFAULT_CATALOGUE, CategoryGuide, CategoryMatch, GuideResult
from knowledge.types import Citation
from nlu.types import Intent, Understanding

NAME = "category_guide"
DESCRIBE = "请用一两句话说说你们的项目:主要服务哪些人、想解决什么问题。例如:社区里独居老人很多,想做心理陪伴。"
DESCRIBE_OR_CHOOSE = "也可以直接回复数字,先选一个领域:"
OR_DESCRIBE = "(也可以直接用一两句话描述项目,例如:想帮外卖小哥维权。)"
HEAD = "最接近的需求类别(按匹配程度排序):"
ONLY_ONE = "最接近的需求类别:"
NOTHING = "没有找到对应的需求类别。可以换个说法再描述一次,或转人工咨询。"
AGAIN = "没看懂您的选择,请回复数字。"
GIVE_UP = "还是没能确定项目方向。可以换个说法重新描述项目,或回复「转人工」。"
LEFT = "好的,已退出项目申报指引。还有什么可以帮您?"
AFTER = "接下来您可以:"
CHECK_COMMAND = "/start eligibility"
AFTER_CHOICES: tuple[tuple[str, str], ...] = (
    ("检查申报条件", CHECK_COMMAND),
    ("换个描述重新找", "/menu guide"),
    ("转人工", "/handoff"),
)
NARROW_COMMAND = "/narrow "

# A description naming one of these is about that programme's catalogue, not the default (Futian 2024).
CATALOGUE_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sz-demo-2014", ("示范点", "社区建设示范", "福彩公益金")),
)
# Whatever the description, these leave the guide when the model is this sure (and policy questions).
LEAVE_ALWAYS = {Intent.HUMAN_HANDOFF, Intent.CHECK_CASE_STATUS}
LEAVE_CONFIDENCE = 0.85
# A message the guide cannot use leaves it unless it is one of these (or the model is unsure).
STAY_INTENTS = {
    Intent.FIND_DEMAND_CATEGORY,
    Intent.INFORM,
    Intent.OUT_OF_SCOPE,
    Intent.AFFIRM,
    Intent.DENY,
    Intent.CHECK_ELIGIBILITY,
}
# Asked for a description, a social worker's words often read like a help request or a volunteer
# sign-up ("老伴走了以后阿姨整天一个人在家哭,想找人陪陪她"): those stay too.
DESCRIBE_STAY_INTENTS = STAY_INTENTS | {Intent.REQUEST_HELP, Intent.VOLUNTEER_SIGNUP}
# ... but a bare "我要求助" / "我想做义工" says nothing about a project: it leaves for that service.
BARE_REQUEST_CHARS = 8
BARE_REQUEST_CONFIDENCE = 0.95
CANCEL_WORDS = ("取消", "算了", "退出", "不找了", "不用了", "唔使", "唔要")
QUESTION_MARKERS = ("?", "?", "吗", "多少", "怎么", "什么", "哪里", "几", "能不能", "可不可以")

# Digits and punctuation only: an answer (a choice number, a count), whatever intent the model guesses.
_BARE_NUMBER = re.compile(r"[\d\s.,,、。]+")

_EXTRA_KEYS = ("guide.description", "guide.catalogue", "guide.field", "guide.group")


@dataclass(frozen=True, slots=True)
class GuideContext:
    """A description with the catalogue it is ranked in and the narrowing chosen so far."""

    description: str
    catalogue: str = DEFAULT_CATALOGUE
    field: str = ""
    group: str = ""

    def rank(self, guide: CategoryGuide) -> GuideResult:
        return guide.rank(
            self.description, catalogue=self.catalogue, field=self.field or None, group=self.group or None
        )

    def values(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            zip(_EXTRA_KEYS, (self.description, self.catalogue, self.field, self.group), strict=True)
        )

    @classmethod
    def from_values(cls, values: tuple[tuple[str, str], ...]) -> GuideContext | None:
        found = dict(values)
        if _EXTRA_KEYS[1] not in found:
            return None
        description, catalogue, field, group = (found.get(k, "") for k in _EXTRA_KEYS)
        return cls(description, catalogue, field, group)


def remember(state: ConversationState, context: GuideContext) -> ConversationState:
    """Keep the last ranked description in the conversation (for the eligibility check that follows)."""
    kept = tuple((k, v) for k, v in state.extra if k not in _EXTRA_KEYS)
    return replace(state, extra=(*kept, *context.values()))


def recall(state: ConversationState) -> GuideContext | None:
    """The description last ranked in this conversation, if any."""
    return GuideContext.from_values(state.extra)


def load_guide(services: DialogServices) -> CategoryGuide:
    guide = services.guide
    if not isinstance(guide, CategoryGuide):
        # Loading is slow (jieba); the core passes the guide it built at start-up.
        return CategoryGuide.load()
    return guide


def catalogue_for(text: str) -> str | None:
    """The catalogue a description names (示范点 -> the 2014 programme), None when it names none."""
    for catalogue, hints in CATALOGUE_HINTS:
        if any(h in text for h in hints):
            return catalogue
    return None


def item_label(match: CategoryMatch) -> str:
    """「category」(序号 12,field): the item as the catalogue names it."""
    number = match.item_id.rsplit("-", 1)[-1].lstrip("0") or "0"
    where = f"序号 {number}" + (f",{match.field}" if match.field else "")
    return f"「{match.category}」({where})"


def short_reason(match: CategoryMatch) -> str:
    # The item's name is already on the line above; the reason's closing "对应「…」" repeats it.
    reason = match.reason.removesuffix(f",对应“{match.category}”。")
    return reason if reason.endswith("。") else reason + "。"


def combined_citation(matches: tuple[CategoryMatch, ...]) -> Citation | None:
    """One source line for items of one catalogue: 《title》序号 12、8、17(year)."""
    if not matches:
        return None
    first = matches[0].citation
    if any(m.citation.title != first.title for m in matches):
        return None
    locators = [m.citation.locator for m in matches]
    if all(loc.startswith("序号 ") for loc in locators):
        joined = "序号 " + "、".join(loc.removeprefix("序号 ") for loc in locators)
    else:
        joined = ";".join(locators)
    return replace(first, locator=joined)


def render_matches(matches: tuple[CategoryMatch, ...], *, head: str = HEAD) -> str:
    """The ranking as short numbered lines: item, reason, need text; then the source."""
    if not matches:
        return NOTHING
    lines = [ONLY_ONE if len(matches) == 1 and head == HEAD else head]
    for n, match in enumerate(matches, 1):
        lines.append(f"{n}. {item_label(match)}")
        lines.append(f"   理由:{short_reason(match)}")
        lines.append(f"   需求原文:{match.need_excerpt}")
    combined = combined_citation(matches)
    if combined is not None:
        lines.append(combined.render())
    else:
        lines.extend(m.citation.render() for m in matches)
    return "\n".join(lines)


def narrowing_reply(result: GuideResult, *, prefix: str = "", hint: str = OR_DESCRIBE) -> Reply:
    """The guide's ONE narrowing question with its choices numbered (a digit sends `/narrow <choice>`)."""
    text = f"{prefix}{result.narrowing_question}"
    if hint:
        text += "\n" + hint
    return Reply(text, numbered([(c, NARROW_COMMAND + c) for c in result.narrowing]))


def apply_choice(
    guide: CategoryGuide, context: GuideContext, kind: str, answer: str
) -> tuple[GuideContext, GuideResult] | None:
    """Rank again with the answer to a narrowing question; None when the answer is not one of its choices.

    The answer may be the choice itself (from a digit), its name typed ("社会治理", "老人") or an alias
    the guide knows.
    """
    chosen = replace(context, **{kind: answer})
    result = chosen.rank(guide)
    # The choices offered all hold items, so an answer that leaves none was not one of them either.
    unresolved = (result.vague and result.narrowing_kind == kind) or (not result.vague and not result.matches)
    return None if unresolved else (chosen, result)


def answer_narrowing(
    guide: CategoryGuide, context: GuideContext, kind: str, answer: str, *, typed: bool
) -> tuple[GuideContext, GuideResult] | None:
    """Rank again with the answer to a narrowing question: a choice, or, if typed, a fuller description.

    None when the answer is neither a choice nor makes the description specific enough to rank.
    """
    chosen = apply_choice(guide, context, kind, answer)
    if chosen is not None or not typed:
        return chosen
    # The earlier words still count; the narrowing chosen so far is dropped with the new description.
    fuller = GuideContext(f"{context.description} {answer}".strip(), context.catalogue)
    result = fuller.rank(guide)
    return None if result.vague else (fuller, result)


def is_cancel(text: str, u: Understanding) -> bool:
    t = text.strip().rstrip("!!。.~").lower()
    if t in CANCEL_WORDS or (len(t) <= 6 and t.startswith(CANCEL_WORDS)):
        return True
    return u.intent == Intent.CANCEL and u.confidence >= 0.7 and len(t) <= 8


def leaves(u: Understanding, stay: set[Intent] | frozenset[Intent]) -> bool:
    """Whether a message the flow cannot use is clearly about something else (and so leaves the flow).

    A bare number never leaves: the intent model reads "12" as thanks, but here it is an answer.
    """
    if _BARE_NUMBER.fullmatch(u.text.strip() or "0"):
        return False
    return u.intent not in stay and u.confidence >= LEAVE_CONFIDENCE


def is_bare_request(u: Understanding) -> bool:
    """ "我要求助", "我想做义工": a resident's short, sure request for themselves, not a project.

    "我们想招募义工" (an organisation) and "招募志愿者" (a project idea) are descriptions.
    """
    said = u.normalized.strip()
    return (
        u.intent in (Intent.REQUEST_HELP, Intent.VOLUNTEER_SIGNUP)
        and u.confidence >= BARE_REQUEST_CONFIDENCE
        and len(said) <= BARE_REQUEST_CHARS
        and said.startswith("我")
        and not said.startswith("我们")
    )


def is_question(u: Understanding) -> bool:
    """A question for the policy answers ("示范点资助多少钱?"), not an answer to ours.

    The question marker matters: descriptions such as "社区想搞智慧养老" also look like policy talk.
    """
    marked = any(m in u.normalized for m in QUESTION_MARKERS)
    return u.intent == Intent.ASK_POLICY and marked and u.confidence >= 0.5


@dataclass(frozen=True, slots=True)
class CategoryGuideFlow:
    title: str = "项目申报指引"

    def start(self, turn: TurnInput, services: DialogServices) -> Decision:
        # The user's own words: shown back to them later, and the guide reads Traditional itself.
        text = turn.understanding.text.strip()
        if turn.command is not None or not text:
            return self._describe(turn, services, DEFAULT_CATALOGUE)
        context = GuideContext(description=text, catalogue=catalogue_for(text) or DEFAULT_CATALOGUE)
        return self._present(turn, context, context.rank(load_guide(services)))

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        flow = turn.state.flow
        assert flow is not None
        u = turn.understanding
        text = u.text.strip()
        if turn.command is None and is_cancel(u.text, u):
            return Decision(replies=(Reply(LEFT),), state=_ended(turn.state), action=Action.GUIDE_CATEGORY)
        if turn.command is None and (
            (u.intent in LEAVE_ALWAYS and u.confidence >= LEAVE_CONFIDENCE) or is_question(u)
        ):
            return None
        guide = load_guide(services)
        context = GuideContext.from_values(flow.values) or GuideContext("")
        kind = flow.get("kind") or "field"
        if turn.command is not None:
            if turn.command.startswith(NARROW_COMMAND):
                answer = turn.command.removeprefix(NARROW_COMMAND)
                chosen = answer_narrowing(guide, context, kind, answer, typed=False)
                if chosen is not None:
                    return self._present(turn, *chosen)
        elif flow.step == "narrow" and text:
            if is_bare_request(u):
                return None
            chosen = answer_narrowing(guide, context, kind, text, typed=True)
            if chosen is not None:
                return self._present(turn, *chosen)
            if leaves(u, STAY_INTENTS):
                return None
        elif text:
            if is_bare_request(u):
                return None
            # Asked for a description (with the fields offered as choices): the description comes first,
            # a field's name typed instead of its digit second.
            fresh = GuideContext(description=text, catalogue=catalogue_for(text) or context.catalogue)
            result = fresh.rank(guide)
            if result.vague:
                chosen = apply_choice(guide, context, kind, text)
                if chosen is not None:
                    return self._present(turn, *chosen)
                if leaves(u, DESCRIBE_STAY_INTENTS):
                    return None
            return self._present(turn, fresh, result)
        if flow.step == "describe":
            return self._describe(turn, services, context.catalogue)
        return self._ask_again(turn, services, flow)

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision:
        flow = turn.state.flow
        assert flow is not None
        context = GuideContext.from_values(flow.values)
        if flow.step == "narrow" and context is not None:
            result = context.rank(load_guide(services))
            if result.vague:
                return self._narrow(turn, context, result, prefix="我们接着找:")
        return self._describe(turn, services, context.catalogue if context else DEFAULT_CATALOGUE)

    # ------------------------------------------------------------------ replies

    def _describe(self, turn: TurnInput, services: DialogServices, catalogue: str) -> Decision:
        """Ask for a description, offering the catalogue's fields for those who would rather tap."""
        context = GuideContext(description="", catalogue=catalogue)
        fields = load_guide(services).rank("", catalogue=catalogue)
        choices = numbered([(c, NARROW_COMMAND + c) for c in fields.narrowing]) if fields.vague else ()
        text = DESCRIBE + (f"\n{DESCRIBE_OR_CHOOSE}" if choices else "")
        reply = Reply(text, choices)
        flow = FlowState(
            name=NAME,
            step="describe",
            values=(*context.values(), ("kind", fields.narrowing_kind or "field")),
        )
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow, choices=reply.choices),
            action=Action.GUIDE_CATEGORY,
        )

    def _narrow(
        self, turn: TurnInput, context: GuideContext, result: GuideResult, prefix: str = ""
    ) -> Decision:
        reply = narrowing_reply(result, prefix=prefix)
        flow = FlowState(
            name=NAME, step="narrow", values=(*context.values(), ("kind", result.narrowing_kind or "field"))
        )
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow, choices=reply.choices),
            action=Action.GUIDE_CATEGORY,
            # The best effort so far, for a caller that reads one message (the ask contract).
            categories=result.provisional,
        )

    def _ask_again(self, turn: TurnInput, services: DialogServices, flow: FlowState) -> Decision:
        retries = flow.retries + 1
        if retries >= services.config.max_retries:
            return Decision(replies=(Reply(GIVE_UP),), state=_ended(turn.state), action=Action.GUIDE_CATEGORY)
        context = GuideContext.from_values(flow.values) or GuideContext("")
        decision = self._narrow(turn, context, context.rank(load_guide(services)), prefix=AGAIN + "\n")
        assert decision.state.flow is not None
        return replace(
            decision, state=replace(decision.state, flow=decision.state.flow.at("narrow", retries=retries))
        )

    def _present(self, turn: TurnInput, context: GuideContext, result: GuideResult) -> Decision:
        if result.vague and result.narrowing:
            return self._narrow(turn, context, result)
        # Nothing to check the conditions against when nothing matched: offer to describe again instead.
        after = Reply(AFTER, numbered(AFTER_CHOICES if result.matches else AFTER_CHOICES[1:]))
        state = remember(_ended(turn.state), context)
        return Decision(
            replies=(Reply(render_matches(result.matches)), after),
            state=replace(state, choices=after.choices),
            action=Action.GUIDE_CATEGORY,
            citations=tuple(dict.fromkeys(m.citation for m in result.matches)),
            categories=tuple(m.item_id for m in result.matches),
        )


def _ended(state: ConversationState) -> ConversationState:
    return replace(state, flow=None, choices=())
