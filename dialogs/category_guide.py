"""Guide an organisation from a project idea to the matching demand categories of a funding catalogue."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs.replies import Reply, numbered
from dialogs.state import FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from knowledge.category_guide import CategoryGuide, GuideResult

NAME = "category_guide"
DESCRIBE = "请用一两句话说说你们的项目想做什么、服务哪些人。例如:社区里独居老人多,想做心理陪伴。"
HEAD = "最接近的需求类别(共 {n} 个,按匹配程度排序):"
NOTHING = "没有找到对应的需求类别。可以换个说法再描述一次,或转人工咨询。"
AFTER = "接下来您可以:"
AFTER_CHOICES = (
    ("检查申报条件", "/start eligibility"),
    ("换个描述重新找", "/menu guide"),
    ("转人工", "/handoff"),
)
# A message this sure to be something else leaves the guide (the router then handles it by intent).
LEAVE_CONFIDENCE = 0.85
STAY_INTENTS = {"find_demand_category", "inform", "out_of_scope", "affirm", "deny", "check_eligibility"}


def _guide(services: DialogServices) -> CategoryGuide:
    guide = services.guide
    if not isinstance(guide, CategoryGuide):
        raise TypeError("the category guide is not loaded")
    return guide


def _is_bare_request(turn: TurnInput) -> bool:
    """ "项目申报指引" or "我们该申报哪一类" says nothing about the project yet."""
    return turn.command is not None or len(turn.understanding.normalized) < 6


def render(result: GuideResult) -> str:
    if not result.matches:
        return NOTHING
    lines = [HEAD.replace("{n}", str(len(result.matches)))]
    for n, match in enumerate(result.matches, 1):
        number = match.item_id.rsplit("-", 1)[-1].lstrip("0")
        lines.append(f"{n}. 序号 {number}「{match.category}」({match.field})")
        lines.append(f"   理由:{match.reason}")
        lines.append(f"   需求原文:{match.need_excerpt}")
    lines.append(result.matches[0].citation.render())
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CategoryGuideFlow:
    title: str = "项目申报指引"

    def start(self, turn: TurnInput, services: DialogServices) -> Decision:
        if _is_bare_request(turn):
            flow = FlowState(name=NAME, step="describe")
            return Decision(
                replies=(Reply(DESCRIBE),),
                state=replace(turn.state, flow=flow, choices=()),
                action=Action.GUIDE_CATEGORY,
            )
        return self._rank(turn, services, turn.understanding.normalized)

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        flow = turn.state.flow
        assert flow is not None
        u = turn.understanding
        if turn.command is None and u.intent not in STAY_INTENTS and u.confidence >= LEAVE_CONFIDENCE:
            return None
        if flow.step == "narrow":
            description = flow.get("description") or ""
            choice = (turn.command or "").removeprefix("/narrow ") if turn.command else u.text
            kind = flow.get("kind") or "field"
            return self._rank(turn, services, description, **{kind: choice})
        return self._rank(turn, services, u.normalized)

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision:
        return self.start(replace(turn, command="/menu guide"), services)

    def _rank(
        self,
        turn: TurnInput,
        services: DialogServices,
        description: str,
        *,
        field: str | None = None,
        group: str | None = None,
    ) -> Decision:
        result = _guide(services).rank(description, field=field, group=group)
        if result.vague and result.narrowing:
            flow = FlowState(
                name=NAME,
                step="narrow",
                values=(("description", description), ("kind", result.narrowing_kind or "field")),
            )
            reply = Reply(
                result.narrowing_question, numbered([(c, f"/narrow {c}") for c in result.narrowing])
            )
            return Decision(
                replies=(reply,),
                state=replace(turn.state, flow=flow, choices=reply.choices),
                action=Action.GUIDE_CATEGORY,
            )
        after = Reply(AFTER, numbered(AFTER_CHOICES))
        return Decision(
            replies=(Reply(render(result)), after),
            state=replace(turn.state, flow=None, choices=after.choices),
            action=Action.GUIDE_CATEGORY,
            citations=tuple(dict.fromkeys(m.citation for m in result.matches[:1])),
            categories=tuple(m.item_id for m in result.matches),
        )
