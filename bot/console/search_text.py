"""Staff type filters in Simplified, Traditional or Hong Kong characters; the store keeps Simplified."""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import QueryableAttribute

from nlu.normalize import ConverterChain, normalization_spec
from nlu.phones import to_half_width


@cache
def _to_simplified() -> ConverterChain:
    return ConverterChain(list(normalization_spec().opencc_configs))


def search_form(text: str) -> str:
    """Half-width, Simplified, trimmed: 「蓮花北」 and 「莲花北」 both find 福田区莲花北社区."""
    return _to_simplified().convert(to_half_width(text)).strip()


def place_contains(column: ColumnElement[str] | QueryableAttribute[str], typed: str) -> ColumnElement[bool]:
    """Substring match that ignores spaces: places are stored as 「福田区 莲花街道 莲花北社区」."""
    wanted = "".join(search_form(typed).split())
    return func.replace(column, " ", "").contains(wanted, autoescape=True)
