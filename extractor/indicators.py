"""Assemble indicator records from layout candidates: verbatim source text, quantities,
target, deadline, name, and the qualitative/vague reading."""

from __future__ import annotations

from functools import cache, lru_cache

import regex

from extractor import deadlines, formulas, lexicon, quantities
from extractor.clauses import trim
from extractor.layout import Candidate
from extractor.normalise import NormalizedText
from extractor.records import Deadline, Indicator, Quantity, Span

_HAN = regex.compile(r"\p{Han}")
_STRIP = " \t\n,，;；。:：、.．|"
_CYCLE_WITH_DAY = regex.compile(
    r"每(?:月|季度|年|周)\S{0,4}?\d{1,2}\s*[日号]"  # 每月15日前
    r"|每年\S{0,4}?\d{1,2}\s*月(?:底|末|份|中旬|上旬|下旬)?前?"  # 每年12月底前
    r"|每(?:年|月|季度|周)\S{0,6}?[一二两三四五六七八九十\d]+次"  # 每年慰问一次
)
_NATURE_MARK = regex.compile(r"^定性[\s:：]*")
# Pass/fail frames an auditor checks from records (RULES.md R12): conformity with a named
# standard (符合国家二级标准, 符合《…》) and entitlement in full (应保尽保, 应发尽发).
_PASS_FAIL_FRAME = regex.compile(
    r"符合[^，,；;。]{0,24}(?:标准|规范)$|符合《[^》]{1,40}》|应(保|发|补|享|纳|缴|救|退)尽\1"
)


def build(doc: str, normal: NormalizedText, candidates: list[Candidate],
          budget_year: int | None) -> list[Indicator]:
    out = []
    seen: set[tuple[int, int]] = set()
    text = normal.text
    for c in candidates:
        s, e = c.start, c.end
        if s >= e or text[s] in _STRIP or text[e - 1] in _STRIP:  # the gate trimmed most
            s, e = trim(text, s, e, _STRIP)
        if s >= e or (s, e) in seen or not (
                "\u4e00" <= text[s] <= "\u9fff" or _HAN.search(text, s, e)):
            continue
        seen.add((s, e))
        out.append(_indicator(doc, normal, c, s, e, budget_year))
    return out


def _indicator(doc: str, normal: NormalizedText, c: Candidate, s: int, e: int,
               year: int | None) -> Indicator:
    text = normal.text
    clause = text[s:e]
    # the value is read from a table row's target cell, else from the clause: cut once here
    if c.target_cell is not None:
        base = c.target_cell[0]
        value = text[base:c.target_cell[1]]
    else:
        value, base = clause, s
    if c.unit_cell or c.operator_cell:  # the columns edit the amounts the target is chosen from
        found = _quantities(text, c, s, value, base)
        target = _target(c, found, value, base)
        bounds = _bounds([(q.span.start, q.span.end) for q in found if q.span])
        found = _to_source(normal, found)
    else:
        found, target, bounds = _amounts(normal, c, s, value, base)
    if target is not None and not target.unit:
        _imply_unit(text, text[c.name[0]:c.name[1]] if c.name else clause, target, found)
    if c.level2 == "cost" or c.level1 == "cost":
        _money_per_unit([target, *found] if target is not None else found)
    deadline = _deadline(normal, c, value, base, year)
    src_s, src_e = normal.to_source(s, e)
    level1, level2 = c.level1, c.level2
    labelled = bool(level1 or level2)
    # by position (Indicator's field order): a call by keyword costs twice as much
    ind = Indicator(doc, normal.source[src_s:src_e], Span(src_s, src_e), c.field, list(c.path),
                    _name(normal, c, s, e, bounds), level1, level2,
                    "heading" if labelled else None, 1.0 if labelled else None, target, found,
                    deadline)
    ind.project, ind.row = c.project, c.row
    ind.formulas = formulas.formulas_at(normal, s, e)
    ind.qualitative = target is None
    # a value with an amount or a deadline is never vague: the value text is not even cut
    ind.vague = (not c.value_unread and not found and deadline is None
                 and _vague(_value_text(text, c, clause), found, deadline, c))
    return ind


def _amounts(normal: NormalizedText, c: Candidate, s: int, value: str,
             base: int) -> tuple[list[Quantity], Quantity | None, tuple[int, int] | None]:
    """`_quantities` and `_target` of a row with no unit or operator column, read from the
    shared scan records: the amounts copied once, straight to the source, the target copied
    with its span relative to `value` (the record's own), and the first start and last end of
    the amounts in the normalised text (None without one, or where the row has a name cell:
    the bounds serve a clause with no name cell only)."""
    if c.target_cell is None:
        records = quantities.scan_shared(value)
        if not records:  # most names and many values: nothing to copy or choose
            return [], None, None
        found: list[Quantity] = []
        bounds = _to_source_copies(normal, records, base, found, c.name is None)
        return found, _copy(quantities.choose_target(records, value)), bounds
    name_end = c.name[1] if c.name else s
    in_name = quantities.scan_shared(normal.text[s:name_end]) if name_end > s else ()
    in_value = quantities.scan_shared(value, allow_bare=True)
    pool: list[Quantity] | tuple[Quantity, ...] = in_value
    if in_name:
        # a name's amount counts for the target only where it stands at or after the value
        shift = s - base
        early = [q for q in _moved(in_name, shift) if q.span and q.span.start >= 0]
        if early:
            pool = [*early, *in_value]
    found = []
    # a row with amounts in its name has a name cell: the bounds are asked of the value only
    _to_source_copies(normal, in_name, s, found, False)
    bounds = _to_source_copies(normal, in_value, base, found, c.name is None)
    return found, _copy(quantities.choose_target(pool, value)), bounds


def _copy(q: Quantity | None) -> Quantity | None:
    """An own copy of a shared record, its span the record's own (records are never edited
    but copies are)."""
    return None if q is None else Quantity(q.text, q.value, q.unit, q.operator, q.kind, q.span)


def _to_source_copies(normal: NormalizedText, records: tuple[Quantity, ...], offset: int,
                      out: list[Quantity], bounds: bool) -> tuple[int, int] | None:
    """Append to `out` a copy of each record with the text and span of the source (its
    span moved by `offset` into the normalised text first); the first start and the last
    end of the moved spans when `bounds` is asked for."""
    source, to_source = normal.source, normal.to_source
    lo = hi = -1
    for q in records:
        span = q.span
        assert span is not None
        start, end = span.start + offset, span.end + offset
        if bounds:
            lo = start if lo < 0 or start < lo else lo
            hi = end if end > hi else hi
        a, b = to_source(start, end)
        out.append(Quantity(source[a:b], q.value, q.unit, q.operator, q.kind, Span(a, b)))
    return (lo, hi) if bounds and records else None


def _bounds(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first start and the last end of `spans`, None when there is none."""
    if not spans:
        return None
    return min(start for start, _ in spans), max(end for _, end in spans)


def _quantities(text: str, c: Candidate, s: int, value: str, base: int) -> list[Quantity]:
    """Amounts of the clause; of a table row, those of its name and of its value cell (read
    with bare numbers as counts); `value` is the clause or the cell, at offset `base`."""
    if c.target_cell is None:
        return _moved(quantities.scan_shared(value), base)
    name_end = c.name[1] if c.name else s
    found = _moved(quantities.scan_shared(text[s:name_end]), s) if name_end > s else []
    in_value = _moved(quantities.scan_shared(value, allow_bare=True), base)
    if c.unit_cell or c.operator_cell:
        in_value = _split_column_quantity(text, c, in_value)
    return found + in_value


# a unit column holds a short word (人次, 万元/个); a number there is the weight or score of
# a row whose unit cell was empty, and a sentence is a shifted prose cell
_UNIT_CELL = regex.compile(r"^\s*(?!\s*[\d.,]+\s*$).{1,8}\s*$")


def _split_column_quantity(text: str, c: Candidate, in_value: list[Quantity]) -> list[Quantity]:
    lex = lexicon.load()
    op = lex.operator_column.get((c.operator_cell or "").strip(), "=")
    if op == "qualitative":
        return []
    out = []
    unit_cell = c.unit_cell if c.unit_cell and _UNIT_CELL.match(c.unit_cell) else None
    for q in in_value:
        if unit_cell and not q.unit:
            unit, kind = lex.canonical_unit(unit_cell.strip()) or _compound_unit(unit_cell)
            q.unit, q.kind = unit, kind
        if q.operator == "=" and op != "=":
            q.operator = op
        out.append(q)
    return out


def _imply_unit(text: str, name: str, target: Quantity, found: list[Quantity]) -> None:
    """A bare number gets the unit the document writes it with elsewhere, next to words of
    the indicator's name, or else the unit its name implies (车辆采购数量 → 辆)."""
    unit = _unit_written_elsewhere(text, name, target.value) or _unit_from_name(name)
    if unit is None:
        return
    kind = (lexicon.load().canonical_unit(unit) or (unit, "count"))[1]
    value = target.value
    for q in (target, *found):
        if not q.unit and q.value == value:
            q.unit, q.kind = unit, kind
            if kind == "rate" and 0 < q.value <= 1:
                q.value *= 100  # 审稿率 | 1: a fraction of one


def _money_per_unit(found: list[Quantity]) -> None:
    """Under a cost heading, an amount per unit with no currency (`每亩300`, read as /亩) is
    in 元: the currency is what a cost is measured in."""
    for q in found:
        if q.unit.startswith("/"):
            q.unit, q.kind = "元" + q.unit, "money"


def _unit_from_name(name: str) -> str | None:
    implied = lexicon.load().implied_units
    best = max(((name.rfind(k) + len(k), len(k), k) for k in implied if k in name), default=None)
    return implied[best[2]] if best else None


@cache
def _counted_number() -> regex.Pattern[str]:
    lex = lexicon.load()
    counts = [s for s, d in lex.units.items() if d.kind == "count"]
    return regex.compile(rf"(?<![\d.])(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>{lexicon.alternation(counts)})")


@lru_cache(maxsize=4)
def _counted_numbers(text: str) -> dict[float, list[tuple[int, int, str]]]:
    """Every number written with a counting word in the document, by value: one pass per
    document, however many bare values ask."""
    out: dict[float, list[tuple[int, int, str]]] = {}
    for m in _counted_number().finditer(text):
        out.setdefault(float(m.group("number")), []).append((m.start(), m.end(), m.group("unit")))
    return out


def _unit_written_elsewhere(text: str, name: str, value: float) -> str | None:
    for start, end, unit in _counted_numbers(text).get(value, ()):
        around = text[max(0, start - 8):end + 8]
        if any(name[i:i + 2] in around for i in range(len(name) - 1)):
            return lexicon.load().canonical_unit(unit)[0]
    return None


def _compound_unit(cell: str) -> tuple[str, str]:
    found = quantities.scan("1" + cell.strip())
    if found and found[0].span and found[0].span.end == len(cell.strip()) + 1:
        return found[0].unit, found[0].kind
    return cell.strip(), "count"


def _moved(found: tuple[Quantity, ...] | list[Quantity], offset: int) -> list[Quantity]:
    """Own copies of `found` (records this module edits), their spans moved by `offset`."""
    if not found:
        return []
    out = []
    for q in found:
        assert q.span is not None
        out.append(Quantity(q.text, q.value, q.unit, q.operator, q.kind,
                            Span(q.span.start + offset, q.span.end + offset)))
    return out


def _target(c: Candidate, found: list[Quantity], value: str, base: int) -> Quantity | None:
    """The target, a copy with its span relative to `value` (the value cell or the clause)."""
    pool = found if c.target_cell is None else [q for q in found if q.span and q.span.start >= base]
    chosen = quantities.choose_target(pool, value, base)
    if chosen is None:
        return None
    assert chosen.span is not None
    return Quantity(chosen.text, chosen.value, chosen.unit, chosen.operator, chosen.kind,
                    Span(chosen.span.start - base, chosen.span.end - base))


def _deadline(normal: NormalizedText, c: Candidate, value: str, base: int,
              year: int | None) -> Deadline | None:
    """The value's first deadline that says when (or any, without a budget year), copied
    once with the text and span of the source."""
    found: tuple[Deadline, ...] | list[Deadline] = deadlines.scan_shared(value, year)
    if not found and c.target_cell is not None:
        serial = deadlines.from_serial(value)  # 44561, in the value cell of a date row
        if serial is not None and _date_row(normal.text, c):
            found = [serial]
    for d in found:
        if d.end or d.start or year is None:
            assert d.span is not None
            s, e = normal.to_source(d.span.start + base, d.span.end + base)
            return Deadline(normal.source[s:e], d.start, d.end, Span(s, e))
    return None


def _date_row(text: str, c: Candidate) -> bool:
    """A 时效 row or a row named for a time (完成时间): its value cell holds a date."""
    words = lexicon.load().words["date_row_words"]
    name = text[c.name[0]:c.name[1]] if c.name else ""
    return any(w in (c.level2 or "") or w in name for w in words)
_TRAILING_OPERATOR = regex.compile(r"(?:达到|不低于|不少于|为|≥|≤|=|>|<)+$")
_OPERATOR_ENDS = ("到", "于", "为", "≥", "≤", "=", ">", "<", "\n")  # last characters it can end on


@cache
def _strip_verb() -> regex.Pattern[str]:
    """The first verb of the list (list order, as the lexicon gives it) that starts a phrase
    and leaves two characters or more of it: 完成培训 → 培训, 完成 stays."""
    verbs = lexicon.load().words["name_strip_verbs"]
    return regex.compile(rf"(?s)(?:{'|'.join(regex.escape(v) for v in verbs)})(?=.{{2}})")


def _name(normal: NormalizedText, c: Candidate, s: int, e: int,
          bounds: tuple[int, int] | None) -> str | None:
    """The name cell, or the words of the clause before or after its amounts (`bounds`: the
    first start and last end of the amounts in the normalised text)."""
    if c.name is not None:
        ns, ne = normal.to_source(*c.name)
        return normal.source[ns:ne]
    first, last = bounds or (e, e)
    # the text before the amounts, or after them when that is longer and the text before
    # is short (str.strip trims as clauses.trim does, without a Python step a character)
    before, after = normal.text[s:first].strip(_STRIP), normal.text[last:e].strip(_STRIP)
    phrase = before if len(before) >= min(4, len(after)) else after
    verb = _strip_verb().match(phrase)
    if verb:
        phrase = phrase[verb.end():]
    if phrase.endswith(_OPERATOR_ENDS):  # the pattern is tried from every position: not in vain
        phrase = _TRAILING_OPERATOR.sub("", phrase)
    phrase = phrase.strip(_STRIP)
    return phrase[:40] or None


def _vague(text: str, found: list[Quantity], deadline: Deadline | None, c: Candidate) -> bool:
    if found or deadline is not None:
        return False
    if _CYCLE_WITH_DAY.search(text):
        return False
    lex = lexicon.load()
    value = text.strip(_STRIP)
    value = _NATURE_MARK.sub("", value) or value  # `定性 优` written into one value cell
    if _PASS_FAIL_FRAME.search(value):
        return False
    if (c.operator_cell or "").strip() == "定性" and value:
        return value not in lex.words["pass_fail_values"] and not value.endswith(_pass_fail_ends())
    return not value.endswith(_pass_fail_ends()) and value not in lex.words["pass_fail_values"]


@cache
def _pass_fail_ends() -> tuple[str, ...]:
    """The pass/fail values of two characters or more: a value ending on one is judged."""
    return tuple(w for w in lexicon.load().words["pass_fail_values"] if len(w) > 1)


def _value_text(text: str, c: Candidate, clause: str) -> str:
    """What a row's value is judged on: from its target cell to the row's end, or the target
    cell alone when it stands apart from the row (a displaced value run)."""
    if c.target_cell is None:
        return clause
    ts, te = c.target_cell
    if not c.start <= ts <= c.end:
        return text[ts:te]
    return clause[ts - c.start:]


def _to_source(normal: NormalizedText, found: list[Quantity]) -> list[Quantity]:
    """`found` (this module's own copies) with texts and spans of the source, in place."""
    for q in found:
        assert q.span is not None
        s, e = normal.to_source(q.span.start, q.span.end)
        q.text, q.span = normal.source[s:e], Span(s, e)
    return found
