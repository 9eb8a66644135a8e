"""The evaluation command: metrics arithmetic, reports, Rasa unavailability, the shipped figures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from nlu.embedded import EmbeddedIntentModel
from nlu.evaluate import (
    BackendReport,
    IntentMetrics,
    classification_metrics,
    confusion_matrix,
    evaluate_interpreter,
    evaluate_rasa,
    format_report,
    macro_f1,
    main,
    threshold_sweep,
)
from nlu.interpreter import DEFAULT_THRESHOLD, Interpreter
from nlu.training_data import HELD_OUT_TEST_FILE, load_training_data
from nlu.types import Entity


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedIntentModel:
    # Shared on disk with the other nlu test modules: the first one trains, the rest load the pickle.
    return EmbeddedIntentModel.load_or_train(cache_dir=tmp_path_factory.getbasetemp() / "nlu-model-cache")


def no_entities(text: str, *, now: datetime | None = None) -> tuple[Entity, ...]:
    return ()


def test_classification_metrics_by_hand() -> None:
    expected = ["greet", "greet", "deny", "deny", "out_of_scope"]
    predicted = ["greet", "deny", "deny", "deny", "greet"]
    metrics = classification_metrics(expected, predicted, ["greet", "deny", "out_of_scope"])
    assert metrics["greet"] == IntentMetrics(precision=0.5, recall=0.5, f1=0.5, support=2)
    assert metrics["deny"].precision == pytest.approx(2 / 3)
    assert metrics["deny"].recall == 1.0
    assert metrics["out_of_scope"] == IntentMetrics(0.0, 0.0, 0.0, 1)
    # deny is not a contract intent; macro-F1 averages greet and out_of_scope only.
    assert macro_f1(metrics) == pytest.approx(0.25)


def test_confusion_matrix_rows_are_expected() -> None:
    matrix = confusion_matrix(["a", "a", "b"], ["a", "b", "b"], ["a", "b"])
    assert matrix == [[1, 1], [0, 1]]


def test_macro_f1_of_nothing_is_zero() -> None:
    assert macro_f1({}) == 0.0


def test_embedded_model_meets_the_held_out_target(model: EmbeddedIntentModel) -> None:
    """The shipped data and model must keep macro-F1 >= 0.92 on the held-out file."""
    examples = load_training_data([HELD_OUT_TEST_FILE])
    report = evaluate_interpreter(
        Interpreter(model, extract_entities=no_entities, threshold=DEFAULT_THRESHOLD), examples, repetitions=0
    )
    assert report.macro_f1 >= 0.92
    assert report.per_intent["crisis"].recall == 1.0
    assert report.oos_precision >= 0.8
    assert report.n_messages == len(examples)
    assert sum(map(sum, report.confusion)) == len(examples)


def test_latency_samples_are_collected(model: EmbeddedIntentModel) -> None:
    examples = load_training_data([HELD_OUT_TEST_FILE])[:10]
    report = evaluate_interpreter(Interpreter(model, extract_entities=no_entities), examples, repetitions=2)
    assert report.latency_samples == 20
    assert 0 < report.latency_p50_ms <= report.latency_p99_ms


def test_threshold_sweep_reports_each_threshold(model: EmbeddedIntentModel) -> None:
    rows = threshold_sweep(model, [0.2, 0.5, 0.9])
    assert [row["threshold"] for row in rows] == [0.2, 0.5, 0.9]
    # A higher threshold can only send more in-scope messages to out_of_scope.
    swallowed = [row["in_scope_swallowed"] for row in rows]
    assert swallowed == sorted(swallowed)


def test_unreachable_rasa_is_reported_as_unavailable() -> None:
    report = evaluate_rasa("http://127.0.0.1:9", load_training_data([HELD_OUT_TEST_FILE])[:3], 0.3, 0)
    assert not report.available
    text = format_report(report, HELD_OUT_TEST_FILE, 0.3)
    assert "unavailable" in text
    assert "n/a" in text


def test_format_report_shows_the_headline_figures() -> None:
    report = BackendReport(
        backend="embedded",
        available=True,
        n_messages=2,
        per_intent={"greet": IntentMetrics(1.0, 1.0, 1.0, 1), "affirm": IntentMetrics(1.0, 1.0, 1.0, 1)},
        macro_f1=1.0,
        labels=("greet", "affirm"),
        confusion=[[1, 0], [0, 1]],
        training={"train_seconds": 1.5, "n_examples": 10, "n_features": 100},
    )
    text = format_report(report, Path("test.yml"), 0.2)
    assert "macro-F1 over the 11 contract intents: 1.000" in text
    assert "(form control)" in text
    assert "gre" in text and "aff" in text


SMALL_TRAIN = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 您好
    - 早上好
    - 哈囉
    - hello
    - hi
- intent: out_of_scope
  examples: |
    - 今天天气怎么样
    - 讲个笑话
    - 股票怎么买
    - 推荐电影
    - 你几岁
    - 打游戏吗
- intent: thanks_bye
  examples: |
    - 谢谢
    - 多谢
    - 再见
    - 唔該晒
    - 拜拜
    - thanks
"""

SMALL_TEST = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好呀
- intent: thanks_bye
  examples: |
    - 谢谢你
- intent: crisis
  examples: |
    - 救命
"""


def test_main_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RASA_URL", raising=False)
    train = tmp_path / "train.yml"
    test = tmp_path / "test.yml"
    train.write_text(SMALL_TRAIN, encoding="utf-8")
    test.write_text(SMALL_TEST, encoding="utf-8")
    assert (
        main(
            ["--json", "--train-file", str(train), "--test-file", str(test), "--repetitions", "1", "--sweep"]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    (embedded,) = payload["reports"]
    assert embedded["backend"] == "embedded"
    assert embedded["n_messages"] == 3
    assert embedded["per_intent"]["crisis"]["recall"] == 1.0
    assert embedded["training"]["n_examples"] == 18
    assert embedded["training"]["train_seconds"] > 0
    assert embedded["training"]["tracemalloc_peak_mb"] > 0
    assert embedded["latency_samples"] == 3
    assert payload["threshold_sweep"]


def test_main_text_output_with_unreachable_rasa(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = tmp_path / "train.yml"
    test = tmp_path / "test.yml"
    train.write_text(SMALL_TRAIN, encoding="utf-8")
    test.write_text(SMALL_TEST, encoding="utf-8")
    args = ["--train-file", str(train), "--test-file", str(test), "--repetitions", "1"]
    assert main([*args, "--rasa-url", "http://127.0.0.1:9"]) == 0
    out = capsys.readouterr().out
    assert "== embedded on" in out
    assert "== rasa on" in out
    assert "p50" in out and "p99" in out
    assert "unavailable" in out
