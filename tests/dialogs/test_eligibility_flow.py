"""The eligibility check inside a conversation (issue 5): one missing fact at a time, then the report."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case, MessageLog
from tests.support.clock import FakeClock

RULES = "《深圳市“社区建设示范点”项目选择及管理实施细则》"
PLAN = "《深圳市“社区建设示范点”项目实施方案》"
DRAFT = "(2014 年征求意见稿)"
FUTIAN = "《2024 年度福田区社会建设专项资金项目需求目录》"
# Answers to the six questions of the demonstration-point programme for a community that qualifies:
# site, residents agree, service centre running, items chosen, lottery money for commercial items, district.
QUALIFYING = ("1", "是", "两年", "12", "否", "3")


def choice_key(resident: CollectingChannel, label: str) -> str:
    """The digit of the choice whose label contains `label`, among those offered in the last turn."""
    for reply in resident.last.replies:
        for choice in reply.choices:
            if label in choice.label:
                return choice.key
    raise AssertionError(f"no choice {label!r} in {resident.last.replies}")


def progress(reply: str) -> str | None:
    found = re.search(r"\((\d+/\d+)\)", reply)
    return found.group(1) if found else None


def test_a_qualifying_demonstration_point_is_told_so_with_every_condition_and_its_clause(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    first = resident.say("我们社区想申报示范点")
    assert resident.last.action == "eligibility"
    assert "深圳市“社区建设示范点”项目" in first and "2014 年征求意见稿" in first
    assert progress(first) == "1/6" and "场地" in first and "1 是" in first and "2 否" in first

    seen = [progress(first)]
    for answer in QUALIFYING[:-1]:
        seen.append(progress(resident.say(answer)))
    assert seen == ["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]  # one question at a time, none twice
    assert "3 南山" in resident.outcomes[-1].replies[0].as_text()

    report = resident.say(QUALIFYING[-1])  # 3 = 南山, a numbered choice
    outcome = resident.last
    assert outcome.action == "eligibility"
    lines = report.splitlines()
    assert "符合全部 6 项申报条件" in lines[0]  # the answer leads
    assert "2014 年征求意见稿" in lines[0]
    assert report.count("✓ 符合") == 6 and "✗" not in report and "? 未知" not in report
    assert "你们的回答:24 个月" in report and "你们的回答:12 项" in report
    assert f"来源:{RULES}一、申报条件(一){DRAFT}" in report
    assert f"来源:{RULES}一、申报条件(三){DRAFT}" in report
    assert "15 万元" in report and "南山区的试点社区名额为 10 个" in report
    assert "申报步骤:" in report and "向街道办提出申请" in report
    assert "这是 2014 年的征求意见稿" in report and "新一轮申报" in report
    titles = {c.title for c in outcome.citations}
    assert {RULES.strip("《》"), PLAN.strip("《》")} <= titles
    assert all(c.status == "征求意见稿" for c in outcome.citations)
    with assistant.sessions() as session:
        assert session.execute(select(Case)).first() is None  # a check opens no case
        actions = {r.action for r in session.execute(select(MessageLog)).scalars() if r.direction == "out"}
        assert actions == {"eligibility"}


def test_a_service_centre_running_six_months_fails_that_condition_with_the_reason_and_clause(
    resident: CollectingChannel,
) -> None:
    resident.say("我们社区想申报示范点")
    for answer in ("是", "是", "6个月", "十二项", "没有"):
        resident.say(answer)
    report = resident.say("福田")
    lines = report.splitlines()
    assert "有 1 项不符合:社区服务中心运营一年以上" in lines[0]
    failed = lines.index("3. ✗ 不符合:社区服务中心运营一年以上")
    assert "你们的回答:6 个月" in lines[failed + 1]
    assert "细则要求社区服务中心运营一年以上" in lines[failed + 1]
    assert lines[failed + 2].strip() == f"来源:{RULES}一、申报条件(三){DRAFT}"
    assert report.count("✓ 符合") == 5


@pytest.mark.parametrize(
    "unsure",
    ["不清楚", "不確定", "唔知", "我也不知道"],
    ids=["simplified", "traditional", "cantonese", "sentence"],
)
def test_an_unsure_answer_is_noted_as_unknown_and_the_next_question_follows(
    resident: CollectingChannel, unsure: str
) -> None:
    resident.say("我们社区想申报示范点")
    reply = resident.say(unsure)
    assert "未知" in reply and progress(reply) == "2/6"


def test_unknown_facts_are_reported_as_unknown_with_what_to_confirm(resident: CollectingChannel) -> None:
    resident.say("我们社区想申报示范点")
    for answer in ("是", "不清楚", "两年", "说不准"):
        resident.say(answer)
    resident.say("否")
    report = resident.say("龙岗")
    assert "还有 2 项需要确认,暂时无法判断" in report.splitlines()[0]
    assert report.count("? 未知") == 2 and report.count("✓ 符合") == 4
    assert "还不知道,需要确认:居委会是否已经征求居民意见" in report
    assert "龙岗区的试点社区名额为 17 个" in report


def test_an_unreadable_answer_gets_a_hint_and_is_left_unknown_after_three_tries(
    resident: CollectingChannel,
) -> None:
    resident.say("我们社区想申报示范点")
    again = resident.say("看情况")
    assert "没看懂" in again and "1(是)或 2(否)" in again and progress(again) == "1/6"
    again = resident.say("12")  # a bare number is an answer attempt, not "thanks"
    assert resident.last.action == "eligibility" and progress(again) == "1/6"
    moved_on = resident.say("随便")
    assert "记为“未知”" in moved_on and progress(moved_on) == "2/6"


def test_facts_in_the_first_message_are_not_asked_again(resident: CollectingChannel) -> None:
    first = resident.say("我们是南山区的社区,想申报示范点")
    assert "已从您的话里读到:社区所在区 南山" in first
    assert progress(first) == "1/5"
    replies = [resident.say(a) for a in QUALIFYING[:-1]]
    assert "社区在哪个区" not in "".join(replies)
    assert "符合全部 6 项申报条件" in replies[-1] and "南山区的试点社区名额为 10 个" in replies[-1]


def test_the_programme_is_asked_when_the_message_names_none(resident: CollectingChannel) -> None:
    which = resident.say("我们符合申报条件吗")
    assert resident.last.action == "eligibility"
    assert "哪个项目" in which
    assert "2024 年度福田区社会建设专项资金项目" in which and "(2014 年征求意见稿)" in which
    started = resident.say(choice_key(resident, "示范点"))
    assert progress(started) == "1/6"


def test_the_traditional_check_is_held_in_traditional(assistant: Assistant) -> None:
    resident = CollectingChannel(assistant.handle, user_id="hk-resident")
    first = resident.say("我們社區想申報示範點,符合條件嗎")
    assert "場地" in first and "徵求意見稿" in first
    for answer in ("係", "係", "兩年", "十二項", "唔係"):
        resident.say(answer)
    report = resident.say("羅湖")
    assert "符合全部 6 項申報條件" in report and "來源:" in report


def test_after_the_guide_1_checks_the_futian_programme_with_the_description_already_given(
    resident: CollectingChannel,
) -> None:
    resident.say("我们想帮外卖小哥维权")
    report = resident.say("1")  # 检查申报条件
    outcome = resident.last
    assert outcome.action == "eligibility"
    assert "哪个项目" not in report and "请用一两句话" not in report  # nothing asked again
    assert "「我们想帮外卖小哥维权」" in report
    assert f"{FUTIAN}只列出了 22 项项目需求" in report and "没有写明申报条件" in report
    assert "加强新就业群体服务" in report and "理由:" in report
    assert "需要准备:" in report and "(一般建议,原文未规定)" in report
    assert f"来源:{FUTIAN}附件 2(2024 年)" in report
    assert outcome.categories == ("futian-2024-12",)
    assert FUTIAN.strip("《》") in {c.title for c in outcome.citations}


def test_typing_the_check_after_a_narrowed_ranking_keeps_the_chosen_field_and_group(
    resident: CollectingChannel,
) -> None:
    resident.say("我们想做个项目")
    resident.say("2")  # 健全社会治理体系
    resident.say(choice_key(resident, "老年人"))
    report = resident.say("检查申报条件")
    assert "没有写明申报条件" in report
    assert resident.last.categories == ("futian-2024-08",)


def test_the_futian_check_asks_for_the_description_and_narrows_a_vague_one(
    resident: CollectingChannel,
) -> None:
    resident.say("我们符合申报条件吗")
    ask = resident.say(choice_key(resident, "福田"))
    assert "请用一两句话说说你们想做的项目" in ask
    narrowing = resident.say("我们想做个项目")
    assert "比较笼统" in narrowing and "哪个领域" in narrowing
    report = resident.say("1")  # 健全基层民主制度
    assert "没有写明申报条件" in report and "需要准备:" in report
    assert resident.last.categories == ("futian-2024-01", "futian-2024-02")


def test_the_futian_check_reuses_a_description_in_the_first_message(resident: CollectingChannel) -> None:
    resident.say("我们符合申报条件吗")
    resident.say(choice_key(resident, "福田"))
    report = resident.say("社区里独居老人很多,想做心理陪伴")
    assert resident.last.categories[0] == "futian-2024-08"
    assert "健全社会心理服务体系和危机干预机制" in report


def test_a_policy_question_leaves_the_check_which_can_be_picked_up_again(resident: CollectingChannel) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("是")
    answer = resident.say("示范点每个社区资助多少钱?")
    assert resident.last.action == "answer"  # answered, not taken as 是/否
    assert "15万元" in answer and f"来源:{PLAN}" in answer
    assert "暂停" in answer and "继续检查" in answer

    resumed = resident.say(choice_key(resident, "继续检查"))
    assert "我们接着检查" in resumed and progress(resumed) == "2/6"
    for answer in QUALIFYING[1:]:
        report = resident.say(answer)
    assert "符合全部 6 项申报条件" in report  # the answer given before the question was kept


def test_a_policy_question_leaves_the_check_for_good_if_the_user_moves_on(
    resident: CollectingChannel,
) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("示范点每个社区资助多少钱?")
    reply = resident.say("你好")
    assert resident.last.action == "smalltalk" and "政策咨询" in reply


def test_asking_for_a_person_mid_check_hands_off(resident: CollectingChannel, assistant: Assistant) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("是")
    reply = resident.say("转人工")
    assert resident.last.action == "handoff"
    with assistant.sessions() as session:
        [case] = session.execute(select(Case)).scalars()
    assert case.kind == "handoff" and case.ref in reply


def test_cancelling_stops_the_check(resident: CollectingChannel) -> None:
    resident.say("我们社区想申报示范点")
    assert "已停止" in resident.say("算了")
    assert "政策" in resident.say("你好")


def test_an_idle_check_is_suspended_and_resumed_where_it_stopped(
    resident: CollectingChannel, clock: FakeClock
) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("是")
    resident.say("是")
    clock.advance(minutes=31)
    offer = resident.say("你好")  # a new turn of the conversation, not an answer
    assert "申报条件检查还没填完" in offer and "继续填写" in offer
    resumed = resident.say(choice_key(resident, "继续填写"))
    assert "我们接着检查" in resumed and progress(resumed) == "3/6"
    for answer in QUALIFYING[2:]:
        report = resident.say(answer)
    assert "符合全部 6 项申报条件" in report


def test_an_answer_typed_on_return_after_the_idle_time_out_is_taken(
    resident: CollectingChannel, clock: FakeClock
) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("是")
    resident.say("是")
    clock.advance(minutes=31)
    back = resident.say("两年")
    assert "欢迎回来" in back and progress(back) == "4/6"
    for answer in QUALIFYING[3:]:
        report = resident.say(answer)
    assert "符合全部 6 项申报条件" in report


def test_an_idle_check_can_be_restarted_for_the_same_programme(
    resident: CollectingChannel, clock: FakeClock
) -> None:
    resident.say("我们社区想申报示范点")
    resident.say("是")
    clock.advance(hours=2)
    resident.say("你好")
    restarted = resident.say(choice_key(resident, "重新开始"))
    assert progress(restarted) == "1/6" and "示范点" in restarted


def test_a_question_while_choosing_the_programme_pauses_there(resident: CollectingChannel) -> None:
    resident.say("我们符合申报条件吗")
    answer = resident.say("示范点每个社区资助多少钱?")
    assert "15万元" in answer and "申报条件检查先暂停。" in answer
    again = resident.say(choice_key(resident, "继续检查"))
    assert "哪个项目" in again


def test_an_unknown_project_description_still_gives_what_to_prepare(resident: CollectingChannel) -> None:
    resident.say("我们符合申报条件吗")
    resident.say(choice_key(resident, "福田"))
    report = resident.say("不清楚")
    assert "没有写明申报条件" in report and "需要准备:" in report
    assert resident.last.categories == ()


@pytest.mark.parametrize(("said", "district"), [("福田区", "福田"), ("我哋喺南山區", "南山")])
def test_a_district_named_at_another_question_is_kept_and_not_asked_again(
    resident: CollectingChannel, said: str, district: str
) -> None:
    resident.say("我们社区想申报示范点")
    again = resident.say(said)
    assert f"社区所在区 {district}" in again or f"社區所在區 {district}" in again
    assert progress(again) == "1/5"  # still the first question, one fewer to go
    replies = [resident.say(answer) for answer in QUALIFYING[:5]]
    assert "社区在哪个区" not in "".join(replies)
    assert f"{district}区的试点社区名额" in replies[-1]


def test_a_statement_about_a_condition_is_answered_and_the_check_kept(resident: CollectingChannel) -> None:
    resident.say("我们社区想申报示范点")
    reply = resident.say("社区服务中心开了三年")
    assert "运营一年以上" in reply and "暂停" in reply
    resumed = resident.say(choice_key(resident, "继续检查"))
    assert "我们接着检查" in resumed and progress(resumed) == "1/6"


def test_the_report_ends_with_what_to_do_next(resident: CollectingChannel) -> None:
    resident.say("我们社区想申报示范点")
    for answer in QUALIFYING:
        report = resident.say(answer)
    assert report.rstrip().endswith("接下来您可以:\n1 转人工咨询\n2 返回主菜单")
    resident.say("1")
    assert resident.last.action == "handoff"
