"""Deadlines and periods (SCHEMA.md "A deadline"), resolved against the budget year.

Frequencies and cycles (每月15日前, 按季度) are recognised so that they are *not* read as
deadlines; durations (5个工作日内) are quantities, not deadlines.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache

import regex

from extractor.records import Deadline, Span

_SEP = r"\s*[-—~～至到]\s*"
_PATTERN = regex.compile(
    rf"(?P<ymd>(?P<y1>(?:19|20)\d{{2}})\s*年\s*(?P<m1>\d{{1,2}})\s*月\s*(?P<d1>\d{{1,2}})\s*[日号])"
    rf"|(?P<ymr>(?P<y2>(?:19|20)\d{{2}})\s*年\s*(?P<m2a>\d{{1,2}}){_SEP}(?P<m2b>\d{{1,2}})\s*月)"
    rf"|(?P<ym>(?P<y3>(?:19|20)\d{{2}})\s*年\s*(?P<m3>\d{{1,2}})\s*月(?P<m3end>底|末|份)?)"
    rf"|(?P<dotrange>(?P<y4>(?:19|20)\d{{2}})[.．/](?P<m4>\d{{1,2}})(?:[.．/](?P<d4>\d{{1,2}}))?"
    rf"{_SEP}(?:(?P<y5>(?:19|20)\d{{2}})[.．/])?(?P<m5>\d{{1,2}})(?:[.．/](?P<d5>\d{{1,2}}))?)"
    rf"|(?P<compact>(?<!\d)(?P<y6>(?:19|20)\d{{2}})(?P<m6>[01]\d){_SEP}(?P<y7>(?:19|20)\d{{2}})"
    rf"(?P<m7>[01]\d)(?!\d))"
    rf"|(?P<y>(?P<y8>(?:19|20)\d{{2}})\s*年(?P<yend>底|末|年底|年末)?(?!度))"
    rf"|(?P<md>(?<![\d年])(?P<m9>\d{{1,2}})\s*月\s*(?P<d9>\d{{1,2}})\s*[日号])"
    rf"|(?P<mend>(?<![\d年])(?P<m10>\d{{1,2}})\s*月(?P<m10end>底|末))"
    r"|(?P<next>次年\s*(?P<m11>\d{1,2})\s*月(?:\s*(?P<d11>\d{1,2})\s*[日号])?(?P<m11end>底|末)?)"
    r"|(?P<yearend>年底|年末)"
    r"|(?P<within>年内|全年|当年|本年度|年度内)"
    r"|(?P<half>上半年|下半年)"
    r"|(?P<quarter>第(?P<q>[一二三四1-4])季度)"
)
_BEFORE = regex.compile(r"\s*(?:之前|以前|前|止)")
_FREQUENCY = regex.compile(r"(?:每|按)\s*$")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_span(year: int, m1: int, m2: int) -> tuple[str | None, str | None]:
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None, None
    return _iso(year, m1, 1), _iso(year, m2, _last_day(year, m2))


def _interval(m: regex.Match, year: int | None) -> tuple[str | None, str | None]:
    g = m.group
    if g("ymd"):
        day = _iso(int(g("y1")), int(g("m1")), int(g("d1")))
        return None, day
    if g("ymr"):
        return _month_span(int(g("y2")), int(g("m2a")), int(g("m2b")))
    if g("ym"):
        y, mo = int(g("y3")), int(g("m3"))
        start, end = _month_span(y, mo, mo)
        return (None, end) if g("m3end") in ("底", "末") else (start, end)
    if g("dotrange"):
        y1 = int(g("y4"))
        y2 = int(g("y5")) if g("y5") else y1
        m1, m2 = int(g("m4")), int(g("m5"))
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            return None, None
        d1 = int(g("d4")) if g("d4") else 1
        d2 = int(g("d5")) if g("d5") else _last_day(y2, m2)
        return _iso(y1, m1, d1), _iso(y2, m2, d2)
    if g("compact"):
        y1, m1, y2, m2 = int(g("y6")), int(g("m6")), int(g("y7")), int(g("m7"))
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            return None, None
        return _iso(y1, m1, 1), _iso(y2, m2, _last_day(y2, m2))
    if g("y"):
        y = int(g("y8"))
        return (None, f"{y}-12-31") if g("yend") else (f"{y}-01-01", f"{y}-12-31")
    return _relative(m, year)


def _relative(m: regex.Match, year: int | None) -> tuple[str | None, str | None]:
    g = m.group
    if year is None:
        return None, None
    if g("md"):
        return None, _iso(year, int(g("m9")), int(g("d9")))
    if g("mend"):
        mo = int(g("m10"))
        return (None, _iso(year, mo, _last_day(year, mo))) if 1 <= mo <= 12 else (None, None)
    if g("next"):
        mo = int(g("m11"))
        if not 1 <= mo <= 12:
            return None, None
        day = int(g("d11")) if g("d11") else _last_day(year + 1, mo)
        return None, _iso(year + 1, mo, day)
    if g("yearend"):
        return None, f"{year}-12-31"
    if g("within"):
        return f"{year}-01-01", f"{year}-12-31"
    if g("half"):
        return (f"{year}-01-01", f"{year}-06-30") if g("half") == "上半年" else \
            (f"{year}-07-01", f"{year}-12-31")
    if g("quarter"):
        q = _QUARTERS[g("q")]
        return _month_span(year, 3 * q - 2, 3 * q)
    return None, None


def scan(text: str, budget_year: int | None = None) -> list[Deadline]:
    """Deadlines in normalised `text`; spans are offsets into `text`."""
    # the same clause is scanned by layout, clause splitting and record building: scan once
    return [Deadline(d.text, d.start, d.end, d.span) for d in _scan_once(text, budget_year)]


@lru_cache(maxsize=4096)
def _scan_once(text: str, budget_year: int | None) -> tuple[Deadline, ...]:
    out: list[Deadline] = []
    for m in _PATTERN.finditer(text):
        if _FREQUENCY.search(text[max(0, m.start() - 3):m.start()]):
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
