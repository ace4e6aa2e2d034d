"""Check rules: wording of goals and values (RULES.md sections B and F: R09–R20, R46, R47).

Word lists live in extractor/data/checks_wording.toml, section [wording].

The vagueness family (R10 unquantified_output, R11 vague_wording, R12
qualitative_without_grades, with R22 timeliness_without_time in classes.py) gives each vague
indicator exactly one finding, the most specific one, and only to indicators that fail the
auditor test of SCHEMA.md `vague` (no number, rate, amount, date or deadline, no pass/fail or
graded standard: `Indicator.vague` as extracted). A finding of these codes marks its record
vague, so firing on a measurable line would turn a sound record into a vague one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex

from extractor.checks.base import Config, Context, Rule, register
from extractor.checks.classes import (
    BENEFIT,
    first_word,
    flag,
    headed,
    holding,
    lacks_time,
    matching,
    misfiled_as,
    norm,
    pattern,
    per_indicator,
    search,
    source_quantity,
    value_part,
)
from extractor.checks.projects import pattern_literals
from extractor.records import Finding, GoalBlock, Indicator, Quantity, Span

_DIGIT = regex.compile(r"\d")
OUTPUT = ("quantity", "quality", "timeliness", "cost", "social_cost", "ecological_cost")
_CLAUSES = regex.compile(r"[^，,；;。！!？?\n]+")
# an item marker, where a goal item starts or where a clause starts (1、 2. 目标二：)
_MARKER = regex.compile(r"(?:^|(?<=[，,；;。]))\s*(?:目标[一二三四五六七八九十]+\s*[:：]|\d{1,2}\s*[、.．](?!\d))")
# item numbers wherever they stand, misplaced ones too (「4、确保4.…」 is R06's business)
_ANY_MARKER = regex.compile(r"目标[一二三四五六七八九十]+\s*[:：]|(?<![\d.])\d{1,2}\s*[、.．](?!\d)")
_GOAL_ITEM = regex.compile(
    r"(?:^|(?<=[\s。；;，,]))(?:目标[一二三四五六七八九十]+\s*[:：]|\d{1,2}\s*[、.．](?!\d))")


# ---------------------------------------------------------------- R09

def _goal_items(goal: GoalBlock) -> list[tuple[int, int]]:
    """The numbered items of a goal (1、… 2.… / 目标一：…), or the whole goal."""
    starts = [m.start() for m in _GOAL_ITEM.finditer(goal.text)]
    if not starts or starts == [0]:
        return [(0, len(goal.text))]
    bounds = starts + [len(goal.text)]
    head = [(0, starts[0])] if goal.text[:starts[0]].strip() else []
    return head + list(zip(bounds, bounds[1:], strict=False))


def _measurable(text: str, w: dict, undocumented: str | None = None) -> bool:
    """A figure, date or measurable noun, item markers and document numbers aside
    (`undocumented`: the text without its document numbers, when the caller has it)."""
    bare = pattern(w["goal_doc_numbers"]).sub("", text) if undocumented is None else undocumented
    bare = _ANY_MARKER.sub("", bare)
    return search(w["goal_measurable"], bare) is not None


@register
class GoalNotMeasurable(Rule):
    """R09: a goal (or a numbered goal item) with no number, date or measurable noun that
    either lists duties (≥ half its clauses open with 负责/做好/加强/坚持/深入贯彻…) or states
    importance instead of a result (起着…作用, 具有…意义, 为…奠定基础, 做出…贡献).

    Does not flag: goals with any figure or measurable noun (知晓率, 人数, 满意度 …), even if
    loosely worded; goals that only list activities (「对河道进行治理」): they say what is
    done, and R10/R27 judge whether the indicators quantify it; document numbers
    (《2015》5号) are not figures.
    """

    code = "goal_not_measurable"
    title = "绩效目标不可衡量"
    family = "structure"
    why = (
        "绩效目标应写明本年度的产出和效果；罗列职责或强调意义的目标，"
        "年底无法评价是否实现。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t负责全镇养老服务工作，负责助餐点管理，做好老年人关爱工作。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务人数\t≥1200人\n"
    )
    better = example.replace(
        '年度绩效目标\t负责全镇养老服务工作，负责助餐点管理，做好老年人关爱工作。\n',
        '年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人，就餐老人满意度达到90%。\n')
    severity = "warning"
    message = "绩效目标“{excerpt}”{why}，没有可衡量的年度产出或效果。"
    suggestion = "写明本年度要完成的产出和预期效果，并给出数量、比率或时限，如“培训民兵200人次，培训合格率≥95%”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        w = ctx.config.values["wording"]
        for goal in ctx.result.goals:
            if _measurable(norm(goal.text), w):  # judged on the whole goal: one figure will do
                continue
            for start, end in _goal_items(goal):
                item = goal.text[start:end].strip()
                why = self._why(norm(item), w)
                if why is None:
                    continue
                offset = goal.text.index(item, start)
                span = Span(goal.span.start + offset, goal.span.start + offset + len(item))
                yield ctx.finding(self, item, span=span,
                                  project=goal.project.name if goal.project else None,
                                  evidence={"reason": why}, excerpt=item[:30], why=why)

    @staticmethod
    def _why(item: str, w: dict) -> str | None:
        undocumented = pattern(w["goal_doc_numbers"]).sub("", item)  # read once for both tests
        if _measurable(item, w, undocumented):
            return None
        bare = _MARKER.sub("", undocumented)
        descriptive = search(w["goal_descriptive"], bare)
        if descriptive:
            return f"只说明意义（“{descriptive}”）"
        clauses = [_MARKER.sub("", c.strip()) for c in _CLAUSES.findall(bare) if c.strip()]
        verbs = tuple(w["goal_duty_verbs"])  # startswith tests them all in one call
        duties = [c for c in clauses if c.startswith(verbs)]
        if len(clauses) >= w["goal_min_clauses"] and len(duties) >= w["goal_duty_share"] * len(clauses):
            return "罗列职责或口号"
        return None


# ---------------------------------------------------------------- R10 / R11 / R12

def vague_tokens(text: str, config: Config) -> list[str]:
    """The V1/V2/V3 words of RULES.md R11 found in the text, in order."""
    w = config.values["wording"]
    found = []
    for key in ("hedge", "intensity", "directional"):
        found += [m.group(0) for m in pattern(w[key]).finditer(text)]
    return list(dict.fromkeys(found))


def _tokens(ctx: Context, ind: Indicator) -> list[str]:
    """vague_tokens of the indicator's text, read once (the code's choice, then the report)."""
    return per_indicator(ctx, "wording:tokens", ind, _read_tokens)


def _read_tokens(ind: Indicator, config: Config) -> list[str]:
    return vague_tokens(norm(ind.text), config)


def bare_qualitative(ind: Indicator, config: Config) -> str | None:
    """A table row whose value cell is a short qualitative phrase (有效提升, 定性 明显提高)."""
    value = value_part(ind)
    if value is None:
        return None
    for marker in config["wording.qualitative_markers"]:
        value = value.replace(marker, "")
    value = value.strip(" \t\n|｜")
    if not value or _DIGIT.search(value):
        return None
    return value if len(value) <= config["wording.qualitative_value_max_chars"] else None


def vague_code(ctx: Context, ind: Indicator) -> str | None:
    """Which one of R10/R11/R12 a vague indicator gets; None for a measurable one and for a
    时效 line R22 reports."""
    config = ctx.config
    if not ind.vague or lacks_time(ctx, ind):
        return None
    level2 = effective_class(ctx, ind)
    if level2 in OUTPUT:
        return "unquantified_output"
    if bare_qualitative(ind, config):
        return "qualitative_without_grades"
    if _tokens(ctx, ind):
        return "vague_wording"
    if level2 in BENEFIT or level2 == "satisfaction":
        return "qualitative_without_grades"
    return None


def effective_class(ctx: Context, ind: Indicator) -> str | None:
    """The class the line belongs to: R21's reading where it contradicts the heading
    (「及时支付」 under 可持续影响 is a 时效 line), else the record's own."""
    found = misfiled_as(ctx, ind)
    return found[0] if found else ind.level2


def vague_groups(ctx: Context) -> dict[str | None, list[Indicator]]:
    """The indicators by vague code, in document order: read once for the three rules
    (through ctx.shared, so that a failure is reported once and skips only R10–R12)."""
    return ctx.shared("wording:vague_groups", _vague_groups)


def _vague_groups(ctx: Context) -> dict[str | None, list[Indicator]]:
    groups: dict[str | None, list[Indicator]] = {}
    for ind in ctx.result.indicators:
        if ind.vague:  # a measurable line gets no code: skip the reading
            groups.setdefault(vague_code(ctx, ind), []).append(ind)
    return groups


class _VagueRule(Rule):
    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in vague_groups(ctx).get(self.code, ()):
            yield self.report(ctx, ind)

    def report(self, ctx: Context, ind: Indicator) -> Finding:
        tokens = list(_tokens(ctx, ind))  # a copy: the finding keeps it
        return flag(ctx, self, ind, tokens="、".join(tokens) or "无",
                                evidence={"tokens": tokens, "level2": ind.level2})


@register
class UnquantifiedOutput(_VagueRule):
    """R10: an output or cost indicator (数量, 质量, 时效, 成本) with no number and unit, rate
    or date and no pass/fail or graded standard. Error for 数量 and 成本, warning for 质量 and
    时效.

    Does not flag: pass/fail values (验收合格, 达标, 是), graded 定性 values, a cycle with a day
    or a count (每月15日前发放, 每年慰问一次); 时效 lines with no time element at all (R22 is
    the more specific finding there).
    """

    code = "unquantified_output"
    title = "产出/成本指标未量化"
    family = "values"
    why = (
        "产出和成本指标是考核的基础，必须有数量、比率、金额或时限；"
        "只写“广泛开展”年底无法考核。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务\t广泛开展助餐服务\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t助餐服务\t广泛开展助餐服务\n',
        '产出指标\t数量指标\t助餐服务人数\t≥1200人\n')
    severity = "error"
    message = "产出指标“{name}”没有量化的指标值（数量、比率、金额或时限），年底无法考核。"
    suggestion = "给出可考核的值，如“培训人数≥100人”“验收合格率=100%”“6月30日前完成”。"

    def report(self, ctx: Context, ind: Indicator) -> Finding:
        level2 = effective_class(ctx, ind)
        severity = "error" if level2 in ("quantity", "cost", "social_cost", "ecological_cost") \
            else "warning"
        finding = super().report(ctx, ind)
        finding.severity = ctx.config.severity(self.code, severity)
        return finding


@register
class VagueWording(_VagueRule):
    """R11: an effect or other non-output indicator worded with intensity words (进一步, 有效,
    切实 …), directional verbs (提高, 改善, 确保 …) or hedge frames (有利于…, 为…奠定基础,
    得到加强) and no measure or grading. The matched words are reported.

    Does not flag: lines with a number, rate, date or pass/fail standard (「知晓率由80%提高到
    90%」); output lines (R10 reports them); table rows whose value cell is a bare qualitative
    term (R12 reports them); goal prose (R09 judges goals).
    """

    code = "vague_wording"
    title = "模糊表述"
    family = "values"
    why = (
        "“进一步提高”“有效改善”之类没有基数和目标值，任何结果都可以说达到，"
        "也都可以说没达到。"
    )
    example = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.进一步提高老年人生活质量\n"
    )
    better = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.老年人助餐就餐率由60%提高到80%\n"
    )
    severity = "warning"
    message = "“{name}”使用模糊表述（{tokens}），没有可衡量的目标值。"
    suggestion = "改为可衡量的指标，如“政策知晓率≥90%”“纠纷调解成功率≥95%”，无法量化时写明分级标准。"


@register
class QualitativeWithoutGrades(_VagueRule):
    """R12: a qualitative value with no grading scheme: a table value cell holding a short
    phrase (有效提升, 明显增强, 定性 明显提高), or an effect/satisfaction line with no measure
    that uses none of R11's words (「使河道保持稳定」).

    Does not flag: graded values (定性 优, 良好), pass/fail values (合格, 达标, 是/否, 符合…标准);
    output lines (R10); free-text effects with R11 words (R11).
    """

    code = "qualitative_without_grades"
    title = "定性指标未分级分档"
    family = "values"
    why = "定性指标要写明分级标准（优、良、中、差的判定条件）和目标等级，否则无法评分。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "效益指标\t社会效益指标\t老年人生活质量\t有效提升\n"
    )
    better = example.replace(
        '效益指标\t社会效益指标\t老年人生活质量\t有效提升\n',
        '效益指标\t社会效益指标\t助餐服务规范程度\t定性 优\n')
    severity = "warning"
    message = "定性指标“{name}”没有分级标准，年底无法判断是否达成。"
    suggestion = "量化该指标，或写明分级标准（如优/良/中/差各自的判定条件）及本年度目标等级。"


# ---------------------------------------------------------------- R13 / R14 / R15 / R16

def _explicit_operator(ctx: Context, ind: Indicator, q: Quantity) -> bool:
    """Whether the target's comparator is written (in its text, or just before it: `≥\t18`)."""
    if q.operator != "=" or first_word(ctx.config["wording.comparator_marks"], norm(q.text)) is not None:
        return True
    source = source_quantity(ind, q)
    if source is None or source.span is None:
        return False
    start = source.span.start
    before = norm(ctx.result.text[max(0, start - 6):start]).rstrip(" \t\n|（(")
    return before.endswith(ctx.settings(_comparator_marks))


def _comparator_marks(config: Config) -> tuple[str, ...]:
    """The comparator marks as one tuple for str.endswith, made once per configuration."""
    return tuple(config["wording.comparator_marks"])


@register
class ComparatorMissingOrAmbiguous(Rule):
    """R13: the main target has no comparator (`设备完好率95%`, read as `=95%`) → info; or
    is an approximation (约, 左右, 上下) that cannot be scored → warning.

    Does not flag: targets with a symbol or a word comparator (≥, 不低于, 达到, 以上, 为);
    amounts other than the main target; formula lines (R18 reports them); targets taken from
    goal prose, where a sentence states the figure without a table's comparator.
    """

    code = "comparator_missing_or_ambiguous"
    title = "缺少或含糊比较符"
    family = "values"
    why = (
        "没有比较符时不知道目标是下限、上限还是确数；"
        "“约”“左右”的近似值无法据以考核。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t送餐上门户数\t约300户\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t送餐上门户数\t约300户\n',
        '产出指标\t数量指标\t送餐上门户数\t≥300户\n')
    severity = "info"
    message = "指标值“{value}”{why}。"
    suggestion = "写明比较符（=、≥、≤），如“={plain}”或“≥{plain}”；近似值应改为确定的目标值。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.result.indicators:
            q = ind.target
            if q is None or ind.field == "goal" or ind.formulas:
                continue
            if q.operator == "≈":
                yield flag(ctx, self, ind, severity="warning", value=q.text, plain=f"{q.value:g}{q.unit}",
                                       why="是近似值，无法据以考核",
                                       evidence={"operator": "≈", "value": q.value, "unit": q.unit})
            elif not _explicit_operator(ctx, ind, q):
                yield flag(ctx, self, ind, value=q.text, plain=f"{q.value:g}{q.unit}",
                                       why="没有比较符，按“=”理解",
                                       evidence={"operator": "=", "value": q.value, "unit": q.unit})


@register
class ComparatorNonstandard(Rule):
    """R14: a comparator written in a non-standard form (`>=`, `<=`, `≧`, `＝`), one finding per
    indicator, naming the standard symbol.

    Does not flag: the standard symbols ≥ ≤ = > <; word comparators (不低于, 以上), which R13
    normalises.
    """

    code = "comparator_nonstandard"
    title = "比较符书写不规范"
    family = "values"
    why = "“>=”“≧”等写法在汇总和比对时容易出错，应统一为标准符号。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务人数\t>=1200人\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t助餐服务人数\t>=1200人\n',
        '产出指标\t数量指标\t助餐服务人数\t≥1200人\n')
    severity = "info"
    message = "比较符“{written}”书写不规范。"
    suggestion = "统一使用标准符号（≥、≤、=、>、<）。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        marks = ctx.config["wording.nonstandard_comparators"]
        for ind in holding(ctx, marks, normed=False):
            written = first_word(marks, ind.text)
            if written:
                yield flag(ctx, self, ind, written=written, evidence={"written": written})


@register
class UnitMissingOrMismatched(Rule):
    """R15: (a) a number with no unit where a count or amount needs one; (b) a physical work
    (加固, 清理, 维修 河道/道路 …) counted in 次, which says nothing about the work done; (c) a
    satisfaction target that is not a percentage.

    Does not flag: 次 counting activities (检查, 演练, 培训, 宣传活动); money in 数量 (R21/R17
    report it); rates in 数量 (R16); a unit column contradicting the value (not read yet).
    """

    code = "unit_missing_or_mismatched"
    title = "计量单位缺失或与指标不符"
    family = "values"
    why = (
        "单位决定数字的含义：工程量用“次”看不出完成了多少工作，"
        "满意度不用百分比无法比较。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t河道管护经费\n"
        "年度绩效目标\t完成辖区河道加固和巡查。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t加固河道\t2次\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t加固河道\t2次\n',
        '产出指标\t数量指标\t加固河堤长度\t≥3公里\n')
    severity = "warning"
    message = "“{name}”的计量单位有问题：{why}。"
    suggestion = "{fix}"

    def check(self, ctx: Context) -> Iterator[Finding]:
        w, work = ctx.config.values["wording"], ctx.settings(_work_units)  # read once, not per line
        for ind in ctx.result.indicators:
            if not ind.quantities and ind.target is None:
                continue  # no amount and no target: no unit to judge
            found = self._problem(ind, w, work)
            if found is not None:
                why, fix = found
                yield flag(ctx, self, ind, why=why, fix=fix,
                                       evidence={"units": [q.unit for q in ind.quantities]})

    @staticmethod
    def _problem(ind: Indicator, w: dict[str, Any], work: frozenset[str]) -> tuple[str, str] | None:
        units = {q.unit for q in ind.quantities}
        if not all(units):  # a unit is missing
            return "数值没有计量单位", "补充计量单位（人、次、个、万元、% 等）。"
        if (units and units <= work and first_word(w["physical_work_verbs"], norm(ind.text))
                and not first_word(w["activity_nouns"], norm(ind.text))):
            return "工程或作业量用“次”计量，看不出完成的工作量", "改用实物量，如公里、米、处、座、立方米。"
        target = ind.target
        if ind.level2 == "satisfaction" and target is not None and target.unit != "%":
            return f"满意度以“{target.unit}”计量", "满意度应以百分比（%）表示。"
        return None


def _work_units(config: Config) -> frozenset[str]:
    """R15 (b)'s units as a set, made once per configuration, not once per valued line."""
    return frozenset(config.values["wording"]["physical_work_units"])


@register
class RateInQuantitySlot(Rule):
    """R16: a 数量 indicator whose only values are percentages, or whose measure is a rate
    (完成率, 覆盖率, 宣传面) with no count: 「完成民兵培训100%」, 「宣传面达到95%」.

    Does not flag: rates under other headings; 数量 lines that also give a count; classified
    (not headed) quantity lines.
    """

    code = "rate_in_quantity_slot"
    title = "数量指标填写比率"
    family = "values"
    why = (
        "数量指标回答“做了多少”；只写完成率、覆盖率，看不出实际数量，"
        "也无法与预算对照。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务覆盖率\t≥90%\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t助餐服务覆盖率\t≥90%\n',
        '产出指标\t数量指标\t助餐服务人数\t≥1200人\n')
    severity = "warning"
    message = "数量指标“{name}”填写的是比率，没有说明完成的数量。"
    suggestion = "写明实际数量（人数、次数、户数等），比率可移至质量或效益指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        rates = ctx.config["wording.rate_measures"]
        for ind in ctx.result.indicators:
            if headed(ind) != "quantity" or not ind.quantities:
                continue
            kinds = {q.kind for q in ind.quantities}
            if kinds != {"rate"} and kinds & {"count", "measure"}:
                continue  # a count or measure given: no rate measure can make it a finding
            rate_measure = first_word(rates, norm(ind.text))
            if kinds == {"rate"} or rate_measure:
                yield flag(ctx, self, ind, evidence={"kinds": sorted(kinds),
                                                            "measure": rate_measure})


# ---------------------------------------------------------------- R17 / R18 / R19 / R20

@register
class InputAsOutput(Rule):
    """R17: a 数量/质量 line that lists money spent (办公费用, 经费, 资金, 支付) among its
    outputs while its main value is something else (`调研4次、办公费用1万元` left unsplit).

    Does not flag: lines whose main value is the money (R21 misclassified_indicator reports
    them, with the same advice, so a line gets one warning); per-unit standards (元/人);
    money gained (增收); money under 成本 or 效益.
    """

    code = "input_as_output"
    title = "以资金投入代替产出"
    family = "values"
    why = "花了多少钱是投入，不是产出；把经费写进产出指标，掩盖了没有实际产出目标。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t调研及办公费用\t办公费用1万元，调研4次\n"
    )
    better = example.replace(
        '产出指标\t数量指标\t调研及办公费用\t办公费用1万元，调研4次\n',
        '产出指标\t数量指标\t开展调研\t≥4次\n')
    severity = "warning"
    message = "“{name}”把资金投入（{money}）当作产出。"
    suggestion = "资金是投入而非产出：删除该金额或移至成本指标，产出写明完成的数量。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        phrases = ctx.config["wording.input_phrases"]
        for ind in ctx.by_kind.get("money", ()):  # the lines giving money, in order
            if headed(ind) not in ("quantity", "quality") or misfiled_as(ctx, ind):
                continue
            money = [q for q in ind.quantities if q.kind == "money" and "/" not in q.unit]
            if money and search(phrases, norm(ind.text)):
                yield flag(ctx, self, ind, money=money[0].text,
                                       evidence={"money": [q.text for q in money]})


@register
class FormulaAsIndicator(Rule):
    """R18: a funding formula written as an indicator (`7个村×3.5万元/村=24.5万元`,
    `400元/人*2人*12个月`), or a per-unit money standard stated together with a head count
    (`7名书记主任每年每人4.5万元`).

    Does not flag: a per-unit standard alone (`补助标准500元/人/月`: a proper cost indicator);
    the arithmetic itself (R35/R36 check it).
    """

    code = "formula_as_indicator"
    title = "以测算公式代替指标"
    family = "values"
    why = "测算公式说明钱怎么算，不说明要达到什么结果；应拆成数量指标和成本指标。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t成本指标\t补贴测算\t15人×500元×12个月=9万元\n"
    )
    better = example.replace(
        '产出指标\t成本指标\t补贴测算\t15人×500元×12个月=9万元\n',
        '产出指标\t成本指标\t助餐补贴标准\t≤8元/人\n')
    severity = "info"
    message = "“{name}”是资金测算公式，而不是绩效指标。"
    suggestion = "拆分为数量指标（如覆盖人数、村数）和成本指标（补助标准），分别设定目标值。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        # the lines giving both money and a count (Context.by_kind): the only ones a rate of
        # money times a count can be read in
        counted = {id(i) for i in ctx.by_kind.get("count", ())}
        both = {id(i) for i in ctx.by_kind.get("money", ()) if id(i) in counted}
        for ind in ctx.result.indicators:
            if ind.formulas or (id(ind) in both
                                and any(q.kind == "money" and "/" in q.unit for q in ind.quantities)):
                yield flag(ctx, self, ind, evidence={
                    "formulas": [f.text for f in ind.formulas],
                    "amounts": [q.text for q in ind.quantities]})


@register
class AchievementTense(Rule):
    """R19: a target phrased as already achieved (提升了, 解决了, 减轻了).

    Does not flag: 了 after other verbs (为了, 了解); the perfective inside a quoted name.
    """

    code = "achievement_tense"
    title = "以已完成语气表述目标"
    family = "values"
    why = "绩效目标是年初设定的预期结果，写成“解决了”“提升了”像是总结，不是目标。"
    example = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.切实解决了老年人就餐难问题\n"
    )
    better = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.解决老年人就餐难问题户数≥300户\n"
    )
    severity = "info"
    message = "“{name}”用已完成的语气（“{word}”）表述目标。"
    suggestion = "绩效目标是预期结果，改为“预计/力争达到……”并给出目标值。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in matching(ctx, ctx.config["wording.achievement"]):
            word = search(ctx.config["wording.achievement"], norm(ind.text))
            if word:
                yield flag(ctx, self, ind, word=word, evidence={"matched": word})


@register
class EffectIsActivity(Rule):
    """R20: an effect (效益) line that holds an activity or a fund use: it opens with an
    activity verb (开展, 组织, 对…进行, after 进一步/切实 are set aside), says 用于…资金, or
    is about an output (宣传, 培训, 会议, 活动) with only directional words and no outcome noun
    (率, 水平, 收入, 安全, 稳定, 意识 …).

    Does not flag: effect lines naming an outcome or carrying a rate (「培训后就业人员比例
    ≥75%」 opens with 培训 but measures an outcome); output-noun lines with an amount
    (「合作持续年限≥3年」); activity lines under 产出; goal prose.
    """

    code = "effect_is_activity"
    title = "效益指标写成工作措施或资金用途"
    family = "values"
    why = "效益指标衡量项目带来的变化；写成“组织开展活动”只是重复产出，效益无从评价。"
    example = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.组织开展助餐宣传活动\n"
    )
    better = (
        "一、效益指标\n"
        "（一）社会效益指标\n"
        "1.老年人助餐政策知晓率≥85%\n"
    )
    severity = "warning"
    message = "效益指标“{name}”写的是{what}，不是项目产生的效果。"
    suggestion = "效益指标应描述受益对象或社会、经济、生态的变化，如“政策知晓率≥90%”“受益群众≥1000人”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.result.indicators:
            if ind.level2 not in BENEFIT or ind.field == "goal":
                continue
            what = self._what(ind, ctx.config)
            if what:
                yield flag(ctx, self, ind, what=what, evidence={"reason": what})

    @staticmethod
    def _what(ind: Indicator, config: Config) -> str | None:
        w, text = config.values["wording"], norm(ind.text)
        if search(w["fund_use"], text):
            return "资金用途"
        # an outcome noun or a rate makes it an effect, however it opens (培训后就业人员比例≥75%)
        if first_word(w["outcome_nouns"], text) or any(q.kind == "rate" for q in ind.quantities):
            return None
        stripped = config.derived(_leading_intensity).sub("", text)
        if search(w["activity_openers"], stripped):
            return "工作措施"
        if not ind.quantities and first_word(w["output_nouns"], text) \
                and search(w["intensity"] + w["directional"], text):
            return "产出活动"
        return None


def _leading_intensity(config: Config) -> regex.Pattern[str]:
    """The intensity words at a text's start (进一步有效…), one pattern per configuration
    rather than one alternation string built and hashed per line."""
    return pattern("^(?:" + "|".join(config.values["wording"]["intensity"]) + ")+")


def _absolute_heads(config: Config) -> list[str] | None:
    """The literals every match of R47's absolute words (both lists) starts with, once per
    configuration; None when some word has no such literal."""
    w = config.values["wording"]
    return pattern_literals(w["absolute_words"] + w["absolute_words_effects"])


# ---------------------------------------------------------------- R46 / R47

@register
class TargetTooLow(Rule):
    """R46: (a) an entitlement or accuracy rate (保障率, 足额发放率, 发放准确率, 兑现率, 到位率,
    工资发放率) set below 100 % → warning; (b) a pass rate (合格率) below 90 % or an on-time rate
    (及时率) below 95 % → info.

    Does not flag: reverse rates capped with ≤; rates without a percentage; comparisons with
    last year's actual (not given in these tables).
    """

    code = "target_too_low"
    title = "指标值偏低"
    family = "targets"
    why = "应保尽保、足额发放的资金目标低于100%，等于事先允许少发、错发。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t质量指标\t助餐补贴足额发放率\t≥95%\n"
    )
    better = example.replace(
        '产出指标\t质量指标\t助餐补贴足额发放率\t≥95%\n',
        '产出指标\t质量指标\t助餐补贴足额发放率\t=100%\n')
    severity = "warning"
    message = "“{name}”的目标值{value}%偏低：{why}。"
    suggestion = "{fix}"

    def check(self, ctx: Context) -> Iterator[Finding]:
        w = ctx.config.values["wording"]
        for ind in ctx.result.indicators:
            q = ind.target
            if q is None or q.unit != "%" or q.operator in ("≤", "<") or q.value >= 100:
                continue
            text, value = norm(ind.text), f"{q.value:g}"
            if search(w["entitlement_rates"], text):
                yield flag(ctx, self, ind, value=value, why="应保尽保、应发尽发的资金应足额、准确发放",
                                       fix="将目标值设为100%。", evidence={"value": q.value, "expected": 100})
            # the floor first: most rates clear it, and then the words need no scan
            elif q.value < w["pass_rate_min"] and first_word(w["pass_rate_words"], text):
                yield self._info(ctx, ind, q, w["pass_rate_min"])
            elif q.value < w["timely_rate_min"] and first_word(w["timely_rate_words"], text):
                yield self._info(ctx, ind, q, w["timely_rate_min"])

    def _info(self, ctx: Context, ind: Indicator, q: Quantity, floor: float) -> Finding:
        return flag(ctx, self, ind, severity="info", value=f"{q.value:g}",
                                why=f"低于常见水平{floor:g}%", fix="参照行业标准或上年实际值设定目标。",
                                evidence={"value": q.value, "floor": floor})


@register
class AbsoluteOrUnverifiableTarget(Rule):
    """R47: an absolute promise: an outcome rate (知晓率, 就业率, 覆盖率 …) of an effect set at
    100 % → warning; words such as 人人, 杜绝, 零事故, 不发生, 不会出现, 确保…不 (and 全部 in
    effect lines) → info.

    Does not flag: 100 % for output rates (发放准确率, 验收合格率: entitlements are due in full);
    全部 in output lines (全部完成 is a plan); zero targets written as numbers (因灾死亡0人).
    """

    code = "absolute_or_unverifiable_target"
    title = "绝对化/不可核验目标"
    family = "targets"
    why = (
        "“杜绝”“零事故”“知晓率100%”之类的承诺无法核验，"
        "一旦出现个例即告失败。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "效益指标\t社会效益指标\t助餐安全\t杜绝食品安全事故\n"
    )
    better = example.replace(
        '效益指标\t社会效益指标\t助餐安全\t杜绝食品安全事故\n',
        '效益指标\t社会效益指标\t助餐点食品安全抽检合格率\t≥98%\n')
    severity = "info"
    message = "“{name}”是绝对化承诺（{word}），难以核验。"
    suggestion = "改为可核验的目标值并写明数据来源，如“政策知晓率≥90%（抽样调查）”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        w = ctx.config.values["wording"]
        plain, effects = pattern(w["absolute_words"]), pattern(w["absolute_words"] + w["absolute_words_effects"])
        heads = ctx.settings(_absolute_heads)  # every absolute word starts with one
        may = None if heads is None else {id(i) for i in holding(ctx, heads)}
        for ind in ctx.result.indicators:
            effect = ind.level1 == "benefit" or ind.level2 in BENEFIT
            q = ind.target
            full = effect and q and q.unit == "%" and q.value >= 100 and q.operator in ("=", "≥")
            if not full and may is not None and id(ind) not in may:
                continue  # no full rate to read and no absolute word: nothing to normalise
            text = norm(ind.text)
            rate = first_word(w["outcome_rates"], text) if full else None
            if rate:
                yield flag(ctx, self, ind, severity="warning", word=f"{rate}100%",
                                       evidence={"rate": rate, "value": q.value})
                continue
            found = (effects if effect else plain).search(text)
            word = found.group(0) if found else None
            if word:
                yield flag(ctx, self, ind, word=word, evidence={"matched": word})
