"""Evaluate the intent models on the held-out file: `python -m nlu.evaluate [--rasa-url URL]`.

Reports, per backend: per-intent precision/recall/F1, macro-F1 over the contract intents, a
confusion matrix, out-of-scope precision and recall, and parse latency p50/p99 of the whole
interpreter (normalisation, crisis rules, model, entities) as wall time and as CPU time. For the
embedded model also its training time and memory; for Rasa the figures its training script
recorded, the model the server says it runs, and (with `--rasa-pid`) the server's CPU time per
parse. With both backends a side-by-side table and the targets of issue 3 close the report.
`--sweep` shows how the out-of-scope threshold behaves on out-of-fold training predictions (how
the default was tuned); `--json` prints everything machine-readably.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from nlu.embedded import EmbeddedIntentModel, expected_calibration_error, import_training_libraries
from nlu.features import shared_tokenizer
from nlu.interpreter import DEFAULT_THRESHOLD, Interpreter
from nlu.metrics import CONTRACT, IntentMetrics, classification_metrics, macro_f1
from nlu.normalize import normalization_spec, normalize
from nlu.training_data import DEFAULT_TRAINING_FILES, HELD_OUT_TEST_FILE, TrainingExample, load_training_data
from nlu.types import Intent

OOS = Intent.OUT_OF_SCOPE.value
ALL_INTENTS = tuple(intent.value for intent in Intent)

# Rasa's first parse after loading traces TensorFlow graphs and can take seconds on a loaded
# machine; the bot's 2 s timeout would count that as an outage, so evaluation waits longer.
DEFAULT_RASA_TIMEOUT = 30.0

# The targets of issue 3 the side-by-side report checks.
TARGET_MACRO_F1 = 0.92
TARGET_P99_MS = 2.0
TARGET_TRAIN_SECONDS = 10.0


@dataclass(slots=True)
class BackendReport:
    """Everything measured for one backend on the held-out file."""

    backend: str
    available: bool
    n_messages: int = 0
    per_intent: dict[str, IntentMetrics] = field(default_factory=dict)
    macro_f1: float = 0.0
    accuracy: float = 0.0
    oos_precision: float = 0.0
    oos_recall: float = 0.0
    labels: tuple[str, ...] = ()
    confusion: list[list[int]] = field(default_factory=list)
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0
    # Thread CPU time per parse: the same percentiles without the time other processes took the core.
    cpu_p50_ms: float = 0.0
    cpu_p99_ms: float = 0.0
    latency_samples: int = 0
    # CPU time a separate server process (Rasa) spent per timed parse, when its pid is known:
    # the thread CPU figures above only cover this process, i.e. the HTTP client.
    server_cpu_ms_per_parse: float | None = None
    answered_by: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (text, expected, predicted)
    training: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, float] = field(default_factory=dict)
    # What a server says about itself (Rasa's /status: model_file, model_id).
    server: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True, slots=True)
class LatencySamples:
    """Per-parse wall and thread-CPU nanoseconds, and an outside process's CPU seconds over them."""

    wall_ns: tuple[int, ...]
    cpu_ns: tuple[int, ...]
    external_cpu_seconds: float | None = None


def confusion_matrix(
    expected: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for e, p in zip(expected, predicted, strict=True):
        matrix[index[e]][index[p]] += 1
    return matrix


def _labels_for(expected: Sequence[str], predicted: Sequence[str]) -> tuple[str, ...]:
    seen = set(expected) | set(predicted)
    return tuple(label for label in ALL_INTENTS if label in seen) + tuple(sorted(seen - set(ALL_INTENTS)))


def _pin_to_one_core() -> set[int] | None:
    """Pin the process to one CPU for latency figures; returns the previous affinity to restore."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(previous)})
    return previous


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` so far (all its threads), or None if unreadable.

    Read from /proc/<pid>/stat (Linux); the fields after the parenthesised command name are
    counted from its closing parenthesis, which copes with names that contain spaces.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        fields = stat[stat.rindex(")") + 2 :].split()
        # Fields 14 and 15 of proc(5), utime and stime, are the 12th and 13th after the name.
        ticks = int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure_latency(
    interpreter: Interpreter,
    texts: Sequence[str],
    repetitions: int,
    *,
    external_cpu: Callable[[], float | None] | None = None,
) -> LatencySamples:
    """Wall-clock and thread-CPU nanoseconds per `parse`, every text `repetitions` times, after a warm-up pass.

    `external_cpu` reads another process's CPU seconds (a server doing the work); it is read
    before and after the timed passes only, so the warm-up is not billed.
    """
    for text in texts:
        interpreter.parse(text)
    wall: list[int] = []
    cpu: list[int] = []
    external_before = external_cpu() if external_cpu is not None else None
    previous = _pin_to_one_core()
    try:
        for _ in range(repetitions):
            for text in texts:
                cpu_started = time.thread_time_ns()
                started = time.perf_counter_ns()
                interpreter.parse(text)
                wall.append(time.perf_counter_ns() - started)
                cpu.append(time.thread_time_ns() - cpu_started)
    finally:
        if previous is not None:
            os.sched_setaffinity(0, previous)
    external_after = external_cpu() if external_cpu is not None else None
    external = (
        external_after - external_before
        if external_before is not None and external_after is not None
        else None
    )
    return LatencySamples(tuple(wall), tuple(cpu), external)


def evaluate_interpreter(
    interpreter: Interpreter,
    examples: Sequence[TrainingExample],
    *,
    repetitions: int = 5,
    external_cpu: Callable[[], float | None] | None = None,
) -> BackendReport:
    """Accuracy figures and latency of one interpreter on labelled examples.

    `external_cpu` reads the CPU seconds of a server process the model calls (see
    `process_cpu_seconds`); the report then has that server's CPU time per timed parse.
    """
    expected: list[str] = []
    predicted: list[str] = []
    answered_by: dict[str, int] = {}
    errors: list[tuple[str, str, str]] = []
    for example in examples:
        understanding = interpreter.parse(example.text)
        expected.append(example.intent)
        predicted.append(understanding.intent)
        answered_by[understanding.backend] = answered_by.get(understanding.backend, 0) + 1
        if understanding.intent != example.intent:
            errors.append((example.text, example.intent, understanding.intent))
    labels = _labels_for(expected, predicted)
    per_intent = classification_metrics(expected, predicted, labels)
    oos = per_intent.get(OOS, IntentMetrics(0.0, 0.0, 0.0, 0))
    latency = (
        measure_latency(interpreter, [e.text for e in examples], repetitions, external_cpu=external_cpu)
        if repetitions
        else LatencySamples((), ())
    )
    samples, cpu = latency.wall_ns, latency.cpu_ns
    server_cpu = (
        latency.external_cpu_seconds * 1000 / len(samples)
        if latency.external_cpu_seconds is not None and samples
        else None
    )
    return BackendReport(
        backend=interpreter.model.name,
        available=True,
        n_messages=len(examples),
        per_intent=per_intent,
        macro_f1=macro_f1(per_intent),
        accuracy=float(np.mean([e == p for e, p in zip(expected, predicted, strict=True)]))
        if expected
        else 0.0,
        oos_precision=oos.precision,
        oos_recall=oos.recall,
        labels=labels,
        confusion=confusion_matrix(expected, predicted, labels),
        latency_p50_ms=float(np.percentile(samples, 50)) / 1e6 if samples else 0.0,
        latency_p99_ms=float(np.percentile(samples, 99)) / 1e6 if samples else 0.0,
        cpu_p50_ms=float(np.percentile(cpu, 50)) / 1e6 if cpu else 0.0,
        cpu_p99_ms=float(np.percentile(cpu, 99)) / 1e6 if cpu else 0.0,
        latency_samples=len(samples),
        server_cpu_ms_per_parse=server_cpu,
        answered_by=answered_by,
        errors=errors,
    )


def train_with_figures(data_files: Sequence[Path]) -> tuple[EmbeddedIntentModel, dict[str, Any]]:
    """Train the embedded model from scratch, timing it and measuring its memory.

    Timed without tracemalloc (which slows Python down several times), then trained once more
    under tracemalloc for the peak of Python allocations. ru_maxrss is the whole process's peak.
    """
    examples = load_training_data(data_files)
    # jieba's dictionary loads once per process (~1 s): load it first so it is not billed as training.
    loading = time.perf_counter()
    shared_tokenizer(tuple(normalization_spec().domain_words))
    tokenizer_seconds = time.perf_counter() - loading
    # Importing scikit-learn (~2 s) is a one-off per process, not part of fitting the model.
    import_training_libraries()
    started = time.perf_counter()
    cpu_started = time.process_time()
    model = EmbeddedIntentModel.train(examples)
    seconds = time.perf_counter() - started
    # CPU time of all threads: on a shared machine the wall time also holds other processes' turns.
    cpu_seconds = time.process_time() - cpu_started
    tracemalloc.start()
    try:
        EmbeddedIntentModel.train(examples)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Linux reports ru_maxrss in kilobytes.
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return model, {
        "train_seconds": round(seconds, 3),
        "train_cpu_seconds": round(cpu_seconds, 3),
        "tokenizer_load_seconds": round(tokenizer_seconds, 3),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "ru_maxrss_mb": round(maxrss_mb, 1),
        "n_examples": len(examples),
        "n_features": model.n_features,
        "temperature": round(model.temperature, 4),
    }


def calibration_figures(model: EmbeddedIntentModel, examples: Sequence[TrainingExample]) -> dict[str, float]:
    """ECE of the classifier alone: out-of-fold on training data (raw and calibrated) and on the test file."""
    figures: dict[str, float] = {}
    if model.validation is not None:
        v = model.validation
        for name, temperature in (("oof_ece_uncalibrated", 1.0), ("oof_ece_calibrated", None)):
            probabilities = v.probabilities(temperature)
            correct = (probabilities.argmax(axis=1) == v.y_true).astype(float)
            figures[name] = round(expected_calibration_error(probabilities.max(axis=1), correct), 4)
        figures["oof_accuracy"] = round(float((v.logits.argmax(axis=1) == v.y_true).mean()), 4)
    confidence, correct = [], []
    for example in examples:
        top = model.predict(normalize(example.text).text)[0]
        confidence.append(top.confidence)
        correct.append(float(top.name == example.intent))
    if confidence:
        figures["test_ece"] = round(expected_calibration_error(np.array(confidence), np.array(correct)), 4)
        figures["test_classifier_accuracy"] = round(float(np.mean(correct)), 4)
    return figures


def threshold_sweep(model: EmbeddedIntentModel, thresholds: Sequence[float]) -> list[dict[str, float]]:
    """Macro-F1 and OOS P/R on out-of-fold training predictions for each candidate threshold."""
    if model.validation is None:
        return []
    v = model.validation
    probabilities = v.probabilities()
    expected = [v.labels[i] for i in v.y_true]
    rows = []
    for threshold in thresholds:
        predicted = [v.labels[int(p.argmax())] if p.max() >= threshold else OOS for p in probabilities]
        metrics = classification_metrics(expected, predicted, _labels_for(expected, predicted))
        oos = metrics.get(OOS, IntentMetrics(0.0, 0.0, 0.0, 0))
        in_scope = [i for i, e in enumerate(expected) if e != OOS]
        swallowed = sum(1 for i in in_scope if predicted[i] == OOS) / max(1, len(in_scope))
        rows.append(
            {
                "threshold": threshold,
                "macro_f1": round(macro_f1(metrics), 4),
                "oos_precision": round(oos.precision, 4),
                "oos_recall": round(oos.recall, 4),
                "in_scope_swallowed": round(swallowed, 4),
            }
        )
    return rows


def rasa_status(url: str, timeout: float = 5.0) -> dict[str, str]:
    """What `GET /status` of a Rasa server says about the loaded model; empty if it won't say."""
    try:
        response = httpx.get(f"{url.rstrip('/')}/status", timeout=timeout)
        payload = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        return {}
    if not isinstance(payload, dict):
        return {}
    return {key: str(payload[key]) for key in ("model_file", "model_id") if payload.get(key)}


def evaluate_rasa(
    url: str,
    examples: Sequence[TrainingExample],
    threshold: float,
    repetitions: int,
    *,
    timeout: float = DEFAULT_RASA_TIMEOUT,
    server_pid: int | None = None,
    training_files: Sequence[Path] = DEFAULT_TRAINING_FILES,
    models_dir: Path | None = None,
) -> BackendReport:
    """The same figures for the Rasa backend, or an unavailable report when it can't be reached.

    `server_pid` (the `rasa run` process) adds the server's CPU time per parse. The training
    report of `models_dir` (default nlu/rasa/models/) supplies training time and memory; a
    warning is added when it was trained on other data than `training_files` hold now.
    """
    try:
        from nlu.rasa_backend import RasaIntentModel, rasa_training_report
    except ImportError as exc:
        return BackendReport(backend="rasa", available=False, note=f"nlu.rasa_backend missing: {exc}")
    training: dict[str, Any] = dict(rasa_training_report(models_dir) or {})
    warnings = _rasa_training_warnings(training, training_files)
    try:
        model = RasaIntentModel(url, timeout=timeout)
    except ValueError as exc:
        return BackendReport(
            backend="rasa", available=False, training=training, warnings=warnings, note=str(exc)
        )
    with model:
        try:
            # Also the warm-up: the first parse after loading is by far the slowest.
            model.predict("你好")
        except Exception as exc:  # unreachable server, bad answer
            return BackendReport(
                backend="rasa",
                available=False,
                training=training,
                warnings=warnings,
                note=f"{type(exc).__name__}: {exc}",
            )
        external_cpu = _server_cpu_reader(server_pid, warnings)
        # No fallback: a failure must show up as a failure, not as the embedded model's answer.
        interpreter = Interpreter(model, threshold=threshold)
        report = evaluate_interpreter(
            interpreter, examples, repetitions=repetitions, external_cpu=external_cpu
        )
    report.training = training
    report.server = rasa_status(url)
    report.warnings = warnings
    if report.answered_by.get("none"):
        report.warnings.append(
            f"Rasa failed to answer {report.answered_by['none']} message(s); they count as out_of_scope"
        )
    return report


def _server_cpu_reader(pid: int | None, warnings: list[str]) -> Callable[[], float | None] | None:
    if pid is None:
        return None
    if process_cpu_seconds(pid) is None:
        warnings.append(f"no process {pid} to read CPU time from; the server's CPU was not measured")
        return None

    def read() -> float | None:
        return process_cpu_seconds(pid)

    return read


def _rasa_training_warnings(training: dict[str, Any], training_files: Sequence[Path]) -> list[str]:
    if not training:
        return ["no nlu/rasa/models/train_report.json: Rasa's training time and memory are unknown"]
    recorded = training.get("nlu_data_sha256")
    if not isinstance(recorded, str):
        return ["cannot tell whether Rasa was trained on the current training data"]
    if recorded != training_data_sha256(training_files):
        names = ", ".join(f.name for f in training_files)
        return [
            f"Rasa's model was trained on other data than the embedded model now ({names}); "
            "retrain with scripts/rasa-train.sh for a fair comparison"
        ]
    return []


def training_data_sha256(files: Sequence[Path]) -> str | None:
    """One hash over the training files in order, as scripts/rasa-train.sh records it; None if unreadable."""
    try:
        return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    except OSError:
        return None


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "n/a"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 100:
            # Counts arrive as floats from the JSON training report (1279.0 examples).
            return f"{value:.0f}{unit}"
        return f"{value:.3f}{unit}" if abs(value) < 100 else f"{value:.1f}{unit}"
    return f"{value}{unit}"


def _abbreviation(label: str) -> str:
    if label == OOS:
        return "oos"
    parts = label.split("_")
    return "".join(p[0] for p in parts) if len(parts) > 1 else label[:3]


def format_report(report: BackendReport, test_file: Path, threshold: float) -> str:
    lines = [f"== {report.backend} on {test_file} =="]
    if not report.available:
        lines.append(f"unavailable: {report.note or 'n/a'}")
        lines.append(
            "macro-F1 n/a; OOS precision/recall n/a; latency n/a; "
            f"training time {_fmt(report.training.get('train_seconds'), ' s')}; "
            f"peak memory {_fmt(report.training.get('peak_rss_mb'), ' MB')}"
        )
        lines.extend(f"WARNING: {warning}" for warning in report.warnings)
        return "\n".join(lines)
    lines.append(
        f"{report.n_messages} messages; interpreter = normalise + crisis rules + {report.backend} model "
        f"+ entities; out-of-scope threshold {threshold:.2f}"
    )
    lines.append(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for label, m in report.per_intent.items():
        marker = "" if label in CONTRACT else "  (form control)"
        lines.append(f"{label:<22}{m.precision:>10.3f}{m.recall:>8.3f}{m.f1:>8.3f}{m.support:>9}{marker}")
    lines.append(f"macro-F1 over the {len(CONTRACT)} contract intents: {report.macro_f1:.3f}")
    lines.append(f"accuracy over all messages: {report.accuracy:.3f}")
    lines.append(f"out_of_scope precision {report.oos_precision:.3f}, recall {report.oos_recall:.3f}")
    lines.append(f"answered by: {report.answered_by}")
    lines.append("confusion matrix (rows = expected, columns = predicted):")
    short = [_abbreviation(label) for label in report.labels]
    lines.append("      " + "".join(f"{s:>5}" for s in short))
    for s, row in zip(short, report.confusion, strict=True):
        lines.append(f"{s:>5} " + "".join(f"{n:>5}" if n else "    ." for n in row))
    lines.append(
        "legend: " + ", ".join(f"{s}={label}" for s, label in zip(short, report.labels, strict=True))
    )
    if report.backend == "embedded":
        lines.append(
            f"parse latency (whole interpreter, pinned to one core): wall p50 {report.latency_p50_ms:.3f} ms, "
            f"p99 {report.latency_p99_ms:.3f} ms over {report.latency_samples} parses; thread CPU time "
            f"p50 {report.cpu_p50_ms:.3f} ms, p99 {report.cpu_p99_ms:.3f} ms"
        )
    else:
        server_cpu = (
            f"{report.server_cpu_ms_per_parse:.2f} ms per parse (mean)"
            if report.server_cpu_ms_per_parse is not None
            else "not measured (give --rasa-pid)"
        )
        lines.append(
            f"parse latency (whole interpreter incl. HTTP round trip; client pinned to one core, the "
            f"server is not): wall p50 {report.latency_p50_ms:.3f} ms, p99 {report.latency_p99_ms:.3f} ms "
            f"over {report.latency_samples} parses; client thread CPU p50 {report.cpu_p50_ms:.3f} ms, "
            f"p99 {report.cpu_p99_ms:.3f} ms; server process CPU {server_cpu}"
        )
    if report.training:
        training = report.training
        if report.backend == "embedded":
            lines.append(
                f"training: {_fmt(training.get('train_seconds'), ' s')} wall, "
                f"{_fmt(training.get('train_cpu_seconds'), ' s')} CPU for {training.get('n_examples')} examples "
                f"({training.get('n_features')} features; jieba dictionary load "
                f"{_fmt(training.get('tokenizer_load_seconds'), ' s')} not included); tracemalloc peak "
                f"{_fmt(training.get('tracemalloc_peak_mb'), ' MB')}; process ru_maxrss "
                f"{_fmt(training.get('ru_maxrss_mb'), ' MB')}"
            )
        else:
            lines.append(
                f"training (from Rasa's last training, {training.get('trained_at', 'n/a')}): "
                f"{_fmt(training.get('train_seconds'), ' s')} wall, {_fmt(training.get('cpu_seconds'), ' s')} "
                f"CPU, {_fmt(training.get('training_examples'))} examples; peak memory "
                f"{_fmt(training.get('peak_rss_mb'), ' MB')}; model {_fmt(training.get('model_size_mb'), ' MB')}; "
                f"rasa {training.get('rasa_version', 'n/a')}"
            )
    elif report.backend != "embedded":
        lines.append("training (from Rasa's last training): n/a")
    if report.server:
        lines.append("served model: " + ", ".join(f"{k} {v}" for k, v in report.server.items()))
    lines.extend(f"WARNING: {warning}" for warning in report.warnings)
    if report.calibration:
        c = report.calibration
        lines.append(
            f"calibration: temperature {_fmt(report.training.get('temperature'))}; out-of-fold ECE "
            f"{_fmt(c.get('oof_ece_uncalibrated'))} uncalibrated -> {_fmt(c.get('oof_ece_calibrated'))} "
            f"calibrated; test ECE {_fmt(c.get('test_ece'))} (classifier alone, accuracy "
            f"{_fmt(c.get('test_classifier_accuracy'))})"
        )
    if report.errors:
        lines.append(f"misclassified ({len(report.errors)}):")
        lines.extend(
            f"  {expected:>20} -> {predicted:<20} {text}" for text, expected, predicted in report.errors
        )
    return "\n".join(lines)


def _training_seconds(report: BackendReport) -> float | None:
    value = report.training.get("train_seconds")
    return float(value) if isinstance(value, int | float) else None


def _training_cpu_seconds(report: BackendReport) -> float | None:
    # The embedded figure is this process's; Rasa's is the `rasa train` process's (cpu_seconds).
    value = report.training.get("train_cpu_seconds", report.training.get("cpu_seconds"))
    return float(value) if isinstance(value, int | float) else None


def _peak_training_rss_mb(report: BackendReport) -> float | None:
    # The embedded model trains inside this process (ru_maxrss); Rasa in `rasa train` (peak_rss_mb).
    value = report.training.get("ru_maxrss_mb", report.training.get("peak_rss_mb"))
    return float(value) if isinstance(value, int | float) else None


def format_comparison(reports: Sequence[BackendReport]) -> str:
    """The available backends in columns: per-intent F1, headline figures, costs, issue 3 targets."""
    shown = [r for r in reports if r.available]
    width = 12
    header = f"{'':<34}" + "".join(f"{r.backend:>{width}}" for r in shown)
    lines = ["== side by side ==", header]

    def row(label: str, values: Sequence[float | None], digits: int = 3) -> None:
        cells = "".join(
            f"{'n/a':>{width}}" if value is None else f"{value:>{width}.{digits}f}" for value in values
        )
        lines.append(f"{label:<34}{cells}")

    labels = [label for label in ALL_INTENTS if any(label in r.per_intent for r in shown)]
    for label in labels:
        suffix = "" if label in CONTRACT else " (form)"
        row(f"F1 {label}{suffix}", [r.per_intent[label].f1 if label in r.per_intent else None for r in shown])
    row(f"macro-F1 ({len(CONTRACT)} contract intents)", [r.macro_f1 for r in shown])
    row("accuracy (all messages)", [r.accuracy for r in shown])
    row("out_of_scope precision", [r.oos_precision for r in shown])
    row("out_of_scope recall", [r.oos_recall for r in shown])
    row("parse wall p50 (ms)", [r.latency_p50_ms for r in shown])
    row("parse wall p99 (ms)", [r.latency_p99_ms for r in shown])
    row("parse CPU p50, this process (ms)", [r.cpu_p50_ms for r in shown])
    row("parse CPU p99, this process (ms)", [r.cpu_p99_ms for r in shown])
    row("server CPU per parse, mean (ms)", [r.server_cpu_ms_per_parse for r in shown])
    row("training time, wall (s)", [_training_seconds(r) for r in shown], 2)
    row("training time, CPU (s)", [_training_cpu_seconds(r) for r in shown], 2)
    row("peak RSS while training (MB)", [_peak_training_rss_mb(r) for r in shown], 1)

    embedded = next((r for r in shown if r.backend == "embedded"), None)
    rasa = next((r for r in shown if r.backend == "rasa"), None)
    if embedded is not None:
        lines.append("targets of issue 3 (embedded):")
        checks: list[tuple[str, bool | None]] = [
            (f"macro-F1 {embedded.macro_f1:.3f} >= {TARGET_MACRO_F1}", embedded.macro_f1 >= TARGET_MACRO_F1),
            (
                f"macro-F1 {embedded.macro_f1:.3f} >= Rasa's "
                + (f"{rasa.macro_f1:.3f}" if rasa is not None else "n/a"),
                embedded.macro_f1 >= rasa.macro_f1 if rasa is not None else None,
            ),
            (
                f"parse p99 wall {embedded.latency_p99_ms:.3f} ms < {TARGET_P99_MS} ms",
                embedded.latency_p99_ms < TARGET_P99_MS if embedded.latency_samples else None,
            ),
            (
                f"parse p99 CPU {embedded.cpu_p99_ms:.3f} ms < {TARGET_P99_MS} ms",
                embedded.cpu_p99_ms < TARGET_P99_MS if embedded.latency_samples else None,
            ),
        ]
        seconds = _training_seconds(embedded)
        checks.append(
            (
                f"training {_fmt(seconds, ' s')} < {TARGET_TRAIN_SECONDS:.0f} s",
                seconds < TARGET_TRAIN_SECONDS if seconds is not None else None,
            )
        )
        for text, met in checks:
            verdict = "n/a" if met is None else ("met" if met else "MISSED")
            lines.append(f"  [{verdict}] {text}")
    return "\n".join(lines)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m nlu.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa-url", default=os.environ.get("RASA_URL"), help="also evaluate Rasa at this URL"
    )
    parser.add_argument("--test-file", type=Path, default=HELD_OUT_TEST_FILE, help="held-out Rasa NLU YAML")
    parser.add_argument(
        "--train-file",
        type=Path,
        action="append",
        default=None,
        help="training file(s) for the embedded model (default: nlu/data/nlu.yml)",
    )
    parser.add_argument(
        "--rasa-pid",
        type=int,
        default=None,
        help="process id of `rasa run` (scripts/rasa-serve.sh writes it to nlu/rasa/.rasa/rasa-serve-PORT.pid) "
        "to measure the server's CPU time per parse",
    )
    parser.add_argument(
        "--rasa-timeout",
        type=float,
        default=DEFAULT_RASA_TIMEOUT,
        help=f"seconds to wait for one Rasa answer (default {DEFAULT_RASA_TIMEOUT:.0f})",
    )
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="out-of-scope threshold")
    parser.add_argument("--repetitions", type=int, default=5, help="latency passes over the test file")
    parser.add_argument(
        "--sweep", action="store_true", help="show the threshold sweep on out-of-fold predictions"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--blind",
        type=Path,
        action="append",
        default=None,
        metavar="ROUND_DIR",
        help="evaluate a blind round folder (nlu/data/blind/round-NN) instead of the held-out file; "
        "crisis recall, false alarms and macro-F1 as the assistant would act",
    )
    parser.add_argument(
        "--brief", action="store_true", help="with --blind: figures only, no list of failures"
    )
    return parser.parse_args(argv)


def run_blind(args: argparse.Namespace) -> int:
    """Each round once with the embedded model (and Rasa beside it with --rasa-url)."""
    from nlu.blind import evaluate_round, format_round_report, load_round

    training_files = tuple(args.train_file or DEFAULT_TRAINING_FILES)
    model, _ = train_with_figures(training_files)
    interpreters = [Interpreter(model, threshold=args.threshold)]
    rasa_model = None
    if args.rasa_url:
        from nlu.rasa_backend import RasaIntentModel

        rasa_model = RasaIntentModel(args.rasa_url, timeout=args.rasa_timeout)
        interpreters.append(Interpreter(rasa_model, threshold=args.threshold))
    payload: list[dict[str, Any]] = []
    for folder in args.blind:
        messages = load_round(folder)
        for interpreter in interpreters:
            report = evaluate_round(messages, interpreter.parse, interpreter.model.name)
            if args.json:
                payload.append({"round": folder.name, **asdict(report)})
            else:
                print(format_round_report(report, folder.name, show_failures=not args.brief))
                print()
    if rasa_model is not None:
        rasa_model.close()
    if args.json:
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.blind:
        return run_blind(args)
    examples = load_training_data([args.test_file])
    training_files = tuple(args.train_file or DEFAULT_TRAINING_FILES)
    model, training = train_with_figures(training_files)
    embedded = evaluate_interpreter(
        Interpreter(model, threshold=args.threshold), examples, repetitions=args.repetitions
    )
    embedded.training = training
    embedded.calibration = calibration_figures(model, examples)
    reports = [embedded]
    if args.rasa_url:
        reports.append(
            evaluate_rasa(
                args.rasa_url,
                examples,
                args.threshold,
                args.repetitions,
                timeout=args.rasa_timeout,
                server_pid=args.rasa_pid,
                training_files=training_files,
            )
        )
    sweep = threshold_sweep(model, [round(t, 2) for t in np.arange(0.1, 0.95, 0.05)]) if args.sweep else []

    if args.json:
        payload = {
            "test_file": str(args.test_file),
            "threshold": args.threshold,
            "reports": [asdict(r) for r in reports],
            "threshold_sweep": sweep,
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    for report in reports:
        print(format_report(report, args.test_file, args.threshold))
        print()
    print(format_comparison(reports))
    print()
    if sweep:
        print("threshold sweep on out-of-fold training predictions (the test file is not used):")
        print(f"{'threshold':>10}{'macro-F1':>10}{'OOS P':>8}{'OOS R':>8}{'in-scope->OOS':>15}")
        for row in sweep:
            print(
                f"{row['threshold']:>10.2f}{row['macro_f1']:>10.3f}{row['oos_precision']:>8.3f}"
                f"{row['oos_recall']:>8.3f}{row['in_scope_swallowed']:>15.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
