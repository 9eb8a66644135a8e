"""Evaluate the intent models on the held-out file: `python -m nlu.evaluate [--rasa-url URL]`.

Reports, per backend: per-intent precision/recall/F1, macro-F1 over the contract intents, a
confusion matrix, out-of-scope precision and recall, and parse latency p50/p99 of the whole
interpreter (normalisation, crisis rules, model, entities). For the embedded model also its
training time and memory; for Rasa the figures its training script recorded. `--sweep` shows
how the out-of-scope threshold behaves on out-of-fold training predictions (how the default
was tuned); `--json` prints everything machine-readably.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlu.embedded import EmbeddedIntentModel, expected_calibration_error
from nlu.features import shared_tokenizer
from nlu.interpreter import DEFAULT_THRESHOLD, IntentModel, Interpreter
from nlu.normalize import normalization_spec, normalize
from nlu.training_data import DEFAULT_TRAINING_FILES, HELD_OUT_TEST_FILE, TrainingExample, load_training_data
from nlu.types import CONTRACT_INTENTS, Intent

OOS = Intent.OUT_OF_SCOPE.value
CONTRACT = tuple(intent.value for intent in CONTRACT_INTENTS)
ALL_INTENTS = tuple(intent.value for intent in Intent)


@dataclass(frozen=True, slots=True)
class IntentMetrics:
    precision: float
    recall: float
    f1: float
    support: int


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
    answered_by: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (text, expected, predicted)
    training: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, float] = field(default_factory=dict)
    note: str = ""


def classification_metrics(
    expected: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, IntentMetrics]:
    """Precision, recall, F1 and support per label (0 where undefined)."""
    metrics: dict[str, IntentMetrics] = {}
    for label in labels:
        tp = sum(1 for e, p in zip(expected, predicted, strict=True) if e == label and p == label)
        fp = sum(1 for e, p in zip(expected, predicted, strict=True) if e != label and p == label)
        fn = sum(1 for e, p in zip(expected, predicted, strict=True) if e == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[label] = IntentMetrics(precision, recall, f1, tp + fn)
    return metrics


def macro_f1(metrics: dict[str, IntentMetrics], labels: Sequence[str] = CONTRACT) -> float:
    """Mean F1 over `labels` that occur in the evaluated data."""
    present = [metrics[label].f1 for label in labels if label in metrics and metrics[label].support > 0]
    return float(np.mean(present)) if present else 0.0


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


def measure_latency(
    interpreter: Interpreter, texts: Sequence[str], repetitions: int
) -> tuple[list[int], list[int]]:
    """Wall-clock and thread-CPU nanoseconds per `parse`, every text `repetitions` times, after a warm-up pass."""
    for text in texts:
        interpreter.parse(text)
    wall: list[int] = []
    cpu: list[int] = []
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
    return wall, cpu


def evaluate_interpreter(
    interpreter: Interpreter, examples: Sequence[TrainingExample], *, repetitions: int = 5
) -> BackendReport:
    """Accuracy figures and latency of one interpreter on labelled examples."""
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
    samples, cpu = (
        measure_latency(interpreter, [e.text for e in examples], repetitions) if repetitions else ([], [])
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
    started = time.perf_counter()
    model = EmbeddedIntentModel.train(examples)
    seconds = time.perf_counter() - started
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


def evaluate_rasa(
    url: str, examples: Sequence[TrainingExample], threshold: float, repetitions: int
) -> BackendReport:
    """The same figures for the Rasa backend, or an unavailable report when it can't be reached."""
    try:
        from nlu.rasa_backend import RasaIntentModel, rasa_training_report
    except ImportError as exc:
        return BackendReport(backend="rasa", available=False, note=f"nlu.rasa_backend missing: {exc}")
    training: dict[str, Any] = dict(rasa_training_report() or {})
    try:
        model: IntentModel = RasaIntentModel(url)
        model.predict("你好")
    except Exception as exc:  # unreachable server, bad URL, bad answer
        return BackendReport(
            backend="rasa", available=False, training=training, note=f"{type(exc).__name__}: {exc}"
        )
    # No fallback: a failure must show up as a failure, not as the embedded model's answer.
    interpreter = Interpreter(model, threshold=threshold)
    report = evaluate_interpreter(interpreter, examples, repetitions=repetitions)
    report.training = training
    return report


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "n/a"
    if isinstance(value, float):
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
    lines.append(
        f"parse latency (whole interpreter, one core): p50 {report.latency_p50_ms:.3f} ms, "
        f"p99 {report.latency_p99_ms:.3f} ms over {report.latency_samples} parses; thread CPU time "
        f"p50 {report.cpu_p50_ms:.3f} ms, p99 {report.cpu_p99_ms:.3f} ms"
    )
    if report.training:
        training = report.training
        if report.backend == "embedded":
            lines.append(
                f"training: {_fmt(training.get('train_seconds'), ' s')} for {training.get('n_examples')} examples "
                f"({training.get('n_features')} features; jieba dictionary load "
                f"{_fmt(training.get('tokenizer_load_seconds'), ' s')} not included); tracemalloc peak "
                f"{_fmt(training.get('tracemalloc_peak_mb'), ' MB')}; process ru_maxrss "
                f"{_fmt(training.get('ru_maxrss_mb'), ' MB')}"
            )
        else:
            lines.append(
                f"training (from Rasa's last training): {_fmt(training.get('train_seconds'), ' s')}; "
                f"peak memory {_fmt(training.get('peak_rss_mb'), ' MB')}"
            )
    elif report.backend != "embedded":
        lines.append("training (from Rasa's last training): n/a")
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
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="out-of-scope threshold")
    parser.add_argument("--repetitions", type=int, default=5, help="latency passes over the test file")
    parser.add_argument(
        "--sweep", action="store_true", help="show the threshold sweep on out-of-fold predictions"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    examples = load_training_data([args.test_file])
    model, training = train_with_figures(tuple(args.train_file or DEFAULT_TRAINING_FILES))
    embedded = evaluate_interpreter(
        Interpreter(model, threshold=args.threshold), examples, repetitions=args.repetitions
    )
    embedded.training = training
    embedded.calibration = calibration_figures(model, examples)
    reports = [embedded]
    if args.rasa_url:
        reports.append(evaluate_rasa(args.rasa_url, examples, args.threshold, args.repetitions))
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
