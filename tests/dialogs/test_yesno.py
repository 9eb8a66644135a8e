"""Yes / no as residents type them: Simplified, Traditional and Cantonese, and what is neither."""

from __future__ import annotations

import pytest

from dialogs.yesno import yes_or_no


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("好的", True),
        ("係", True),
        ("啱", True),
        ("冇問題", True),  # Cantonese: no problem
        ("没问题", True),
        ("2", False),
        ("不", False),
        ("不了", False),
        ("不同意", False),
        ("不要了", False),
        ("没有", False),
        ("唔係", False),
        ("唔要", False),
        ("冇", False),
        ("不急", None),  # answers how urgent, not the question asked
        ("唔該", None),  # Cantonese thanks
        ("不错", True),
        ("莲花北社区", None),
    ],
)
def test_yes_or_no_from_the_words(text: str, expected: bool | None) -> None:
    assert yes_or_no(text) is expected
