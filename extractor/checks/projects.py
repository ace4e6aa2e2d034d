"""Check rules: projects family — across projects (RULES.md R25, R26, R29, R30) and the cheap
text-quality checks of sections F–G (R49 typos, R50 document numbers, R51 indicators copied
from the goal, R52 item numbers glued to numbers)."""

from __future__ import annotations

import bisect
import difflib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import cache, cached_property, lru_cache

import regex

from extractor.checks.base import Config, Context, Rule, any_word, register
from extractor.checks.classes import first_word, holding
from extractor.checks.skeletons import TOWNSHIP_LIST
from extractor.checks.structure import (
    JoinedTexts,
    clause_around,
    compact,
    compact_joined,
    goal_texts,
    group_key,
    indicator_index,
    texts_containing,
)
from extractor.records import DocumentResult, Finding, Indicator, Span

_ITEM_LEAD = regex.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十\d]{1,3}[)）]"
                           r"|\d{1,2}[、.．](?!\d))\s*")

_NUMBER = regex.compile(r"\d+(?:\.\d+)?")


def normalised(text: str) -> str:
    """An indicator's text for comparison across projects: item numbers, spaces and
    punctuation removed, digits kept (「满意度达到95%以上。」 → 满意度达到95以上)."""
    return compact(_ITEM_LEAD.sub("", text))


# _ITEM_LEAD at the start of each text of a NUL-joined run (NUL is no space, punctuation,
# symbol or digit: neither pattern matches it or across it)
_ITEM_LEADS = regex.compile(r"(?:^|(?<=\0))" + _ITEM_LEAD.pattern.removeprefix("^"))


def normalised_all(texts: list[str]) -> list[str]:
    """[normalised(t) for t in texts], with two scans of the joined texts instead of two
    per text."""
    joined = "\0".join(texts)
    if joined.count("\0") != max(len(texts) - 1, 0):
        return [normalised(t) for t in texts]  # a text holds a NUL itself
    return compact_joined(_ITEM_LEADS.sub("", joined)).split("\0") if texts else []


class _Lines:
    """The document's indicators as the cross-project rules compare them, read once; the
    texts only when a rule compares them (a document of one project never does)."""

    def __init__(self, inds: list[Indicator]) -> None:
        self.inds = inds
        self.keys = [group_key(i) for i in inds]  # in document order
        self.projects = sorted({k for k in self.keys if k})

    @cached_property
    def texts(self) -> list[str]:
        """The normalised text of each indicator."""
        return normalised_all([i.text for i in self.inds])

    @cached_property
    def carriers(self) -> dict[str, set[str]]:
        """Normalised text → the projects whose indicators say it."""
        carriers: dict[str, set[str]] = defaultdict(set)
        for key, text in zip(self.keys, self.texts, strict=True):
            if key:
                carriers[text].add(key)
        return carriers


def _lines(ctx: Context) -> _Lines:
    found = ctx.cache.get("projects:lines")
    if found is None:
        found = ctx.cache["projects:lines"] = _Lines(ctx.result.indicators)
    return found


def _project_names(ctx: Context) -> list[str]:
    return _lines(ctx).projects


def _boilerplate(ctx: Context) -> dict[str, set[str]]:
    """Normalised indicator texts carried by at least max(3, 50 %) of the projects."""
    cached = ctx.cache.get("projects:boilerplate")
    if cached is not None:
        return cached
    lines = _lines(ctx)
    projects = lines.projects
    if len(projects) < ctx.config["thresholds.boilerplate_min"]:
        ctx.cache["projects:boilerplate"] = {}
        return {}  # too few projects for a template: the texts are not read
    carriers: dict[str, set[str]] = defaultdict(set)
    for ind, key, text in zip(ctx.result.indicators, lines.keys, lines.texts, strict=True):
        if key and ind.field == "indicator":
            carriers[text].add(key)
    need = max(ctx.config["thresholds.boilerplate_min"],
               math.ceil(ctx.config["thresholds.boilerplate_share"] * len(projects)))
    found = {t: ps for t, ps in carriers.items() if t and len(ps) >= need} \
        if len(projects) >= ctx.config["thresholds.boilerplate_min"] else {}
    ctx.cache["projects:boilerplate"] = found
    return found


@register
class BoilerplateAcrossProjects(Rule):
    """R25: the same indicator line (after removing item numbers and punctuation) in at
    least max(3, 50 %) of a document's projects (「满意度达到95%以上」 in 26 of 26). Warning
    for 满意度 and 效益 lines, info for 产出 lines.

    Does not flag: documents with fewer than three projects; lines shared by a few projects
    only (related projects may share a target); goal prose.
    """

    code = "boilerplate_across_projects"
    title = "跨项目雷同指标"
    family = "classes"
    why = (
        "同一句指标照搬到多数项目，说明没有按项目设定目标，"
        "这些指标也区分不出项目的绩效。"
    )
    example = (
        TOWNSHIP_LIST +
        "1\t民兵训练经费\t1.50\t组织民兵开展军事训练。\t一、产出指标 "
        "(一)数量指标 1.完成民兵培训50人 (二)质量指标 "
        "1.培训合格率100% (三)时效指标 1.2024年6月底前完成 二、"
        "效益指标 (一)社会效益指标：民兵训练参训率≥95% "
        "(二)可持续影响指标：民兵应急分队覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
        "2\t村干部报酬\t80.00\t按时发放村干部报酬。\t一、产出指标 "
        "(一)数量指标 1.发放村干部报酬28人 (二)质量指标 "
        "1.报酬发放准确率100% (三)时效指标 1.每季度末前发放 二、"
        "效益指标 (一)社会效益指标：村干部在岗率≥98% "
        "(二)可持续影响指标：村级组织运转保障村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
        "3\t河道清理经费\t1.50\t对河道进行清理，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：河道垃圾清运率≥95% "
        "(二)可持续影响指标：河道保洁长效机制覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t民兵训练经费\t1.50\t组织民兵开展军事训练。\t一、产出指标 "
        "(一)数量指标 1.完成民兵培训50人 (二)质量指标 "
        "1.培训合格率100% (三)时效指标 1.2024年6月底前完成 二、"
        "效益指标 (一)社会效益指标：民兵训练参训率≥95% "
        "(二)可持续影响指标：民兵应急分队覆盖村数≥6个 三、"
        "满意度指标：参训民兵满意度≥90%\n"
        "2\t村干部报酬\t80.00\t按时发放村干部报酬。\t一、产出指标 "
        "(一)数量指标 1.发放村干部报酬28人 (二)质量指标 "
        "1.报酬发放准确率100% (三)时效指标 1.每季度末前发放 二、"
        "效益指标 (一)社会效益指标：村干部在岗率≥98% "
        "(二)可持续影响指标：村级组织运转保障村数≥6个 三、"
        "满意度指标：村干部满意度≥90%\n"
        "3\t河道清理经费\t1.50\t对河道进行清理，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：河道垃圾清运率≥95% "
        "(二)可持续影响指标：河道保洁长效机制覆盖村数≥6个 三、"
        "满意度指标：沿河群众满意度≥90%\n"
    )
    severity = "info"
    message = "“{name}”在本表{count}个项目（共{total}个）中完全相同，疑似套用模板。"
    suggestion = "按各项目的实际内容和服务对象分别设置指标和指标值。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        common = _boilerplate(ctx)
        if not common:
            return
        total = len(_project_names(ctx))
        for ind, text in zip(ctx.result.indicators, _lines(ctx).texts, strict=True):
            carriers = common.get(text) if ind.field == "indicator" else None
            if not carriers or not ind.project:
                continue
            severity = "warning" if ind.level1 in ("satisfaction", "benefit") else "info"
            yield ctx.on_indicator(self, ind, severity=severity,
                                   evidence={"projects": len(carriers), "of": total},
                                   count=len(carriers), total=total)


@register
class CopyPasteResidue(Rule):
    """R26: an indicator naming an activity (培训, 会议, 宣传, 扶贫, 驻村, 慰问, 救助, 活动) that
    the project's name, goal and 数量 indicators never mention, while the same line stands in
    another project of the table that does plan the activity (「2022年按期完成培训任务」 copied
    into a pay project with no training).

    Does not flag: a line found in no other project (the activity may be a legitimate side
    task, e.g. 岗前培训 of monitoring staff); projects without a goal; whole-unit tables;
    goal prose; 数量 lines (they define the activities); 工程 (construction quality lines name
    it whatever the project).
    """

    code = "copy_paste_residue"
    title = "复制残留"
    family = "classes"
    why = (
        "指标提到本项目根本没有的活动（报酬项目写“完成培训任务”），"
        "是从别的项目复制后没改干净。"
    )
    example = (
        TOWNSHIP_LIST +
        "1\t民兵训练经费\t1.50\t组织民兵开展军事训练和培训。\t一、产出指标 "
        "(一)数量指标 1.完成民兵培训50人 (二)质量指标 "
        "1.培训合格率100% (三)时效指标 1.2024年按期完成培训任务 二、"
        "效益指标 (一)社会效益指标：进一步提高民兵素质 "
        "(二)可持续影响指标：有利于武装工作正规化 三、"
        "满意度指标：满意度达到95%以上\n"
        "2\t村干部报酬\t80.00\t按时发放村干部报酬。\t一、产出指标 "
        "(一)数量指标 1.发放村干部报酬28人 (二)质量指标 "
        "1.报酬发放准确率100% (三)时效指标 1.2024年按期完成培训任务 "
        "二、效益指标 (一)社会效益指标：村干部队伍稳定 "
        "(二)可持续影响指标：有利于村级工作开展 三、"
        "满意度指标：满意度达到95%以上\n"
        "3\t河道清理经费\t1.50\t对河道进行清理和加固，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年按期完成培训任务 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
        "4\t河道维修经费\t1.30\t对河道进行清理和维修，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.维修河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年按期完成培训任务 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t民兵训练经费\t1.50\t组织民兵开展军事训练和培训。\t一、产出指标 "
        "(一)数量指标 1.完成民兵培训50人 (二)质量指标 "
        "1.培训合格率100% (三)时效指标 1.2024年按期完成培训任务 二、"
        "效益指标 (一)社会效益指标：进一步提高民兵素质 "
        "(二)可持续影响指标：有利于武装工作正规化 三、"
        "满意度指标：满意度达到95%以上\n"
        "2\t村干部报酬\t80.00\t按时发放村干部报酬。\t一、产出指标 "
        "(一)数量指标 1.发放村干部报酬28人 (二)质量指标 "
        "1.报酬发放准确率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：村干部队伍稳定 "
        "(二)可持续影响指标：有利于村级工作开展 三、"
        "满意度指标：满意度达到95%以上\n"
        "3\t河道清理经费\t1.50\t对河道进行清理和加固，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
        "4\t河道维修经费\t1.30\t对河道进行清理和维修，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.维修河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    severity = "warning"
    message = "指标提到“{word}”，但本项目的名称、绩效目标和数量指标中都没有这项工作；同样的指标见于项目“{source}”。"
    suggestion = "核对该指标是否由其他项目复制而来；删除无关指标，或补充相应的数量指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        words = ctx.config["projects.activity_words"]
        read = _lines(ctx)
        if len(read.projects) < 2:
            return  # a line copied from another project needs another project
        groups: dict[str | None, list[tuple[Indicator, str]]] = defaultdict(list)
        for ind, key, text in zip(ctx.result.indicators, read.keys, read.texts, strict=True):
            groups[key].append((ind, text))
        planned: dict[str, set[str]] = {}  # project → activities it plans, read on demand
        naming = {id(i) for i in holding(ctx, words, normed=False)}  # one scan of every text

        def basis(key: str) -> set[str]:
            if key not in planned:
                said = " ".join([key, goal_texts(ctx).get(key, ""),
                                 *(i.text for i, _ in groups[key] if i.level2 == "quantity")])
                planned[key] = {w for w in words if w in said}
            return planned[key]

        for key, inds in groups.items():
            if not key or not goal_texts(ctx).get(key, ""):
                continue
            for ind, text in inds:
                if ind.field != "indicator" or ind.level2 == "quantity":
                    continue
                if id(ind) not in naming or first_word(words, ind.text) is None:
                    continue  # most lines name no activity: the scan of all texts says so
                missing = [w for w in words if w in ind.text and w not in basis(key)]
                if not missing:
                    continue
                sources = sorted(k for k in read.carriers[text] - {key}
                                 if all(w in basis(k) for w in missing))
                if sources:
                    yield ctx.on_indicator(self, ind, evidence={"words": missing, "also_in": sources},
                                           word="、".join(missing), source=sources[0])


def _jaccard(a: set[str], b: set[str]) -> float:
    if not (a and b):
        return 0.0
    common = len(a & b)  # the union's size from it: no union set built
    return common / (len(a) + len(b) - common)


def _grams(text: str) -> set[str]:
    text = compact(text)
    return {text[k:k + 3] for k in range(len(text) - 2)}


@register
class OverlappingProjects(Rule):
    """R29: two projects of one document whose goals and indicators overlap and whose names
    or goals share a domain noun (河道, 救助, 保洁 …): a risk of funding the same work twice. Overlap is the
    character 3-gram Jaccard of goal + indicators (≥ 0.35, RULES), or of the same text without
    the template lines three or more projects share and without digits (≥ 0.10: the seed's
    overlapping pairs score 0.10–0.12 there, unrelated pairs below 0.07).

    Does not flag: overlap made of template lines (R25 reports them); similar projects with
    no domain noun in common (two trainings of different groups); documents with one project.
    """

    code = "overlapping_projects"
    title = "项目内容重复交叉"
    family = "classes"
    why = "两个项目做同一件事，可能重复申请资金，应合并或划清各自范围。"
    example = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t对河道进行清理和加固，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
        "2\t河道维修经费\t1.30\t对河道进行清理和维修，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.维修河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t对河道进行清理和加固，保障汛期河道安全。\t一、"
        "产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
        "2\t民兵训练经费\t1.50\t组织民兵开展军事训练。\t一、产出指标 "
        "(一)数量指标 1.完成民兵培训50人 (二)质量指标 "
        "1.培训合格率100% (三)时效指标 1.2024年6月底前完成 二、"
        "效益指标 (一)社会效益指标：民兵训练参训率≥95% "
        "(二)可持续影响指标：民兵应急分队覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "项目“{name}”与“{other}”的目标和指标高度相似（相似度{score:.2f}，均涉及“{noun}”），可能重复安排资金。"
    suggestion = "说明两个项目的分工和资金边界，或合并为一个项目。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if len(_project_names(ctx)) < 2:
            return  # no pair to compare
        raw, own = self._contents(ctx, ctx.config["projects.overlap_template_min"])
        nouns = ctx.config["projects.domain_nouns"]
        names = [n for n in raw if n in own]
        # each project's domain nouns, in the configured order (a pair shares those of one
        # project that the other has too)
        named = {n: [w for w in nouns if w in n + goal_texts(ctx).get(n, "")] for n in names}
        sets = {n: set(ws) for n, ws in named.items()}
        grams: dict[tuple[int, str], set[str]] = {}  # made for projects that share a noun only

        def gram_set(contents: dict[str, list[str]], key: str) -> set[str]:
            if (id(contents), key) not in grams:
                text = " ".join([goal_texts(ctx).get(key, ""), *contents[key]])
                grams[id(contents), key] = _grams(_NUMBER.sub("", text))
            return grams[id(contents), key]

        for k, name in enumerate(names):
            if not named[name]:
                continue
            for other in names[:k]:
                shared = [w for w in named[name] if w in sets[other]]
                if not shared:
                    continue
                score = _jaccard(gram_set(raw, name), gram_set(raw, other))
                filtered = _jaccard(gram_set(own, name), gram_set(own, other))
                if score >= ctx.config["thresholds.overlap_jaccard"] or \
                        filtered >= ctx.config["projects.overlap_filtered_jaccard"]:
                    yield ctx.finding(self, name, project=name,
                                      evidence={"other": other, "jaccard": round(score, 3),
                                                "jaccard_without_templates": round(filtered, 3), "nouns": shared},
                                      name=name, other=other, score=max(score, filtered), noun=shared[0])

    @staticmethod
    def _contents(ctx: Context, template_min: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Indicator texts per project: all of them, and those without the lines that
        `template_min` or more projects share (templates say nothing about the work funded),
        in one pass; the caller joins them after the goal (for the few projects it compares)
        and removes digits."""
        read = _lines(ctx)
        raw: dict[str, list[str]] = defaultdict(list)
        own: dict[str, list[str]] = defaultdict(list)
        for ind, key, line in zip(ctx.result.indicators, read.keys, read.texts, strict=True):
            if key and ind.field == "indicator":
                raw[key].append(ind.text)
                if len(read.carriers[line]) < template_min:
                    own[key].append(ind.text)
        return raw, own


_GOV_LEVEL = [(regex.compile(r"村(?:民委员会|委会)|社区居民委员会"), 1),
              (regex.compile(r"[乡镇](?:人民)?政府|街道办事处|街道办|[乡镇](?:党委|人大|纪委)"), 2)]
_ADMIN = regex.compile(r"自治区|[省市州盟县区旗]")
_ADMIN_LEVEL = {"自治区": 5, "省": 5, "市": 4, "州": 4, "盟": 4, "县": 3, "区": 3, "旗": 3}


def unit_level(name: str) -> int | None:
    """1 village … 5 province, from a unit's name (「北山乡人民政府」 → 2, 「澄水县住房和城乡建
    设局」 → 3: the first administrative suffix, unless the unit is a township government)."""
    for pattern, level in _GOV_LEVEL:
        if pattern.search(name):
            return level
    m = _ADMIN.search(name)
    return _ADMIN_LEVEL[m.group()] if m else None


@register
class ScopeLevelMismatch(Rule):
    """R30: an effect claimed for a higher administrative level than the spending unit
    controls (a township promising 「本县乡村治理体系」, a county 「全市营商环境」).

    Does not flag: units whose level cannot be read from their name; output lines (a
    township may report to the county); scope words of the unit's own or a lower level.
    """

    code = "scope_level_mismatch"
    title = "效益范围超出实施主体层级"
    family = "classes"
    why = "乡镇的项目声称改善“全县”水质，超出了实施单位能影响的范围，无法归因和核验。"
    example = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理河道。\t一、产出指标 (一)数量指标 "
        "1.清理河道2次 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：全县河道水质明显改善 "
        "(二)可持续影响指标：有利于全乡河道安全 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理河道。\t一、产出指标 (一)数量指标 "
        "1.清理河道2次 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：本乡河道垃圾清运率≥95% "
        "(二)可持续影响指标：有利于全乡河道安全 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "效益指标的范围“{scope}”超出了实施单位“{unit}”的管辖层级。"
    suggestion = "将效益范围限定在本单位管辖范围内（如本乡、本镇），或说明与上级项目的关系。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        unit = ctx.result.unit
        level = unit_level(unit.name) if unit else None
        if level is None or unit is None:
            return
        scopes, pattern = ctx.settings(_scope_words)
        for ind in ctx.result.indicators:
            if ind.level1 != "benefit":
                continue
            higher = [m.group() for m in pattern.finditer(ind.text) if scopes[m.group()] > level]
            if higher:
                yield ctx.on_indicator(self, ind, evidence={"unit_level": level, "scopes": higher},
                                       scope="、".join(higher), unit=unit.name)


def _scope_words(config: Config) -> tuple[dict[str, int], regex.Pattern[str]]:
    """R30's scope words → their level, and their alternation (longest first), made once per
    configuration instead of once per document."""
    scopes = dict(config["projects.scope_words"])
    return scopes, regex.compile("|".join(sorted(scopes, key=len, reverse=True)))


class _Texts:
    """(source offset, text, project, indicator) of every indicator and goal block, by
    position (indicators first); goal text that an indicator already covers is given with
    that indicator only. Built on demand: R49 reads a few of them."""

    def __init__(self, result: DocumentResult) -> None:
        self.inds, self.goals = result.indicators, result.goals

    def __getitem__(self, k: int) -> tuple[int, str, str | None, Indicator | None]:
        if k < len(self.inds):
            ind = self.inds[k]
            return ind.span.start, ind.text, group_key(ind), ind
        goal = self.goals[k - len(self.inds)]
        return goal.span.start, goal.text, goal.project.name if goal.project else None, None

    def __iter__(self) -> Iterator[tuple[int, str, str | None, Indicator | None]]:
        return (self[k] for k in range(len(self.inds) + len(self.goals)))

    def containing(self, word: str) -> Iterator[tuple[int, str, str | None, Indicator | None]]:
        """The entries whose text holds `word`, in the same order (the others not built)."""
        inds = self.inds
        for k, ind in enumerate(inds):
            if word in ind.text:
                yield self[k]
        for k, goal in enumerate(self.goals, len(inds)):
            if word in goal.text:
                yield self[k]


def _texts(result: DocumentResult) -> _Texts:
    return _Texts(result)


@cache
def _confusions(pairs: tuple[tuple[str, str], ...]) -> list[tuple[regex.Pattern[str], str]]:
    return [(regex.compile(p), meant) for p, meant in pairs]


_GROUP_REF = regex.compile(r"\\[1-9]|\(\?P[<=>]|\\g<|\(\?<[A-Za-z]")
# \p{Han} and more, for the stdlib `re`, which scans a backreference five times faster than
# `regex`: every Han character is at or above U+2E80, and the ranges left out hold none
# (tests/test_checks_structure.py checks both)
WIDE_HAN = "[^\x00-\u2e7f\u3000-\u3004\u3008-\u3020\uff00-\uffef]"
_DOUBLED_WIDE = re.compile(f"({WIDE_HAN}{{2,4}})\\1")
_DOUBLED_DE = re.compile("的的")


@cache
def _any_confusion(pairs: tuple[tuple[str, str], ...]) -> regex.Pattern[str] | None:
    """One alternation of the configured confusions; None when one names or refers to a
    group (its numbering would change inside the alternation)."""
    if any(_GROUP_REF.search(p) for p, _ in pairs):
        return None
    return regex.compile("|".join(f"(?:{p})" for p, _ in pairs) or "(?!)")


_META = set("\\.^$*+?{}[]()|")
_INLINE_FLAG = regex.compile(r"\(\?[a-zA-Z^]")


def _outside_classes(p: str, i: int = 0) -> Iterator[tuple[int, str]]:
    """(position, character) of the pattern's characters from p[i] on, escapes and character
    classes skipped: where its groups and alternatives are."""
    while i < len(p):
        c = p[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = _skip_class(p, i)
        else:
            yield i, c
            i += 1


def _skip_group(p: str, i: int) -> int:
    """The position after the group opening at p[i]."""
    depth = 0
    for j, c in _outside_classes(p, i):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return j + 1
    return len(p)


def _skip_class(p: str, i: int) -> int:
    """The position after the character class opening at p[i]."""
    i += 1
    if i < len(p) and p[i] == "^":
        i += 1
    if i < len(p) and p[i] == "]":
        i += 1
    while i < len(p) and p[i] != "]":
        i += 2 if p[i] == "\\" else 1
    return i + 1


def _alternatives(p: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    out, start, depth = [], 0, 0
    for i, c in _outside_classes(p):
        if c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            out.append(p[start:i])
            start = i + 1
    return [*out, p[start:]]


def leading_literal(alternative: str) -> str:
    """The plain characters every match of a pattern alternative starts with (after its
    leading lookarounds, which match nothing); '' when it starts otherwise."""
    i = 0
    while alternative.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
        i = _skip_group(alternative, i)
    j = i
    while j < len(alternative) and alternative[j] not in _META:
        j += 1
    if j < len(alternative) and alternative[j] in "*?{":
        j -= 1  # the last character may be repeated no times
    return alternative[i:max(i, j)]


@cache
def _confusion_literals(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """Literals one of which every match of the confusions holds (each alternative's
    leading_literal); None when some alternative has none, or a pattern sets a flag."""
    literals = pattern_literals(patterns)
    return None if literals is None else any_word(literals)


def pattern_literals(patterns: Iterable[str]) -> list[str] | None:
    """The literals one of which every match of one of the patterns holds (each top-level
    alternative's leading_literal, in order); None when some alternative has none (or a
    NUL), or a pattern sets a flag."""
    literals = []
    for p in patterns:
        if _INLINE_FLAG.search(p):
            return None
        for alternative in _alternatives(p):
            literal = leading_literal(alternative)
            if not literal or "\0" in literal:
                return None
            literals.append(literal)
    return literals


def _slip_settings(config: Config) -> tuple[list[tuple[regex.Pattern[str], str]], regex.Pattern[str] | None,
                                            re.Pattern[str] | None, set[str]]:
    """R49's confusions (compiled, as one alternation and as the literals their matches
    hold) and legitimate repeats, made once per configuration, not once per document."""
    pairs = tuple(tuple(p) for p in config["projects.confusions"])
    return (_confusions(pairs), _any_confusion(pairs), _confusion_literals(tuple(p for p, _ in pairs)),
            set(config["projects.legit_repeats"]))


@register
class TypoOrRepetition(Rule):
    """R49: slips of the pen: a doubled word (「营造营造」, 「的的」), a known confusion of this
    genre (「关系退休人员生活」 → 关心, 「科技及以下」 → 科级, 「提改善」, 「调节…纠纷」 → 调解,
    「使用…向…发展」 → 使) or a verb doubled around its object (「提高…满意度提高」).

    Does not flag: reduplications that are words (人人, 家家户户, 年年, 研究研究 …); repeats
    across punctuation (「2次、2次」 lists); the same slip twice in one text (one finding).
    """

    code = "typo_or_repetition"
    title = "错别字/重复字词"
    family = "text"
    why = "错别字和重复字词影响公开文件的严肃性，也可能改变原意。"
    example = (
        TOWNSHIP_LIST +
        "1\t困难群众慰问\t1.20\t开展慰问。\t一、产出指标 (一)数量指标 "
        "1.走访慰问困难群众30户 (二)质量指标 1.慰问对象核实准确率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：进一步关系困难群众生活 "
        "(二)可持续影响指标：营造营造良好氛围 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t困难群众慰问\t1.20\t开展慰问。\t一、产出指标 (一)数量指标 "
        "1.走访慰问困难群众30户 (二)质量指标 1.慰问对象核实准确率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：进一步关心困难群众生活 "
        "(二)可持续影响指标：营造良好氛围 三、满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "“{slip}”疑似笔误：{why}。"
    suggestion = "修改为“{fix}”。"

    _DOUBLED = regex.compile(r"(\p{Han}{2,4})\1")
    _DE = regex.compile(r"的的")
    _VERB_AROUND = regex.compile(r"(提高|提升|增强|改善|加强)[^，。；;、,\s]{1,12}?\1(?=[，。；;、,\s]|$)")

    def check(self, ctx: Context) -> Iterator[Finding]:
        confusions, any_confusion, literals, legit = ctx.settings(_slip_settings)
        result = ctx.result
        # most texts: a few scans of all of them rule out every slip
        chosen = self._may_slip([i.text for i in result.indicators] + [g.text for g in result.goals],
                                any_confusion, literals)
        texts = _texts(result)
        for start, text, project, ind in (texts[k] for k in sorted(chosen)):
            seen: set[str] = set()
            for s, e, slip, why, fix in self._slips(text, confusions, legit):
                if slip in seen or (ind is None and indicator_index(ctx).covers(start + s)):
                    continue
                seen.add(slip)
                cs, ce = clause_around(text, s, e)
                yield ctx.finding(self, text[cs:ce].strip() or slip,
                                  span=ind.span if ind else Span(start + cs, start + ce), project=project,
                                  evidence={"slip": slip, "fix": fix}, slip=slip, why=why, fix=fix)

    def _may_slip(self, texts: list[str], any_confusion: regex.Pattern[str] | None,
                  literals: re.Pattern[str] | None = None) -> set[int]:
        """The texts where a slip pattern may match: the doubled word and 的的 match no NUL,
        the verb pattern no newline, and it reads a newline as it reads a text's end; a
        confusion is looked for only in texts holding one of `literals` (when given, one of
        them is in every match)."""
        if any_confusion is None:
            return set(range(len(texts)))
        joined = JoinedTexts(texts)  # joined once for the scans by NUL
        chosen = {*joined.matched(_DOUBLED_WIDE), *joined.matched(_DOUBLED_DE),
                  *texts_containing(texts, self._VERB_AROUND, sep="\n")}
        rest = range(len(texts)) if literals is None else joined.matched(literals)
        return chosen | {k for k in rest if k not in chosen and any_confusion.search(texts[k])}

    def _slips(self, text: str, confusions: list[tuple[regex.Pattern[str], str]],
               legit: set[str]) -> Iterator[tuple[int, int, str, str, str]]:
        for m in self._DOUBLED.finditer(text):
            if m.group() not in legit and m.group(1) not in legit and m.group(1)[0] != m.group(1)[-1]:
                yield m.start(), m.end(), m.group(), "词语重复", m.group(1)
        for m in self._DE.finditer(text):
            yield m.start(), m.end(), m.group(), "“的”字重复", "的"
        for pattern, meant in confusions:
            for m in pattern.finditer(text):
                yield m.start(), m.end(), m.group(), f"应为“{meant}”", meant
        for m in self._VERB_AROUND.finditer(text):
            yield m.start(), m.end(), m.group(), f"“{m.group(1)}”前后重复", m.group()[:-len(m.group(1))]


@register
class MalformedDocReference(Rule):
    """R50: a document number in the wrong form: the year in 《》 (「《2015》5号」), a year glued
    to 》 (「2019》8号」), or the year without brackets after the issuer code (「财预2021 101号」);
    the correct form is 「财预〔2021〕101号」.

    Does not flag: 〔〕, [] or （） around the year (common typographic variants); document
    titles in 《》 that contain a year (《2023年…方案》).
    """

    code = "malformed_doc_reference"
    title = "文号格式错误"
    family = "text"
    why = "文号格式不规范（年份应用六角括号〔〕），引用依据难以查找核对。"
    example = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t根据县政府《2019》8号文件开展河道清理。\t"
        "一、产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t根据松政发〔2019〕8号文件开展河道清理。\t"
        "一、产出指标 (一)数量指标 1.清理河道2次 (二)质量指标 "
        "1.清理验收合格率100% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "文号“{ref}”格式不规范。"
    suggestion = "按“机关代字〔年份〕序号”书写，如“财预〔2021〕101号”。"

    _BAD = regex.compile(r"《\s*(?:19|20)\d{2}\s*》\s*第?\d{1,4}\s*号"
                         r"|(?<![《\d])(?:19|20)\d{2}\s*》\s*第?\d{1,4}\s*号"
                         r"|\p{Han}{1,6}(?<!年|月|日)(?:19|20)\d{2}\s+\d{1,4}\s*号")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for start, text, project, ind in _texts(ctx.result).containing("号"):
            for m in self._BAD.finditer(text):
                if ind is None and indicator_index(ctx).covers(start + m.start()):
                    continue
                yield ctx.finding(self, m.group(), span=ind.span if ind else Span(start + m.start(), start + m.end()),
                                  project=project, evidence={"reference": m.group()}, ref=m.group())


@register
class IndicatorCopiesGoal(Rule):
    """R51: a 效益 indicator (≥ 10 characters) that repeats the project's goal: a substring of
    it, or ≥ 0.85 similar to one to three consecutive goal clauses.

    Does not flag: short indicators (a shared 「群众满意度」 is no copy); 产出 and 满意度 lines
    (restating a goal's output is their job); goal-prose indicators (they are the goal).
    """

    code = "indicator_copies_goal"
    title = "指标照抄目标"
    family = "text"
    why = "把目标原句抄作指标，指标没有增加任何可衡量的内容。"
    example = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理辖区河道垃圾，改善农村人居环境，"
        "提升群众生活质量。\t一、产出指标 (一)数量指标 1.清理河道2次 "
        "(二)质量指标 1.清理验收合格率100% (三)时效指标 "
        "1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：改善农村人居环境，提升群众生活质量 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理辖区河道垃圾，改善农村人居环境，"
        "提升群众生活质量。\t一、产出指标 (一)数量指标 1.清理河道2次 "
        "(二)质量指标 1.清理验收合格率100% (三)时效指标 "
        "1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：河道垃圾清运率达到95%以上 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "效益指标“{name}”照抄了绩效目标的表述（相似度{ratio:.2f}），没有细化为可衡量的指标。"
    suggestion = "把目标中的预期效果细化为可衡量的指标和指标值（如知晓率、增收金额、发生率）。"

    _RATIO = 0.85

    def check(self, ctx: Context) -> Iterator[Finding]:
        goals = sorted(ctx.result.goals, key=lambda g: g.span.start)
        starts = [g.span.start for g in goals]
        for ind in ctx.result.indicators:
            if ind.level1 != "benefit" or ind.field != "indicator":
                continue
            mine = compact(ind.text)
            goal = self._own_goal(goals, starts, ind)
            if len(mine) < 10 or not goal:
                continue
            ratio = self._best(mine, goal)
            if ratio >= self._RATIO:
                yield ctx.on_indicator(self, ind, evidence={"ratio": round(ratio, 3)}, ratio=ratio)

    @staticmethod
    def _own_goal(goals: list, starts: list[int], ind: Indicator) -> str:
        """The goal block of the indicator's project nearest before it (else after it)."""
        key = group_key(ind)
        k = bisect.bisect_right(starts, ind.span.start)
        for goal in [*reversed(goals[max(0, k - 3):k]), *goals[k:k + 3]]:
            if (goal.project.name if goal.project else None) == key:
                return goal.text
        return ""

    def _best(self, mine: str, goal: str) -> float:
        whole, windows, window_counts, lengths, whole_chars = _goal_windows(goal)
        if mine in whole:
            return 1.0
        best = 0.0
        counts, chars = None, set(mine)
        # every window holds only the goal's characters and passes the length test below
        # (at least len(mine) - len(mine) // 2 long), so the bound from the characters the
        # window lacks is at most this one for all of them: most lines fall short of every
        # floor at once (a margin keeps the loop's own test deciding the close cases)
        reach = len(mine) - len(chars - whole_chars)
        if 2.0 * reach < (self._RATIO - 0.01) * (2 * len(mine) - len(mine) // 2) - 1e-9:
            return best
        # the windows whose length lets real_quick_ratio pass the lowest floor (0.84: a
        # window of 0.72 to 1.39 times the line's length, with a margin), in their order
        lo = bisect.bisect_left(lengths, (len(mine) * 18 // 25, -1))
        hi = bisect.bisect_right(lengths, (-(-len(mine) * 7 // 5), len(windows)))
        for k in sorted(k for _n, k in lengths[lo:hi]):
            window, window_chars = windows[k]
            if abs(len(window) - len(mine)) <= len(mine) // 2:
                floor, length = max(best, self._RATIO - 0.01), len(mine) + len(window)
                if 2.0 * min(len(mine), len(window)) / length <= floor:
                    continue  # real_quick_ratio, a bound on quick_ratio, already falls short
                if 2.0 * (len(mine) - len(chars - window_chars)) / length <= floor:
                    continue  # so does a bound from the characters the window lacks
                # SequenceMatcher.quick_ratio, from character counts made once per window
                # (and per line) when first needed: the bounds above reject most pairs
                if counts is None:
                    counts = Counter(mine)
                if k not in window_counts:
                    window_counts[k] = Counter(window)
                matches = sum(min(n, window_counts[k].get(c, 0)) for c, n in counts.items())
                if 2.0 * matches / length > floor:
                    matcher = difflib.SequenceMatcher(None, mine, window, autojunk=False)
                    best = max(best, matcher.ratio())
        return best


_GOAL_CLAUSE = regex.compile(r"[，。；;,！!？?]")


@lru_cache(maxsize=512)  # a project's goal, asked for each of its effect lines
def _goal_windows(goal: str) -> tuple[str, list[tuple[str, set[str]]], dict[int, Counter[str]],
                                      list[tuple[int, int]], frozenset[str]]:
    """The goal compacted, its windows of one to three consecutive clauses (in R51's order:
    by first clause, then width) with their character sets, a memo of the windows'
    character counts (by position, filled by the caller as it needs them), (length,
    position) of the windows sorted, and the compacted goal's characters."""
    clauses = [compact(c) for c in _GOAL_CLAUSE.split(goal) if compact(c)]
    windows = ["".join(clauses[k:k + width]) for k in range(len(clauses)) for width in (1, 2, 3)
               if k + width <= len(clauses)]
    whole = compact(goal)
    return (whole, [(w, set(w)) for w in windows], {}, sorted((len(w), k) for k, w in enumerate(windows)),
            frozenset(whole))


@register
class EnumeratorDigitCollision(Rule):
    """R52 (parsing guard): an item number glued to the number that follows (「1.2022年」,
    「1.3000人」, 「1.400元」: item 1, not 1.2022), or an item number missing its dot
    (「1按时间发放」; 「1年内开展」 is ambiguous: item 1 + 年内, or within one year). Emitted so
    the reading the extractor chose is auditable.

    Does not flag: a space between marker and number (「1. 2022年」 is unambiguous); numbers
    inside a value (「1.5万元」 read as a decimal keeps no marker before it).
    """

    code = "enumerator_digit_collision"
    title = "编号与数字粘连"
    family = "text"
    why = (
        "编号紧贴数字（“1.2024年”）会被读成“1.2024”，"
        "数值和日期都可能识别错误。"
    )
    example = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理河道。\t一、产出指标 (一)数量指标 "
        "1.清理河道2次 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1.2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t河道清理经费\t1.50\t清理河道。\t一、产出指标 (一)数量指标 "
        "1.清理河道2次 (二)质量指标 1.清理验收合格率100% "
        "(三)时效指标 1. 2024年12月底前完成 二、效益指标 "
        "(一)社会效益指标：进一步改善河道环境 "
        "(二)可持续影响指标：有利于河道安全 三、满意度指标：满意度达到95%以上\n"
    )
    severity = "info"
    message = "编号“{marker}”与后面的“{head}”相连，已按“第{number}项 + {head}”读取{also}。"
    suggestion = "在编号后加空格或顿号（如“{number}. {head}”），避免编号与数字混淆。"

    _GLUED = regex.compile(r"(?:^|(?<=[\s:：>]))(\d{1,2})([.．、])\Z")
    _DOTS = (".", "．", "、")  # what _GLUED ends in
    _BARE = regex.compile(r"(?:^|(?<=[\s:：>]))(1)\Z")  # the outline reads only a first item undotted
    _HEAD = regex.compile(r"^[\d.]+\p{Han}?|^\p{Han}{1,2}")

    def check(self, ctx: Context) -> Iterator[Finding]:
        text, dots = ctx.result.text, self._DOTS
        for ind in ctx.result.indicators:
            if not ind.text:
                continue
            start = ind.span.start
            before = text[start - 4:start] if start >= 4 else text[:start]
            digit = ind.text[0].isdigit()
            # the cheap tests first: a glued marker ends in its dot, a bare one is a 1
            if not before.endswith(dots) if digit else "1" not in before:
                continue
            head = self._HEAD.match(ind.text)
            if not head:
                continue
            glued = self._GLUED.search(before) if digit else None  # only read before a digit
            if digit and glued is None:
                continue  # neither reading can apply
            bare = self._BARE.search(before)
            if glued and digit:
                marker, also = glued.group(), f"，而非小数“{glued.group(1)}.{head.group()}”"
            elif bare and not digit:
                marker = bare.group()
                also = "（也可能读作“1年内”）" if ind.text.startswith("年") else ""
            else:
                continue
            start = ind.span.start - len(marker)
            yield ctx.finding(self, text[start:ind.span.end], span=ind.span, project=group_key(ind),
                              evidence={"marker": marker, "ambiguous": bool(also) and bare is not None},
                              marker=marker, head=head.group(), number=marker.rstrip(".．、"), also=also)
