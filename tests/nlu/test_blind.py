"""Blind rounds: every round parses and has its brief; the report counts alarms as the assistant acts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from nlu.blind import CRISIS_KINDS, BlindMessage, LabelledMessage, evaluate_round, load_round, rounds
from nlu.types import Script, Understanding

ROOT = Path(__file__).resolve().parents[2]
FOLD_SCRIPT = ROOT / "scripts" / "fold_written.py"
FIRST_SEEN = ROOT / "docs" / "blind"


def test_every_round_has_its_brief_and_the_issue_10_shape() -> None:
    found = rounds()
    assert found, "no blind round under nlu/data/blind/"
    for folder in found:
        assert (folder / "BRIEF.md").is_file(), folder
        messages = load_round(folder)
        crisis = [m for m in messages if m.intent == "crisis"]
        assert len(messages) >= 400 and len(crisis) >= 100, folder
        assert sum(m.danger_words for m in messages) >= 150, folder
        assert {m.crisis_kind for m in crisis} == set(CRISIS_KINDS), folder


def test_a_round_is_trained_on_only_after_its_first_seen_figures_are_kept() -> None:
    folded = re.search(r"FOLDED_ROUNDS = \(([^)]*)\)", FOLD_SCRIPT.read_text(encoding="utf-8"))
    assert folded is not None
    for name in re.findall(r'"(round-\d+)"', folded.group(1)):
        assert list(FIRST_SEEN.glob(f"{name}-first-seen*.txt")), (
            f"{name} is trained on but its first sight is not kept"
        )


def test_a_message_outside_the_contract_is_refused() -> None:
    with pytest.raises(ValidationError):
        BlindMessage(text="x", intent="affirm")


def _understood(text: str, intent: str, *, check: bool = False) -> Understanding:
    return Understanding(
        text=text,
        normalized=text,
        script=Script.SIMPLIFIED,
        intent=intent,
        confidence=1.0,
        safety_check=check,
    )


def test_the_report_counts_alarms_questions_and_false_alarms() -> None:
    messages = [
        LabelledMessage("孩子锁在车里", "crisis", "child_danger", False, "t"),
        LabelledMessage("阿婆三天没开门", "crisis", "elderly_unresponsive", False, "t"),
        LabelledMessage("急救培训在哪", "ask_policy", None, True, "t"),
        LabelledMessage("你好", "greet", None, False, "t"),
    ]
    answers = {
        "孩子锁在车里": _understood("孩子锁在车里", "crisis"),
        "阿婆三天没开门": _understood("阿婆三天没开门", "request_help", check=True),
        "急救培训在哪": _understood("急救培训在哪", "crisis"),
        "你好": _understood("你好", "greet"),
    }
    report = evaluate_round(messages, answers.__getitem__, "fake")
    assert (report.crisis_alarmed, report.crisis_checked, report.crisis_total) == (1, 1, 2)
    assert report.crisis_recall == 0.5 and report.crisis_recall_with_check == 1.0
    assert (report.harmless_alarms, report.harmless_total) == (1, 1)
    assert report.per_kind["child_danger"] == (1, 1, 0)
    assert report.misses == [("阿婆三天没开门", "elderly_unresponsive", "safety question")]


def test_a_round_folder_loads_every_writer(tmp_path: Path) -> None:
    (tmp_path / "writer-x.yml").write_text(
        'writer: "X"\nmessages:\n  - text: "着火了"\n    intent: crisis\n    crisis_kind: disaster\n'
        '  - text: "热死了"\n    intent: out_of_scope\n    danger_words: true\n',
        encoding="utf-8",
    )
    loaded = load_round(tmp_path)
    assert [(m.intent, m.crisis_kind, m.danger_words) for m in loaded] == [
        ("crisis", "disaster", False),
        ("out_of_scope", None, True),
    ]
