"""Deadlines and periods (SCHEMA.md "A deadline"), resolved against the budget year.

Frequencies and cycles (每月15日前, 按季度, 每年第一季度) are recognised so that they are *not*
read as deadlines; durations (5个工作日内) are quantities, not deadlines.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import regex

from extractor.records import Deadline, Span

Interval = tuple[str | None, str | None]
Group = Callable[[str], Any]  # Match.group: the text, or None where a group took no part

# Building blocks. Years, months and days may be written in Chinese numerals (二〇二四年六月底);
# a Chinese year must not continue a longer numeral.
_CN = "〇零一二三四五六七八九十"
_Y = rf"(?:(?:19|20)\d{{2}}|(?<![{_CN}])[一二][〇零九][〇零一二三四五六七八九]{{2}})"
_M = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_D = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_AY = r"(?:19|20)\d{2}"
_AM = r"(?:1[0-2]|0?[1-9])"  # exact 1..12 keeps codes (2024-0630) and ages (0-6月龄) out
_AD = r"(?:3[01]|[12]\d|0?[1-9])"
_SEP = r"\s*[-—~～至到]\s*"
_NO_DAY = rf"(?!\s*{_D}\s*[日号])"  # "…12月31日" is a date, not a month

_YEAR_AHEAD = r"(?=(?:19|20)\d\d|[一二][〇零九])"  # where a year can start

# Alternatives are tried in order at each position, so a longer form precedes its prefix
# (2024年第一季度 before 2024年). The lookaheads reject most positions with one test: the
# module runs on every clause.
_PATTERN = regex.compile(
    r"(?=[\d一二三四第上下次年全当本])(?:"
    rf"{_YEAR_AHEAD}(?:"
    # 2024年6月30日, 二〇二四年十二月三十一日, 2024年3月1日至6月30日
    rf"(?P<ymd>(?P<y1>{_Y})\s*年\s*(?P<m1>{_M})\s*月\s*(?P<d1>{_D})\s*[日号]"
    rf"(?:{_SEP}(?:(?P<y1b>{_Y})\s*年\s*)?(?:(?P<m1b>{_M})\s*月\s*)?(?P<d1b>{_D})\s*[日号])?)"
    # 2024年1-12月, 2024年3月至6月, 2024年3月-2024年6月
    rf"|(?P<ymr>(?P<y2>{_Y})\s*年\s*(?P<m2a>{_M})(?:\s*月)?{_SEP}(?:(?P<y2b>{_Y})\s*年\s*)?"
    rf"(?P<m2b>{_M})\s*月份?[底末]?{_NO_DAY})"
    # 2024年6月, 2024年6月底, 二〇二四年六月底
    rf"|(?P<ym>(?P<y3>{_Y})\s*年\s*(?P<m3>{_M})\s*月(?P<m3end>底|末|份)?)"
    # 2023.07-2024.01, 2021.1.1-12.31, 2024/1/1-2024/12/31
    rf"|(?P<dotrange>(?P<y4>{_AY})[./](?P<m4>\d{{1,2}})(?:[./](?P<d4>\d{{1,2}}))?"
    rf"{_SEP}(?:(?P<y5>{_AY})[./])?(?P<m5>\d{{1,2}})(?:[./](?P<d5>\d{{1,2}}))?)"
    # 2024-06-30, 2024/6/30, 2024.6.30, 2024-01-01至2024-12-31; never inside a longer number
    rf"|(?P<iso>(?<![\d./-])(?P<yi>{_AY})(?P<sep>[-/.])(?P<mi>{_AM})(?P=sep)(?P<di>{_AD})(?!\.?\d)"
    rf"(?:{_SEP}(?P<yj>{_AY})(?P=sep)(?P<mj>{_AM})(?P=sep)(?P<dj>{_AD})(?!\.?\d))?)"
    # 202001-202012
    rf"|(?P<compact>(?<!\d)(?P<y6>{_AY})(?P<m6>[01]\d){_SEP}(?P<y7>{_AY})(?P<m7>[01]\d)(?!\d))"
    # 2021-2023年, 2021年—2023年
    rf"|(?P<yr>(?<!\d)(?P<ya>{_AY})(?:\s*年)?{_SEP}(?P<yb>{_AY})\s*年度?))"
    # (2024年)第一季度, 一季度末, 第三季度末前
    rf"|(?=(?:19|20)\d\d|[一二三四第上下])(?:"
    rf"(?P<quarter>(?:(?P<qy>{_Y})\s*年度?\s*)?(?:第\s*(?P<q>[一二三四1-4])|(?<![{_CN}\d])"
    rf"(?P<qc>[一二三四]))\s*季度(?P<qend>底|末)?)"
    # (2024年)上半年, 下半年
    rf"|(?P<half>(?:(?P<hy>{_Y})\s*年度?\s*)?(?P<h>上|下)半年(?P<hend>底|末)?))"
    # 2024年, 2024年度, 2024年底, 二〇二三年
    rf"|{_YEAR_AHEAD}(?P<y>(?P<y8>{_Y})\s*年(?P<ydu>度)?(?P<yend>底|末|年底|年末)?)"
    # relative to the budget year: 1-12月, 1月-12月, 3至6月; 6月30日; 6月底
    rf"|(?<![\d年])(?:(?P<mr>(?<![./-])(?P<ma>{_AM})(?:\s*月)?{_SEP}(?P<mb>{_AM})\s*月份?[底末]?"
    rf"(?!\s*\d{{1,2}}\s*[日号]|\s*龄))"
    r"|(?P<md>(?P<m9>\d{1,2})\s*月\s*(?P<d9>\d{1,2})\s*[日号])"
    r"|(?P<mend>(?P<m10>\d{1,2})\s*月(?P<m10end>底|末)))"
    r"|(?P<next>次年\s*(?P<m11>\d{1,2})\s*月(?:\s*(?P<d11>\d{1,2})\s*[日号])?(?P<m11end>底|末)?)"
    r"|(?P<yearend>年底|年末)"
    r"|(?P<within>年内|全年|当年|本年度|年度内)"
    r")"
)
_BEFORE = regex.compile(r"\s*(?:之前|以前|前|止)")
# 每月…, 按季度…, 每年(的)6月底前, 每年第一季度: a cycle, not a deadline
_FREQUENCY = regex.compile(r"(?:每|按)\s*$|每\s*(?:年度?|个?季度|个?月|周)\s*的?\s*$")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _num(text: str) -> int:
    """`2024` → 2024, `二〇二四` → 2024 (digit by digit), `十二` → 12, `三十一` → 31."""
    if text.isascii():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGIT.get(tens, 1) * 10 + _CN_DIGIT.get(ones, 0)
    return int("".join(str(_CN_DIGIT[c]) for c in text))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _months(y1: int, m1: int, y2: int, m2: int) -> Interval:
    """First day of month m1 .. last day of month m2."""
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None, None
    return _iso(y1, m1, 1), _iso(y2, m2, _last_day(y2, m2))


def _end_only(span: Interval, ends: str | bool | None) -> Interval:
    # "6月底", "季度末": the end of the period is meant, not the whole period
    return (None, span[1]) if ends else span


def _full_date(g: Group, _: int | None) -> Interval:
    y, mo = _num(g("y1")), _num(g("m1"))
    day = _iso(y, mo, _num(g("d1")))
    if not g("d1b"):
        return None, day  # a named day is a deadline: by that day
    y2 = _num(g("y1b")) if g("y1b") else y
    mo2 = _num(g("m1b")) if g("m1b") else mo
    return day, _iso(y2, mo2, _num(g("d1b")))


def _year_months(g: Group, _: int | None) -> Interval:
    y, m1, m2 = _num(g("y2")), _num(g("m2a")), _num(g("m2b"))
    # "2024年10月-3月" runs into the next year
    y2 = _num(g("y2b")) if g("y2b") else y + (m2 < m1)
    return _months(y, m1, y2, m2)


def _year_month(g: Group, _: int | None) -> Interval:
    y, mo = _num(g("y3")), _num(g("m3"))
    return _end_only(_months(y, mo, y, mo), g("m3end") in ("底", "末"))


def _dotted(g: Group, _: int | None) -> Interval:
    y1 = int(g("y4"))
    y2 = int(g("y5")) if g("y5") else y1
    m1, m2 = int(g("m4")), int(g("m5"))
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None, None
    d1 = int(g("d4")) if g("d4") else 1
    d2 = int(g("d5")) if g("d5") else _last_day(y2, m2)
    return _iso(y1, m1, d1), _iso(y2, m2, d2)


def _iso_date(g: Group, _: int | None) -> Interval:
    day = _iso(int(g("yi")), int(g("mi")), int(g("di")))
    if not g("dj"):
        return None, day
    return day, _iso(int(g("yj")), int(g("mj")), int(g("dj")))


def _compact(g: Group, _: int | None) -> Interval:
    return _months(int(g("y6")), int(g("m6")), int(g("y7")), int(g("m7")))


def _year_range(g: Group, _: int | None) -> Interval:
    y1, y2 = int(g("ya")), int(g("yb"))
    return (f"{y1}-01-01", f"{y2}-12-31") if y1 <= y2 else (None, None)


def _quarter(g: Group, year: int | None) -> Interval:
    year = _num(g("qy")) if g("qy") else year
    if year is None:
        return None, None
    q = _QUARTERS[g("q") or g("qc")]
    return _end_only(_months(year, 3 * q - 2, year, 3 * q), g("qend"))


def _half(g: Group, year: int | None) -> Interval:
    year = _num(g("hy")) if g("hy") else year
    if year is None:
        return None, None
    first = 1 if g("h") == "上" else 7
    return _end_only(_months(year, first, year, first + 5), g("hend"))


def _year(g: Group, _: int | None) -> Interval:
    y = _num(g("y8"))
    return (None, f"{y}-12-31") if g("yend") else (f"{y}-01-01", f"{y}-12-31")


def _relative(g: Group, year: int | None) -> Interval:
    """Month-and-day forms without a year, and year words: need the budget year."""
    if year is None:
        return None, None
    if g("mr"):
        return _months(year, int(g("ma")), year, int(g("mb")))
    if g("md"):
        return None, _iso(year, int(g("m9")), int(g("d9")))
    if g("mend"):
        return None, _months(year, int(g("m10")), year, int(g("m10")))[1]
    if g("next"):
        mo = int(g("m11"))
        if not 1 <= mo <= 12:
            return None, None
        day = int(g("d11")) if g("d11") else _last_day(year + 1, mo)
        return None, _iso(year + 1, mo, day)
    if g("yearend"):
        return None, f"{year}-12-31"
    return f"{year}-01-01", f"{year}-12-31"  # the last form, within: 年内, 全年, 当年


_HANDLERS: dict[str, Callable[[Group, int | None], Interval]] = {
    "ymd": _full_date, "ymr": _year_months, "ym": _year_month, "dotrange": _dotted,
    "iso": _iso_date, "compact": _compact, "yr": _year_range, "quarter": _quarter,
    "half": _half, "y": _year,
}


def _interval(m: regex.Match, year: int | None) -> Interval:
    # the outermost named group of an alternative closes last, so it names the form
    return _HANDLERS.get(m.lastgroup or "", _relative)(m.group, year)


def scan(text: str, budget_year: int | None = None) -> list[Deadline]:
    """Deadlines in normalised `text`; spans are offsets into `text`."""
    # the same clause is scanned by layout, clause splitting and record building: scan once
    if _CAN_HOLD.search(text) is None:
        return []
    return [Deadline(d.text, d.start, d.end, d.span) for d in _scan_once(text, budget_year)]


def scan_shared(text: str, budget_year: int | None = None) -> tuple[Deadline, ...]:
    """`scan`'s records themselves, shared with every other caller: only to be read."""
    # the pre-test before the cache: a clause that cannot hold a deadline (most of them) is
    # neither looked up nor stored
    return () if _CAN_HOLD.search(text) is None else _scan_once(text, budget_year)


# Every form holds 年, 月 or 季(度), except the all-digit dates (2024-06-30, 2023.07-2024.01,
# 202001-202012), which start with a year of four digits. A clause with neither (most of
# them: 培训人数≥1200人次) is answered without running the pattern.
_CAN_HOLD = regex.compile(r"[年月季]|(?:19|20)\d\d")


@lru_cache(maxsize=4096)
def _scan_once(text: str, budget_year: int | None) -> tuple[Deadline, ...]:
    """Asked only of a text that passed _CAN_HOLD."""
    out: list[Deadline] = []
    for m in _PATTERN.finditer(text):
        if _FREQUENCY.search(text[max(0, m.start() - 6):m.start()]):
            continue
        start, end = _interval(m, budget_year)
        span_end = m.end()
        before = _BEFORE.match(text, span_end)
        if before and start is not None and end is not None and not m.group("within"):
            start = None  # "2023年6月前": by the end of the period
        if before:
            span_end = before.end()
        out.append(Deadline(text[m.start():span_end], start, end, Span(m.start(), span_end)))
    return tuple(out)


# An Excel date serial standing alone in a cell (1900 system): 44561 or 44,561 is 2021-12-31.
_SERIAL = regex.compile(r"\s*(?P<n>[45]\d,?\d{3})\s*")
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (40000, 50000)  # 2009-07-06 .. 2036-11-21


def from_serial(cell: str) -> Deadline | None:
    """The date of a value cell that is exactly an Excel date serial (`44561` → by
    2021-12-31). Only for the value cell of a date row: the caller knows the row; a 44561
    anywhere else is an amount."""
    m = _SERIAL.fullmatch(cell)
    if m is None:
        return None
    n = int(m.group("n").replace(",", ""))
    if not _SERIAL_RANGE[0] <= n <= _SERIAL_RANGE[1]:
        return None
    day = (_SERIAL_EPOCH + timedelta(days=n)).isoformat()
    return Deadline(m.group("n"), None, day, Span(m.start("n"), m.end("n")))


def find_deadlines(text: str, budget_year: int | None = None) -> list[Deadline]:
    """Every deadline in any Chinese text; spans are offsets into `text` as given."""
    from extractor.normalise import normalise

    normal = normalise(text)
    out = []
    for d in scan(normal.text, budget_year):
        assert d.span is not None
        s, e = normal.to_source(d.span.start, d.span.end)
        out.append(Deadline(text[s:e], d.start, d.end, Span(s, e)))
    return out
