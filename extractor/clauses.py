"""Split an item or a goal into measured clauses (SCHEMA.md "Conventions for the hard cases").

An item with two or more measured clauses is cut at `，；。` (and at `、` where both sides are
measured); unmeasured clauses of a cut item are dropped; an item with one measured clause
stays whole. Punctuation inside brackets never cuts.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

import regex

from extractor import deadlines, quantities

_MAJOR = ",，;；。!！?？|"  # a pipe is a cell border: an item never runs into the next cell
_MINOR = "、"
_OPEN, _CLOSE = "(（[【《“", ")）]】》”"
_GOAL_LEAD = regex.compile(
    r"\s*(?:目标[一二三四五六七八九十\d]{1,2}\s*[:：]?|[一二三四五六七八九十]{1,3}[、.]"
    r"|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}\s*[、.．](?!\d)|[①-⑳])\s*"
)
_PURE_DATE = regex.compile(r"^[\s\d年月日底末前后内.\-—~至到]*$")
PUNCT_TRIM = " \t\n,，;；。:：、.．"


def measured(text: str, *, goal: bool = False, dated_only: bool = False) -> bool:
    """A clause with an amount (number + unit, rate) or a date/deadline; `dated_only`
    ignores relative time words (全年, 年内) that do not make a clause on their own."""
    if quantities.scan_shared(text):
        return True
    return _dated(text, goal, dated_only)


def _dated(text: str, goal: bool, dated_only: bool) -> bool:
    """`measured` for a text without an amount: a date or a deadline."""
    found = deadlines.scan_shared(text, 2000)
    if dated_only:
        found = [d for d in found if any(ch.isdigit() for ch in d.text)]
    if not found:
        return False
    if goal:  # "2024年，通过实施本项目，…": a framing date is not a target
        rest = text
        for d in found:
            rest = rest.replace(d.text, "")
        return not _PURE_DATE.match(rest)
    return True


@cache
def _stops(separators: str) -> re.Pattern[str]:
    """Brackets and `separators`, as a group: the only characters `cut` has to look at (a
    class of literal characters: `re` finds the same as `regex`, at less cost a call)."""
    return re.compile("([" + re.escape(_OPEN + _CLOSE + separators) + "])")


def _outside(text: str, separators: str) -> list[int]:
    """The positions of `separators` that stand outside brackets, in one scan."""
    points: list[int] = []
    parts = _stops(separators).split(text)  # text, stop, text, … (no match object made)
    depth, pos = 0, len(parts[0])
    for k in range(1, len(parts), 2):
        ch = parts[k]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            points.append(pos)
        pos += 1 + len(parts[k + 1])
    return points


def cut(text: str, separators: str) -> list[tuple[int, int]]:
    """Pieces of `text` between separators that stand outside brackets."""
    return _pieces(text, _outside(text, separators), 0, len(text))


def _cut_points(text: str) -> tuple[list[int], list[int]]:
    """The major and the minor separators that stand outside brackets, in one scan of the
    text: what `cut` finds at each. A piece cut at a major separator starts outside brackets
    (so does its text after a goal lead, whose brackets close), so the minor separators
    `cut` finds in a piece are the text's that lie inside it."""
    points = _outside(text, _MAJOR + _MINOR)
    return [i for i in points if text[i] != _MINOR], [i for i in points if text[i] == _MINOR]


def _pieces(text: str, points: list[int], start: int, end: int) -> list[tuple[int, int]]:
    """`cut`'s pieces of [start, end), cut at those of `points` (in order) inside it."""
    spans = []
    for i in points[bisect_left(points, start):bisect_left(points, end)]:
        spans.append((start, i))
        start = i + 1
    spans.append((start, end))
    return [p for p in (trim(text, s, e) for s, e in spans) if p[0] < p[1]]


def trim(text: str, start: int, end: int, chars: str = PUNCT_TRIM) -> tuple[int, int]:
    """The span [start, end) without leading and trailing `chars`."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def split_measured(text: str, *, goal: bool = False) -> list[tuple[int, int]]:
    """Measured clauses of `text` as (start, end); for an item with fewer than two, the
    item itself (whole, when it is not goal prose)."""
    clauses: list[tuple[int, int, bool]] = []
    majors, minors = _cut_points(text)  # the text is scanned once for both cuts
    for s, e in _pieces(text, majors, 0, len(text)):
        if goal:
            lead = _GOAL_LEAD.match(text, s, e)
            if lead:
                s = lead.end()
        clauses.extend(_split_minor(text, s, e, goal, minors))
    if goal:
        # a clause known to hold an amount is measured: it is not measured again
        return [(s, e) for s, e, amount in clauses if amount or measured(text[s:e], goal=True)]
    # an item of one clause stays whole, measured or not: no need to measure it here
    measured_clauses = [(s, e) for s, e, amount in clauses
                        if amount or measured(text[s:e])] if len(clauses) > 1 else []
    if len(measured_clauses) >= 2:
        return measured_clauses
    whole = trim(text, 0, len(text))
    return [whole] if whole[0] < whole[1] else []


def _split_minor(text: str, start: int, end: int, goal: bool,
                 minors: list[int]) -> list[tuple[int, int, bool]]:
    """The parts of [start, end) cut at `、` (`minors`: the text's, outside brackets), each
    with whether it is known to hold an amount (a part found measured by its amounts,
    standing alone: `measured` is True for it)."""
    i = bisect_left(minors, start)
    if i == len(minors) or minors[i] >= end:  # one part: nothing to split, nothing to measure
        return [(start, end, False)]
    parts = _pieces(text, minors, start, end)
    if len(parts) < 2:
        return [(start, end, False)]
    texts = [text[s:e] for s, e in parts]
    amounts = [bool(quantities.scan_shared(t)) for t in texts]
    flags = [a or _dated(t, goal, True) for t, a in zip(texts, amounts, strict=True)]
    if sum(flags) < 2:
        return [(start, end, False)]
    # an unmeasured part joins the measured part after it (小麦、玉米…5.2万亩 stays whole)
    out, pending = [], None
    for (s, e), flag, amount in zip(parts, flags, amounts, strict=True):
        if not flag:
            pending = pending if pending is not None else s
            continue
        if pending is None:
            out.append((s, e, amount))
        else:
            out.append((pending, e, False))
        pending = None
    return out
