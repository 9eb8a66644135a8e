"""A resident signs up as a volunteer (issue 6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case, Volunteer


def test_a_volunteer_sign_up_from_one_sentence(resident: CollectingChannel, assistant: Assistant) -> None:
    consent = resident.say("我周末有空想做义工")
    assert resident.last.action == "form:volunteer_signup"
    assert "姓名" in consent and "同意" in consent
    assert "姓名" in resident.say("同意")
    assert "联系电话" in resident.say("陈大文")
    assert "哪个社区" in resident.say("+852 9123 4567")
    skills = resident.say("桃源社区")
    if "请回复数字选择" in skills and "桃源" in skills:  # same-name communities: pick the first
        skills = resident.say("1")
    assert "特长" in skills
    areas = resident.say("2 4")  # 心理, 教学辅导 -> availability was in the first message (周末)
    assert "志愿服务" in areas
    summary = resident.say("1 6")
    assert "周末" in summary and "心理、教学辅导" in summary and "助老助残助弱、儿童青少年" in summary
    assert "912****4567" in summary or "****4567" in summary
    done = resident.say("确认")
    with assistant.sessions() as session:
        case = session.execute(select(Case)).scalar_one()
        volunteer = session.execute(select(Volunteer)).scalar_one()
        assert case.ref.startswith("VS-") and case.ref in done
        assert case.kind == "volunteer"
        assert (volunteer.skills, volunteer.availability, volunteer.service_areas) == (
            "psychology,teaching",
            "weekend",
            "elder_disability,children_youth",
        )
        assert assistant.cipher.decrypt(case.phone_enc) == "+85291234567"
        assert assistant.cipher.decrypt(case.name_enc) == "陈大文"


def test_a_number_outside_the_choices_is_asked_again(resident: CollectingChannel) -> None:
    resident.say("我想报名志愿者")
    resident.say("1")
    resident.say("陈大文")
    resident.say("13912345678")
    resident.say("莲花北社区")
    again = resident.say("9")
    assert "没有这个选项。请回复 1 到 7 之间的数字" in again and "7 没有特别技能" in again


# --- multi-choice answers as volunteers type them (QA round)


def _to_skills(resident: CollectingChannel) -> None:
    for answer in ("我想报名志愿者", "1", "陈大文", "13912345678", "莲花北社区"):
        resident.say(answer)


@pytest.mark.parametrize("skills", ["法律 心理", "法律和心理", "1 2", "1、2"])
def test_the_skills_answer_fills_the_skills_only_and_every_list_is_asked(
    resident: CollectingChannel, skills: str
) -> None:
    _to_skills(resident)
    assert "什么时间有空" in resident.say(skills)
    areas = resident.say("周末和晚上")
    assert "哪方面的志愿服务" in areas  # not guessed from "法律 心理"
    summary = resident.say("5")
    assert "特长:法律、心理" in summary and "有空的时间:工作日晚上、周末" in summary
    assert "想做的服务:法律服务" in summary


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("都可以", "有空的时间:工作日白天、工作日晚上、周末、节假日"),
        ("什么时候都可以", "有空的时间:工作日白天、工作日晚上、周末、节假日"),
        ("隨時都得", "有空的時間:工作日白天、工作日晚上、週末、節假日"),
        ("周末都可以", "有空的时间:周末"),
    ],
)
def test_any_time_means_every_time_and_a_named_time_only_that(
    resident: CollectingChannel, said: str, shown: str
) -> None:
    _to_skills(resident)
    resident.say("7")
    resident.say(said)
    summary = resident.say("1")
    assert shown in summary


@pytest.mark.parametrize("picked", ["1 9", "0", "3 7"])
def test_a_choice_number_outside_the_list_is_asked_again_not_dropped(
    resident: CollectingChannel, picked: str
) -> None:
    _to_skills(resident)
    resident.say("1")
    again = resident.say(picked)
    assert "什么时间有空" in again or "有空的时间" in again or "没有这个选项" in again
    assert "哪方面的志愿服务" not in again


@pytest.mark.parametrize("declined", ["跳过", "不想说名字", "唔想講"])
def test_declining_the_name_says_why_and_a_name_given_then_is_taken(
    resident: CollectingChannel, declined: str
) -> None:
    resident.say("我想报名志愿者")
    resident.say("1")
    why = resident.say(declined)
    assert "报名需要留一个姓名" in why or "報名需要留一個姓名" in why
    assert "联系电话" in resident.say("陈大文")


def test_asking_what_to_fill_in_at_the_consent_question_is_answered_before_consent(
    resident: CollectingChannel,
) -> None:
    resident.say("我想報名做義工")
    reply = resident.say("要填啲乜嘢")
    assert "姓名、聯繫電話" in reply and "1 同意" in reply
    assert "沒有把握" not in reply
    assert "姓名" in resident.say("1")
