"""Check rules: numeric consistency (RULES.md section E, R35–R45).

Arithmetic written in the text (formulas, `每人…×人数…共计…`), estimates against the
project amount, the same item given two numbers, payment cadences, the money table (totals,
funding sources, decimals) and cost figures. Amounts are compared in 元 (or 万元 for the
money tolerance tolM of RULES.md); word lists and thresholds come from checks_numbers.toml
[numbers] and the shared checks.toml [thresholds].
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import regex

from extractor.checks.base import Config, Context, Rule, any_word, register
from extractor.checks.classes import joined_texts
from extractor.formulas import Formula
from extractor.records import Finding, Indicator, MoneyRow, Project, Quantity, Span

_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8}
_NUMBER = regex.compile(r"\d[\d,]*(?:\.(\d+))?")
_OUTPUT_LEVELS = ("output", "cost", None)
_CLAUSE_BREAK = regex.compile(r"[，,；;。]")
_GOAL_CLAUSE = regex.compile(r"[^，,；;。\n]+")
_LIST_JOINER = regex.compile(r"[、和及与]")
_AFTER_NUMBER = regex.compile(r"[^，,；;。、\d]*")
_AMOUNT_PART = regex.compile(r"(\d+(?:\.\d+)?)\s*(万元|元)")
_SPACES = regex.compile(r"\s")


# -- the family's settings, read from the configuration once --------------------------------
@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the memoised helpers below
class _Settings:
    periods: dict[str, float]  # period → periods per year (月 → 12)
    persons: frozenset[str]
    classifiers: frozenset[str]
    listed_entities: frozenset[str]
    total_cue: re.Pattern[str]
    part_cue: re.Pattern[str]
    part_cues: tuple[str, ...]
    elsewhere: re.Pattern[str]
    key_noise: regex.Pattern[str]
    leading: tuple[str, ...]
    trailing: tuple[str, ...]
    cadences: dict[str, float]
    cadence: regex.Pattern[str]
    payees: list[tuple[str, re.Pattern[str]]]  # payee group → any of its words, in order
    payment: re.Pattern[str]  # any payee word at all
    payment_joinable: bool  # no payee word holds a NUL: `payment` can scan NUL-joined texts
    explicit_count: regex.Pattern[str]
    per_unit_name: regex.Pattern[str]
    prose_breakdown: regex.Pattern[str]
    total_labels: frozenset[str]
    subtotal_labels: frozenset[str]
    tol_floor_yuan: float
    tol_share: float
    tol_wan: float
    rounding_band: float
    prose_coverage: float
    cost_cap_slack: float
    unit_cost_ranges: dict[str, list[float]]


def _read_settings(config: Config) -> _Settings:
    def words(key: str) -> list[str]:
        return config[f"numbers.{key}"]

    return _Settings(
        periods=words("period_per_year"), persons=frozenset(words("person_units")),
        classifiers=frozenset(words("classifier_units")),
        listed_entities=frozenset(words("listed_entities")),
        total_cue=any_word(words("total_cues")), part_cue=any_word(words("part_cues")),
        part_cues=tuple(words("part_cues")), elsewhere=any_word(words("other_source_words")),
        key_noise=regex.compile(words("key_noise")), leading=tuple(words("key_leading_verbs")),
        trailing=tuple(words("key_trailing_words")), cadences=words("cadence_per_year"),
        cadence=regex.compile(_alternation(words("cadence_per_year"))),
        payees=[(group, any_word(ws)) for group, ws in words("payees").items()],
        payment=any_word([w for ws in words("payees").values() for w in ws]),
        payment_joinable=not any("\0" in w for ws in words("payees").values() for w in ws),
        explicit_count=regex.compile(words("explicit_count")),
        per_unit_name=regex.compile(words("per_unit_name")),
        prose_breakdown=regex.compile(words("prose_breakdown")),
        total_labels=frozenset(config["money_table.total_labels"]),
        subtotal_labels=frozenset(config["money_table.subtotal_labels"]),
        tol_floor_yuan=config["thresholds.money_tolerance_wan"] * 1e4,
        tol_share=config["thresholds.money_tolerance_share"],
        tol_wan=config["thresholds.money_tolerance_wan"],
        rounding_band=config["thresholds.rounding_band"],
        prose_coverage=words("prose_coverage"), cost_cap_slack=words("cost_cap_slack"),
        unit_cost_ranges=words("unit_cost_ranges"))


def _settings(ctx: Context) -> _Settings:
    return ctx.settings(_read_settings)


# -- units and amounts ----------------------------------------------------------------------
@lru_cache(maxsize=1024)  # a document has a few dozen units, read for every amount
def _parts(unit: str) -> tuple[str, tuple[str, ...]]:
    """`万元/人/年` → (`万元`, (`人`, `年`))."""
    head, *divisors = unit.split("/")
    return head, tuple(divisors)


def _scaled(value: float, base: str) -> tuple[float, str]:
    """A magnitude word folded into the value: 1万份 → 10000 份, 4.5万元 → 45000 元."""
    if len(base) > 1 and base[0] in _SCALE:
        return value * _SCALE[base[0]], base[1:]
    return value, base


def _yuan(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    amount, base = _scaled(value, _parts(unit or "万元")[0] or "万元")
    return amount if base == "元" else None


def _decimals(written: str) -> int:
    m = _NUMBER.search(written)
    return len(m.group(1)) if m and m.group(1) else 0


def _shown(q: Quantity) -> str:
    """An amount with its full unit: `4.5万元/人/年` where the text says 每年每人4.5万元."""
    return f"{q.value:g}{q.unit}"


def _wan(yuan: float) -> str:
    """元 → a 万元 figure as a reviewer writes it."""
    return f"{yuan / 1e4:.4f}".rstrip("0").rstrip(".")


def _tol_yuan(ctx: Context, amount_yuan: float) -> float:
    """RULES.md tolM(x) = max(0.01万元, 0.5 %·x), in 元."""
    s = _settings(ctx)
    return max(s.tol_floor_yuan, s.tol_share * abs(amount_yuan))


def _amount(ctx: Context, project: Project | None) -> float | None:
    """A project's amount in 元. Without a project (a table whose header the walker could not
    name), the document's one funding block stands for it, unless task rows make it a
    whole-unit table."""
    if project is not None:
        return _yuan(project.amount, project.amount_unit or "万元")
    return ctx.shared("numbers.lone_amount", _lone_amount)


def _lone_amount(ctx: Context) -> float | None:
    rows = ctx.result.money_rows
    blocks = [r for r in rows if r.is_sum and r.project is None and r.fiscal is not None]
    lone = blocks[0] if len(blocks) == 1 and not ctx.result.projects and \
        not any(not r.is_sum for r in rows) else None
    return _yuan(lone.total, lone.unit) if lone else None


def _project_name(project: Project | None) -> str | None:
    return project.name if project is not None and project.name else None


def _cut(text: str, start: int, end: int) -> str:
    return text[max(0, start):max(0, end)]


# -- clause groups: the clauses of one written item -------------------------------------
_JOIN = regex.compile(r"[\s,，、;；。.．]*")
_START = attrgetter("span.start")


def _groups(result_text: str, indicators: list[Indicator],
            wanted: Callable[[Indicator], bool]) -> list[list[Indicator]]:
    """Indicators split from one item (`7名…4.5万元、其他干部21人…2.4万元。共发放82.31万元`)
    back together: same project, slot and row, only punctuation between them. Only the
    groups holding a `wanted` line, each found by widening from that line to its joined
    neighbours (the boundaries are the same as joining the whole list in order)."""
    ordered = sorted(indicators, key=_START)
    out: list[list[Indicator]] = []
    done = -1  # the last index already in a group
    for k, ind in enumerate(ordered):
        if k <= done or not wanted(ind):
            continue
        lo = hi = k
        while lo > 0 and _joined(result_text, ordered[lo - 1], ordered[lo]):
            lo -= 1
        while hi + 1 < len(ordered) and _joined(result_text, ordered[hi], ordered[hi + 1]):
            hi += 1
        out.append(ordered[lo:hi + 1])
        done = hi
    return out


def _joined(text: str, a: Indicator, b: Indicator) -> bool:
    if (a.project is not b.project or a.field != b.field or a.level2 != b.level2
            or a.row != b.row or b.span.start < a.span.end):
        return False
    return bool(_JOIN.fullmatch(text, a.span.end, b.span.start))


# -- what a group of clauses says about money and counts ---------------------------------
@dataclass
class _Item:
    ind: Indicator
    q: Quantity
    value: float  # scaled: 元 for money, plain count otherwise
    base: str  # 元, 人, 套 …
    divisors: tuple[str, ...]


@dataclass
class _Term:
    rate: _Item
    count: _Item
    months: float | None  # the rate's period per year (12 for 元/人/月), None: unknown

    @property
    def per_period(self) -> float:
        return self.rate.value * self.count.value

    def annual(self) -> float | None:
        return None if self.months is None else self.per_period * self.months

    def describe(self) -> str:
        tail = "" if self.months in (None, 1) else \
            f"×{self.months:g}个月" if self.months == 12 else f"×{self.months:g}期"
        return f"{_shown(self.count.q)}×{_shown(self.rate.q)}{tail}"


@dataclass
class _Reading:
    """One group: its rate × count terms, formulas, and the totals it states."""

    inds: list[Indicator]
    text: str
    span: Span
    terms: list[_Term] = field(default_factory=list)
    unpaired: list[_Item] = field(default_factory=list)  # money rates with no count
    formula_yuan: float = 0.0
    formula_texts: list[str] = field(default_factory=list)
    stated: list[_Item] = field(default_factory=list)  # money totals with a total cue
    periodic: list[_Item] = field(default_factory=list)  # money per period (每月…4800元)
    count_totals: list[_Item] = field(default_factory=list)  # 共计20套
    parts: list[_Item] = field(default_factory=list)  # plain amounts before a stated total

    @property
    def level1(self) -> str | None:
        return self.inds[0].level1

    @property
    def project(self) -> Project | None:
        return self.inds[0].project

    def money_terms(self) -> list[_Term]:
        return [t for t in self.terms if t.rate.base == "元"]

    def computed(self) -> float | None:
        """The annual amount the group's arithmetic gives, in 元: formulas, rate × count
        terms and the amounts listed before a stated total (设备购置30万元、安装调试20万元，
        合计…); None when some money rate has no count or a period cannot be annualised."""
        terms = self.money_terms()
        if self.unpaired or any(t.annual() is None for t in terms):
            return None
        if not terms and not self.formula_texts and not self.parts:
            return None
        return (self.formula_yuan + sum(t.annual() or 0.0 for t in terms)
                + sum(p.value for p in self.parts))

    def per_period(self) -> float:
        return (self.formula_yuan + sum(t.per_period for t in self.money_terms())
                + sum(p.value for p in self.parts))

    def stated_total(self) -> _Item | None:
        return self.stated[-1] if self.stated else None


def _readings(ctx: Context) -> list[_Reading]:
    """Every item's reading, made once per document for R35 and R36."""
    return ctx.shared("numbers.readings", _read_all)


def _read_all(ctx: Context) -> list[_Reading]:
    text, s = ctx.result.text, _settings(ctx)
    inds = [i for i in ctx.result.indicators if i.quantities or i.formulas]
    return [_read(s, text, g) for g in _groups(text, inds, _reckons)]


def _reckons(ind: Indicator) -> bool:
    """Whether the line can take part in a reckoning: a formula, an amount of money or a
    rate (元, 万元/公里, 次/年). Without one an item has no terms, totals or estimates, and
    four lines in five are 90 %, 120人 or 3个月."""
    if ind.formulas:
        return True
    for q in ind.quantities:  # noqa: SIM110 (a loop: a third of any() over a generator's cost)
        if "元" in q.unit or "/" in q.unit:
            return True
    return False


def _read(s: _Settings, text: str, group: list[Indicator]) -> _Reading:
    span = Span(group[0].span.start, group[-1].span.end)
    reading = _Reading(group, text[span.start:span.end], span)
    in_formula: list[Span] = []
    for ind in group:
        for f in ind.formulas:
            in_formula.append(f.span)
            product = f.product_yuan()
            if product is not None:
                reading.formula_yuan += product
                reading.formula_texts.append(f.text)
    items = [_item(ind, q) for ind in group for q in ind.quantities
             if q.span is not None and not (in_formula and any(s.start <= q.span.start < s.end for s in in_formula))]
    periods = s.periods
    rates = [it for it in items if it.divisors and it.q.operator == "="
             and _entity(it, periods) is not None and it.q.kind in ("money", "count")]
    counts = [it for it in items if not it.divisors and it.q.kind == "count"
              and it.q.operator == "="]
    used: set[int] = set()
    for rate in rates:
        count = _pair(s, text, rate, counts, used) or _listed(s, text, rate)
        if count is None:
            if rate.base == "元":
                reading.unpaired.append(rate)
            continue
        used.add(id(count))
        reading.terms.append(_Term(rate, count, _months(rate, periods, items)))
    _stated(s, text, reading, items, used)
    return reading


def _item(ind: Indicator, q: Quantity) -> _Item:
    base, divisors = _parts(q.unit)
    value, base = _scaled(q.value, base)
    return _Item(ind, q, value, base, divisors)


def _entity(item: _Item, periods: dict[str, float]) -> str | None:
    """The divisor a rate is paid per (人 in 元/人/月); None when it is only a period."""
    return next((d for d in item.divisors if d not in periods), None)


def _months(rate: _Item, periods: dict[str, float], items: list[_Item]) -> float | None:
    """How many periods of the rate make a year: 12 for 元/人/月 (or the stated 个月)."""
    period = next((d for d in rate.divisors if d in periods), None)
    if period is None:
        return 1.0
    if period in ("月", "个月"):
        stated = [it.value for it in items if it.q.kind == "duration" and it.base == "个月"]
        if stated:
            return stated[0]
    return float(periods[period]) if periods[period] else None


def _pair(s: _Settings, text: str, rate: _Item, counts: list[_Item],
          used: set[int]) -> _Item | None:
    """The count a rate multiplies: same entity (21人 × 万元/人), a person word for a person
    entity (7名 × 万元/人), or a classifier followed by the entity (两个…村 × 万元/村);
    the nearest before the rate, else the nearest after it."""
    entity = _entity(rate, s.periods)
    assert entity is not None and rate.q.span is not None
    persons, classifiers = s.persons, s.classifiers

    def fits(c: _Item) -> bool:
        if id(c) in used or c.base == rate.base:
            return False
        if c.base == entity or (c.base in persons and entity in persons):
            return True
        assert c.q.span is not None
        after = text[c.q.span.end:c.q.span.end + 8]
        return c.base in classifiers and entity in after

    start = rate.q.span.start
    before = [c for c in counts if c.q.span and c.q.span.start < start and fits(c)]
    after = [c for c in counts if c.q.span and c.q.span.start > start and fits(c)]
    if before:
        return before[-1]
    return after[0] if after else None


def _listed(s: _Settings, text: str, rate: _Item) -> _Item | None:
    """Places named one by one before a per-place rate count as the count
    (`在甲村、乙村、丙村每村安排2万元` → 3 村)."""
    entity = _entity(rate, s.periods)
    if entity not in s.listed_entities or rate.q.span is None:
        return None
    clause = _CLAUSE_BREAK.split(_cut(text, rate.ind.span.start, rate.q.span.start))[-1]
    found = list(_listing(entity).finditer(clause))
    if not found:
        return None
    m = found[-1]
    n = len(_LIST_JOINER.findall(m.group())) + 1
    start = rate.q.span.start - len(clause) + m.start()
    q = Quantity(m.group(), float(n), entity, "=", "count", Span(start, start + len(m.group())))
    return _Item(rate.ind, q, float(n), entity, ())


@lru_cache(maxsize=64)
def _listing(entity: str) -> regex.Pattern[str]:
    """Places of one kind named one by one (甲村、乙村和丙村)."""
    name = rf"\p{{Han}}{{1,8}}?{regex.escape(entity)}"
    return regex.compile(rf"{name}(?:[、和及与]{name})+")


def _stated(s: _Settings, text: str, reading: _Reading, items: list[_Item],
            used: set[int]) -> None:
    """Totals the group states: money after a total cue (共发放82.31万元, 全年…支出合计) with
    the plain amounts listed before it, money per period (每月支付4800元), and counts of a
    rate's numerator (共计20套)."""
    periods = s.periods
    numerators = {t.rate.base for t in reading.terms if t.rate.base != "元"}
    listed: list[_Item] = []
    for it in items:
        if id(it) in used or it.q.operator not in ("=", "≈") or it.q.span is None:
            continue
        lead = _cut(text, it.ind.span.start, it.q.span.start)
        lead = _CLAUSE_BREAK.split(lead)[-1]
        if s.part_cue.search(lead):
            continue
        cued = bool(s.total_cue.search(lead)) or it.q.text.lstrip().startswith(("=", "＝"))
        if it.base == "元" and not it.divisors and cued:
            reading.stated.append(it)
            # one amount listed beside rate × count terms is a part too (…、办公费1万元。共…)
            alone = len(listed) >= 2 or (listed and (reading.terms or reading.formula_texts))
            reading.parts = listed if alone else []
        elif it.base == "元" and not it.divisors and not reading.stated:
            listed.append(it)
        elif it.base == "元" and it.divisors and all(d in periods for d in it.divisors):
            reading.periodic.append(it)
        elif it.q.kind == "count" and not it.divisors and cued and it.base in numerators:
            reading.count_totals.append(it)


# -- R35 arithmetic_error ---------------------------------------------------------------
def _stated_tolerance(ctx: Context, item_text: str, stated: float, money: bool) -> float:
    """Rounding allowed to a stated result: half a unit of its last written digit, and for
    money no more than tolM (`=9万元` for 9.4万 is wrong, `=4.44万元` for 4.4424万 is not)."""
    scale = stated / max(_plain_number(item_text), 1e-12) if _plain_number(item_text) else 1.0
    half = 0.5 * 10 ** -_decimals(item_text) * abs(scale)
    if money:
        return min(half, _tol_yuan(ctx, stated)) + 1e-6
    return half + 1e-9


def _plain_number(written: str) -> float:
    m = _NUMBER.search(written)
    return float(m.group().replace(",", "")) if m else 0.0


@register
class ArithmeticError_(Rule):
    """R35: arithmetic written in the text that does not add up — a formula whose product
    differs from its stated result (`5人×3000元=1.6万元`, `6个乡镇×3口/乡镇=20口`), or an item
    whose rate × count terms differ from the total it states (`7名…每人4.5万元、21人…每人
    2.4万元。共发放82.31万元`, `为6个村每村配备3套，共计20套`).

    Does not flag: differences within the rounding of the stated figure (half a unit of its
    last digit, at most tolM for money); a stated total that matches either the per-period
    sum or the annual sum (a monthly 共计); items where some money rate has no count, so the
    sum cannot be formed; totals after 其中 (a part, not the whole). Comparing the recomputed
    amount with the project amount is R36's job."""

    code = "arithmetic_error"
    title = "文内算式错误"
    family = "numbers"
    why = "算式本身算错，说明测算不可靠，预算金额也可能随之出错。"
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：7.50万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（四）成本指标\n"
        "1.全年补助支出3人×2000元×12个月=7.5万元\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：7.20万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（四）成本指标\n"
        "1.全年补助支出3人×2000元×12个月=7.2万元\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    severity = "error"
    message = "算式“{expr}”的计算结果为{computed}，与文中所写的{stated}不符（差{gap}）。"
    suggestion = "核对计算过程和各项数值，改正结果或明细，使算式前后一致。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for reading in _readings(ctx):
            yield from self._formulas(ctx, reading)
            yield from self._sums(ctx, reading)

    def _formulas(self, ctx: Context, reading: _Reading) -> Iterator[Finding]:
        for ind in reading.inds:
            for f in ind.formulas:
                if f.result is None:
                    continue
                computed, stated, unit, money = _formula_values(f)
                if computed is None or stated is None:
                    continue
                tol = _stated_tolerance(ctx, f.result.text, stated, money)
                if abs(computed - stated) <= tol:
                    continue
                yield self._finding(ctx, ind, f.text, computed, stated, unit, money)

    def _sums(self, ctx: Context, reading: _Reading) -> Iterator[Finding]:
        if reading.unpaired:
            return
        money_terms = reading.money_terms()
        stated = reading.stated_total()
        if stated is not None and (money_terms or reading.formula_texts or reading.parts):
            yield from self._money_sum(ctx, reading, money_terms, stated)
        count_terms = [t for t in reading.terms if t.rate.base != "元"]
        for total in reading.count_totals:
            terms = [t for t in count_terms if t.rate.base == total.base]
            if not terms:
                continue
            computed = sum(t.per_period for t in terms)
            if abs(computed - total.value) > _stated_tolerance(ctx, total.q.text, total.value,
                                                                False):
                expr = " + ".join(t.describe() for t in terms)
                yield self._finding(ctx, total.ind, expr, computed, total.value, total.base,
                                    False)

    def _money_sum(self, ctx: Context, reading: _Reading, terms: list[_Term],
                   stated: _Item) -> Iterator[Finding]:
        per_period = reading.per_period()
        annual = reading.computed()
        tol = _stated_tolerance(ctx, stated.q.text, stated.value, True)
        candidates = [v for v in (annual, per_period) if v is not None]
        if not candidates or any(abs(v - stated.value) <= tol for v in candidates):
            return
        expr = " + ".join([*reading.formula_texts, *(t.describe() for t in terms),
                           *(_shown(p.q) for p in reading.parts)])
        shown = annual if annual is not None else per_period
        yield self._finding(ctx, stated.ind, expr, shown, stated.value, "元", True)

    def _finding(self, ctx: Context, ind: Indicator, expr: str, computed: float, stated: float,
                 unit: str, money: bool) -> Finding:
        def show(v: float) -> str:
            return f"{_wan(v)}万元" if money else f"{v:g}{unit}"

        return ctx.on_indicator(
            self, ind, expr=expr, computed=show(computed), stated=show(stated),
            gap=show(abs(computed - stated)),
            evidence={"expression": expr, "computed": computed, "stated": stated,
                      "unit": "元" if money else unit})


def _formula_values(f: Formula) -> tuple[float | None, float | None, str, bool]:
    """Product and stated result in comparable units, and whether they are money: 元 as the
    formula reads them (`100万元×30%=30万元`), else the result's unit when a factor counts
    the same thing (`3口/乡镇` for `=20口`)."""
    assert f.result is not None
    product, stated = f.product_yuan(), f.result_yuan()
    if product is not None and stated is not None:
        return product, stated, "元", True
    items = [(q.value / 100, "%") if q.kind == "rate" else _scaled(q.value, _parts(q.unit)[0])
             for q in f.factors]
    value, base = _scaled(f.result.value, _parts(f.result.unit)[0])
    if f.result.kind in ("money", "rate") or base not in {b for _, b in items}:
        return None, None, base, False
    product = 1.0
    for factor, _ in items:
        product *= factor
    return product, value, base, False


# -- R36 estimate_budget_mismatch --------------------------------------------------------
@dataclass
class _Estimate:
    reading: _Reading
    value: float  # 元 per year
    how: str  # recomputed | stated
    monthly_total: bool = False  # a stated total that is a month's pay (共计4500元 for 1500元/人/月)


def _estimate(ctx: Context, reading: _Reading) -> _Estimate | None:
    computed = reading.computed()
    if computed is not None:
        return _Estimate(reading, computed, "recomputed")
    stated = reading.stated_total()
    if stated is not None:
        monthly = any("月" in it.divisors for it in reading.unpaired)
        return _Estimate(reading, stated.value, "stated", monthly)
    if len(reading.periodic) == 1 and not reading.terms:  # 每月发放补助合计1.5万元 (× 12)
        item = reading.periodic[0]
        per_year = _settings(ctx).periods.get(item.divisors[0])
        if len(item.divisors) == 1 and per_year:
            return _Estimate(reading, item.value * per_year, "stated")
    return None


@register
class EstimateBudgetMismatch(Rule):
    """R36: the money the text computes or states for a project (a formula, rate × count
    terms, `共计…万元`, `全年…支出合计…`) differs from the project's amount by more than tolM;
    a warning within the 2 % rounding band, an error beyond it. The recomputed figure is used
    where the text gives one (SCHEMA: a wrong stated product is R35's).

    The amount is the project's; in a one-project table whose name the walker did not read,
    the document's one funding block (`年度资金总额 …`).

    Does not flag: projects without an amount; effect and satisfaction lines (money there is
    an outcome, not the spending); totals after 其中; rates with no count (nothing to add
    up); rates and counts from different items (R42/R43 look at those). When several items
    of a project each give an estimate, any one of them or their sum matching the amount is
    enough."""

    code = "estimate_budget_mismatch"
    title = "测算金额与项目预算不符"
    family = "numbers"
    why = (
        "文中测算的金额与项目预算对不上，要么测算有误，要么预算依据不足，"
        "审核必须核实。"
    )
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：10.80万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（四）成本指标\n"
        "1.全年补助支出15人×500元×12个月=9万元\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '项目金额：10.80万元\n',
        '项目金额：9.00万元\n')
    severity = "error"
    message = ("文中测算的金额为{estimate}万元（{how}），而项目预算金额为{amount}万元，"
               "相差{gap}万元（{share}）。{note}")
    suggestion = "核对测算依据（标准、人数、月数）与项目预算，使测算金额与预算金额一致，或说明差额来源。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_project: dict[int, list[_Estimate]] = {}
        for reading in _readings(ctx):
            project = reading.project
            if reading.level1 not in _OUTPUT_LEVELS or _amount(ctx, project) is None:
                continue
            estimate = _estimate(ctx, reading)
            if estimate is not None:
                by_project.setdefault(id(project), []).append(estimate)
        for estimates in by_project.values():
            finding = self._judge(ctx, estimates)
            if finding is not None:
                yield finding

    def _judge(self, ctx: Context, estimates: list[_Estimate]) -> Finding | None:
        project = estimates[0].reading.project
        amount = _amount(ctx, project)
        if amount is None or amount <= 0:
            return None
        tol = _tol_yuan(ctx, amount)
        candidates = [e.value for e in estimates] + [sum(e.value for e in estimates)]
        if any(abs(v - amount) <= tol for v in candidates):
            return None
        # the reading closest to the amount: one item, or all of them added up
        value = min(candidates, key=lambda v: abs(v - amount))
        chosen = next((e for e in estimates if e.value == value),
                      max(estimates, key=lambda e: e.value))
        if len(estimates) > 1 and value != sum(e.value for e in estimates):
            estimates = [chosen]
        gap = abs(value - amount)
        severity = "warning" if gap <= _settings(ctx).rounding_band * amount else None
        note = ""
        if chosen.monthly_total and len(estimates) == 1 and abs(value * 12 - amount) <= tol:
            severity, note = "warning", "该合计按月计，乘以12个月后与预算一致，请写明人数与月数。"
        reading = chosen.reading
        how = "按算式重新计算" if chosen.how == "recomputed" else "文中所写合计"
        span = reading.span
        if len({e.reading.inds[0].row for e in estimates}) == 1:  # one row: quote all of it
            span = Span(min(e.reading.span.start for e in estimates),
                        max(e.reading.span.end for e in estimates))
        return ctx.finding(
            self, ctx.result.text[span.start:span.end], span=span, project=_project_name(project),
            severity=severity, estimate=_wan(value), how=how, amount=_wan(amount),
            gap=_wan(gap), share=f"{gap / amount:.1%}", note=note,
            evidence={"estimate_yuan": value, "amount_yuan": amount, "gap_yuan": gap,
                      "share": round(gap / amount, 4), "basis": chosen.how,
                      "parts": [e.reading.text for e in estimates]})


# -- R37 indicator_money_exceeds_budget --------------------------------------------------
@register
class IndicatorMoneyExceedsBudget(Rule):
    """R37: a sum of money in an output or cost indicator larger than the whole project
    amount (`发放低保金130.65万` in a 1.45万元 project): the line measures a programme the
    project does not fund.

    Does not flag: rates and standards (元/人), effect lines (`减少损失120万元`, `带动增收` are
    outcomes), amounts the text says come from elsewhere (上级, 中央, 其他资金 …), stated
    totals of the project's own arithmetic (R36 judges those), projects without an amount."""

    code = "indicator_money_exceeds_budget"
    title = "指标金额超出项目预算"
    family = "numbers"
    why = (
        "指标中的金额超过项目本身的预算，不可能由本项目完成，"
        "多为单位写错或照抄上级资金。"
    )
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：2.00万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（二）质量指标\n"
        "1.发放医疗救助资金300万元\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '1.发放医疗救助资金300万元\n',
        '1.发放医疗救助资金1.8万元\n')
    severity = "warning"
    message = "指标中的金额{money}超过项目预算金额{amount}万元。"
    suggestion = "确认该金额是否由本项目资金安排；如属其他资金，请注明来源或改用本项目可考核的指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        s = _settings(ctx)
        for ind in ctx.by_kind.get("money", ()):
            if ind.field != "indicator" or ind.formulas or ind.level1 not in _OUTPUT_LEVELS:
                continue
            amount = _amount(ctx, ind.project)
            if amount is None or s.elsewhere.search(ind.text) or s.total_cue.search(ind.text):
                continue
            over = [q for q in ind.quantities if q.kind == "money" and "/" not in q.unit
                    and (_yuan(q.value, q.unit) or 0) > amount + _tol_yuan(ctx, amount)]
            if over:
                yield ctx.on_indicator(self, ind, money=over[0].text.strip(), amount=_wan(amount),
                                       evidence={"money_yuan": _yuan(over[0].value, over[0].unit),
                                                 "amount_yuan": amount})


# -- R38 internal_value_conflict ---------------------------------------------------------
@dataclass(slots=True)
class _Value:
    ind: Indicator
    key: str
    base: str  # unit with the magnitude folded in, divisors kept (份, 万元→元, 元/人/月)
    value: float
    q: Quantity


def _values(s: _Settings, text: str, ind: Indicator) -> list[_Value]:
    """(key, unit, number) of every amount in an indicator; the key is the words before the
    amount, without dates, operators and leading verbs (the words after it when nothing is
    before: `完成100人培训`); an amount right after another one (`1次50人`) shares its key."""
    out: list[_Value] = []
    cursor, key = ind.span.start, ""
    for q in ind.quantities:
        if q.span is None or q.span.start < cursor:
            continue
        lead = _normal_key(s, text[cursor:q.span.start])
        if not lead and not key:  # the object after the number: `6月底前完成100人培训`
            tail = _AFTER_NUMBER.match(text, q.span.end, max(q.span.end, ind.span.end))
            lead = _normal_key(s, tail.group() if tail else "")
        key = lead or key
        cursor = q.span.end
        if key and q.kind != "duration":
            scale, base = _unit_key(q.unit)
            out.append(_Value(ind, key, base, q.value if scale is None else q.value * scale, q))
    return out


@lru_cache(maxsize=1024)
def _unit_key(unit: str) -> tuple[float | None, str]:
    """The magnitude of a unit and the unit without it, divisors kept: `万元/人/月` →
    (1e4, `元/人/月`); (None, `份`) when there is none."""
    head, divisors = _parts(unit)
    scale = _SCALE[head[0]] if len(head) > 1 and head[0] in _SCALE else None
    return scale, "/".join([head[1:] if scale is not None else head, *divisors])


_NOT_LETTER = regex.compile(r"[^\p{Han}A-Za-z]")


@lru_cache(maxsize=8192)  # the same few leads recur line after line, table after table
def _normal_key(s: _Settings, lead: str) -> str:
    text = _NOT_LETTER.sub("", s.key_noise.sub("", lead))
    leading, trailing = s.leading, s.trailing
    changed = text.startswith(leading) or text.endswith(trailing)  # most keys: nothing to strip
    while changed and text:
        changed = False
        for w in leading:
            if text.startswith(w):
                text, changed = text[len(w):], True
        for w in trailing:
            if text.endswith(w):
                text, changed = text[:-len(w)], True
    return text if len(text) >= 2 else ""


def _same_item(a: _Value, b: _Value) -> bool:
    if a.base != b.base:
        return False
    if a.key == b.key:
        return True
    # a deadline restating the quantity (`管网改造完成时间 | …前完成4.8公里` vs `改造供排水管网`)
    if "timeliness" not in (a.ind.level2, b.ind.level2) or a.base == "%":
        return False
    short, long_ = sorted((a.key, b.key), key=len)
    if len(short) >= 3 and set(short) <= set(long_):
        return True
    return any(short[i:i + 3] in long_ for i in range(len(short) - 2))  # 便民服务点


def _milestone(a: _Value, b: _Value) -> bool:
    """A deadline line giving less than the plan is a milestone (`上半年完成培训2期` of 4),
    not a restatement; more than the plan is a conflict (`完成100人培训` of 80)."""
    timely = [v for v in (a, b) if v.ind.level2 == "timeliness"]
    if len(timely) != 1:
        return False
    other = b if timely[0] is a else a
    return timely[0].value < other.value


@register
class InternalValueConflict(Rule):
    """R38: the same item given two different numbers in one project (数量 `印发宣传资料5000份`
    vs 质量 `印发宣传资料1万份`; 数量 `改造供排水管网 4.2公里` vs 时效 `…前完成4.8公里`), one
    finding per later line that restates an item with another number, a bound against a
    plan count included (`≥85人` vs `完成95人`).

    Does not flag: clauses of the same item and slot (`3000人以下农业村3.5万元/村、…3000人以上
    农业村4万元/村` are two cases, not a conflict); different units (次 vs 人, 元/人 vs 元);
    goal prose against the table (R27's); keys that only share words (`小学…人数` vs
    `初中…人数`); a 时效 line giving less than the plan (a milestone: `上半年完成2期` of 4).
    Loose key matching (same characters in another order or with words added) is used only
    when one side is a 时效 line restating a quantity (not a rate)."""

    code = "internal_value_conflict"
    title = "同项目数值矛盾"
    family = "numbers"
    why = "同一事项在同一项目里给出两个不同数字，年底按哪个考核都说不清。"
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：5.00万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（一）数量指标\n"
        "1.培训人数80人\n"
        "（三）时效指标\n"
        "1.6月底前完成100人培训\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '1.6月底前完成100人培训\n',
        '1.6月底前完成80人培训\n')
    severity = "error"
    message = "“{key}”在本项目中前后数值不一致：{earlier}（{earlier_text}）与{later}。"
    suggestion = "核实该事项的实际数量，统一各处的指标值。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_project: dict[int, list[Indicator]] = {}
        for ind in ctx.lines:
            if ind.quantities:
                by_project.setdefault(id(ind.project), []).append(ind)
        for inds in by_project.values():
            yield from self._project(ctx, sorted(inds, key=_START))

    def _project(self, ctx: Context, inds: list[Indicator]) -> Iterator[Finding]:
        seen, s, text = _Seen(), _settings(ctx), ctx.result.text
        for ind in inds:
            mine = _values(s, text, ind)
            clash = seen.clash(ind, mine)
            for value in mine:
                seen.add(value)
            if clash is None:
                continue
            old, new = clash
            yield ctx.on_indicator(
                self, ind, key=old.key, earlier=old.q.text.strip(), earlier_text=old.ind.text,
                later=new.q.text.strip(),
                evidence={"key": old.key, "unit": old.base, "values": [old.value, new.value],
                          "earlier": old.ind.text})


class _Seen:
    """The amounts of a project so far: unit → key → number → its first line (only one unit
    can clash, and a document of many copies of one table keeps one entry per distinct
    figure). Keys whose first line is a 时效 line are also listed apart: a key matches
    another loosely only through a 时效 line (_same_item), so an amount is compared with
    its own key and those, not with every key of its unit."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, dict[float, _Value]]] = {}
        self.rank: dict[str, dict[str, int]] = {}  # unit → key → order of arrival
        self.timely: dict[str, list[str]] = {}  # unit → keys first given by a 时效 line

    def add(self, value: _Value) -> None:
        bucket = self.keys.setdefault(value.base, {})
        olds = bucket.get(value.key)
        if olds is None:  # a new key: its rank, and whether a 时效 line gave it first
            self.rank.setdefault(value.base, {})[value.key] = len(bucket)
            if value.ind.level2 == "timeliness":
                self.timely.setdefault(value.base, []).append(value.key)
            olds = bucket[value.key] = {}
        olds.setdefault(value.value, value)

    def clash(self, ind: Indicator, mine: list[_Value]) -> tuple[_Value, _Value] | None:
        """The first earlier amount that gives one of the line's items another number."""
        for new in mine:
            for olds in self.same_item(new):
                for old in olds.values():
                    if _distinct_lines(old.ind, ind) and not _equal(old.value, new.value) \
                            and not _milestone(old, new):
                        return old, new
        return None

    def same_item(self, new: _Value) -> list[dict[float, _Value]]:
        """The entries, in order of arrival, of the keys that name the same item as `new`."""
        bucket = self.keys.get(new.base)
        if not bucket:
            return []
        if new.base == "%" or (new.ind.level2 != "timeliness" and new.base not in self.timely):
            own = bucket.get(new.key)  # rates, and units no 时效 line gave: the own key only
            return [] if own is None else [own]
        keys: Iterable[str] = bucket
        if new.ind.level2 != "timeliness":
            keys = sorted({*self.timely[new.base], new.key} & bucket.keys(),
                          key=self.rank[new.base].__getitem__)
        return [bucket[key] for key in keys if key == new.key
                or _same_item(next(iter(bucket[key].values())), new)]


def _distinct_lines(a: Indicator, b: Indicator) -> bool:
    """Different lines: another slot, or another table row."""
    return a is not b and (a.level2 != b.level2 or a.row != b.row)


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# -- R39 frequency_conflict --------------------------------------------------------------
@dataclass
class _Cadence:
    text: str
    span: Span
    per_year: float
    payee: str  # the payment word (工资, 补助 …) as grouped by the config
    context: str  # the clause, for the shared-words test
    explicit: bool = False


def _statements(ctx: Context, payment: re.Pattern[str]
                ) -> Iterator[tuple[Project | None, str, Span, str]]:
    """(project, clause, span, kind) of goal prose and indicators, clause by clause, those
    that name a payment."""
    for goal in ctx.result.goals:
        if not payment.search(goal.text):
            continue
        for m in _GOAL_CLAUSE.finditer(goal.text):
            yield goal.project, m.group(), Span(goal.span.start + m.start(),
                                                goal.span.start + m.end()), "goal"
    for ind in _naming(ctx, payment):
        if ind.field == "indicator":
            yield ind.project, ind.text, ind.span, "indicator"


def _naming(ctx: Context, payment: re.Pattern[str]) -> list[Indicator]:
    """The indicators whose text names a payment, in order: one scan of the NUL-joined
    texts (exact: no payee word holds a NUL) instead of one search per line."""
    inds = ctx.result.indicators
    if not _settings(ctx).payment_joinable:
        return [i for i in inds if payment.search(i.text)]
    return [inds[k] for k in joined_texts(ctx).matched(payment)]


def _cadences(ctx: Context) -> list[tuple[Project | None, _Cadence]]:
    s = _settings(ctx)
    words, pattern, explicit = s.cadences, s.cadence, s.explicit_count
    out = []
    for project, clause, span, kind in _statements(ctx, s.payment):
        if kind == "goal" and s.payment.search(clause) is None:
            continue  # a clause of a goal naming no payee: one scan for all the groups' words
        payee = next((group for group, ws in s.payees if ws.search(clause)), None)
        if payee is None:
            continue
        m = explicit.search(clause)
        if m:
            out.append((project, _Cadence(clause, span, float(m.group("n")), payee, clause, True)))
            continue
        found = {words[c.group()] for c in pattern.finditer(clause)}
        if len(found) == 1:
            out.append((project, _Cadence(clause, span, float(found.pop()), payee, clause)))
    return out


def _alternation(words: Iterable[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def _shared_subject(a: str, b: str, payee_words: re.Pattern[str]) -> bool:
    """Two clauses about the same payees: the words just before the payment word
    (`三老四类人员` in `…发放三老四类人员生活补贴` and `三老四类人员补助发放次数`) share three
    characters."""
    a2, b2 = _subject(a, payee_words), _subject(b, payee_words)
    return any(a2[i:i + 3] in b2 for i in range(len(a2) - 2))


@lru_cache(maxsize=4096)
def _subject(text: str, payee_words: re.Pattern[str]) -> str:
    """The Chinese characters just before the first payment word (or the clause's last)."""
    m = payee_words.search(text)
    head = text[:m.start()] if m else text
    return _NOT_HAN.sub("", head)[-12:]


@register
class FrequencyConflict(Rule):
    """R39: one payment given two cadences in a project — 数量 `每月支付伙食补助` vs 时效
    `按期拨付每季度的伙食`, goal `按月…发放三老四类人员生活补贴` vs `…补助发放次数≥6次`.

    Does not flag: a clause with two cadences of its own (`按月计算、按季度拨付` describes one
    scheme); payments of different people in a whole-unit table (without a project the
    clauses must name the same payees: `三老四类人员`); `按时`, `按期`, `及时` (no cadence).
    Within one project the same kind of payment (工资, 补助, 伙食) is taken to be one."""

    code = "frequency_conflict"
    title = "频次/周期表述矛盾"
    family = "numbers"
    why = "目标说按季度发放、指标却写12次，发放频次自相矛盾，资金测算也会跟着错。"
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：7.20万元\n"
        "绩效目标：按季度发放保洁员补助。\n"
        "一、产出指标\n"
        "（一）数量指标\n"
        "1.聘用保洁员10人\n"
        "2.保洁员补助发放次数≥12次\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '绩效目标：按季度发放保洁员补助。\n',
        '绩效目标：按月发放保洁员补助。\n')
    severity = "warning"
    message = "同一项发放的频次前后不一致：“{first}”为每年{a:g}次，“{second}”为每年{b:g}次。"
    suggestion = "统一发放周期（按月、按季或按年）及发放次数的表述。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        payees = dict(_settings(ctx).payees)
        groups: dict[tuple[int, str], list[tuple[Project | None, _Cadence]]] = {}
        for project, cadence in _cadences(ctx):
            groups.setdefault((id(project), cadence.payee), []).append((project, cadence))
        for found in groups.values():
            seen: dict[float, list[_Cadence]] = {}  # per year → earlier clauses (a few kept)
            for project, later in found:
                earlier = next((c for value, cs in seen.items() if not _equal(value, later.per_year)
                                for c in cs if project is not None or _shared_subject(
                                    c.context, later.context, payees[later.payee])), None)
                kept = seen.setdefault(later.per_year, [])
                if len(kept) < 20:
                    kept.append(later)
                if earlier is None:
                    continue
                yield ctx.finding(
                    self, later.text, span=later.span, project=_project_name(project),
                    first=earlier.text, second=later.text, a=earlier.per_year, b=later.per_year,
                    evidence={"cadences": [earlier.per_year, later.per_year],
                              "texts": [earlier.text, later.text]})


# -- money tables: R40 total_mismatch, R41 funding_source_inconsistent, R45 --------------
_COLUMNS = (("total", "总额"), ("fiscal", "财政拨款"), ("other", "其他资金"))


def _row_text(ctx: Context, row: MoneyRow) -> str:
    return ctx.result.text[row.span.start:row.span.end]


def _closing(ctx: Context, row: MoneyRow) -> bool:
    return row.is_sum and _SPACES.sub("", row.label) in _settings(ctx).total_labels


def _rounding_wan(ctx: Context, row: MoneyRow) -> float:
    """Half a unit of the coarsest amount written in the row (`200` → 0.5, `80.5` → 0.05;
    a `0` does not count), in 万元: amounts of one table are exact up to the rounding of
    what is written. (tolM's
    0.5 % share is for estimates; a 合计 or a 总额 = 财政拨款 + 其他资金 identity is
    bookkeeping: 1.00万元 off on 903.78 is an error.)"""
    values = [v for v in (row.total, row.fiscal, row.other) if v]  # `0` says nothing
    written = [m.group() for m in _NUMBER.finditer(_row_text(ctx, row))
               if any(_equal(float(m.group().replace(",", "")), v) for v in values)]
    if not written:
        return 0.0
    half = 0.5 * 10 ** -min(_decimals(w) for w in written)
    return (_yuan(half, row.unit) or half * 1e4) / 1e4


def _wan_of(row: MoneyRow, value: float | None) -> float | None:
    yuan = _yuan(value, row.unit)
    return None if yuan is None else yuan / 1e4


@dataclass
class _Block:
    """Detail rows and the total that governs them: the row opening them (a unit row, a
    project's funding) and/or the 合计 closing them."""

    rows: list[MoneyRow] = field(default_factory=list)
    opener: MoneyRow | None = None
    closer: MoneyRow | None = None


def _blocks(ctx: Context) -> tuple[list[_Block], list[tuple[MoneyRow, list[MoneyRow]]]]:
    return ctx.shared("numbers.blocks", _read_blocks)


def _read_blocks(ctx: Context) -> tuple[list[_Block], list[tuple[MoneyRow, list[MoneyRow]]]]:
    """Detail blocks, and the parents (a department row above its unit rows) with the rows
    they total. Only rows that give a bare total with no project (the unit rows of a
    project list) nest; a project's funding row never does. A 合计 after 小计 rows adds the
    小计 rows; a `其中…` row is part of the row above it and is not added again."""
    blocks: list[_Block] = []
    parents: list[tuple[MoneyRow, list[MoneyRow]]] = []
    current, run = _Block(), []  # run: unit rows in a row, before any detail
    subtotals: list[MoneyRow] = []
    s = _settings(ctx)
    for row in ctx.result.money_rows:
        if _closing(ctx, row):
            subtotal = _SPACES.sub("", row.label) in s.subtotal_labels
            if not subtotal and subtotals:
                current.rows = subtotals + current.rows
                subtotals = []
            current.closer = row
            blocks.append(current)
            if subtotal:
                subtotals.append(row)
            current, run = _Block(), []
        elif row.is_sum:
            if current.rows or current.opener is not None:
                blocks.append(current)
                current = _Block()
            current.opener = row
            if row.project is None and row.fiscal is None and row.other is None:
                run.append(row)
                if len(run) == 2:
                    parents.append((run[0], []))
                if parents and row is not parents[-1][0]:
                    parents[-1][1].append(row)
        elif not row.label.lstrip().startswith(s.part_cues):
            run = []
            current.rows.append(row)
    if current.rows or current.opener is not None:
        blocks.append(current)
    return blocks, parents


@register
class TotalMismatch(Rule):
    """R40: a total that is not the sum of its rows — a 合计 row under task or breakdown
    rows, a unit row over its project rows, a department row over its units, a project's
    funding total against the 合计 of its breakdown; one finding per wrong total, however
    many columns are off. A 合计 cell left blank over filled detail cells is reported at
    info level.

    Does not flag: differences within the rounding of the figures (0.01万元 per row, or half
    a unit of the total's coarsest written digit: `176` over rows summing to 176.115); a
    blank total over rows that are all zero or blank; the funding total above a breakdown
    whose own 合计 is wrong (the 合计 is reported, once)."""

    code = "total_mismatch"
    title = "合计与明细不符"
    family = "numbers"
    why = "合计不等于各项之和，表格本身有误，金额不可信。"
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2024年度）\n"
        "部门（单位）名称\t\t云岭镇人民政府\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t人员经费\t用于在编人员工资福利\t300.00\t300.00\t"
        "0\n"
        "\t公用经费\t用于日常办公运转\t40.00\t40.00\t0\n"
        "\t村级运转\t用于村级办公经费\t60.00\t50.00\t10.00\n"
        "\t合计\t\t410.00\t390.00\t10.00\n"
        "年度总体目标\t保障机关正常运转。\t\t\t\t\n"
    )
    better = example.replace(
        '\t合计\t\t410.00\t390.00\t10.00\n',
        '\t合计\t\t400.00\t390.00\t10.00\n')
    severity = "error"
    message = "合计数与明细之和不符：{columns}。"
    suggestion = "重新核对各行金额与合计数，改正计算错误或补齐遗漏的明细行。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        blocks, ancestors = _blocks(ctx)
        for block in blocks:
            if not block.rows:
                continue
            if block.closer is not None:
                wrong = list(self._compare(ctx, block.closer, block.rows))
                yield from wrong
                if block.opener is not None and not wrong:
                    yield from self._compare(ctx, block.opener, [block.closer], only=("total",))
            elif block.opener is not None:
                yield from self._compare(ctx, block.opener, block.rows, only=("total",))
        for parent, children in ancestors:
            if children:
                yield from self._compare(ctx, parent, children, only=("total",))
        yield from self._prose(ctx)

    def _prose(self, ctx: Context) -> Iterator[Finding]:
        """`项目资金共计36.00万元，其中：A 18.90万元，B 9.60万元…` outside the indicators
        (a 资金安排 paragraph): the parts, when they cover most of the total (a list meant to
        be complete, at least 80 %), must add up to it."""
        text, settings = ctx.result.text, _settings(ctx)
        taken: list[tuple[int, int]] = []  # the indicators' spans, once a breakdown is found
        for m in settings.prose_breakdown.finditer(text):
            taken = taken or sorted((i.span.start, i.span.end) for i in ctx.result.indicators)
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            total = _yuan(float(m.group("total")), m.group("unit"))
            parts = [_yuan(float(p.group(1)), p.group(2))
                     for p in _AMOUNT_PART.finditer(m.group("parts"))]
            if total is None or len(parts) < 2 or None in parts:
                continue
            summed = sum(p or 0.0 for p in parts)
            tol = max(settings.tol_wan * 1e4 * len(parts), 1e-6)
            if summed < settings.prose_coverage * total or abs(summed - total) <= tol:
                continue
            yield ctx.finding(
                self, m.group(), span=Span(m.start(), m.end()),
                columns=f"合计{_wan(total)}万元，所列明细之和{_wan(summed)}万元，"
                        f"相差{_wan(abs(total - summed))}万元",
                evidence={"stated_yuan": total, "sum_yuan": summed, "parts": len(parts)})

    def _compare(self, ctx: Context, total: MoneyRow, rows: list[MoneyRow],
                 only: tuple[str, ...] = ("total", "fiscal", "other")) -> Iterator[Finding]:
        off, blank = [], []
        for name, label in _COLUMNS:
            if name not in only:
                continue
            values = [_wan_of(r, getattr(r, name)) for r in rows]
            if all(v is None for v in values):
                continue
            summed = sum(v or 0.0 for v in values)
            stated = _wan_of(total, getattr(total, name))
            if stated is None:
                if summed > 0:
                    blank.append(label)
                continue
            tol = max(_settings(ctx).tol_wan * len(rows),
                      _rounding_wan(ctx, total))
            if abs(summed - stated) > tol + 1e-9:
                off.append((label, stated, summed))
        if off:
            columns = "；".join(f"{label}合计{stated:g}万元，明细之和{summed:.4g}万元，"
                               f"相差{abs(stated - summed):.4g}万元" for label, stated, summed in off)
            yield ctx.finding(
                self, _row_text(ctx, total), span=total.span, project=_project_name(total.project),
                columns=columns,
                evidence={"columns": [{"column": label, "stated": stated, "sum": round(summed, 6),
                                       "gap": round(stated - summed, 6)}
                                      for label, stated, summed in off],
                          "rows": len(rows)})
        elif blank:
            yield ctx.finding(
                self, _row_text(ctx, total), span=total.span, project=_project_name(total.project),
                severity="info", columns=f"{'、'.join(blank)}列合计为空，而明细已填写",
                evidence={"blank_columns": blank, "rows": len(rows)})


@register
class FundingSourceInconsistent(Rule):
    """R41: a row whose 总额 is not 财政拨款 + 其他资金 (blank = 0): fiscal money above the
    total, or sources that do not add up; one finding per task or detail row. When every
    flagged row has the same gap the message says so (a formula or column shift).

    Does not flag: 合计 rows (R40 judges them); rows that give only a total (project lists);
    differences within the rounding of the written figures (at least 0.01万元; `24` for
    20.40 + 3.55). tolM's 0.5 % share does not apply: the identity is bookkeeping."""

    code = "funding_source_inconsistent"
    title = "资金来源构成错误"
    family = "numbers"
    why = "财政拨款加其他资金应等于资金总额；财政拨款大于总额是不可能的。"
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2024年度）\n"
        "部门（单位）名称\t\t云岭镇人民政府\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t人员经费\t用于在编人员工资福利\t300.00\t302.00\t"
        "0\n"
        "\t公用经费\t用于日常办公运转\t40.00\t40.00\t0\n"
        "\t村级运转\t用于村级办公经费\t60.00\t50.00\t10.00\n"
        "\t合计\t\t400.00\t392.00\t10.00\n"
        "年度总体目标\t保障机关正常运转。\t\t\t\t\n"
    )
    better = (
        "部门（单位）整体支出绩效目标表\n"
        "（2024年度）\n"
        "部门（单位）名称\t\t云岭镇人民政府\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t人员经费\t用于在编人员工资福利\t300.00\t300.00\t"
        "0\n"
        "\t公用经费\t用于日常办公运转\t40.00\t40.00\t0\n"
        "\t村级运转\t用于村级办公经费\t60.00\t50.00\t10.00\n"
        "\t合计\t\t400.00\t390.00\t10.00\n"
        "年度总体目标\t保障机关正常运转。\t\t\t\t\n"
    )
    severity = "error"
    message = "资金来源构成不符：总额{total}万元，财政拨款{fiscal}万元，其他资金{other}万元，{gap_text}。{same}"
    suggestion = "核对总额及各资金来源的填报，使总额等于财政拨款与其他资金之和。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        flagged = []
        for row in ctx.result.money_rows:
            if _closing(ctx, row) or row.total is None:
                continue
            if row.fiscal is None and row.other is None:
                continue
            total, fiscal = _wan_of(row, row.total) or 0.0, _wan_of(row, row.fiscal) or 0.0
            other = _wan_of(row, row.other) or 0.0
            tol = max(_settings(ctx).tol_wan, _rounding_wan(ctx, row))
            gap = total - (fiscal + other)
            if abs(gap) > tol + 1e-9 or fiscal > total + tol + 1e-9:
                flagged.append((row, total, fiscal, other, gap))
        same = len(flagged) > 1 and all(abs(f[4] - flagged[0][4]) < 1e-6 for f in flagged)
        for row, total, fiscal, other, gap in flagged:
            gap_text = (f"财政拨款超出总额{fiscal - total:g}万元" if fiscal > total
                        else f"差额{gap:.4g}万元" if gap > 0 else f"来源之和超出总额{-gap:.4g}万元")
            note = (f"各行差额相同（总额减来源之和均为{gap:+.4g}万元），可能是公式或列错位。"
                    if same else "")
            yield ctx.finding(
                self, _row_text(ctx, row), span=row.span, project=_project_name(row.project),
                total=f"{total:g}", fiscal=f"{fiscal:g}", other=f"{other:g}", gap_text=gap_text,
                same=note,
                evidence={"total": total, "fiscal": fiscal, "other": other,
                          "gap": round(gap, 6), "same_gap_every_row": same})


@register
class AmountPrecisionInconsistent(Rule):
    """R45: in one column of amounts (a project list, a task table), a value written with
    more or fewer decimals than the majority (`1.275` or `15` among 2-decimal amounts).

    Does not flag: columns of fewer than four amounts; zeros (`0` for an empty source);
    tables where no precision is in the majority."""

    code = "amount_precision_inconsistent"
    title = "金额精度不一致"
    family = "numbers"
    why = "同一列金额小数位数不一，往往是单位（元/万元）混用或录入错误的信号。"
    example = (
        "单位编码\t单位及项目名称\t金额（万元）\t绩效目标\t绩效指标\n"
        "1\t第1项工作经费\t1.20\t保障工作开展。\t一、产出指标 (一)数量指标 "
        "1.开展工作1次\n"
        "2\t第2项工作经费\t2.40\t保障工作开展。\t一、产出指标 (一)数量指标 "
        "1.开展工作2次\n"
        "3\t第3项工作经费\t3.60\t保障工作开展。\t一、产出指标 (一)数量指标 "
        "1.开展工作3次\n"
        "4\t第4项工作经费\t1.275\t保障工作开展。\t一、产出指标 "
        "(一)数量指标 1.开展工作4次\n"
    )
    better = example.replace(
        '4\t第4项工作经费\t1.275\t保障工作开展。\t一、产出指标 (一)数量指标 1.开展工作4次\n',
        '4\t第4项工作经费\t1.28\t保障工作开展。\t一、产出指标 (一)数量指标 1.开展工作4次\n')
    severity = "info"
    message = "金额“{value}”的小数位数（{digits}位）与同列多数金额（{usual}位）不一致。"
    suggestion = "统一金额的小数位数（如万元保留两位小数），并核对该金额是否填写准确。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        blocks, _ = _blocks(ctx)
        for block in blocks:
            written = [(r, _written(ctx, r)) for r in block.rows if r.total]
            written = [(r, w) for r, w in written if w is not None]
            if len(written) < 4:
                continue
            counts: dict[int, int] = {}
            for _, w in written:
                counts[_decimals(w)] = counts.get(_decimals(w), 0) + 1
            usual, n = max(counts.items(), key=lambda kv: kv[1])
            if n * 2 <= len(written):
                continue
            for row, w in written:
                if _decimals(w) != usual:
                    yield ctx.finding(self, _row_text(ctx, row), span=row.span,
                                      project=_project_name(row.project), value=w,
                                      digits=_decimals(w), usual=usual,
                                      evidence={"written": w, "usual_decimals": usual})


def _written(ctx: Context, row: MoneyRow) -> str | None:
    """The total as written in the row's text."""
    for m in _NUMBER.finditer(_row_text(ctx, row)):
        if row.total is not None and _equal(float(m.group().replace(",", "")), row.total):
            return m.group()
    return None


# -- cost figures: R42, R43, R44 ---------------------------------------------------------
def _counts(inds: list[Indicator]) -> list[tuple[Indicator, Quantity]]:
    return [(i, q) for i in inds if i.level2 == "quantity" and i.field == "indicator"
            for q in i.quantities if q.kind == "count" and "/" not in q.unit
            and q.operator in ("=", "≥")]


def _by_project(ctx: Context) -> list[tuple[Project, list[Indicator]]]:
    return [(p, inds) for p, inds in ctx.by_project if p is not None]


_NOT_HAN = regex.compile(r"[^\p{Han}]")


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[str]:
    han = _NOT_HAN.sub("", text)
    return frozenset(han[i:i + 2] for i in range(len(han) - 1))


def _cap_entity(ctx: Context, ind: Indicator) -> str | None:
    """What a cost cap is per: the divisor of its unit (元/件 → 件), else a per-word in its
    name (人均 → 人, 每次 → 次)."""
    assert ind.target is not None
    s = _settings(ctx)
    divisor = next((d for d in _parts(ind.target.unit)[1] if d not in s.periods), None)
    if divisor:
        return divisor
    m = s.per_unit_name.search(ind.name or ind.text)
    return m.group("entity") if m else None


def _best(candidates: list, key, name: str) -> object | None:
    """The candidate sharing most two-character words (at least two) with `name`; None on
    a tie or when none shares enough."""
    scored = sorted(((len(_bigrams(key(c)) & _bigrams(name)), i) for i, c in enumerate(candidates)),
                    reverse=True)
    if not scored or scored[0][0] < 2 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return candidates[scored[0][1]]


@register
class CostCapBudgetInconsistent(Rule):
    """R42: a cost cap per unit (`≤860元/件`, `人均…≤X万元`, `…每次发放金额≤X万元`) below what
    its budget line needs — budget ÷ count above the cap, so spending the line as planned
    breaks the cap (warning); a cap above 1.2 × the plan is slack (info). The budget line is
    the task or breakdown row sharing most words with the cap's name (or the project amount
    when the project has a single quantity line), the count the quantity line in the cap's
    unit sharing most words with the cap or the budget line (or the only one in that unit).

    Does not flag: a project amount that also pays other outputs (several quantity lines);
    caps matching the total or the fiscal part ÷ count within the rounding of the cap's last
    digit; ties between candidate lines or counts (which one is meant is unknown)."""

    code = "cost_cap_budget_inconsistent"
    title = "成本指标与预算/数量不匹配"
    family = "numbers"
    why = (
        "成本上限低于预算除以数量，全额执行预算时成本指标必然超标；"
        "远高于则上限形同虚设。"
    )
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2024年度）\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t法律援助办案补贴\t用于支付办案补贴\t36.00\t36.00\t"
        "0\n"
        "\t合计\t\t36.00\t36.00\t0\n"
        "\t一级指标\t二级指标\t三级指标\t指标值\t\n"
        "年度绩效指标\t产出指标\t数量指标\t办理法律援助案件数\t≥420件\n"
        "\t\t成本指标\t法律援助案件平均办案补贴\t≤800元/件\n"
    )
    better = example.replace(
        '\t\t成本指标\t法律援助案件平均办案补贴\t≤800元/件\n',
        '\t\t成本指标\t法律援助案件平均办案补贴\t≤860元/件\n')
    severity = "warning"
    message = "成本指标“{cap}”与预算测算不符：{budget}万元÷{count}≈{plan}，{verdict}。"
    suggestion = "按预算金额与数量重新测算单位成本，调整成本上限或相应的数量指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        caps = [i for i in ctx.result.indicators if i.level2 == "cost" and i.target is not None
                and i.target.kind == "money" and i.target.operator in ("≤", "=", "<")]
        if not caps:  # no cost cap: no scope to build
            return
        rows: dict[int, list[MoneyRow]] = {}
        for row in ctx.result.money_rows:
            if not row.is_sum and row.total:
                rows.setdefault(id(row.project), []).append(row)
        tables = [b.rows for b in _blocks(ctx)[0] if b.rows]
        ends = [t[-1].span.end for t in tables]

        def scope_of(ind: Indicator) -> tuple[int, int]:
            """A project, or for a whole-unit table the stretch after its task rows."""
            if ind.project is not None:
                return id(ind.project), -1
            return 0, bisect.bisect_right(ends, ind.span.start) - 1

        projects = {id(p): inds for p, inds in ctx.by_project}
        stretches: dict[tuple[int, int], list[Indicator]] = {}

        def members(scope: tuple[int, int]) -> list[Indicator]:
            if scope[0]:  # a project's (an id, never 0): its group
                return projects[scope[0]]
            if not stretches:  # the indicators without a project, by table stretch, once
                for i in projects.get(id(None), []):
                    stretches.setdefault(scope_of(i), []).append(i)
            return stretches[scope]

        for ind in caps:
            scope = scope_of(ind)
            if ind.project is None:  # the task rows above the indicator
                lines = tables[scope[1]] if scope[1] >= 0 else []
            else:
                lines = rows.get(id(ind.project), [])
            finding = self._cap(ctx, ind, members(scope), lines)
            if finding is not None:
                yield finding

    def _lines(self, ind: Indicator, scope: list[Indicator],
               lines: list[MoneyRow]) -> list[MoneyRow]:
        project = ind.project
        rows = [r for r in lines if not (project is not None and r.label == project.name)]
        single = len([i for i in scope if i.level2 == "quantity" and i.field == "indicator"]) == 1
        if not rows and project is not None and project.amount and single:
            rows = [MoneyRow(project.name, ind.span, project.amount, None, None,
                             project.amount_unit or "万元", False, project)]
        return rows

    def _cap(self, ctx: Context, ind: Indicator, scope: list[Indicator],
             lines: list[MoneyRow]) -> Finding | None:
        entity = _cap_entity(ctx, ind)
        if entity is None:
            return None
        name = ind.name or ind.text
        rows = self._lines(ind, scope, lines)
        line = rows[0] if len(rows) == 1 and ind.project is not None else \
            _best(rows, lambda r: r.label, name)
        if not isinstance(line, MoneyRow):
            return None
        counts = [(i, q) for i, q in _measures(scope) if _counts_entity(ctx, i, q, entity)]
        count = counts[0] if len(counts) == 1 else \
            _best(counts, lambda c: c[0].text, name + line.label)
        if count is None:
            return None
        return self._judge(ctx, ind, line, count)

    def _judge(self, ctx: Context, ind: Indicator, line: MoneyRow, count) -> Finding | None:
        target = ind.target
        assert target is not None
        number = _scaled(count[1].value, _parts(count[1].unit)[0])[0]
        cap = _yuan(target.value, target.unit)
        plans = [v / number for v in (_yuan(line.total, line.unit), _yuan(line.fiscal, line.unit))
                 if v and number > 0]
        if cap is None or not plans:
            return None
        half = 0.5 * 10 ** -_decimals(target.text) * cap / max(target.value, 1e-12)
        low, high = min(plans), max(plans)
        if cap < low - half:
            verdict, severity, plan = "成本上限低于测算值，预算全部执行将突破上限", None, low
        elif cap > high * _settings(ctx).cost_cap_slack + half:
            verdict, severity, plan = "成本上限明显高于测算值，约束偏松", "info", high
        else:
            return None
        unit = _parts(target.unit)[0]
        shown = f"{plan / 1e4:.4g}万元" if unit == "万元" else f"{plan:.4g}元"
        return ctx.on_indicator(
            self, ind, severity=severity, cap=ind.text, budget=_wan(plan * number),
            count=count[1].text.strip(), plan=shown, verdict=verdict,
            evidence={"budget_line": line.label, "budget_yuan": plan * number, "count": number,
                      "plan_yuan": plan, "cap_yuan": cap})


def _measures(inds: list[Indicator]) -> list[tuple[Indicator, Quantity]]:
    """Planned amounts of the quantity lines: counts and physical measures, no rates."""
    return [(i, q) for i in inds if i.level2 == "quantity" and i.field == "indicator"
            for q in i.quantities if q.kind in ("count", "measure") and "/" not in q.unit
            and q.operator in ("=", "≥")]


def _counts_entity(ctx: Context, ind: Indicator, q: Quantity, entity: str) -> bool:
    """Whether an amount counts what a cap is per: 420件 for 元/件, 58人 for 人均, 12个 in
    `保障村级组织个数` for 万元/村, 4.2公里 for 万元/公里."""
    base = _scaled(q.value, _parts(q.unit)[0])[1]
    s = _settings(ctx)
    if base == entity or (base in s.persons and entity in s.persons):
        return True
    return base in s.classifiers and entity in (ind.name or ind.text)


@register
class CostIndicatorAbsent(Rule):
    """R43: a project with no 成本 indicator although one is computable — its text quotes a
    standard per unit (`3.5万元/村`, `每人每月200元`) or it has an amount and one count, so
    amount ÷ count can be stated; the suggestion gives the figure.

    Does not flag: projects with any indicator filed under 成本 (or a cost class); projects
    without an amount and without a per-unit standard; several counts and no standard (the
    division is ambiguous)."""

    code = "cost_indicator_absent"
    title = "缺少成本指标"
    family = "numbers"
    why = "文中已有补助标准却没有成本指标，错过了最容易考核的一项。"
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡村公共服务补助\n"
        "项目金额：6.00万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（一）数量指标\n"
        "1.为10户每户补助6000元\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '1.为10户每户补助6000元\n',
        '1.补助农户10户\n（四）成本指标\n1.补助标准6000元/户\n')
    severity = "info"
    message = "项目未设置成本指标，但{basis}。"
    suggestion = "补充成本指标，如“{proposal}”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for project, inds in _by_project(ctx):
            if any(i.level1 == "cost" or i.level2 in ("cost", "social_cost", "ecological_cost")
                   for i in inds):
                continue
            finding = self._project(ctx, project, inds)
            if finding is not None:
                yield finding

    def _project(self, ctx: Context, project: Project, inds: list[Indicator]) -> Finding | None:
        standard = next(((i, q) for i in inds for q in i.quantities
                         if q.kind == "money" and "/" in q.unit and q.unit.split("/")[1]
                         not in _settings(ctx).periods), None)
        if standard is not None:
            ind, q = standard
            return ctx.finding(self, ind.text, span=ind.span, project=_project_name(project),
                               basis=f"文中已给出单位标准“{_shown(q)}”",
                               proposal=f"补助标准 ={_shown(q)}",
                               evidence={"standard": _shown(q), "unit": q.unit})
        amount = _yuan(project.amount, project.amount_unit or "万元")
        counts = _counts(inds)
        if amount is None or len(counts) != 1 or counts[0][1].value <= 0:
            return None
        ind, q = counts[0]
        per = amount / _scaled(q.value, _parts(q.unit)[0])[0]
        unit = _parts(q.unit)[0]
        return ctx.finding(self, ind.text, span=ind.span, project=_project_name(project),
                           basis=f"预算{_wan(amount)}万元与数量“{q.text.strip()}”可测算单位成本",
                           proposal=f"单位成本 ≤{per:.2f}元/{unit}",
                           evidence={"amount_yuan": amount, "count": q.value, "per_unit_yuan": per})


@register
class UnitCostOutlier(Rule):
    """R44: the implied cost per unit (project amount ÷ the one count of its activity) far
    outside the range configured for the activity (培训, 会议, 活动, 慰问, 保险, 设备 …):
    `0.77万元` for `54场次` of activities is 142.6元 per event. Info only: a reviewer checks.

    Does not flag: projects whose name does not name the activity (the amount may fund other
    work), several counts for the activity, activities not in the range table."""

    code = "unit_cost_outlier"
    title = "隐含单位成本异常"
    family = "numbers"
    why = "预算除以数量得到的单位成本明显偏离常见范围，数量或预算可能写错。"
    example = (
        "2024年项目支出绩效目标\n"
        "项目名称：乡镇文化活动经费\n"
        "项目金额：0.50万元\n"
        "绩效目标：保障项目顺利实施。\n"
        "一、产出指标\n"
        "（一）数量指标\n"
        "1.开展群众文化活动40场次\n"
        "三、满意度指标\n"
        "1.受益村民满意度≥90%\n"
    )
    better = example.replace(
        '项目金额：0.50万元\n',
        '项目金额：5.00万元\n')
    severity = "info"
    message = "按预算测算，{activity}单位成本约{per}元/{unit}，超出常见范围（{low}–{high}元）。"
    suggestion = "核实预算金额与数量是否匹配，必要时补充成本测算依据。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        ranges = _settings(ctx).unit_cost_ranges
        for project, inds in _by_project(ctx):
            amount = _yuan(project.amount, project.amount_unit or "万元")
            if amount is None:
                continue
            every: list[tuple[Indicator, Quantity]] | None = None
            for activity, (low, high) in ranges.items():
                if activity not in project.name:
                    continue
                every = _counts(inds) if every is None else every
                counts = [(i, q) for i, q in every if activity in i.text or len(every) == 1]
                if len(counts) != 1 or counts[0][1].value <= 0:
                    continue
                ind, q = counts[0]
                per = amount / _scaled(q.value, _parts(q.unit)[0])[0]
                if low <= per <= high:
                    continue
                yield ctx.finding(self, ind.text, span=ind.span, project=_project_name(project),
                                  activity=activity, per=f"{per:.1f}", unit=_parts(q.unit)[0],
                                  low=low, high=high,
                                  evidence={"amount_yuan": amount, "count": q.value,
                                            "per_unit_yuan": per, "range": [low, high]})
                break
