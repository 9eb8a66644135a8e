"""Case references HR-/VS-YYYYMMDD-NNNN, typed loosely."""

from __future__ import annotations

import pytest

from nlu.case_refs import find_case_refs, parse_case_ref
from nlu.types import EntityKind


@pytest.mark.parametrize(
    ("text", "value", "detail", "span"),
    [
        ("HR-20261123-0001", "HR-20261123-0001", "help", "HR-20261123-0001"),
        ("hr 20261123 0001", "HR-20261123-0001", "help", "hr 20261123 0001"),
        ("HR202611230001", "HR-20261123-0001", "help", "HR202611230001"),
        ("Hr--20261123--0001", "HR-20261123-0001", "help", "Hr--20261123--0001"),
        ("HR-2026-1123-0001", "HR-20261123-0001", "help", "HR-2026-1123-0001"),
        ("HR_20261123_0001", "HR-20261123-0001", "help", "HR_20261123_0001"),
        ("VS-20261123-0042", "VS-20261123-0042", "volunteer", "VS-20261123-0042"),
        ("vs20261123 0042", "VS-20261123-0042", "volunteer", "vs20261123 0042"),
        ("请帮我查一下HR-20261123-0001的进度", "HR-20261123-0001", "help", "HR-20261123-0001"),
        (
            "請幫我查下ＨＲ－２０２６１１２３－０００１嘅進度",
            "HR-20261123-0001",
            "help",
            "ＨＲ－２０２６１１２３－０００１",
        ),
        ("我嘅編號係 vs 20240229 0007", "VS-20240229-0007", "volunteer", "vs 20240229 0007"),
    ],
)
def test_references_are_found_and_canonical(text: str, value: str, detail: str, span: str) -> None:
    (ref,) = find_case_refs(text)
    assert (ref.kind, ref.value, ref.detail, ref.text, ref.score) == (
        EntityKind.CASE_REF,
        value,
        detail,
        span,
        1.0,
    )
    assert text[ref.start : ref.end] == span
    assert parse_case_ref(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HR-20261131-0001",  # 31 November does not exist
        "HR-20250229-0001",  # 2025 is not a leap year
        "HR-20261323-0001",
        "HR-20261123-00012",
        "HR-20261123-001",
        "XHR-20261123-0001",
        "HX-20261123-0001",
        "20261123-0001",
        "查询进度",
    ],
)
def test_not_references(text: str) -> None:
    assert find_case_refs(text) == ()
    assert parse_case_ref(text) is None


def test_several_references_in_order() -> None:
    refs = find_case_refs("HR-20261123-0001 同 VS-20261124-0002")
    assert [r.value for r in refs] == ["HR-20261123-0001", "VS-20261124-0002"]
