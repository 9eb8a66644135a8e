"""Which script to answer in: Traditional once a user writes it, back to Simplified when they do."""

from __future__ import annotations

from nlu.replies_script import to_script
from nlu.types import Script, Understanding


def script_for(previous: Script, understanding: Understanding) -> Script:
    """Digits and short neutral words ("1", "好") keep the script the user wrote in before."""
    if understanding.script is Script.TRADITIONAL:
        return Script.TRADITIONAL
    text = understanding.text
    if any("\u4e00" <= ch <= "\u9fff" for ch in text) and to_script(text, Script.TRADITIONAL) != text:
        return Script.SIMPLIFIED
    return previous
