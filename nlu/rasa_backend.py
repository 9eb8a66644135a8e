"""Intent model backed by a running Rasa 3.6 server (`rasa run --enable-api`).

Rasa needs Python 3.10 and TensorFlow, so it runs as a separate process from its own
virtualenv (see docs/rasa.md); this module only speaks its HTTP API with httpx and never
imports rasa. Any failure to get a usable answer raises `RasaUnavailable`, so the caller
can fall back to the embedded model instead of guessing.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from nlu.types import Entity, EntityKind, Intent, IntentScore

DEFAULT_MODELS_DIR = Path(__file__).resolve().parent / "rasa" / "models"
TRAIN_REPORT_NAME = "train_report.json"

# Rasa's FallbackClassifier answers this when the top intent is below its threshold; for the
# bot that is the same situation as an out-of-scope message.
RASA_FALLBACK_INTENT = "nlu_fallback"

_ENTITY_KINDS: dict[str, EntityKind] = {kind.value: kind for kind in EntityKind}


class RasaUnavailable(Exception):
    """The Rasa server could not give a usable answer (down, slow, error status, bad JSON)."""


@dataclass(frozen=True, slots=True)
class RasaParse:
    """One `/model/parse` answer, reduced to the project's types."""

    text: str
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...]


class RasaIntentModel:
    """Classifies normalised messages by asking a Rasa server's `/model/parse` endpoint.

    One httpx client is kept per model so that consecutive requests reuse the connection.
    The last answer is remembered, so `predict` followed by `parse_entities` on the same
    text costs one request.
    """

    name = "rasa"

    def __init__(self, url: str, *, timeout: float = 2.0, client: httpx.Client | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"Rasa URL must start with http:// or https://, got {url!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=httpx.Timeout(timeout))
        self._lock = threading.Lock()
        self._last: RasaParse | None = None

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        """Intent ranking for `normalized`, highest confidence first; never empty."""
        return self.parse(normalized).ranking

    def parse_entities(self, normalized: str) -> tuple[Entity, ...]:
        """Entities Rasa extracted whose kind the project knows; others are dropped."""
        return self.parse(normalized).entities

    def parse(self, normalized: str) -> RasaParse:
        """Ranking and entities of one message, from one `/model/parse` request."""
        with self._lock:
            last = self._last
        if last is not None and last.text == normalized:
            return last
        payload = self._post_parse(normalized)
        result = RasaParse(
            text=normalized,
            ranking=ranking_from_payload(payload),
            entities=entities_from_payload(payload, normalized),
        )
        with self._lock:
            self._last = result
        return result

    def _post_parse(self, normalized: str) -> Mapping[str, Any]:
        endpoint = f"{self.url}/model/parse"
        try:
            response = self._client.post(endpoint, json={"text": normalized}, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa at {endpoint} did not answer within {self.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {endpoint} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa at {endpoint} answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RasaUnavailable(f"Rasa at {endpoint} answered malformed JSON") from exc
        if not isinstance(payload, dict):
            raise RasaUnavailable(f"Rasa at {endpoint} answered {type(payload).__name__}, not an object")
        return payload

    def close(self) -> None:
        """Close the HTTP client if this model created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def ranking_from_payload(payload: Mapping[str, Any]) -> tuple[IntentScore, ...]:
    """Turn a `/model/parse` answer into a sorted, de-duplicated intent ranking.

    `intent_ranking` is preferred because it has every candidate; `intent` alone is used when
    the ranking is absent (Rasa omits it for some pipelines). `nlu_fallback` becomes
    `out_of_scope`, keeping the higher confidence if both appear.
    """
    raw_ranking = payload.get("intent_ranking")
    entries: Sequence[Any]
    if isinstance(raw_ranking, list) and raw_ranking:
        entries = raw_ranking
    elif "intent" in payload:
        entries = [payload["intent"]]
    else:
        raise RasaUnavailable("Rasa answer has neither 'intent_ranking' nor 'intent'")

    best: dict[str, float] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise RasaUnavailable(f"Rasa intent entry is {type(entry).__name__}, not an object")
        name = entry.get("name")
        if name is None:
            # Rasa answers an empty message with a nameless intent; there is nothing to rank.
            continue
        if not isinstance(name, str):
            raise RasaUnavailable(f"Rasa intent name is {type(name).__name__}, not a string")
        confidence = _confidence(entry.get("confidence"))
        mapped = Intent.OUT_OF_SCOPE.value if name == RASA_FALLBACK_INTENT else name
        best[mapped] = max(confidence, best.get(mapped, 0.0))

    if not best:
        return (IntentScore(Intent.OUT_OF_SCOPE.value, 0.0),)
    ordered = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return tuple(IntentScore(name, confidence) for name, confidence in ordered)


def entities_from_payload(payload: Mapping[str, Any], normalized: str) -> tuple[Entity, ...]:
    """Map Rasa's `entities` onto `nlu.types.Entity`, skipping kinds the project does not know."""
    raw_entities = payload.get("entities") or []
    if not isinstance(raw_entities, list):
        raise RasaUnavailable(f"Rasa 'entities' is {type(raw_entities).__name__}, not a list")
    found: list[Entity] = []
    for raw in raw_entities:
        if not isinstance(raw, dict):
            raise RasaUnavailable(f"Rasa entity is {type(raw).__name__}, not an object")
        kind = _ENTITY_KINDS.get(str(raw.get("entity", "")))
        if kind is None:
            continue
        start, end = raw.get("start"), raw.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(normalized)):
            continue
        text = normalized[start:end]
        value = raw.get("value")
        # Regex and lookup extractors report no confidence: they matched exactly.
        score = raw.get("confidence_entity")
        found.append(
            Entity(
                kind=kind,
                value=str(value) if value is not None else text,
                text=text,
                start=start,
                end=end,
                score=_confidence(score) if score is not None else 1.0,
            )
        )
    return tuple(sorted(found, key=lambda e: (e.start, e.end)))


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RasaUnavailable(f"Rasa confidence {value!r} is not a finite number")
    return min(1.0, max(0.0, float(value)))


def rasa_training_report(models_dir: Path | None = None) -> dict[str, float | str] | None:
    """What `scripts/rasa-train.sh` recorded about the last training, or None if there is none.

    Keys: train_seconds, peak_rss_mb, model_size_mb (floats), rasa_version, trained_at,
    model_file (strings). Unknown keys are kept; values that are neither numbers nor strings
    are dropped.
    """
    path = (models_dir if models_dir is not None else DEFAULT_MODELS_DIR) / TRAIN_REPORT_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(raw, dict):
        return None
    report: dict[str, float | str] = {}
    for key, value in raw.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            report[str(key)] = float(value)
        elif isinstance(value, str):
            report[str(key)] = value
    return report
