"""A crisis in the middle of a form: safety first, at once; a form is never lost to the model's guess.

The intent model ranks some ordinary answers first as a crisis with little confidence ("楼上漏水好几个月了
物业不管" at about 0.5). The assistant still answers with the emergency numbers and alerts staff, but the
form stays resumable by a digit. A crisis the phrase rules found, or the model is sure of, closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case
from bot.settings import Settings
from nlu.types import Intent, IntentScore, Understanding
from tests.support.clock import FakeClock

UNSURE = "楼上漏水好几个月了物业不管"
SURE = "有人一直跟踪我"


class ModelSaysCrisis:
    """The real interpreter, except that the model ranks crisis first for a few given messages."""

    def __init__(self, real: object, confidences: dict[str, float]) -> None:
        self._real = real
        self._confidences = confidences

    def parse(self, text: str, *, now: datetime | None = None) -> Understanding:
        understood: Understanding = self._real.parse(text, now=now)  # type: ignore[attr-defined]
        confidence = self._confidences.get(text)
        if confidence is None:
            return understood
        return replace(
            understood,
            intent=Intent.CRISIS.value,
            confidence=confidence,
            ranking=(IntentScore(Intent.CRISIS.value, confidence),),
            backend="embedded",
            notes=(),
        )


@pytest.fixture
def resident(
    settings: Settings, interpreter, knowledge, guide, clock: FakeClock
) -> Iterator[CollectingChannel]:  # type: ignore[no-untyped-def]
    wrapped = ModelSaysCrisis(interpreter, {UNSURE: 0.52, SURE: 0.97})
    built = Assistant.build(settings, interpreter=wrapped, knowledge=knowledge, guide=guide, clock=clock)  # type: ignore[arg-type]
    channel = CollectingChannel(built.handle)
    channel.assistant = built  # type: ignore[attr-defined]
    yield channel
    built.close()


def _cases(resident: CollectingChannel) -> list[Case]:
    with resident.assistant.sessions() as session:  # type: ignore[attr-defined]
        return list(session.execute(select(Case)).scalars())


def _to_description(resident: CollectingChannel) -> None:
    resident.say("我要求助")
    resident.say("同意")
    resident.say("6")  # 纠纷调解


def test_an_unsure_model_crisis_answers_with_the_numbers_and_keeps_the_form(
    resident: CollectingChannel,
) -> None:
    _to_description(resident)
    reply = resident.say(UNSURE)
    assert resident.last.action == "crisis"
    assert "110" in reply and "120" in reply and "12356" in reply  # safety first, at once
    [case] = _cases(resident)
    assert case.kind == "crisis" and case.ref in reply
    assert "如果您刚才只是在回答求助登记的问题" in reply and "1 继续填写" in reply

    resumed = resident.say("1")
    assert resident.last.action == "form:help_request" and "具体情况" in resumed
    assert "哪个社区" in resident.say("和邻居有矛盾想请人调解")  # the description, the form goes on


def test_the_kept_form_is_offered_again_when_the_next_message_is_not_understood(
    resident: CollectingChannel,
) -> None:
    _to_description(resident)
    resident.say(UNSURE)
    reply = resident.say("嗯嗯那个")
    assert "求助登记还没填完" in reply and "继续填写" in reply


@pytest.mark.parametrize("said", ["我不想活了", SURE], ids=["phrase-rules", "sure-model"])
def test_a_certain_crisis_closes_the_form(resident: CollectingChannel, said: str) -> None:
    _to_description(resident)
    reply = resident.say(said)
    assert resident.last.action == "crisis" and "110" in reply
    assert "继续填写" not in reply
    assert "政策" in resident.say("你好")
