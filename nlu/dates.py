"""Dates, times and availability hints in Chinese messages.

Values (Entity.value):
- DATE, a day: ISO "2026-11-25". Relative words count from `now` (今天/明天/后天/大后天/昨天/前天,
  下周三/本周五/周三, 这个周末 = that Saturday, 11月25日, 2026-11-25, 25号).
  A date without a year takes the year that puts it nearest to `now`; a bare day number ("25号")
  the nearest month. A bare weekday ("周三") is its next occurrence (today counts).
- DATE, an availability hint (no single day): "weekday", "weekday_daytime", "weekday_evening",
  "weekend", "holiday" (工作日, 工作日白天, 工作日晚上/下班后, 周末, 节假日).
- TIME: 24-hour "19:30" (晚上7点半, 下午三点, 7点30分, 19:30). An hour from 1 to 6 with no
  morning/evening word is taken as afternoon (detail "assumed_pm").
Input is expected normalised (Simplified, half-width digits); Traditional and Cantonese words
(聽日, 後天, 禮拜三, 下晝, 夜晚) and full-width digits are accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nlu.phones import to_half_width
from nlu.types import Entity, EntityKind

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(?:\d{1,2}|[零〇一二两兩三四五六七八九十]{1,3})"
_YEAR = r"(?:\d{4}|[零〇一二三四五六七八九]{4})"

RELATIVE_DAYS: dict[str, int] = {
    "大后天": 3, "大後天": 3,
    "后天": 2, "後天": 2, "后日": 2, "後日": 2,
    "明天": 1, "明日": 1, "听日": 1, "聽日": 1, "明早": 1, "明晚": 1, "听朝": 1, "聽朝": 1,
    "今天": 0, "今日": 0, "今晚": 0, "今早": 0, "今朝": 0,
    "昨天": -1, "昨日": -1, "昨晚": -1, "琴日": -1, "寻日": -1, "尋日": -1,
    "前天": -2, "前日": -2,
}  # fmt: skip
_WEEK_WORD = r"(?:周|週|星期|礼拜|禮拜)"
_THIS_WEEK = ("本", "这", "這", "这个", "這個", "今个", "今個", "呢个", "呢個", "今")
_NEXT_WEEK = ("下", "下个", "下個")
_AFTER_NEXT_WEEK = ("下下", "下下个", "下下個")
_LAST_WEEK = ("上", "上个", "上個")
_WEEK_QUALIFIER = "|".join(
    sorted((*_THIS_WEEK, *_NEXT_WEEK, *_AFTER_NEXT_WEEK, *_LAST_WEEK), key=len, reverse=True)
)
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip

AVAILABILITY: tuple[tuple[str, str], ...] = (
    (
        "weekday_evening",
        r"(?:工作日|平日|平时|平時|返工日)(?:的)?(?:晚上|夜晚|夜间|夜間|晚间|晚間|夜晚)|下班后|下班後|放工后|放工後|收工后|收工後",
    ),
    ("weekday_daytime", r"(?:工作日|平日|平时|平時)(?:的)?(?:白天|日间|日間|日头|日頭|上午|下午)"),
    (
        "weekday",
        r"工作日|周一到周五|週一到週五|星期一到星期五|礼拜一到礼拜五|禮拜一至禮拜五|周一至周五|週一至週五",
    ),
    (
        "weekend",
        r"周末|週末|双休日|雙休日|星期六日|周六日|週六日|礼拜六日|禮拜六日|星期六、?日|周六周日|週六週日",
    ),
    ("holiday", r"节假日|節假日|法定假日|公众假期|公眾假期|寒暑假|假期|放假"),
)
_AVAILABILITY = [(token, re.compile(pattern)) for token, pattern in AVAILABILITY]

_PERIODS: dict[str, str] = {
    "凌晨": "night", "清晨": "am", "早上": "am", "早晨": "am", "上午": "am", "朝早": "am", "今早": "am",
    "明早": "am", "听朝": "am", "聽朝": "am", "早": "am",
    "中午": "noon", "晏昼": "pm", "晏晝": "pm", "下午": "pm", "下昼": "pm", "下晝": "pm", "傍晚": "pm",
    "晚上": "evening", "夜晚": "evening", "夜里": "evening", "夜裡": "evening", "夜间": "evening",
    "夜間": "evening", "今晚": "evening", "明晚": "evening", "昨晚": "evening", "晚": "evening", "夜": "evening",
}  # fmt: skip
_PERIOD = "|".join(sorted(map(re.escape, _PERIODS), key=len, reverse=True))
_TIME = re.compile(
    rf"(?P<period>{_PERIOD})?\s*"
    rf"(?P<hour>{_NUM})\s*(?:点钟|點鐘|点|點|时|時)"
    rf"(?:\s*(?P<half>半)|\s*(?P<quarter>一刻|三刻)|\s*(?P<minute>\d{{1,2}}|[零〇一二三四五六七八九十]{{1,3}})\s*(?:分钟|分鐘|分)?|\s*(?P<sharp>整))?"
)
_CLOCK = re.compile(rf"(?P<period>{_PERIOD})?\s*(?<!\d)(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})(?!\d)")
_FULL_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<d>\d{1,2})(?!\d)"
)
_CN_DATE = re.compile(rf"(?:(?P<y>{_YEAR})\s*年\s*)?(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*(?:日|号|號)?")
_DAY_ONLY = re.compile(rf"(?<![\d月])(?P<d>{_NUM})\s*(?:日|号|號)")
# "3号楼" is a building, "5号线" a metro line: a day number followed by these is not a date.
_NOT_DAY_AFTER = frozenset("楼樓线線房门門床室栋棟座馆館院位柜櫃机機口车車台场場窗元码碼单單")
_WEEKDAY = re.compile(rf"(?P<q>{_WEEK_QUALIFIER})?\s*{_WEEK_WORD}(?P<wd>[一二三四五六日天七1-7])")
_WEEKEND = re.compile(rf"(?P<q>{_WEEK_QUALIFIER})\s*(?:周末|週末)")
_RELATIVE = re.compile("|".join(sorted(RELATIVE_DAYS, key=len, reverse=True)))
# Words ending in 一点 that mean "a little", not one o'clock.
_LITTLE = re.compile(r"一点点|一點點")
_NOT_HOUR_BEFORE = frozenset("有差快慢早晚多少好大小重第几幾")


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: EntityKind
    value: str
    start: int
    end: int
    detail: str = ""
    core_start: int = -1  # where a time's hour begins; its period may be shared with a date before it


def cn_number(text: str) -> int | None:
    """Arabic or Chinese numerals up to 99 ("25", "二十五", "十一", "两"); None when not a number."""
    if text.isdigit() and text.isascii():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _cn_year(text: str) -> int:
    return (
        int(text) if text.isdigit() and text.isascii() else int("".join(str(_CN_DIGITS[ch]) for ch in text))
    )


def _has_any(text: str, chars: str) -> bool:
    # A cheap look before running a pattern that tries many alternatives at every position.
    return any(ch in text for ch in chars)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(options: list[date | None], today: date) -> date | None:
    valid = [d for d in options if d is not None]
    return min(valid, key=lambda d: (abs((d - today).days), d < today)) if valid else None


def _date_candidates(text: str, today: date) -> list[_Candidate]:
    out: list[_Candidate] = []

    def add(d: date | None, m: re.Match[str], detail: str = "") -> None:
        if d is not None:
            out.append(_Candidate(EntityKind.DATE, d.isoformat(), m.start(), m.end(), detail))

    for m in _FULL_DATE.finditer(text):
        add(_safe_date(int(m["y"]), int(m["m"]), int(m["d"])), m)
    for m in _CN_DATE.finditer(text) if "月" in text else ():
        month, day = cn_number(m["m"]), cn_number(m["d"])
        if month is None or day is None:
            continue
        if m["y"]:
            add(_safe_date(_cn_year(m["y"]), month, day), m)
        else:
            add(_nearest([_safe_date(today.year + k, month, day) for k in (-1, 0, 1)], today), m)
    for m in _DAY_ONLY.finditer(text) if _has_any(text, "日号號") else ():
        day = cn_number(m["d"])
        if day is None or not 1 <= day <= 31 or text[m.end() : m.end() + 1] in _NOT_DAY_AFTER:
            continue
        months = [
            (today.year + (today.month - 1 + k) // 12, (today.month - 1 + k) % 12 + 1) for k in (-1, 0, 1)
        ]
        add(_nearest([_safe_date(y, mo, day) for y, mo in months], today), m)
    for m in _RELATIVE.finditer(text):
        add(today + timedelta(days=RELATIVE_DAYS[m.group()]), m)
    monday = today - timedelta(days=today.weekday())
    for m in _WEEKDAY.finditer(text) if _has_any(text, "周週期拜") else ():
        weekday = _WEEKDAYS[m["wd"]]
        qualifier = m["q"]
        if qualifier is None:
            add(today + timedelta(days=(weekday - today.weekday()) % 7), m)
        else:
            add(monday + timedelta(days=7 * _week_offset(qualifier) + weekday), m)
    for m in _WEEKEND.finditer(text) if "末" in text else ():
        add(monday + timedelta(days=7 * _week_offset(m["q"]) + 5), m, "weekend")
    for token, pattern in _AVAILABILITY:
        for m in pattern.finditer(text):
            out.append(_Candidate(EntityKind.DATE, token, m.start(), m.end(), "availability"))
    return out


def _week_offset(qualifier: str) -> int:
    if qualifier in _AFTER_NEXT_WEEK:
        return 2
    if qualifier in _NEXT_WEEK:
        return 1
    if qualifier in _LAST_WEEK:
        return -1
    return 0


def _clock(hour: int, minute: int, period: str | None) -> tuple[str, str] | None:
    detail = ""
    kind = _PERIODS.get(period or "", "")
    if not 0 <= hour <= 24 or not 0 <= minute < 60:
        return None
    if (kind in ("pm", "evening") and 1 <= hour < 12) or (kind == "noon" and 1 <= hour <= 5):
        hour += 12
    elif kind in ("night", "evening") and hour == 12:
        hour = 0  # 晚上12点 is midnight
    elif not kind and 1 <= hour <= 6:
        hour, detail = hour + 12, "assumed_pm"
    return f"{hour % 24:02d}:{minute:02d}", detail


def _time_candidates(text: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    for m in _TIME.finditer(text) if _has_any(text, "点點时時") else ():
        hour = cn_number(m["hour"])
        if hour is None:
            continue
        minute = 0
        if m["half"]:
            minute = 30
        elif m["quarter"]:
            minute = 15 if m["quarter"] == "一刻" else 45
        elif m["minute"]:
            parsed = cn_number(m["minute"])
            if parsed is None:
                continue
            minute = parsed
        bare = not (m["period"] or m["half"] or m["quarter"] or m["minute"] or m["sharp"])
        # "快一点", "一点点": 一点 alone is "a little", not one o'clock.
        if (bare and m["hour"] == "一") or _LITTLE.match(text, m.start("hour")):
            continue
        # "有3点意见", "第三点": a count of points, not a time.
        if bare and m.start("hour") > 0 and text[m.start("hour") - 1] in _NOT_HOUR_BEFORE:
            continue
        clock = _clock(hour, minute, m["period"])
        if clock is not None:
            out.append(_Candidate(EntityKind.TIME, clock[0], m.start(), m.end(), clock[1], m.start("hour")))
    for m in _CLOCK.finditer(text) if ":" in text else ():
        clock = _clock(int(m["hour"]), int(m["minute"]), m["period"] or "上午")
        if clock is not None:
            out.append(_Candidate(EntityKind.TIME, clock[0], m.start(), m.end(), clock[1], m.start("hour")))
    return out


def _select(candidates: list[_Candidate], taken: list[_Candidate], size: int) -> list[_Candidate]:
    """Longest first, never overlapping; a time may give up a period word a date already holds."""
    chosen = list(taken)
    # owner[i] is the end of the chosen span covering position i (0 when free).
    owner = [0] * (size + 1)
    for c in taken:
        owner[c.start : c.end] = [c.end] * (c.end - c.start)
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        clash_end = max(owner[cand.start : cand.end])
        if clash_end and cand.kind is EntityKind.TIME and cand.core_start >= clash_end:
            cand = _Candidate(cand.kind, cand.value, cand.core_start, cand.end, cand.detail, cand.core_start)
            clash_end = max(owner[cand.start : cand.end])
        if clash_end:
            continue
        chosen.append(cand)
        owner[cand.start : cand.end] = [cand.end] * (cand.end - cand.start)
    return chosen


def find_dates(text: str, now: datetime) -> tuple[Entity, ...]:
    """Dates (kind DATE: ISO date or availability token) and times (kind TIME: "HH:MM"), in text order."""
    if not text:
        return ()
    half = to_half_width(text)
    dates = _select(_date_candidates(half, now.date()), [], len(half))
    chosen = _select(_time_candidates(half), dates, len(half))
    chosen.sort(key=lambda c: c.start)
    return tuple(
        Entity(c.kind, c.value, text[c.start : c.end], c.start, c.end, 1.0, c.detail) for c in chosen
    )
