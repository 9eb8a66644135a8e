"""What the console shows instead of names and phones, in Simplified, Traditional and Cantonese text."""

from __future__ import annotations

import pytest

from bot.console.masking import mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王阿姨", "王**"),
        ("陳大文", "陳**"),
        ("李", "李*"),
        ("Chan Tai Man", "C***********"),
        ("", "—"),
        ("  ", "—"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613912345678", "139****5678"),
        ("+85291234567", "****4567"),  # Hong Kong: eight digits, only the last four shown
        ("+8675583456789", "0755****6789"),  # a Shenzhen landline
        ("13912345678", "139****5678"),
        ("", "—"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话13912345678,叫我王阿姨", "我的电话139****5678,叫我王**"),  # Simplified, no spaces
        ("電話是 139 1234 5678,我係王阿姨", "電話是 139****5678,我係王**"),  # Traditional
        ("我個電話係91234567呀", "我個電話係****4567呀"),  # Cantonese, a Hong Kong number
        ("打 0755-83456789 搵我", "打 0755****6789 搵我"),
        ("编号 HR-20261123-0001 已登记", "编号 HR-20261123-0001 已登记"),  # references are not phones
        ("", ""),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text, name="王阿姨", phone="+8613912345678") == masked


def test_a_one_character_name_is_not_masked_everywhere_in_a_text() -> None:
    # Replacing every 王 in a transcript would garble it and say nothing about who the resident is.
    assert mask_text("王先生说王", name="王") == "王先生说王"
