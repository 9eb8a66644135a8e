"""All entities together: kinds, order, no overlapping spans between kinds, place gating."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from nlu.entities import extract_entities
from nlu.types import Entity, EntityKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))
K = EntityKind


def _extract(text: str) -> tuple[Entity, ...]:
    entities = extract_entities(text, now=NOW)
    _check_invariants(text, entities)
    return entities


def _check_invariants(text: str, entities: tuple[Entity, ...]) -> None:
    assert [e.start for e in entities] == sorted(e.start for e in entities)
    for e in entities:
        assert text[e.start : e.end] == e.text
        assert 0.0 <= e.score <= 1.0
    for a in entities:
        for b in entities:
            if a.kind is not b.kind:
                assert a.end <= b.start or b.end <= a.start, (a, b)


def _summary(entities: tuple[Entity, ...]) -> list[tuple[EntityKind, str, str]]:
    return [(e.kind, e.value, e.text) for e in entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我住在福田区莲花街道莲花北社区,家里有独居老人,电话13812345678,明天下午3点可以上门吗?",
            [
                (K.DISTRICT, "福田区", "福田区"),
                (K.STREET, "莲花街道", "莲花街道"),
                (K.COMMUNITY, "莲花北社区", "莲花北社区"),
                (K.TARGET_GROUP, "独居老人", "独居老人"),
                (K.PHONE, "+8613812345678", "13812345678"),
                (K.DATE, "2026-11-24", "明天"),
                (K.TIME, "15:00", "下午3点"),
            ],
        ),
        (
            "我住喺福田區蓮花街道蓮花北社區,屋企有獨居長者,電話 9123 4567,聽日下晝三點得唔得?",
            [
                (K.DISTRICT, "福田区", "福田區"),
                (K.STREET, "莲花街道", "蓮花街道"),
                (K.COMMUNITY, "莲花北社区", "蓮花北社區"),
                (K.TARGET_GROUP, "独居老人", "獨居長者"),
                (K.PHONE, "+85291234567", "9123 4567"),
                (K.DATE, "2026-11-24", "聽日"),
                (K.TIME, "15:00", "下晝三點"),
            ],
        ),
        ("请帮我查一下HR-20261123-0001的进度", [(K.CASE_REF, "HR-20261123-0001", "HR-20261123-0001")]),
        (
            "查下 hr 20261123 0001 同 VS202611240002",
            [
                (K.CASE_REF, "HR-20261123-0001", "hr 20261123 0001"),
                (K.CASE_REF, "VS-20261124-0002", "VS202611240002"),
            ],
        ),
        (
            "我系外賣仔,住喺坂田,週末得閒",
            [
                (K.TARGET_GROUP, "新就业群体", "外賣仔"),
                (K.STREET, "坂田街道", "坂田"),
                (K.DATE, "weekend", "週末"),
            ],
        ),
        (
            "我想报名做志愿者,工作日晚上7点以后有空",
            [(K.DATE, "weekday_evening", "工作日晚上"), (K.TIME, "19:00", "7点")],
        ),
        ("下周三晚上7点半", [(K.DATE, "2026-12-02", "下周三"), (K.TIME, "19:30", "晚上7点半")]),
        (
            "大鹏新区南澳街道的渔民",
            [(K.DISTRICT, "大鹏新区", "大鹏新区"), (K.STREET, "南澳街道", "南澳街道")],
        ),
        ("你好", []),
        ("光明的未来靠大家", []),
        ("招商政策有哪些", []),
    ],
)
def test_messages(text: str, expected: list[tuple[EntityKind, str, str]]) -> None:
    assert _summary(_extract(text)) == expected


def test_place_details_name_the_containing_units() -> None:
    entities = {e.kind: e for e in _extract("桃源街道桃源社区")}
    assert entities[K.STREET].detail == "南山区"
    assert entities[K.COMMUNITY].detail == "南山区 桃源街道"


# ------------------------------------------------------------ overlaps
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a case reference's digits are not a phone nor a date
        ("HR-20261123-0001", [(K.CASE_REF, "HR-20261123-0001", "HR-20261123-0001")]),
        ("HR 2026-11-23 0001", [(K.CASE_REF, "HR-20261123-0001", "HR 2026-11-23 0001")]),
        # a phone's digits are not a date
        ("2026-11-25见", [(K.DATE, "2026-11-25", "2026-11-25")]),
        ("13811251125", [(K.PHONE, "+8613811251125", "13811251125")]),
        ("0755-28253025", [(K.PHONE, "+8675528253025", "0755-28253025")]),
        # a date next to a phone
        (
            "2026-11-25 0755-83456789",
            [(K.DATE, "2026-11-25", "2026-11-25"), (K.PHONE, "+8675583456789", "0755-83456789")],
        ),
        (
            "11月25号打13812345678",
            [(K.DATE, "2026-11-25", "11月25号"), (K.PHONE, "+8613812345678", "13812345678")],
        ),
    ],
)
def test_no_overlap_between_kinds(text: str, expected: list[tuple[EntityKind, str, str]]) -> None:
    assert _summary(_extract(text)) == expected


def test_invalid_phone_is_reported_with_reason() -> None:
    (phone,) = _extract("我电话是1381234567")
    assert (phone.kind, phone.value, phone.score, phone.detail) == (
        K.PHONE,
        "",
        0.0,
        "手机号应为 11 位数字,您输入了 10 位",
    )


# -------------------------------------------------------------- places
def test_ambiguous_community_comes_back_once_per_candidate() -> None:
    communities = [e for e in _extract("我住凤凰社区") if e.kind is K.COMMUNITY]
    assert len(communities) == 6
    assert len({e.detail for e in communities}) == 6
    assert {(e.start, e.end, e.value) for e in communities} == {(2, 6, "凤凰社区")}


def test_street_settles_the_ambiguity() -> None:
    communities = [e for e in _extract("福永街道凤凰社区") if e.kind is K.COMMUNITY]
    assert [e.detail for e in communities] == ["宝安区 福永街道"]


@pytest.mark.parametrize(
    ("text", "value", "exact"),
    [
        ("我住梅林第一村社区", "梅林一村社区", False),  # fuzzy, above the entity cut-off
        ("我屋企喺華僑新村,想問下有冇義工服務", "华侨新村社区", False),  # bare community with a place hint
        ("华侨新村", "华侨新村社区", True),  # a short answer
    ],
)
def test_loose_community_matches_with_hint_or_short_text(text: str, value: str, exact: bool) -> None:
    (community,) = [e for e in _extract(text) if e.kind is K.COMMUNITY]
    assert community.value == value
    assert (community.score == 1.0) is exact


@pytest.mark.parametrize(
    "text",
    [
        "听说华侨新村那边的菜市场今天打折了,大家一起去看看吧",  # bare name in a long message, no hint
        "我住梅林一材社区",  # fuzzy similarity 0.75 is below the entity cut-off
    ],
)
def test_no_loose_community_without_hint_or_close_match(text: str) -> None:
    assert [e for e in _extract(text) if e.kind is K.COMMUNITY] == []


# ---------------------------------------------------------------- edges
@pytest.mark.parametrize("text", ["", " ", "\n\t"])
def test_empty(text: str) -> None:
    assert extract_entities(text, now=NOW) == ()


def test_default_now_is_used() -> None:
    (date,) = extract_entities("明天")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.value)


def test_large_input() -> None:
    unit = "我住福田区莲花北社区,电话13812345678,明天下午3点,HR-20261123-0001,独居老人。"
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    entities = extract_entities(text, now=NOW)
    assert len(entities) > 10_000
    _check_invariants(text[:2000], tuple(e for e in entities if e.end <= 2000))
    ends = [e.end for e in entities]
    assert max(ends) <= len(text)
