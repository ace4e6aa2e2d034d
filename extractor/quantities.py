"""Quantities: value, unit, operator and kind, with offsets (SCHEMA.md "A quantity").

Quantities are read from characters with one compiled pattern built from the lexicon, never
assembled from segmenter tokens. Dates, document numbers, phone numbers, ordinals and
template placeholders are masked first so that they cannot be read as amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import regex

from extractor import lexicon
from extractor.numerals import mixed_to_chinese, parse_arabic, parse_number
from extractor.records import Quantity, Span

_CN = "[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"
# A PDF wraps long decimals in groups (968.191 8万元); the group must run into a unit.
_NUM = (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{3} \d{1,3}(?=\s?[\p{Han}%])|\d+(?:\.\d+)?")
# Arabic digits between scale words, two groups or more: 7万5千4百元, 1万2千人, 5千3百万元
# at most eight more parts (亿, 千万 … 十): unbounded, a long run of 44万44万… made every start
# scan to the run's end and back (quadratic); no written amount has more
_MIXED = r"\d{1,4}[亿万千百](?:\d{1,4}[亿万千百十]+){1,8}(?!\d)"
# a minus sign, never a range dash (0-6岁, 5%-10%) nor inside a code
_NEG = r"(?<![\d.,%‰)）\]\p{Latin}])[-−](?=\d)"
# `百分之` / `千分之` in front of a numeral, and the unit each one gives
_PER_PARTS = {"百分之": "%", "千分之": "‰"}
# the one-digit Chinese numeral of `三成`; not after a word that ends in 一 (统一成, 唯一成)
_TENTH_DIGIT = r"(?<![零〇一二两三四五六七八九十百千万亿第统唯单同逐合专划之均])[一二两三四五六七八九]"
_RANGE_DASH = regex.compile(r"(?<![\d.,])(?P<lo>\d+(?:\.\d+)?)\s*[-—~至到]\s*$")
_ITEM_START = "\n\t ,，;；。:：、"
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
    r"|(?:(?<!\d)\d+\s*号)"  # 号 numbers
    r"|(?:第\s*[\d零〇一二两三四五六七八九十百]+)"  # ordinals
    r"|(?:(?<![\d角])\d+\s*[(（]?分[)）]?(?![钟])(?=$|[\s,，;；。)）]|\d))"  # scores 10分
    r"|(?:[—-]\s*\d{1,3}\s*[—-](?=\s|$))"  # page markers — 1 —
    r"|(?:(?<!\d)\d+\s*型)"  # labels 2型
)


@dataclass(frozen=True)
class _Patterns:
    quantity: regex.Pattern[str]
    per: regex.Pattern[str]
    amount_before: regex.Pattern[str]  # a number and its unit right before a dash


@cache
def _patterns() -> _Patterns:
    lex = lexicon.load()
    # the unit and divisor lists are long: as trees, they cost one test a character
    units = lexicon.alternation_tree(list(lex.units))
    # a surface written with a slash (人/次 for 人次) is a unit of its own, never a divisor
    divisors = [s for s, d in lex.units.items() if d.divisor and "/" not in s]
    divisor_alt = lexicon.alternation_tree(divisors)
    prefix = lexicon.alternation_tree([*lex.operator_prefix, *lex.operator_symbols])
    suffix = lexicon.alternation_tree(list(lex.operator_suffix))
    # a letter or Han character standing for a sign must not follow another (施工90%)
    ocr_signs = lexicon.alternation([s for s in lex.operator_ocr if not s.isalpha()])
    ocr_letters = lexicon.alternation([s for s in lex.operator_ocr if s.isalpha()])
    per_parts = lexicon.alternation(list(_PER_PARTS))
    tenths = lexicon.alternation(list(lex.words["tenths_words"]))
    # `三成` stands alone: at the end, before punctuation, 的, 多/余 or an operator word
    tenth_end = rf"(?=$|[\s\p{{P}}|的多余]|{suffix})"
    jiao, fen = (regex.escape(w) for w in lex.words["money_subunits"])
    digit = "[0-9零〇一二两三四五六七八九]"
    quantity = regex.compile(
        rf"(?:(?P<ocr>{ocr_signs}|(?<![\p{{Han}}A-Za-z])(?:{ocr_letters}))(?=\d))?"
        rf"(?:(?P<pre>{prefix})\s*)?"
        rf"(?P<yen>[¥￥])?"
        rf"(?:(?P<pct>{per_parts})(?P<pctnum>{_CN}|{_NUM})"
        rf"|(?<![\d.,])(?P<mixed>{_MIXED})"
        rf"|(?P<tenth>{_TENTH_DIGIT})(?:{tenths}){tenth_end}"
        rf"|(?P<neg>{_NEG})?(?<![\d.,])(?P<num>{_NUM})(?![\d]|\.\d)"
        rf"|(?<![零〇一二两三四五六七八九十百千万亿第])(?P<cn>{_CN}))"
        rf"(?P<approx>余|多)?\s?"
        rf"(?P<unit>{units}|万|亿)?"
        # 5元3角, 5元3角2分: tenths and hundredths of a 元 (not of a 万元)
        rf"(?:(?<=(?<![万亿千])[元圆])(?P<jiao>{digit}){jiao}(?:(?P<fen>{digit}){fen})?)?"
        rf"(?P<div>(?:\s?[/*·、]\s?(?:{divisor_alt}))*)"
        rf"(?P<suf>{suffix})?"
    )
    per = regex.compile(rf"每(?P<d>{divisor_alt})")
    amount_before = regex.compile(rf"\d\s*(?:{units}|万|亿)?\s*$")
    if tuple(quantity.groupindex) != Groups._fields or quantity.groups != len(Groups._fields):
        raise AssertionError("Groups must list the quantity pattern's groups in order")
    return _Patterns(quantity, per, amount_before)


# every distractor holds one of these characters, the first digits of a year or a phone's
# eleven digits: most clauses (培训人数≥300人) hold none and are their own mask
_CAN_DISTRACT = regex.compile(r"[号月日第分型—-]|(?:19|20)\d\d|\d{11}")


def _masked(text: str) -> str:
    """The text with distractor digits replaced by '#', same length."""
    if _CAN_DISTRACT.search(text) is None:
        return text
    return _DISTRACTORS.sub(lambda m: "#" * len(m.group()), text)


def scan(text: str, allow_bare: bool = False) -> list[Quantity]:
    """Quantities in normalised `text`; spans are offsets into `text`."""
    # Layout, clause splitting and record building look at the same clause in turn; the
    # cache makes that one scan. Fresh records go out because callers shift and edit them.
    if _NUMERAL.search(text) is None:
        return []
    return [Quantity(q.text, q.value, q.unit, q.operator, q.kind, q.span)
            for q in _scan_once(text, allow_bare)]


def scan_shared(text: str, allow_bare: bool = False) -> tuple[Quantity, ...]:
    """`scan`'s records themselves, shared with every other caller: for a caller that only
    reads them, or copies them as it moves their spans (no copy made to be thrown away)."""
    # the pre-test before the cache: a text with no numeral is neither looked up nor stored
    return () if _NUMERAL.search(text) is None else _scan_once(text, allow_bare)


# every form of the quantity pattern holds a digit or a Chinese numeral: a text with neither
# (most indicator names) is answered without running that pattern
_NUMERAL = regex.compile(r"[\d零〇一二两三四五六七八九十百千万亿]")


@lru_cache(maxsize=4096)
def _scan_once(text: str, allow_bare: bool) -> tuple[Quantity, ...]:
    """Asked only of a text that passed _NUMERAL."""
    lex = lexicon.load()
    pats = _patterns()
    masked = _masked(text)
    found: list[Quantity] = []
    for m in pats.quantity.finditer(masked):
        # Groups._make without its length test: _patterns checks the count once
        g = _new_groups(Groups, m.groups())
        quantity = _build(m, g, text, masked, allow_bare, lex)
        if quantity is None:
            continue
        lower = _range_lower(m, g, text, masked, quantity)
        if lower is not None:
            found.append(lower)
        found.append(quantity)
    _apply_per_divisors(text, found, pats, lex)
    return tuple(found)


class Groups(NamedTuple):
    """The quantity pattern's groups in pattern order: a group's text, None where it took no
    part. Read by position in one call: `regex` looks a group up by name slowly (≈0.3 µs a
    name, ≈4 µs for a `groupdict`), and a match is asked about its groups some thirty times."""

    ocr: str | None
    pre: str | None
    yen: str | None
    pct: str | None
    pctnum: str | None
    mixed: str | None
    tenth: str | None
    neg: str | None
    num: str | None
    cn: str | None
    approx: str | None
    unit: str | None
    jiao: str | None
    fen: str | None
    div: str | None
    suf: str | None


# group numbers for Match.start/end, which are slow by name too
_G = {name: i for i, name in enumerate(Groups._fields, 1)}
_NUM_GROUP, _UNIT_GROUP = _G["num"], _G["unit"]
_new_groups = tuple.__new__


def _build(m: regex.Match, g: Groups, text: str, masked: str, allow_bare: bool,
           lex: lexicon.Lexicon) -> Quantity | None:
    if g.tenth:
        return _tenths(m, g, text, lex)
    num = g.num
    unit_surface = g.unit or ""
    if num:  # the usual form (the forms are alternatives: no other number is set)
        number_start = start = m.start(_NUM_GROUP)
        chinese = False
        raw_number = num
        if "." in num and _is_item_number(m, g, masked, unit_surface, lex):
            raw_number = num.split(".", 1)[1]
            start += num.index(".") + 1
        # digits first, nothing around them: parse_number would read them so
        value = parse_arabic(raw_number)
    else:
        cn, pctnum, mixed = g.cn, g.pctnum, g.mixed
        raw_number = cn or pctnum or mixed
        if not raw_number:
            return None
        chinese = bool(cn) or bool(pctnum and not pctnum[0].isdigit())
        number_start = start = _number_start(m, g)
        if mixed:  # 7万5千4百元 is read as 七万五千四百元
            raw_number = mixed_to_chinese(raw_number)
        if g.pct and raw_number[0] in "百千":  # 百分之百
            raw_number = "一" + raw_number
        if (chinese or mixed) and unit_surface:
            raw_number, unit_surface = _scale_as_written(raw_number, unit_surface, lex)
        value = parse_number(raw_number)
    if value is None:
        return None
    unit, kind = _unit_of(m, g, masked, unit_surface, chinese, allow_bare, lex)
    if not kind:
        return None
    if g.jiao:  # 5元3角2分
        value = round(value + parse_number(g.jiao) / 10
                      + parse_number(g.fen or "0") / 100, 2)
    negative = _negative(m, g, masked, kind) if g.neg else False
    if negative:
        value, start = -value, m.start(_G["neg"])
    definition = lex.units.get(unit_surface)
    if definition is not None and definition.fraction and value <= 1:
        value = round(value * 100, 10)  # 0.97比例 is 97%
    if g.div:
        unit = "/".join([unit, *_divisors(g.div, lex)])
    operator = _operator(g, lex)
    if operator == "=" and kind == "rate" and not (g.pct or g.pre or negative):
        value, operator = _ocr_at_least(raw_number, value, masked, start, lex)
    at_number = start == number_start or negative
    if at_number and (g.pre or g.ocr or g.yen):
        start = m.start()
    end = m.end()
    return Quantity(text[start:end], value, unit, operator, kind, Span(start, end))


def _tenths(m: regex.Match, g: Groups, text: str, lex: lexicon.Lexicon) -> Quantity | None:
    """`三成` → 30%, `两成以上` → ≥20%."""
    if g.unit or g.div:  # 三成 人: not a share standing alone
        return None
    value = parse_number(g.tenth or "")
    if value is None:
        return None
    start = m.start(_G["pre"]) if g.pre else m.start(_G["tenth"])
    return Quantity(text=text[start:m.end()], value=value * 10, unit="%",
                    operator=_operator(g, lex), kind="rate",
                    span=Span(start, m.end()))


def _negative(m: regex.Match, g: Groups, masked: str, kind: str) -> bool:
    """`下降-2.5%`: a minus before a rate, not a dash after an amount (5人-10人 is a range)."""
    if not g.neg or kind != "rate":
        return False
    start = m.start(_G["neg"])
    return _patterns().amount_before.search(masked, max(0, start - 12), start) is None


def _number_start(m: regex.Match, g: Groups) -> int:
    if g.num:  # the usual form first; the forms are alternatives, only one is set
        return m.start(_G["num"])
    for name in ("pct", "mixed", "cn"):
        if getattr(g, name):
            return m.start(_G[name])
    return m.start()


def _unit_of(m: regex.Match, g: Groups, masked: str, surface: str, chinese: bool,
             allow_bare: bool, lex: lexicon.Lexicon) -> tuple[str, str]:
    """(unit, kind) of a match; kind "" when the match is not an amount."""
    pct = g.pct
    if pct:
        return _PER_PARTS[pct], "rate"
    if surface in ("万", "亿"):
        return ("", "") if chinese else (surface + "元", "money")
    if surface:
        if not _unit_fits(m, g, masked, surface, chinese, lex):
            return "", ""
        return lex.canonical_unit(surface) or (surface, "count")
    if g.yen:
        return "元", "money"
    if chinese or not allow_bare:
        return "", ""
    return "", "count"


def _scale_as_written(raw: str, surface: str, lex: lexicon.Lexicon) -> tuple[str, str]:
    """`两千万元` → (两千, 万元): the magnitude stays as written, as in `2000万元`; `四十千克`
    → (四十, 千克). A 千 stays in the number where the whole reads (三千米 is 3000米), and
    any scale word where the rest does not (两亿三千万元 is 230000000元)."""
    if len(raw) < 2 or raw[-1] not in "万亿千" or raw[-1] + surface not in lex.units:
        return raw, surface
    if parse_number(raw[:-1]) is not None and (raw[-1] != "千" or parse_number(raw) is None):
        return raw[:-1], raw[-1] + surface
    return raw, surface


def _is_item_number(m: regex.Match, g: Groups, masked: str, surface: str,
                    lex: lexicon.Lexicon) -> bool:
    """`1.7名`, `1.400元`, `1.3000人` at the start of an item: item 1, then the amount. The
    decimals give it away: a count has none, a sum in 元 at most two."""
    number = g.num
    if not number or g.pre or g.ocr or "." not in number or "," in number:
        return False
    head, _, tail = number.partition(".")
    if len(head) > 2 or head.startswith("0") or not _at_item_start(m, masked):
        return False
    definition = lex.units.get(surface)
    if definition is None or definition.decimals is None or surface in lex.scaled_names:
        return False
    return len(tail.replace(" ", "")) > definition.decimals


def _ocr_at_least(raw: str, value: float, masked: str, start: int,
                  lex: lexicon.Lexicon) -> tuple[float, str]:
    """`292%` where no growth is spoken of: OCR read `≥92%` with the sign as a 2."""
    if value <= 100 or not raw.startswith("2") or len(raw) < 3:
        return value, "="
    rest = parse_number(raw[1:])
    before = masked[max(0, start - 8):start]
    if rest is None or rest > 100 or any(w in before for w in lex.words["growth_words"]):
        return value, "="
    return rest, "≥"


def _range_lower(m: regex.Match, g: Groups, text: str, masked: str,
                 upper: Quantity) -> Quantity | None:
    """`5-10人`, `18—54周岁`, `3~5天`: the lower end is a quantity of its own (≥), the
    upper end becomes ≤."""
    if not g.num or (g.pre and g.pre != "~") or g.ocr:
        return None
    if upper.value < 0:  # 下降-2.5%: a minus, not a range
        return None
    number_start = m.start(_G["num"])
    lo = _RANGE_DASH.search(masked, max(0, number_start - 24), number_start)
    if lo is None or upper.span is None:
        return None
    value = parse_number(lo.group("lo"))
    if value is None:
        return None
    if upper.operator in ("=", "≈"):
        upper.operator = "≤"
    if upper.span.start < number_start:
        upper.span = Span(number_start, upper.span.end)
        upper.text = text[number_start:upper.span.end]
    return Quantity(text=text[lo.start("lo"):lo.end("lo")], value=value, unit=upper.unit,
                    operator="≥", kind=upper.kind, span=Span(lo.start("lo"), lo.end("lo")))


# the units the two characters after them can disqualify when the number is in digits
_CALENDAR_UNITS = frozenset(("月", "季度", "年", "日"))


def _unit_fits(m: regex.Match, g: Groups, masked: str, surface: str, chinese: bool,
               lex: lexicon.Lexicon) -> bool:
    if not chinese and surface not in _CALENDAR_UNITS:
        return True  # what follows the unit is not asked about (most units)
    unit_end = m.end(_UNIT_GROUP)
    after = masked[unit_end:unit_end + 2]
    if chinese:
        canonical = (lex.canonical_unit(surface) or (surface, ""))[0]
        base = lex.units[surface].name if surface in lex.units else surface  # 万平方米 → 平方米
        allowed = lex.words["chinese_numeral_units"]
        if canonical not in allowed and surface not in allowed and base not in allowed:
            return False
        if any(after.startswith(b) for b in lex.words["chinese_numeral_blockers"]):
            return False
        if g.cn == "一" and surface in lex.words["article_units"]:
            return False  # 一种新模式: an article, not a count
        if after and after[0] in "零〇一二两三四五六七八九十":  # 一村一品, 一户一档
            return False
    if surface == "月":  # a month of the calendar, not a duration (durations say 个月)
        return False
    if surface == "季度" and after[:1] in ("末", "底"):  # 三季度末 is a deadline
        return False
    if surface == "年" and after.startswith("内") and _at_item_start(m, masked):
        return False  # `1年内开展…`: item 1, then 年内 (SCHEMA.md)
    return not (surface == "日" and after and after[0] in "前起止")


def _at_item_start(m: regex.Match, masked: str) -> bool:
    start = m.start()
    return start == 0 or masked[start - 1] in _ITEM_START
_CHAIN_SEP = regex.compile(r"[/*·、]")


def _divisors(chain: str, lex: lexicon.Lexicon) -> list[str]:
    if not chain:
        return []
    parts = [p.strip() for p in _CHAIN_SEP.split(chain) if p.strip()]
    return [_divisor_name(p, lex) for p in parts]


def _divisor_name(surface: str, lex: lexicon.Lexicon) -> str:
    name = (lex.canonical_unit(surface) or (surface, ""))[0]
    return "月" if name == "个月" else name


def _operator(g: Groups, lex: lexicon.Lexicon) -> str:
    suf = g.suf
    if suf:
        return lex.operator_suffix[suf]
    if g.approx:
        return "≈"
    pre = g.pre
    if pre:
        return lex.operator_symbols.get(pre) or lex.operator_prefix.get(pre, "=")
    ocr = g.ocr
    if ocr:
        return lex.operator_ocr[ocr]
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


def choose_target(quantities: Sequence[Quantity], text: str, base: int = 0) -> Quantity | None:
    """The amount a clause commits to (GOLD conventions): a formula's stated result, else
    a per-unit rate, else the last amount outside a parenthesised breakdown. The spans of
    `quantities` are offsets into `text` once `base` is taken off them."""
    if len(quantities) < 2:  # every reading below chooses the one amount there is
        return quantities[0] if quantities else None
    if "=" in text:  # a stated result is written after an `=`
        for q in quantities:
            assert q.span is not None
            start, end = q.span.start - base, q.span.end - base
            before = text[:start].rstrip()
            stated = before.endswith("=") or text[start:end].startswith("=")
            if stated and any(s in text[:start] for s in _FORMULA_SIGNS):
                return q
    rates = [q for q in quantities if "/" in q.unit and q.kind != "rate"]
    if rates:
        return rates[0]
    if "(" not in text and "（" not in text:  # no bracket: every amount stands outside
        return quantities[-1]
    outside = [q for q in quantities if not _inside_brackets(text, q.span, base)]
    return (outside or quantities)[-1]


def _inside_brackets(text: str, span: Span | None, base: int) -> bool:
    assert span is not None
    before = text[:span.start - base]
    return before.count("(") + before.count("（") > before.count(")") + before.count("）")
