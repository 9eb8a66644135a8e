"""Crisis by the triage taxonomy, played through the real pipeline: every branch alarms cold and in the
middle of a form; unsure messages get the safety question first; harmless danger talk never alarms; and
what follows an emergency joins its case instead of alarming twice.

The danger messages here describe the danger without naming it (no 救命, 110, 自杀), as residents do.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case, CaseEvent

# One message per branch of shared/BLIND_ROUNDS.md's taxonomy, in the three registers.
BRANCHES = {
    "suicide_self_harm": "我爸半夜给我们发了一长段话说对不起,然后就关机了,最近他老说活着没意思",
    "violence": "前夫拿着菜刀在门口踹门,说要砍死我",
    "child_abuse": "對面單位個細路成晚喊,今朝見佢手臂一條條瘀痕,頭先又聽到佢阿爸用衣架打佢",
    "child_danger": "商场门口有辆车里锁着个娃,车窗全是雾,拍窗他都不动",
    "elderly_unresponsive": "隔壁独居的阿婆三天没开门了,敲门也没人应",
    "medical": "我老公说话突然口齿不清,半边脸歪了,右手拿不起杯子",
    "disaster": "地下车库进水了,水已经到膝盖还在涨,有个阿伯还在下面",
    "missing": "我阿爺有腦退化,今朝落街買餸到而家都未返,佢冇帶電話",
}


def _cases(assistant: Assistant, kind: str) -> list[Case]:
    with assistant.sessions() as s:
        return list(s.scalars(select(Case).where(Case.kind == kind)))


@pytest.mark.parametrize("message", BRANCHES.values(), ids=BRANCHES.keys())
def test_every_branch_alarms_cold(resident: CollectingChannel, assistant: Assistant, message: str) -> None:
    reply = resident.say(message)
    assert resident.last.action == "crisis"
    assert "110" in reply and "120" in reply
    assert len(_cases(assistant, "crisis")) == 1


@pytest.mark.parametrize("message", BRANCHES.values(), ids=BRANCHES.keys())
def test_every_branch_alarms_inside_a_help_request(
    resident: CollectingChannel, assistant: Assistant, message: str
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # consent
    reply = resident.say(message)  # typed where the form asked for something else
    assert resident.last.action == "crisis"
    assert "110" in reply
    (case,) = _cases(assistant, "crisis")
    assert case.urgency == "urgent"


@pytest.mark.parametrize(
    "harmless",
    [
        "我们机构想做一个培训志愿者急救和消防安全的项目,报哪个类别",
        "打120叫救护车要自己付钱吗",
        "昨晚电视剧里那个跳楼的女的后来怎么样了",
        "我是护士,会急救,想报名做义工",
        "热死了,今天三十八度",
        "我们想做预防儿童性侵的家长课堂",
        "上个月家里着火后申请的临时救助,到现在还没消息",
    ],
)
def test_harmless_danger_talk_never_alarms(
    resident: CollectingChannel, assistant: Assistant, harmless: str
) -> None:
    resident.say(harmless)
    assert resident.last.action != "crisis"
    assert _cases(assistant, "crisis") == []


UNSURE = "最近感觉快崩溃了,不知道怎么办"


def test_an_unsure_message_gets_the_safety_question_with_the_numbers_first(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    reply = resident.say(UNSURE)
    assert resident.last.action == "safety_check"
    assert "有没有人有生命危险" in reply and "110" in reply and "12356" in reply
    assert "1 有,现在有危险" in reply and "2 没有,继续" in reply
    assert _cases(assistant, "crisis") == [] and _cases(assistant, "help") == []


def test_yes_to_the_safety_question_raises_the_crisis_with_the_first_message(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say(UNSURE)
    reply = resident.say("1")
    assert resident.last.action == "crisis" and "110" in reply
    (case,) = _cases(assistant, "crisis")
    assert json.loads(case.details_json)["signal"] == "safety_check_yes"


@pytest.mark.parametrize("no", ["2", "没有", "冇"])
def test_no_to_the_safety_question_goes_on_with_the_message(
    resident: CollectingChannel, assistant: Assistant, no: str
) -> None:
    resident.say(UNSURE)
    resident.say(no)
    assert resident.last.action not in ("crisis", "safety_check")
    assert _cases(assistant, "crisis") == []


def test_the_safety_question_in_a_form_keeps_the_form(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # consent
    resident.say(UNSURE)
    assert resident.last.action == "safety_check"
    resident.say("2")
    assert resident.last.action == "form:help_request"
    assert _cases(assistant, "crisis") == []


def test_what_follows_an_emergency_joins_its_case(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say(BRANCHES["medical"])
    (case,) = _cases(assistant, "crisis")
    reply = resident.say("救护车到了,谢谢你们")
    assert case.ref in reply
    resident.say("他又说胸口很痛,喘不上气")  # a second danger message: same case, no second alarm
    assert resident.last.action == "crisis"
    assert len(_cases(assistant, "crisis")) == 1
    with assistant.sessions() as s:
        notes = list(s.scalars(select(CaseEvent.event).where(CaseEvent.case_id == case.id)))
    assert notes.count("link") == 2
