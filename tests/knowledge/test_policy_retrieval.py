"""Policy retrieval: the right record and citation for representative questions (Simplified, Traditional
converted, Cantonese), honest refusals out of scope, suggestions when unsure, and the topic API."""

from __future__ import annotations

import pytest

from knowledge.pack import PackRecord
from knowledge.retrieval import MAX_SUGGESTIONS, PolicyKnowledge
from knowledge.text import to_simplified
from knowledge.types import Citation, PolicyAnswer, RetrievalResult

# (question as a resident writes it, expected record, text the answer must contain)
REPRESENTATIVE = [
    ("示范点每个点资助多少钱", "sz-demo-2014-amount", "15万元"),
    ("我们社区想申报示范点要什么条件", "sz-demo-2014-conditions", "一年以上"),
    ("龙华区可以评几个示范点", "sz-demo-2014-quota", "龙华10"),
    ("示范点的钱可以用来搞商业项目吗", "sz-demo-2014-no-commercial", "不得"),
    ("示范点试点期是从哪个月开始", "sz-demo-2014-duration", "2014年11月"),
    ("居民议事会开会要到多少人", "nanshan-2012-p02-quorum", "三分之二"),
    ("社区服务中心要配几个社工", "nanshan-2012-p08-staff", "6名以上"),
    ("参加社区公益服务会影响低保吗", "nanshan-2012-p10-who", "低保"),
    ("社区公益服务晚上几点到几点", "nanshan-2012-p10-hours", "7:00至9:00"),
    ("福田2024目录里有没有关于外卖员的项目", "futian-2024-item-12", "外卖员"),
    ("福田有没有给独居老人做心理辅导的需求", "futian-2024-item-08", "独居"),
    ("横岗创新园谁在运营", "henggang-2022-overview", "众智"),
    ("横岗街道完成了多少个枫桥式基层单位创建", "henggang-2022-fengqiao", "46个"),
    ("社区哪里可以租轮椅", "civil-affairs-plans-assistive-devices", "轮椅"),
    ("低保要怎么申请", "civil-affairs-plans-dibao-apply", "一窗通办"),
]

# Traditional and Cantonese, as a Hong Kong resident writes them.
TRADITIONAL = [
    ("示範點每個點資助幾多錢", "sz-demo-2014-amount"),
    ("申請示範點要符合咩條件", "sz-demo-2014-conditions"),
    ("社區服務中心要請幾多個社工", "nanshan-2012-p08-staff"),
    ("議事會要幾多人到場先可以開會", "nanshan-2012-p02-quorum"),
    ("福田有冇幫外賣員嘅項目", "futian-2024-item-12"),
    ("邊度可以租輪椅", "civil-affairs-plans-assistive-devices"),
]

OUT_OF_SCOPE = [
    "明天会下雨吗",
    "今天深圳天气怎么样",
    "腾讯股票现在多少钱",
    "我想订外卖",
    "帮我写作业",
    "北京的低保政策是怎样的",
    "北京社区建设示范点资助多少钱",
    "低保标准是多少",
    "低保每个月能领多少钱",
    "低保標準係幾多錢",
    "老人每个月有多少补贴",
    "怎么办理护照",
    "推荐一部好看的电影",
]


@pytest.mark.parametrize(("question", "record_id", "fact"), REPRESENTATIVE)
def test_representative_questions_get_the_right_record(
    knowledge: PolicyKnowledge, question: str, record_id: str, fact: str
) -> None:
    result = knowledge.retrieve(question)
    assert result.answer is not None, f"not answered: {question} ({result.suggestions})"
    assert result.answer.record_id == record_id
    assert fact in result.answer.text
    assert result.suggestions == ()
    assert result.confidence >= knowledge.threshold


@pytest.mark.parametrize(("question", "record_id", "_fact"), REPRESENTATIVE)
def test_citation_is_the_records_source(
    knowledge: PolicyKnowledge, question: str, record_id: str, _fact: str
) -> None:
    answer = knowledge.retrieve(question).answer
    assert answer is not None
    record = next(r for r in knowledge.records() if r.id == record_id)
    assert answer.citations == (record.citation,)
    assert answer.citations[0].source_id == record_id.rsplit("-", 2)[0] or record_id.startswith(
        answer.citations[0].source_id
    )


@pytest.mark.parametrize(("question", "record_id"), TRADITIONAL)
def test_traditional_questions_converted_to_simplified(
    knowledge: PolicyKnowledge, question: str, record_id: str
) -> None:
    # The NLU layer hands retrieval Simplified text.
    answer = knowledge.retrieve(to_simplified(question)).answer
    assert answer is not None and answer.record_id == record_id


@pytest.mark.parametrize(("question", "record_id"), TRADITIONAL)
def test_traditional_questions_as_written(knowledge: PolicyKnowledge, question: str, record_id: str) -> None:
    # Retrieval also copes when it is handed the Traditional text itself.
    answer = knowledge.retrieve(question).answer
    assert answer is not None and answer.record_id == record_id


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_are_not_answered(knowledge: PolicyKnowledge, question: str) -> None:
    result = knowledge.retrieve(question)
    assert result.answer is None
    assert result.confidence < knowledge.threshold


@pytest.mark.parametrize("question", ["明天会下雨吗", "北京的低保政策是怎样的", "我想订外卖"])
def test_off_topic_and_other_cities_get_no_misleading_suggestions(
    knowledge: PolicyKnowledge, question: str
) -> None:
    assert knowledge.retrieve(question).suggestions == ()


def test_no_low_income_amount_is_invented(knowledge: PolicyKnowledge) -> None:
    # No source states a 低保 amount: the closest records are offered, none is given as the answer.
    result = knowledge.retrieve("低保标准是多少")
    assert result.answer is None
    assert 0 < len(result.suggestions) <= MAX_SUGGESTIONS
    assert all("低保" in knowledge.topic(t.record_id).text for t in result.suggestions)


@pytest.mark.parametrize("question", ["示范点", "申请", "资助"])
def test_a_bare_topic_word_gets_suggestions_not_an_answer(knowledge: PolicyKnowledge, question: str) -> None:
    result = knowledge.retrieve(question)
    assert result.answer is None
    assert 1 <= len(result.suggestions) <= MAX_SUGGESTIONS


def test_suggestions_can_be_asked_again(knowledge: PolicyKnowledge) -> None:
    result = knowledge.retrieve("示范点")
    for topic in result.suggestions:
        again = knowledge.retrieve(topic.question)
        assert again.answer is not None and again.answer.record_id == topic.record_id


def test_topic_gives_the_records_answer_with_its_citation(knowledge: PolicyKnowledge) -> None:
    answer = knowledge.topic("sz-demo-2014-amount")
    assert isinstance(answer, PolicyAnswer)
    assert answer.text.startswith("每个示范点原则上由福彩公益金资助15万元")
    assert answer.citations == (
        Citation(
            source_id="sz-demo-2014",
            title="深圳市“社区建设示范点”项目实施方案",
            locator="四、项目资金的预算及用途",
            year="2014",
            status="征求意见稿",
        ),
    )
    assert answer.citations[0].render() == (
        "来源:《深圳市“社区建设示范点”项目实施方案》四、项目资金的预算及用途(2014 年征求意见稿)"
    )


def test_topic_of_an_unknown_record_raises_key_error(knowledge: PolicyKnowledge) -> None:
    with pytest.raises(KeyError):
        knowledge.topic("no-such-record")


def test_undated_source_is_labelled(knowledge: PolicyKnowledge) -> None:
    answer = knowledge.retrieve("时间银行是什么").answer
    assert answer is not None
    assert answer.citations[0].year == "年份不详"
    assert "(年份不详)" in answer.citations[0].render()


# An answer fits on a phone screen; an overview that lists a document's parts (the 10 Nanshan projects, the
# Futian catalogue's 4 fields) may run longer, as one screen still.
SHORT_ANSWER = 80
OVERVIEW_ANSWER = 120  # the schema's ceiling for any answer


def test_every_record_answers_short_and_cited(knowledge: PolicyKnowledge) -> None:
    records = knowledge.records()
    assert all(isinstance(r, PackRecord) for r in records)
    for record in records:
        answer = knowledge.topic(record.id)
        assert answer.citations, record.id
        limit = OVERVIEW_ANSWER if record.kind == "programme" else SHORT_ANSWER
        assert len(answer.text) <= limit, record.id
        assert not answer.text.startswith("来源"), record.id  # the citation is rendered by dialogs


@pytest.mark.parametrize("question", ["", "   ", "？？？", "😀", "的了吗", "a" * 5000, "示范点" * 500])
def test_odd_input_never_crashes(knowledge: PolicyKnowledge, question: str) -> None:
    result = knowledge.retrieve(question)
    assert isinstance(result, RetrievalResult)
    assert len(result.suggestions) <= MAX_SUGGESTIONS
