"""Check rules: classification and alignment (RULES.md section C: R21–R24, plus R32, R33, R48).

Word lists live in extractor/data/checks_wording.toml, sections [classes] and [classes_time].
Two helpers are shared with the wording family: `misfiled_as` (the R21 reading of an
indicator) and `lacks_time` (the R22 test), so that a line gets the most specific finding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

import regex

from extractor.checks.base import Config, Context, Rule, any_word, register
from extractor.checks.structure import JoinedTexts
from extractor.records import Finding, Indicator, Quantity

# SCHEMA.md level2 codes → the headings a Chinese reviewer reads.
LEVEL2_ZH = {
    "quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "cost": "成本指标",
    "social_cost": "社会成本指标", "ecological_cost": "生态环境成本指标",
    "economic": "经济效益指标", "social": "社会效益指标", "ecological": "生态效益指标",
    "sustainability": "可持续影响指标", "satisfaction": "满意度指标",
}
BENEFIT = ("economic", "social", "ecological", "sustainability")
# Separators between a table row's name cell and its value cell.
_CELL_GAP = regex.compile(r"^[\s|｜:：（(]+")
# its first character, for value_part: a mark, or a space of `regex`'s \s (str.isspace
# less the four separators U+001C–U+001F, which `regex` does not count as space)
_GAP_MARKS = frozenset("|｜:：（(")
_NOT_REGEX_SPACE = frozenset("\x1c\x1d\x1e\x1f")
_EDGE = " \t\n|｜:：()（）,，;；。、"
_HAN = regex.compile(r"\p{Han}")
_YEAR = regex.compile(r"(\d{4})年")
_BRACKETED = regex.compile(r"\s*[（(]([^)）]{1,16})[)）]")


@lru_cache(maxsize=8192)  # every rule of this family and wording's reads each indicator's text
def norm(text: str) -> str:
    """Full-width forms to ASCII, for matching only (spans stay on the source text)."""
    return unicodedata.normalize("NFKC", text)


@cache
def _pattern(words: tuple[str, ...]) -> regex.Pattern[str]:
    return regex.compile("|".join(f"(?:{w})" for w in words))


# config list (by identity; the entry holds the list, so its id cannot be reused) → pattern
_BY_LIST: dict[int, tuple[list[str], regex.Pattern[str]]] = {}


def pattern(words: str | Iterable[str]) -> regex.Pattern[str]:
    """One compiled alternation of configured regexes, built once per word list (the regex
    module's own cache lookup costs more than the match on these short texts)."""
    if isinstance(words, list):  # a configured list: skip building the tuple key each call
        known = _BY_LIST.get(id(words))
        if known is None or known[0] is not words:
            if len(_BY_LIST) >= 256:  # lists built per call (a + b) must not pile up
                _BY_LIST.clear()
            known = _BY_LIST[id(words)] = (words, _pattern(tuple(words)))
        return known[1]
    return _pattern((words,) if isinstance(words, str) else tuple(words))


def search(words: str | Iterable[str], text: str) -> str | None:
    """The first match of any regex in `words`, or None."""
    known = _BY_LIST.get(id(words))  # pattern()'s memo first: asked for every line
    found = (known[1] if known is not None and known[0] is words else pattern(words)).search(text)
    return found.group(0) if found else None


def first_word(words: Iterable[str], text: str) -> str | None:
    """The first of `words` (in their order) that the text contains."""
    known = _LITERALS.get(id(words))  # _literals()'s memo first: asked for every line
    if known is not None and known[0] is words:
        if known[1].search(text) is None:
            return None  # the common case, ruled out by one scan
    elif isinstance(words, list) and _literals(words).search(text) is None:
        return None
    return next(filter(text.__contains__, words), None)  # `w in text`, in C: no generator


# word list (by identity, as _BY_LIST) → an alternation of its words for the stdlib `re`,
# which finds literals several times faster than `regex` or a loop of `in` tests
# (and whether the words can be looked for in NUL-joined texts: none empty, none with a NUL)
_LITERALS: dict[int, tuple[list[str], re.Pattern[str], bool]] = {}


def _literals(words: list[str]) -> re.Pattern[str]:
    known = _LITERALS.get(id(words))
    if known is None or known[0] is not words:
        if len(_LITERALS) >= 256:
            _LITERALS.clear()
        joinable = bool(words) and all(w and "\0" not in w for w in words)
        known = _LITERALS[id(words)] = (words, any_word(words), joinable)
    return known[1]


def _joinable(words: list[str]) -> re.Pattern[str] | None:
    """_literals(words) when the words can be looked for in the NUL-joined texts, else None
    (asked once per list, not once per call)."""
    scan = _literals(words)
    return scan if _LITERALS[id(words)][2] else None


def per_indicator(ctx: Context, name: str, ind: Indicator,
                  read: Callable[[Indicator, Config], Any]) -> Any:
    """`read(ind, config)`, computed once per document: several rules ask the same reading of
    an indicator. Keyed by the record's id, which is stable while the context holds the
    document."""
    memo = ctx.cache.get(name)
    if memo is None:
        memo = ctx.cache[name] = {}
    key = id(ind)
    if key not in memo:
        memo[key] = read(ind, ctx.config)
    return memo[key]


def holding(ctx: Context, words: list[str], normed: bool = True) -> list[Indicator]:
    """The indicators whose text (NFKC-normalised unless `normed` is False) may contain one
    of `words`, in document order, from one scan of all the texts (structure.texts_containing)
    instead of one per indicator. A superset of the holders: callers keep their own test."""
    inds = ctx.result.indicators
    scan = _joinable(words)
    if scan is None:
        return list(inds)
    return [inds[k] for k in _joined(ctx, normed).matched(scan)]


# what lets a regex match a NUL or see a text's edge: anchors, any-character classes,
# escapes, negated or POSIX classes, fuzzy constraints ({e<=1}), a NUL itself
_UNJOINABLE = re.compile(r"[\^$.\\\0]|\[:|\{[^}]*[a-zA-Z<>=]")


def matching(ctx: Context, words: str | list[str]) -> list[Indicator]:
    """The indicators whose normalised text the configured regex (or list) may match, in
    document order: one scan of the texts joined by NUL where the pattern can neither match a
    NUL nor tell a NUL from a text's edge (so it matches a text alone iff it matches it there),
    else all of them. A superset: callers keep their own test."""
    memo = ctx.cache.setdefault("classes:matching", {})
    known = memo.get(id(words))
    if known is None or known[0] is not words:
        group = [words] if isinstance(words, str) else list(words)
        inds = ctx.result.indicators
        if not group or any(_UNJOINABLE.search(w) for w in group):
            found = list(inds)
        else:
            found = [inds[k] for k in _joined(ctx, True).matched(pattern(words))]
        known = memo[id(words)] = (words, found)
    return known[1]


def measured(ctx: Context, ind: Indicator) -> bool:
    """Whether the satisfaction measure may match the indicator's text (R21, R23, R24, R48)."""
    return id(ind) in _measured_ids(ctx)


def _measured_ids(ctx: Context) -> set[int]:
    found = ctx.cache.get("classes:measured")
    if found is None:
        inds = matching(ctx, ctx.config["classes.satisfaction_measure"])
        found = ctx.cache["classes:measured"] = {id(i) for i in inds}
    return found


def joined_texts(ctx: Context) -> JoinedTexts:
    """The indicators' texts as written, joined by NUL, once per document."""
    return _joined(ctx, False)


def _joined(ctx: Context, normed: bool) -> JoinedTexts:
    """The indicators' texts (NFKC-normalised or as written) joined, once per document."""
    key = "classes:joined" if normed else "classes:joined_raw"
    if key not in ctx.cache:
        ctx.cache[key] = JoinedTexts([norm(i.text) if normed else i.text for i in ctx.result.indicators])
    return ctx.cache[key]


def headed(ind: Indicator) -> str | None:
    """The 二级 class the document itself files the indicator under, if any."""
    return ind.level2 if ind.label_source == "heading" else None


def value_part(ind: Indicator) -> str | None:
    """The value cell of a table row (`名称\\t有效提升` → `有效提升`); None for free text,
    whose name is never a prefix followed by a cell gap."""
    name, text = ind.name, ind.text
    if not name or len(text) == len(name) or not text.startswith(name):
        return None
    gap = text[len(name)]  # what _CELL_GAP's first character must be, tested without a match
    if gap not in _GAP_MARKS and (not gap.isspace() or gap in _NOT_REGEX_SPACE):
        return None
    return text[len(name):].strip(_EDGE) or None


def project_name(ind: Indicator) -> str | None:
    return ind.project.name if ind.project else None


def label(ind: Indicator) -> str:
    """How a message names an indicator: a table row's 三级 name, else its whole text (a
    free-text name drops leading verbs: 按时缴纳 → 时缴纳, which reads badly in a message)."""
    return ind.name if ind.name and value_part(ind) is not None else ind.text.strip()


def flag(ctx: Context, rule: Rule, ind: Indicator, *, evidence: dict[str, Any] | None = None,
         severity: str | None = None, **fields: Any) -> Finding:
    """A finding on one indicator (same span, so it sets the record's flags)."""
    fields["name"] = label(ind)
    return ctx.build_finding(rule, ind.text, ind.span, project_name(ind), evidence, severity, fields)


# ---------------------------------------------------------------- R21 reading (shared)

def misfiled_as(ctx: Context, ind: Indicator) -> tuple[str, str, str] | None:
    """(class it belongs to, cue id, matched word) when a strong cue contradicts the heading."""
    found = ctx.cache.get("classes:misfiled")
    if found is None:
        found = _misfiled(ctx)
    return found.get(id(ind))


def misfiled_lines(ctx: Context) -> list[tuple[Indicator, tuple[str, str, str]]]:
    """The indicators a cue contradicts, with misfiled_as's reading, in document order (R21
    walks these few, not every line)."""
    return ctx.shared("classes:misfiled_lines", _misfiled_all)


def _misfiled(ctx: Context) -> dict[int, tuple[str, str, str]]:
    # asked for every line by several rules: the cache first, ctx.shared (which reports a
    # failure once and skips the rules needing it) on the first ask
    found = ctx.cache.get("classes:misfiled")
    if found is None:
        found = ctx.shared("classes:misfiled",
                           lambda c: {id(ind): read for ind, read in misfiled_lines(c)})
    return found


# the headings a cue other than the satisfaction one applies under (_may_fire)
_CUE_HEADINGS = frozenset(("quantity", "quality", *BENEFIT))
# the cues' word lists that _may_fire asks about
_CUE_WORDS = ("quality_time_words", "payment_verbs", "economic_words", "environment_words")


def _misfiled_all(ctx: Context) -> list[tuple[Indicator, tuple[str, str, str]]]:
    """misfiled_as of every indicator that a cue contradicts, read once per document: the
    cues run only on lines that _may_fire says they can fire on."""
    c = ctx.config.values["classes"]
    holders = {key: _holder_positions(ctx, c[key]) for key in _CUE_WORDS}
    out = []
    measured_ids = _measured_ids(ctx)  # read here, not through measured(), once per line
    for k, ind in enumerate(ctx.result.indicators):
        heading = ind.level2 if ind.label_source == "heading" else None  # headed(ind)
        if heading is None:
            continue
        # where the measure cannot match, the satisfaction cue is skipped
        is_measured = id(ind) in measured_ids
        if heading not in _CUE_HEADINGS and (not is_measured or heading == "satisfaction"):
            continue  # _may_fire's answer under a heading no other cue applies to, without the call
        if _may_fire(ind, k, heading, is_measured, holders):
            found = _misfiled_as(ind, ctx.config, measured=is_measured)
            if found is not None:
                out.append((ind, found))
    return out


def _holder_positions(ctx: Context, words: list[str]) -> set[int] | range:
    """The positions of the indicators whose normalised text may hold one of `words` (all of
    them where the words cannot be joined: holding)."""
    scan = _joinable(words)
    if scan is None:
        return range(len(ctx.result.indicators))
    return set(_joined(ctx, True).matched(scan))


def _may_fire(ind: Indicator, key: int, heading: str, is_measured: bool,
              holders: dict[str, set[int] | range]) -> bool:
    """Whether one of the cues that apply under `heading` (_cues_for) may fire: each test is
    what one cue needs before it looks further (`holders`: the positions of the lines that may
    hold a word of a cue's list; `key`: the line's). A cue changed must change its test here."""
    if is_measured and heading != "satisfaction":  # _satisfaction_cue
        return True
    if heading in ("quantity", "quality"):  # _money_cue
        money = ind.target if ind.target is not None else next(iter(ind.quantities), None)
        if money is not None and money.kind == "money":
            return True
    if heading == "quality":
        if key in holders["quality_time_words"] or ind.deadline is not None:  # _quality_time_cue
            return True
        if ind.target is not None and ind.target.kind in ("count", "measure"):  # _quality_count_cue
            return True
    if heading in BENEFIT:
        if key in holders["payment_verbs"]:  # _payment_cue
            return True
        if heading == "social" and (key in holders["economic_words"]  # _economic_cue
                                    or key in holders["environment_words"]):  # _environment_cue
            return True
    return False


def _misfiled_as(ind: Indicator, config: Config, measured: bool = True) -> tuple[str, str, str] | None:
    heading = headed(ind)
    if heading is None:
        return None
    text = norm(ind.text)
    c = config.values["classes"]
    for cue in _cues_for(heading):
        if cue is _satisfaction_cue and not measured:
            continue
        found = cue(ind, heading, text, c)
        if found is not None:
            return found
    return None


_Cue = Callable[[Indicator, str, str, dict[str, Any]], "tuple[str, str, str] | None"]


@cache
def _cues_for(heading: str) -> tuple[_Cue, ...]:
    """The cues, in their order, that can fire under a heading (each returns None at once
    under any other heading, so calling it there is wasted)."""
    applies: list[tuple[_Cue, Callable[[str], bool]]] = [
        (_satisfaction_cue, lambda h: h != "satisfaction"),
        (_money_cue, lambda h: h in ("quantity", "quality")),
        (_quality_time_cue, lambda h: h == "quality"),
        (_quality_count_cue, lambda h: h == "quality"),
        (_payment_cue, lambda h: h in BENEFIT),
        (_economic_cue, lambda h: h == "social"),
        (_environment_cue, lambda h: h == "social")]
    return tuple(cue for cue, fits in applies if fits(heading))


def _satisfaction_cue(ind: Indicator, heading: str, text: str,
                      c: dict[str, Any]) -> tuple[str, str, str] | None:
    if heading == "satisfaction":
        return None
    word = search(c["satisfaction_measure"], text)
    return ("satisfaction", "satisfaction_word", word) if word else None


def _money_cue(ind: Indicator, heading: str, text: str,
               c: dict[str, Any]) -> tuple[str, str, str] | None:
    if heading not in ("quantity", "quality"):
        return None
    # the cheap tests first (every test must pass, so their order does not matter)
    money = ind.target if ind.target is not None else next(iter(ind.quantities), None)
    if money is None or money.kind != "money" or first_word(c["money_gained"], text) \
            or _bare_wan_before_unit(ind, money):
        return None
    return "cost", "money_or_standard", money.text


def source_quantity(ind: Indicator, q: Quantity) -> Quantity | None:
    """The entry of `ind.quantities` a target stands for: a target's span is relative to its
    cell, the quantities carry spans in the source text."""
    return next((x for x in ind.quantities if x.value == q.value and x.unit == q.unit), None)


def _bare_wan_before_unit(ind: Indicator, q: Quantity) -> bool:
    """`2.5万小时` read as 2.5万元: a bare 万 followed by another unit is a magnitude, not money."""
    source = source_quantity(ind, q)
    if source is None or source.span is None or "元" in source.text:
        return False
    after = ind.text[source.span.end - ind.span.start:][:1]
    return bool(after) and _HAN.match(after) is not None


def _quality_time_cue(ind: Indicator, heading: str, text: str,
                      c: dict[str, Any]) -> tuple[str, str, str] | None:
    """Time words (or only a deadline) as the whole content of a 质量 item."""
    if heading != "quality" or any(q.kind in ("count", "measure", "money") for q in ind.quantities):
        return None
    if first_word(c["quality_words"], text):
        return None
    word = first_word(c["quality_time_words"], text)
    if word is None and ind.deadline is not None and not ind.quantities:
        word = ind.deadline.text
    return ("timeliness", "time_words", word) if word else None


def _quality_count_cue(ind: Indicator, heading: str, text: str,
                       c: dict[str, Any]) -> tuple[str, str, str] | None:
    """A count of activities or goods (no quality word, no reverse measure) under 质量."""
    if heading != "quality" or ind.target is None or ind.target.kind not in ("count", "measure"):
        return None
    if ind.target.operator in ("≤", "<"):  # a cap is a reverse quality measure (返工≤2次)
        return None
    if any(q.kind == "rate" for q in ind.quantities):
        return None
    if any(first_word(c[key], text) for key in
           ("quality_words", "reverse_count_words", "quality_property_words")):
        return None
    return "quantity", "count", ind.target.text


def _payment_cue(ind: Indicator, heading: str, text: str,
                 c: dict[str, Any]) -> tuple[str, str, str] | None:
    """A payment-timeliness statement (及时支付, 每月拨付) under a 效益 heading."""
    if heading not in BENEFIT:
        return None
    verb = first_word(c["payment_verbs"], text)
    when = first_word(c["payment_time_words"], text) if verb else None
    return ("timeliness", "payment_timeliness", when + verb) if verb and when else None


def _economic_cue(ind: Indicator, heading: str, text: str,
                  c: dict[str, Any]) -> tuple[str, str, str] | None:
    if heading != "social":
        return None
    word = first_word(c["economic_words"], text)
    return ("economic", "economic_gain", word) if word and not first_word(c["economic_unless"], text) else None


def _environment_cue(ind: Indicator, heading: str, text: str,
                     c: dict[str, Any]) -> tuple[str, str, str] | None:
    if heading != "social":
        return None
    word = first_word(c["environment_words"], text)
    return ("ecological", "environment", word) if word and not first_word(c["environment_unless"], text) \
        else None


@register
class MisclassifiedIndicator(Rule):
    """R21: the document files an indicator under a 二级 heading that a strong cue contradicts:
    a satisfaction measure (满意度/满意率) outside 满意度; money or a per-unit money standard
    under 数量/质量 (成本); time words or only a deadline as the whole of a 质量 item (时效); a
    count of activities or goods under 质量 (数量); a payment-timeliness statement under a 效益
    heading (时效); income or collective economy under 社会效益 (经济效益); environmental
    cleanliness under 社会效益 (生态效益).

    Does not flag: weak disagreements the classifier may voice (an `有利于…` line without a
    durability cue under 可持续影响, an outcome count under 社会效益, time words inside a
    数量 line that also has work in it, 致富 or 就业 under 社会效益); money gained (增收,
    节约) under 数量/质量; reverse quality counts and caps (投诉次数, 事故, 返工≤2次) and
    physical specifications (平整度≤5毫米) under 质量; awareness of environmental matters
    (垃圾分类知晓率) under 社会效益; records whose class was inferred rather than read from a
    heading.
    """

    code = "misclassified_indicator"
    title = "指标归类与二级标题不符"
    family = "classes"
    why = (
        "归错类的指标会扭曲评分：满意度放在社会效益下、资金放在数量下，"
        "审核时无法按类考核。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务人数\t≥1200人\n"
        "效益指标\t社会效益指标\t老年人助餐满意率\t≥90%\n"
    )
    better = example.replace(
        '效益指标\t社会效益指标\t老年人助餐满意率\t≥90%\n',
        '满意度指标\t服务对象满意度指标\t老年人助餐满意率\t≥90%\n')
    severity = "warning"
    message = "“{name}”归在{filed}下，但其内容（{cue}）属于{should}。"
    suggestion = "将该指标移至{should}，或改写为符合{filed}含义的指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind, (should, cue, word) in misfiled_lines(ctx):
            filed = headed(ind) or ""
            yield flag(
                ctx, self, ind, filed=LEVEL2_ZH.get(filed, filed), should=LEVEL2_ZH[should], cue=word,
                evidence={"filed_as": filed, "inferred": should, "cue": cue, "matched": word})


# ---------------------------------------------------------------- R22 test (shared)

def lacks_time(ctx: Context, ind: Indicator) -> bool:
    """R22: a 时效 line with no date, deadline, duration, cycle or on-time rate, and no
    measurable target at all (an amount or a pass/fail value makes it auditable, so not vague,
    and this finding would mark it vague)."""
    return id(ind) in _timeless(ctx)[0]


def _timeless(ctx: Context) -> tuple[set[int], list[Indicator]]:
    """The indicators lacks_time is true of (ids, and in document order), from one pass:
    most lines are not vague 时效 lines, and R22 then walks only these."""
    found = ctx.cache.get("classes:timeless")
    if found is None:
        found = ctx.shared("classes:timeless", _read_timeless)
    return found


def _read_timeless(ctx: Context) -> tuple[set[int], list[Indicator]]:
    config = ctx.config
    lines = [i for i in ctx.result.indicators if _lacks_time(i, config)]
    return {id(i) for i in lines}, lines


def _lacks_time(ind: Indicator, config: Config) -> bool:
    if headed(ind) != "timeliness" or not ind.vague or ind.deadline is not None or ind.quantities:
        return False
    return search(config["classes.time_elements"], norm(ind.text)) is None


@register
class TimelinessWithoutTime(Rule):
    """R22: an item filed under 时效指标 with no time element: no year, month or day, no
    relative deadline (年底, 上半年, …前), no duration (5个工作日), no cycle (每月, 按季) and
    no on-time rate (及时率, 及时性). 「扎实推进各项工作」, 「按期完成培训任务」.

    Does not flag: a 时效 line carrying any amount (a rate, a count: measurable, whatever its
    slot; a count there is a classification question) or a pass/fail value (「是否按时完成 |
    是」); a deadline that only restates the budget year (R32); lines whose 时效 class was
    inferred rather than read from a heading.
    """

    code = "timeliness_without_time"
    title = "时效指标无时间要素"
    family = "classes"
    why = "时效指标考核的是完成时间；没有日期、时限或周期，年底无法判断是否按时完成。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t时效指标\t补贴发放\t按期发放\n"
    )
    better = example.replace(
        '产出指标\t时效指标\t补贴发放\t按期发放\n',
        '产出指标\t时效指标\t补贴发放时间\t每月10日前\n')
    severity = "warning"
    message = "时效指标“{name}”没有任何时间要素（日期、期限、时长或周期），无法判断是否按时完成。"
    suggestion = "写明完成时限，如“2024年6月30日前完成”“每月10日前发放”或“受理后5个工作日内办结”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind in _timeless(ctx)[1]:
            yield flag(ctx, self, ind, evidence={"filed_as": "timeliness"})


# ---------------------------------------------------------------- R23 / R24 / R48

def satisfaction_subject(ctx: Context, ind: Indicator) -> str | None:
    """The text before 满意度 with verbs and fillers removed; None when not a satisfaction
    measure. An empty string means no subject at all."""
    if not measured(ctx, ind):
        return None
    return per_indicator(ctx, "classes:satisfaction_subject", ind, _satisfaction_subject)


def satisfaction_subjects(ctx: Context) -> list[tuple[Indicator, str]]:
    """(indicator, satisfaction_subject) of the satisfaction measures, in document order:
    read once from the few lines the measure may match, so that R23, R24 and R48 walk those
    instead of every line."""
    found = ctx.cache.get("classes:satisfaction_subjects")
    if found is None:
        found = ctx.cache["classes:satisfaction_subjects"] = [
            (ind, subject) for ind in matching(ctx, ctx.config["classes.satisfaction_measure"])
            if (subject := satisfaction_subject(ctx, ind)) is not None]
    return found


def _satisfaction_subject(ind: Indicator, config: Config) -> str | None:
    text = norm(ind.text)
    found = pattern(config["classes.satisfaction_measure"]).search(text)
    if found is None:
        return None
    prefix = text[:found.start()].strip(_EDGE)
    prefix = pattern(config["classes.subject_strip"]).sub("", prefix).strip(_EDGE)
    # a group named after the measure, in brackets: 满意度（受益群众）
    after = _BRACKETED.match(text, found.end())
    if not prefix and after and names_group(after.group(1), config):
        return after.group(1)
    return prefix


def names_group(subject: str, config: Config) -> bool:
    """Whether a subject names people or organisations (村民, 老年人, 受益对象, 企业)."""
    if first_word(config["classes.group_words"], subject):
        return True
    return any(map(subject.__contains__, config["classes.group_chars"]))  # `ch in subject`


@register
class SatisfactionSubjectMissing(Rule):
    """R23: a satisfaction measure with no surveyed group: 「满意度达到95%以上」, a 三级 name
    that is just 「满意度」, 「项目满意度」, 「服务满意度」, 「总体满意度」.

    Does not flag: any subject naming people or organisations (群众, 村民, 受益群众, 服务对象,
    企业, 调解当事人, 参训种植户); 「服务对象满意度」 even where the project names no
    beneficiaries (judging that needs the project's purpose, which the text rarely states).
    """

    code = "satisfaction_subject_missing"
    title = "满意度未明确对象"
    family = "classes"
    why = "满意度要说明由谁评价（受益群众、服务对象），否则无法组织调查，也无法核验。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "满意度指标\t服务对象满意度指标\t满意度\t≥90%\n"
    )
    better = example.replace(
        '满意度指标\t服务对象满意度指标\t满意度\t≥90%\n',
        '满意度指标\t服务对象满意度指标\t就餐老人满意度\t≥90%\n')
    severity = "warning"
    message = "满意度指标“{name}”未写明调查对象，无法确定向哪一群体调查。"
    suggestion = "写明服务对象或受益群体，如“受益群众满意度≥90%”“参训学员满意度≥90%”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ind, subject in satisfaction_subjects(ctx):
            if not names_group(subject, ctx.config):
                yield flag(ctx, self, ind, evidence={"subject": subject})


def _project_context(ctx: Context, ind: Indicator) -> str:
    """Text that states what the project (or, in a whole-unit table, the unit) does: name,
    goal and the other indicators. A whole-unit goal is left out: it often restates the
    unit's whole remit (R09) and so names every domain."""
    contexts: dict[str | None, str] = ctx.cache.setdefault("classes.project_context", {})
    name = project_name(ind)
    if name not in contexts:
        result = ctx.result
        if "classes:project_texts" not in ctx.cache:  # one pass over the indicators
            texts: dict[str | None, list[str]] = {}
            for i in result.indicators:
                texts.setdefault(project_name(i), []).append(i.text)
            ctx.cache["classes:project_texts"] = texts
        parts = list(ctx.cache["classes:project_texts"].get(name, []))
        if name is not None:
            parts.append(name)
            parts += [g.text for g in result.goals if g.project and g.project.name == name]
        else:
            parts += [row.label for row in result.money_rows]
        # norm() part by part (the indicators' are cached): a line break is a starter that
        # nothing composes with, so normalising the joined text gives the same string
        contexts[name] = "\n".join(map(norm, parts))
    # the surveyed line itself does not count as project content
    return contexts[name].replace(norm(ind.text), "", 1)


@register
class SatisfactionSubjectMismatch(Rule):
    """R24: (a) a specific surveyed group (游客, 患者, 学生, 企业, 读者 …, [classes]
    subject_keywords) that shares no keyword with the project's name, goal or other indicators
    → warning; (b) an internal group (干部职工, 工作人员, 机关干部) rating the unit's own
    spending → info.

    Does not flag: general groups (群众, 村民, 居民, 服务对象); a group the lexicon does not
    list (it cannot tell what fits); for whole-unit tables, matches found only in the unit's
    goal prose, which lists every duty of the unit.
    """

    code = "satisfaction_subject_mismatch"
    title = "满意度对象与项目不符"
    family = "classes"
    why = (
        "满意度的评价对象应是项目的服务对象；"
        "写成与项目无关的人群（如助餐项目写游客），多半是从别的表格复制而来。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t助餐服务人数\t≥1200人\n"
        "满意度指标\t服务对象满意度指标\t游客满意度\t≥90%\n"
    )
    better = example.replace(
        '满意度指标\t服务对象满意度指标\t游客满意度\t≥90%\n',
        '满意度指标\t服务对象满意度指标\t就餐老人满意度\t≥90%\n')
    severity = "warning"
    message = "满意度调查对象“{subject}”与项目内容不对应：{why}。"
    suggestion = "改为本项目实际服务或受益的群体的满意度（如受益群众、服务对象）。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        keywords: dict[str, list[str]] = ctx.config["classes.subject_keywords"]
        internal = ctx.config["classes.internal_subjects"]
        for ind, subject in satisfaction_subjects(ctx):
            if not subject:
                continue
            inside = first_word(internal, subject)
            if inside:
                yield flag(ctx, self, ind, severity="info", subject=subject,
                                       why="调查的是本单位内部人员，而非服务对象",
                                       evidence={"subject": subject, "internal": inside})
                continue
            group = next(filter(subject.__contains__, keywords), None)  # the first listed group in it
            if group is None:
                continue
            context = _project_context(ctx, ind)
            if not first_word(keywords[group], context):
                yield flag(ctx, self, ind, subject=subject,
                                       why=f"项目中没有与“{group}”相关的内容",
                                       evidence={"subject": subject, "group": group,
                                                 "keywords": keywords[group]})


@register
class SatisfactionValueAtypical(Rule):
    """R48: a satisfaction target of 100 % (=100 %, ≥100 %: a sample survey cannot verify it)
    → warning; below the band's lower end (80 %) → info.

    Does not flag: targets inside [satisfaction_low, satisfaction_high]; values between the
    upper bound and 100 %; satisfaction given as a score or without a percentage.
    """

    code = "satisfaction_value_atypical"
    title = "满意度目标值异常"
    family = "targets"
    why = (
        "满意度定为100%无法核验，低于常见水平又说明目标设置随意；"
        "通常为85%–95%。"
    )
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "满意度指标\t服务对象满意度指标\t就餐老人满意度\t=100%\n"
    )
    better = example.replace(
        '满意度指标\t服务对象满意度指标\t就餐老人满意度\t=100%\n',
        '满意度指标\t服务对象满意度指标\t就餐老人满意度\t≥90%\n')
    severity = "warning"
    message = "满意度目标值{value}%{why}。"
    suggestion = "满意度目标一般设在80%–99%之间，并说明调查方式和样本来源。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        low, high = ctx.config["thresholds.satisfaction_low"], ctx.config["thresholds.satisfaction_high"]
        for ind, _subject in satisfaction_subjects(ctx):
            target = ind.target
            if target is None or target.unit != "%":
                continue
            value = target.value
            if value >= 100 and target.operator in ("=", "≥"):
                yield flag(ctx, self, ind, value=_num(value), why="为满分，抽样调查无法验证",
                                       evidence={"value": value, "band": [low, high]})
            elif value < low and target.operator in ("=", "≥", ">"):
                yield flag(ctx, self, ind, severity="info", value=_num(value),
                                       why=f"低于常见区间下限{low}%",
                                       evidence={"value": value, "band": [low, high]})


def _num(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- R32 / R33

@register
class TimelinessIsWholeYear(Rule):
    """R32: a 时效 value that only restates the budget year (「2023年1-12月」, 「全年」,
    「年内」, 「年底前完成」) — no milestone inside the year.

    Does not flag: a year other than the budget year (R31 judges it); a dated milestone
    (「2023年6月30日前」, 「12月31日前完成验收」 with a named step); cycles (每月10日前).
    """

    code = "timeliness_is_whole_year"
    title = "时效仅写全年期间"
    family = "years"
    why = "只写预算年度（1-12月）等于没有时效要求，看不出关键节点。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t时效指标\t助餐服务期间\t2024年1-12月\n"
    )
    better = example.replace(
        '产出指标\t时效指标\t助餐服务期间\t2024年1-12月\n',
        '产出指标\t时效指标\t补贴发放时间\t2024年6月30日前\n')
    severity = "info"
    message = "时效指标“{name}”只写了预算年度本身，没有年度内的时间节点。"
    suggestion = "写明具体节点，如“6月30日前完成采购”“每月10日前发放”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        year = ctx.result.budget_year
        for ind in ctx.result.indicators:
            if ind.level2 != "timeliness":  # headed(ind) is the level2 or None
                continue
            value = norm(value_part(ind) or ind.text).strip(_EDGE).replace(" ", "")
            if search(ctx.config["classes_time.whole_year"], value) is None:
                continue
            stated = _YEAR.match(value)
            if stated and year is not None and int(stated.group(1)) != year:
                continue
            yield flag(ctx, self, ind, evidence={"value": value, "budget_year": year})


@register
class TimelinessStandardUndefined(Rule):
    """R33: a clause promising punctuality (及时, 按时, 按期, 及时率, 及时性) with no date,
    cycle or duration of its own, in a 时效 line or in a line R21 moves to 时效. One finding
    per indicator, quoting the first such clause.

    Does not flag: clauses with their own year, date, cycle or time limit (「2022年按期完成」,
    「每月10日前按时发放」); lines R22 already reports (no time element at all); a deadline
    defined in a 指标解释 column (the extractor does not read that column yet, so such rows are
    reported; the info severity reflects that).
    """

    code = "timeliness_standard_undefined"
    title = "及时性标准未定义"
    family = "years"
    why = "“及时率”要有“及时”的定义（几日内、每月几日前），否则100%也无从核对。"
    example = (
        "桐乡县2024年度项目支出绩效目标表\n"
        "项目名称\t社区助餐服务补贴\n"
        "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t时效指标\t补贴发放及时率\t=100%\n"
    )
    better = example.replace(
        '产出指标\t时效指标\t补贴发放及时率\t=100%\n',
        '产出指标\t时效指标\t补贴发放时间\t每月10日前\n')
    severity = "info"
    message = "“{clause}”要求按时/及时，但没有说明以哪个日期或时限为准。"
    suggestion = "写明时限标准，如“每月10日前发放”“收到申请后5个工作日内拨付”。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        words = ctx.config["classes_time.on_time_words"]
        own_time = ctx.settings(_own_time)
        split = pattern(ctx.config["classes_time.clause_split"])
        for ind in holding(ctx, words):
            if not first_word(words, norm(ind.text)) or lacks_time(ctx, ind) \
                    or not self._is_timeliness(ctx, ind):
                continue
            clause = next((c.strip(_EDGE) for c in split.split(ind.text)
                           if first_word(words, norm(c)) and search(own_time, norm(c)) is None), None)
            if clause is not None:
                yield flag(ctx, self, ind, clause=clause, evidence={"clause": clause})

    @staticmethod
    def _is_timeliness(ctx: Context, ind: Indicator) -> bool:
        if headed(ind) == "timeliness" or (headed(ind) is None and ind.level2 == "timeliness"):
            return True
        found = misfiled_as(ctx, ind)
        return found is not None and found[0] == "timeliness"


def _own_time(config: Config) -> list[str]:
    """The time elements that are a clause's own date, cycle or limit (an on-time rate is
    what needs one, not one): made once per configuration, so it is also one list for
    `pattern`'s cache, not a new one per document."""
    words = config["classes_time.on_time_words"]
    return [e for e in config["classes.time_elements"] if not any(w in e for w in words)]
