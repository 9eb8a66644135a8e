"""The evaluation command and its description set."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.category_eval import load_descriptions, main, percentile


def test_description_set_is_large_varied_and_valid() -> None:
    catalogue_id, descriptions = load_descriptions()
    assert catalogue_id == "futian-2024"
    assert len(descriptions) >= 45
    assert {"simplified", "traditional", "cantonese"} <= {d.script for d in descriptions}
    assert {"short", "long", "colloquial"} <= {d.style for d in descriptions}
    known = {item.item_id for item in load_catalogue(catalogue_id).items}
    assert all(set(d.expected) <= known for d in descriptions)
    assert len({d.text for d in descriptions}) == len(descriptions)


def test_main_prints_accuracy_and_latency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = tmp_path / "descriptions.yaml"
    small.write_text(
        "catalogue: futian-2024\n"
        "descriptions:\n"
        "  - {text: 我们想帮外卖小哥维权, expected: [futian-2024-12], script: simplified, style: colloquial}\n"
        "  - {text: 想請退伍軍人給中小學生上國防課, expected: [futian-2024-22], script: traditional, style: plain}\n"
        "  - {text: 我们想做个项目, expected: [futian-2024-01], script: simplified, style: short, set: holdout}\n",
        encoding="utf-8",
    )
    status = main(["--file", str(small), "--verbose", "--min-top3", "0.6"])
    out = capsys.readouterr().out
    assert status == 0
    assert "top-1 accuracy: 66.7% (2/3)" in out
    assert "top-3 accuracy: 66.7% (2/3)" in out
    assert "set holdout: top-1 0/1" in out
    assert "latency per description: p50" in out and "p99" in out
    assert "[MISS] 我们想做个项目" in out and "(vague)" in out
    assert main(["--file", str(small), "--min-top3", "0.9"]) == 1


def test_full_description_set_reaches_the_top3_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "top-3 accuracy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([3.0, 1.0, 2.0], 0.5, 2.0), ([1.0, 2.0, 3.0, 4.0], 0.99, 4.0), ([5.0], 0.5, 5.0)],
)
def test_percentile_is_nearest_rank(values: list[float], fraction: float, expected: float) -> None:
    assert percentile(values, fraction) == expected
