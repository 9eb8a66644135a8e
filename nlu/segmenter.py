"""jieba segmentation on the process's one jieba dictionary, with a package's own words layered on top.

jieba's default dictionary costs about 70 MB and half a second to load, so the process loads it once: into
jieba's global tokenizer (`jieba.dt`), which knowledge retrieval also uses as it is. A module that needs
its own words gets a `LayeredTokenizer`: the words it adds live in a small dictionary of its own, read
before the shared one, so they never shift anyone else's segmentation, and it cuts text exactly as a
private `jieba.Tokenizer()` with the same words added would (same frequencies, same total).

That stays true only while nobody adds words to the global tokenizer (`jieba.add_word`,
`jieba.load_userdict`, `jieba.suggest_freq(..., tune=True)`): layer them instead.

knowledge/ uses this module too (its category guide and retrieval), so there is one dictionary.
"""

from __future__ import annotations

import logging
import marshal
import tempfile
from collections.abc import Callable, Iterable, Mapping
from math import log
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.lean_import import import_without

if TYPE_CHECKING:
    import jieba
else:
    # jieba tries pkg_resources (about 5 MB and a tenth of a second of start-up) to open its data files
    # and falls back to plain `open` on the same files.
    jieba = import_without("jieba", "pkg_resources")


def default_dictionary() -> jieba.Tokenizer:
    """jieba's global tokenizer with its dictionary loaded (once per process, about half a second)."""
    shared = jieba.dt
    if not shared.initialized:
        with shared.lock:
            if not shared.initialized and not _read_jieba_cache(shared):
                # No cache yet: jieba builds the dictionary and writes its cache (a few seconds, once).
                # It logs that at DEBUG through its own handler: noise in the bot's log.
                jieba.setLogLevel(logging.WARNING)
                shared.initialize()
    return shared


def _read_jieba_cache(tokenizer: jieba.Tokenizer) -> bool:
    """Load the default dictionary from the cache file jieba's `initialize` reads, in one read.

    jieba passes the open file to `marshal.load`, which then reads it object by object: about 1.8 s
    for the 9 MB file on this machine, against 0.45 s for `marshal.loads` on its bytes. Same file,
    same dictionary; False (and jieba's own loading) when there is no usable cache.
    """
    if tokenizer.dictionary is not jieba.DEFAULT_DICT:
        return False
    path = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / (tokenizer.cache_file or "jieba.cache")
    try:
        # The same trust as jieba's own loading: the file jieba itself writes and reads.
        frequencies, total = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if not isinstance(frequencies, dict) or not isinstance(total, int) or not frequencies:
        return False
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
    return True


class _LayeredFrequencies(dict[str, int]):
    """Word frequencies: own entries (what `add_word` writes) over a shared base that is only read.

    jieba reads its dictionary with `in`, `[]` and `.get`; all three see the own entries first.
    """

    __slots__ = ("_base",)

    def __init__(self, base: Mapping[str, int]) -> None:
        super().__init__()
        self._base = base

    def __missing__(self, key: str) -> int:
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._base

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._base.get(key, default)

    def lookups(self) -> tuple[Callable[[str], int | None], Callable[[str], int | None]]:
        """The own and the shared `get`, bound at C speed, for loops that read one then the other."""
        return super().get, self._base.get


class LayeredTokenizer(jieba.Tokenizer):
    """A jieba tokenizer with its own words over the shared default dictionary (no copy of it).

    `freq` is the frequency of every word (None: jieba's suggestion, which keeps the word whole).
    """

    def __init__(self, words: Iterable[str] = (), *, freq: int | None = None) -> None:
        shared = default_dictionary()
        super().__init__()
        self.FREQ = _LayeredFrequencies(shared.FREQ)
        self.total = shared.total
        self.initialized = True
        for word in words:
            self.add_word(word, freq)

    # jieba's get_DAG and calc (same algorithm, same results) reading the two dictionaries directly:
    # through the layered mapping's Python-level `in` and `get`, a cut took about 20 % longer.

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        own, shared = self.FREQ.lookups()
        dag: dict[int, list[int]] = {}
        n = len(sentence)
        for k in range(n):
            ends: list[int] = []
            i = k
            fragment = sentence[k]
            while i < n:
                freq = own(fragment)
                if freq is None:
                    freq = shared(fragment)
                    if freq is None:
                        break
                if freq:
                    ends.append(i)
                i += 1
                fragment = sentence[k : i + 1]
            dag[k] = ends or [k]
        return dag

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:
        own, shared = self.FREQ.lookups()
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            best: tuple[float, int] | None = None
            for x in DAG[idx]:
                word = sentence[idx : x + 1]
                freq = own(word)
                if freq is None:
                    freq = shared(word)
                candidate = (log(freq or 1) - logtotal + route[x + 1][0], x)
                if best is None or candidate > best:
                    best = candidate
            route[idx] = best  # type: ignore[assignment]

    @property
    def own_words(self) -> int:
        """How many entries (words and their prefixes) this tokenizer adds to the shared dictionary."""
        return dict.__len__(self.FREQ)
