"""Per-intent precision, recall and F1, and macro-F1 over the contract intents: one definition for the
held-out evaluation (nlu/evaluate.py) and the blind rounds (nlu/blind.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlu.types import CONTRACT_INTENTS

CONTRACT = tuple(intent.value for intent in CONTRACT_INTENTS)


@dataclass(frozen=True, slots=True)
class IntentMetrics:
    precision: float
    recall: float
    f1: float
    support: int


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
