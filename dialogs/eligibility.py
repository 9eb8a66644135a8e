"""Check an organisation's or community's eligibility: ask only the missing facts, one at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs.replies import Reply, numbered
from dialogs.state import FlowState
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from knowledge.eligibility import (
    FactKind,
    FactQuestion,
    evaluate,
    load_programme,
    next_question,
    parse_answer,
)

NAME = "eligibility"
PROGRAMMES: tuple[tuple[str, str], ...] = (
    ("深圳市社区建设示范点(2014 年)", "sz-demo-2014"),
    ("福田区社会建设专项资金(2024 年)", "futian-2024"),
)
PROGRAMME_HINTS: dict[str, tuple[str, ...]] = {
    "sz-demo-2014": ("示范点", "福彩", "公益金", "社区建设示范"),
    "futian-2024": ("福田", "专项资金", "需求目录", "社会建设专项"),
}
WHICH = "想检查哪个项目的申报条件?回复数字:"
AGAIN = "没看懂您的回答。"
GIVE_UP = "这个问题先跳过,按“不确定”处理。"
LEAVE_CONFIDENCE = 0.85
STAY_INTENTS = {"check_eligibility", "inform", "affirm", "deny", "out_of_scope", "find_demand_category"}
PROGRAMME_KEY = "__programme__"


def _programme_from_text(text: str) -> str | None:
    for programme_id, hints in PROGRAMME_HINTS.items():
        if any(h in text for h in hints):
            return programme_id
    return None


def _question_reply(question: FactQuestion, prefix: str = "") -> Reply:
    options = ("是", "否") if question.kind is FactKind.YES_NO else question.choices
    text = f"{prefix}{question.text}"
    return Reply(text, numbered([(o, o) for o in options]))


@dataclass(frozen=True, slots=True)
class EligibilityFlow:
    title: str = "申报条件检查"

    def start(self, turn: TurnInput, services: DialogServices) -> Decision:
        programme_id = _programme_from_text(turn.understanding.normalized)
        if programme_id is None:
            flow = FlowState(name=NAME, step="programme")
            reply = Reply(WHICH, numbered([(label, f"/programme {pid}") for label, pid in PROGRAMMES]))
            return Decision(
                replies=(reply,),
                state=replace(turn.state, flow=flow, choices=reply.choices),
                action=Action.ELIGIBILITY,
            )
        return self._ask_next(
            turn, FlowState(name=NAME, step="fact", values=((PROGRAMME_KEY, programme_id),))
        )

    def step(self, turn: TurnInput, services: DialogServices) -> Decision | None:
        flow = turn.state.flow
        assert flow is not None
        u = turn.understanding
        if turn.command is None and u.intent not in STAY_INTENTS and u.confidence >= LEAVE_CONFIDENCE:
            return None
        if flow.step == "programme":
            chosen = (
                (turn.command or "").removeprefix("/programme ")
                if turn.command
                else _programme_from_text(u.normalized)
            )
            if chosen not in dict((pid, label) for label, pid in PROGRAMMES):
                reply = Reply(WHICH, numbered([(label, f"/programme {pid}") for label, pid in PROGRAMMES]))
                return Decision(
                    replies=(reply,),
                    state=replace(turn.state, choices=reply.choices),
                    action=Action.ELIGIBILITY,
                )
            return self._ask_next(
                turn, FlowState(name=NAME, step="fact", values=((PROGRAMME_KEY, chosen or ""),))
            )
        programme = load_programme(flow.get(PROGRAMME_KEY) or "")
        facts = _facts(flow)
        question = next_question(programme, facts)
        if question is None:
            return self._report(turn, flow)
        answer = parse_answer(question, u.text)
        if answer is None:
            if flow.retries + 1 >= services.config.max_retries:
                flow = flow.with_value(question.fact_id, "unknown")
                return self._ask_next(turn, flow, prefix=GIVE_UP + "\n")
            reply = _question_reply(question, AGAIN)
            return Decision(
                replies=(reply,),
                state=replace(
                    turn.state, flow=flow.at("fact", retries=flow.retries + 1), choices=reply.choices
                ),
                action=Action.ELIGIBILITY,
            )
        return self._ask_next(turn, flow.with_value(question.fact_id, answer).at("fact"))

    def resume(self, turn: TurnInput, services: DialogServices) -> Decision:
        flow = turn.state.flow
        assert flow is not None
        if flow.step == "programme":
            return self.start(turn, services)
        return self._ask_next(turn, flow)

    def _ask_next(self, turn: TurnInput, flow: FlowState, *, prefix: str = "") -> Decision:
        programme = load_programme(flow.get(PROGRAMME_KEY) or "")
        question = next_question(programme, _facts(flow))
        if question is None:
            return self._report(turn, flow)
        reply = _question_reply(question, prefix)
        return Decision(
            replies=(reply,),
            state=replace(turn.state, flow=flow, choices=reply.choices),
            action=Action.ELIGIBILITY,
        )

    def _report(self, turn: TurnInput, flow: FlowState) -> Decision:
        programme = load_programme(flow.get(PROGRAMME_KEY) or "")
        report = evaluate(programme, _facts(flow))
        citations = tuple(dict.fromkeys(c.citation for c in report.conditions))
        return Decision(
            replies=(Reply(report.render()),),
            state=replace(turn.state, flow=None, choices=()),
            action=Action.ELIGIBILITY,
            citations=citations,
            categories=tuple(m.item_id for m in report.matches),
        )


def _facts(flow: FlowState) -> dict[str, str]:
    return {k: v for k, v in flow.values if k != PROGRAMME_KEY and v != "unknown"}
