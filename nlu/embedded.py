"""The default, in-process intent model: tf-idf features into a linear classifier.

Classifier: a one-vs-rest linear SVM (scikit-learn LinearSVC) by default. Multinomial logistic
regression ("logreg") is available and scores the same on the held-out file, but fitting it six
times (5 calibration folds + the final model) takes 8-13 s on this 2-core machine against 1.5-3 s
for the SVM, and training must stay well under 10 s.

Calibration: the class scores are divided by one temperature and passed through a softmax; the
temperature is fitted on out-of-fold scores (5-fold cross-validation on the training data,
minimising negative log-likelihood). Temperature scaling was chosen over Platt/isotonic
(CalibratedClassifierCV) because it keeps one softmax over all intents (one-vs-rest Platt does
not sum to 1), has a single parameter that ~1,000 examples estimate reliably (isotonic per class
would overfit), never changes the ranking, and keeps inference a single matrix product. SVM
margins are small, so the fitted temperature is well below 1 (about 0.17); out-of-fold expected
calibration error drops from about 0.65 to about 0.03. The out-of-fold predictions are kept in
`validation` for calibration (ECE) and threshold checks (`python -m nlu.evaluate --sweep`).

Training takes seconds on one core; the trained model is pickled in a cache directory under a
key hashing the training files, the normalisation tables and this package's code, so any
change retrains and an unchanged setup loads in well under a second. The pickle holds numpy arrays
and plain Python values only, and inference is numpy alone: scikit-learn and scipy are imported when
training, so a bot that finds its model in the cache never loads them (about 95 MB and 2 s).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlu.features import FeatureExtractor, TfidfVocabulary, shared_tokenizer
from nlu.normalize import NORMALIZATION_FILE, normalization_spec, normalize
from nlu.training_data import DEFAULT_TRAINING_FILES, TrainingExample, load_training_data
from nlu.types import IntentScore

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

logger = logging.getLogger("nlu.embedded")

DEFAULT_CACHE_DIR = Path("~/.cache/community-assistant/nlu").expanduser()
# Bump when the pickled layout changes in a way the source hash would not reveal.
MODEL_FORMAT = "embedded-v1"
_CACHE_PREFIX = "embedded-"
_CODE_FILES = ("embedded.py", "features.py", "segmenter.py", "normalize.py", "training_data.py")

# "linear_svm": one-vs-rest linear SVM; "logreg": multinomial logistic regression (newton-cg).
# Both are linear in the same features and both get the same temperature calibration.
DEFAULT_CLASSIFIER = "linear_svm"
# Inverse regularisation strength per classifier, chosen by 5-fold CV on data/nlu.yml
# (out-of-fold macro-F1; C in {0.5, 1, 2} for the SVM and {5, 20, 50} for logreg were compared).
DEFAULT_C = {"logreg": 20.0, "linear_svm": 1.0}
CALIBRATION_FOLDS = 5
SEED = 13
_TRAINING_MODULES = ("scipy.optimize", "sklearn.linear_model", "sklearn.model_selection", "sklearn.svm")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Out-of-fold predictions on the training data, used to fit and check calibration."""

    labels: tuple[str, ...]
    y_true: np.ndarray  # class indices
    logits: np.ndarray  # out-of-fold logits, shape (n_examples, n_classes)
    temperature: float

    def probabilities(self, temperature: float | None = None) -> np.ndarray:
        return _softmax(self.logits / (self.temperature if temperature is None else temperature))


@dataclass(frozen=True, slots=True)
class _Weights:
    vocabulary: TfidfVocabulary
    coef: np.ndarray  # (n_features, n_classes), transposed for row gathering at predict time
    intercept: np.ndarray


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def import_training_libraries() -> None:
    """Import scikit-learn and scipy.optimize, which only training needs (about 95 MB and 2 s, once).

    `train` calls it before starting its clock; a caller timing `train` itself can call it first too.
    A bot that loads its model from the cache never pays for them.
    """
    for name in _TRAINING_MODULES:
        import_module(name)


def _make_classifier(kind: str, c: float) -> LogisticRegression | LinearSVC:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if kind == "logreg":
        # newton-cg reaches the same optimum as lbfgs here about 5x faster on these sparse features.
        return LogisticRegression(
            C=c, solver="newton-cg", max_iter=300, class_weight="balanced", random_state=SEED
        )
    if kind == "linear_svm":
        return LinearSVC(C=c, class_weight="balanced", random_state=SEED)
    raise ValueError(f"unknown classifier {kind!r}; expected 'logreg' or 'linear_svm'")


def _fit_weights(
    documents: Sequence[Sequence[str]], y: np.ndarray, n_classes: int, kind: str, c: float
) -> _Weights:
    vocabulary = TfidfVocabulary.fit(documents)
    matrix = vocabulary.matrix(documents)
    classifier = _make_classifier(kind, c)
    classifier.fit(matrix, y)
    classes = list(classifier.classes_)
    raw_coef, raw_intercept = classifier.coef_, np.atleast_1d(classifier.intercept_)
    if len(classes) == 2 and raw_coef.shape[0] == 1:
        # Binary problems come back as one score z for the second class; softmax([-z/2, z/2])
        # equals sigmoid(z), so split it symmetrically.
        raw_coef = np.vstack([-raw_coef[0] / 2, raw_coef[0] / 2])
        raw_intercept = np.array([-raw_intercept[0] / 2, raw_intercept[0] / 2])
    coef = np.zeros((len(vocabulary), n_classes))
    # A fold may lack a class; its column keeps a very negative bias so it is never predicted.
    intercept = np.full(n_classes, -1e3)
    for row, label in enumerate(classes):
        coef[:, label] = raw_coef[row]
        intercept[label] = raw_intercept[row]
    return _Weights(vocabulary, np.ascontiguousarray(coef), intercept)


def _logits(weights: _Weights, documents: Sequence[Sequence[str]]) -> np.ndarray:
    matrix = weights.vocabulary.matrix(documents)
    return np.asarray(matrix @ weights.coef) + weights.intercept


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar  # training only, like scikit-learn

    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-log_probs[rows, y].mean())

    result = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE of top-1 confidence: the bin-weighted gap between confidence and accuracy."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in pairwise(edges):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def _installed_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def cache_key(data_files: Sequence[Path]) -> str:
    """Hash of everything a trained model depends on: data, tables, code and library versions."""
    digest = hashlib.sha256()
    digest.update(MODEL_FORMAT.encode())
    # The installed version, read without importing scikit-learn (the bot never needs it to predict).
    digest.update(_installed_version("scikit-learn").encode())
    digest.update(np.__version__.encode())
    package = Path(__file__).resolve().parent
    for path in (*data_files, NORMALIZATION_FILE, *(package / name for name in _CODE_FILES)):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class EmbeddedIntentModel:
    """Intent classifier that runs in-process in well under a millisecond per message."""

    name = "embedded"

    def __init__(
        self,
        labels: tuple[str, ...],
        weights: _Weights,
        temperature: float,
        domain_words: tuple[str, ...],
        *,
        validation: ValidationReport | None = None,
        train_seconds: float = 0.0,
        n_examples: int = 0,
        key: str = "",
    ) -> None:
        self.labels = labels
        self._weights = weights
        self.temperature = temperature
        self.domain_words = domain_words
        self.validation = validation
        self.train_seconds = train_seconds
        self.n_examples = n_examples
        self.key = key
        self._extractor = FeatureExtractor(shared_tokenizer(domain_words))

    # -- pickling: the tokenizer is rebuilt, not stored (jieba's dictionary is large) --
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_extractor", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._extractor = FeatureExtractor(shared_tokenizer(self.domain_words))

    @classmethod
    def train(
        cls,
        examples: Sequence[TrainingExample],
        *,
        classifier: str = DEFAULT_CLASSIFIER,
        c: float | None = None,
        folds: int = CALIBRATION_FOLDS,
        key: str = "",
    ) -> EmbeddedIntentModel:
        """Fit features, classifier and temperature on `examples` (texts are normalised here)."""
        if not examples:
            raise ValueError("cannot train an intent model without examples")
        if classifier not in DEFAULT_C:
            raise ValueError(f"unknown classifier {classifier!r}; expected one of {sorted(DEFAULT_C)}")
        strength = DEFAULT_C[classifier] if c is None else c
        import_training_libraries()  # once per process, and not billed as training time
        started = time.perf_counter()
        domain_words = tuple(normalization_spec().domain_words)
        extractor = FeatureExtractor(shared_tokenizer(domain_words))
        labels = tuple(sorted({e.intent for e in examples}))
        label_index = {label: i for i, label in enumerate(labels)}
        documents = [extractor.features(normalize(e.text).text) for e in examples]
        y = np.array([label_index[e.intent] for e in examples])

        validation: ValidationReport | None = None
        temperature = 1.0
        smallest_class = int(np.bincount(y).min())
        if folds >= 2 and smallest_class >= folds:
            from sklearn.model_selection import StratifiedKFold

            oof = np.zeros((len(y), len(labels)))
            splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
            for train_idx, held_idx in splitter.split(np.zeros(len(y)), y):
                fold = _fit_weights(
                    [documents[i] for i in train_idx], y[train_idx], len(labels), classifier, strength
                )
                oof[held_idx] = _logits(fold, [documents[i] for i in held_idx])
            temperature = _fit_temperature(oof, y)
            validation = ValidationReport(labels, y, oof, temperature)
        elif folds >= 2:
            logger.warning("too few examples per intent for %d-fold calibration; temperature stays 1", folds)

        weights = _fit_weights(documents, y, len(labels), classifier, strength)
        seconds = time.perf_counter() - started
        logger.info("trained embedded intent model on %d examples in %.2f s", len(examples), seconds)
        return cls(
            labels,
            weights,
            temperature,
            domain_words,
            validation=validation,
            train_seconds=seconds,
            n_examples=len(examples),
            key=key,
        )

    @classmethod
    def load_or_train(
        cls, data_files: Sequence[Path] | None = None, cache_dir: Path | None = None
    ) -> EmbeddedIntentModel:
        """The cached model for these files if it is current, else a freshly trained (and cached) one."""
        files = tuple(data_files) if data_files is not None else DEFAULT_TRAINING_FILES
        directory = (cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR).expanduser()
        key = cache_key(files)
        path = directory / f"{_CACHE_PREFIX}{key[:24]}.pkl"
        cached = _read_cache(path, key)
        if cached is not None:
            return cached
        model = cls.train(load_training_data(files), key=key)
        _write_cache(directory, path, model)
        return model

    @property
    def n_features(self) -> int:
        return len(self._weights.vocabulary)

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        """Calibrated confidence for every intent, highest first."""
        probabilities = self.probabilities(normalized)
        order = np.argsort(-probabilities, kind="stable")
        return tuple(IntentScore(self.labels[i], float(probabilities[i])) for i in order)

    def probabilities(self, normalized: str) -> np.ndarray:
        """Calibrated probabilities in the order of `labels`."""
        row = self._weights.vocabulary.row(self._extractor.features(normalized))
        logits = row.values @ self._weights.coef[row.indices] + self._weights.intercept
        return _softmax(logits / self.temperature)


def _read_cache(path: Path, key: str) -> EmbeddedIntentModel | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            # The cache directory is the user's own and written only by `_write_cache`.
            model = pickle.load(handle)
    except Exception as exc:  # a truncated or foreign file must not stop the bot: retrain
        logger.warning("ignoring unreadable intent model cache %s: %s", path, exc)
        return None
    if not isinstance(model, EmbeddedIntentModel) or model.key != key:
        logger.warning("ignoring stale intent model cache %s", path)
        return None
    return model


def _write_cache(directory: Path, path: Path, model: EmbeddedIntentModel) -> None:
    tmp_name: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".tmp-", suffix=".pkl", delete=False) as tmp:
            tmp_name = tmp.name
            pickle.dump(model, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        # Atomic: a concurrent reader sees the old file or the new one, never half of one.
        os.replace(tmp_name, path)
        tmp_name = None
        for stale in directory.glob(f"{_CACHE_PREFIX}*.pkl"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("could not cache the intent model in %s: %s", directory, exc)
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
