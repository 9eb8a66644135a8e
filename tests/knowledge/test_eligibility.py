"""Eligibility rules as data: asking for missing facts, reading answers, and the reports."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import knowledge.eligibility as eligibility
from knowledge.eligibility import (
    ConditionStatus,
    EligibilityProgramme,
    FactKind,
    FactQuestion,
    Outcome,
    check_programme,
    evaluate,
    list_programmes,
    load_programme,
    next_question,
    parse_answer,
)

QUALIFYING = {
    "has_site": "yes",
    "residents_agree": "yes",
    "centre_months": "18",
    "item_count": "12",
    "lottery_for_commercial": "no",
    "district": "南山",
}

YES_NO = FactQuestion("has_site", "社区有没有场地?", FactKind.YES_NO)
MONTHS = FactQuestion("centre_months", "运营多久了?", FactKind.NUMBER, unit="个月")
ITEMS = FactQuestion("item_count", "选多少项?", FactKind.NUMBER, unit="项")
DISTRICT = FactQuestion(
    "district", "哪个区?", FactKind.CHOICE, choices=("福田", "罗湖", "南山", "龙华", "大鹏")
)


@pytest.fixture(scope="module")
def demo() -> EligibilityProgramme:
    return load_programme("sz-demo-2014")


def test_programmes_listed() -> None:
    assert list_programmes() == ("futian-2024", "sz-demo-2014")


@pytest.mark.parametrize("programme_id", ["futian-2024", "sz-demo-2014"])
def test_programme_quotes_and_numbers_trace_to_the_source(programme_id: str) -> None:
    assert check_programme(programme_id) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是", "yes"),
        ("有", "yes"),
        ("对", "yes"),
        ("1", "yes"),
        ("係", "yes"),
        ("有嘅", "yes"),
        ("是的,有一个活动室", "yes"),
        ("有,不过还在装修", "yes"),
        ("没问题", "yes"),
        ("對", "yes"),
        ("没有", "no"),
        ("沒有", "no"),
        ("不是", "no"),
        ("2", "no"),
        ("冇", "no"),
        ("唔係", "no"),
        ("还没有", "no"),
        ("不知道", None),
        ("唔知", None),
        ("今天天气很好", None),
        ("", None),
    ],
)
def test_parse_yes_no(text: str, expected: str | None) -> None:
    assert parse_answer(YES_NO, text) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (MONTHS, "18个月", "18"),
        (MONTHS, "6个月", "6"),
        (MONTHS, "半年", "6"),
        (MONTHS, "两年", "24"),
        (MONTHS, "兩年", "24"),
        (MONTHS, "一年半", "18"),
        (MONTHS, "2年3个月", "27"),
        (MONTHS, "运营了一年多", "12"),
        (MONTHS, "十八個月", "18"),
        (ITEMS, "十二项", "12"),
        (ITEMS, "12", "12"),
        (ITEMS, "打算选二十项左右", "20"),
        (ITEMS, "十项", "10"),
        (ITEMS, "还没想好", None),
    ],
)
def test_parse_numbers(question: FactQuestion, text: str, expected: str | None) -> None:
    assert parse_answer(question, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("南山", "南山"),
        ("南山区", "南山"),
        ("3", "南山"),
        ("第二个", "罗湖"),
        ("羅湖區", "罗湖"),
        ("龍華", "龙华"),
        ("大鵬新區", "大鹏"),
        ("北京", None),
    ],
)
def test_parse_district(text: str, expected: str | None) -> None:
    assert parse_answer(DISTRICT, text) == expected


def test_questions_are_asked_one_at_a_time_only_for_missing_facts(demo: EligibilityProgramme) -> None:
    assert next_question(demo, {}).fact_id == "has_site"  # type: ignore[union-attr]
    facts = {"has_site": "yes", "centre_months": "18"}
    assert next_question(demo, facts).fact_id == "residents_agree"  # type: ignore[union-attr]
    facts |= {"residents_agree": "no", "item_count": "abc"}  # not a number: asked again
    assert next_question(demo, facts).fact_id == "item_count"  # type: ignore[union-attr]
    assert next_question(demo, QUALIFYING) is None


def test_district_question_offers_numbered_choices(demo: EligibilityProgramme) -> None:
    prompt = demo.fact("district").prompt()
    assert "1. 福田" in prompt and "9. 龙华" in prompt and "10. 大鹏" in prompt
    assert demo.fact("has_site").prompt().endswith("1. 是\n2. 否")


def test_a_full_conversation_drives_the_engine(demo: EligibilityProgramme) -> None:
    replies = iter(["有的", "係,居民代表都同意", "兩年", "十二项", "冇", "南山区"])
    facts: dict[str, str] = {}
    while (question := next_question(demo, facts)) is not None:
        answer = parse_answer(question, next(replies))
        assert answer is not None
        facts[question.fact_id] = answer
    assert facts == QUALIFYING | {"centre_months": "24"}
    assert evaluate(demo, facts).outcome is Outcome.ELIGIBLE


def test_qualifying_community(demo: EligibilityProgramme) -> None:
    report = evaluate(demo, QUALIFYING)
    assert report.outcome is Outcome.ELIGIBLE
    assert set(report.statuses().values()) == {ConditionStatus.MET}
    text = report.render()
    assert "符合全部 6 项申报条件" in text
    assert "2014 年征求意见稿" in text
    assert "每个示范点原则上由福彩公益金资助 15 万元" in text
    assert "1:1" in text
    assert "南山区的试点社区名额为 10 个" in text
    assert "全市最后确定 100 个左右的示范点" in text
    assert "由居委会牵头,会同所在社区服务中心,向街道办提出申请" in text
    assert "请向所在街道办确认现在是否有新一轮申报" in text
    assert "2014 年 11 月至 2015 年 11 月" in text
    assert "一、申报条件(三)" in text


def test_centre_operating_six_months_fails_one_condition(demo: EligibilityProgramme) -> None:
    report = evaluate(demo, QUALIFYING | {"centre_months": "6"})
    assert report.outcome is Outcome.NOT_ELIGIBLE
    statuses = report.statuses()
    assert statuses["centre_year"] is ConditionStatus.NOT_MET
    assert [c for c, s in statuses.items() if s is not ConditionStatus.MET] == ["centre_year"]
    failed = next(c for c in report.conditions if c.condition_id == "centre_year")
    assert "6 个月" in failed.explanation and "运营一年以上" in failed.explanation
    assert failed.citation.locator == "一、申报条件(三)"
    assert failed.citation.title == "深圳市“社区建设示范点”项目选择及管理实施细则"
    assert "有 1 项不符合:社区服务中心运营一年以上" in report.summary


@pytest.mark.parametrize(
    ("change", "condition"),
    [
        ({"item_count": "8"}, "items"),
        ({"lottery_for_commercial": "yes"}, "commercial"),
        ({"residents_agree": "no"}, "residents"),
        ({"has_site": "no"}, "site"),
    ],
)
def test_each_condition_can_fail(demo: EligibilityProgramme, change: dict[str, str], condition: str) -> None:
    report = evaluate(demo, QUALIFYING | change)
    assert report.outcome is Outcome.NOT_ELIGIBLE
    assert report.statuses()[condition] is ConditionStatus.NOT_MET


def test_commercial_items_are_not_funded_by_the_lottery_fund(demo: EligibilityProgramme) -> None:
    report = evaluate(demo, QUALIFYING | {"lottery_for_commercial": "yes"})
    failed = next(c for c in report.conditions if c.condition_id == "commercial")
    assert "不能用福彩公益金资助" in failed.explanation
    assert failed.citation.locator == "四、项目资金的预算及用途"


def test_unknown_facts_leave_conditions_unknown(demo: EligibilityProgramme) -> None:
    report = evaluate(demo, {"has_site": "yes", "centre_months": "13"})
    assert report.outcome is Outcome.INCOMPLETE
    statuses = report.statuses()
    assert statuses["site"] is ConditionStatus.MET and statuses["centre_year"] is ConditionStatus.MET
    assert (
        statuses["residents"] is ConditionStatus.UNKNOWN
        and statuses["district_listed"] is ConditionStatus.UNKNOWN
    )
    assert "还有 4 项需要确认" in report.summary
    # Without a district, every district's quota is listed (龙华 and 大鹏 included).
    text = report.render()
    assert "福田10、罗湖10、南山10、盐田6、宝安17、龙岗17、光明7、坪山7、龙华10、大鹏6" in text
    assert "? 未知" in text


def test_district_quotas_as_declared(demo: EligibilityProgramme) -> None:
    quotas = dict(demo.district_quota)
    assert quotas["龙华"] == 10 and quotas["大鹏"] == 6 and quotas["宝安"] == 17
    assert len(quotas) == 10 and demo.quota_total == 100


def test_futian_states_no_rules_and_shows_the_fit() -> None:
    futian = load_programme("futian-2024")
    assert not futian.rules_stated and futian.conditions == ()
    question = next_question(futian, {})
    assert question is not None and question.kind is FactKind.TEXT
    report = evaluate(futian, {"description": "我们想帮外卖小哥维权"})
    assert report.outcome is Outcome.NO_RULES
    assert report.matches[0].item_id == "futian-2024-12"
    text = report.render()
    assert "没有写明申报条件" in text
    assert "加强新就业群体服务" in text
    assert "(一般建议,原文未规定)" in text
    assert "按它的“项目需求”写项目方案" in text


def test_futian_vague_description_gets_the_narrowing_question() -> None:
    report = evaluate(load_programme("futian-2024"), {"description": "我们想做个项目"})
    assert report.matches == ()
    assert report.narrowing and "哪个领域" in report.narrowing_question
    assert "健全社会治理体系" in report.render()


def test_unknown_programme_raises() -> None:
    with pytest.raises(KeyError):
        load_programme("luohu-2030")


def test_schema_rejects_a_condition_on_an_undeclared_fact() -> None:
    raw = eligibility._read_yaml(eligibility.PROGRAMME_DIR / "sz-demo-2014.yaml")
    assert isinstance(raw, dict)
    raw["conditions"][0]["fact"] = "no_such_fact"
    with pytest.raises(ValidationError, match="unknown fact"):
        eligibility._ProgrammeFile.model_validate(raw)


def test_schema_rejects_numbers_in_general_advice() -> None:
    with pytest.raises(ValidationError, match="numbers must come from a source"):
        eligibility._PrepareRow.model_validate({"text": "一般需要 3 份材料", "basis": "general"})
