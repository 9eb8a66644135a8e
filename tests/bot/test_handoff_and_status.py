"""Hand-off and status as residents use them: asking twice, complaining, impatient look-ups (QA round)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adapters.collecting import CollectingChannel
from bot import case_store
from bot.assistant import Assistant
from bot.models import Case, CaseEvent
from tests.support.clock import FakeClock


def _cases(assistant: Assistant) -> list[Case]:
    with assistant.sessions() as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


@pytest.mark.parametrize("again", ["我要投诉", "投诉你们社区工作人员态度差", "轉人工啊"])
def test_asking_again_for_a_person_adds_to_the_open_hand_off(
    resident: CollectingChannel, assistant: Assistant, again: str
) -> None:
    first = resident.say("转人工")
    [case] = _cases(assistant)
    assert case.ref in first
    second = resident.say(again)
    assert resident.last.action == "handoff"
    assert case.ref in second and ("不用重复登记" in second or "不用重複登記" in second)
    assert len(_cases(assistant)) == 1
    with assistant.sessions() as session:
        links = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.event == "link"))
        assert links == 1


def test_a_new_hand_off_is_opened_once_the_last_one_is_closed(
    resident: CollectingChannel, assistant: Assistant, clock: FakeClock
) -> None:
    resident.say("转人工")
    with assistant.sessions.begin() as session:
        [case] = session.execute(select(Case)).scalars()
        case_store.change_status(session, case=case, to_status="closed", actor="staff", now=clock())
    reply = resident.say("转人工")
    cases = _cases(assistant)
    assert len(cases) == 2 and cases[1].ref in reply and "已为您转人工" in reply


def test_a_complaint_is_handed_off_as_one(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我要投诉")
    [case] = _cases(assistant)
    assert case.kind == "handoff" and case.description == "用户投诉"


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("我的求助到哪一步了 HR-20260101-0001", "没有找到编号 HR-20260101-0001 的登记"),
        ("我嘅求助 HR-20260101-0001 點樣呀", "沒有找到編號 HR-20260101-0001 的登記"),
    ],
)
def test_a_reference_asked_for_before_registering_is_named_in_the_answer(
    resident: CollectingChannel, asked: str, expected: str
) -> None:
    reply = resident.say(asked)
    assert resident.last.action == "case_status"
    assert expected in reply
    assert ("1 我要求助" in reply or "1 我要求助" in reply) and (
        "2 志愿报名" in reply or "2 志願報名" in reply
    )


def test_a_status_list_ends_with_choices_and_1_reaches_a_person(resident: CollectingChannel) -> None:
    resident.say("转人工")
    status = resident.say("我的求助怎么还没人联系我")
    assert resident.last.action == "case_status"
    assert "1 转人工(催办或咨询)" in status and "2 返回主菜单" in status
    resident.say("1")
    assert resident.last.action == "handoff"


def test_a_status_look_up_mid_form_leaves_the_digits_to_the_form(resident: CollectingChannel) -> None:
    resident.say("我要求助")
    resident.say("同意")
    looked_up = resident.say("/status")
    assert "还没填完" in looked_up and "转人工(催办" not in looked_up
    assert "具体情况" in resident.say("1")  # 老人照护, not a hand-off
