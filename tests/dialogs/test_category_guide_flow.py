"""The category guide inside a conversation (issue 5): description -> ranked catalogue items, through the pipeline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.models import Case, MessageLog

CATALOGUE_SOURCE = "来源:《2024 年度福田区社会建设专项资金项目需求目录》"


def choice_key(resident: CollectingChannel, label: str) -> str:
    """The digit of the choice whose label contains `label`, among those offered in the last turn."""
    for reply in resident.last.replies:
        for choice in reply.choices:
            if label in choice.label:
                return choice.key
    raise AssertionError(f"no choice {label!r} in {resident.last.replies}")


@pytest.mark.parametrize(
    ("description", "best", "words"),
    [
        ("我们想帮外卖小哥维权", "futian-2024-12", ["“外卖小哥”", "新就业群体", "针对快递员、外卖员"]),
        (
            "社区里独居老人很多,想做心理陪伴",
            "futian-2024-08",
            ["“独居老人”", "独居老年人", "针对辖区失独老年人"],
        ),
    ],
)
def test_a_specific_description_is_ranked_at_once_with_reasons_need_text_and_source(
    resident: CollectingChannel, description: str, best: str, words: list[str]
) -> None:
    reply = resident.say(description)
    outcome = resident.last
    assert outcome.action == "guide_category"
    assert outcome.categories[0] == best
    assert 1 <= len(outcome.categories) <= 3
    number = best.rsplit("-", 1)[1].lstrip("0")
    assert f"序号 {number}" in reply
    for word in words:
        assert word in reply
    assert CATALOGUE_SOURCE in reply and "(2024 年)" in reply
    assert {c.locator for c in outcome.citations} >= {f"序号 {number}"}
    assert "1 检查申报条件" in reply and "3 转人工" in reply


def test_the_top_three_items_each_come_with_a_reason_and_their_need_text(resident: CollectingChannel) -> None:
    resident.say("/menu guide")
    reply = resident.say("想在社区开心理咨询和减压讲座")
    assert resident.last.categories == ("futian-2024-09", "futian-2024-07", "futian-2024-08")
    lines = reply.splitlines()
    assert lines[0].startswith("最接近的需求类别")  # the answer comes first
    items = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert [line[:2] for line in items] == ["1.", "2.", "3."]
    assert reply.count("理由:") == 3 and reply.count("需求原文:") == 3
    assert f"{CATALOGUE_SOURCE}序号 9、7、8(2024 年)" in reply
    assert max(len(line) for line in lines) <= 90  # read on a phone: no wall of text on one line


@pytest.mark.parametrize(
    ("description", "best", "traditional"),
    [
        ("社區裡獨居老人很多,想做心理陪伴", "futian-2024-08", "健全社會心理服務體系"),
        ("我哋想幫啲外賣仔維權", "futian-2024-12", "加強新就業羣體服務"),
        ("屋企老人家一個人住,好孤獨", "futian-2024-08", "健全社會心理服務體系"),
    ],
    ids=["traditional", "cantonese", "cantonese-colloquial"],
)
def test_traditional_and_cantonese_descriptions_are_answered_in_traditional(
    assistant: Assistant, description: str, best: str, traditional: str
) -> None:
    resident = CollectingChannel(assistant.handle, user_id="hk-resident")
    resident.say("/menu guide")  # from the menu: a Cantonese help story is a project idea here
    reply = resident.say(description)
    assert resident.last.categories[0] == best
    assert traditional in reply
    assert "理由:" in reply and "需求原文:" in reply and "來源:" in reply
    assert "检查申报条件" not in reply and "檢查申報條件" in reply


def test_a_vague_description_gets_one_narrowing_question_then_a_digit_ranks(
    resident: CollectingChannel,
) -> None:
    question = resident.say("我们想做个项目")
    assert resident.last.action == "guide_category"
    assert resident.last.categories == ()
    assert "哪个领域" in question
    assert "1 健全基层民主制度" in question and "4 其他社会治理创新" in question
    assert question.count("?") == 1  # ONE question

    ranked = resident.say("1")
    assert resident.last.action == "guide_category"
    assert resident.last.categories == ("futian-2024-01", "futian-2024-02")
    assert "属于所选领域“健全基层民主制度”" in ranked
    assert "需求原文:" in ranked and CATALOGUE_SOURCE in ranked


def test_a_large_field_is_narrowed_by_group_before_ranking(resident: CollectingChannel) -> None:
    resident.say("我们想做个项目")
    group_question = resident.say("2")  # 健全社会治理体系 holds too many items to list
    assert "哪类人群" in group_question and "老年人" in group_question
    assert resident.last.categories == ()
    ranked = resident.say(choice_key(resident, "老年人"))
    assert resident.last.categories == ("futian-2024-08",)
    assert "所选人群" in ranked


@pytest.mark.parametrize(
    ("answers", "best"),
    [
        (["社会治理", "老人"], "futian-2024-08"),  # the choices' names typed, a group's everyday word
        (["想帮外卖小哥维权"], "futian-2024-12"),  # a better description instead of a choice
        (["健全社會治理體系", "老年人"], "futian-2024-08"),  # Traditional
    ],
    ids=["typed-choices", "fuller-description", "traditional-choice"],
)
def test_the_narrowing_question_also_takes_words(
    resident: CollectingChannel, answers: list[str], best: str
) -> None:
    resident.say("我们想做个项目")
    for answer in answers:
        resident.say(answer)
    assert resident.last.categories[0] == best


def test_an_unreadable_choice_is_asked_again_then_the_guide_gives_up(resident: CollectingChannel) -> None:
    resident.say("我们想做个项目")
    again = resident.say("嗯嗯")
    assert "没看懂" in again and "哪个领域" in again
    resident.say("啊")
    gave_up = resident.say("呃")
    assert "转人工" in gave_up
    assert "政策" in resident.say("你好")  # no longer waiting for a choice


def test_the_menu_entry_asks_for_a_description_or_a_field(resident: CollectingChannel) -> None:
    resident.say("你好")
    prompt = resident.say(choice_key(resident, "项目申报指引"))
    assert resident.last.action == "guide_category"
    assert "一两句话" in prompt and "1 健全基层民主制度" in prompt
    reply = resident.say("想帮骑手")  # short, but specific
    assert resident.last.categories[0] == "futian-2024-12"
    assert "“骑手”" in reply


@pytest.mark.parametrize(
    ("description", "best"),
    [
        ("辖区有刑满释放人员需要帮扶", "futian-2024-19"),  # the intent model alone would open a help request
        ("我们社区义工队伍人少又留不住,想搞积分兑换激励志愿者", "futian-2024-04"),  # ... a volunteer sign-up
        ("想在社区办家长课堂", "futian-2024-10"),
    ],
)
def test_once_asked_for_a_description_the_guide_ranks_it_whatever_the_intent(
    resident: CollectingChannel, description: str, best: str
) -> None:
    resident.say("/menu guide")
    resident.say(description)
    assert resident.last.action == "guide_category"
    assert resident.last.categories[0] == best


@pytest.mark.parametrize(
    ("said", "action"),
    [
        ("我要求助", "form:help_request"),
        ("我想搵人幫手", "form:help_request"),
        ("我想做義工", "form:volunteer_signup"),
    ],
)
def test_a_bare_request_for_a_resident_service_leaves_the_guide_for_it(
    resident: CollectingChannel, said: str, action: str
) -> None:
    resident.say("/menu guide")
    resident.say(said)
    assert resident.last.action == action


def test_a_field_named_instead_of_described_narrows_by_group(resident: CollectingChannel) -> None:
    resident.say("/menu guide")
    question = resident.say("社会治理")
    assert "哪类人群" in question
    resident.say("老年人")
    assert resident.last.categories == ("futian-2024-08",)


def test_a_demonstration_point_idea_is_ranked_in_the_2014_draft_catalogue(
    resident: CollectingChannel,
) -> None:
    resident.say("/menu guide")
    reply = resident.say("想在示范点社区装快递柜")
    assert resident.last.categories[0] == "sz-demo-2014-15"
    assert "2014 年征求意见稿" in reply


def test_a_policy_question_leaves_the_guide(resident: CollectingChannel) -> None:
    resident.say("我们想做个项目")
    answer = resident.say("示范点每个社区资助多少钱?")
    assert resident.last.action == "answer"
    assert "15万元" in answer and "来源" in answer
    assert "政策" in resident.say("你好")


def test_cancelling_leaves_the_guide(resident: CollectingChannel) -> None:
    resident.say("我们想做个项目")
    assert "已退出" in resident.say("算了")
    assert resident.last.categories == ()


def test_the_ranking_is_logged_and_the_description_is_stored_encrypted(
    resident: CollectingChannel, assistant: Assistant
) -> None:
    resident.say("我们想帮外卖小哥维权")
    with assistant.sessions() as session:
        actions = {
            row.action for row in session.execute(select(MessageLog)).scalars() if row.direction == "out"
        }
        assert actions == {"guide_category"}
        assert session.execute(select(Case)).first() is None  # guiding opens no case
    with assistant.engine.connect() as connection:
        for table in ("conversations", "messages"):
            for row in connection.exec_driver_sql(
                f"SELECT * FROM {table}"
            ):  # fixed table names, no user input
                assert "外卖小哥" not in " ".join(str(v) for v in row), table
