"""Dates, times and availability hints, anchored on a fixed `now` (Monday 2026-11-23, Shenzhen)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from nlu.dates import cn_number, find_dates
from nlu.types import EntityKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))
D, T = EntityKind.DATE, EntityKind.TIME


def _found(text: str, now: datetime = NOW) -> list[tuple[EntityKind, str, str]]:
    entities = find_dates(text, now)
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert [e.start for e in entities] == sorted(e.start for e in entities)
    return [(e.kind, e.value, e.text) for e in entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relative days: Simplified, Traditional, Cantonese
        ("今天", [(D, "2026-11-23", "今天")]),
        ("明天", [(D, "2026-11-24", "明天")]),
        ("后天", [(D, "2026-11-25", "后天")]),
        ("大后天", [(D, "2026-11-26", "大后天")]),
        ("大後天", [(D, "2026-11-26", "大後天")]),
        ("昨天", [(D, "2026-11-22", "昨天")]),
        ("聽日得唔得閒", [(D, "2026-11-24", "聽日")]),
        ("琴日去咗", [(D, "2026-11-22", "琴日")]),
        ("後日", [(D, "2026-11-25", "後日")]),
        # weekdays
        ("下周三", [(D, "2026-12-02", "下周三")]),
        ("下週三", [(D, "2026-12-02", "下週三")]),
        ("下個禮拜三", [(D, "2026-12-02", "下個禮拜三")]),
        ("本周五", [(D, "2026-11-27", "本周五")]),
        ("呢個禮拜五", [(D, "2026-11-27", "呢個禮拜五")]),
        ("星期天", [(D, "2026-11-29", "星期天")]),
        ("周一", [(D, "2026-11-23", "周一")]),
        ("上周五", [(D, "2026-11-20", "上周五")]),
        ("下下周一", [(D, "2026-12-07", "下下周一")]),
        ("这个周末", [(D, "2026-11-28", "这个周末")]),
        ("下个周末", [(D, "2026-12-05", "下个周末")]),
        # calendar dates
        ("11月25日", [(D, "2026-11-25", "11月25日")]),
        ("11月25号", [(D, "2026-11-25", "11月25号")]),
        ("11月25號", [(D, "2026-11-25", "11月25號")]),
        ("2026-11-25", [(D, "2026-11-25", "2026-11-25")]),
        ("2026/11/25", [(D, "2026-11-25", "2026/11/25")]),
        ("2026年11月25日", [(D, "2026-11-25", "2026年11月25日")]),
        ("２０２６年１１月２５日", [(D, "2026-11-25", "２０２６年１１月２５日")]),
        ("十一月二十五日", [(D, "2026-11-25", "十一月二十五日")]),
        ("二〇二六年十二月一日", [(D, "2026-12-01", "二〇二六年十二月一日")]),
        ("25号", [(D, "2026-11-25", "25号")]),
        ("5号", [(D, "2026-12-05", "5号")]),
        ("20号", [(D, "2026-11-20", "20号")]),
        ("1月5日", [(D, "2027-01-05", "1月5日")]),
        ("11月1日", [(D, "2026-11-01", "11月1日")]),
        # times
        ("晚上7点半", [(T, "19:30", "晚上7点半")]),
        ("晚上七点半", [(T, "19:30", "晚上七点半")]),
        ("夜晚七點半", [(T, "19:30", "夜晚七點半")]),
        ("下晝三點", [(T, "15:00", "下晝三點")]),
        ("上午10点", [(T, "10:00", "上午10点")]),
        ("七点半", [(T, "07:30", "七点半")]),
        ("10点15分", [(T, "10:15", "10点15分")]),
        ("九点一刻", [(T, "09:15", "九点一刻")]),
        ("中午12点", [(T, "12:00", "中午12点")]),
        ("中午1点", [(T, "13:00", "中午1点")]),
        ("凌晨1点", [(T, "01:00", "凌晨1点")]),
        ("晚上12点", [(T, "00:00", "晚上12点")]),
        ("下午12点半", [(T, "12:30", "下午12点半")]),
        ("晚7点", [(T, "19:00", "晚7点")]),
        ("19:30", [(T, "19:30", "19:30")]),
        ("9:00-12:00", [(T, "09:00", "9:00"), (T, "12:00", "12:00")]),
        ("三点", [(T, "15:00", "三点")]),
        # dates with times
        ("明天下午3点", [(D, "2026-11-24", "明天"), (T, "15:00", "下午3点")]),
        ("下周三晚上7点半", [(D, "2026-12-02", "下周三"), (T, "19:30", "晚上7点半")]),
        ("今晚8点", [(D, "2026-11-23", "今晚"), (T, "20:00", "8点")]),
        ("聽日下晝三點半", [(D, "2026-11-24", "聽日"), (T, "15:30", "下晝三點半")]),
        ("11月25日上午9点", [(D, "2026-11-25", "11月25日"), (T, "09:00", "上午9点")]),
        # availability
        ("周末有空", [(D, "weekend", "周末")]),
        ("週末得閒", [(D, "weekend", "週末")]),
        ("工作日晚上", [(D, "weekday_evening", "工作日晚上")]),
        ("平日夜晚", [(D, "weekday_evening", "平日夜晚")]),
        ("下班后可以", [(D, "weekday_evening", "下班后")]),
        ("放工後", [(D, "weekday_evening", "放工後")]),
        ("工作日白天", [(D, "weekday_daytime", "工作日白天")]),
        ("工作日", [(D, "weekday", "工作日")]),
        ("周一到周五", [(D, "weekday", "周一到周五")]),
        ("节假日", [(D, "holiday", "节假日")]),
        ("工作日晚上7点以后", [(D, "weekday_evening", "工作日晚上"), (T, "19:00", "7点")]),
    ],
)
def test_dates_and_times(text: str, expected: list[tuple[EntityKind, str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "你好",
        "快一点",
        "一点点",
        "有点累",
        "有3点意见",
        "第三点",
        "住3号楼",
        "坐5号线",
        "2月30日",
        "13月5日",
        "32号",
        "25:00",
        "2026-02-30",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, NOW) == ()


def test_details() -> None:
    weekend, three = find_dates("这个周末三点", NOW)
    assert weekend.detail == "weekend"
    assert three.detail == "assumed_pm"
    (hint,) = find_dates("周末", NOW)
    assert hint.detail == "availability"


def test_naive_now_works() -> None:
    assert _found("明天", datetime(2026, 12, 31, 23, 0)) == [(D, "2027-01-01", "明天")]


def test_bare_weekday_is_next_occurrence() -> None:
    wednesday = datetime(2026, 11, 25, 9, 0)
    assert _found("周三", wednesday) == [(D, "2026-11-25", "周三")]
    assert _found("周二", wednesday) == [(D, "2026-12-01", "周二")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("25", 25),
        ("二十五", 25),
        ("十一", 11),
        ("十", 10),
        ("两", 2),
        ("三十一", 31),
        ("九", 9),
        ("十十", None),
        ("abc", None),
        ("", None),
    ],
)
def test_cn_number(text: str, value: int | None) -> None:
    assert cn_number(text) == value


def test_large_input() -> None:
    entities = find_dates("明天下午3点,下周三晚上7点半。" * 6000, NOW)
    assert len(entities) == 24000
    assert all(a.end <= b.start for a, b in itertools.pairwise(entities))
