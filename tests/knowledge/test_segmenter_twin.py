"""knowledge/segmenter.py is nlu/segmenter.py for the knowledge package: the two must not drift apart."""

from __future__ import annotations

import inspect

import pytest

import knowledge.segmenter
import nlu.segmenter
from knowledge.segmenter import LayeredTokenizer, default_dictionary


@pytest.mark.parametrize(
    "name",
    ["_import_jieba", "default_dictionary", "_read_jieba_cache", "_LayeredFrequencies", "LayeredTokenizer"],
)
def test_same_code_as_the_nlu_twin(name: str) -> None:
    assert inspect.getsource(getattr(knowledge.segmenter, name)) == inspect.getsource(
        getattr(nlu.segmenter, name)
    )


def test_both_twins_share_one_dictionary() -> None:
    assert default_dictionary() is nlu.segmenter.default_dictionary()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("我们想帮外卖小哥维权", "外卖小哥"),  # Simplified
        ("想幫長者飯堂做義工", "長者飯堂"),  # Traditional
        ("我哋想幫新來港家庭", "新來港家庭"),  # Cantonese
    ],
)
def test_lexicon_words_are_kept_whole_in_search_mode(text: str, word: str) -> None:
    # As the category guide adds its lexicon: a high fixed frequency, search mode for BM25.
    tokens = LayeredTokenizer([word], freq=2000).lcut_for_search(text)
    assert word in tokens
