"""Check rules: structure and completeness (RULES.md section A, R01–R08).

The helpers at the top (indicator groups per project, table cells of the source text, goal
items, word completeness from jieba's dictionary) are shared with years.py and projects.py.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any

import regex

from extractor import lexicon
from extractor.checks.base import Context, Rule, any_word, register
from extractor.checks.skeletons import ROAD_TABLE, TOWNSHIP_LIST
from extractor.layout import column_role, split_row
from extractor.outline import ANNOTATION, NUMBERING, classify_label, find_headings
from extractor.records import DocumentResult, Finding, GoalBlock, Indicator, Span

# ---------------------------------------------------------------------------------------
# shared helpers

TERMINAL = "。．.！!？?；;…"
_CLAUSE_PUNCT = "，。；、,;：:！!？?"
_HAN = regex.compile(r"\p{Han}")
_NAME_GAP = regex.compile(r"^\s*(?:[|\t\n]|\s)")
_FILLER = regex.compile(r"^[\s|:：,，;；。.、]*$")


def group_key(ind: Indicator) -> str | None:
    return ind.project.name if ind.project else None


def by_project(result: DocumentResult) -> dict[str | None, list[Indicator]]:
    groups: dict[str | None, list[Indicator]] = defaultdict(list)
    for ind in result.indicators:
        groups[group_key(ind)].append(ind)
    return groups


def is_complete_table(result: DocumentResult) -> bool:
    """The document is a whole target table (a budget year or a project named), not a
    fragment pasted for a quick check: only then can a class be missing from it."""
    return result.budget_year is not None or bool(result.projects)


def tabled_projects(ctx: Context) -> list[tuple[str | None, list[Indicator]]]:
    """The projects of a whole target table that file enough indicators under headings for a
    missing class or a short list to mean something (a fragment or prose has none): chosen
    once per document for the three rules that ask."""
    found = ctx.cache.get("structure:tabled")
    if found is None:
        found = ctx.cache["structure:tabled"] = _tabled(ctx)
    return found


def _tabled(ctx: Context) -> list[tuple[str | None, list[Indicator]]]:
    if not is_complete_table(ctx.result):
        return []
    minimum = ctx.config["structure.min_headed_indicators"]
    if "structure:by_project" not in ctx.cache:
        ctx.cache["structure:by_project"] = by_project(ctx.result)
    return [(key, inds) for key, inds in ctx.cache["structure:by_project"].items()
            if len(headed(inds)) >= minimum]


def headed(inds: Iterable[Indicator]) -> list[Indicator]:
    """Indicators the document itself files under a heading (a table or an outline)."""
    return [i for i in inds if i.label_source == "heading"]


def effective_level(ind: Indicator) -> tuple[str | None, str | None]:
    """The class a reviewer would give: the classifier's when a strong rule says the
    heading is wrong (R21), the document's otherwise."""
    if ind.misfiled and ind.inferred is not None:
        return ind.inferred.level1, ind.inferred.level2
    return ind.level1, ind.level2


def is_name_cell(ind: Indicator) -> bool:
    """The indicator's name is a table cell of its own (三级指标), not a phrase of prose
    (the extractor caps phrase names at 40 characters: such a name is no cell)."""
    if ind.field != "indicator" or not ind.name or not ind.text.startswith(ind.name):
        return False
    if len(ind.name) == 40:
        return False
    return bool(_NAME_GAP.match(ind.text[len(ind.name):]))


_NOT_WORD = regex.compile(r"[\s\p{P}\p{S}]+")
_SPACE = regex.compile(r"\s+")


@lru_cache(maxsize=8192)  # the same indicator texts are compared by several rules
def compact(text: str) -> str:
    return _NOT_WORD.sub("", text)


def compact_joined(joined: str) -> str:
    """compact() of texts joined by NUL, uncached: NUL is neither space, punctuation nor
    symbol, so splitting the result at NUL gives each text's compact()."""
    return _NOT_WORD.sub("", joined)


class JoinedTexts:
    """Many short texts joined by `sep`, to ask which of them a pattern (a `re` or `regex`
    one) matches with one scan instead of one scan per text. Exact for patterns that cannot
    match `sep` and match at a text's edge as they do before or after `sep` (literal words
    without a NUL, for instance)."""

    def __init__(self, texts: list[str], sep: str = "\0") -> None:
        self.starts = list(accumulate(map(len(sep).__add__, map(len, texts)), initial=0))
        self.joined = sep.join(texts)
        self.count = len(texts)

    def matched(self, scan: Any) -> list[int]:
        """The positions of the texts the pattern matches, in order."""
        joined, starts, out = self.joined, self.starts, []
        found = scan.search(joined)
        while found is not None:
            k = bisect.bisect_right(starts, found.start()) - 1
            out.append(k)
            if k + 1 >= self.count:
                break
            found = scan.search(joined, starts[k + 1])
        return out


def texts_containing(texts: list[str], scan: Any, sep: str = "\0") -> list[int]:
    """JoinedTexts(texts, sep).matched(scan)."""
    return JoinedTexts(texts, sep).matched(scan)


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of `text` holding [start, end): from the punctuation before it to the
    punctuation after it (kept, so a cut before 「。」 shows)."""
    s = start
    while s > 0 and text[s - 1] not in _CLAUSE_PUNCT and not text[s - 1].isspace():
        s -= 1
    e = end
    while e < len(text) and text[e] not in _CLAUSE_PUNCT and not text[e].isspace():
        e += 1
    if e < len(text) and text[e] in _CLAUSE_PUNCT:
        e += 1
    return s, e


class SpanIndex:
    """Which of many [start, end) spans hold a position, in log time (sorted starts and a
    running maximum of the ends)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []
        for _, e in ordered:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def covers(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and self.reach[k] > pos


def indicator_index(ctx: Context) -> SpanIndex:
    """The spans of the document's indicators (built once per document)."""
    if "structure:indicator_index" not in ctx.cache:
        ctx.cache["structure:indicator_index"] = SpanIndex((i.span.start, i.span.end) for i in ctx.result.indicators)
    return ctx.cache["structure:indicator_index"]


def _project_starts(ctx: Context) -> tuple[list[int], list[str | None]]:
    """The indicators' starts in order, and their group keys."""
    if "structure:project_starts" not in ctx.cache:
        ordered = sorted(ctx.result.indicators, key=lambda i: i.span.start)
        ctx.cache["structure:project_starts"] = ([i.span.start for i in ordered], [group_key(i) for i in ordered])
    return ctx.cache["structure:project_starts"]


def projects_on_line(ctx: Context, line_start: int, line_end: int) -> set[str | None]:
    """Every project_name_at may give for a position of the line [line_start, line_end):
    those of the indicators starting on it, and that of the nearest before it."""
    starts, keys = _project_starts(ctx)
    if not starts:
        return {None}
    first, last = bisect.bisect_left(starts, line_start), bisect.bisect_left(starts, line_end)
    return {*keys[first:last], keys[max(first - 1, 0)]}


def project_name_at(ctx: Context, pos: int) -> str | None:
    """The project of the indicator nearest before `pos` on its line, else the first after
    it on the line (a project row: goal cell, then indicator cell), else the nearest before."""
    starts, keys = _project_starts(ctx)
    if not starts:
        return None
    text = ctx.result.text
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and starts[k] >= line_start:
        return keys[k]
    if k + 1 < len(starts) and starts[k + 1] < line_end:
        return keys[k + 1]
    return keys[max(k, 0)]


def goal_texts(ctx: Context) -> dict[str | None, str]:
    """Goal prose per project (joined when a project has several blocks)."""
    if "structure:goal_texts" not in ctx.cache:
        texts: dict[str | None, list[str]] = defaultdict(list)
        for g in ctx.result.goals:
            texts[g.project.name if g.project else None].append(g.text)
        ctx.cache["structure:goal_texts"] = {k: " ".join(v) for k, v in texts.items()}
    return ctx.cache["structure:goal_texts"]


def label_for(key: str | None, result: DocumentResult) -> str:
    """Text naming a group in a finding: the project, else the unit, else the title line."""
    if key:
        return key
    if result.unit:
        return result.unit.name
    lines = [ln.strip() for ln in result.text.split("\n") if ln.strip()][:12]
    titled = [ln for ln in lines if "绩效目标" in ln or "绩效自评" in ln]
    return (titled or lines or [result.doc])[0][:60]


def regions(result: DocumentResult) -> dict[str | None, str]:
    """The source text of each group: from the end of the previous group's last indicator
    line to the start of the next group's first indicator line (the whole text for one
    group), so that empty rows around a group's indicators belong to it."""
    text = result.text
    spans: dict[str | None, list[int]] = {}
    for ind in sorted(result.indicators, key=lambda i: i.span.start):
        key = group_key(ind)
        if key not in spans:
            spans[key] = [ind.span.start, ind.span.end]
        spans[key][1] = max(spans[key][1], ind.span.end)
    keys = sorted(spans, key=lambda k: spans[k][0])
    out = {}
    for k, key in enumerate(keys):
        start = 0 if k == 0 else text.rfind("\n", 0, spans[key][0]) + 1
        end = len(text) if k + 1 == len(keys) else text.rfind("\n", 0, spans[keys[k + 1]][0]) + 1
        out[key] = text[start:max(end, start)]
    return out


def cached_regions(ctx: Context) -> dict[str | None, str]:
    if "structure:regions" not in ctx.cache:
        ctx.cache["structure:regions"] = regions(ctx.result)
    return ctx.cache["structure:regions"]


@cache
def _level2_pattern(cls: str) -> re.Pattern[str]:
    """Surfaces (of three or more characters) of a second-level class."""
    lex = lexicon.load()
    return any_word([s for s, c in lex.level2.items() if c == cls and len(s) >= 3])


@cache
def _class_pattern(cls: str) -> re.Pattern[str]:
    """Surfaces (of three or more characters) of a first-level class and its second levels."""
    lex = lexicon.load()
    surfaces = [s for s, c in lex.level1.items() if c == cls and len(s) >= 3]
    surfaces += [s for s, c in lex.level2.items()
                 if (c == cls or lex.level2_parent.get(c) == cls) and len(s) >= 3]
    return any_word(surfaces)


def class_mentioned(ctx: Context, region: str, cls: str) -> bool:
    """The region names the class somewhere other than in an empty heading: a slot that the
    document fills (perhaps with text the extractor did not read as an indicator)."""
    return named_outside_empty(ctx, region, _class_pattern(cls), any_level=True)


def named_outside_empty(ctx: Context, region: str, pattern: re.Pattern[str], any_level: bool) -> bool:
    """Whether `pattern` matches a line of the region outside that line's empty headings.
    One scan of the region (a heading surface never spans lines, so it finds what a scan of
    each line would); only the lines with a match are parsed for headings."""
    found = pattern.search(region)
    while found is not None:
        start = region.rfind("\n", 0, found.start()) + 1
        end = region.find("\n", found.start())
        end = len(region) if end < 0 else end
        line = region[start:end]
        empty = line_empties(ctx, line, any_level)
        for m in pattern.finditer(line, found.start() - start):  # the line's matches, found first
            if not any(s <= m.start() < e for s, e, _l, _t in empty):
                return True
        found = pattern.search(region, end)
    return False


def line_empties(ctx: Context, line: str, any_level: bool = False) -> tuple[tuple[int, int, str, str], ...]:
    """`empty_headings` of a line, once per document (R01, R02 and R03 all ask)."""
    memo = ctx.cache.setdefault("structure:line_empties", {})
    key = (line, any_level)
    if key not in memo:
        memo[key] = tuple(empty_headings(line, any_level))
    return memo[key]


def hinted_lines(ctx: Context) -> list[tuple[int, str]]:
    """(offset, line) of the lines of the text holding a heading word, in order: one scan of
    the whole text instead of one per line (most lines hold none)."""
    if "structure:hinted_lines" not in ctx.cache:
        text, hint, found = ctx.result.text, _heading_hint(), []
        m = hint.search(text)
        while m is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            found.append((start, text[start:end]))
            m = hint.search(text, end)
        ctx.cache["structure:hinted_lines"] = found
    return ctx.cache["structure:hinted_lines"]


@cache
def _heading_hint() -> re.Pattern[str]:
    lex = lexicon.load()
    surfaces = [s for s in {*lex.level1, *lex.level2} if len(s) >= 4 or s.endswith("指标")]
    return any_word(surfaces)


def empty_headings(line: str, any_level: bool = False) -> Iterator[tuple[int, int, str, str]]:
    """Headings of a line followed by nothing (only separators) up to the next heading or
    the end of a table row: (start, end, level, heading text). Second levels only unless
    `any_level`."""
    hint = _heading_hint()
    if not hint.search(line):
        return  # the common case, and find_headings is costly
    if "\t" in line or line.count("|") >= 2:
        cells = _split(line)
        yield from _empty_row_labels(cells, any_level)
        for cell in cells:  # an outline inside one cell (一、产出指标 (一)数量指标 1.…)
            if len(hint.findall(cell.text)) >= 2:
                for s, e, level, text in _empty_outline(cell.text, True, any_level):
                    yield cell.start + s, cell.start + e, level, text
    elif len(hint.findall(line)) >= 2:
        yield from _empty_outline(line, False, any_level)


# A line's cells and a text's headings, read (not changed) by empty_headings: R01 asks for
# every level and R03 for second levels of the same lines, so each is parsed once.
@lru_cache(maxsize=512)
def _split(line: str) -> list[Any]:
    return split_row(line, 0)


@lru_cache(maxsize=512)
def _headings(text: str) -> list[Any]:
    return find_headings(text)


def _empty_row_labels(cells: list[Any], any_level: bool) -> Iterator[tuple[int, int, str, str]]:
    """The label cells that end a table row with nothing after them (`效益指标 | 经济效益指标 |
    | `): the last one is the second level, the ones before it first levels."""
    filled = [c for c in cells if c.text]
    run = []
    for cell in reversed(filled):
        l1, l2 = classify_label(cell.text)
        if not (l1 or l2):
            break
        run.append((cell, l1, l2))
    for k, (cell, l1, l2) in enumerate(run):
        level = (l2 or (l1 if any_level else None)) if k == 0 else ((l1 or l2) if any_level else None)
        if level:
            yield cell.start, cell.end, level, cell.text


def _empty_outline(text: str, closed: bool, any_level: bool) -> Iterator[tuple[int, int, str, str]]:
    """Headings of free text followed directly by the next heading (or by the end of a
    table cell, when `closed`)."""
    if not _empty_outline_hint().search(text):
        return  # most outlines fill every heading: one scan says so, without parsing them
    heads = [h for h in _headings(text) if not h.text.startswith("【")]
    for k, h in enumerate(heads):
        level = h.level2 or (h.level1 if any_level else None)
        if not level:
            continue
        nxt = heads[k + 1].start if k + 1 < len(heads) else len(text)
        if k + 1 == len(heads) and not closed:
            continue  # a heading alone at the end of a prose line: content may follow
        if _FILLER.match(text[h.end:nxt]):
            yield h.start, h.end, level, h.text


@cache
def _empty_outline_hint() -> re.Pattern[str]:
    """What every empty outline heading leaves in the text: a category surface (the
    heading's alias), its annotations, separators, then the end, an item number or the next
    heading's surface. find_headings reads headings of these parts (outline.py), so a text
    without this has no empty heading; the converse does not hold (the parse decides). The
    standard library's `re`: its \\s takes every space `regex`'s does, so it finds at least
    what `regex` would, and scans faster. One pattern for every level: a second one for
    second levels only saved fewer parses than its compiling cost."""
    lex = lexicon.load()
    every = any_word([*lex.level1, *lex.level2]).pattern
    return re.compile(rf"(?:{every})(?:{ANNOTATION})[\s|:：,，;；。.、]*(?:$|{NUMBERING}|{every})")


@dataclass(frozen=True)
class TextCell:
    text: str
    start: int
    end: int
    column: int  # -1: a goal block standing in a column of goals
    row: int
    project: str | None = None  # known for goal blocks; table cells look it up


def table_lines(text: str) -> Iterator[tuple[int, str, list[Any]]]:
    """(row number, line, cells) of every tab or pipe row of the source text."""
    pos = 0
    for row, line in enumerate(text.split("\n")):
        body = line.rstrip("\r")
        if "\t" in body or body.count("|") >= 2:
            yield row, body, split_row(body, pos)
        pos += len(line) + 1


def description_columns(text: str, headers: list[str]) -> list[list[TextCell]]:
    """Cells of the description columns (主要内容 …) of every table: a column starts at a
    header row naming it and ends at the next header row or at a line that is no table row."""
    columns: list[list[TextCell]] = []
    if not any(h in text for h in headers):
        return columns
    open_cols: dict[int, list[TextCell]] = {}
    last_row = -1
    lines = text.split("\n")
    for row, _line, cells in table_lines(text):
        if row != last_row + 1 and any(ln.strip() for ln in lines[last_row + 1:row]):
            open_cols = {}
        last_row = row
        if _is_header_row(cells, headers):
            open_cols = {}
            for idx, cell in enumerate(cells):
                if _is_description_header(cell.text, headers):
                    open_cols[idx] = []
                    columns.append(open_cols[idx])
            continue
        for idx, col in open_cols.items():
            if idx < len(cells) and cells[idx].text and not _is_total_row(cells):
                c = cells[idx]
                col.append(TextCell(c.text, c.start, c.end, idx, row))
    return columns


_HEADER_NOISE = regex.compile(r"\s+|[(（][^()（）]*[)）]")


def _is_description_header(cell: str, headers: list[str]) -> bool:
    if not cell or len(cell) > 16:
        return False
    word = _HEADER_NOISE.sub("", cell)
    return word in headers and column_role(word) is None


def _is_header_row(cells: list[Any], headers: list[str]) -> bool:
    named = [c for c in cells if c.text and (column_role(c.text) or _is_description_header(c.text, headers))]
    return len(named) >= 2 or any(_is_description_header(c.text, headers) for c in cells)


def _is_total_row(cells: list[Any]) -> bool:
    return any(_SPACE.sub("", c.text) in ("合计", "总计", "小计") for c in cells)


# goal prose: numbered items ------------------------------------------------------------

_ITEM = regex.compile(r"(?:^|(?<=[\s。；;，,：:!！?？>]))(?P<n>\d{1,2})(?P<sep>[、.．])(?!\d)"
                      r"|(?P<goal>目标(?P<gn>[一二三四五六七八九十]|\d{1,2}))\s*[:：]")
_ZH_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


@dataclass(frozen=True)
class GoalItem:
    number: int
    marker: str
    start: int  # offsets into the goal block's text; start of the marker
    body_start: int
    end: int


def goal_items(text: str) -> list[GoalItem]:
    """Numbered items of a goal block (`1、…`, `2.…`, `目标二：…`), in order."""
    return list(_goal_items(text))


@lru_cache(maxsize=256)  # R05, R06 and R07 each read the items of every goal
def _goal_items(text: str) -> tuple[GoalItem, ...]:
    marks = []
    for m in _ITEM.finditer(text):
        if m.group("goal"):
            gn = m.group("gn")
            n = int(gn) if gn.isdigit() else _ZH_DIGITS[gn]
        else:
            n = int(m.group("n"))
        marks.append((n, m.group().strip(), m.start(), m.end()))
    items = []
    for k, (n, marker, s, e) in enumerate(marks):
        end = marks[k + 1][2] if k + 1 < len(marks) else len(text)
        items.append(GoalItem(n, marker, s, e, end))
    return tuple(items)


# word completeness from jieba's dictionary ----------------------------------------------

def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=4096)  # a dozen characters of a cell end, asked again for each sibling
def _words(text: str) -> tuple[str, ...]:
    # jieba's cut without HMM (only dictionary words decide whether a character stands
    # alone), over the cached word table (extractor/wordtable.py) rather than jieba's
    # dictionary itself, whose load costs a second per process; imported here because most
    # documents never ask
    from extractor import wordtable

    return tuple(w for w in wordtable.cut(text) if w.strip())


def dangling_end(text: str, chars: str, free: str) -> str | None:
    """The last character when it is a word of its own that mostly opens a longer word
    (「…学法用法示」: 示 → 示范), else None."""
    text = text.rstrip()
    if not text or text[-1] not in chars or text[-1] in free:
        return None
    last = words(text[-12:])[-1]
    return last if len(last) == 1 else None


def dangling_start(text: str, chars: str, free: str) -> str | None:
    """The first character when it stands alone but mostly closes a word (「展各项活动」 ←
    开展), else None."""
    text = text.lstrip()
    if not text or text[0] not in chars or text[0] in free:
        return None
    first = words(text[:12])[0]
    return first if len(first) == 1 else None


def ends_complete(text: str, free: str) -> bool:
    """The text ends in punctuation, a word of two or more characters or a character that
    stands alone (等, 户 …)."""
    text = text.rstrip()
    if not text or text[-1] in TERMINAL or text[-1] in free or not _HAN.match(text[-1]):
        return True
    return len(words(text[-12:])[-1]) >= 2


# ---------------------------------------------------------------------------------------
# rules


@register
class EmptyEnumeratedItem(Rule):
    """R04: an item number with nothing after it before the next heading or item
    (`1.举办讲座3场 2. (二)质量指标`: item 2 is empty).

    Does not flag: a number that is part of a value (`1.5万元`), a heading number, or a
    marker whose text was moved before it — the outline keeps only markers it read as items.
    """

    code = "empty_enumerated_item"
    title = "空编号条目"
    family = "structure"
    why = "只有编号没有内容的条目说明表格没填完，缺的可能正是关键指标。"
    example = (
        TOWNSHIP_LIST +
        "1\t村庄保洁经费\t12.00\t聘用保洁员开展村庄保洁。\t一、产出指标 "
        "(一)数量指标 1.聘用保洁员20名 2. (二)质量指标 "
        "1.保洁检查达标率≥90% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：村庄保洁覆盖率≥95% "
        "(二)可持续影响指标：长效保洁机制覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t村庄保洁经费\t12.00\t聘用保洁员开展村庄保洁。\t一、产出指标 "
        "(一)数量指标 1.聘用保洁员20名 (二)质量指标 "
        "1.保洁检查达标率≥90% (三)时效指标 1.2024年12月底前完成 "
        "二、效益指标 (一)社会效益指标：村庄保洁覆盖率≥95% "
        "(二)可持续影响指标：长效保洁机制覆盖村数≥6个 三、"
        "满意度指标：满意度达到95%以上\n"
    )
    severity = "warning"
    message = "编号“{marker}”后没有内容：该条目为空。"
    suggestion = "补充该编号下的指标内容，或删除多余的编号。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for item in ctx.result.empty_items:
            yield ctx.finding(self, item.marker, span=item.span,
                              project=item.project.name if item.project else None,
                              evidence={"path": item.path}, marker=item.marker)


_L1_NAMES = {"output": "产出", "benefit": "效益", "satisfaction": "满意度", "cost": "成本"}
_L2_NAMES = {"quantity": "数量", "quality": "质量", "timeliness": "时效", "cost": "成本",
             "social_cost": "社会成本", "ecological_cost": "生态环境成本", "economic": "经济效益",
             "social": "社会效益", "ecological": "生态效益", "sustainability": "可持续影响",
             "satisfaction": "满意度"}


@register
class MissingRequiredPrimary(Rule):
    """R01: a project (or a whole-unit table) whose indicator table has no 产出 or no 效益
    indicator (error), or no 满意度 indicator while its text names service recipients
    (warning).

    Does not flag: fragments (no budget year and no project: nothing says the table is
    whole); documents or projects without any indicator filed under a heading (goal
    prose alone is not a table to complete); a class whose heading does carry text in the
    project (text the extractor did not take as an indicator, e.g. 「经济效益指标方面，…」 in
    prose); a missing 成本 class (R43 computes what it could be); 满意度 missing where no
    recipient is named (internal or pure-administration budgets).
    """

    code = "missing_required_primary"
    title = "缺少一级指标"
    family = "structure"
    why = (
        "产出、效益是绩效目标的必备部分，有服务对象的项目还应有满意度；"
        "缺了就无法完整评价。"
    )
    example = (
        ROAD_TABLE +
        "产出指标\t数量指标\t养护农村公路里程\t≥120公里\n"
        "\t质量指标\t养护路段路面抽检合格率\t≥95%\n"
        "\t时效指标\t养护任务完成时间\t2024年11月30日前\n"
        "满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n"
    )
    better = example.replace(
        '满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n',
        '效益指标\t社会效益指标\t沿线群众出行时间缩短\t≥10%\n满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n')
    severity = "error"
    message = "“{name}”缺少{cls}指标（一级指标下没有填写任何指标）。"
    suggestion = "按产出、效益、满意度补充{cls}指标，并细化为可衡量的三级指标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for key, inds in tabled_projects(ctx):
            present = {i.level1 for i in inds if i.text.strip()}
            if {"output", "benefit", "satisfaction"} <= present:
                continue  # the common case: nothing can be missing
            region = cached_regions(ctx).get(key, "")
            for cls in ("output", "benefit"):
                if cls not in present and not class_mentioned(ctx, region, cls):
                    yield self._finding(ctx, key, cls, inds)
            if "satisfaction" not in present and not class_mentioned(ctx, region, "satisfaction") \
                    and self._has_recipients(ctx, key, inds):
                yield self._finding(ctx, key, "satisfaction", inds, severity="warning")

    def _finding(self, ctx: Context, key: str | None, cls: str, inds: list[Indicator],
                 severity: str | None = None) -> Finding:
        counts = {c: sum(1 for i in inds if i.level1 == c) for c in _L1_NAMES}
        name = label_for(key, ctx.result)
        return ctx.finding(self, name, project=key, severity=severity,
                           evidence={"missing": cls, "counts": counts},
                           name=name, cls=_L1_NAMES[cls])

    @staticmethod
    def _has_recipients(ctx: Context, key: str | None, inds: list[Indicator]) -> bool:
        text = " ".join([key or "", goal_texts(ctx).get(key, ""), *(i.text for i in inds)])
        return any(map(text.__contains__, ctx.config["structure.recipient_words"]))


@register
class MissingCoreSecondary(Rule):
    """R02: a project with no 数量 indicator or no 质量 indicator, counting each indicator
    in the class a reviewer gives it (a rate misfiled under 数量 does not count as one).

    Does not flag: fragments (no budget year, no project); projects without indicators filed
    under a heading; a 数量/质量 heading that carries text the extractor did not take as an
    indicator (an unmeasured line: R10 reports it); the whole-unit per-task keyword test of
    RULES.md (task names rarely share words with indicator names).
    """

    code = "missing_core_secondary"
    title = "缺少数量或质量指标"
    family = "structure"
    why = "数量和质量指标是产出考核的核心，缺少任何一个，产出就只有一半能考核。"
    example = (
        ROAD_TABLE +
        "产出指标\t数量指标\t养护农村公路里程\t≥120公里\n"
        "\t时效指标\t养护任务完成时间\t2024年11月30日前\n"
        "效益指标\t社会效益指标\t沿线群众出行时间缩短\t≥10%\n"
        "满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n"
    )
    better = example.replace(
        '\t时效指标\t养护任务完成时间\t2024年11月30日前\n',
        '\t质量指标\t养护路段路面抽检合格率\t≥95%\n\t时效指标\t养护任务完成时间\t2024年11月30日前\n')
    severity = "warning"
    message = "“{name}”没有{cls}指标。"
    suggestion = "补充{cls}指标：{hint}"

    _HINTS = {"quantity": "写明完成的工作量（人数、次数、个数、公里等）。",
              "quality": "写明达到的标准（合格率、达标率、准确率等）。"}

    def check(self, ctx: Context) -> Iterator[Finding]:
        for key, inds in tabled_projects(ctx):
            have = {effective_level(i)[1] for i in inds}
            for cls in ("quantity", "quality"):
                if cls not in have and not self._slot_filled(ctx, cached_regions(ctx).get(key, ""), cls):
                    name = label_for(key, ctx.result)
                    yield ctx.finding(self, name, project=key,
                                      evidence={"missing": cls, "indicators": len(inds)},
                                      name=name, cls=_L2_NAMES[cls], hint=self._HINTS[cls])

    @staticmethod
    def _slot_filled(ctx: Context, region: str, cls: str) -> bool:
        """The region has a 数量/质量 heading with text after it (an unmeasured line)."""
        return named_outside_empty(ctx, region, _level2_pattern(cls), any_level=False)


@register
class EmptySecondarySlot(Rule):
    """R03: a 二级 heading left empty: a table row with the heading and no name or value, or
    a heading in an outline followed directly by the next heading. Warning for 数量 and 质量,
    info otherwise.

    Does not flag: a heading on a line of its own (one-cell-per-line tables put the content on
    the next lines); a heading followed by an empty item number (R04 flags that); a class
    that does have an indicator elsewhere in the project (merged or shifted cells).
    """

    code = "empty_secondary_slot"
    title = "二级指标空置"
    family = "structure"
    why = "留空的二级指标行说明该类指标没有设定，应补上或删除该行。"
    example = (
        ROAD_TABLE +
        "产出指标\t数量指标\t养护农村公路里程\t≥120公里\n"
        "\t质量指标\t养护路段路面抽检合格率\t≥95%\n"
        "\t时效指标\t养护任务完成时间\t2024年11月30日前\n"
        "效益指标\t社会效益指标\t沿线群众出行时间缩短\t≥10%\n"
        "\t生态效益指标\t\t\n"
        "满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n"
    )
    better = example.replace(
        '\t生态效益指标\t\t\n满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n',
        '满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%\n')
    severity = "info"
    message = "二级指标“{heading}”下没有填写指标。"
    suggestion = "填写该二级指标下的三级指标和指标值；确不适用的，删除该行并说明原因。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        result = ctx.result
        filled = {(group_key(i), i.level2) for i in result.indicators}
        may_open = self._open_levels(ctx, filled)
        for pos, line in hinted_lines(ctx):
            if not may_open(pos, line):
                continue
            for start, end, level2, heading in line_empties(ctx, line):
                key = project_name_at(ctx, pos + start)
                if (key, level2) in filled:
                    continue
                severity = "warning" if level2 in ("quantity", "quality") else None
                yield ctx.finding(self, heading, span=Span(pos + start, pos + end), project=key,
                                  severity=severity, evidence={"level2": level2},
                                  heading=heading)

    @staticmethod
    def _open_levels(ctx: Context, filled: set[tuple[str | None, str | None]]) -> Callable[[int, str], bool]:
        """A test of whether the line at `pos` may hold an empty heading of a class that its
        project has no indicator of: its category surfaces or table cells name such a class.
        Most empty headings belong to classes filled in their project; their lines are not
        parsed. A first test asks about the classes some project of the document lacks, then
        about those the projects on the line lack."""
        keys = {k for k, _ in filled} or {None}  # every project project_name_at can give
        # a few words a class (_surface_words): `in` tests, no pattern to compile
        open_levels = frozenset(lv for lv in _all_levels() if any((k, lv) not in filled for k in keys))

        def names(line: str, levels: frozenset[str], words: tuple[str, ...]) -> bool:
            if any(map(line.__contains__, words)):  # `w in line` for each word, without a frame
                return True
            return ("\t" in line or line.count("|") >= 2) and any(
                classify_label(c.text)[1] in levels for c in _split(line) if c.text)

        words_of = _surface_words
        open_words = words_of(open_levels)  # flattened once, not per line

        def may_open(pos: int, line: str) -> bool:
            if not names(line, open_levels, open_words):
                return False
            here = projects_on_line(ctx, pos, pos + len(line))
            line_open = frozenset(lv for lv in open_levels if any((k, lv) not in filled for k in here))
            return line_open == open_levels or names(line, line_open, words_of(line_open))

        return may_open


@cache
def _all_levels() -> tuple[str, ...]:
    """Every second-level class a heading can name: those with surfaces and the lexicon's."""
    return tuple({*_level2_surfaces(), *lexicon.load().level2.values()})


@lru_cache(maxsize=256)  # a few dozen sets of open classes recur across documents
def _surface_words(levels: frozenset[str]) -> tuple[str, ...]:
    """The surfaces of the classes `levels`, as one flat tuple for the per-line test."""
    surfaces = _level2_surfaces()
    return tuple(w for lv in levels for w in surfaces.get(lv, ()))


@cache
def _level2_surfaces() -> dict[str, tuple[str, ...]]:
    """Second-level class → its surfaces: what an outline heading of that class holds (its
    alias, read by classify_label; outline.find_headings gives a 满意度 first level whose
    alias has a second level that second level, hence those surfaces too)."""
    lex = lexicon.load()
    by_level: dict[str, list[str]] = defaultdict(list)
    for surface in sorted({*lex.level1, *lex.level2}):
        l1, l2 = classify_label(surface)
        if l2:
            by_level[l2].append(surface)
            if l1 == "satisfaction":
                by_level["satisfaction"].append(surface)
    return {level: tuple(words) for level, words in by_level.items()}


@register
class TruncatedText(Rule):
    """R05: text cut off by a field-length limit or a careless edit:
    (a) several indicator names (or descriptions of one column) all exactly as long as the
    longest one (≥ 12 characters), without a complete ending (…率, …人数, punctuation);
    (b) a known policy phrase cut inside a word before punctuation (「能力现。」, 「退役军、」);
    (c) a description (or one of several projects' goals) ending in a character that only
    opens a word (「学法用法示」) while its siblings end in whole words, or a goal starting
    with a character that only closes one (「展各项活动」: 开展).

    Does not flag: a single longest cell in (a) (one long name is not a limit); names ending
    in a complete measure word; cells ending in punctuation; phrase prefixes that are whole
    words (「社会经济」); descriptions whose siblings are ragged too.
    """

    code = "truncated_text"
    title = "文本截断"
    family = "structure"
    why = (
        "被截断的名称或说明改变了原意（“合格率”变成“合格”），"
        "多是从系统导出时超长被截。"
    )
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2025年度）\n"
        "\n"
        "部门（单位）名称\t\t南屏县水利局\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t河道巡查\t用于开展河道日常巡查和水政执法\t20.00\t"
        "20.00\t0\n"
        "\t防汛物资\t用于购置防汛抢险物资和设备\t15.00\t15.00\t0\n"
        "\t示范创建\t用于开展节水型村庄创建，培育节水用水示\t6.00\t6.00\t0\n"
        "年度总体目标\t1、完成年度河道巡查任务。\t\t\t\t\n"
        "\t一级指标\t二级指标\t三级指标\t指标值\t\n"
        "年度绩效指标\t产出指标\t数量指标\t巡查河道长度\t≥85公里\n"
        "\t\t质量指标\t巡查记录完整率\t≥95%\n"
        "\t效益指标\t社会效益指标\t河道防洪达标率\t≥90%\n"
        "\t满意度指标\t满意度指标\t沿河群众满意度\t≥90%\n"
    )
    better = example.replace(
        '\t示范创建\t用于开展节水型村庄创建，培育节水用水示\t6.00\t6.00\t0\n',
        '\t示范创建\t用于开展节水型村庄创建，培育节水用水示范户\t6.00\t6.00\t0\n')
    severity = "warning"
    message = "“{cut}”疑似被截断：{why}。"
    suggestion = "补全被截断的文字（核对原始填报内容或系统字段长度限制）。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        taken: list[tuple[int, int]] = []  # kept spans, sorted and disjoint
        for finding in self._all(ctx):
            span = finding.span
            if span is not None:
                k = bisect.bisect_left(taken, (span.start, span.end))
                if (k > 0 and taken[k - 1][1] > span.start) or (k < len(taken) and taken[k][0] < span.end):
                    continue  # one finding per cut text: the first reading wins
                taken.insert(k, (span.start, span.end))
            yield finding

    def _all(self, ctx: Context) -> Iterator[Finding]:
        yield from self._cut_names(ctx)
        columns = description_columns(ctx.result.text, ctx.config["structure.description_headers"])
        goals = [TextCell(g.text, g.span.start, g.span.end, -1, k, g.project.name if g.project else None)
                 for k, g in enumerate(ctx.result.goals)]
        for column in columns:
            yield from self._cut_column(ctx, column)
        if len(goals) >= 3:  # projects' goals cut at the width of the goal column
            yield from self._cut_column(ctx, goals)
        yield from self._cut_phrases(ctx, columns)
        for column in [*columns, goals]:
            yield from self._ragged_column(ctx, column)
        yield from self._goal_edges(ctx)

    # (a) --------------------------------------------------------------------------------
    def _at_limit(self, ctx: Context, texts: list[str]) -> tuple[int, list[int]]:
        """The common length limit of a column and the positions of the cells cut at it."""
        if not texts:
            return 0, []
        limit = max(len(t) for t in texts)
        if limit < ctx.config["thresholds.truncation_min_length"]:
            return limit, []
        at = [k for k, t in enumerate(texts) if len(t) == limit]
        if len({texts[k] for k in at}) < ctx.config["thresholds.truncation_min_cells"]:
            return limit, []
        suffixes = tuple(ctx.config["structure.complete_name_suffixes"])
        cut = [k for k in at if texts[k][-1] not in TERMINAL and not texts[k].endswith(suffixes)]
        if len(cut) >= 2 or (cut and len(at) >= 3):
            return limit, cut
        return limit, []

    def _cut_names(self, ctx: Context) -> Iterator[Finding]:
        # a name is cut at the column's limit, the longest name cell's length, which must be
        # at least `shortest`: only names that long are read as cells (_at_limit finds the
        # same limit and cells among them as among all)
        shortest = ctx.config["thresholds.truncation_min_length"]
        cells = [i for i in ctx.lines if i.name and len(i.name.strip()) >= shortest and is_name_cell(i)]
        names = [i.name.strip() for i in cells]
        limit, cut = self._at_limit(ctx, names)
        for k in cut:
            ind = cells[k]
            yield ctx.finding(self, names[k], span=ind.span, project=group_key(ind),
                              evidence={"rule": "a", "length": limit, "column": "name"},
                              cut=names[k], why=f"多个指标名称恰好都是{limit}个字且结尾不完整")

    def _cut_column(self, ctx: Context, column: list[TextCell]) -> Iterator[Finding]:
        texts = [c.text for c in column]
        limit, cut = self._at_limit(ctx, texts)
        for k in cut:
            cell = column[k]
            yield ctx.finding(self, cell.text, span=Span(cell.start, cell.end),
                              project=_cell_project(ctx, cell),
                              evidence={"rule": "a", "length": limit, "column": cell.column},
                              cut=cell.text, why=f"同列多个单元格恰好都是{limit}个字且结尾不完整")

    # (b) --------------------------------------------------------------------------------
    def _cut_phrases(self, ctx: Context, columns: list[list[TextCell]]) -> Iterator[Finding]:
        phrases = tuple(ctx.config["structure.truncation_phrases"])
        pattern, heads = _cut_phrase_pattern(phrases), _cut_phrase_heads(phrases)
        goals, cells = ctx.result.goals, [c for col in columns for c in col]
        inds = [i for i in ctx.result.indicators if i.field == "indicator"]
        texts = [g.text for g in goals] + [c.text for c in cells] + [i.text for i in inds]
        # every cut prefix starts with its phrase's first three characters
        chosen = range(len(texts)) if heads is None else texts_containing(texts, heads)
        narratives = (self._narrative(ctx, goals, cells, inds, k) for k in chosen)
        for start, text, project in narratives:
            for m in pattern.finditer(text):
                s, e = clause_around(text, m.start(), m.end())
                phrase = _PHRASE_OF[m.group()]
                yield ctx.finding(self, text[s:e], span=Span(start + s, start + e), project=project,
                                  evidence={"rule": "b", "cut": m.group(), "phrase": phrase},
                                  cut=text[s:e], why=f"“{phrase}”只写了“{m.group()}”")

    @staticmethod
    def _narrative(ctx: Context, goals: list[GoalBlock], cells: list[TextCell], inds: list[Indicator],
                   k: int) -> tuple[int, str, str | None]:
        """(offset, text, project) of the k-th narrative: goals, description cells, then the
        indicators (the project is looked up for the few that a phrase may be cut in)."""
        if k < len(goals):
            goal = goals[k]
            return goal.span.start, goal.text, goal.project.name if goal.project else None
        if k < len(goals) + len(cells):
            cell = cells[k - len(goals)]
            return cell.start, cell.text, _cell_project(ctx, cell)
        ind = inds[k - len(goals) - len(cells)]
        return ind.span.start, ind.text, group_key(ind)

    # (c) --------------------------------------------------------------------------------
    def _ragged_column(self, ctx: Context, column: list[TextCell]) -> Iterator[Finding]:
        chars = ctx.config["structure.dangling_end_chars"]
        free = ctx.config["structure.free_end_chars"]
        long_cells = [c for c in column if len(c.text) >= 4]
        if len(long_cells) < 3:
            return
        complete: dict[int, bool] = {}  # cell index → ends_complete, asked once per cell

        def ends_whole(k: int) -> bool:
            if k not in complete:
                complete[k] = ends_complete(long_cells[k].text, free)
            return complete[k]

        for n, cell in enumerate(long_cells):
            char = dangling_end(cell.text, chars, free)
            if char is None:
                continue
            if all(ends_whole(k) for k in range(len(long_cells)) if k != n):
                # a goal block is long: quote its last clause; a table cell whole
                s = clause_around(cell.text, len(cell.text) - 1, len(cell.text))[0] if cell.column < 0 else 0
                yield ctx.finding(self, cell.text[s:], span=Span(cell.start + s, cell.end),
                                  project=_cell_project(ctx, cell),
                                  evidence={"rule": "c", "last_word": char},
                                  cut=cell.text[s:], why=f"以不成词的“{char}”结尾，同列其他内容均以完整词语结尾")

    def _goal_edges(self, ctx: Context) -> Iterator[Finding]:
        chars = ctx.config["structure.dangling_start_chars"]
        free = ctx.config["structure.free_start_chars"]
        for goal in ctx.result.goals:
            for offset in _item_starts(goal.text):
                char = dangling_start(goal.text[offset:], chars, free)
                if char is None:
                    continue
                s, e = clause_around(goal.text, offset, offset + 1)
                e = e - 1 if goal.text[e - 1] in _CLAUSE_PUNCT else e
                yield ctx.finding(self, goal.text[s:e], span=Span(goal.span.start + s, goal.span.start + e),
                                  project=goal.project.name if goal.project else None,
                                  evidence={"rule": "c", "first_word": char},
                                  cut=goal.text[s:e], why=f"以不成词的“{char}”开头，开头的字可能缺失")


def _cell_project(ctx: Context, cell: TextCell) -> str | None:
    return cell.project if cell.column < 0 else project_name_at(ctx, cell.start)


def _item_starts(text: str) -> list[int]:
    """Where the goal's text and each of its numbered items start (after the marker)."""
    starts = [len(text) - len(text.lstrip())]
    items = goal_items(text)
    if items and items[0].start <= starts[0]:
        starts = []
    for item in items:
        body = item.body_start
        while body < len(text) and text[body].isspace():
            body += 1
        starts.append(body)
    return starts


_PHRASE_OF: dict[str, str] = {}


@cache
def _cut_phrase_pattern(phrases: tuple[str, ...]) -> regex.Pattern[str]:
    """Prefixes of the phrases that end inside a word, before punctuation or the end."""
    prefixes = []
    for phrase in phrases:
        parts = phrase.split("|")
        full = "".join(parts)
        bounds = {sum(len(p) for p in parts[:k]) for k in range(1, len(parts) + 1)}
        for k in range(max(3, len(parts[0]) + 1), len(full)):
            if k not in bounds:
                prefixes.append(full[:k])
                _PHRASE_OF.setdefault(full[:k], full)
    alternation = "|".join(regex.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return regex.compile(rf"(?:{alternation})(?=\s*(?:[，。；、,;：:]|$))")


@cache
def _cut_phrase_heads(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """The first three characters of each phrase that has cut prefixes (every prefix starts
    with them), for the stdlib `re`; None when no phrase has any."""
    heads = set()
    for phrase in phrases:
        parts = phrase.split("|")
        full = "".join(parts)
        bounds = {sum(len(p) for p in parts[:k]) for k in range(1, len(parts) + 1)}
        if any(k not in bounds for k in range(max(3, len(parts[0]) + 1), len(full))):
            heads.add(full[:3])
    if not heads or any("\0" in h for h in heads):
        return None
    return re.compile("|".join(map(re.escape, sorted(heads))))


@register
class NumberingAnomaly(Rule):
    """R06: broken numbering in goal prose: a number repeated right after itself
    (「4、确保4.」), a skipped or repeated item number, 「目标二」 without 「目标一」, and
    `、` and `.` styles mixed in one list.

    Does not flag: decimals and section numbers (`1.5`, `1.1.2`); lists restarting at 1 (a
    new list); indicator cells (R04 covers their item numbers).
    """

    code = "numbering_anomaly"
    title = "编号重复或错乱"
    family = "structure"
    why = "编号重复或跳号往往意味着条目被误删、误粘，应核对是否缺漏内容。"
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2025年度）\n"
        "\n"
        "部门（单位）名称\t\t南屏县水利局\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t河道巡查\t用于开展河道日常巡查和水政执法\t20.00\t"
        "20.00\t0\n"
        "\t防汛物资\t用于购置防汛抢险物资和设备\t15.00\t15.00\t0\n"
        "年度总体目标\t1、保障河道巡查；2、确保2.防汛物资储备到位；4、"
        "完成水质监测。\t\t\t\t\n"
        "\t一级指标\t二级指标\t三级指标\t指标值\t\n"
        "年度绩效指标\t产出指标\t数量指标\t巡查河道长度\t≥85公里\n"
        "\t\t质量指标\t巡查记录完整率\t≥95%\n"
        "\t效益指标\t社会效益指标\t河道防洪达标率\t≥90%\n"
        "\t满意度指标\t满意度指标\t沿河群众满意度\t≥90%\n"
    )
    better = example.replace(
        '年度总体目标\t1、保障河道巡查；2、确保2.防汛物资储备到位；4、完成水质监测。\t\t\t\t\n',
        '年度总体目标\t1、保障河道巡查；2、防汛物资储备到位；3、完成水质监测。\t\t\t\t\n')
    severity = "info"
    message = "目标编号不规范：{why}。"
    suggestion = "按顺序重新编号（1、2、3…），全文使用同一种编号样式，删除重复的编号。"

    _DOUBLED = regex.compile(r"(?<![\d.．])(\d{1,2})[、.．](?!\d)(?P<gap>[^、.．\d\n]{1,6}?)\1[、.．](?!\d)")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for goal in ctx.result.goals:
            yield from self._doubled(ctx, goal)
            yield from self._sequence(ctx, goal)

    def _emit(self, ctx: Context, goal: GoalBlock, s: int, e: int, why: str, **evidence: Any) -> Finding:
        return ctx.finding(self, goal.text[s:e], span=Span(goal.span.start + s, goal.span.start + e),
                           project=goal.project.name if goal.project else None,
                           evidence=evidence, why=why)

    def _doubled(self, ctx: Context, goal: GoalBlock) -> Iterator[Finding]:
        for m in self._DOUBLED.finditer(goal.text):
            yield self._emit(ctx, goal, m.start(), m.end(), f"编号“{m.group(1)}”重复出现",
                             number=int(m.group(1)))

    def _sequence(self, ctx: Context, goal: GoalBlock) -> Iterator[Finding]:
        items = goal_items(goal.text)
        labelled = [it for it in items if it.marker.startswith("目标")]
        if labelled and labelled[0].number > 1:
            it = labelled[0]
            yield self._emit(ctx, goal, it.start, it.body_start, f"从“{it.marker.rstrip(':：')}”开始，缺少前面的目标",
                             first=it.number)
        plain = [it for it in items if not it.marker.startswith("目标")]
        for prev, it in zip(plain, plain[1:], strict=False):
            if it.number > prev.number + 1:
                yield self._emit(ctx, goal, it.start, it.body_start,
                                 f"编号从{prev.number}跳到{it.number}", previous=prev.number, number=it.number)
            elif it.number == prev.number:
                yield self._emit(ctx, goal, it.start, it.body_start, f"编号{it.number}重复",
                                 number=it.number)
        styles = {it.marker[-1] for it in plain}
        if len(plain) >= 3 and "、" in styles and styles & {".", "．"}:
            odd = next(it for it in plain if it.marker[-1] != plain[0].marker[-1])
            yield self._emit(ctx, goal, odd.start, odd.body_start, "同一列表混用“、”和“.”两种编号样式",
                             styles=sorted(styles))


@register
class NearDuplicateText(Rule):
    """R07: two numbered goal items (≥ 20 characters) that are nearly the same text
    (similarity ≥ 0.90), or two projects whose whole goals are: copy-paste padding.

    Does not flag: short items (a shared 「按时足额发放」 is no padding); items of different
    lengths whose overlap is only a shared phrase (the ratio is over the whole items).
    """

    code = "near_duplicate_text"
    title = "近似重复条目"
    family = "structure"
    why = "几乎相同的条目是凑数，掩盖了缺少真正的年度目标。"
    example = (
        "部门（单位）整体支出绩效目标表\n"
        "（2025年度）\n"
        "\n"
        "部门（单位）名称\t\t南屏县水利局\t\t\t\n"
        "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
        "\t\t\t总额\t财政拨款\t其他资金\n"
        "年度主要任务\t河道巡查\t用于开展河道日常巡查和水政执法\t20.00\t"
        "20.00\t0\n"
        "\t防汛物资\t用于购置防汛抢险物资和设备\t15.00\t15.00\t0\n"
        "年度总体目标\t1、通过补助发放，稳定河道巡查员队伍，"
        "确保巡查员长期在村开展河道巡查工作，全面提升河道管护水平。2、完成水质监测。"
        "3、通过补助发放，稳定河道巡查员队伍，确保巡查员长期在村开展河道巡查工作，"
        "全面提升河道保护水平。\t\t\t\t\n"
        "\t一级指标\t二级指标\t三级指标\t指标值\t\n"
        "年度绩效指标\t产出指标\t数量指标\t巡查河道长度\t≥85公里\n"
        "\t\t质量指标\t巡查记录完整率\t≥95%\n"
        "\t效益指标\t社会效益指标\t河道防洪达标率\t≥90%\n"
        "\t满意度指标\t满意度指标\t沿河群众满意度\t≥90%\n"
    )
    better = example.replace(
        '年度总体目标\t1、通过补助发放，稳定河道巡查员队伍，确保巡查员长期在村开展河道巡查工作，全面提升河道管护水平。2、完成水质监测。3、通过补助发放，稳定河道巡查员队伍，确保巡查员长期在村开展河道巡查工作，全面提升河道保护水平。\t\t\t\t\n',
        '年度总体目标\t1、通过补助发放，稳定河道巡查员队伍，确保巡查员长期在村开展河道巡查工作，全面提升河道管护水平。2、完成水质监测。3、开展防汛演练，提高应急处置能力和水平。\t\t\t\t\n')
    severity = "info"
    message = "“{item}”与{other}几乎相同（相似度{ratio:.2f}）。"
    suggestion = "合并重复的目标条目，或分别写明各自的年度目标。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        threshold = ctx.config["thresholds.near_duplicate_ratio"]
        minimum = ctx.config["thresholds.near_duplicate_min_chars"]
        for goal in ctx.result.goals:
            pieces = [(goal.text[it.body_start:it.end].strip(), it) for it in goal_items(goal.text)]
            for k, (text, it) in enumerate(pieces):
                for prev, pit in pieces[:k]:
                    ratio = _similar(prev, text, minimum, threshold)
                    if ratio >= threshold:
                        yield self._emit(ctx, goal, it.body_start, it.end, prev, ratio, f"第{pit.number}条")
                        break
        yield from self._across_projects(ctx, threshold, minimum)

    def _emit(self, ctx: Context, goal: GoalBlock, s: int, e: int, other: str, ratio: float,
              where: str) -> Finding:
        text = goal.text[s:e].strip()
        s += len(goal.text[s:e]) - len(goal.text[s:e].lstrip())
        return ctx.finding(self, text, span=Span(goal.span.start + s, goal.span.start + s + len(text)),
                           project=goal.project.name if goal.project else None,
                           evidence={"ratio": round(ratio, 3), "other": other, "diff": _diff(other, text)},
                           item=_short(text), other=where, ratio=ratio)

    def _across_projects(self, ctx: Context, threshold: float, minimum: int) -> Iterator[Finding]:
        if len({g.project.name for g in ctx.result.goals if g.project is not None}) < 2:
            return  # a copy is flagged across projects only
        seen: dict[str, tuple[GoalBlock, frozenset[str]]] = {}  # compact text → first goal with it
        by_length: list[tuple[int, int, str]] = []  # (length, order of arrival, text) of seen
        for goal in (g for g in ctx.result.goals if g.project is not None):
            text = compact(goal.text)
            if len(text) < minimum:
                continue
            name = goal.project.name if goal.project else ""
            first, ratio = seen.get(text), 1.0
            match = first[0] if first is not None else None
            if match is None and len(seen) <= self._MAX_COMPARED:
                match, ratio = self._closest(text, seen, _within_length(by_length, len(text), threshold),
                                             threshold)
            if match is not None and match.project and match.project.name != name:
                yield self._emit(ctx, goal, 0, len(goal.text), match.text, ratio,
                                 f"项目“{match.project.name}”的绩效目标")
            if text not in seen:
                bisect.insort(by_length, (len(text), len(seen), text))
                seen[text] = (goal, frozenset(text))

    _MAX_COMPARED = 300  # distinct goals compared pairwise; beyond that only exact copies

    @staticmethod
    def _closest(text: str, seen: dict[str, tuple[GoalBlock, frozenset[str]]], others: list[str],
                 threshold: float) -> tuple[GoalBlock | None, float]:
        # `others`: the seen texts whose length can pass real_quick_ratio's bound, in their
        # order of arrival. `text` is the second sequence of every comparison: its index is
        # built once, when a pair first passes the bounds (most goals are like none before)
        matcher = None
        chars, size = frozenset(text), len(text)
        for other in others:
            block, other_chars = seen[other]
            total = len(other) + size
            if 2.0 * min(len(other), size) / total < threshold:
                continue  # real_quick_ratio's bound
            # quick_ratio's matches are at most each text's length less one character per
            # distinct character the other lacks: a set intersection, not a count per character
            common = len(chars & other_chars)
            bound = min(size - len(chars), len(other) - len(other_chars)) + common
            if 2.0 * bound / total < threshold:
                continue
            if matcher is None:
                matcher = difflib.SequenceMatcher(None, "", text, autojunk=False)
            matcher.set_seq1(other)
            if matcher.quick_ratio() >= threshold:
                ratio = matcher.ratio()
                if ratio >= threshold:
                    return block, ratio
        return None, 0.0


def _within_length(by_length: list[tuple[int, int, str]], size: int, threshold: float) -> list[str]:
    """The texts of `by_length` (sorted by length) whose length L may pass real_quick_ratio's
    bound 2·min(L, size)/(L + size) ≥ threshold, in their order of arrival: found by bisection
    over a window one character wider on each side than the bound (the bound itself is still
    tested for each), not by walking every goal seen."""
    if threshold <= 0:
        return [t for _, _, t in sorted(by_length, key=itemgetter(1))]
    if threshold >= 2:
        return []  # no ratio reaches it
    low = math.floor(threshold * size / (2.0 - threshold)) - 1
    high = math.ceil(size * (2.0 - threshold) / threshold) + 1
    window = by_length[bisect.bisect_left(by_length, (low,)):bisect.bisect_right(by_length, (high, math.inf))]
    window.sort(key=itemgetter(1))
    return [t for _, _, t in window]


def _similar(a: str, b: str, minimum: int, threshold: float = 0.0) -> float:
    """The similarity of two items' compact texts; 0.0 for a short item, and for a pair whose
    bounds (as in _closest) show it falls below `threshold`."""
    a, b = compact(a), compact(b)
    if min(len(a), len(b)) < minimum:
        return 0.0
    total = len(a) + len(b)
    if 2.0 * min(len(a), len(b)) / total < threshold:
        return 0.0
    chars_a, chars_b = set(a), set(b)
    common = len(chars_a & chars_b)
    if 2.0 * (min(len(a) - len(chars_a), len(b) - len(chars_b)) + common) / total < threshold:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _diff(a: str, b: str) -> list[str]:
    a, b = compact(a), compact(b)
    if a == b:
        return []  # an exact copy (most across projects): no opcode but "equal"
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append(f"{a[i1:i2]}→{b[j1:j2]}")
    return out


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@register
class TooFewIndicators(Rule):
    """R08: a project with fewer than MIN_IND (3) indicators that carry a value (a number,
    rate, amount or date); each measured clause is an indicator (SCHEMA.md).

    Does not flag: fragments (no budget year, no project); projects without indicators filed
    under a heading; empty classes (R01 reports them).
    """

    code = "too_few_indicators"
    title = "指标数量不足"
    family = "structure"
    why = "有数值的指标少于三个，绩效目标难以全面反映项目的产出和效果。"
    example = (
        TOWNSHIP_LIST +
        "1\t政协工作经费\t1.50\t做好政协工作。\t一、产出指标 (一)数量指标 "
        "1.开展日常工作 (二)质量指标 1.提高工作质量 (三)时效指标 "
        "1.2024年按期完成 二、效益指标 (一)社会效益指标：进一步提高效率 "
        "(二)可持续影响指标：有利于工作开展 三、满意度指标：满意度达到95%以上\n"
    )
    better = (
        TOWNSHIP_LIST +
        "1\t政协工作经费\t1.50\t做好政协工作。\t一、产出指标 (一)数量指标 "
        "1.开展视察调研6次 (二)质量指标 1.提案办结率100% "
        "(三)时效指标 1.2024年按期完成 二、效益指标 "
        "(一)社会效益指标：进一步提高效率 (二)可持续影响指标：有利于工作开展 "
        "三、满意度指标：满意度达到95%以上\n"
    )
    severity = "warning"
    message = "“{name}”只有{count}条有指标值的绩效指标，少于{minimum}条。"
    suggestion = "补充可量化的三级指标（数量、质量、时效、效益、满意度各有具体指标值），总数不少于{minimum}条。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        minimum = ctx.config["thresholds.min_indicators"]
        for key, inds in tabled_projects(ctx):
            valued = [i for i in inds if i.quantities or i.deadline or i.target]
            if len(valued) >= minimum:
                continue
            per_class: dict[str, int] = defaultdict(int)
            for i in inds:
                per_class[i.level2 or "unknown"] += 1
            name = label_for(key, ctx.result)
            yield ctx.finding(self, name, project=key,
                              evidence={"valued": len(valued), "indicators": len(inds),
                                        "per_class": dict(per_class)},
                              name=name, count=len(valued), minimum=minimum)
