"""`python -m knowledge evaluate`: the question file, the metrics and the exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.evaluate import DEFAULT_QUESTIONS, EvalQuestion, evaluate, load_questions, main
from knowledge.retrieval import PolicyKnowledge, compact

TRADITIONAL_ONLY = re.compile(r"[們個這點樣嗎麼區說會實資點幾錢應臺與門開關鄉]")
CANTONESE = re.compile(r"[冇嘅咩喺啱咗]|係|唔|點樣|邊度|幾多")


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_question_file_is_broad_and_held_out(knowledge: PolicyKnowledge) -> None:
    questions = load_questions()
    must_not = [q for q in questions if q.must_not_answer]
    assert len(questions) >= 70
    assert len(must_not) >= 12
    assert sum(bool(TRADITIONAL_ONLY.search(q.question)) for q in questions) >= 5
    assert sum(bool(CANTONESE.search(q.question)) for q in questions) >= 5
    # paraphrased, not copies of the questions the records list
    listed = {compact(q) for r in knowledge.records() for q in r.questions}
    copies = [q.question for q in questions if compact(q.question) in listed]
    assert copies == []
    source_of = {r.id: r.source_id for r in knowledge.records()}
    expected_sources = {source_of[e] for q in questions for e in q.expect}
    assert expected_sources == {
        "futian-2024",
        "henggang-2022",
        "sz-demo-2014",
        "nanshan-2012",
        "civil-affairs-plans",
    }


def test_shipped_questions_meet_the_targets(knowledge: PolicyKnowledge) -> None:
    report = evaluate(knowledge, load_questions(), repeats=1)
    assert report.accuracy >= 0.9
    assert report.must_not_declined == report.must_not  # nothing out of scope is answered
    assert report.uncited == 0
    assert report.citation_accuracy >= 0.95
    assert len(report.latencies_ms) == report.total


def test_metrics_on_a_small_file(knowledge: PolicyKnowledge) -> None:
    questions = [
        EvalQuestion("示范点每个点资助多少钱", ("sz-demo-2014-amount",), "15万元"),
        EvalQuestion("示范点每个点资助多少钱", ("sz-demo-2014-quota",), "名额"),  # wrong on purpose
        EvalQuestion("明天会下雨吗", (), None),
    ]
    report = evaluate(knowledge, questions, repeats=2)
    assert (report.in_scope, report.correct, report.must_not, report.must_not_declined) == (2, 1, 1, 1)
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.citation_accuracy == pytest.approx(1 / 2)
    assert report.decline_precision == 1.0
    assert len(report.latencies_ms) == 6
    assert report.failures == [
        "wrong record: 示范点每个点资助多少钱 -> sz-demo-2014-amount (expected sz-demo-2014-quota)"
    ]


def test_unknown_expected_record_is_an_error(knowledge: PolicyKnowledge) -> None:
    with pytest.raises(ValueError, match="unknown record ids: nowhere"):
        evaluate(knowledge, [EvalQuestion("示范点资助多少钱", ("nowhere",), "x")])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("questions:\n  - q: 示范点资助多少钱\n    expect: sz-demo-2014-amount\n", "no `match` regex"),
        (
            "questions:\n  - q: 示范点资助多少钱\n    expect: [none, sz-demo-2014-amount]\n    match: x\n",
            "mixes `none`",
        ),
        (
            "questions:\n  - q: 示范点资助多少钱\n    expect: sz-demo-2014-amount\n    match: '('\n",
            "questions",
        ),
        ("questions: []\n", "questions"),
        ("questions:\n  - question: typo\n", "questions"),
    ],
)
def test_malformed_question_files_are_rejected(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_questions(_write(tmp_path, body))


def test_main_prints_the_figures_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path,
        "questions:\n"
        "  - q: 示範點每個點資助幾多錢\n    expect: sz-demo-2014-amount\n    match: 15万元\n"
        "  - q: 明天会下雨吗\n    expect: none\n",
    )
    assert main(["--file", str(path), "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for line in (
        "accuracy: 100.0%",
        "citation correctness: 1/1",
        "must-not-answer: 1/1 declined",
        "p50",
        "p99",
    ):
        assert line in out


def test_main_fails_when_a_must_not_question_is_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "questions:\n  - q: 示范点每个点资助多少钱\n    expect: none\n")
    assert main(["--file", str(path), "--repeats", "1"]) == 1
    assert "answered a must-not question" in capsys.readouterr().out


def test_main_reports_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", str(tmp_path / "missing.yaml")]) == 2
    assert "evaluate:" in capsys.readouterr().err


def test_default_question_file_location() -> None:
    assert DEFAULT_QUESTIONS.name == "policy_questions.yaml" and DEFAULT_QUESTIONS.is_file()
