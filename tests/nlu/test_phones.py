"""Phone numbers: validation with Chinese reasons, and candidates in free text."""

from __future__ import annotations

import pytest

from nlu.phones import check_phone, find_phones, mask_phone
from nlu.types import EntityKind


@pytest.mark.parametrize(
    ("text", "e164", "kind"),
    [
        ("13812345678", "+8613812345678", "cn_mobile"),
        ("138 1234 5678", "+8613812345678", "cn_mobile"),
        ("138-1234-5678", "+8613812345678", "cn_mobile"),
        ("+86 138 1234 5678", "+8613812345678", "cn_mobile"),
        ("+8613812345678", "+8613812345678", "cn_mobile"),
        ("86 13812345678", "+8613812345678", "cn_mobile"),
        ("0086-13812345678", "+8613812345678", "cn_mobile"),
        ("１３８１２３４５６７８", "+8613812345678", "cn_mobile"),
        ("＋８６ １３８－１２３４－５６７８", "+8613812345678", "cn_mobile"),
        ("19912345678", "+8619912345678", "cn_mobile"),
        ("我的电话是138 1234 5678", "+8613812345678", "cn_mobile"),
        ("電話:13812345678", "+8613812345678", "cn_mobile"),
        ("91234567", "+85291234567", "hk"),
        ("9123 4567", "+85291234567", "hk"),
        ("+852 9123 4567", "+85291234567", "hk"),
        ("852 91234567", "+85291234567", "hk"),
        ("(852) 6123-4567", "+85261234567", "hk"),
        ("（852）51234567", "+85251234567", "hk"),
        ("00852 6123 4567", "+85261234567", "hk"),
        ("21234567", "+85221234567", "hk"),
        ("+852 3123 4567", "+85231234567", "hk"),
        ("我嘅電話係 9123 4567", "+85291234567", "hk"),
        ("0755-83456789", "+8675583456789", "cn_landline"),
        ("0755 8345 6789", "+8675583456789", "cn_landline"),
        ("(0755)83456789", "+8675583456789", "cn_landline"),
        ("+86 755 8345 6789", "+8675583456789", "cn_landline"),
        ("020-12345678", "+862012345678", "cn_landline"),
    ],
)
def test_valid_numbers(text: str, e164: str, kind: str) -> None:
    result = check_phone(text)
    assert (result.valid, result.e164, result.kind, result.reason) == (True, e164, kind, "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1381234567", "手机号应为 11 位数字,您输入了 10 位"),
        ("138123456789", "手机号应为 11 位数字,您输入了 12 位"),
        ("138 1234 567", "手机号应为 11 位数字,您输入了 10 位"),
        ("+86 1381234567", "手机号应为 11 位数字,您输入了 10 位"),
        ("12345678901", "这个号码不是有效的手机号段"),
        ("10012345678", "这个号码不是有效的手机号段"),
        ("0755-8345678", "深圳固话应为 0755 加 8 位号码,您输入了 7 位"),
        ("0755-834567", "深圳固话应为 0755 加 8 位号码,您输入了 6 位"),
        ("0755-834567890", "深圳固话应为 0755 加 8 位号码,您输入了 9 位"),
        ("138abcd5678", "号码里不能有字母或符号,请只输入数字"),
        ("1381234567a", "号码里不能有字母或符号,请只输入数字"),
        ("tel 13812345678 or 13912345678", "号码里不能有字母或符号,请只输入数字"),
        ("", "没有看到号码,请输入电话号码"),
        ("没有电话", "没有看到号码,请输入电话号码"),
        ("冇電話", "没有看到号码,请输入电话号码"),
        ("+852 9123 456", "香港号码应为 8 位数字,您输入了 7 位"),
        ("+852 4123 4567", "香港号码应以 2、3、5、6、7 或 9 开头"),
        ("83456789", "固定电话请加上区号,例如 0755-83456789"),
        ("+1 415 555 2671", "目前只能登记内地或香港的电话号码"),
        ("45678", "电话号码位数不对:手机号 11 位,香港号码 8 位,深圳固话 0755 加 8 位;您输入了 5 位"),
    ],
)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    result = check_phone(text)
    assert (result.valid, result.e164, result.kind, result.reason) == (False, None, None, reason)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("电话13812345678,谢谢", [("+8613812345678", "13812345678")]),
        ("电话:138-1234-5678", [("+8613812345678", "138-1234-5678")]),
        ("電話：１３８１２３４５６７８", [("+8613812345678", "１３８１２３４５６７８")]),
        (
            "打我手机 +86 138 1234 5678 或者香港(852)9123-4567",
            [("+8613812345678", "+86 138 1234 5678"), ("+85291234567", "(852)9123-4567")],
        ),
        ("我嘅電話係 9123 4567,唔該", [("+85291234567", "9123 4567")]),
        ("13812345678 13912345678", [("+8613812345678", "13812345678"), ("+8613912345678", "13912345678")]),
        ("办公室 0755-83456789", [("+8675583456789", "0755-83456789")]),
        ("call 0755-83456789 please", [("+8675583456789", "0755-83456789")]),
        ("HK 9123 4567", [("+85291234567", "9123 4567")]),
        ("2026-11-25 0755-83456789", [("+8675583456789", "0755-83456789")]),
    ],
)
def test_find_valid_phones(text: str, found: list[tuple[str, str]]) -> None:
    entities = find_phones(text)
    assert [(e.value, e.text) for e in entities] == found
    for e in entities:
        assert e.kind is EntityKind.PHONE
        assert e.score == 1.0 and e.detail in {"cn_mobile", "hk", "cn_landline"}
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("text", "span", "reason"),
    [
        ("我电话是1381234567", "1381234567", "手机号应为 11 位数字,您输入了 10 位"),
        ("電話 138 1234 567 唔該", "138 1234 567", "手机号应为 11 位数字,您输入了 10 位"),
        ("号码12345678901", "12345678901", "这个号码不是有效的手机号段"),
        ("固话0755-8345678", "0755-8345678", "深圳固话应为 0755 加 8 位号码,您输入了 7 位"),
    ],
)
def test_invalid_candidates_come_back_with_reason(text: str, span: str, reason: str) -> None:
    (entity,) = find_phones(text)
    assert (entity.value, entity.text, entity.score, entity.detail) == ("", span, 0.0, reason)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "我想报名做志愿者",
        "2026-11-25 见",
        "2026/11/25",
        "我捐了1000000元",
        "一共1500000人",
        "身份证440301199001011234",
        "HR-20261123-0001",
        "HR202611230001",
        "vs 20261123 0001",
        "编号 12345",
        "下午3点到5点",
    ],
)
def test_not_phone_candidates(text: str) -> None:
    assert find_phones(text) == ()


@pytest.mark.parametrize(
    ("text", "e164", "span"),
    [
        ("我电话一三九一二三四五六七八", "+8613912345678", "一三九一二三四五六七八"),
        ("幺三九幺二三四五六七八,谢谢", "+8613912345678", "幺三九幺二三四五六七八"),
        ("电话139一二三四5678", "+8613912345678", "139一二三四5678"),
        ("電話係一三九 一二三四 五六七八", "+8613912345678", "一三九 一二三四 五六七八"),  # Traditional
        ("我嘅電話係九一二三四五六七,唔該", "+85291234567", "九一二三四五六七"),  # Cantonese, Hong Kong
        ("办公室零七五五八三四五六七八九", "+8675583456789", "零七五五八三四五六七八九"),
        ("手機一三九兩三四五六七八九", "+8613923456789", "一三九兩三四五六七八九"),
    ],
)
def test_numbers_dictated_in_chinese_digits_are_found(text: str, e164: str, span: str) -> None:
    (entity,) = find_phones(text)
    assert (entity.value, entity.text, entity.score) == (e164, span, 1.0)
    assert text[entity.start : entity.end] == span
    assert check_phone(span).e164 == e164


def test_a_mistyped_dictated_number_is_still_a_phone_attempt() -> None:
    (entity,) = find_phones("我电话一三九一二三四五六七")
    assert (entity.value, entity.text, entity.detail) == (
        "",
        "一三九一二三四五六七",
        "手机号应为 11 位数字,您输入了 10 位",
    )
    assert mask_phone(entity.text) == "139****4567"


@pytest.mark.parametrize(
    "text",
    [
        "捐了一百五十万元",
        "二〇二四年十一月二十五日",
        "2024年十一月",
        "七上八下",
        "三三两两来了七八个人",
        "第一二三四五六七名",
        "一千二百三十四万五千六百七十八人",
        "一二三四五六七",  # seven spoken digits: counting, not a phone
        "我哋有三四五個人",
    ],
)
def test_chinese_numbers_that_are_not_phones(text: str) -> None:
    assert find_phones(text) == ()
