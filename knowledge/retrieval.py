"""Policy retrieval over the knowledge pack: BM25 on jieba tokens, fuzzy question matching, synonyms.

How a question is answered:
1. It is normalised (NFKC, Traditional -> Simplified, lower case) and cut with jieba; function and
   question words are dropped (also when jieba glues them to a content word: 想办 -> 办, or to each
   other: 是从), years are kept as words (南山2012), and the words of every synonym group it mentions are
   added at reduced weight (query expansion: 义工 also looks for 志愿者, 钱 for 资助/经费/补贴 ...). A
   term group named only in question words (从几时到几时 is 多久) counts as one of the question's words.
2. BM25 (bm25s, jieba search-mode tokens) scores every record's text: title, questions, keywords, answer,
   the source's aliases (南山, 示范点) and its year. rapidfuzz finds records listing a near-identical question.
   The best few of both are ranked on BM25, fuzzy similarity and coverage: the IDF-weighted share of
   the question's words (or their synonyms) that the record holds.
3. Confidence is the fuzzy similarity or the coverage, discounted when the runner-up is close and when
   the match rests on little evidence (one common word such as 示范点 or 申请 is a topic, not a question:
   it gets suggestions). There is an answer only above the threshold and when no scope guard fires:
   - off-topic: the question names an everyday topic no source is about (天气, 股票, 订外卖 ...);
   - place: it names a place outside Shenzhen (北京, 上海 ...) and no Shenzhen place;
   - year: it names a year the best record does not hold (福田2025年的目录: the pack has 2024's);
   - figure: it asks for a figure (多少, 几个, 什么时候) but the best record states none (for money:
     no sum of money), or the record misses a subject the question names: a figure is only given about
     everything asked (低保每个月能领多少钱 names 低保, which the 示范点 amount record lacks).
Below the threshold the closest records that share words with the question are offered as suggestions
(none for off-topic and place questions: suggestions there would only mislead).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from knowledge.bm25 import BM25
from knowledge.pack import Pack, PackError, PackRecord, load_pack
from knowledge.schema import SynonymsFile
from knowledge.text import numbers_in, to_simplified
from knowledge.types import PolicyAnswer, RetrievalResult, Topic
from nlu.segmenter import default_dictionary

DEFAULT_SYNONYMS = Path(__file__).resolve().parent / "synonyms.yml"
DEFAULT_THRESHOLD = 0.55  # tuned on the evaluation questions: in-scope answers sit above, out-of-scope below
MAX_SUGGESTIONS = 3
_CANDIDATES = 8  # how many BM25 and fuzzy hits are ranked in detail
_GUARD_CAP = 0.3  # confidence ceiling when a scope guard fires (below any sensible threshold)
_NEAR_DUPLICATE = 0.85  # fuzzy similarity at which a question is taken as one the record lists
_MIN_SUGGESTION_COVERAGE = 0.34
_EXPANSION_WEIGHT = 0.3  # BM25 weight of synonyms added to a question, relative to its own words
_SHORT_WORD_WEIGHT = 0.5  # single characters (住, 换, 写) say less about a topic than words do
_CACHE = 4096  # per-word caches are bounded: questions bring new words forever
_COMMON_WORD = 100  # jieba dictionary frequency from which a token is taken as a real word
_EVIDENCE = 4.0  # IDF weight of about one specific word: a match resting on less is not confident
_NO_SUGGESTIONS = frozenset({"off-topic", "place"})
_MAX_QUESTION = 500  # characters looked at: policy questions are short, and jieba's time grows with length

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A quantity (五个, 第几名, 三次, 10项) says how much is asked, not about what: the figure cue handles it.
_QUANTITY = re.compile(
    r"^第?[几零〇一二两三四五六七八九十百千万\d]+[个名项次家期场份批位人条天年月号届间栋层]?$"
)
# A year (2012, 2024年) is not a quantity: it names a document (南山2012, 福田2024) or a period in one.
# 2000元 and 2000人 are quantities.
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.%万千百元块人个名项次份位条天号间平米])")
_YEAR_TOKEN = re.compile(r"^((?:19|20)\d\d)年?$")
_MONEY = re.compile(r"\d+(?:\.\d+)?\s*[万亿]?元|[零一二两三四五六七八九十百千万亿]+元")
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff]")
_NOT_COMPACT = re.compile(r"[\s\W_]+")


def _year_words(record: PackRecord) -> tuple[str, ...]:
    """The record's year as a searchable word ("2012"); nothing for an undated source (年份不详)."""
    return (record.year,) if record.year.isdigit() else ()


def normalise(text: str) -> str:
    """The form questions and records are compared in: NFKC, Simplified, lower case, trimmed."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower().strip()


def compact(text: str) -> str:
    """Normalised text without whitespace and punctuation, for substring and fuzzy matching."""
    return _NOT_COMPACT.sub("", normalise(text))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The synonym groups, stopwords and scope words of knowledge/synonyms.yml, normalised."""

    groups: tuple[tuple[str, ...], ...]  # subjects first, then terms
    subjects: int  # how many of `groups` are subjects (people, organisations, places, topics)
    stopwords: frozenset[str]
    figure_cues: tuple[str, ...]
    date_cues: tuple[str, ...]
    outside_places: tuple[str, ...]
    local_places: tuple[str, ...]
    off_topics: tuple[str, ...]
    money_cues: tuple[str, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        """Read and validate a synonyms file (default knowledge/synonyms.yml); PackError if it is bad."""
        path = path or DEFAULT_SYNONYMS
        try:
            spec = SynonymsFile.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER))
        except (OSError, yaml.YAMLError) as exc:
            raise PackError(f"{path.name}: cannot read: {exc}") from exc
        except ValidationError as exc:
            raise PackError(f"{path.name}: {exc}") from exc

        def norm(words: Sequence[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(c for c in map(compact, words) if c))

        return cls(
            groups=tuple(norm(g) for g in (*spec.subjects, *spec.terms)),
            subjects=len(spec.subjects),
            stopwords=frozenset(normalise(w) for w in spec.stopwords),
            figure_cues=norm(spec.figure_cues),
            date_cues=norm(spec.date_cues),
            outside_places=norm(spec.outside_places),
            local_places=norm(spec.local_places),
            off_topics=norm(spec.off_topics),
            money_cues=norm(spec.money_cues),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked record for a question, with the signals behind its rank (for evaluation and debugging)."""

    record_id: str
    rank: float
    bm25: float  # relative to the best BM25 score of the question (0..1)
    fuzzy: float  # best rapidfuzz ratio against the record's questions (0..1)
    coverage: float  # IDF-weighted share of the question's words the record holds (0..1)
    evidence: float  # the IDF weight of the words the record holds: how much the match rests on


@dataclass(frozen=True, slots=True)
class Assessment:
    """What retrieval made of a question: candidates best first, confidence, and the guard that fired."""

    candidates: tuple[Candidate, ...]
    confidence: float
    guard: str  # "", "off-topic", "place", "year" or "figure"


@dataclass(frozen=True, slots=True)
class _Doc:
    record: PackRecord
    text: str  # compact title + questions + keywords + answer + the source's aliases and year
    questions: tuple[str, ...]  # compact
    states_figure: bool  # the answer states a figure, or says the source states none (figure_absent)
    states_money: bool  # the answer states a sum of money (15万元), or says the source states no sum


class PolicyKnowledge:
    """The policy knowledge pack with its retrieval index, built once at load."""

    def __init__(self, pack: Pack, vocabulary: Vocabulary, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.pack = pack
        self.vocabulary = vocabulary
        self.threshold = threshold
        # jieba's global tokenizer as it is, no words added: its dictionary is the one the whole process
        # shares (nlu/segmenter.py).
        self._jieba = default_dictionary()
        # A dated source's year is searchable with each of its records, as its aliases are: residents name
        # a document by place and year (南山2012年有什么项目).
        searchable = [
            " ".join((r.title, *r.questions, *r.keywords, r.answer, *r.aliases, *_year_words(r)))
            for r in pack.records
        ]
        self._docs = tuple(
            _Doc(
                record=r,
                text=compact(text),
                questions=tuple(compact(q) for q in r.questions),
                states_figure=r.figure_absent or bool(numbers_in(r.answer)),
                states_money=self._states_money(r),
            )
            for r, text in zip(pack.records, searchable, strict=True)
        )
        self._by_id = {d.record.id: i for i, d in enumerate(self._docs)}
        corpus = [self._search_tokens(text) for text in searchable]
        self._vocab = frozenset(t for tokens in corpus for t in tokens)
        self._bm25 = BM25()
        self._bm25.index(corpus, show_progress=False)
        self._group_tokens = tuple(
            tuple(dict.fromkeys(t for w in group for t in self._search_tokens(w)))
            for group in vocabulary.groups
        )
        self._group_words = frozenset(w for group in vocabulary.groups for w in group)
        self._questions = [q for d in self._docs for q in d.questions]
        self._question_doc = [i for i, d in enumerate(self._docs) for _ in d.questions]
        self._alternatives_of = lru_cache(maxsize=_CACHE)(self._alternatives)
        self._df_of = lru_cache(maxsize=_CACHE)(self._df)

    def _states_money(self, record: PackRecord) -> bool:
        """Whether a record answers a money question: its answer states a sum (15万元), or says the source
        states none (没有写资助金额). A record saying the source fixes no time answers no money question."""
        if _MONEY.search(record.answer):
            return True
        text = compact(record.answer)
        return record.figure_absent and any(c in text for c in self.vocabulary.money_cues)

    @classmethod
    def load(
        cls,
        pack_dir: Path | None = None,
        *,
        synonyms: Path | None = None,
        threshold: float = DEFAULT_THRESHOLD,
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
        assessment = self.assess(question)
        if not assessment.candidates:
            return RetrievalResult(answer=None, suggestions=(), confidence=0.0)
        if assessment.confidence >= self.threshold:
            record = self._docs[self._by_id[assessment.candidates[0].record_id]].record
            answer = self._answer(record, assessment.confidence)
            return RetrievalResult(answer=answer, suggestions=(), confidence=assessment.confidence)
        topics: tuple[Topic, ...] = ()
        if assessment.guard not in _NO_SUGGESTIONS:
            topics = tuple(
                self._topic(c.record_id)
                for c in assessment.candidates
                if c.coverage >= _MIN_SUGGESTION_COVERAGE or c.fuzzy >= 0.5
            )[:MAX_SUGGESTIONS]
        return RetrievalResult(answer=None, suggestions=topics, confidence=assessment.confidence)

    def assess(self, question: str) -> Assessment:
        """Candidates best first with their signals, the confidence and any guard: for evaluation and debugging."""
        question = question[:_MAX_QUESTION]
        text = compact(question)
        years = frozenset(_YEAR.findall(text))
        words = self._resolve_unknown(self._content_words(self._jieba.lcut(normalise(question)), years))
        if not text or not words:
            return Assessment((), 0.0, "")
        groups = self._groups_named(text)
        words = self._with_question_terms(words, groups)
        ranked = self._rank(text, words, groups, years)
        if not ranked or (ranked[0].coverage == 0 and ranked[0].fuzzy < 0.5):
            return Assessment((), 0.0, "")
        best = ranked[0]
        runner_up = ranked[1].rank if len(ranked) > 1 else 0.0
        separation = (best.rank - runner_up) / best.rank if best.rank > 0 else 0.0
        confidence = max(best.fuzzy, best.coverage * min(1.0, 0.75 + 2.5 * separation))
        if best.fuzzy < _NEAR_DUPLICATE:
            # A match resting on one common word (示范点, 申请, 谁) is not an answer to any one question.
            confidence *= min(1.0, best.evidence / _EVIDENCE)
        guard = self._guard(text, groups, best, years)
        if guard:
            confidence = min(confidence, _GUARD_CAP)
        return Assessment(ranked, round(confidence, 4), guard)

    # ---- ranking ------------------------------------------------------------------------------------

    def _rank(
        self, text: str, words: list[str], groups: list[int], years: frozenset[str]
    ) -> tuple[Candidate, ...]:
        query = self._content_words(self._jieba.lcut_for_search(text), years)
        expansion: list[str] = []
        for i in groups:
            expansion.extend(t for t in self._group_tokens[i] if t not in query and t not in expansion)
        scores = self._bm25.get_scores(query) if query else np.zeros(len(self._docs))
        if expansion:
            scores = scores + _EXPANSION_WEIGHT * self._bm25.get_scores(expansion)
        top_bm25 = float(scores.max()) if len(scores) else 0.0
        pool: set[int] = set()
        if top_bm25 > 0:
            pool.update(int(i) for i in np.argsort(-scores)[:_CANDIDATES] if scores[i] > 0)
        pool.update(
            self._question_doc[qi]
            for _, _, qi in process.extract(text, self._questions, scorer=fuzz.ratio, limit=_CANDIDATES)
        )
        weights = [self._weight(w) for w in words]
        total = sum(weights) or 1.0
        ranked = []
        for i in pool:
            doc = self._docs[i]
            fuzzy = max(fuzz.ratio(text, q) for q in doc.questions) / 100
            evidence = sum(wt for w, wt in zip(words, weights, strict=True) if self._held_by(w, doc))
            coverage = evidence / total
            bm25 = float(scores[i]) / top_bm25 if top_bm25 > 0 else 0.0
            # Only a near-identical question weighs much (a human mapped it to the record); below half
            # similarity the likeness is the shared question template (示范点的...可以...吗), not the topic.
            rank = 0.45 * bm25 + 0.35 * coverage + 0.8 * max(0.0, 2 * fuzzy - 1) ** 2
            ranked.append(Candidate(doc.record.id, rank, bm25, fuzzy, coverage, evidence))
        ranked.sort(key=lambda c: (-c.rank, c.record_id))
        return tuple(ranked)

    def _guard(self, text: str, groups: list[int], best: Candidate, years: frozenset[str]) -> str:
        """Which scope guard, if any, forbids answering with the best record ("" if none does)."""
        vocabulary = self.vocabulary
        if any(t in text for t in vocabulary.off_topics):
            return "off-topic"
        if any(p in text for p in vocabulary.outside_places) and not any(
            p in text for p in vocabulary.local_places
        ):
            return "place"
        doc = self._docs[self._by_id[best.record_id]]
        # A year the record does not hold is another edition or period (福田2025年的目录): the 2024 record is
        # a suggestion then, not the answer.
        if any(year not in doc.text for year in years):
            return "year"
        asks_amount = any(c in text for c in vocabulary.figure_cues)
        if best.fuzzy >= _NEAR_DUPLICATE or not (asks_amount or any(c in text for c in vocabulary.date_cues)):
            return ""
        if not doc.states_figure:
            return "figure"
        if asks_amount and any(c in text for c in vocabulary.money_cues) and not doc.states_money:
            return "figure"
        # A figure is only stated about everything the question names (低保每个月能领多少钱 shares 钱 and
        # 领 with the 示范点 amount record, but not 低保): every subject group it names is in the record.
        for i in groups:
            if i < vocabulary.subjects and not any(w in doc.text for w in vocabulary.groups[i]):
                return "figure"
        return ""

    # ---- words --------------------------------------------------------------------------------------

    def _groups_named(self, text: str) -> list[int]:
        """The synonym groups a question names. A word inside a longer matched word of another group does not
        count: 居民议事会 names the 议事会 group, not the 居民 group."""
        matches = [(w, i) for i, group in enumerate(self.vocabulary.groups) for w in group if w in text]
        named = {i for w, i in matches if not any(w != m and w in m and i != j for m, j in matches)}
        return sorted(named)

    def _with_question_terms(self, words: list[str], groups: list[int]) -> list[str]:
        """Add the term groups a question names only in function words (从几时到几时 is 多久, 几多人 is 人数):
        what kind of fact is asked is part of the question, and records stating that kind hold it."""
        added = list(words)
        for i in groups:
            group = self.vocabulary.groups[i]
            if i >= self.vocabulary.subjects and not any(w in group for w in words) and group[0] not in added:
                added.append(group[0])
        return added

    def _search_tokens(self, text: str) -> list[str]:
        """Index tokens: jieba search mode (words and their sub-words), without stopwords."""
        stop = self.vocabulary.stopwords
        return [
            t for t in self._jieba.lcut_for_search(normalise(text)) if _WORDLIKE.search(t) and t not in stop
        ]

    def _content_words(self, tokens: list[str], years: frozenset[str]) -> list[str]:
        """A question's content words, once each. A word that is neither in the pack nor a common word in
        jieba's dictionary, and starts or ends with a function word (jieba glues 想办, 哪里找), is reduced to
        its content (办, 找). Numbers are quantities and dropped, except the question's `years`."""
        stop = self.vocabulary.stopwords
        words: list[str] = []
        for token in tokens:
            year = _YEAR_TOKEN.match(token)
            if year and year.group(1) in years:
                token = year.group(1)
            elif (
                not _WORDLIKE.search(token)
                or token in stop
                or _QUANTITY.match(token)
                or self._function_words_only(token)
            ):
                continue
            if (
                len(token) > 1
                and token not in self._vocab
                and (self._jieba.FREQ.get(token) or 0) < _COMMON_WORD
            ):
                token = self._strip_stop_affixes(token)
            if token and token not in stop and token not in words:
                words.append(token)
        return words

    def _resolve_unknown(self, words: list[str]) -> list[str]:
        """Replace a long word no record holds by its sub-words some record holds (交学费 -> 学费): jieba
        glues verbs to nouns in ways the pack's own texts do not."""
        resolved: list[str] = []
        for word in words:
            parts = [word]
            if len(word) > 2 and self._df_of(word) == 0:
                known = [
                    p
                    for p in self._jieba.lcut_for_search(word)
                    if len(p) > 1 and p != word and self._df_of(p) > 0
                ]
                parts = known or parts
            resolved.extend(p for p in parts if p not in resolved)
        return resolved

    def _function_words_only(self, token: str) -> bool:
        """Whether a token is function words glued together (是从, 有没有人): jieba keeps some such pairs as
        words, and they say nothing about a topic."""
        stop = self.vocabulary.stopwords
        if len(token) < 2:
            return False
        # ends[i]: the first i characters split into stopwords
        ends = [True] + [False] * len(token)
        for i in range(1, len(token) + 1):
            ends[i] = any(ends[j] and token[j:i] in stop for j in range(max(0, i - 4), i))
        return ends[-1]

    def _strip_stop_affixes(self, token: str) -> str:
        stop = self.vocabulary.stopwords
        stripped = True
        while stripped and len(token) > 1:
            stripped = False
            for n in range(min(len(token) - 1, 4), 0, -1):  # longest function word first
                if token[:n] in stop:
                    token, stripped = token[n:], True
                    break
                if token[-n:] in stop:
                    token, stripped = token[:-n], True
                    break
        return token

    def _alternatives(self, word: str) -> tuple[str, ...]:
        """The word and the synonyms of any group word it is or contains (低保户 -> 低保, 最低生活保障 ...)."""
        found = {word}
        for group in self.vocabulary.groups:
            if any(w == word or (len(w) >= 2 and w in word) for w in group):
                found.update(group)
        return tuple(found)

    def _held_by(self, word: str, doc: _Doc) -> bool:
        """Whether a record holds the word or a synonym (substring: segmentation differences do not matter)."""
        return any(w in doc.text for w in self._alternatives_of(word))

    def _df(self, word: str) -> int:
        return sum(1 for d in self._docs if self._held_by(word, d))

    def _weight(self, word: str) -> float:
        """IDF of a word over the records holding it (or a synonym). Single characters count half, unless
        synonyms.yml names them: 钱 and 穷 are words residents use for a topic, 住 and 换 are not."""
        n, df = len(self._docs), self._df_of(word)
        short = len(word) == 1 and word not in self._group_words
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) * (_SHORT_WORD_WEIGHT if short else 1.0)

    def _answer(self, record: PackRecord, score: float) -> PolicyAnswer:
        return PolicyAnswer(
            record_id=record.id, text=record.answer, citations=(record.citation,), score=score
        )

    def _topic(self, record_id: str) -> Topic:
        record = self._docs[self._by_id[record_id]].record
        return Topic(record_id=record.id, title=record.title, question=record.questions[0])
