"""Policy answers from the knowledge pack, always with their citation, or an honest "I don't know"."""

from __future__ import annotations

from dataclasses import replace

from dialogs import texts
from dialogs.effects import RecordUnansweredQuestion
from dialogs.replies import Reply, numbered
from dialogs.turn import Action, Decision, DialogServices, TurnInput
from knowledge.types import Citation, PolicyAnswer


def render_answer(answer: PolicyAnswer) -> str:
    """The fact first, then where it comes from; old or draft documents are flagged as such."""
    lines = [answer.text]
    lines.extend(c.render() for c in answer.citations)
    dated = next((c for c in answer.citations if _is_old(c)), None)
    if dated is not None:
        year = f" {dated.year} 年{dated.status}" if dated.year.isdigit() else dated.year
        lines.append(texts.OLD_SOURCE_NOTE.replace("{year}", year))
    return "\n".join(lines)


def _is_old(citation: Citation) -> bool:
    return bool(citation.status) or not citation.year.isdigit() or int(citation.year) < 2020


def answer_question(turn: TurnInput, services: DialogServices) -> Decision:
    question = turn.understanding.normalized
    result = services.knowledge.retrieve(question)
    state = replace(turn.state, choices=())
    if result.answer is not None:
        return Decision(
            replies=(Reply(render_answer(result.answer)),),
            state=state,
            action=Action.ANSWER,
            citations=result.answer.citations,
        )
    unanswered = RecordUnansweredQuestion(question=turn.understanding.text, normalized=question)
    options = [(t.title, f"/topic {t.record_id}") for t in result.suggestions]
    options.append(("转人工", "/handoff"))
    if result.suggestions:
        reply = Reply(texts.POLICY_UNSURE, numbered(options))
    else:
        reply = Reply(texts.POLICY_UNKNOWN, numbered(options))
    return Decision(
        replies=(reply,),
        state=replace(state, choices=reply.choices),
        action=Action.FALLBACK,
        effects=(unanswered,),
    )


def answer_topic(turn: TurnInput, services: DialogServices, record_id: str) -> Decision:
    """The user picked one of the suggested topics."""
    try:
        answer = services.knowledge.topic(record_id)
    except KeyError:
        return answer_question(turn, services)
    return Decision(
        replies=(Reply(render_answer(answer)),),
        state=replace(turn.state, choices=()),
        action=Action.ANSWER,
        citations=answer.citations,
    )


def prompt_for_question(turn: TurnInput) -> Decision:
    return Decision(
        replies=(Reply(texts.POLICY_PROMPT),), state=replace(turn.state, choices=()), action=Action.ANSWER
    )
