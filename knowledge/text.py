"""Source-text cleaning and the text comparisons the pack check relies on.

Cleaning turns a raw source file into clean Simplified text: mojibake repairs, site header/footer and
boilerplate removal, page numbers glued to the Nanshan text (`…五進(jìn)社區(qū)\\n2、”活動…`), the pinyin
inserted after its characters (`項(xiàng)目` -> `項目`) and Traditional -> Simplified with OpenCC t2s.
What to do for which file is data (`knowledge/pack/sources.yml`); this module only interprets it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from pathlib import Path

import opencc

from knowledge.schema import CleaningSpec, SourceSpec

# A pinyin syllable in parentheses: lowercase Latin letters with at least one tone mark or ü.
# Requiring a tone mark keeps ordinary parentheses such as (1), (试行) or (OFFICE) untouched.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ"
_PINYIN = re.compile(rf"\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")
_PAGE_NUMBER = re.compile(r"^\d{1,3}、")
_SPACE = re.compile(r"\s+")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified (OpenCC t2s); Simplified text passes through unchanged."""
    return _t2s().convert(text)


def strip_pinyin(text: str) -> str:
    """Remove pinyin inserted after characters: `項(xiàng)目` -> `項目`; `(1)` and `(試行)` are kept."""
    return _PINYIN.sub("", text)


def glue_pages(text: str) -> str:
    """Join lines broken at page ends and drop the page number glued to the start of each line."""
    return "".join(_PAGE_NUMBER.sub("", line) for line in text.splitlines())


def clean(raw: str, spec: CleaningSpec) -> str:
    """Apply one source's cleaning steps, in the order documented on CleaningSpec."""
    text = raw
    for bad, good in spec.repairs.items():
        text = text.replace(bad, good)
    if spec.keep_after is not None:
        _, found, rest = text.partition(spec.keep_after)
        text = rest if found else text
    if spec.keep_before is not None:
        text = text.partition(spec.keep_before)[0]
    if spec.drop_lines:
        dropped = [re.compile(p) for p in spec.drop_lines]
        text = "\n".join(line for line in text.splitlines() if not any(p.search(line) for p in dropped))
    for pattern in spec.drop_patterns:
        text = re.sub(pattern, "", text)
    if spec.page_numbers:
        text = glue_pages(text)
    if spec.pinyin:
        text = strip_pinyin(text)
    if spec.to_simplified:
        text = to_simplified(text)
    return text.strip()


def read_clean_source(source: SourceSpec, sources_dir: Path) -> str:
    """The cleaned text of one source file."""
    raw = (sources_dir / source.file).read_text(encoding="utf-8")
    return clean(raw, source.cleaning)


def match_form(text: str) -> str:
    """The form quotes and sources are compared in: NFKC (full-width -> ASCII), Simplified, no whitespace."""
    return _SPACE.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


_ELLIPSIS = re.compile(r"…+|\.\.\.")


@lru_cache(maxsize=8)
def _haystack(clean_text: str) -> str:
    # a source is matched against hundreds of quotes: convert it once
    return match_form(clean_text)


def quote_found(quote: str, clean_text: str) -> bool:
    """Whether a quote occurs in a cleaned source; fragments joined by "……" must occur in that order."""
    haystack = _haystack(clean_text)
    position = 0
    for fragment in (match_form(f) for f in _ELLIPSIS.split(quote)):
        if not fragment:
            continue
        found = haystack.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


# ---- numbers ---------------------------------------------------------------------------------------

_DIGIT = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"
# Measure words and units after which a Chinese numeral is a quantity (一年, 三个, 十五万元), as opposed
# to a numeral inside a word (统一, 一核多元, 五有一化), which states no figure.
_MEASURE = "|".join(
    (
        *"个名项年月日天次家期场份批轮条元岁人号届周栋层倍级类种件所户位篇节",
        "大方面",
        "大功能",
        "小时",
        "分钟",
        "平方米",
        "平米",
    )
)
_CN_FRACTION = re.compile(rf"([{_CN}]+)分之([{_CN}]+)")
_CN_PERCENT = re.compile(rf"百分之([{_CN}]+)")
_CN_QUANTITY = re.compile(rf"([{_CN}]+)(?={_MEASURE})|([{_CN}]+[十百千万亿])(?![{_CN}])")
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)\s*([万亿])?")


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number stated in a text: the span as written and its value (万/亿 applied, fractions exact)."""

    text: str
    value: Fraction


def chinese_numeral(text: str) -> int | None:
    """Value of a Chinese numeral such as 十五万, 二十, 一百零八, 两; None if it is not one."""
    if not text or any(ch not in _CN for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _UNIT:
            section += (1 if digit is None else digit) * _UNIT[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total += (section or 1) * _BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def numbers_in(text: str) -> tuple[NumberMention, ...]:
    """Every figure stated in a text: Arabic numbers (with 万/亿) and Chinese numerals used as quantities,
    fractions (三分之二) and percentages (百分之五十); 半数 counts as one half."""
    text = unicodedata.normalize("NFKC", text)
    found: list[NumberMention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], value: Fraction | None) -> None:
        if value is not None and not any(s < match.end() and match.start() < e for s, e in taken):
            taken.append(match.span())
            found.append(NumberMention(match.group(0), value))

    for m in _CN_PERCENT.finditer(text):
        value = chinese_numeral(m.group(1))
        add(m, None if value is None else Fraction(value))
    for m in _CN_FRACTION.finditer(text):
        den, num = chinese_numeral(m.group(1)), chinese_numeral(m.group(2))
        add(m, None if not den or num is None else Fraction(num, den))
    for m in re.finditer("半数", text):
        add(m, Fraction(1, 2))
    for m in _ARABIC.finditer(text):
        value = Fraction(m.group(1))
        add(m, value * (_BIG[m.group(2)] if m.group(2) else 1))
    for m in _CN_QUANTITY.finditer(text):
        value = chinese_numeral(m.group(1) or m.group(2))
        add(m, None if value is None else Fraction(value))
    return tuple(found)
