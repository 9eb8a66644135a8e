"""Free text stored unencrypted keeps no readable phone, ID or card number."""

from __future__ import annotations

import pytest

from bot.redaction import redact_numbers


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("我的电话13912345678", "我的电话139****5678"),  # straight after Chinese text
        ("電話:139 1234 5678,唔該", "電話:139****5678,唔該"),
        ("打9123 4567找我", "打****4567找我"),  # Hong Kong
        ("call +852 9123 4567", "call ****4567"),
        ("座机0755-83912345", "座机0755****2345"),
        ("电话139123456", "电话****3456"),  # a mistyped number is still somebody's number
        ("身份证440301199001011234", "身份证****1234"),
        ("身份證44030119900101123X", "身份證****123X"),
        ("卡号6222021234567890123", "卡号****0123"),
    ],
)
def test_numbers_are_masked(text: str, stored: str) -> None:
    assert redact_numbers(text) == stored


@pytest.mark.parametrize(
    "text", ["金额100000元", "日期2026-11-25 下午3点", "HR-20261123-0001", "", "老人腿脚不好"]
)
def test_amounts_dates_and_references_are_kept(text: str) -> None:
    assert redact_numbers(text) == text
