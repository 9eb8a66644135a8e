"""Catalogue loading, the source-tied checks, and the cleaning of the Nanshan source."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

import knowledge.catalogue as catalogue_module
from knowledge.catalogue import (
    CATALOGUE_IDS,
    DemandItem,
    ProgrammeItem,
    ProjectItem,
    check_catalogues,
    cleaned_source,
    load_catalogue,
    load_lexicon,
)


def test_catalogue_sizes_and_contiguous_ids() -> None:
    expected = {"futian-2024": 22, "sz-demo-2014": 17, "nanshan-2012": 10}
    for catalogue_id in CATALOGUE_IDS:
        catalogue = load_catalogue(catalogue_id)
        ids = [item.item_id for item in catalogue.items]
        assert ids == [f"{catalogue_id}-{n:02d}" for n in range(1, expected[catalogue_id] + 1)]


def test_check_catalogues_passes_with_coverage() -> None:
    problems, coverage = check_catalogues()
    assert problems == []
    joined = "\n".join(coverage)
    assert "futian-2024: 22 items (futian-2024-01 .. futian-2024-22)" in joined
    assert "sz-demo-2014: 17 items" in joined
    assert "nanshan-2012: 10 items" in joined
    assert "eligibility sz-demo-2014: rules stated: yes" in joined
    assert "eligibility futian-2024: rules stated: no" in joined


@pytest.mark.parametrize(
    ("number", "field", "filled_down"),
    [
        (1, "健全基层民主制度", False),
        (2, "健全基层民主制度", True),
        (9, "健全社会治理体系", True),
        (12, "加强“两企三新”党建引领工作", True),
        (13, "加强“两企三新”党建引领工作", False),
        (22, "其他社会治理创新", True),
    ],
)
def test_futian_fields_are_filled_down(number: int, field: str, filled_down: bool) -> None:
    item = load_catalogue("futian-2024").items[number - 1]
    assert isinstance(item, DemandItem)
    assert (item.field, item.field_filled_down) == (field, filled_down)


def test_futian_item_content_and_citation() -> None:
    item = load_catalogue("futian-2024").item("futian-2024-12")
    assert isinstance(item, DemandItem)
    assert item.category == "加强新就业群体服务"
    assert item.need.startswith("针对快递员、外卖员权益保障不足")
    assert "<p>" not in item.need
    assert "新就业群体" in item.target_groups
    assert "普法讲座" in item.activities
    assert {"外卖小哥", "骑手"} & set(load_lexicon().group("新就业群体").aliases)
    assert item.citation.render() == "来源:《2024 年度福田区社会建设专项资金项目需求目录》序号 12(2024 年)"
    # The category text is verbatim, including the source's stray Traditional character.
    assert load_catalogue("futian-2024").item("futian-2024-22").title == "加强中小學生国防教育"


@pytest.mark.parametrize(
    ("number", "mandatory", "commercial"),
    [
        (1, True, False),
        (7, True, False),
        (8, False, False),
        (10, False, True),
        (15, False, True),
        (17, False, True),
    ],
)
def test_demonstration_items_flags(number: int, mandatory: bool, commercial: bool) -> None:
    item = load_catalogue("sz-demo-2014").items[number - 1]
    assert isinstance(item, ProgrammeItem)
    assert (item.mandatory, item.commercial) == (mandatory, commercial)
    assert item.field == ("原则上应纳入" if mandatory else "可选择纳入")


def test_demonstration_item_wording_and_citation() -> None:
    lottery = load_catalogue("sz-demo-2014").item("sz-demo-2014-17")
    assert isinstance(lottery, ProgrammeItem)
    assert (lottery.name, lottery.heading, lottery.revenue) == (
        "福彩公益金销售点开设",
        "福彩销售点开设",
        "取得销售收益",
    )
    assert lottery.citation.status == "征求意见稿"
    assert "2014 年征求意见稿" in lottery.citation.render()
    assert "附件2 项目申请表 序号 17" in lottery.citation.locator


def test_nanshan_items_cleaned_with_original_names() -> None:
    catalogue = load_catalogue("nanshan-2012")
    first = catalogue.item("nanshan-2012-01")
    assert isinstance(first, ProjectItem)
    assert (first.name, first.original_name) == ("“一核多元”社区治理", "“一核多元”社區治理")
    assert first.deadline == ("2012年12月底前",)
    assert first.lead_units == ("区委组织部", "各街道办事处")
    repaired = catalogue.item("nanshan-2012-04")
    assert isinstance(repaired, ProjectItem)
    assert repaired.original_name == "環保互動聯絡小組"
    last = catalogue.item("nanshan-2012-10")
    assert isinstance(last, ProjectItem)
    assert last.truncated and last.deadline == () and last.lead_units == ()


def test_nanshan_cleaned_source_has_no_pinyin_page_numbers_or_boilerplate() -> None:
    text = cleaned_source("nanshan-2012")
    assert text.startswith("南山区社会建设“盆景”变“风景”系列工程项目")
    assert "(xiàng)" not in text and "xiàng" not in text
    assert "温馨提示" not in text and "版权说明" not in text
    assert "环保互动联络小组" in text and "四点半学校”的管理与服务" in text
    # Page numbers glued to line starts are gone: 文\n3、竹園 joins to 文竹园.
    assert "招商街道文竹园社区" in text


def test_check_reports_text_not_in_source_and_unknown_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_catalogue("futian-2024")
    bad_item = dataclasses.replace(real.items[11], need=real.items[11].need + "每年资助99万元。")
    broken = dataclasses.replace(
        real, items=(real.items[0], real.items[0], *real.items[2:11], bad_item, *real.items[12:])
    )

    def fake_load(catalogue_id: str):  # type: ignore[no-untyped-def]
        return broken if catalogue_id == "futian-2024" else load_catalogue(catalogue_id)

    monkeypatch.setattr(catalogue_module, "load_catalogue", fake_load)
    problems, coverage = check_catalogues()
    joined = "\n".join(problems)
    assert "ids are not contiguous" in joined
    assert "duplicate ids" in joined
    assert "futian-2024-12: need not found in the cleaned source" in joined
    assert "futian-2024-12: number 99 is not in the source" in joined
    assert any("futian-2024" in line and "PROBLEMS" in line for line in coverage)


def test_schema_rejects_activity_not_quoted_from_need() -> None:
    row = {
        "id": "futian-2024-01",
        "number": 1,
        "field": "健全基层民主制度",
        "field_filled_down": False,
        "category": "类别",
        "need": "针对居民议事问题。",
        "target_groups": ["居民"],
        "activities": ["不在原文里的活动"],
        "keywords": ["议事", "协商", "自治"],
    }
    with pytest.raises(ValidationError, match="activities not quoted from need"):
        catalogue_module._DemandRow.model_validate(row)


def test_unknown_catalogue_raises() -> None:
    with pytest.raises(KeyError):
        load_catalogue("luohu-2030")


def test_lexicon_narrowing_covers_every_futian_group() -> None:
    lexicon = load_lexicon()
    covered = {g for choice in lexicon.narrowing_groups for g in choice.groups}
    used = {g for item in load_catalogue("futian-2024").items for g in item.target_groups}
    assert used <= covered
