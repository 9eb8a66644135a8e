"""A question about a service is answered from the pack, then the service is offered (not forced)."""

from __future__ import annotations

import pytest

from adapters.collecting import CollectingChannel
from dialogs.service_questions import asks_about_service
from nlu.types import Script, Understanding


def _understood(normalized: str) -> Understanding:
    return Understanding(
        text=normalized,
        normalized=normalized,
        script=Script.SIMPLIFIED,
        intent="volunteer_signup",
        confidence=1.0,
    )


@pytest.mark.parametrize(
    ("question", "source", "offer", "opened", "opened_text"),
    [
        ("做义工是不是要固定时间", "来源:", "1 我要报名做志愿者", "form:volunteer_signup", "同意"),
        ("志愿者要几点到社区报到", "来源:", "1 我要报名做志愿者", "form:volunteer_signup", "同意"),
        ("谁可以申请示范点", "基层申报", "1 检查我们社区的申报条件", "eligibility", "(1/6)"),
        ("个人能不能申请示范点", "基层申报", "1 检查我们社区的申报条件", "eligibility", "(1/6)"),
        ("做義工是不是要固定時間", "來源:", "1 我要報名做志願者", "form:volunteer_signup", "同意"),
        ("誰可以申請示範點", "基層申報", "1 檢查我們社區的申報條件", "eligibility", "(1/6)"),
        ("邊個可以申請示範點", "基層申報", "1 檢查我們社區的申報條件", "eligibility", "(1/6)"),
    ],
)
def test_a_question_about_a_service_is_answered_with_its_source_then_the_service_offered(
    resident: CollectingChannel, question: str, source: str, offer: str, opened: str, opened_text: str
) -> None:
    answer = resident.say(question)
    assert resident.last.action == "answer"
    assert resident.last.citations
    assert source in answer and offer in answer and "2 返回主菜" in answer

    started = resident.say("1")
    assert resident.last.action == opened
    assert opened_text in started


def test_the_offer_after_an_answer_about_the_demonstration_points_checks_them_without_asking_which(
    resident: CollectingChannel,
) -> None:
    resident.say("谁可以申请示范点")
    started = resident.say("1")
    assert "示范点" in started and "想检查哪个项目" not in started


def test_back_to_the_menu_after_an_answer(resident: CollectingChannel) -> None:
    resident.say("做义工是不是要固定时间")
    menu = resident.say("2")
    assert resident.last.action == "smalltalk"
    assert "政策咨询" in menu


@pytest.mark.parametrize(
    ("request_text", "opened"),
    [
        ("我想做义工", "form:volunteer_signup"),
        ("我周末有空想做义工", "form:volunteer_signup"),
        ("我想做义工怎么报名", "form:volunteer_signup"),
        ("我要求助", "form:help_request"),
        ("怎么申请求助", "form:help_request"),
        ("我们社区能申请示范点吗", "eligibility"),
        ("我哋社區可唔可以申請示範點", "eligibility"),
        ("我想做義工", "form:volunteer_signup"),
    ],
)
def test_a_request_for_a_service_still_opens_it_at_once(
    resident: CollectingChannel, request_text: str, opened: str
) -> None:
    resident.say(request_text)
    assert resident.last.action == opened
    assert not resident.last.citations


def test_a_question_in_the_middle_of_a_form_is_left_to_the_form(resident: CollectingChannel) -> None:
    resident.say("我想做义工")
    resident.say("谁可以申请示范点")
    assert resident.last.action != "eligibility"
    assert "1 检查我们社区的申报条件" not in resident.say("1")


def test_a_crisis_comes_before_any_service_question(resident: CollectingChannel) -> None:
    reply = resident.say("不想活了,做义工是不是要固定时间")
    assert resident.last.action == "crisis"
    assert "12356" in reply


@pytest.mark.parametrize(
    ("normalized", "is_question"),
    [
        ("做义工是不是要固定时间", True),
        ("志愿者要几点到社区报到", True),
        ("谁可以申请示范点", True),
        ("个人能不能申请示范点", True),
        ("做义工使不用固定时间", True),  # 做義工使唔使固定時間, normalised
        ("做义工有没有补贴", True),
        ("我想知道做义工是不是要固定时间", True),
        ("请问示范点谁来申报?", True),
        ("我们社区可以申请几次", True),
        ("我想做义工怎么报名", False),
        ("怎么申请求助", False),
        ("我们社区能申请示范点吗", False),
        ("我们社区可不可以申请示范点", False),  # 我哋社區可唔可以申請示範點, normalised
        ("我可以做义工吗", False),
        ("我们符合申报条件吗", False),
        ("我们社区想申报示范点,符合条件吗", False),
        ("我们社区够不够条件申请示范点", False),
        ("我想做义工", False),
        ("我要求助", False),
        ("做义工", False),
    ],
)
def test_questions_are_told_from_requests(normalized: str, is_question: bool) -> None:
    assert asks_about_service(_understood(normalized)) is is_question
