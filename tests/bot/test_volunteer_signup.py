"""A resident signs up as a volunteer (issue 6)."""

from __future__ import annotations

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
    assert "请回复数字选择您的特长" in again
