"""Phone numbers: mainland mobiles, Hong Kong numbers and Shenzhen (mainland) landlines.

`check_phone` judges one typed answer and says in Chinese what is wrong, so a form can re-ask
specifically. `find_phones` finds candidate numbers in free text. Text is expected normalised
(half-width digits) but full-width digits, spaces, dashes and brackets inside a number are accepted,
and so are numbers dictated digit by digit in Chinese ("一三九一二三四五六七八", 幺 for 1, or mixed
"139一二三四5678"), which voice input writes that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from nlu.types import Entity, EntityKind

PhoneKind = Literal["cn_mobile", "hk", "cn_landline"]

# Full-width ASCII and the ideographic space map one character to one, so spans stay valid.
HALF_WIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "})
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.·()]")
_HK_FIRST_DIGITS = frozenset("235679")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_FIXED_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_HK_TYPES = _MOBILE_TYPES | _FIXED_TYPES
SHENZHEN_AREA_CODE = "0755"

# A run of digits with single separators, optionally led by an international prefix or "(852)".
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"(?:\+\s?|00)?"
    r"(?:\(\s?\+?(?:86|852)\s?\)\s?)?"
    r"\d(?:[ \-‐‑–—.]?\d){5,40}"
    r"(?![0-9A-Za-z])"
)
_DATE_SHAPED = re.compile(r"^\d{4}([-./])\d{1,2}\1\d{1,2}$")
# A number followed by one of these is an amount, an age or a count, not a phone.
_UNIT_AFTER = frozenset("元块蚊岁歲人个個次平米万萬千百亿億%年月日号號点點时時分秒台套间間位")
# Letters right before the digits make a code, and "HR 2026..." / "vs-2026..." a case reference
# (nlu/case_refs.py), not a phone; "call 0755..." or "HK 9123 4567" still are phones.
_CODE_BEFORE = re.compile(r"(?:[A-Za-z][\-_]?|(?<![A-Za-z])(?:HR|VS)[\s\-_]+)$", re.IGNORECASE)
MIN_CANDIDATE_DIGITS = 7
# Chinese digit characters as dictated phone numbers use them (幺 for 1, 两 for 2), one for one.
_SPOKEN_CHARS = "零〇○一幺二两兩三四五六七八九"
SPOKEN_DIGITS = str.maketrans(_SPOKEN_CHARS, "000112223456789")
_DIGIT_CLASS = "0-9" + _SPOKEN_CHARS
# A run of digits (Arabic or Chinese) with single separators, not glued to a Chinese numeral unit
# or to more digits: 一百五十万, 二〇二四年 and 十一月 keep their units next to the digits.
_SPOKEN_RUN = re.compile(
    f"(?<![{_DIGIT_CLASS}十百千万萬亿億])"
    f"[{_DIGIT_CLASS}](?:[ \\-‐‑–—.]?[{_DIGIT_CLASS}])+"
    f"(?![{_DIGIT_CLASS}十百千万萬亿億])"
)
_CHINESE_DIGIT = re.compile(f"[{_SPOKEN_CHARS}]")
# A dictated run shorter than this that is not a valid number is ordinary text (七上八下, 三五成群),
# not a mistyped phone; a longer one is still a phone attempt to re-ask and to mask.
MIN_SPOKEN_ATTEMPT_DIGITS = 10
MAX_NATIONAL_DIGITS = 13  # longer runs are ID-card or bank-card numbers, not a phone attempt

EMPTY_REASON = "没有看到号码,请输入电话号码"
LETTERS_REASON = "号码里不能有字母或符号,请只输入数字"
FOREIGN_REASON = "目前只能登记内地或香港的电话号码"
BAD_MOBILE_PREFIX_REASON = "这个号码不是有效的手机号段"
BAD_LANDLINE_REASON = "这个固定电话号码不对,请检查区号和号码"
BAD_HK_REASON = "这个香港号码无效"
HK_FIRST_DIGIT_REASON = "香港号码应以 2、3、5、6、7 或 9 开头"


@dataclass(frozen=True, slots=True)
class PhoneCheck:
    """The verdict on one number. `reason` is a short Chinese explanation when `valid` is False."""

    valid: bool
    e164: str | None = None
    kind: PhoneKind | None = None
    reason: str = ""


def to_half_width(text: str) -> str:
    """Full-width ASCII and ideographic spaces as half-width, one character for one."""
    return text.translate(HALF_WIDTH) if _FULL_WIDTH.search(text) else text


def spoken_to_digits(text: str) -> str:
    """`text` with Chinese digits inside phone-length digit runs written as Arabic digits, one for one.

    The translation is one character for one, so spans into the result are spans into `text`.
    Only runs of `MIN_CANDIDATE_DIGITS` or more digits not glued to a numeral unit change: 一个,
    三五成群, 一百五十万 and 二〇二四年 are left alone.
    """
    if not _CHINESE_DIGIT.search(text):
        return text

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        converted = run.translate(SPOKEN_DIGITS)
        if converted == run or sum(ch.isdigit() for ch in converted) < MIN_CANDIDATE_DIGITS:
            return run
        return converted

    return _SPOKEN_RUN.sub(convert, text)


def _bad(reason: str) -> PhoneCheck:
    return PhoneCheck(valid=False, reason=reason)


def _mobile_length_reason(count: int) -> str:
    return f"手机号应为 11 位数字,您输入了 {count} 位"


def _parse(number: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return None


def _number_type(parsed: phonenumbers.PhoneNumber) -> int:
    """The number's type; UNKNOWN when it is not valid (so no separate is_valid_number call)."""
    return phonenumbers.number_type(parsed)


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _check_mainland(national: str) -> PhoneCheck:
    if national.startswith("1"):
        if len(national) != 11:
            return _bad(_mobile_length_reason(len(national)))
        parsed = _parse("+86" + national)
        if parsed is None or _number_type(parsed) not in _MOBILE_TYPES:
            return _bad(BAD_MOBILE_PREFIX_REASON)
        return PhoneCheck(True, _e164(parsed), "cn_mobile")
    trunk = national if national.startswith("0") else "0" + national
    if trunk.startswith(SHENZHEN_AREA_CODE):
        subscriber = trunk[len(SHENZHEN_AREA_CODE) :]
        if len(subscriber) != 8:
            return _bad(f"深圳固话应为 0755 加 8 位号码,您输入了 {len(subscriber)} 位")
    parsed = _parse("+86" + trunk[1:])
    if parsed is None or _number_type(parsed) not in _FIXED_TYPES:
        return _bad(BAD_LANDLINE_REASON)
    return PhoneCheck(True, _e164(parsed), "cn_landline")


def _check_hong_kong(national: str) -> PhoneCheck:
    if len(national) != 8:
        return _bad(f"香港号码应为 8 位数字,您输入了 {len(national)} 位")
    if national[0] not in _HK_FIRST_DIGITS:
        return _bad(HK_FIRST_DIGIT_REASON)
    parsed = _parse("+852" + national)
    if parsed is None or _number_type(parsed) not in _HK_TYPES:
        return _bad(BAD_HK_REASON)
    return PhoneCheck(True, _e164(parsed), "hk")


def _check_digits(digits: str, *, international: bool) -> PhoneCheck:
    """Route by prefix: +86/0086/86 and bare 1.../0... are mainland, +852/00852/852 Hong Kong."""
    if digits.startswith("00"):
        digits, international = digits[2:], True
    if international:
        if digits.startswith("852"):
            return _check_hong_kong(digits[3:])
        if digits.startswith("86"):
            return _check_mainland(digits[2:])
        return _bad(FOREIGN_REASON)
    if len(digits) == 13 and digits.startswith("861"):
        return _check_mainland(digits[2:])
    if len(digits) == 11 and digits.startswith("852"):
        return _check_hong_kong(digits[3:])
    if digits.startswith(("1", "0")):
        return _check_mainland(digits)
    if len(digits) == 8:
        if digits[0] in _HK_FIRST_DIGITS:
            return _check_hong_kong(digits)
        # 8 digits that cannot be Hong Kong are most likely a Shenzhen landline without its area code.
        return _bad(f"固定电话请加上区号,例如 0755-{digits}")
    return _bad(
        f"电话号码位数不对:手机号 11 位,香港号码 8 位,深圳固话 0755 加 8 位;您输入了 {len(digits)} 位"
    )


@lru_cache(maxsize=4096)
def check_phone(text: str) -> PhoneCheck:
    """Judge a typed phone number (with or without +86/+852/(852), spaces, dashes, full-width digits).

    Valid numbers come back with `e164` ("+8613812345678", "+85291234567", "+8675583456789") and
    `kind`; invalid ones with a Chinese `reason` such as "手机号应为 11 位数字,您输入了 10 位".
    A sentence around a single number ("电话是138 1234 5678") is accepted.
    """
    half = spoken_to_digits(to_half_width(text)).strip()
    if not half:
        return _bad(EMPTY_REASON)
    compact = _SEPARATORS.sub("", half)
    international = compact.startswith("+")
    body = compact.removeprefix("+")
    if body.isdigit() and body.isascii():
        return _check_digits(body, international=international)
    if re.search(r"[A-Za-z]", compact) and re.search(r"\d", compact):
        return _bad(LETTERS_REASON)
    spans = list(_CANDIDATE.finditer(half))
    if len(spans) == 1:
        return check_phone(spans[0].group())
    if not re.search(r"\d", half):
        return _bad(EMPTY_REASON)
    return _bad(LETTERS_REASON)


def _is_phone_attempt(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    international = raw.startswith(("+", "00", "("))
    national = re.sub(r"^(?:00)?(?:86|852)(?=\d{8})", "", digits) if international else digits
    if len(digits) < MIN_CANDIDATE_DIGITS or len(national) > MAX_NATIONAL_DIGITS:
        return False
    if _DATE_SHAPED.match(raw):
        return False
    if text[end : end + 1] in _UNIT_AFTER and end < len(text):
        return False
    return not _CODE_BEFORE.search(text[max(0, start - 6) : start])


def _spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a candidate at spaces when that yields valid numbers ("13812345678 13912345678",
    "2026-11-25 0755-83456789"); otherwise keep it whole, so a mistyped number is still reported."""
    if check_phone(text[start:end]).valid:
        return [(start, end)]
    chunks = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    if len(chunks) < 2:
        return [(start, end)]
    valid: list[tuple[int, int]] = []
    leftovers: list[tuple[int, int]] = []
    i = 0
    while i < len(chunks):
        for j in range(len(chunks) - 1, i - 1, -1):
            if check_phone(text[chunks[i][0] : chunks[j][1]]).valid:
                valid.append((chunks[i][0], chunks[j][1]))
                i = j + 1
                break
        else:
            if leftovers and leftovers[-1][1] == chunks[i - 1][1] and i > 0 and chunks[i - 1] not in valid:
                leftovers[-1] = (leftovers[-1][0], chunks[i][1])
            else:
                leftovers.append(chunks[i])
            i += 1
    if not valid:
        return [(start, end)]
    return sorted(valid + leftovers)


def find_phones(text: str) -> tuple[Entity, ...]:
    """Phone numbers in free text, in order.

    Valid: value = E.164, score 1.0, detail = kind ("cn_mobile", "hk", "cn_landline").
    Invalid candidates (7+ digits that look like a phone attempt) come back too, with value "",
    score 0.0 and detail = the Chinese reason, so a form can re-ask specifically.
    Dates (2026-11-25), amounts (100000元) and 15/18-digit ID numbers are not candidates.
    """
    if not text:
        return ()
    half = spoken_to_digits(to_half_width(text))
    found: list[Entity] = []
    for match in _CANDIDATE.finditer(half):
        for start, end in _spans(half, match.start(), match.end()):
            if not _is_phone_attempt(half, start, end):
                continue
            verdict = check_phone(half[start:end])
            span = text[start:end]
            if not verdict.valid and _is_short_spoken_run(span, half[start:end]):
                continue
            if verdict.valid and verdict.e164:
                found.append(
                    Entity(EntityKind.PHONE, verdict.e164, span, start, end, 1.0, verdict.kind or "")
                )
            else:
                found.append(Entity(EntityKind.PHONE, "", span, start, end, 0.0, verdict.reason))
    return tuple(found)


def _is_short_spoken_run(span: str, digits: str) -> bool:
    """A dictated run too short to be a phone attempt: ordinary words, not a number to re-ask."""
    return bool(_CHINESE_DIGIT.search(span)) and len(re.sub(r"\D", "", digits)) < MIN_SPOKEN_ATTEMPT_DIGITS


def national_digits(phone: str) -> str:
    """`phone` (E.164, as typed or dictated) as the digits dialled inside its country.

    A mainland landline gets its trunk 0 back.
    """
    phone = spoken_to_digits(to_half_width(phone)).strip()
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+852"):
        return digits[3:]
    if phone.startswith("+86"):
        national = digits[2:]
        return national if national.startswith("1") else "0" + national
    return digits


def mask_phone(phone: str) -> str:
    """+8613912345678 -> 139****5678; Hong Kong (8 digits) -> ****4567; landlines keep area and end.

    Shown wherever a phone must be recognisable to its owner or to staff without being readable:
    form summaries, the console, free text stored unencrypted.
    """
    digits = national_digits(phone)
    if len(digits) >= 10:
        return f"{digits[:3]}****{digits[-4:]}" if digits[0] == "1" else f"{digits[:4]}****{digits[-4:]}"
    if len(digits) > 4:
        return f"****{digits[-4:]}"
    return "****"


def mask_phones_in(text: str) -> str:
    """`text` with every phone number in it (valid, mistyped or dictated) masked as `mask_phone` does."""
    pieces: list[str] = []
    cursor = 0
    for entity in find_phones(text):
        pieces.extend((text[cursor : entity.start], mask_phone(entity.value or entity.text)))
        cursor = entity.end
    return "".join(pieces) + text[cursor:]
