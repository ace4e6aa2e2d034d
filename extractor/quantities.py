"""Quantities: value, unit, operator and kind, with offsets (SCHEMA.md "A quantity").

Quantities are read from characters with one compiled pattern built from the lexicon, never
assembled from segmenter tokens. Dates, document numbers, phone numbers, ordinals and
template placeholders are masked first so that they cannot be read as amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from extractor import lexicon
from extractor.numerals import parse_number
from extractor.records import Quantity, Span

_CN = "[零〇一二两三四五六七八九十百千万亿]+"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CLAUSE_BREAK = regex.compile(r"[,，;；。:：!?！？\n\t|]")
# a number already consumed by a formula operator after it: 15人×500元
_FORMULA_SIGNS = "×*xX"

# Spans that hold digits but no amount.
_DISTRACTORS = regex.compile(
    r"(?:[\[〔［(（《【]\s*(?:19|20)\d{2}\s*[\]〕］)）》】]\s*(?:第\s*)?\d+\s*号)"  # 文号
    r"|(?:(?:19|20)\d{2}\s*[-—~至到.．/]\s*(?:19|20)\d{2})"  # year ranges
    r"|(?:(?:19|20)\d{2}(?:年|\s*[.．/-]\s*\d{1,2}(?:\s*[.．/-]\s*\d{1,2})?)"  # years, dates
    r"(?:\s*\d{1,2}\s*(?:[-—~至到]\s*\d{1,2}\s*)?月(?:\s*\d{1,2}\s*[日号])?)?)"
    r"|(?:\d{1,2}\s*[-—~至到]\s*\d{1,2}\s*月)"  # 1-12月
    r"|(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|底|末|初|中旬|上旬|下旬|前|份|起|止))"  # 6月30日, 6月底
    r"|(?:(?<!\d)\d{1,2}\s*[日号]\s*(?:前|之前|以前|起|止))"  # 15日前
    r"|(?:(?<!\d)(?:19|20)\d{4}\s*[-—~至到]\s*(?:19|20)\d{4})"  # 202001-202012
    r"|(?:(?<!\d)1[3-9]\d{9}(?!\d))|(?:(?<!\d)0\d{2,3}-\d{7,8}(?!\d))"  # phones
    r"|(?:\d+\s*号)"  # 号 numbers
    r"|(?:第\s*[\d零〇一二两三四五六七八九十百]+)"  # ordinals
    r"|(?:\d+\s*[(（]?分[)）]?(?![钟])(?=$|[\s,，;；。)）]|\d))"  # scores 10分
    r"|(?:[—-]\s*\d{1,3}\s*[—-](?=\s|$))"  # page markers — 1 —
    r"|(?:\d+\s*型)"  # labels 2型
)


@dataclass(frozen=True)
class _Patterns:
    quantity: regex.Pattern[str]
    per: regex.Pattern[str]


@cache
def _patterns() -> _Patterns:
    lex = lexicon.load()
    units = lexicon.alternation(list(lex.units))
    divisors = [s for s, d in lex.units.items() if d.divisor]
    divisor_alt = lexicon.alternation(divisors)
    prefix = lexicon.alternation([*lex.operator_prefix, *lex.operator_symbols])
    suffix = lexicon.alternation(list(lex.operator_suffix))
    quantity = regex.compile(
        rf"(?:(?P<pre>{prefix})\s*)?"
        rf"(?:(?P<pct>百分之)(?P<pctnum>{_CN}|{_NUM})|(?<![\d.,])(?P<num>{_NUM})(?![\d]|\.\d)"
        rf"|(?<![零〇一二两三四五六七八九十百千万亿第])(?P<cn>{_CN}))"
        rf"(?P<approx>余|多)?\s?"
        rf"(?P<unit>{units}|万|亿)?"
        rf"(?P<div>(?:\s?[/*·、]\s?(?:{divisor_alt}))*)"
        rf"(?P<suf>{suffix})?"
    )
    per = regex.compile(rf"每(?P<d>{divisor_alt})")
    return _Patterns(quantity, per)


def _masked(text: str) -> str:
    """The text with distractor digits replaced by '#', same length."""
    return _DISTRACTORS.sub(lambda m: "#" * len(m.group()), text)


def scan(text: str, allow_bare: bool = False) -> list[Quantity]:
    """Quantities in normalised `text`; spans are offsets into `text`."""
    # Layout, clause splitting and record building look at the same clause in turn; the
    # cache makes that one scan. Fresh records go out because callers shift and edit them.
    return [Quantity(q.text, q.value, q.unit, q.operator, q.kind, q.span)
            for q in _scan_once(text, allow_bare)]


@lru_cache(maxsize=4096)
def _scan_once(text: str, allow_bare: bool) -> tuple[Quantity, ...]:
    lex = lexicon.load()
    pats = _patterns()
    masked = _masked(text)
    found: list[Quantity] = []
    for m in pats.quantity.finditer(masked):
        quantity = _build(m, text, masked, allow_bare, lex)
        if quantity is not None:
            found.append(quantity)
    _apply_per_divisors(text, found, pats, lex)
    return tuple(found)


def _build(m: regex.Match, text: str, masked: str, allow_bare: bool,
           lex: lexicon.Lexicon) -> Quantity | None:
    raw_number = m.group("num") or m.group("cn") or m.group("pctnum")
    if not raw_number:
        return None
    chinese = bool(m.group("cn")) or (m.group("pctnum") and not m.group("pctnum")[0].isdigit())
    unit_surface = m.group("unit") or ""
    value = parse_number(raw_number)
    if value is None:
        return None
    if m.group("pct"):
        unit, kind = "%", "rate"
    elif unit_surface in ("万", "亿"):
        if chinese:
            return None
        unit, kind = unit_surface + "元", "money"
    elif unit_surface:
        if not _unit_fits(m, masked, unit_surface, bool(chinese), lex):
            return None
        unit, kind = lex.canonical_unit(unit_surface) or (unit_surface, "count")
    else:
        if chinese or not allow_bare:
            return None
        unit, kind = "", "count"
    divisors = _divisors(m.group("div"), lex)
    if divisors:
        unit = "/".join([unit, *divisors])
    operator = _operator(m, lex)
    start = m.start("pre") if m.group("pre") else (m.start("pct") if m.group("pct") else
                                                  m.start("num") if m.group("num") else
                                                  m.start("cn"))
    end = m.end()
    return Quantity(text=text[start:end], value=value, unit=unit, operator=operator,
                    kind=kind, span=Span(start, end))


def _unit_fits(m: regex.Match, masked: str, surface: str, chinese: bool,
               lex: lexicon.Lexicon) -> bool:
    after = masked[m.end("unit"):m.end("unit") + 2]
    if chinese:
        canonical = (lex.canonical_unit(surface) or (surface, ""))[0]
        if canonical not in lex.words["chinese_numeral_units"] and surface not in \
                lex.words["chinese_numeral_units"]:
            return False
        if any(after.startswith(b) for b in lex.words["chinese_numeral_blockers"]):
            return False
        if after and after[0] in "零〇一二两三四五六七八九十":  # 一村一品, 一户一档
            return False
    if surface == "月":  # a month of the calendar, not a duration (durations say 个月)
        return False
    return not (surface == "日" and after and after[0] in "前起止")
_CHAIN_SEP = regex.compile(r"[/*·、]")


def _divisors(chain: str, lex: lexicon.Lexicon) -> list[str]:
    if not chain:
        return []
    parts = [p.strip() for p in _CHAIN_SEP.split(chain) if p.strip()]
    return [_divisor_name(p, lex) for p in parts]


def _divisor_name(surface: str, lex: lexicon.Lexicon) -> str:
    name = (lex.canonical_unit(surface) or (surface, ""))[0]
    return "月" if name == "个月" else name


def _operator(m: regex.Match, lex: lexicon.Lexicon) -> str:
    if m.group("suf"):
        return lex.operator_suffix[m.group("suf")]
    if m.group("approx"):
        return "≈"
    pre = m.group("pre")
    if pre:
        return lex.operator_symbols.get(pre) or lex.operator_prefix.get(pre, "=")
    return "="


def _apply_per_divisors(text: str, found: list[Quantity], pats: _Patterns,
                        lex: lexicon.Lexicon) -> None:
    """`每人每月200元` → 元/人/月: 每X words before an amount in the same clause."""
    if "每" not in text:
        return
    previous_end = 0
    for q in found:
        assert q.span is not None
        window = text[previous_end:q.span.start]
        previous_end = q.span.end
        cut = max((m.end() for m in _CLAUSE_BREAK.finditer(window)), default=0)
        words = [m.group("d") for m in pats.per.finditer(window, cut)]
        if not words or "/" in q.unit or q.kind == "rate":
            continue
        names = [_divisor_name(w, lex) for w in words]
        entities = [n for n in names if lex.units[n if n in lex.units else "个"].kind
                    != "duration" and n != "月"]
        periods = [n for n in names if n not in entities]
        q.unit = "/".join([q.unit, *entities, *periods])


def find_quantities(text: str, context: dict | None = None) -> list[Quantity]:
    """Every quantity in any Chinese text; spans are offsets into `text` as given.

    `context` may carry `allow_bare` (read unit-less numbers as counts, as in a value cell).
    """
    from extractor.normalise import normalise

    allow_bare = bool((context or {}).get("allow_bare"))
    normal = normalise(text)
    out = []
    for q in scan(normal.text, allow_bare=allow_bare):
        assert q.span is not None
        start, end = normal.to_source(q.span.start, q.span.end)
        out.append(Quantity(text[start:end], q.value, q.unit, q.operator, q.kind,
                            Span(start, end)))
    return out


def choose_target(quantities: list[Quantity], text: str) -> Quantity | None:
    """The amount a clause commits to (GOLD conventions): a formula's stated result, else
    a per-unit rate, else the last amount outside a parenthesised breakdown."""
    if not quantities:
        return None
    for q in quantities:
        assert q.span is not None
        before = text[:q.span.start].rstrip()
        stated = before.endswith("=") or text[q.span.start:q.span.end].startswith("=")
        if stated and any(s in text[:q.span.start] for s in _FORMULA_SIGNS):
            return q
    rates = [q for q in quantities if "/" in q.unit and q.kind != "rate"]
    if rates:
        return rates[0]
    outside = [q for q in quantities if not _inside_brackets(text, q)]
    return (outside or quantities)[-1]


def _inside_brackets(text: str, q: Quantity) -> bool:
    assert q.span is not None
    before = text[:q.span.start]
    return before.count("(") + before.count("（") > before.count(")") + before.count("）")
