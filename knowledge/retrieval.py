"""Policy retrieval over the knowledge pack: BM25 on jieba tokens, fuzzy question matching, synonyms.

How a question is answered:
1. It is normalised (NFKC, Traditional -> Simplified, lower case) and cut with jieba (search mode);
   function and question words are dropped, and words of the synonym groups it mentions are added
   (query expansion: 义工 also looks for 志愿者, 钱 for 资助/经费/补贴 ...).
2. BM25 (bm25s) scores every record's text (title + questions + keywords + answer); rapidfuzz finds
   records with a near-identical question. The best few of both are ranked on BM25, fuzzy similarity
   and coverage: the IDF-weighted share of the question's own words (or their synonyms) the record holds.
3. Confidence is the fuzzy similarity or the coverage (discounted when the runner-up is close); only above
   the threshold is there an answer. Two guards cap it: a question asking for a figure (多少, 几个, 什么时候)
   whose best record states none, and a question about a place outside Shenzhen.
Below the threshold the closest records (that share at least a word with the question) are suggestions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from knowledge.pack import Pack, PackError, PackRecord, load_pack
from knowledge.schema import SynonymsFile
from knowledge.text import numbers_in, to_simplified
from knowledge.types import PolicyAnswer, RetrievalResult, Topic

DEFAULT_SYNONYMS = Path(__file__).resolve().parent / "synonyms.yml"
DEFAULT_THRESHOLD = 0.6
MAX_SUGGESTIONS = 3
_CANDIDATES = 8  # how many BM25 and fuzzy hits are ranked in detail
_GUARD_CAP = 0.3  # confidence ceiling when a scope guard fires (below any sensible threshold)
_NEAR_DUPLICATE = 0.85  # fuzzy similarity at which a question is taken as one the record lists
_MIN_SUGGESTION_COVERAGE = 0.2

_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff]")
_NOT_COMPACT = re.compile(r"[\s\W_]+")


def normalise(text: str) -> str:
    """The form questions and records are compared in: NFKC, Simplified, lower case, trimmed."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower().strip()


def compact(text: str) -> str:
    """Normalised text without whitespace and punctuation, for substring and fuzzy matching."""
    return _NOT_COMPACT.sub("", normalise(text))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The synonym groups, stopwords and scope words of knowledge/synonyms.yml, normalised."""

    groups: tuple[tuple[str, ...], ...]
    stopwords: frozenset[str]
    figure_cues: tuple[str, ...]
    outside_places: tuple[str, ...]
    local_places: tuple[str, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        path = path or DEFAULT_SYNONYMS
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            spec = SynonymsFile.model_validate(raw)
        except (OSError, yaml.YAMLError) as exc:
            raise PackError(f"{path.name}: cannot read: {exc}") from exc
        except ValidationError as exc:
            raise PackError(f"{path.name}: {exc}") from exc

        def norm(words: Sequence[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(compact(w) for w in words if compact(w)))

        return cls(
            groups=tuple(norm(g) for g in spec.groups),
            stopwords=frozenset(normalise(w) for w in spec.stopwords),
            figure_cues=norm(spec.figure_cues),
            outside_places=norm(spec.outside_places),
            local_places=norm(spec.local_places),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked record for a question, with the signals behind its rank (for evaluation and debugging)."""

    record_id: str
    rank: float
    bm25: float  # relative to the best BM25 score of the question (0..1)
    fuzzy: float  # best rapidfuzz ratio against the record's questions (0..1)
    coverage: float  # IDF-weighted share of the question's words the record holds (0..1)


@dataclass(frozen=True, slots=True)
class _Doc:
    record: PackRecord
    text: str  # compact title + questions + keywords + answer
    states_figure: bool


class PolicyKnowledge:
    """The policy knowledge pack with its retrieval index, built once at load."""

    def __init__(self, pack: Pack, vocabulary: Vocabulary, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.pack = pack
        self.vocabulary = vocabulary
        self.threshold = threshold
        self._docs = tuple(
            _Doc(
                record=r,
                text=compact(" ".join((r.title, *r.questions, *r.keywords, r.answer))),
                states_figure=bool(numbers_in(r.answer)),
            )
            for r in pack.records
        )
        self._by_id = {d.record.id: i for i, d in enumerate(self._docs)}
        self._group_tokens = tuple(tuple(dict.fromkeys(t for w in g for t in self._tokens(w))) for g in vocabulary.groups)
        corpus = [self._tokens(" ".join((r.title, *r.questions, *r.keywords, r.answer))) for r in pack.records]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._questions: list[str] = []
        self._question_doc: list[int] = []
        for i, r in enumerate(pack.records):
            for q in r.questions:
                self._questions.append(compact(q))
                self._question_doc.append(i)
        self._alternatives: dict[str, tuple[str, ...]] = {}
        self._idf: dict[str, float] = {}

    @classmethod
    def load(
        cls, pack_dir: Path | None = None, *, synonyms: Path | None = None, threshold: float = DEFAULT_THRESHOLD
    ) -> PolicyKnowledge:
        """Load and validate the pack (default knowledge/pack) and build the index; PackError if the pack is bad."""
        return cls(load_pack(pack_dir), Vocabulary.load(synonyms), threshold=threshold)

    # ---- public API ---------------------------------------------------------------------------------

    def records(self) -> tuple[PackRecord, ...]:
        """Every record of the pack, in file order."""
        return self.pack.records

    def topic(self, record_id: str) -> PolicyAnswer:
        """The answer of one record (a suggestion the user picked); KeyError if there is no such record."""
        return self._answer(self._docs[self._by_id[record_id]].record, 1.0)

    def retrieve(self, question: str) -> RetrievalResult:
        """Answer a question when confident; otherwise offer up to three closest topics."""
        ranked, confidence, guarded = self._assess(question)
        if not ranked:
            return RetrievalResult(answer=None, suggestions=(), confidence=0.0)
        best = ranked[0]
        if confidence >= self.threshold:
            record = self._docs[self._by_id[best.record_id]].record
            return RetrievalResult(answer=self._answer(record, confidence), suggestions=(), confidence=confidence)
        if guarded == "place":
            return RetrievalResult(answer=None, suggestions=(), confidence=confidence)
        topics = tuple(
            self._topic(c.record_id) for c in ranked if c.coverage >= _MIN_SUGGESTION_COVERAGE or c.fuzzy >= 0.5
        )
        return RetrievalResult(answer=None, suggestions=topics[:MAX_SUGGESTIONS], confidence=confidence)

    def rank(self, question: str) -> tuple[Candidate, ...]:
        """The candidate records for a question, best first, with their signals."""
        return self._assess(question)[0]

    # ---- internals ----------------------------------------------------------------------------------

    def _answer(self, record: PackRecord, score: float) -> PolicyAnswer:
        return PolicyAnswer(record_id=record.id, text=record.answer, citations=(record.citation,), score=score)

    def _topic(self, record_id: str) -> Topic:
        record = self._docs[self._by_id[record_id]].record
        return Topic(record_id=record.id, title=record.title, question=record.questions[0])

    def _tokens(self, text: str) -> list[str]:
        stop = self.vocabulary.stopwords
        return [t for t in jieba.lcut_for_search(normalise(text)) if _WORDLIKE.search(t) and t not in stop]

    def _alternatives_of(self, token: str) -> tuple[str, ...]:
        """The token and the synonyms of any group word it is or contains (低保户 -> 低保, 最低生活保障 ...)."""
        cached = self._alternatives.get(token)
        if cached is None:
            words = {token}
            for group in self.vocabulary.groups:
                if any(w == token or (len(w) >= 2 and w in token) for w in group):
                    words.update(group)
            cached = self._alternatives[token] = tuple(words)
        return cached

    def _held_by(self, token: str, doc: _Doc) -> bool:
        return any(w in doc.text for w in self._alternatives_of(token))

    def _idf_of(self, token: str) -> float:
        cached = self._idf.get(token)
        if cached is None:
            n = len(self._docs)
            df = sum(1 for d in self._docs if self._held_by(token, d))
            cached = self._idf[token] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return cached

    def _assess(self, question: str) -> tuple[tuple[Candidate, ...], float, str]:
        """Ranked candidates, the confidence in the best one and which guard (if any) capped it."""
        text = compact(question)
        words = list(dict.fromkeys(self._tokens(question)))
        if not text or not words:
            return (), 0.0, ""
        expanded = list(words)
        for group, tokens in zip(self.vocabulary.groups, self._group_tokens, strict=True):
            if any(w in text for w in group):
                expanded.extend(t for t in tokens if t not in expanded)
        scores = self._bm25.get_scores(expanded)
        top_bm25 = float(scores.max()) if len(scores) else 0.0
        pool: dict[int, float] = {}
        if top_bm25 > 0:
            for i in np.argsort(-scores)[:_CANDIDATES]:
                if scores[i] > 0:
                    pool[int(i)] = 0.0
        for _, similarity, qi in process.extract(text, self._questions, scorer=fuzz.ratio, limit=_CANDIDATES):
            doc = self._question_doc[qi]
            pool[doc] = max(pool.get(doc, 0.0), similarity / 100)
        weights = [self._idf_of(w) for w in words]
        total = sum(weights) or 1.0
        ranked = []
        for i in pool:
            doc = self._docs[i]
            fuzzy = max(fuzz.ratio(text, q) for q in map(compact, doc.record.questions)) / 100
            coverage = sum(wt for w, wt in zip(words, weights, strict=True) if self._held_by(w, doc)) / total
            bm25 = float(scores[i]) / top_bm25 if top_bm25 > 0 else 0.0
            rank = 0.45 * bm25 + 0.35 * coverage + 0.8 * fuzzy**3
            ranked.append(Candidate(doc.record.id, rank, bm25, fuzzy, coverage))
        ranked.sort(key=lambda c: c.rank, reverse=True)
        if not ranked or (ranked[0].coverage == 0 and ranked[0].fuzzy < 0.5):
            return (), 0.0, ""
        best = ranked[0]
        runner_up = ranked[1].rank if len(ranked) > 1 else 0.0
        separation = (best.rank - runner_up) / best.rank if best.rank > 0 else 0.0
        confidence = max(best.fuzzy, best.coverage * min(1.0, 0.75 + 2.5 * separation))
        guarded = ""
        vocabulary = self.vocabulary
        if any(p in text for p in vocabulary.outside_places) and not any(p in text for p in vocabulary.local_places):
            confidence, guarded = min(confidence, _GUARD_CAP), "place"
        elif (
            best.fuzzy < _NEAR_DUPLICATE
            and any(c in text for c in vocabulary.figure_cues)
            and not self._docs[self._by_id[best.record_id]].states_figure
        ):
            confidence, guarded = min(confidence, _GUARD_CAP), "figure"
        return tuple(ranked), round(confidence, 4), guarded
