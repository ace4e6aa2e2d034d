"""Check rules: years family (RULES.md section D: R31, R34).

A year in a target is either the year the target is due (a deadline, a period: 「2022年按期
完成」, 「2023年1-12月」, 「2023年6月30日前」) or context: a policy's year (「2022年中央一号文
件」, 《…2021年…》), a baseline (「较2022年下降」, 「由2022年的80%提高到」), a period that spans
years (「2021-2025年」), a start (「2020年以来」). Only the first kind must match the budget year.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

from extractor.checks.base import Config, Context, Rule, any_word, register
from extractor.checks.classes import joined_texts
from extractor.checks.skeletons import ROAD_TABLE, TOWNSHIP_LIST
from extractor.checks.structure import clause_around, group_key, indicator_index
from extractor.records import DocumentResult, Finding, Indicator, Span

_ZH = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
       "八": 8, "九": 9}
_YEAR = regex.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?=\s*年)"
    r"|(?<!\d)(?P<d>(?:19|20)\d{2})(?=[-./](?:0?[1-9]|1[0-2])(?!\d)|[-./](?:0?[1-9]|1[0-2])[-./]\d{1,2}(?!\d))"
    r"|(?P<zh>二[〇零○][一二三四五六七八九〇零○]{2})(?=年)")
_YEAR_DIGITS = regex.compile(r"(?<!\d)(?:19|20)\d{2}")  # what every digit year of _YEAR is
_DOC_NUMBER = regex.compile(r"^\s*(?:年\s*)?第?\s*\d+\s*号")
_RANGE_AFTER = regex.compile(r"^(?:年度?)?\s*(?:\d{1,2}\s*月\s*)?[-—–~～至到]\s*(?P<y>(?:19|20)\d{2})")
_RANGE_BEFORE = regex.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:年度?)?\s*(?:\d{1,2}\s*月\s*)?[-—–~～至到]\s*$")
_CLAUSE_END = regex.compile(r"[，。；;,！!？?\n\t|]")
_GOAL_CUE = regex.compile(r"^(?:年度?)?\s*(?:底|末|内|前|上半年|下半年|全年|\d{1,2}\s*月"
                          r"|第?[一二三四]季度)")
_GOAL_VERB = regex.compile(r"完成|实现|达到|确保|力争|争取|建成|完工|竣工|发放|兑付|拨付")
_SPACE_RUN = regex.compile(r"\s+")
_COMPARED = regex.compile(r"(?:较|比|相比|相较|对比)于$")
_YEAR_TAIL = regex.compile(r"^\s*(?:年度?|[-./]\d{1,2}(?:[-./]\d{1,2})?)?\s*(?:底|末)?(?:的)?")
_YEAR_WORDS = ("context_before", "context_after", "context_near", "policy_nouns", "target_verbs")


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the memoised readings
class _YearWords:
    """The [years] word lists as the reading of a year uses them."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    near: re.Pattern[str]
    policy_nouns: tuple[str, ...]
    target_verb: re.Pattern[str]


def _year_words(config: dict[str, list[str]]) -> _YearWords:
    return _YearWords(tuple(config["context_before"]), tuple(config["context_after"]),
                      any_word(config["context_near"]), tuple(config["policy_nouns"]),
                      any_word(config["target_verbs"]))


@dataclass(frozen=True, eq=False)
class _Settings:
    words: _YearWords
    flag_future: bool
    outdated_from_year: int
    outdated: re.Pattern[str]
    current: re.Pattern[str]


def _read_settings(config: Config) -> _Settings:
    return _Settings(_year_words({k: config[f"years.{k}"] for k in _YEAR_WORDS}),
                     bool(config["years.flag_future"]), config["years.outdated_from_year"],
                     _term_pattern(config["years.outdated_terms"]),
                     _term_pattern(config["years.current_formulas"]))


@dataclass(frozen=True)
class YearMention:
    year: int
    start: int  # offsets into the text searched
    end: int
    target: bool  # False: context (policy, baseline, multi-year period, start)
    why: str


def _budget_year_only(text: str, by: int) -> bool:
    """True when every year _YEAR can read in the text is the budget year, from a scan far
    cheaper than the pattern: each of its years is 19 or 20 and two digits, not preceded by
    a digit and followed by none (or opens with 二〇/二零/二○). Once the budget year's own
    occurrences are blanked, such a four-digit run left over may be another year; one that
    overlaps a blanked occurrence would follow a digit or be followed by one, so none can.
    False says only that the pattern must decide."""
    if "二" in text and any(z in text for z in ("二〇", "二零", "二○")):
        return False
    rest = text.replace(str(by), "\x01") if by >= 0 else text
    return _YEAR_DIGITS.search(rest) is None


def _value(m: regex.Match[str]) -> int:
    if m.group("zh"):
        return int("".join(str(_ZH[c]) for c in m.group("zh")))
    return int(m.group("y") or m.group("d"))


def year_mentions(text: str, config: dict[str, list[str]]) -> list[YearMention]:
    """Every year of `text` (`2022年`, `2023.01`, `2022-12-31`, `二〇二二年`), each read as
    a target or as context; document numbers (`2021年第3号`, `〔2015〕`) are not years."""
    return list(_mentions(text, _year_words(config)))


@lru_cache(maxsize=8192)  # indicator and goal texts recur across the projects of a table
def _mentions(text: str, words: _YearWords) -> tuple[YearMention, ...]:
    out = []
    for m in _YEAR.finditer(text):
        if _DOC_NUMBER.match(text[m.end():]):
            continue
        year = _value(m)
        why = _context(text, m.start(), m.end(), year, words)
        out.append(YearMention(year, m.start(), m.end(), why is None, why or "target"))
    return tuple(out)


def _context(text: str, start: int, end: int, year: int, words: _YearWords) -> str | None:
    """Why the year at [start, end) is context, or None when it is a target year."""
    before, after = text[:start], text[end:]
    if before.rfind("《") > before.rfind("》"):
        return "title"
    other = _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before)
    if other and int(other.group("y")) != year:
        return "period"
    head = _SPACE_RUN.sub("", before[-6:])
    if head.endswith(words.before) or _COMPARED.search(head):
        return "baseline"
    tail = _YEAR_TAIL.sub("", after[:24])
    if tail.startswith(words.after):
        return "baseline"
    clause = _CLAUSE_END.split(after, maxsplit=1)[0][:24]
    if words.near.search(clause[:10]):
        return "baseline"
    for noun in words.policy_nouns:
        at = clause.find(noun)
        if at >= 0 and not words.target_verb.search(clause[:at]):
            return "policy"
    return None


def _settings(ctx: Context) -> _Settings:
    return ctx.settings(_read_settings)


@register
class StaleOrWrongYear(Rule):
    """R31: a target year before the budget year in an indicator or in goal prose (a
    deadline copied from last year's table: 「2022年按期完成培训任务」 in a 2023 budget).
    The evidence notes when many projects carry the same stale year (copied table).

    Does not flag: context years — policy titles and document numbers (《2015》, 〔2021〕,
    「2022年中央一号文件」), baselines (「较2022年」, 「由2022年的80%」, 「2020年以来」),
    periods spanning years (「2021-2025年」); years in headers, titles and 编制日期 (only
    indicator and goal text is read); goal years with no deadline or target verb near them;
    years after the budget year unless `years.flag_future` (multi-year projects name them).
    """

    code = "stale_or_wrong_year"
    title = "指标年度与预算年度不符"
    family = "years"
    why = (
        "2024年的预算表里写着2023年的完成时间，说明表格是照抄上年的，"
        "目标并未更新。"
    )
    example = (
        ROAD_TABLE +
        "产出指标\t数量指标\t养护农村公路里程\t≥120公里\n"
        "\t质量指标\t养护路段路面抽检合格率\t≥95%\n"
        "\t时效指标\t养护任务完成时间\t2023年11月30日前\n"
        "效益指标\t社会效益指标\t沿线群众出行时间缩短\t≥10%\n"
        "满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n"
    )
    better = example.replace(
        '\t时效指标\t养护任务完成时间\t2023年11月30日前\n',
        '\t时效指标\t养护任务完成时间\t2024年11月30日前\n')
    severity = "error"
    message = "指标中的年份{year}年与预算年度{budget_year}年不符{note}。"
    suggestion = ("将时间要求改为{budget_year}年度内的具体日期（如“{budget_year}年X月X日前”），"
                  "核对是否照搬了上年度的表格。")

    def check(self, ctx: Context) -> Iterator[Finding]:
        by = ctx.result.budget_year
        if by is None:
            return
        hits = list(self._hits(ctx, by))
        note = self._note(ctx.result, hits, by)
        for kind, obj, years, text, span in hits:
            evidence = {"years": years, "budget_year": by, "source": kind}
            if note:
                evidence["document_note"] = note
            severity = "error" if min(years) < by else "warning"
            shown = "、".join(str(y) for y in sorted(set(years)))
            fields = {"year": shown, "budget_year": by, "note": f"（{note}）" if note else ""}
            if isinstance(obj, Indicator):
                yield ctx.on_indicator(self, obj, evidence=evidence, severity=severity, **fields)
            else:
                yield ctx.finding(self, text, span=span, project=obj, evidence=evidence,
                                  severity=severity, **fields)

    @staticmethod
    def _wrong(settings: _Settings, year: int, by: int) -> bool:
        return year < by or (year > by and settings.flag_future)

    def _hits(self, ctx: Context, by: int) -> Iterator[tuple[str, object, list[int], str, Span | None]]:
        s = _settings(ctx)
        inds = ctx.result.indicators
        for k in self._wrong_year_lines(ctx, s, by):
            ind = inds[k]
            years = [y.year for y in _mentions(ind.text, s.words)
                     if y.target and self._wrong(s, y.year, by)]
            if years:
                yield "indicator", ind, years, ind.text, ind.span
        for goal in ctx.result.goals:
            if _budget_year_only(goal.text, by) or \
                    not any(self._wrong(s, _value(m), by) for m in _YEAR.finditer(goal.text)):
                continue  # most goals name the budget year or none: no year to read for context
            seen: set[tuple[int, int]] = set()
            for y in _mentions(goal.text, s.words):
                pos = goal.span.start + y.start
                if not y.target or not self._wrong(s, y.year, by) or indicator_index(ctx).covers(pos):
                    continue
                if not self._goal_target(goal.text, y):
                    continue
                s, e = clause_around(goal.text, y.start, y.end)
                if (s, e) in seen:
                    continue
                seen.add((s, e))
                project = goal.project.name if goal.project else None
                yield "goal", project, [y.year], goal.text[s:e], Span(goal.span.start + s, goal.span.start + e)

    def _wrong_year_lines(self, ctx: Context, s: _Settings, by: int) -> list[int]:
        """The positions of the indicators naming a wrong year, from one scan of their joined
        texts (a year matches neither a NUL nor across one, and reads a NUL as it reads a
        text's edge); only these are read for context (most lines name the budget year or
        none)."""
        joined = joined_texts(ctx)
        if _budget_year_only(joined.joined, by):
            return []
        found = {bisect.bisect_right(joined.starts, m.start()) - 1
                 for m in _YEAR.finditer(joined.joined) if self._wrong(s, _value(m), by)}
        return sorted(found)

    @staticmethod
    def _goal_target(text: str, y: YearMention) -> bool:
        """In goal prose a year is a target only with a deadline or a target verb by it."""
        after = text[y.end:]
        clause = _CLAUSE_END.split(after, maxsplit=1)[0]
        return bool(_GOAL_CUE.match(after) or _GOAL_VERB.search(clause))

    @staticmethod
    def _note(result: DocumentResult, hits: list, by: int) -> str:
        """RULES R31: when ≥ 30 % of the projects carry the same stale year, the table was
        probably copied from the previous year's."""
        projects = {p.name for p in result.projects}
        if len(projects) < 3:
            return ""
        per_year: dict[int, set[str]] = defaultdict(set)
        for _kind, obj, years, _text, _span in hits:
            name = group_key(obj) if isinstance(obj, Indicator) else obj
            for y in years:
                if y < by and name:
                    per_year[y].add(name)
        for year, names in sorted(per_year.items()):
            if len(names) >= max(2, 0.3 * len(projects)):
                return f"全表{len(names)}/{len(projects)}个项目含{year}年，疑似照搬上年度表格"
        return ""


def _term_pattern(terms: list[str]) -> re.Pattern[str]:
    # plain words, longest first: the standard library's re scans them fastest (base.any_word)
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


@register
class OutdatedPolicyTerm(Rule):
    """R34: in a budget of 2022 or later, wording of the closed poverty campaign that treats
    it as ongoing (「打赢脱贫攻坚战」, 「精准扶贫」, 「贫困村」, 「全面建成小康社会」).

    Does not flag: the current transition formulas (「巩固拓展脱贫攻坚成果」, 「脱贫村」,
    「脱贫户」, 「原贫困…」); the words inside the project's official name (「第一书记和扶贫
    （驻村）工作人员…」); budgets before 2022 or without a budget year.
    """

    code = "outdated_policy_term"
    title = "过时政策表述"
    family = "years"
    why = (
        "已经结束的政策阶段（如“打赢脱贫攻坚战”）出现在新年度目标中，"
        "说明内容是照抄旧表。"
    )
    example = (
        TOWNSHIP_LIST +
        "1\t驻村帮扶经费\t6.00\t开展驻村帮扶。\t一、产出指标 (一)数量指标 "
        "1.走访帮扶户120户 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：助力打赢脱贫攻坚战 "
        "(二)可持续影响指标：河道保洁长效机制覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t驻村帮扶经费\t6.00\t开展驻村帮扶。\t一、产出指标 (一)数量指标 "
        "1.走访帮扶户120户 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：脱贫户人均纯收入增长≥5% "
        "(二)可持续影响指标：河道保洁长效机制覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "“{term}”是已结束的脱贫攻坚阶段的表述，{budget_year}年预算中不宜继续使用。"
    suggestion = "改用现行表述（如“巩固拓展脱贫攻坚成果”“乡村振兴”“脱贫村/脱贫户”），并核对目标是否为本年度新设。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        by, settings = ctx.result.budget_year, _settings(ctx)
        if by is None or by < settings.outdated_from_year:
            return
        pattern, current = settings.outdated, settings.current
        inds = ctx.result.indicators
        # masking only removes matches: the texts without a term have none to find. Plain
        # words (no NUL) match a text alone as in the shared NUL-joined run: one scan
        holders = range(len(inds)) if "\0" in pattern.pattern else joined_texts(ctx).matched(pattern)
        for ind in (inds[k] for k in holders):
            terms = _terms(ind.text, pattern, current, ind.project.name if ind.project else "")
            if terms:
                yield ctx.on_indicator(self, ind, evidence={"terms": terms}, term="、".join(terms),
                                       budget_year=by)
        for goal in ctx.result.goals:
            name = goal.project.name if goal.project else ""
            if not pattern.search(goal.text):
                continue
            masked = _mask(goal.text, current, name)
            for m in pattern.finditer(masked):
                if indicator_index(ctx).covers(goal.span.start + m.start()):
                    continue
                s, e = clause_around(goal.text, m.start(), m.end())
                yield ctx.finding(self, goal.text[s:e], span=Span(goal.span.start + s, goal.span.start + e),
                                  project=name or None, evidence={"terms": [m.group()]},
                                  term=m.group(), budget_year=by)


def _mask(text: str, current: re.Pattern[str], project_name: str) -> str:
    """The text with current formulas and the project's own name blanked out (same length)."""
    masked = current.sub(lambda m: "□" * len(m.group()), text)
    if project_name and len(project_name) >= 4:
        # the record's name may use half-width brackets where the source has full-width ones
        masked = _loose(project_name).sub(lambda m: "□" * len(m.group()), masked)
    return masked


@lru_cache(maxsize=256)
def _loose(name: str) -> regex.Pattern[str]:
    """The project's name, matching either width of bracket and comma."""
    return regex.compile("".join(_WIDTHS.get(c, regex.escape(c)) for c in name))


_WIDTHS = {"(": "[(（]", ")": "[)）]", "（": "[(（]", "）": "[)）]", ",": "[,，]", "，": "[,，]"}


def _terms(text: str, pattern: re.Pattern[str], current: re.Pattern[str], name: str) -> list[str]:
    return [m.group() for m in pattern.finditer(_mask(text, current, name))]
