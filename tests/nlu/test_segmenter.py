"""Layered jieba tokenizers: own words over the process's one dictionary, cutting as a private one would."""

from __future__ import annotations

import ast
import marshal
from collections.abc import Iterable
from pathlib import Path

import jieba
import pytest

from nlu.segmenter import LayeredTokenizer, _read_jieba_cache, default_dictionary

ROOT = Path(__file__).resolve().parent.parent.parent

# Words of the kinds the model and the category guide add: Simplified, Traditional, Cantonese, a typo.
WORDS = ("外卖小哥", "示范点", "长者饭堂", "長者飯堂", "唔該晒", "进渡", "新就业群体")

TEXTS = [
    # Simplified
    "我们想帮外卖小哥维权,该申报哪一类",
    "示范点每个社区资助多少钱",
    "查询进渡",
    "那个嗯我想问一下就是低保怎么申请",
    # Traditional
    "長者飯堂點樣收費",
    "請問社區建設示範點有幾多資助",
    # Cantonese
    "唔該晒,我想搵人幫手",
    "我哋機構想做青少年預防犯罪,報邊一類",
    "我屋企阿爺冇人照顧",
    # digits, Latin, punctuation, odd input
    "HR-20261123-0001 进度?",
    "电话13800138000 hello 你好",
    "新就业群体服务站在哪里",
    "",
    "的" * 60,
]


def _private_tokenizer(words: Iterable[str], freq: int | None) -> jieba.Tokenizer:
    """What `jieba.Tokenizer()` + `initialize()` + `add_word` gives, from a copy of the loaded dictionary
    (the same file, so the same frequencies) instead of a second 1.5 s load."""
    shared = default_dictionary()
    private = jieba.Tokenizer()
    private.FREQ = dict(shared.FREQ)
    private.total = shared.total
    private.initialized = True
    for word in words:
        private.add_word(word, freq)
    return private


@pytest.fixture(scope="module", params=[None, 2000], ids=["suggested-freq", "freq-2000"])
def pair(request: pytest.FixtureRequest) -> tuple[LayeredTokenizer, jieba.Tokenizer]:
    freq = request.param
    return LayeredTokenizer(WORDS, freq=freq), _private_tokenizer(WORDS, freq)


@pytest.mark.parametrize("text", TEXTS)
def test_cuts_exactly_as_a_private_tokenizer(
    pair: tuple[LayeredTokenizer, jieba.Tokenizer], text: str
) -> None:
    layered, private = pair
    assert layered.lcut(text) == private.lcut(text)
    assert layered.lcut(text, HMM=False) == private.lcut(text, HMM=False)
    assert layered.lcut_for_search(text) == private.lcut_for_search(text)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("我们给外卖小哥维权站募捐", "外卖小哥维权站"),
        ("長者飯堂點樣收費", "長者飯堂"),
        ("唔該晒你哋", "唔該晒"),
    ],
)
def test_own_words_stay_whole_and_out_of_the_shared_dictionary(text: str, word: str) -> None:
    shared = default_dictionary()
    size = len(shared.FREQ)
    layered = LayeredTokenizer([word])
    assert word in layered.lcut(text)
    assert word not in jieba.lcut(text)
    assert word not in shared.FREQ
    assert len(shared.FREQ) == size


def test_the_dictionary_is_shared_not_copied() -> None:
    layered = LayeredTokenizer(WORDS)
    assert default_dictionary() is jieba.dt
    # Only the words and their new prefixes are its own; the 350,000-word dictionary is jieba's one.
    assert 0 < layered.own_words < 5 * len(WORDS)
    assert len(jieba.dt.FREQ) > 100_000


def test_two_layers_do_not_see_each_others_words() -> None:
    first = LayeredTokenizer(["外卖小哥维权站"])
    second = LayeredTokenizer(["小哥维权"])
    assert "外卖小哥维权站" in first.lcut("外卖小哥维权站")
    assert "外卖小哥维权站" not in second.lcut("外卖小哥维权站")


# Words added to jieba's global tokenizer would shift every layered tokenizer's cuts (and the features
# the cached intent model was trained on): the project layers its words instead.
_GLOBAL_ADDITIONS = {"add_word", "del_word", "load_userdict", "suggest_freq", "set_dictionary"}


def _project_sources() -> list[Path]:
    packages = ("bot", "dialogs", "nlu", "knowledge", "adapters")
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _global_additions(tree: ast.AST) -> list[str]:
    """Calls such as jieba.add_word(...) or jieba.dt.add_word(...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if owner in {"jieba", "jieba.dt"} and node.func.attr in _GLOBAL_ADDITIONS:
                found.append(ast.unparse(node.func))
    return found


@pytest.mark.parametrize("path", _project_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_nobody_adds_words_to_the_global_tokenizer(path: Path) -> None:
    assert _global_additions(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_source_check_sees_a_global_addition() -> None:
    assert _global_additions(
        ast.parse("import jieba\njieba.add_word('示范点')\njieba.dt.load_userdict(f)")
    ) == [
        "jieba.add_word",
        "jieba.dt.load_userdict",
    ]


# ---- reading jieba's dictionary cache ---------------------------------------------------------------


def _tokenizer_in(directory: Path) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(directory)
    return tokenizer


def test_reads_the_cache_as_jieba_does(tmp_path: Path) -> None:
    # A small cache of the shape jieba writes: (prefix dictionary, total frequency).
    frequencies = {"示": 0, "示范": 0, "示范点": 50, "長者": 40, "長": 30, "唔該": 20, "唔": 10}
    (tmp_path / "jieba.cache").write_bytes(marshal.dumps((frequencies, 150)))
    ours, theirs = _tokenizer_in(tmp_path), _tokenizer_in(tmp_path)
    assert _read_jieba_cache(ours)
    theirs.initialize()
    assert (ours.FREQ, ours.total, ours.initialized) == (theirs.FREQ, theirs.total, True)
    assert ours.lcut("示范点長者唔該") == theirs.lcut("示范点長者唔該")


@pytest.mark.parametrize(
    "content", [None, b"", b"not marshal", marshal.dumps(({}, 0)), marshal.dumps([1, 2])]
)
def test_no_usable_cache_leaves_the_loading_to_jieba(tmp_path: Path, content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "jieba.cache").write_bytes(content)
    tokenizer = _tokenizer_in(tmp_path)
    assert not _read_jieba_cache(tokenizer)
    assert not tokenizer.initialized


def test_a_custom_dictionary_is_left_to_jieba(tmp_path: Path) -> None:
    (tmp_path / "jieba.cache").write_bytes(marshal.dumps(({"示范点": 5}, 5)))
    (tmp_path / "dict.txt").write_text("示范点 5\n", encoding="utf-8")
    tokenizer = jieba.Tokenizer(str(tmp_path / "dict.txt"))
    tokenizer.tmp_dir = str(tmp_path)
    assert not _read_jieba_cache(tokenizer)
