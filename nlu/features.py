"""Sparse text features for the embedded intent model: jieba words plus character 1-3 grams.

Words carry meaning when jieba segments well; character n-grams survive mis-segmentation,
typos the tables missed and leftover Cantonese, which matters for short Chinese messages.
Digits are folded to 0 so that any phone number or case reference looks alike to the model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from nlu.segmenter import LayeredTokenizer

if TYPE_CHECKING:
    # scipy is for training only (`matrix`); inference stays on numpy.
    import scipy.sparse as sp

_DIGIT = re.compile(r"[0-9]")
_SPACE = re.compile(r"\s+")
_LENGTH_BUCKETS = (1, 2, 4, 7, 12, 20, 40)


def _length_bucket(n: int) -> str:
    for bound in _LENGTH_BUCKETS:
        if n <= bound:
            return f"len:<={bound}"
    return f"len:>{_LENGTH_BUCKETS[-1]}"


class Tokenizer:
    """jieba words with the model's domain words layered over the process's one jieba dictionary.

    The layer is private (nlu/segmenter.py), so words other modules add can't shift features, and the
    70 MB dictionary is shared, not loaded again.
    """

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._jieba = LayeredTokenizer(extra_words)

    def words(self, text: str) -> list[str]:
        return [w for w in self._jieba.lcut(text) if not w.isspace()]


@cache
def shared_tokenizer(extra_words: tuple[str, ...] = ()) -> Tokenizer:
    """One tokenizer per word list in the process: adding the words costs a few milliseconds."""
    return Tokenizer(extra_words)


class FeatureExtractor:
    """Turns normalised text into feature names (`w:` words, `b:` word bigrams, `c:` char n-grams)."""

    def __init__(self, tokenizer: Tokenizer, *, max_char_ngram: int = 3) -> None:
        self._tokenizer = tokenizer
        self._max_n = max_char_ngram

    def features(self, normalized: str) -> list[str]:
        text = _DIGIT.sub("0", normalized.lower())
        compact = _SPACE.sub("", text)
        feats: list[str] = [_length_bucket(len(compact))]
        words = self._tokenizer.words(text)
        feats.extend(f"w:{w}" for w in words)
        feats.extend(f"b:{a}|{b}" for a, b in pairwise(words))
        feats.extend(f"c:{ch}" for ch in compact)
        # Boundary marks let "进度?" at the end differ from 进度 inside a longer sentence.
        padded = f"^{compact}$"
        for n in range(2, self._max_n + 1):
            feats.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
        return feats


@dataclass(frozen=True, slots=True)
class SparseRow:
    """One document's non-zero feature indices and tf-idf weights (L2-normalised)."""

    indices: np.ndarray
    values: np.ndarray


class TfidfVocabulary:
    """Feature name -> column, with smoothed idf and sublinear tf, fitted on training documents."""

    def __init__(self, index: Mapping[str, int], idf: np.ndarray) -> None:
        self.index = dict(index)
        self.idf = idf

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> TfidfVocabulary:
        df: Counter[str] = Counter()
        for doc in documents:
            df.update(set(doc))
        names = sorted(df)
        index = {name: i for i, name in enumerate(names)}
        n_docs = len(documents)
        idf = np.array([math.log((1 + n_docs) / (1 + df[name])) + 1.0 for name in names])
        return cls(index, idf)

    def __len__(self) -> int:
        return len(self.index)

    def row(self, features: Sequence[str]) -> SparseRow:
        # Plain dict counting: this runs on every message, and Counter's overhead shows in p99.
        counts: dict[int, int] = {}
        index = self.index
        for name in features:
            column = index.get(name)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return SparseRow(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        indices = np.array(list(counts), dtype=np.int64)
        tf = np.array(list(counts.values()), dtype=np.float64)
        values = (1.0 + np.log(tf)) * self.idf[indices]
        values /= np.linalg.norm(values)
        return SparseRow(indices, values)

    def matrix(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """All documents at once; same weights as `row`, vectorised because training calls it a lot."""
        import scipy.sparse as sp  # training only: the running bot never needs scipy for the model

        index = self.index
        row_ids: list[int] = []
        columns: list[int] = []
        for i, doc in enumerate(documents):
            for name in doc:
                column = index.get(name)
                if column is not None:
                    row_ids.append(i)
                    columns.append(column)
        counts = sp.coo_matrix(
            (np.ones(len(columns)), (np.array(row_ids, dtype=np.int64), np.array(columns, dtype=np.int64))),
            shape=(len(documents), len(self)),
        ).tocsr()
        counts.sum_duplicates()
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ counts)
