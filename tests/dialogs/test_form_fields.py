"""Form answers as residents give them: spoken digits, districts, estates, names (QA round)."""

from __future__ import annotations

import pytest

from dialogs.forms.fields import (
    looks_like_address,
    masked_text,
    name_in,
    name_said,
    validate_community,
    validate_phone,
)


@pytest.mark.parametrize(
    ("text", "e164"),
    [("一三九一二三四五六七八", "+8613912345678"), ("我電話係九一二三四五六七", "+85291234567")],
)
def test_a_phone_spoken_digit_by_digit_is_valid(interpreter, text: str, e164: str) -> None:  # type: ignore[no-untyped-def]
    assert validate_phone(text, interpreter.parse(text)).value == e164


@pytest.mark.parametrize(
    ("text", "problem"),
    [("1391234567", "11 位"), ("我姓李", "没有看到电话号码")],
)
def test_a_bad_phone_is_told_once_what_to_type(interpreter, text: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    said = validate_phone(text, interpreter.parse(text)).problem or ""
    assert problem in said and said.count("例如") == 1


@pytest.mark.parametrize("text", ["福田", "南山", "沙头角"])
def test_a_bare_name_shared_with_a_district_or_street_is_confirmed(interpreter, text: str) -> None:  # type: ignore[no-untyped-def]
    check = validate_community(text, interpreter.parse(text))
    assert check.value is None and check.confirm is not None and check.confirm.endswith("社区")


@pytest.mark.parametrize(
    ("text", "district"), [("福田区", "福田区"), ("福田區", "福田区"), ("我住南山区", "南山区")]
)
def test_a_district_alone_asks_for_the_street_or_community(interpreter, text: str, district: str) -> None:  # type: ignore[no-untyped-def]
    check = validate_community(text, interpreter.parse(text))
    assert check.problem is not None and check.problem.startswith(f"{district}有很多社区")


@pytest.mark.parametrize("text", ["福田社区", "莲花北", "蓮花北社區"])
def test_a_community_said_as_one_is_taken(interpreter, text: str) -> None:  # type: ignore[no-untyped-def]
    assert validate_community(text, interpreter.parse(text)).value is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("碧海花园", True),
        ("碧海花園", True),
        ("我住喺幸福里", True),
        ("我姓李", False),
        ("不急", False),
        ("就是13912345678", False),
        ("1 3", False),
    ],
)
def test_looks_like_address(interpreter, text: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert looks_like_address(interpreter.parse(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("名字写错了,是陈大姐", "陈大姐"),
        ("称呼改成陈姐", "陈姐"),
        ("名字錯咗,係陳大姐", "陳大姐"),  # kept as written
        ("名字写错了,是陈大姐。", "陈大姐"),
        ("电话写错了,是13800138000", None),
        ("社区说错了,是新洲社区", None),
    ],
)
def test_name_in_a_correction(interpreter, text: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    assert name_in(interpreter.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("我姓李", "李"), ("叫我陈姐就行", "陈姐"), ("我叫陳大文", "陳大文"), ("我想找人帮忙", None)],
)
def test_a_name_said_unasked(interpreter, text: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    assert name_said(interpreter.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("老人摔倒了 我电话13912345678", "老人摔倒了 我电话139****5678"),
        ("有事打 9123 4567 搵我", "有事打 ****4567 搵我"),
        ("没有号码", "没有号码"),
    ],
)
def test_a_phone_in_free_text_is_masked_for_the_summary(text: str, expected: str) -> None:
    assert masked_text(text) == expected
