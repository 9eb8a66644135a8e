"""What an answer says besides its value: cancel, decline, a question about the data (S / T / Cantonese)."""

from __future__ import annotations

import pytest

from dialogs.forms.reading import answer_words, asks_about_privacy, declines, is_cancel


def test_the_word_lists_load_and_validate() -> None:
    words = answer_words()
    assert "算了" in words.cancel.words and "没有" in words.decline.alone and words.privacy.max_chars > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不想说名字", True),
        ("我不想留电话", True),
        ("我冇電話", True),  # -> 我没有电话
        ("唔想講", True),  # -> 不想讲
        ("唔使留名", True),
        ("保密", True),
        ("没有", True),
        ("没有钱吃饭", False),  # a description
        ("不想活了", False),  # never a decline (and a crisis for the detector, before any form)
        ("王阿姨", False),
    ],
)
def test_declines(interpreter, text: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert declines(interpreter.parse(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("算了", True),
        ("取消登记", True),
        ("算了吧", True),
        ("唔要喇", True),
        ("唔使留名", False),  # declines the name
        ("取消了订单被平台罚款", False),  # a description
    ],
)
def test_is_cancel(interpreter, text: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert is_cancel(text, interpreter.parse(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("为什么要我的电话", True),
        ("為什麼要我的電話", True),
        ("點解要我電話", True),
        ("你们会把我的信息给谁看", True),
        ("会不会泄露", True),
        ("要填啲乜嘢", True),
        ("楼上天天漏水,不知道为什么物业的电话总是打不通", False),  # long: a description
        ("示范点资助多少钱", False),
    ],
)
def test_asks_about_privacy(interpreter, text: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert asks_about_privacy(interpreter.parse(text)) is expected
