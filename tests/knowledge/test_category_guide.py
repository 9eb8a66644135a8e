"""The category guide: paraphrased descriptions to catalogue items, vague ones to one narrowing question."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.category_guide import FIELD_QUESTION, GROUP_QUESTION, CategoryGuide, GuideResult


@pytest.fixture(scope="module")
def guide() -> CategoryGuide:
    return CategoryGuide.load()


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # Simplified, the social workers' own words
        ("我们想帮外卖小哥维权", "futian-2024-12"),
        ("社区里独居老人很多,想做心理陪伴", "futian-2024-08"),
        ("想给港籍小朋友办活动", "futian-2024-18"),
        ("辖区有刑满释放人员需要帮扶", "futian-2024-19"),
        ("想请退伍军人给中小学生上国防课", "futian-2024-22"),
        ("骑手跑单经常出交通事故,想做安全培训", "futian-2024-12"),
        ("小区里邻居因为噪音天天吵架,想找人调解", "futian-2024-03"),
        ("想在社区办家长课堂", "futian-2024-10"),
        # Traditional
        ("想請退伍軍人給中小學生上國防課", "futian-2024-22"),
        ("社區裡獨居老人很多,想做心理陪伴", "futian-2024-08"),
        ("轄區有刑滿釋放人員需要幫扶", "futian-2024-19"),
        # Cantonese (written in Traditional)
        ("我哋想幫啲外賣仔維權", "futian-2024-12"),
        ("想同啲香港細路搞活動", "futian-2024-18"),
        ("屋企老人家一個人住,好孤獨", "futian-2024-08"),
        # a typo (邦 for 帮), caught by rapidfuzz
        ("帮扶安置邦教对象", "futian-2024-19"),
    ],
)
def test_paraphrased_descriptions_rank_the_right_item_first(
    guide: CategoryGuide, description: str, expected: str
) -> None:
    result = guide.rank(description)
    assert not result.vague
    assert result.matches[0].item_id == expected


def test_match_carries_reason_excerpt_field_and_citation(guide: CategoryGuide) -> None:
    match = guide.rank("我们想帮外卖小哥维权").matches[0]
    assert match.category == "加强新就业群体服务"
    assert match.field == "加强“两企三新”党建引领工作"
    assert match.need_excerpt.startswith("针对快递员、外卖员")
    assert "“外卖小哥”" in match.reason and "外卖员" in match.reason
    assert "新就业群体" in match.reason
    assert "\n" not in match.reason
    assert match.citation.render() == "来源:《2024 年度福田区社会建设专项资金项目需求目录》序号 12(2024 年)"
    assert 0 < match.score <= 1


def test_matches_are_best_first_and_at_most_k(guide: CategoryGuide) -> None:
    result = guide.rank("想做心理健康服务", k=2)
    assert len(result.matches) == 2
    assert result.matches[0].score >= result.matches[1].score
    assert {m.item_id for m in result.matches} <= {"futian-2024-07", "futian-2024-08", "futian-2024-09"}


@pytest.mark.parametrize(
    "description", ["我们想做个项目", "有什么可以申请的", "我哋想搞啲嘢", "我們想申請資金"]
)
def test_vague_description_asks_for_the_field(guide: CategoryGuide, description: str) -> None:
    result = guide.rank(description)
    assert result.vague and result.matches == ()
    assert result.narrowing_kind == "field"
    assert result.narrowing_question == FIELD_QUESTION
    assert result.narrowing == (
        "健全基层民主制度",
        "健全社会治理体系",
        "加强“两企三新”党建引领工作",
        "其他社会治理创新",
    )


def test_chosen_small_field_gives_its_items(guide: CategoryGuide) -> None:
    result = guide.rank("我们想做个项目", field="健全基层民主制度")
    assert not result.vague
    assert [m.item_id for m in result.matches] == ["futian-2024-01", "futian-2024-02"]
    assert all("属于所选领域“健全基层民主制度”" in m.reason for m in result.matches)


def test_chosen_large_field_asks_for_the_group_then_ranks(guide: CategoryGuide) -> None:
    first = guide.rank("我们想做个项目", field="社会治理")  # a short alias of 健全社会治理体系
    assert first.vague and first.narrowing_kind == "group"
    assert first.narrowing_question == GROUP_QUESTION
    assert "老年人" in first.narrowing and "港籍居民" not in first.narrowing
    second = guide.rank("我们想做个项目", field="健全社会治理体系", group="老年人")
    assert not second.vague
    assert [m.item_id for m in second.matches] == ["futian-2024-08"]
    assert "所选人群" in second.matches[0].reason


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("港籍居民", "futian-2024-18"),
        ("網絡主播", "futian-2024-13"),
        ("安置帮教和社区矫正对象", "futian-2024-19"),
    ],
)
def test_group_choice_alone_ranks_within_the_group(guide: CategoryGuide, group: str, expected: str) -> None:
    result = guide.rank("有什么可以申请的", group=group)
    assert not result.vague
    assert result.matches[0].item_id == expected


def test_group_narrows_a_specific_description(guide: CategoryGuide) -> None:
    result = guide.rank("想做心理辅导", group="青少年、学生和儿童")
    assert result.matches[0].item_id == "futian-2024-07"


@pytest.mark.parametrize(
    ("catalogue", "description", "expected"),
    [
        ("sz-demo-2014", "想在社区装快递柜", "sz-demo-2014-15"),
        ("sz-demo-2014", "想辦家長學校", "sz-demo-2014-04"),
        ("sz-demo-2014", "给独居老人装一键呼叫", "sz-demo-2014-06"),
        ("nanshan-2012", "想搞个楼长制度", "nanshan-2012-03"),
        ("nanshan-2012", "工业园区劳资纠纷多", "nanshan-2012-05"),
        ("nanshan-2012", "孵化社會組織", "nanshan-2012-06"),
    ],
)
def test_other_catalogues(guide: CategoryGuide, catalogue: str, description: str, expected: str) -> None:
    result = guide.rank(description, catalogue=catalogue)
    assert result.catalogue == catalogue
    assert result.matches[0].item_id == expected


def test_nanshan_vague_narrows_by_group(guide: CategoryGuide) -> None:
    result = guide.rank("我们想做个项目", catalogue="nanshan-2012")
    assert result.vague and result.narrowing_kind == "group"
    assert "来深建设者和困难群众" in result.narrowing


def test_a_group_unknown_to_the_catalogue_is_vague_not_a_wrong_match(guide: CategoryGuide) -> None:
    # 楼道 and 居民 name nothing specific in the Futian catalogue.
    assert guide.rank("居民楼道堆放杂物").vague


def test_unknown_catalogue_raises(guide: CategoryGuide) -> None:
    with pytest.raises(KeyError):
        guide.rank("想帮外卖小哥", catalogue="luohu-2030")


def test_results_are_frozen(guide: CategoryGuide) -> None:
    result = guide.rank("想帮外卖小哥")
    assert isinstance(result, GuideResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.vague = True  # type: ignore[misc]
