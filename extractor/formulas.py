"""Funding formulas written in indicator text: `8人×1000元×12个月=9.6万元`.

A formula is two or more quantities joined by multiplication signs, optionally followed by
`=` and a stated result (RULES.md R18 `formula_as_indicator`). This module only reads the
formula and exposes both the computed product and the stated result, scaled to 元; judging
the arithmetic (R35 `arithmetic_error`, R36 `estimate_budget_mismatch`) is the checker's job.

Quantities come from `quantities.scan`; this module only decides which of them are joined by
a sign. Signs are notation, not vocabulary, so they live here as a constant.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import regex

from extractor import lexicon, quantities
from extractor.normalise import NormalizedText, normalise
from extractor.records import Quantity, Span

# Multiplication signs as written, OCR'd or typed: × and its look-alikes, Latin x/X (OCR and
# keyboards), asterisks, and a middle dot between two amounts. A middle dot inside a unit
# (`元/人·月`) is consumed by the quantity reader and never reaches the gap between amounts.
SIGNS = "×xX*＊∗✕✖·•・"
_SIGN_CLASS = regex.escape(SIGNS)
_ANY_SIGN = regex.compile(f"[{_SIGN_CLASS}]")
# Scale words in front of a unit that can carry them (万元, 亿元, 万人): notation for 10ⁿ.
_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8}
_PERMILLE = "‰"
# Gaps between amounts are short; anything longer is prose, not a formula.
_MAX_GAP = 16

# Between two factors: words after the first number (7个小村×), or a per-word the unit
# registry does not know (2万元/社区×), the sign, and words before the next number
# (×补助标准500元). Bounded quantifiers on a short slice: no backtracking blow-up.
_LINK = regex.compile(
    rf"\s*(?:/(?P<per>\p{{Han}}{{1,4}})|\p{{Han}}{{0,6}})\s*[{_SIGN_CLASS}]\s*\p{{Han}}{{0,6}}\s*"
)
# Between the last factor and the stated result.
_TO_RESULT = regex.compile(r"\s*(?:/(?P<per>\p{Han}{1,4})|\p{Han}{0,6})\s*(?P<eq>[=＝])?\s*")
# A chain touching another arithmetic operator is a term of a larger expression
# (`8人×1000元+2人×500元=0.9万元`): its own product is not the stated result.
_OPERATOR_BEFORE = regex.compile(r"[+＋\-－÷/]\s*$")
# `×12月` in a formula is twelve months; the quantity reader rightly refuses a bare `12月`
# elsewhere because it is usually a calendar month.
_MONTHS_AFTER_SIGN = regex.compile(
    rf"(?<=[{_SIGN_CLASS}]\s?)(?P<n>\d{{1,2}})\s?月(?![日号底末初份中上下前起止])"
)


@dataclass(frozen=True)
class Formula:
    """Factors joined by multiplication signs and, where written, the stated result."""

    text: str
    span: Span
    factors: list[Quantity]
    result: Quantity | None = None

    def product_yuan(self) -> float | None:
        """The product with money scaled to 元; None unless exactly one factor is money."""
        money = [q for q in self.factors if q.kind == "money"]
        if len(money) != 1:
            return None
        product = 1.0
        for q in self.factors:
            product *= _plain_value(q)
        return product

    def result_yuan(self) -> float | None:
        """The stated result in 元; None when there is none or it is not money."""
        if self.result is None or self.result.kind != "money":
            return None
        return _plain_value(self.result)

    def consistent(self, tolerance: float = 0.01) -> bool | None:
        """Whether product and stated result agree within `tolerance` (relative to the
        result); None when either is missing."""
        product, stated = self.product_yuan(), self.result_yuan()
        if product is None or stated is None:
            return None
        return abs(product - stated) <= tolerance * abs(stated)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.span.start,
            "end": self.span.end,
            "factors": [q.to_dict() for q in self.factors],
            "result": self.result.to_dict() if self.result else None,
            "product_yuan": self.product_yuan(),
            "result_yuan": self.result_yuan(),
            "consistent": self.consistent(),
        }


def _plain_value(q: Quantity) -> float:
    """The value in base units: 万元 → 元, 万人 → 人, % → fraction."""
    base = q.unit.split("/", 1)[0]
    if q.kind == "rate":
        return q.value / (1000 if base == _PERMILLE else 100)
    units = lexicon.load().units
    bare = units.get(base[1:])
    if base[:1] in _SCALE and bare is not None and bare.scale:
        return q.value * _SCALE[base[:1]]
    return q.value


def formulas_in(normal_text: str) -> list[Formula]:
    """Formulas in normalised text; every span is an offset into `normal_text`."""
    items = _items(normal_text)
    found: list[Formula] = []
    i = 0
    while i < len(items):
        formula, last = _chain(normal_text, items, i)
        if formula is not None:
            found.append(formula)
        # a stated result may start the next stage: 8人×1000元=8000元×12个月=9.6万元
        i = last if formula is not None and formula.result is not None else last + 1
    return found


def find_formulas(text: str) -> list[Formula]:
    """Formulas in any Chinese text; spans and texts are taken from `text` as given."""
    normal = normalise(text)
    return [_to_source(f, normal, text) for f in formulas_in(normal.text)]


def formulas_at(normal: NormalizedText, start: int, end: int) -> list[Formula]:
    """Formulas in `normal.text[start:end]` (an indicator's clause), with source offsets."""
    if _ANY_SIGN.search(normal.text, start, end) is None:
        return []
    clause = normal.text[start:end]
    return [_to_source(_shifted(f, start), normal, normal.source) for f in formulas_in(clause)]


def _shifted(f: Formula, offset: int) -> Formula:
    def moved(q: Quantity) -> Quantity:
        span = _span(q)
        return Quantity(q.text, q.value, q.unit, q.operator, q.kind,
                        Span(span.start + offset, span.end + offset))

    return Formula(f.text, Span(f.span.start + offset, f.span.end + offset),
                   [moved(q) for q in f.factors], moved(f.result) if f.result else None)


def _items(text: str) -> list[Quantity]:
    """Amounts the chain walker considers, in order, with a leading `=` left in the gap."""
    found = [_without_equals(q) for q in quantities.scan(text, allow_bare=True)]
    starts = [_span(q).start for q in found]  # scan returns amounts in text order
    unit, kind = lexicon.load().canonical_unit("月") or ("个月", "duration")
    for m in _MONTHS_AFTER_SIGN.finditer(text):
        if _overlaps(found, starts, m.start(), m.end()):
            continue
        found.append(Quantity(m.group(), float(m.group("n")), unit, "=", kind,
                              Span(m.start(), m.end())))
    return sorted(found, key=lambda q: _span(q).start)


def _overlaps(found: list[Quantity], starts: list[int], start: int, end: int) -> bool:
    i = bisect.bisect_left(starts, end) - 1  # the last amount starting before `end`
    return i >= 0 and _span(found[i]).end > start


def _without_equals(q: Quantity) -> Quantity:
    """`=9.6万元` → `9.6万元`: the `=` belongs to the formula, not to the amount."""
    stripped = q.text.lstrip("=＝ ")
    if stripped == q.text:
        return q
    start = _span(q).end - len(stripped)
    return Quantity(stripped, q.value, q.unit, q.operator, q.kind, Span(start, _span(q).end))


def _chain(text: str, items: list[Quantity], first: int) -> tuple[Formula | None, int]:
    """The formula starting at items[first], if any, and the index of its last item."""
    if not _is_factor(items[first]):
        return None, first
    factors = [items[first]]
    j = first
    while j + 1 < len(items) and _is_factor(items[j + 1]):
        link = _gap_match(_LINK, text, factors[-1], items[j + 1])
        if link is None:
            break
        factors[-1] = _with_per(factors[-1], link.group("per"), text)
        factors.append(items[j + 1])
        j += 1
    if len(factors) < 2 or all(not q.unit for q in factors):
        return None, first
    result, end_item = _result(text, items, j, factors)
    if result is not None and _is_term(text, factors):
        result, end_item = None, j
    start, end = _span(factors[0]).start, _span(result or factors[-1]).end
    return Formula(text[start:end], Span(start, end), factors, result), end_item


def _is_term(text: str, factors: list[Quantity]) -> bool:
    """Whether an operator precedes the chain, making it a later term of a larger expression.

    An operator after the last factor needs no check: it ends the chain before any `=`.
    """
    start = _span(factors[0]).start
    # a short window: searching the whole prefix would make many chains quadratic
    return bool(_OPERATOR_BEFORE.search(text, max(0, start - _MAX_GAP), start))


def _result(text: str, items: list[Quantity], j: int,
            factors: list[Quantity]) -> tuple[Quantity | None, int]:
    """The stated result after the last factor (`=` then an amount), and its index."""
    if j + 1 >= len(items):
        return None, j
    candidate = items[j + 1]
    gap = _gap_match(_TO_RESULT, text, factors[-1], candidate)
    if gap is None or not (gap.group("eq") or candidate.text.startswith("≈")):
        return None, j
    factors[-1] = _with_per(factors[-1], gap.group("per"), text)
    return candidate, j + 1


def _is_factor(q: Quantity) -> bool:
    # bounds and ranges (≥8人, ~2000元) are not amounts to multiply
    return q.operator == "="


def _gap_match(pattern: regex.Pattern[str], text: str, left: Quantity,
               right: Quantity) -> regex.Match[str] | None:
    start, end = _span(left).end, _span(right).start
    if end - start > _MAX_GAP:
        return None
    return pattern.fullmatch(text, start, end)


def _with_per(q: Quantity, per: str | None, text: str) -> Quantity:
    """`2万元` followed by `/社区` → `2万元/社区`, unit `万元/社区`."""
    if not per:
        return q
    span = _span(q)
    end = text.index(per, span.end) + len(per)
    return Quantity(text[span.start:end], q.value, f"{q.unit}/{per}", q.operator, q.kind,
                    Span(span.start, end))


def _span(q: Quantity) -> Span:
    assert q.span is not None  # every quantity from scan carries its span
    return q.span


def _to_source(f: Formula, normal: NormalizedText, source: str) -> Formula:
    def mapped(q: Quantity) -> Quantity:
        s, e = normal.to_source(_span(q).start, _span(q).end)
        return Quantity(source[s:e], q.value, q.unit, q.operator, q.kind, Span(s, e))

    start, end = normal.to_source(f.span.start, f.span.end)
    return Formula(source[start:end], Span(start, end), [mapped(q) for q in f.factors],
                   mapped(f.result) if f.result else None)
