"""The Shenzhen gazetteer: generated CSV, supplementary districts and matching."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from nlu.places import (
    EXTRA_YML,
    GAZETTEER_CSV,
    Gazetteer,
    PlaceMatch,
    load_gazetteer,
    read_places,
    read_rules,
    resolve_community,
)

DISTRICTS = {"罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "盐田区", "龙华区", "坪山区", "光明区"}
SUFFIXES = ("社区", "街道", "居委会", "居委", "委员会")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with GAZETTEER_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def _levels(rows: list[dict[str, str]], level: str) -> list[dict[str, str]]:
    return [r for r in rows if r["level"] == level]


# ---------------------------------------------------------------- the CSV
def test_csv_has_every_administrative_district(rows: list[dict[str, str]]) -> None:
    assert {r["name"] for r in _levels(rows, "district")} == DISTRICTS


def test_csv_counts_are_plausible(rows: list[dict[str, str]]) -> None:
    # Shenzhen has 74 streets; the 2023 statistical codes list 783 community-level committees.
    assert len(_levels(rows, "street")) == 74
    assert 650 <= len(_levels(rows, "community")) <= 800


def test_csv_is_sorted_unique_and_consistent(rows: list[dict[str, str]]) -> None:
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    streets = {r["name"]: r["district"] for r in _levels(rows, "street")}
    for row in rows:
        assert row["code"].startswith("4403")
        assert row["short_name"] and not row["short_name"].endswith(SUFFIXES)
        assert row["district"] in DISTRICTS
        if row["level"] == "community":
            assert streets[row["street"]] == row["district"]
            assert row["code"].startswith(next(r["code"] for r in rows if r["name"] == row["street"]))


def test_csv_leaves_out_statistical_units(rows: list[dict[str, str]]) -> None:
    names = {r["name"] for r in rows}
    assert not any(n.endswith("虚拟社区") or "保税区" in n or "机场" in n for n in names)
    assert all(r["name"].endswith("街道") for r in _levels(rows, "street"))


def test_places_merge_residents_committees_into_one_community(gazetteer: Gazetteer) -> None:
    yangmei = [p for p in gazetteer.places if p.short_name == "杨美"]
    assert len(yangmei) == 1
    assert (yangmei[0].name, yangmei[0].street) == ("杨美社区", "坂田街道")


def test_supplementary_dapeng_is_a_functional_area(gazetteer: Gazetteer) -> None:
    dapeng = next(p for p in gazetteer.places if p.name == "大鹏新区")
    assert dapeng.level == "district"
    assert dapeng.code.startswith("X-")
    nanao = next(p for p in gazetteer.places if p.name == "南澳街道")
    assert nanao.district == "龙岗区"
    assert "大鹏新区" in nanao.within


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "functional_areas:\n  - {code: X-BAD, name: 大鹏新区, short_name: 大鹏, administrative_district: 福田区, streets: [南澳街道]}\n",
            "is not a street of 福田区",
        ),
        (
            "functional_areas:\n  - {code: X-BAD, name: 福田区, short_name: 福田, administrative_district: 福田区, streets: [福田街道]}\n",
            "already in",
        ),
        (
            "functional_areas:\n  - {code: 440399, name: 某新区, short_name: 某, administrative_district: 福田区, streets: [福田街道]}\n",
            "code",
        ),
    ],
)
def test_supplementary_file_is_validated(tmp_path: Path, yaml_text: str, message: str) -> None:
    extra = tmp_path / "extra.yml"
    extra.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_places(GAZETTEER_CSV, extra)


def test_shipped_supplementary_file_loads() -> None:
    assert any(p.name == "大鹏新区" for p in read_places(GAZETTEER_CSV, EXTRA_YML))


def test_rules_file_orders_anchors_longest_first() -> None:
    anchors = read_rules().fuzzy_anchors
    assert list(anchors) == sorted(anchors, key=len, reverse=True)


# ------------------------------------------------------------- exact match
def _summary(matches: tuple[PlaceMatch, ...]) -> list[tuple[str, str, str, bool]]:
    return [(m.level, m.name, m.street, m.exact) for m in matches]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("莲花北社区", [("community", "莲花北社区", "莲花街道", True)]),
        ("莲花北社区居委会", [("community", "莲花北社区", "莲花街道", True)]),
        ("莲花北", [("community", "莲花北社区", "莲花街道", True)]),
        ("蓮花北社區", [("community", "莲花北社区", "莲花街道", True)]),
        ("住喺蓮花北", [("community", "莲花北社区", "莲花街道", True)]),
        ("梅林一村社区", [("community", "梅林一村社区", "梅林街道", True)]),
        ("莲花1村", [("community", "莲花一村社区", "华富街道", True)]),
        (
            "桃源街道桃源社区",
            [("street", "桃源街道", "", True), ("community", "桃源社区", "桃源街道", True)],
        ),
        (
            "西乡街道桃源社区",
            [("street", "西乡街道", "", True), ("community", "桃源社区", "西乡街道", True)],
        ),
        (
            "我住在福田区莲花街道莲花北社区",
            [
                ("district", "福田区", "", True),
                ("street", "莲花街道", "", True),
                ("community", "莲花北社区", "莲花街道", True),
            ],
        ),
        (
            "我住在下沙社区,沙头街道",
            [("community", "下沙社区", "沙头街道", True), ("street", "沙头街道", "", True)],
        ),
        ("大鹏新区南澳街道", [("district", "大鹏新区", "", True), ("street", "南澳街道", "", True)]),
        ("深圳市龍崗區坂田街道", [("district", "龙岗区", "", True), ("street", "坂田街道", "", True)]),
        ("杨美社区嘉丽园居委会", [("community", "杨美社区", "坂田街道", True)]),
    ],
)
def test_exact_matches(gazetteer: Gazetteer, text: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert _summary(gazetteer.match(text, limit=5)) == expected


@pytest.mark.parametrize(
    "text", ["光明的未来", "招商政策咨询", "世外桃源", "小区东门见", "葵涌货柜码头", "深圳大学的学生", ""]
)
def test_common_words_are_not_places_inside_sentences(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.match(text) == ()


@pytest.mark.parametrize(("text", "name"), [("光明", "光明区"), ("福田", "福田区"), ("我住在光明", "光明区")])
def test_a_whole_answer_matches_even_a_common_word(gazetteer: Gazetteer, text: str, name: str) -> None:
    first = gazetteer.match(text)[0]
    assert (first.name, first.exact, first.score) == (name, True, 1.0)


def test_bare_community_inside_a_sentence_needs_confirming(gazetteer: Gazetteer) -> None:
    (m,) = gazetteer.match("我家在华侨新村那边的楼")
    assert (m.name, m.exact, m.score) == ("华侨新村社区", False, 0.9)


def test_spans_index_the_given_text(gazetteer: Gazetteer) -> None:
    text = "请问 福田区 莲花北社区 怎么走"
    for m in gazetteer.match(text, limit=5):
        assert text[m.start : m.end] == m.text


# --------------------------------------------------------------- ambiguity
@pytest.mark.parametrize(
    ("text", "count"), [("凤凰社区", 6), ("下沙社区", 2), ("桃源社区", 2), ("花果山社区", 2)]
)
def test_same_name_communities_come_back_separately(gazetteer: Gazetteer, text: str, count: int) -> None:
    matches = gazetteer.match(text, limit=1)
    assert len(matches) == count
    assert all(m.level == "community" and m.exact for m in matches)
    assert len({(m.district, m.street) for m in matches}) == count
    assert len({m.code for m in matches}) == count


def test_street_in_the_text_settles_an_ambiguous_community(gazetteer: Gazetteer) -> None:
    communities = [m for m in gazetteer.match("福永街道凤凰社区", limit=5) if m.level == "community"]
    assert [(m.district, m.street) for m in communities] == [("宝安区", "福永街道")]


def test_district_in_the_text_settles_an_ambiguous_community(gazetteer: Gazetteer) -> None:
    communities = [m for m in gazetteer.match("光明区凤凰社区", limit=5) if m.level == "community"]
    assert [(m.district, m.street) for m in communities] == [("光明区", "凤凰街道")]


def test_whole_answer_shared_by_street_and_communities(gazetteer: Gazetteer) -> None:
    matches = gazetteer.match("凤凰")
    assert matches[0].level == "street"
    assert sum(m.level == "community" for m in matches) == 6


# ------------------------------------------------------------------ fuzzy
@pytest.mark.parametrize(
    ("text", "name", "street"),
    [
        ("梅林一材社区", "梅林一村社区", "梅林街道"),
        ("我住梅林一材社区", "梅林一村社区", "梅林街道"),
        ("莲化北社区", "莲花北社区", "莲花街道"),
        ("蓮化北社區", "莲花北社区", "莲花街道"),
        ("梅林第一村", "梅林一村社区", "梅林街道"),
        ("住喺星海明城小區", "星海名城社区", "南头街道"),
    ],
)
def test_fuzzy_community_matches_are_not_exact(
    gazetteer: Gazetteer, text: str, name: str, street: str
) -> None:
    m = next(m for m in gazetteer.match(text) if m.level == "community")
    assert (m.name, m.street, m.exact) == (name, street, False)
    assert 0.6 < m.score < 1.0


@pytest.mark.parametrize("text", ["你好", "我想报名做志愿者", "今天天气很好社区", "abc社区"])
def test_no_fuzzy_match_for_unrelated_text(gazetteer: Gazetteer, text: str) -> None:
    assert [m for m in gazetteer.match(text) if m.level == "community"] == []


# ----------------------------------------------------------- resolve / size
@pytest.mark.parametrize(
    ("text", "name", "exact"),
    [
        ("莲花北", "莲花北社区", True),
        ("我住在桃源街道桃源社区", "桃源社区", True),
        ("梅林一材社区", "梅林一村社区", False),
        ("凤凰社区", "凤凰社区", False),
    ],
)
def test_resolve_community(text: str, name: str, exact: bool) -> None:
    m = resolve_community(text)
    assert m is not None
    assert (m.name, m.exact) == (name, exact)


@pytest.mark.parametrize("text", ["", "你好", "福田区", "莲花街道"])
def test_resolve_community_without_a_community(text: str) -> None:
    assert resolve_community(text) is None


def test_large_input(gazetteer: Gazetteer) -> None:
    text = ("今天去了福田区莲花北社区活动中心,见到很多老人。" * 4000)[:100_000]
    assert len(gazetteer.match(text, limit=3)) >= 3
    found = gazetteer.find(text, loose=False)
    assert len(found) >= 4000
    assert all(a.end <= b.start for a, b in itertools.pairwise(found) if a.start != b.start)


def test_find_keeps_the_district_of_a_bare_shared_name(gazetteer: Gazetteer) -> None:
    assert [(m.level, m.name) for m in gazetteer.find("去福田办事", loose=False)] == [("district", "福田区")]
