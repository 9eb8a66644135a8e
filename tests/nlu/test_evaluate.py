"""The evaluation command: metrics arithmetic, reports, Rasa unavailability, the shipped figures."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from nlu.embedded import EmbeddedIntentModel
from nlu.evaluate import (
    BackendReport,
    IntentMetrics,
    classification_metrics,
    confusion_matrix,
    evaluate_interpreter,
    evaluate_rasa,
    format_comparison,
    format_report,
    macro_f1,
    main,
    process_cpu_seconds,
    threshold_sweep,
)
from nlu.interpreter import DEFAULT_THRESHOLD, Interpreter
from nlu.normalize import normalize
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
    assert embedded["training"]["train_cpu_seconds"] > 0
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


# --- Rasa side by side, against a fake `rasa run --enable-api` on loopback -------------------

# What the fake Rasa "model" knows, by normalised text (Simplified, Traditional, Cantonese input);
# anything else gets Rasa's nlu_fallback.
FAKE_RASA_INTENTS = {
    normalize("你好呀").text: "greet",
    normalize("謝謝你").text: "thanks_bye",  # the test file writes it in Simplified
    normalize("唔該晒").text: "thanks_bye",
}


def _fake_rasa_handler() -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Keep pytest output clean."""

        def _json(self, payload: dict[str, Any]) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._json(
                {"model_file": "nlu-zh.tar.gz", "model_id": "fake-model", "num_active_training_jobs": 0}
            )

        def do_POST(self) -> None:
            text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
            name = FAKE_RASA_INTENTS.get(text, "nlu_fallback")
            ranking = [{"name": name, "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.1}]
            self._json({"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []})

    return Handler


@pytest.fixture(scope="module")
def fake_rasa_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _fake_rasa_handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def small_files(tmp_path: Path) -> tuple[Path, Path]:
    train = tmp_path / "train.yml"
    test = tmp_path / "test.yml"
    train.write_text(SMALL_TRAIN, encoding="utf-8")
    test.write_text(SMALL_TEST, encoding="utf-8")
    return train, test


def _train_report(models: Path, **fields: Any) -> None:
    models.mkdir(parents=True, exist_ok=True)
    report = {"train_seconds": 140.2, "peak_rss_mb": 1400.5, "rasa_version": "3.6.21", **fields}
    (models / "train_report.json").write_text(json.dumps(report), encoding="utf-8")


def test_process_cpu_seconds_reads_this_process_and_tolerates_a_missing_one() -> None:
    own = process_cpu_seconds(os.getpid())
    assert own is not None and own > 0
    # Linux pids stay below 2**22; this one cannot exist.
    assert process_cpu_seconds(2**30) is None


def test_rasa_is_evaluated_with_status_server_cpu_and_no_stale_warning(
    fake_rasa_url: str, small_files: tuple[Path, Path], tmp_path: Path
) -> None:
    train, test = small_files
    models = tmp_path / "models"
    _train_report(models, nlu_data_sha256=hashlib.sha256(train.read_bytes()).hexdigest())
    examples = load_training_data([test])

    # The fake server runs in this process, so this pid's CPU time is the server's.
    report = evaluate_rasa(
        fake_rasa_url, examples, 0.2, 2, server_pid=os.getpid(), training_files=[train], models_dir=models
    )

    assert report.available and report.backend == "rasa"
    assert report.n_messages == 3
    assert report.answered_by == {"rasa": 2, "crisis_rules": 1}
    assert report.per_intent["greet"].f1 == 1.0
    assert report.per_intent["thanks_bye"].recall == 1.0
    assert report.latency_samples == 6
    assert report.server_cpu_ms_per_parse is not None and report.server_cpu_ms_per_parse >= 0
    assert report.server == {"model_file": "nlu-zh.tar.gz", "model_id": "fake-model"}
    assert report.training["train_seconds"] == 140.2
    assert report.warnings == []
    text = format_report(report, test, 0.2)
    assert "served model: model_file nlu-zh.tar.gz" in text
    assert "server process CPU" in text and "ms per parse" in text


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        ({"nlu_data_sha256": "0" * 64}, "other data than the embedded model now (train.yml)"),
        ({}, "cannot tell whether Rasa was trained on the current training data"),
        (None, "no nlu/rasa/models/train_report.json"),
    ],
)
def test_rasa_training_on_other_data_is_flagged(
    fake_rasa_url: str,
    small_files: tuple[Path, Path],
    tmp_path: Path,
    fields: dict[str, str] | None,
    warning: str,
) -> None:
    train, test = small_files
    models = tmp_path / "models"
    if fields is not None:
        _train_report(models, **fields)
    report = evaluate_rasa(
        fake_rasa_url, load_training_data([test]), 0.2, 0, training_files=[train], models_dir=models
    )
    assert report.available
    assert any(warning in w for w in report.warnings)
    assert f"WARNING: {report.warnings[0]}" in format_report(report, test, 0.2)


def test_missing_server_pid_is_a_warning_not_a_failure(
    fake_rasa_url: str, small_files: tuple[Path, Path]
) -> None:
    _, test = small_files
    report = evaluate_rasa(fake_rasa_url, load_training_data([test]), 0.2, 1, server_pid=2**30)
    assert report.available
    assert report.server_cpu_ms_per_parse is None
    assert any("no process" in w for w in report.warnings)


def test_side_by_side_table_and_targets() -> None:
    def backend(name: str, f1: float, training: dict[str, Any]) -> BackendReport:
        return BackendReport(
            backend=name,
            available=True,
            n_messages=2,
            per_intent={"greet": IntentMetrics(1.0, f1, f1, 1), "affirm": IntentMetrics(1.0, 1.0, 1.0, 1)},
            macro_f1=f1,
            latency_p99_ms=1.5 if name == "embedded" else 40.0,
            cpu_p99_ms=1.2,
            latency_samples=2,
            training=training,
        )

    embedded = backend(
        "embedded", 0.95, {"train_seconds": 1.4, "train_cpu_seconds": 1.3, "ru_maxrss_mb": 260.0}
    )
    rasa = backend("rasa", 0.97, {"train_seconds": 140.0, "cpu_seconds": 250.0, "peak_rss_mb": 1400.0})
    unavailable = BackendReport(backend="other", available=False)
    text = format_comparison([embedded, rasa, unavailable])

    header = text.splitlines()[1]
    assert header.split() == ["embedded", "rasa"]
    assert "F1 affirm (form)" in text
    assert "1400.0" in text and "260.0" in text
    cpu_row = next(line for line in text.splitlines() if line.startswith("training time, CPU"))
    assert cpu_row.split()[-2:] == ["1.30", "250.00"]
    assert "[met] macro-F1 0.950 >= 0.92" in text
    assert "[MISSED] macro-F1 0.950 >= Rasa's 0.970" in text
    assert "[met] parse p99 wall 1.500 ms < 2.0 ms" in text
    assert "[met] training 1.400 s < 10 s" in text


def test_main_prints_both_backends_side_by_side(
    fake_rasa_url: str, small_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    train, test = small_files
    args = ["--train-file", str(train), "--test-file", str(test), "--repetitions", "1"]
    assert main([*args, "--rasa-url", fake_rasa_url]) == 0
    out = capsys.readouterr().out
    assert "== embedded on" in out and "== rasa on" in out
    assert "== side by side ==" in out
    side_by_side = out[out.index("== side by side ==") :]
    assert side_by_side.splitlines()[1].split() == ["embedded", "rasa"]
    assert "macro-F1 (11 contract intents)" in side_by_side
