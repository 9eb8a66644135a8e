"""Guide an organisation from a free-text project idea to the catalogue items it fits.

Usage::

    guide = CategoryGuide.load()                     # cached; loading takes about a second
    result = guide.rank("我们想帮外卖小哥维权")       # futian-2024 by default
    result.matches[0].item_id                        # "futian-2024-12"
    result.matches[0].reason                         # one-line Chinese reason
    vague = guide.rank("我们想做个项目")
    vague.vague, vague.narrowing_kind, vague.narrowing  # True, "field", (the catalogue's fields)
    guide.rank("我们想做个项目", field=vague.narrowing[0])

Scoring combines three signals over each catalogue's items:

* the lexicon: catalogue keywords, target-group aliases and colloquial aliases (``lexicon.yaml``)
  found in the description, longest first (words inside a longer hit count half), each weighted by
  how few items carry it (IDF); target groups count at 0.8;
* BM25 (bm25s) over jieba tokens and character bigrams of the item texts, the description expanded
  with the catalogue words its colloquial words stand for;
* rapidfuzz for near misses of long lexicon words (安置邦教对象) and for reading a chosen field or group.

A description is vague when no lexicon word points at an item (naming only a broad group such as
居民 or 儿童 does not count) and its own words do not clearly hit any item under BM25.

Input is expected in Simplified Chinese; Traditional (and Cantonese written in Traditional) is converted
with OpenCC t2s first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.bm25 import BM25
from knowledge.catalogue import (
    CATALOGUE_IDS,
    Catalogue,
    CatalogueItem,
    Lexicon,
    load_catalogue,
    load_lexicon,
    to_simplified,
)
from knowledge.types import Citation
from nlu.segmenter import LayeredTokenizer

DEFAULT_CATALOGUE = "futian-2024"

# Weights of the three signals; tuned on knowledge/questions/category_descriptions.yaml.
_GROUP_WEIGHT = 0.8
_FUZZY_WEIGHT = 0.5
# Lexicon words inside a longer hit (心理 inside 心理辅导) count at this weight.
_INNER_WEIGHT = 0.5
_BM25_WEIGHT = 1.0
# rapidfuzz partial_ratio a lexicon word of at least _FUZZY_MIN_LEN characters must reach.
_FUZZY_MIN_LEN = 5
_FUZZY_THRESHOLD = 80.0
# Without any lexicon hit, a description whose best raw BM25 score is below this is too vague to rank.
_BM25_VAGUE = 2.0
# Score shown to callers: total / (total + _SCORE_HALF), so 0.5 means "total == _SCORE_HALF".
_SCORE_HALF = 3.0
# Matches scoring below this share of the best one are noise, not alternatives.
_KEEP_SHARE = 0.15
_EXCERPT_CHARS = 60

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_TOKEN_OK = re.compile(r"[\u4e00-\u9fffa-z0-9]")

FIELD_QUESTION = "你们的项目主要属于哪个领域?"
GROUP_QUESTION = "你们的项目主要服务哪类人群?"


@dataclass(frozen=True, slots=True)
class CategoryMatch:
    """One catalogue item the description fits, with why (Chinese, one line) and where it comes from."""

    item_id: str
    category: str  # 需求类别 (Futian), 项目名称 (2014 programme, Nanshan)
    field: str  # 项目领域 (Futian), 原则上应纳入/可选择纳入 (2014), "" (Nanshan)
    need_excerpt: str
    score: float  # 0..1, comparable within one result
    reason: str
    citation: Citation


@dataclass(frozen=True, slots=True)
class GuideResult:
    """Ranked matches, best first; or, when the description is too vague, ONE narrowing question.

    When `vague` is true, `matches` is empty, `narrowing_kind` is "field" or "group",
    `narrowing_question` is the Chinese question and `narrowing` its choices, each of which can be
    passed back as ``rank(..., field=choice)`` or ``rank(..., group=choice)``. `provisional` then holds
    the best-effort ranking (item ids, best first) of items a lexicon word points at, for a caller that
    cannot ask the question (one message in batch mode); empty when no word points anywhere.
    """

    catalogue: str
    matches: tuple[CategoryMatch, ...]
    vague: bool
    narrowing: tuple[str, ...] = ()
    narrowing_kind: str = ""
    narrowing_question: str = ""
    provisional: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Hit:
    """A lexicon word found in the description."""

    surface: str
    terms: frozenset[str]
    groups: frozenset[str]
    weight: float  # 1 for exact hits, _INNER_WEIGHT inside a longer hit, _FUZZY_WEIGHT for near misses


@dataclass(frozen=True, slots=True)
class _Entry:
    terms: frozenset[str]
    groups: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Index:
    catalogue: Catalogue
    retriever: BM25
    keywords: tuple[frozenset[str], ...]  # per item, Simplified
    groups: tuple[frozenset[str], ...]  # per item
    term_idf: dict[str, float]
    group_idf: dict[str, float]
    vocabulary: tuple[frozenset[str], ...]  # per item: its BM25 tokens, to name shared words in reasons


def _normalise(text: str) -> str:
    """Simplified, lower-case, without whitespace (Chinese is never split on spaces)."""
    return re.sub(r"\s+", "", to_simplified(text)).lower()


def _bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _idf(counts: dict[str, int], size: int) -> dict[str, float]:
    return {word: math.log(1.0 + size / count) for word, count in counts.items()}


class CategoryGuide:
    """Ranks catalogue items for a description; immutable once built, safe to share."""

    def __init__(self, catalogues: Sequence[Catalogue], lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._entries = self._build_entries(catalogues, lexicon)
        # Longest first so that 独居老人 wins over 老人 when both are present.
        self._surfaces = tuple(sorted(self._entries, key=lambda s: (-len(s), s)))
        self._fuzzy_surfaces = tuple(s for s in self._surfaces if len(s) >= _FUZZY_MIN_LEN)
        self._inner = self._inner_surfaces(self._surfaces)
        self._tokenizer = self._build_tokenizer(self._surfaces)
        self._indexes = {c.catalogue_id: self._build_index(c) for c in catalogues}
        self._group_labels = {g.name: g.label for g in lexicon.groups}
        self._broad_groups = frozenset(g.name for g in lexicon.groups if g.broad)
        self._broad_surfaces = frozenset(
            _normalise(w) for g in lexicon.groups if g.broad for w in (g.name, *g.aliases)
        )
        self._field_aliases = dict(lexicon.field_aliases)

    @classmethod
    def load(cls) -> CategoryGuide:
        """The guide over all catalogues (futian-2024, sz-demo-2014, nanshan-2012), built once and cached."""
        return _cached_guide()

    @property
    def catalogues(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    # ------------------------------------------------------------------ building

    @staticmethod
    def _build_entries(catalogues: Sequence[Catalogue], lexicon: Lexicon) -> dict[str, _Entry]:
        terms: dict[str, set[str]] = {}
        groups: dict[str, set[str]] = {}
        group_names = {g.name for g in lexicon.groups}

        def add(surface: str, new_terms: Iterable[str] = (), new_groups: Iterable[str] = ()) -> None:
            key = _normalise(surface)
            terms.setdefault(key, set()).update(_normalise(t) for t in new_terms)
            groups.setdefault(key, set()).update(new_groups)

        for catalogue in catalogues:
            for item in catalogue.items:
                for keyword in item.keywords:
                    add(keyword, [keyword])
        for group in lexicon.groups:
            add(group.name, [group.name], [group.name])
            for alias in group.aliases:
                add(alias, [], [group.name])
        for word, targets in lexicon.aliases:
            add(word, targets, [t for t in targets if t in group_names])
        return {s: _Entry(frozenset(terms[s]), frozenset(groups[s])) for s in terms}

    @staticmethod
    def _inner_surfaces(surfaces: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """For each surface longer than 2 characters, the shorter surfaces inside it, longest first.

        Looks up each surface's substrings in a set rather than testing all 700 x 700 pairs: 5 ms of
        start-up instead of 35.
        """
        known = frozenset(surfaces)
        inner: dict[str, tuple[str, ...]] = {}
        for outer in surfaces:
            if len(outer) <= 2:
                continue
            n = len(outer)
            found = {outer[i:j] for i in range(n) for j in range(i + 1, n + 1)} & known
            found.discard(outer)
            # The order of `surfaces` (longest first, then by text), as the pairwise test gave it.
            inner[outer] = tuple(sorted(found, key=lambda s: (-len(s), s)))
        return inner

    @staticmethod
    def _build_tokenizer(surfaces: Iterable[str]) -> LayeredTokenizer:
        # The lexicon's words in a private layer: adding them to jieba's global tokenizer would change
        # other modules' tokens, and a private jieba.Tokenizer would load the 70 MB dictionary again.
        return LayeredTokenizer((s for s in surfaces if _CJK_RUN.fullmatch(s)), freq=2000)

    def _words(self, normalised: str) -> list[str]:
        """jieba search-mode words (whole words plus their parts), without generic words or punctuation."""
        return [
            w
            for w in self._tokenizer.lcut_for_search(normalised)
            if _TOKEN_OK.search(w) and w not in self._lexicon.generic
        ]

    def _tokens(self, normalised: str) -> list[str]:
        # Bigrams catch paraphrases jieba splits differently from the catalogue text.
        return self._words(normalised) + _bigrams(normalised)

    def _build_index(self, catalogue: Catalogue) -> _Index:
        documents: list[list[str]] = []
        keywords: list[frozenset[str]] = []
        groups: list[frozenset[str]] = []
        term_counts: dict[str, int] = {}
        group_counts: dict[str, int] = {}
        for item in catalogue.items:
            item_terms = frozenset(_normalise(k) for k in item.keywords)
            item_groups = frozenset(item.target_groups)
            labels = [self._lexicon.group(g).label for g in item.target_groups]
            text = " ".join([item.title, item.field, item.text, *item.activities, *item.keywords, *labels])
            documents.append(self._tokens(_normalise(text)))
            keywords.append(item_terms)
            groups.append(item_groups)
            for term in item_terms:
                term_counts[term] = term_counts.get(term, 0) + 1
            for group in item_groups:
                group_counts[group] = group_counts.get(group, 0) + 1
        retriever = BM25()
        retriever.index(documents, show_progress=False)
        size = len(catalogue.items)
        return _Index(
            catalogue=catalogue,
            retriever=retriever,
            keywords=tuple(keywords),
            groups=tuple(groups),
            term_idf=_idf(term_counts, size),
            group_idf=_idf(group_counts, size),
            vocabulary=tuple(frozenset(d) for d in documents),
        )

    # ------------------------------------------------------------------ matching

    def _hits(self, normalised: str) -> list[_Hit]:
        """Lexicon words in the description, longest first, without overlaps; then fuzzy near misses."""
        taken = [False] * len(normalised)
        hits: list[_Hit] = []
        for surface in self._surfaces:
            start = normalised.find(surface)
            while start >= 0:
                end = start + len(surface)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    entry = self._entries[surface]
                    hits.append(_Hit(surface, entry.terms, entry.groups, 1.0))
                start = normalised.find(surface, end)
        for hit in list(hits):
            for inner in self._inner.get(hit.surface, ()):
                entry = self._entries[inner]
                if not entry.terms <= hit.terms or not entry.groups <= hit.groups:
                    hits.append(_Hit(inner, entry.terms, entry.groups, _INNER_WEIGHT))
        rest = "".join(ch if not used else " " for ch, used in zip(normalised, taken, strict=True))
        if len(rest.replace(" ", "")) >= _FUZZY_MIN_LEN:
            found = {h.surface for h in hits}
            for surface in self._fuzzy_surfaces:
                if surface in found:
                    continue
                if fuzz.partial_ratio(surface, rest) >= _FUZZY_THRESHOLD:
                    entry = self._entries[surface]
                    hits.append(_Hit(surface, entry.terms, entry.groups, _FUZZY_WEIGHT))
        return hits

    def _content_tokens(self, normalised: str) -> list[str]:
        """Words that could make a description specific: not generic, not a broad group's name."""
        return [w for w in self._words(normalised) if w not in self._broad_surfaces]

    def _resolve_field(self, catalogue: Catalogue, field: str) -> str | None:
        fields = catalogue.fields
        wanted = _normalise(field)
        for name in fields:
            if wanted in {_normalise(name), *(_normalise(a) for a in self._field_aliases.get(name, ()))}:
                return name
        best = process.extractOne(wanted, [_normalise(f) for f in fields], scorer=fuzz.partial_ratio)
        if best is not None and best[1] >= 80:
            return fields[best[2]]
        return None

    def _resolve_group(self, group: str) -> frozenset[str]:
        """A narrowing label, group name or group alias -> the target groups it covers."""
        wanted = _normalise(group)
        for choice in self._lexicon.narrowing_groups:
            if wanted == _normalise(choice.label):
                return frozenset(choice.groups)
        entry = self._entries.get(wanted)
        if entry is not None and entry.groups:
            return entry.groups
        labels = [_normalise(c.label) for c in self._lexicon.narrowing_groups]
        best = process.extractOne(wanted, labels, scorer=fuzz.partial_ratio)
        if best is not None and best[1] >= 80:
            return frozenset(self._lexicon.narrowing_groups[best[2]].groups)
        return frozenset()

    def _group_choices(self, candidates: Sequence[int], index: _Index) -> tuple[str, ...]:
        present = set().union(*(index.groups[i] for i in candidates)) if candidates else set()
        return tuple(c.label for c in self._lexicon.narrowing_groups if present & set(c.groups))

    # ------------------------------------------------------------------ public API

    def rank(
        self,
        description: str,
        catalogue: str = DEFAULT_CATALOGUE,
        k: int = 3,
        field: str | None = None,
        group: str | None = None,
    ) -> GuideResult:
        """Rank the catalogue's items for `description`, best first, at most `k` matches.

        `field` restricts to one field of the catalogue (a value from ``narrowing`` or a short alias);
        `group` restricts to items serving a group of people (a narrowing label, group name or alias).
        A description too vague to rank (only generic words, nothing the catalogues know) gives
        ``vague=True`` with the choices of one narrowing question; once a field or group is chosen the
        items within it are returned (vague again only if a chosen field still holds more than `k`
        items and nothing in the description tells them apart: then the question is the group).
        Raises ``KeyError`` for an unknown catalogue.
        """
        if catalogue not in self._indexes:
            raise KeyError(f"unknown catalogue {catalogue!r}; known: {', '.join(self._indexes)}")
        index = self._indexes[catalogue]
        items = index.catalogue.items
        normalised = _normalise(description)
        hits = self._hits(normalised)
        candidates = list(range(len(items)))
        chosen_field = self._resolve_field(index.catalogue, field) if field else None
        chosen_groups = self._resolve_group(group) if group else frozenset()
        if chosen_field:
            candidates = [i for i in candidates if items[i].field == chosen_field]
        if chosen_groups:
            candidates = [i for i in candidates if index.groups[i] & chosen_groups]

        lexical = self._lexical_scores(index, hits)
        bm25_raw = self._bm25_scores(index, self._tokens(self._expanded(normalised, hits)))
        vague = not self._specific(index, hits) and not self._bm25_specific(index, normalised)
        peak = float(bm25_raw.max(initial=0.0))
        totals = {
            i: lexical[i] + (_BM25_WEIGHT * float(bm25_raw[i]) / peak if peak > 0 else 0.0)
            for i in candidates
        }

        def best_first(pool: Sequence[int]) -> list[int]:
            # Stable order: score, then source order, so that ties read like the catalogue.
            return sorted(pool, key=lambda i: (-totals[i], i))[:k]

        if vague and (
            not (chosen_field or chosen_groups)
            or (chosen_field and not chosen_groups and len(candidates) > k)
        ):
            by_field = not (chosen_field or chosen_groups) and bool(index.catalogue.fields)
            narrowed = self._narrow(index, candidates, by_field=by_field)
            pointed = best_first([i for i in candidates if lexical[i] > 0])
            return replace(narrowed, provisional=tuple(items[i].item_id for i in pointed))
        if not candidates:
            return GuideResult(catalogue=catalogue, matches=(), vague=False)

        ordered = best_first(candidates)
        best = totals[ordered[0]]
        if best > 0:
            ordered = [i for i in ordered if totals[i] >= _KEEP_SHARE * best]
        matches = tuple(
            self._match(index, i, totals[i], hits, normalised, chosen_field, chosen_groups, vague)
            for i in ordered
        )
        return GuideResult(catalogue=catalogue, matches=matches, vague=False)

    def item_ids(self, catalogue: str = DEFAULT_CATALOGUE) -> tuple[str, ...]:
        return tuple(item.item_id for item in self._indexes[catalogue].catalogue.items)

    # ------------------------------------------------------------------ scoring helpers

    def _specific(self, index: _Index, hits: Sequence[_Hit]) -> bool:
        """Whether a lexicon hit points at some item by a keyword or by a group that is not broad."""
        for hit in hits:
            narrow_groups = hit.groups - self._broad_groups
            for i in range(len(index.catalogue.items)):
                if hit.terms & index.keywords[i] or narrow_groups & index.groups[i]:
                    return True
        return False

    def _lexical_scores(self, index: _Index, hits: Sequence[_Hit]) -> list[float]:
        scores = [0.0] * len(index.catalogue.items)
        for i in range(len(scores)):
            for hit in hits:
                term_score = sum(index.term_idf[t] for t in hit.terms & index.keywords[i])
                group_score = sum(index.group_idf[g] for g in hit.groups & index.groups[i])
                scores[i] += hit.weight * (term_score + _GROUP_WEIGHT * group_score)
        return scores

    @staticmethod
    def _expanded(normalised: str, hits: Sequence[_Hit]) -> str:
        """The description plus the catalogue words its colloquial words stand for."""
        return normalised + "".join(f" {t}" for h in hits for t in sorted(h.terms))

    def _bm25_specific(self, index: _Index, normalised: str) -> bool:
        """Whether whole words of the description (no bigrams, no broad groups) clearly hit some item."""
        words = self._content_tokens(normalised)
        return bool(words) and float(self._bm25_scores(index, words).max(initial=0.0)) >= _BM25_VAGUE

    @staticmethod
    def _bm25_scores(index: _Index, tokens: Sequence[str]) -> np.ndarray:
        vocabulary = index.retriever.vocab_dict
        known = [t for t in tokens if t in vocabulary]
        if not known:
            return np.zeros(len(index.catalogue.items))
        return np.asarray(index.retriever.get_scores(known), dtype=float)

    def _narrow(self, index: _Index, candidates: Sequence[int], by_field: bool) -> GuideResult:
        if by_field:
            return GuideResult(
                catalogue=index.catalogue.catalogue_id,
                matches=(),
                vague=True,
                narrowing=index.catalogue.fields,
                narrowing_kind="field",
                narrowing_question=FIELD_QUESTION,
            )
        return GuideResult(
            catalogue=index.catalogue.catalogue_id,
            matches=(),
            vague=True,
            narrowing=self._group_choices(candidates, index),
            narrowing_kind="group",
            narrowing_question=GROUP_QUESTION,
        )

    def _match(
        self,
        index: _Index,
        i: int,
        total: float,
        hits: Sequence[_Hit],
        description: str,
        chosen_field: str | None,
        chosen_groups: frozenset[str],
        vague: bool,
    ) -> CategoryMatch:
        item = index.catalogue.items[i]
        return CategoryMatch(
            item_id=item.item_id,
            category=item.title,
            field=item.field,
            need_excerpt=_excerpt(item.text),
            score=round(total / (total + _SCORE_HALF), 3),
            reason=self._reason(index, i, item, hits, description, chosen_field, chosen_groups, vague),
            citation=item.citation,
        )

    def _reason(
        self,
        index: _Index,
        i: int,
        item: CatalogueItem,
        hits: Sequence[_Hit],
        description: str,
        chosen_field: str | None,
        chosen_groups: frozenset[str],
        vague: bool,
    ) -> str:
        words: list[str] = []
        group_names: list[str] = []
        for hit in hits:
            shared_terms = sorted(hit.terms & index.keywords[i])
            shared_groups = sorted(hit.groups & index.groups[i])
            if shared_terms:
                via = [t for t in shared_terms if t != hit.surface]
                words.append(f"“{hit.surface}”" + (f"({'、'.join(via)})" if via else ""))
            for g in shared_groups:
                if g not in group_names:
                    group_names.append(g)
        parts: list[str] = []
        if words:
            parts.append("提到" + "、".join(words[:4]))
        if group_names:
            parts.append("服务对象:" + "、".join(self._group_labels[g] for g in group_names[:3]))
        if chosen_groups and not group_names:
            shared = sorted(chosen_groups & index.groups[i])
            parts.append("服务对象包括所选人群:" + "、".join(self._group_labels[g] for g in shared[:3]))
        if chosen_field and (vague or not parts):
            parts.append(f"属于所选领域“{chosen_field}”")
        if not parts:
            shared = [w for w in dict.fromkeys(self._content_tokens(description)) if w in index.vocabulary[i]]
            if shared:
                parts.append("内容相近:" + "、".join(f"“{w}”" for w in shared[:3]))
            else:
                parts.append("描述与该项内容的用词相近")
        return ";".join(parts) + f",对应“{item.title}”。"


def _excerpt(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= _EXCERPT_CHARS else first[:_EXCERPT_CHARS] + "…"


@cache
def _cached_guide() -> CategoryGuide:
    return CategoryGuide([load_catalogue(c) for c in CATALOGUE_IDS], load_lexicon())
