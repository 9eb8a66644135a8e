"""Policy retrieval on questions as residents and organisations really ask them (issue 4): short and
voice-typed questions, Traditional and Cantonese, years that name a document, service hours, and the
overviews of the Futian 2024 catalogue and the Nanshan 2012 projects. Honest refusals where the sources
state nothing (opening hours, volunteer pay, another year's catalogue)."""

from __future__ import annotations

import pytest

from knowledge.retrieval import PolicyKnowledge
from knowledge.text import to_simplified

# (question, expected record, text the answer must contain): Simplified, Traditional, Cantonese.
ANSWERED = [
    # a single character synonyms.yml names (钱) is a word, not noise
    ("示范点每个社区有多少钱", "sz-demo-2014-amount", "15万元"),
    ("示範點每個社區有幾多錢", "sz-demo-2014-amount", "15万元"),
    ("示范点有冇钱攞", "sz-demo-2014-amount", "15万元"),
    # function words glued together (是从) say nothing; a source phrase (哪里出) names what is asked
    ("示范点资金是从哪里出的", "sz-demo-2014-amount", "福彩公益金"),
    ("示範點啲錢係邊個出", "sz-demo-2014-amount", "福彩公益金"),
    # a term group named only in question words (从什么时候到什么时候) counts as a word of the question
    ("示范点试点是从什么时候到什么时候", "sz-demo-2014-duration", "2015年11月"),
    ("示範點誰可以報", "sz-demo-2014-apply", "居委会牵头"),
    # a year names a document
    ("南山2012年都有哪些项目", "nanshan-2012-overview", "社区公益服务"),
    ("南山區2012年嘅項目有邊啲", "nanshan-2012-overview", "社区家园网"),
    ("南山盆景变风景十个项目分别叫什么", "nanshan-2012-overview", "和谐企业工作室"),
    ("福田2024需求目录包括哪些类别", "futian-2024-overview", "4个领域"),
    ("福田需求目錄包括邊幾類", "futian-2024-overview", "22项"),
    ("福田目录健全社会治理体系领域下面有哪些类别", "futian-2024-field-governance", "第3-10项"),
    ("福田目錄其他社會治理創新嗰個領域有咩", "futian-2024-field-other", "国防教育"),
    # service hours: what the sources say, from the right record
    ("做义工的时间是怎么安排的", "civil-affairs-plans-volunteer-time", "灵活选择"),
    ("做義工有冇固定時間", "civil-affairs-plans-volunteer-time", "灵活选择"),
    ("社区公益服务节假日几点到几点", "nanshan-2012-p10-hours", "9:00至12:00"),
    ("社區公益服務平日做幾個鐘", "nanshan-2012-p10-hours", "2小时"),
    ("社区服务中心必须提供哪几类服务", "nanshan-2012-p08-services", "四类"),
    ("社區服務中心要設邊啲房間", "nanshan-2012-p08-space", "阅览室"),
    # typos of voice input and pinyin keyboards
    ("低宝到哪里申请", "civil-affairs-plans-dibao-apply", "一窗通办"),
]

NOT_ANSWERED = [
    # no source states opening hours
    "社区服务中心几点钟开门",
    "社區服務中心開到幾點",
    # the volunteer-time record says the source states no fixed time, not that it states no pay
    "做义工每小时补贴多少钱",
    "義工一個鐘有幾多錢",
    # another year's catalogue: the 2024 record is a suggestion, not the answer
    "福田2025年需求目录有哪些类别",
    "福田2023年嘅需求目錄有咩",
]


@pytest.mark.parametrize(("question", "record_id", "fact"), ANSWERED)
def test_residents_questions_get_the_right_record(
    knowledge: PolicyKnowledge, question: str, record_id: str, fact: str
) -> None:
    # The NLU layer hands retrieval Simplified text; retrieval also copes with the Traditional itself.
    for text in (to_simplified(question), question):
        result = knowledge.retrieve(text)
        assert result.answer is not None, f"not answered: {text} ({result.confidence:.2f})"
        assert result.answer.record_id == record_id, text
        assert fact in result.answer.text


@pytest.mark.parametrize("question", NOT_ANSWERED)
def test_what_the_sources_do_not_say_is_not_answered(knowledge: PolicyKnowledge, question: str) -> None:
    result = knowledge.retrieve(to_simplified(question))
    assert result.answer is None
    assert result.confidence < knowledge.threshold


@pytest.mark.parametrize("question", ["福田2025年需求目录有哪些类别", "福田2023年嘅需求目錄有咩"])
def test_another_years_catalogue_is_offered_as_a_suggestion(
    knowledge: PolicyKnowledge, question: str
) -> None:
    assessment = knowledge.assess(to_simplified(question))
    assert assessment.guard == "year"
    assert "futian-2024-overview" in {t.record_id for t in knowledge.retrieve(question).suggestions}


@pytest.mark.parametrize(
    "question", ["南山2012年有什么项目", "示范点2015年10月底前交什么", "福田2024目录分几个领域"]
)
def test_a_year_the_record_holds_passes_the_year_guard(knowledge: PolicyKnowledge, question: str) -> None:
    assert knowledge.assess(question).guard == ""


def test_the_futian_overview_says_what_the_catalogue_covers(knowledge: PolicyKnowledge) -> None:
    text = knowledge.topic("futian-2024-overview").text
    for field in ("健全基层民主制度", "健全社会治理体系", "两企三新", "其他社会治理创新"):
        assert field in text
    assert "没有写" not in text  # what the catalogue lacks is the no-amounts record's answer


def test_the_nanshan_overview_lists_all_ten_projects(knowledge: PolicyKnowledge) -> None:
    text = knowledge.topic("nanshan-2012-overview").text
    projects = ("一核多元", "议事会", "楼栋长", "环保", "和谐企业", "孵化", "来深建设者", "社区服务中心")
    assert all(p in text for p in (*projects, "家园网", "社区公益服务"))


@pytest.mark.parametrize(
    "question", ["示范点资助是不是2000元", "社区服务中心要2000平米吗", "議事會要2000人先開得會"]
)
def test_a_quantity_is_not_a_year(knowledge: PolicyKnowledge, question: str) -> None:
    assert knowledge.assess(to_simplified(question)).guard != "year"
