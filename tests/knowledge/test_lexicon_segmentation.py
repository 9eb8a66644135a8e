"""The category guide's lexicon layered over nlu's one jieba dictionary."""

from __future__ import annotations

import pytest

from nlu.segmenter import LayeredTokenizer


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
