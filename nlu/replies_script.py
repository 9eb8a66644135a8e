"""Write replies in the script the resident used.

Replies are authored in Simplified Chinese. For a resident who writes Traditional they are
converted with OpenCC `s2hk`: Hong Kong residents read Hong Kong standard glyphs (為, 眾, 衞,
裏), while plain `s2t` produces OpenCC's etymological forms (爲, 衆, 羣) that look dated to them
and `s2tw` uses Taiwan forms (著, 裡). Vocabulary is left as written: the assistant speaks
Mandarin written Chinese, which is what Hong Kong government notices use too.
"""

from __future__ import annotations

from functools import cache

import opencc

from nlu.types import Script

TRADITIONAL_CONFIG = "s2hk"

# OpenCC converts character by character where a Simplified glyph has several Traditional ones;
# these word-level mistakes it makes on the assistant's own texts are put right afterwards.
_WORD_FIXES: tuple[tuple[str, str], ...] = (
    ("回複", "回覆"),
    ("答複", "答覆"),
    ("批複", "批覆"),
    ("説", "說"),
)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC(TRADITIONAL_CONFIG)


def to_script(text: str, script: Script) -> str:
    """`text` (Simplified) in `script`: unchanged for Simplified, Hong Kong Traditional otherwise."""
    if script is Script.TRADITIONAL and text:
        converted = _converter().convert(text)
        for wrong, right in _WORD_FIXES:
            converted = converted.replace(wrong, right)
        return converted
    return text
