"""Recognise the layout of a document and yield raw indicator candidates.

Reads normalised text line by line. A line is a row of cells (tabs, pipes, a trailing
` |`, or a single cell). The walker tracks:

* indicator tables (一级/二级/三级/指标值 … headers), with merged cells carried down,
  split operator/value/unit columns, self-evaluation columns (actuals and scores are kept
  apart), rows shifted left, one cell per line (cells regrouped into rows), space-separated
  rows, and flattened tables with glued weights;
* project list tables whose indicator cell is numbered free text (北山 style);
* header blocks (项目名称, 主管部门, 项目资金, 年度绩效目标 …) and goal prose;
* free text under indicator headings (`一、产出指标 (一)数量指标 1.…`, `【产出指标-数量指标】`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import attrgetter

import regex

from extractor import clauses, deadlines, displaced, lexicon, lines, outline, prose, quantities, runon
from extractor.outline import (
    SCORE_MARK,
    Heading,
    LevelState,
    classify_label,
    find_headings,
    split_items,
)
from extractor.records import Organisation, Project

_WORD = regex.compile(r"\S+")
_SPAN = attrgetter("start", "end")
_TRAILING_BRACKET = regex.compile(r"[(（]([^()（）]{1,8})[)）]\s*$")
_YEAR_LINE = regex.compile(r"[(（]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?")
_PLACEHOLDER_NAME = regex.compile(r"指标|[(（]?\d+分[)）]?")
_FLAT_HEADER_TEXT = "一级指标二级指标三级指标"
_FLAT_HEADER = regex.compile(_FLAT_HEADER_TEXT)
_FLAT_GOAL = regex.compile(r"(?:年度绩效目标|年度总体目标|绩效目标)(?!表)\s*[:：]?\s*(.+)$")
_WEIGHT_TAIL = regex.compile(r"\d{1,3}(?=\p{Han}|$|\s)")
_KEY_VALUE = regex.compile(r"^(\S{2,12}?)\s*[:：]\s*(.+)$|^(\S{2,12})\s+(.+)$")



@cache
def _flat_column() -> regex.Pattern[str]:
    """Value-side column headers glued after 一级指标二级指标三级指标 in flattened text."""
    columns = lexicon.load().columns
    surfaces = [s for s, role in columns.items() if role not in ("level1", "level2", "name")]
    return regex.compile(r"\G\s*(?P<h>" + lexicon.alternation(surfaces) + ")")

@dataclass(slots=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Candidate:
    """An indicator before values are read: offsets into the normalised text."""

    start: int
    end: int
    field: str
    path: list[str]
    level1: str | None
    level2: str | None
    project: Project | None
    name: tuple[int, int] | None = None
    target_cell: tuple[int, int] | None = None
    operator_cell: str | None = None
    unit_cell: str | None = None
    row: int | None = None
    # the row's value is somewhere the layout could not pair with it (a flattened table whose
    # values were displaced, a parent row whose sub-rows hold the values): not judged vague
    value_unread: bool = False


@dataclass(slots=True)
class EmptyMarker:
    start: int
    end: int
    marker: str
    path: list[str]
    project: Project | None


@dataclass
class MoneyLine:
    """A row of amounts (a task, a project, a funding block, a breakdown item or a total):
    offsets into the normalised text. `is_sum` marks a total over other rows: a 合计/总计
    row closing the rows above it, or a unit row / project funding block opening the rows
    below it (`label` tells which: a total word closes)."""

    start: int
    end: int
    label: str
    total: float | None = None
    fiscal: float | None = None
    other: float | None = None
    unit: str = "万元"
    is_sum: bool = False
    project: Project | None = None


@dataclass
class Layout:
    candidates: list[Candidate] = field(default_factory=list)
    empty_items: list[EmptyMarker] = field(default_factory=list)
    unit: Organisation | None = None
    projects: list[Project] = field(default_factory=list)
    kind: str = "unknown"
    goals: list[tuple[int, int, Project | None]] = field(default_factory=list)  # goal prose blocks
    money_rows: list[MoneyLine] = field(default_factory=list)  # amounts for the total checks


_ROLE_ORDER = ("level1", "level2", "name", "target", "operator", "unit", "actual", "other")
_NUMBER = regex.compile(r"\d[\d,]*(?:\.\d+)?")
_HEADER_UNIT = regex.compile(r"(?:单位|金额)\s*[:：(（]\s*(万元|元|亿元)|[(（](万元|元|亿元)[)）]")


@cache
def _role_pattern() -> regex.Pattern[str]:
    lex = lexicon.load()
    return regex.compile(rf"^(?:{lexicon.alternation(list(lex.columns))})")


@cache
def _field_pattern() -> regex.Pattern[str]:
    lex = lexicon.load()
    return regex.compile(rf"^\s*(?P<key>{lexicon.alternation(list(lex.fields))})")


@cache
def _field_heads() -> frozenset[str]:
    """The first characters of the header-block keys."""
    return frozenset(s[0] for s in lexicon.load().fields)


def _field_key(cell: str) -> regex.Match[str] | None:
    """_field_pattern().match(cell) for a stripped, non-empty cell: its first character
    starts the key, so a cell starting otherwise is answered without the pattern."""
    return _field_pattern().match(cell) if cell[0] in _field_heads() else None


_WHITESPACE = regex.compile(r"\s+")


_BARE_SCORE = regex.compile(r"\d{1,3}(?:\.\d{1,2})?")
_REQUIRED_STARS = "*＊★☆"  # a template marks its required columns with one
_REQUIRED_MARK = regex.compile(f"^[{regex.escape(_REQUIRED_STARS)}]+")


@cache
def _column_chars() -> re.Pattern[str]:
    """A few characters of which every column header holds one (extractor/lines.py)."""
    return lines.char_test(lexicon.load().columns)


@cache
def _column_heads() -> frozenset[str]:
    """The first characters of the column headers."""
    return frozenset(s[0] for s in lexicon.load().columns)


def column_role(cell: str) -> str | None:
    # a header starts the cell, after blanks and the stars of a required column: a cell
    # starting otherwise (a numbered item, a value) is answered before the cache
    for ch in cell:
        if not ch.isspace() and ch not in _REQUIRED_STARS:
            if ch not in _column_heads():
                return None
            break
    return _column_role_of(cell)


@lru_cache(maxsize=8192)
def _column_role_of(cell: str) -> str | None:
    if _column_chars().search(cell) is None:
        return None  # no header word in it
    # `*指标值`: a template marks its required columns with a star
    compact = _REQUIRED_MARK.sub("", _WHITESPACE.sub("", cell))
    m = _role_pattern().match(compact)
    if not m:
        return None
    role = lexicon.load().columns[m.group()]
    if role == "name" and m.group() == "指标名称" and "值" in compact:
        return None
    return role


def split_row(line: str, start: int) -> list[Cell]:
    """Cells of one line, with offsets into the whole text."""
    if "\t" in line:
        return _cells(line, start, "\t")
    if "|" not in line:  # most lines: one cell, no bar to look for
        text = line.strip()
        s = start + len(line) - len(line.lstrip())
        return [Cell(text, s, s + len(text))]
    if line.count("|") >= 2 or line.strip().startswith("|"):
        cells = _cells(line, start, "|")
        if cells and not cells[0].text and line.lstrip().startswith("|"):
            cells = cells[1:]
        if cells and not cells[-1].text and line.rstrip().endswith("|"):
            cells = cells[:-1]
        return cells
    if line.rstrip().endswith("|"):  # one cell per line, closed by a bar
        return _cells(line.rstrip()[:-1], start, "\x00")
    return _cells(line, start, "\x00")


def _cells(line: str, start: int, sep: str) -> list[Cell]:
    out, pos = [], start
    for part in line.split(sep) if sep != "\x00" else [line]:
        rest = part.lstrip()
        text = rest.rstrip()
        s = pos + len(part) - len(rest)
        out.append(Cell(text, s, s + len(text)))
        pos += len(part) + 1
    return out


def split_spaces(cell: Cell) -> list[Cell]:
    out = []
    for m in _WORD.finditer(cell.text):
        out.append(Cell(m.group(), cell.start + m.start(), cell.start + m.end()))
    return out


@dataclass
class _Table:
    roles: list[str | None]
    spaced: bool  # cells separated by spaces (S layout)
    stream: bool  # one cell per line (N / PN layout)
    flat: bool = False  # a flattened run-on table (F layout)
    pending: list[Cell] = field(default_factory=list)
    target_unit: str | None = None  # 指标值（万元）: the unit of every bare value below
    data_started: bool = False  # a label or a data cell came after the header
    label_head: Cell | None = None  # the first piece of a label broken over lines
    last_label: Cell | None = None  # the cell before was a label
    score_columns: int = 0  # 分值 / 得分 / 权重 columns

    def value_roles(self) -> list[str | None]:
        if "name" not in self.roles:
            return []
        return self.roles[self.roles.index("name") + 1:]


class Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = Layout()
        self.levels = LevelState()
        self.table: _Table | None = None
        self.plist: list[str | None] | None = None  # project list table roles
        self.project: Project | None = None
        self.goal_mode = False
        self.goal_actual = False
        self.outline_mode = False
        self.pending_amount_col: int | None = None
        self.money_unit = "万元"
        self.row_no = 0
        self.money = _MoneyReader(self.out.money_rows)
        self.money_done = False  # the line's amounts were taken by its own handler
        # first-level labels heading columns (产出指标 | 效益指标 | 满意度指标): collected from
        # header lines with no row between them, used by the rows after them
        self.column_labels: list[tuple[str, str]] = []
        self.labels_at = -1  # how many candidates there were when a column label was last seen
        self.category_columns: list[tuple[str, str]] | None = None
        self.category_first: tuple[int, int] | None = None  # (first category cell, cells) of a row

    # -- driver ----------------------------------------------------------------------
    def run(self) -> Layout:
        pos = 0
        prose_lines = []  # lines that may state targets in prose: long enough, no cells
        for line in self.text.split("\n"):
            self.row_no += 1
            end = pos + len(line)
            # an empty line (a third of most texts) is nothing to _line: not called for it
            if line and self._line(line, pos) and end - pos >= 8:
                prose_lines.append((pos, end))
            pos = end + 1
        self._flush_stream()
        self.money.flush()
        for s, e in prose.target_spans(self.text, self._untaken(prose_lines)):
            self._goal_prose(s, e)
        return self.out

    def _untaken(self, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The lines (start, end, in order) that no candidate came from."""
        taken = sorted(map(_SPAN, self.out.candidates))
        out, i = [], 0
        for start, end in lines:
            while i < len(taken) and taken[i][1] <= start:
                i += 1
            if not (i < len(taken) and taken[i][0] < end):
                out.append((start, end))
        return out

    def _line(self, line: str, start: int) -> bool:
        """Reads one line; True for a prose line (no cell border, 8 characters or more
        without its blanks), which may state targets in prose."""
        # the line is classified once: a bordered line is cut into cells, any other line is
        # one cell (split_row's answer, without its tests)
        bordered = "|" in line or "\t" in line
        if bordered:
            cells = split_row(line, start)
            texts = [c.text for c in cells if c.text]
        else:
            text = line.strip()
            s = start + len(line) - len(line.lstrip())
            cells = [Cell(text, s, s + len(text))]
            texts = [text] if text else []
        if not texts:
            return False
        if "元" in line:  # every unit ends in 元
            header_unit = _HEADER_UNIT.search(line)
            if header_unit:
                self.money_unit = header_unit.group(1) or header_unit.group(2)
        in_table = self.table is not None and not self.table.flat
        self.money_done = False
        self._dispatch(line, start, cells, texts, bordered)
        prose_line = not bordered and len(texts[0]) >= 8
        if self.money_done:
            return prose_line
        # amounts are read beside the indicator layout, never instead of it
        amount = self.money.line(line, start, cells, self.project, self.money_unit,
                                 in_table=in_table or self.plist is not None)
        if amount is not None and self.project is not None and self.project.amount is None:
            self.project.amount, self.project.amount_unit = amount
        return prose_line

    def _dispatch(self, line: str, start: int, cells: list[Cell], texts: list[str],
                  bordered: bool) -> None:
        # each reader is skipped when a literal it needs is missing from the line (cheap `in`
        # tests that cannot change what the reader would find)
        if (self.table is not None and self.table.flat or not bordered and _FLAT_HEADER_TEXT in line) \
                and self._try_flattened(line, start, bordered):
            return
        if not bordered and "指标" in line and runon.is_runon(line):
            self._runon(line, start)
            return
        grids = displaced.tables(line) if not bordered and "三级指标" in line else None
        if grids:
            self._displaced(start, grids)
            return
        if _column_chars().search(line) is not None and self._try_header(cells):
            return  # (a line without any header word is no header)
        if "项" in line and "绩" in line and self._try_project_list(cells):
            return
        if self.plist is not None and self._project_row(cells):
            return
        if _is_footer(texts):  # the sign-off under a table or a list closes it
            self.table = self.category_columns = None
            self.outline_mode = self.goal_mode = False
            return
        if self.table is not None and len(texts) == 1 and _is_title(texts[0]):
            self.table = None  # the next table's title
        if self.table is not None and self._table_row(cells):
            return
        if self._field_row(cells):
            return
        self._free_text(cells)

    # -- headers ---------------------------------------------------------------------
    def _try_header(self, cells: list[Cell]) -> bool:
        texts = [c.text for c in cells]
        filled = [t for t in texts if t]
        spaced = False
        # cell texts are stripped: a space in the first one is inside it
        if len(filled) == 1 and (" " in texts[0] or (self.table and self.table.spaced)):
            cell = next(c for c in cells if c.text)
            # the words are counted first; cells are made only for a header
            if sum(1 for w in _WORD.findall(cell.text) if column_role(w)) >= 3:
                parts = split_spaces(cell)
                cells, texts, spaced = parts, [p.text for p in parts], True
                filled = texts
        roles = [column_role(t) if t else None for t in texts]
        known = [r for r in roles if r]
        if not known:  # the common case: no header cell at all
            return False
        if len(known) >= 2 and ("name" in known or "level2" in known) and (
                "target" in known or "level2" in known):
            if self.table and self.table.stream:
                self._flush_stream()
            if not any(r for r in roles if r in ("name",)):
                roles = self._guess_name_role(roles)
            self.table = _Table(roles, spaced, stream=False,
                                target_unit=_column_unit(texts, roles),
                                score_columns=sum(1 for t in texts if _is_score_header(t or "")))
            self.plist = None
            self.goal_mode = self.outline_mode = False
            self.out.kind = "self_evaluation" if "actual" in known else (
                self.out.kind if self.out.kind != "unknown" else "project_table")
            return True
        if len(known) == 1 and len(filled) == 1 and _is_header_word(filled[0]):
            # one header cell per line (`指标值 | |`: the cells after it are empty): only a
            # header word itself (`单位：万元` or prose that starts with 单位 must not open a
            # table)
            return self._stream_header(known[0])
        return False

    def _guess_name_role(self, roles: list[str | None]) -> list[str | None]:
        out = list(roles)
        if "level2" in out:
            i = out.index("level2")
            if i + 1 < len(out) and out[i + 1] in (None, "other"):
                out[i + 1] = "name"
        return out

    def _stream_header(self, role: str | None) -> bool:
        """One header cell per line (N / PN layouts): collect until the first data cell."""
        if self.table is None or not self.table.stream or self.table.pending or \
                self.table.data_started:
            if self.table is not None and self.table.stream:
                self._flush_stream()
            self.table = _Table([role], spaced=False, stream=True)
            self.plist = None
            self.goal_mode = self.outline_mode = False
            if self.out.kind == "unknown":
                self.out.kind = "project_table"
            return True
        self.table.roles.append(role)
        if role == "actual":
            self.out.kind = "self_evaluation"
        return True

    # -- project list tables (seed 北山) ---------------------------------------------
    def _try_project_list(self, cells: list[Cell]) -> bool:
        # a cell that compacts to hold 项目名称 holds 称, one that compacts to 项目 starts
        # with 项 and ends with 目 (cells are stripped): without either, no compacting
        if not any("称" in c.text or (c.text[:1] == "项" and c.text[-1:] == "目") for c in cells):
            return False
        texts = [_WHITESPACE.sub("", c.text) for c in cells]
        if not any("项目名称" in t or t == "项目" for t in texts):
            return False
        if not any(t.startswith("绩效指标") for t in texts):
            return False
        roles: list[str | None] = []
        for t in texts:
            if "编码" in t or "代码" in t:
                roles.append("code")
            elif "名称" in t:
                roles.append("pname")
            elif t.startswith("金额") or "资金" in t or "预算" in t:
                roles.append("amount")
            elif t.startswith("绩效目标") or t.endswith("目标"):
                roles.append("goal")
            elif t.startswith("绩效指标"):
                roles.append("indicators")
            else:
                roles.append(None)
        self.plist = roles
        self.table = None
        self.out.kind = "project_table"
        return True

    def _project_row(self, cells: list[Cell]) -> bool:
        assert self.plist is not None
        by_role: dict[str, Cell] = {}
        for role, cell in zip(self.plist, cells, strict=False):
            if role and role not in by_role:
                by_role[role] = cell
        first = next((c for c in cells if c.text), None)
        if first is not None and _is_total([first.text]) and "amount" in by_role:
            self._list_amount(cells, by_role, first.text, None)  # a 合计 row under the list
            return True
        name = by_role.get("pname")
        if name is None or not name.text:
            return False
        goal, inds = by_role.get("goal"), by_role.get("indicators")
        code = by_role.get("code")
        amount = _number(by_role["amount"].text) if "amount" in by_role else None
        if not (goal and goal.text) and not (inds and inds.text):
            self.out.unit = Organisation(code.text if code else None, name.text)
            self._list_amount(cells, by_role, name.text, None)
            return True
        self.project = Project(code.text if code and code.text else None, name.text, amount,
                               self.money_unit)
        self.out.projects.append(self.project)
        self._list_amount(cells, by_role, name.text, self.project)
        if goal and goal.text:
            self._goal_prose(goal.start, goal.end)
        if inds and inds.text:
            self._outline(inds.start, inds.end, LevelState())
        return True

    def _list_amount(self, cells: list[Cell], by_role: dict[str, Cell], label: str,
                     project: Project | None) -> None:
        """The amount of a project-list row: a unit row (no project) opens the rows below it,
        a 合计 row closes the rows above it."""
        self.money_done = True
        cell = by_role.get("amount")
        value = _number(cell.text) if cell is not None else None
        if cell is None or value is None:
            return
        self.money.flush()
        first = next(c for c in cells if c.text)
        self.out.money_rows.append(MoneyLine(
            first.start, max(cell.end, first.end), label, total=value, unit=self.money_unit,
            is_sum=project is None, project=project))

    # -- indicator tables ------------------------------------------------------------
    def _table_row(self, cells: list[Cell]) -> bool:
        table = self.table
        assert table is not None
        if table.stream:
            return self._stream_row(cells)
        if table.spaced:
            nonempty = [c for c in cells if c.text]
            if len(nonempty) == 1:
                cells = split_spaces(nonempty[0])
        texts = [c.text for c in cells]
        if self._is_field(texts):
            self.table = None
            return False
        if _is_total(texts) or sum(1 for t in texts if t and column_role(t)) >= 2:
            return True
        nonempty = [c for c in cells if c.text]
        if len(nonempty) == 1 and _VALUE_CELL.match(nonempty[0].text) and \
                self._value_of_previous_row(nonempty[0]):
            return True
        cells = self._project_columns(cells)
        labels, rest = self._peel(cells)
        for cell in labels:
            self._apply_label(cell, labels)
        if not rest:
            return True
        name, values = rest[0], rest[1:]
        if labels and _is_value_cell(name.text):
            # 社会成本指标 | 定量 | 100 | %: the label stands in the name column too
            name, values = labels[-1], rest
        if _PLACEHOLDER_NAME.fullmatch(name.text):
            return True
        self._emit_row(name, values, table.value_roles(), cells)
        return True

    def _project_columns(self, cells: list[Cell]) -> list[Cell]:
        """A table whose first columns describe the project (项目名称 项目单位 … 年度绩效目标
        一级指标 二级指标 …): a row that opens a project repeats them before its labels. They
        name the project; the indicator starts at the first label."""
        roles = self.table.roles if self.table else []
        if "level1" not in roles or roles.index("level1") < 2:
            return cells  # one column before the labels is a block label (年度绩效指标)
        first = next((i for i, c in enumerate(cells) if c.text and any(classify_label(c.text))),
                     None)
        if not first or sum(1 for c in cells[:first] if c.text) < 2 or \
                any(any(classify_label(c.text)) for c in cells[:first] if c.text):
            return cells
        if self.project is None or self.project.name != cells[0].text:
            self.project = Project(None, cells[0].text, None, self.money_unit)
            self.out.projects.append(self.project)
        # emptied, not dropped, so that the row still lines up with the header's roles
        return [Cell("", c.start, c.start) for c in cells[:first]] + cells[first:]

    def _value_of_previous_row(self, cell: Cell) -> bool:
        """A row holding only a value, under a row holding only a name: one row of the
        table printed over two lines (`建设项目个数 |` then `1 | ||`)."""
        last = self.out.candidates[-1] if self.out.candidates else None
        if last is None or last.name is None or last.target_cell is not None or \
                last.row != self.row_no - 1:
            return False
        last.target_cell, last.end = (cell.start, cell.end), cell.end
        return True

    def _peel(self, cells: list[Cell]) -> tuple[list[Cell], list[Cell]]:
        labels: list[Cell] = []
        skip = lexicon.load().words.get("table_labels", ())
        roles = self.table.roles if self.table else []
        name_col = roles.index("name") if "name" in roles and len(cells) == len(roles) else None
        if name_col is not None and any(classify_label(cells[name_col - 1].text)):
            # a whole row under its header: the columns say which cells are labels (服务对象
            # 满意度 in the 二级 column is a label, in the 三级 column a name)
            labels = [c for c in cells[:name_col] if c.text and c.text not in skip and
                      any(classify_label(c.text))]
            rest = cells[name_col:]
            while rest and not rest[-1].text:
                rest = rest[:-1]
            return labels, rest
        i = 0
        while i < len(cells):
            c = cells[i]
            if not c.text or c.text in skip:
                i += 1
                continue
            l1, l2 = classify_label(c.text)
            if name_col is not None and i >= name_col:
                break
            if labels and (l1 or l2) and not c.text.rstrip().endswith(("指标", "目标")) and \
                    any(classify_label(x.text)[1] for x in labels):
                break
            if l1 or l2:
                labels.append(c)
                i += 1
                continue
            break
        rest = cells[i:]
        while rest and not rest[-1].text:
            rest = rest[:-1]
        return labels, rest

    def _apply_label(self, cell: Cell, labels: list[Cell]) -> None:
        l1, l2 = classify_label(cell.text)
        if l1 and l2:  # 成本指标 / 满意度指标: first level only when a second level follows
            later = labels[labels.index(cell) + 1:]
            if l1 == "satisfaction":
                l2 = "satisfaction"
            elif later:
                l2 = None
            else:
                l1 = None
        self.levels.apply(l1, l2, cell.text)

    def _emit_row(self, name: Cell, values: list[Cell], roles: list[str | None],
                  all_cells: list[Cell]) -> None:
        table = self.table
        assert table is not None
        if len(all_cells) == len(table.roles) and "name" in table.roles:
            idx = table.roles.index("name")
            if all_cells[idx] is name:
                values = all_cells[idx + 1:]
        scores_only = self._only_scores(values, roles)
        if scores_only:
            values = []  # a parent row (★…) printed with its 分值 and 得分 only
        elif table.spaced and table.score_columns and "target" in roles and values and \
                len(values) < len(roles) and not _BARE_SCORE.fullmatch(values[0].text) and \
                set(roles[:roles.index("target")]) == {"other"}:
            # a short row whose first value is a measure: its empty score cell vanished, so
            # the values line up from the target column
            roles = roles[roles.index("target"):]
        target = operator = unit = None
        last = name
        for role, cell in zip(roles, values, strict=False):
            if role == "target" and target is None:
                target = cell
            elif role == "operator" and _better_operator(operator, cell):
                operator = cell
            elif role == "unit" and unit is None and not _NUMBER.fullmatch(cell.text.strip()):
                # a number in the unit column is the score of a row whose unit cell was empty
                unit = cell
            else:
                continue
            if cell.text:
                last = cell if cell.end > last.end else last
        if target is None and operator is None and values and roles[:1] == [None]:
            target = values[0]
            if target.text:
                last = target
        if target is not None and operator is None and _is_operator(target.text):
            # a row shifted by one cell: `补助人数(人) | = | 116` under 指标值
            following = [c for c in values if c.start > target.start and c.text]
            if following and _NUMBER.match(following[0].text):
                operator, target = target, following[0]
                last = target if target.end > last.end else last
        unit_text = unit.text if unit and unit.text else _unit_hint(name.text, table)
        self._add(Candidate(
            name.start, last.end, "indicator", list(self.levels.path), self.levels.level1,
            self.levels.level2, self.project, name=(name.start, name.end),
            target_cell=(target.start, target.end) if target and target.text else None,
            operator_cell=operator.text if operator and operator.text else None,
            unit_cell=unit_text, row=self.row_no, value_unread=scores_only))

    def _only_scores(self, values: list[Cell], roles: list[str | None]) -> bool:
        """A short row of a space-separated table whose only values are bare numbers, as many
        as the table has score columns: the empty cells vanished, the scores remain."""
        table = self.table
        filled = [c for c in values if c.text]
        return bool(table and table.spaced and table.score_columns and filled) and \
            len(filled) == table.score_columns < len(roles) and \
            all(_BARE_SCORE.fullmatch(c.text) for c in filled)

    def _stream_row(self, cells: list[Cell]) -> bool:
        table = self.table
        assert table is not None
        texts = [c.text for c in cells]
        if self._is_field(texts):
            self._flush_stream()
            self.table = None
            return False
        for cell in cells:
            if not cell.text:
                if table.pending:
                    table.pending.append(cell)
                    self._maybe_emit_stream()
                continue
            if not table.data_started and _header_fragment(cell.text) or SCORE_MARK.fullmatch(cell.text.strip()):
                continue  # a header cell broken over lines (年度 / 指标值), a score (50分)
            if table.label_head is not None:  # 经济效 / 益指标: a label broken over lines
                head, table.label_head = table.label_head, None
                joined = Cell(head.text + cell.text, head.start, cell.end)
                if any(classify_label(joined.text)):
                    cell = joined
                else:
                    self._stream_row([head])
            l1, l2 = classify_label(cell.text)
            if not (l1 or l2) and _label_head(cell.text):
                table.label_head = cell
                continue
            if l1 or l2:
                self._flush_stream()  # a label closes the row before it
                self._apply_label(cell, [cell])
                table.data_started = True
                table.last_label = cell
                continue
            if table.last_label is not None and not table.pending and _VALUE_CELL.match(cell.text):
                # a value straight after a label: the label was the row's name (满意度 | 90%)
                table.pending.append(table.last_label)
            table.last_label = None
            if cell.text in ("指标",) or _is_total([cell.text]) or not _WORDISH.search(cell.text):
                continue
            if len(table.pending) >= 2 and _name_like(cell.text) and \
                    cell.text != table.pending[-1].text:  # 明显改善 明显改善: target, actual
                self._flush_stream()  # empty cells print nothing: a new name starts a row
            table.pending.append(cell)
            table.data_started = True
            self._maybe_emit_stream()
        return True

    def _maybe_emit_stream(self) -> None:
        table = self.table
        assert table is not None
        want = 1 + len([r for r in table.value_roles() if r in ("target", "operator", "unit",
                                                                "actual", "other", None)])
        if len(table.pending) >= max(2, want):
            self._flush_stream()

    def _flush_stream(self) -> None:
        table = self.table
        if table is None or not table.stream or not table.pending:
            return
        name, values = table.pending[0], table.pending[1:]
        table.pending = []
        self._emit_row(name, values, table.value_roles(), [])

    # -- flattened tables ------------------------------------------------------------
    def _try_flattened(self, line: str, start: int, bordered: bool) -> bool:
        if self.table is not None and self.table.flat:
            self._flat_stream(line, start)
            return True
        if bordered or _FLAT_HEADER_TEXT not in line:
            return False
        m = _FLAT_HEADER.search(line)
        if not m:
            return False
        head_end = m.end()
        roles: list[str | None] = ["level1", "level2", "name"]
        for hm in _flat_column().finditer(line, pos=head_end):
            roles.append(column_role(hm.group("h")))
            head_end = hm.end()
        self._header_fields_flat(line[:m.start()], start)
        self.table = _Table(roles, spaced=False, stream=False, flat=True)
        self.out.kind = "project_table"
        self._flat_stream(line[head_end:], start + head_end)
        return True

    def _header_fields_flat(self, text: str, start: int) -> None:
        m = _flat_project_name().search(text)
        if m:
            self.project = Project(None, m.group(1).strip(), _amount_in(text), self.money_unit)
            self.out.projects.append(self.project)
        goals = list(_FLAT_GOAL.finditer(text))
        g = goals[-1] if goals else None
        if g:
            self._goal_prose(start + g.start(1), start + g.end(1))

    def _flat_stream(self, text: str, start: int) -> None:
        label_re = _strong_label_pattern()
        cursor = 0
        for m in label_re.finditer(text):
            self._flat_chunk(text, cursor, m.start(), start)
            l1, l2 = classify_label(m.group())
            following = label_re.match(text, m.end())
            if l1 and l2:
                if following and l1 != "satisfaction":
                    l2 = None
                elif l1 == "satisfaction":
                    l2 = "satisfaction"
                else:
                    l1 = None
            self.levels.apply(l1, l2, m.group())
            cursor = m.end()
        self._flat_chunk(text, cursor, len(text), start)

    def _flat_chunk(self, text: str, s: int, e: int, base: int) -> None:
        chunk = text[s:e]
        if not chunk.strip():
            return
        has_weight = any(r == "other" for r in (self.table.roles if self.table else []))
        ends = _value_ends(chunk)
        cursor = 0
        for end in ends:
            tail = _WEIGHT_TAIL.match(chunk, end) if has_weight else None
            if has_weight and not tail and end < len(chunk.rstrip()):
                continue
            piece = chunk[cursor:end].strip()
            if piece:
                ps = base + s + cursor + (len(chunk[cursor:end]) - len(chunk[cursor:end].lstrip()))
                self._add(Candidate(ps, ps + len(piece), "indicator", list(self.levels.path),
                                    self.levels.level1, self.levels.level2, self.project,
                                    row=self.row_no))
            cursor = tail.end() if tail else end

    def _runon(self, line: str, start: int) -> None:
        """A whole table on one line, read by its `指标N:` items (extractor/runon.py)."""
        for part in runon.parse(line, start):
            if isinstance(part, runon.Label):
                cell = Cell(self.text[part.start:part.end], part.start, part.end)
                self._apply_label(cell, [cell])
            elif part.name is None:
                s, e = part.marker
                self.out.empty_items.append(EmptyMarker(s, e, self.text[s:e], list(self.levels.path),
                                                        self.project))
            else:
                self._add(Candidate(
                    part.name[0], part.target[1] if part.target else part.name[1], "indicator",
                    list(self.levels.path), self.levels.level1, self.levels.level2, self.project,
                    name=part.name, target_cell=part.target, row=self.row_no,
                    value_unread=part.target is None))

    def _displaced(self, start: int, grids: list[displaced.Table]) -> None:
        """Tables whose values were printed apart from their names (extractor/displaced.py):
        each row is filed by its own label, so the running levels are left as they were."""
        for grid in grids:
            for row in displaced.rows(grid, start):
                levels = LevelState()
                if row.label:
                    label = self.text[row.label[0]:row.label[1]]
                    levels.apply(*classify_label(label), label)
                self._add(Candidate(
                    row.name[0], row.name[1], "indicator", list(levels.path), levels.level1,
                    levels.level2, self.project, name=row.name, target_cell=row.target,
                    row=self.row_no, value_unread=row.target is None))

    # -- header blocks, goals, free text ----------------------------------------------
    def _is_field(self, texts: list[str]) -> bool:
        first = next((t for t in texts if t), "")
        m = _field_key(first) if first else None
        if not m:
            return False
        role = lexicon.load().fields[m.group("key")]
        return role in ("project_name", "goal", "tasks") or first in ("主管部门", "实施单位")

    def _field_row(self, cells: list[Cell]) -> bool:
        nonempty = [c for c in cells if c.text] if len(cells) > 1 else cells
        first = nonempty[0]
        # the key matched on the whole cell is the key of its cut-off head too: one match
        m = _field_key(first.text)
        if len(nonempty) == 1 and m:
            parts = _KEY_VALUE.match(first.text)
            if parts:
                key_len = m.end("key")
                rest = first.text[key_len:].lstrip(" :：\t")
                if rest:
                    rs = first.start + first.text.index(rest, key_len)
                    nonempty = [Cell(first.text[:key_len], first.start, first.start + key_len),
                                Cell(rest, rs, rs + len(rest))]
        if m is None and len(nonempty) > 1 and self._goal_columns(nonempty[1:]):
            return True
        if m is None:
            return self._amount_continuation(cells)
        role = lexicon.load().fields[m.group("key")]
        rest = nonempty[1:]
        self.goal_mode = False
        if role == "goal":
            self._goal_field(nonempty[0], rest)
            return True
        if role == "project_name" and rest:
            self.project = Project(None, rest[0].text, None, self.money_unit)
            self.out.projects.append(self.project)
        elif role == "unit_name" and rest:
            self._unit_field(nonempty[0].text, rest)
        elif role == "project_amount":
            self._amount_field(cells, nonempty)
        elif role == "tasks":
            self.out.kind = "whole_unit"
        return True

    def _goal_columns(self, cells: list[Cell]) -> bool:
        """`项目基本情况 | 项目年度目标 | 年度目标完成情况`: the goal and what was achieved
        side by side; the row below holds the goal first."""
        texts = [c.text for c in cells]
        actual = next((i for i, t in enumerate(texts) if _is_actual_header(t)), None)
        if actual is None:
            return False
        goal = next((i for i, t in enumerate(texts) if _GOAL_COLUMN.fullmatch(t)), None)
        if goal is None or actual < goal:
            return False
        self.goal_mode = self.goal_actual = True
        return True

    def _unit_field(self, key: str, rest: list[Cell]) -> None:
        if self.out.unit is None or "单位" in key:
            self.out.unit = Organisation(None, rest[0].text)
        if "实施单位" in [c.text for c in rest]:
            i = [c.text for c in rest].index("实施单位")
            if i + 1 < len(rest):
                self.out.unit = Organisation(None, rest[i + 1].text)

    def _amount_field(self, cells: list[Cell], nonempty: list[Cell]) -> None:
        amount = None
        for c in nonempty[1:]:
            amount = _number(c.text)
            if amount is not None:
                break
        if amount is None:
            for i, c in enumerate(cells):
                if _field_pattern().match(c.text) and c is not nonempty[0]:
                    self.pending_amount_col = i
            if self.pending_amount_col is None and len(nonempty) > 1:
                self.pending_amount_col = cells.index(nonempty[1])
        self._set_amount(amount)

    def _amount_continuation(self, cells: list[Cell]) -> bool:
        col = self.pending_amount_col
        if col is None:
            return False
        self.pending_amount_col = None
        if col < len(cells) and _number(cells[col].text) is not None:
            self._set_amount(_number(cells[col].text))
            return True
        return False

    def _set_amount(self, amount: float | None) -> None:
        if amount is None:
            return
        if self.project is None:
            self.project = Project(None, "", None, self.money_unit)
            self.out.projects.append(self.project)
        if self.project.amount is None:
            self.project.amount = amount
            self.project.amount_unit = self.money_unit

    def _goal_field(self, key: Cell, rest: list[Cell]) -> None:
        if len(rest) == 1 and " " in rest[0].text.strip():
            pieces = split_spaces(rest[0])  # 年初设定目标 年度总体目标完成情况综述
            if all(_GOAL_COLUMN.search(p.text) for p in pieces):
                rest = pieces
        headers = [c for c in rest if _is_actual_header(c.text)]
        self.goal_actual = bool(headers)
        content = [c for c in rest if not _field_pattern().match(c.text) and c not in headers
                   and not _GOAL_COLUMN.fullmatch(c.text)]
        if content:
            self._goal_prose(content[0].start, content[0].end)
            self.goal_mode = False
        else:
            self.goal_mode = True

    def _free_text(self, cells: list[Cell]) -> None:
        nonempty = [c for c in cells if c.text] if len(cells) > 1 else cells
        self._collect_column_labels(nonempty)
        if self.category_columns and self._category_row(nonempty):
            return
        start, end = nonempty[0].start, nonempty[-1].end
        line = nonempty[0].text if len(nonempty) == 1 else self.text[start:end]
        section = _section_title(line)
        if section == "goal":
            self.goal_mode, self.outline_mode = True, False
            return
        if section == "context":
            self.goal_mode = self.outline_mode = False
            return
        if not self.goal_mode and len(nonempty) >= 3 and self._shaped_row(nonempty):
            return
        if self.goal_mode:
            if self.goal_actual:
                first = split_spaces(nonempty[0])[0] if " " in nonempty[0].text else nonempty[0]
                self._goal_prose(first.start, first.end)
                self.goal_mode = False
            else:
                self._goal_prose(start, end)
            return
        headings = None if self.outline_mode else find_headings(line)
        if self.outline_mode or headings:
            self.outline_mode = True
            self._outline(start, end, self.levels, headings, line)

    def _collect_column_labels(self, cells: list[Cell]) -> None:
        """First-level labels in header cells with no row read between them: two or more
        different ones head columns, and the rows after them are filed by column."""
        found = []
        for c in cells:
            level1, level2 = classify_label(c.text)
            if level1 and level2 in (None, level1):
                found.append((level1, c.text))
        if not found:
            return
        if self.labels_at != len(self.out.candidates):
            self.column_labels = []
        self.column_labels.extend(found)
        self.labels_at = len(self.out.candidates)
        if len({level1 for level1, _ in self.column_labels}) >= 2:
            self.category_columns = list(self.column_labels)

    def _category_row(self, cells: list[Cell]) -> bool:
        """A row of a table with a column per category (产出 | 效益 | 满意度, then perhaps a
        prose column). The cells that belong to the columns are found from the satisfaction
        cell, the one that names 满意: the category cells end there, and what follows is
        filed by no label. A row without that anchor is read like the last anchored row if
        it has as many cells; otherwise it is not filed by the last column's label."""
        columns = self.category_columns
        assert columns is not None
        if len(cells) <= len(columns):
            return False
        anchor = next((i for i, c in enumerate(cells) if "满意" in c.text), None)
        if columns[-1][0] == "satisfaction" and anchor is not None and anchor >= len(columns) - 1:
            first = anchor - len(columns) + 1
            self.category_first = (first, len(cells))
        elif self.category_first and self.category_first[1] == len(cells):
            first = self.category_first[0]
        else:
            self._outline(cells[0].start, cells[-1].end, LevelState())
            return True
        for i, cell in enumerate(cells[first:]):
            state = LevelState()
            if i < len(columns):
                state.apply(columns[i][0], None, columns[i][1])
            self._outline(cell.start, cell.end, state)
        return True

    def _shaped_row(self, cells: list[Cell]) -> bool:
        """A table row whose header was lost (an excerpt that starts mid-table): its value
        cells are known by their shape, a sign, then a number, then a unit
        (`活动参与人员满意度 | ≥ | 95 | % | 95 | 5 | 5`); what follows (actuals, scores) is
        left out."""
        labels, rest = self._peel(cells)
        if not rest or not _NAME_LIKE_CELL.search(rest[0].text):
            return False
        name, operator, target, unit = rest[0], None, None, None
        for cell in rest[1:]:
            if target is None and operator is None and _is_operator(cell.text):
                operator = cell
            elif target is None and _VALUE_CELL.match(cell.text):
                target = cell
            else:
                if target is not None and cell.text.strip() in lexicon.load().units:
                    unit = cell
                break
        if target is None or (operator is None and unit is None):
            return False
        for cell in labels:
            self._apply_label(cell, labels)
        self._add(Candidate(
            name.start, (unit or target).end, "indicator", list(self.levels.path),
            self.levels.level1, self.levels.level2, self.project, name=(name.start, name.end),
            target_cell=(target.start, target.end), operator_cell=operator.text if operator else None,
            unit_cell=unit.text if unit else None, row=self.row_no))
        return True

    def _outline(self, start: int, end: int, state: LevelState,
                 headings: list[Heading] | None = None, segment: str | None = None) -> None:
        """`headings`, `segment`: those of the segment (the text from start to end) when the
        caller has them already."""
        if segment is None:
            segment = self.text[start:end]
        for item in split_items(segment, state, base=start, headings=headings):
            if item.empty:
                self.out.empty_items.append(EmptyMarker(item.start, item.end, item.marker or "",
                                                        item.path, self.project))
                continue
            text = self.text[item.start:item.end]
            for s, e in _item_clauses(text, trimmed=True):
                self._add(Candidate(item.start + s, item.start + e, "indicator", item.path,
                                    item.level1, item.level2, self.project, row=self.row_no))

    def _goal_prose(self, start: int, end: int) -> None:
        """Measured clauses of goal prose; category words in the prose (`数量指标：…；在质量
        指标上，…`) label the clauses after them and are not part of their text."""
        text = self.text[start:end]
        self.out.goals.append((start, end, self.project))
        labels = list(_goal_label_pattern().finditer(text))
        state, path = LevelState(), []
        for s, e in clauses.split_measured(text, goal=True):
            while labels and labels[0].start() < e:
                label = labels.pop(0)
                l1, l2 = classify_label(label.group("label"))
                state.apply(l1 if not l2 else None, l2 or None, label.group("label"))
                path = [label.group("label")]
                if label.end() > s:  # the label and what frames it (设1条…) are not the text
                    s = clauses.trim(text, label.end(), e)[0]
            if s < e:
                self._add(Candidate(start + s, start + e, "goal", list(path), state.level1,
                                    state.level2, self.project, row=self.row_no))

    def _add(self, candidate: Candidate) -> None:
        self.out.candidates.append(candidate)


# what clauses.split_measured cuts at (its major and minor separators)
# (a class of literal characters: `re` finds the same as `regex`, at less cost a call)
_CLAUSE_CUT = re.compile(r"[,，;；。!！?？|、]")


def _item_clauses(text: str, trimmed: bool = False) -> list[tuple[int, int]]:
    """clauses.split_measured(text) for an item. An item without a separator inside its
    trimmed span is one clause, and it is kept whole whether measured or not: answered
    without cutting it or scanning it for quantities. `trimmed`: the text is its own
    trimmed span (split_items trims every item as clauses.trim does)."""
    s, e = (0, len(text)) if trimmed else clauses.trim(text, 0, len(text))
    if _CLAUSE_CUT.search(text, s, e) is None:
        return [(s, e)] if s < e else []
    return clauses.split_measured(text)


def _is_operator(text: str) -> bool:
    return bool(text) and text in lexicon.load().operator_column and text not in ("定性", "定量")


def _bracket_unit(text: str) -> str | None:
    """The registered unit in a trailing bracket: 造林面积（亩）, 指标值（万元）."""
    m = _TRAILING_BRACKET.search(text)
    if m and m.group(1).strip() in lexicon.load().units:
        return m.group(1).strip()
    return None


def _column_unit(texts: list[str], roles: list[str | None]) -> str | None:
    for text, role in zip(texts, roles, strict=False):
        if role == "target":
            return _bracket_unit(text)
    return None


def _unit_hint(name: str, table: _Table) -> str | None:
    """The unit a bare value takes when no unit column holds one: the name's bracket, then
    the value column's header."""
    return _bracket_unit(name) or table.target_unit


def _better_operator(current: Cell | None, cell: Cell) -> bool:
    """Tables may carry both 指标性质 (≥) and 指标方向 (正向); a comparison sign beats a
    direction word, and the first of equals wins."""
    if current is None or not current.text:
        return True
    column = lexicon.load().operator_column
    directions = lexicon.load().words["direction_values"]
    if current.text in directions:  # 正向 then 等于: the explicit sign wins
        return column.get(cell.text) is not None and cell.text not in directions
    return column.get(current.text) is None and column.get(cell.text) is not None


_WORDISH = regex.compile(r"[\p{Han}\w%]")
_NAME_LIKE = regex.compile(r"^[^\d]*\p{Han}{3}[^\d]*$")


_NAME_LIKE_CELL = regex.compile(r"^\D*\p{Han}{2}")
_VALUE_CELL = regex.compile(r"^\s*(?:[≥≤<>=约]\s*)?\d")


def _is_score_header(text: str) -> bool:
    return text.strip().startswith(lexicon.load().words["score_columns"])


def _is_value_cell(text: str) -> bool:
    """What only a value column holds: a number, a sign, or a nature or direction word."""
    words = lexicon.load().words
    return bool(_VALUE_CELL.match(text)) or _is_operator(text) or text in words["column_values"]


def _name_like(text: str) -> bool:
    """A cell that names an indicator rather than giving a value: three Han characters or
    more, no digits, not a pass/fail word nor a value of a standards column (计划标准)."""
    words = lexicon.load().words
    return bool(_NAME_LIKE.match(text)) and text not in words["pass_fail_values"] and \
        text not in words["column_values"]




@cache
def _label_heads() -> frozenset[str]:
    lex = lexicon.load()
    return frozenset(s[:i] for s in (*lex.level1, *lex.level2) if s.endswith("指标")
                     for i in range(2, len(s) - 1))


def _label_head(text: str) -> bool:
    """The first piece of a category label broken over lines (`经济效` of 经济效益指标)."""
    return _compact(text) in _label_heads()


@lru_cache(maxsize=8192)
def _header_fragment(text: str) -> bool:
    """A piece of a column header (`年度` of 年度指标值, `分析及` of 偏差原因分析及改进措施).
    Memoised: a cell is tried against every column surface."""
    piece = _compact(text)
    return bool(piece) and not any(ch.isdigit() for ch in piece) and any(
        piece in surface for surface in lexicon.load().columns)


def _is_header_word(text: str) -> bool:
    return bool(_header_word_pattern().fullmatch(_compact(text)))


@cache
def _header_word_pattern() -> regex.Pattern[str]:
    surfaces = lexicon.alternation(list(lexicon.load().columns))
    return regex.compile(rf"(?:{surfaces})(?:[(（][^()（）]{{1,8}}[)）])?")


def _is_actual_header(text: str) -> bool:
    """A 实际完成情况 column header beside the goal, not prose that mentions 实际困难."""
    return ("实际" in text or "完成情况" in text) and len(text) <= 14 and not _NUMBER.search(text)


# a column header beside a goal field: 年初设定目标, 预期目标, 完成情况综述
_GOAL_COLUMN = regex.compile(r"^\D{0,10}(?:目标|完成情况|综述|完成值)$")


def _is_footer(texts: list[str]) -> bool:
    return texts[0].startswith(_footer_keys())


@cache
def _footer_keys() -> tuple[str, ...]:
    return tuple(lexicon.load().words["table_footer_keys"])


def _is_title(text: str) -> bool:
    return bool(_YEAR_LINE.fullmatch(text)) or any(
        mark in text for mark in lexicon.load().words["table_title_marks"])


def _is_total(texts: list[str]) -> bool:
    first = next((t for t in texts if t), "")
    return _compact(first) in lexicon.load().words["total_rows"]


@lru_cache(maxsize=8192)
def _compact(text: str) -> str:
    """A cell without its whitespace; memoised, as the same cell is compared several times."""
    return _WHITESPACE.sub("", text)


def _number(text: str) -> float | None:
    m = _NUMBER.fullmatch(text.strip().replace(" ", ""))
    return float(m.group().replace(",", "")) if m else None


def _amount_in(text: str) -> float | None:
    m = _amount_pattern().search(text)
    return float(m.group(1).replace(",", "")) if m else None


def _field_surfaces(field: str) -> list[str]:
    return [s for s, f in lexicon.load().fields.items() if f == field]


@cache
def _amount_pattern() -> regex.Pattern[str]:
    keys = lexicon.alternation(_field_surfaces("project_amount"))
    return regex.compile(rf"(?:{keys})\s*[:：]?\s*(\d[\d,]*(?:\.\d+)?)")


@cache
def _flat_project_name() -> regex.Pattern[str]:
    """项目名称X主管部门… in flattened text: the name runs to the next header-block key."""
    names = lexicon.alternation(_field_surfaces("project_name"))
    others = lexicon.alternation([s for s, f in lexicon.load().fields.items() if f != "project_name"])
    return regex.compile(rf"(?:{names})\s*[:：]?\s*(.+?)(?=(?:{others})|$)")


@cache
def _strong_label_pattern() -> regex.Pattern[str]:
    lex = lexicon.load()
    surfaces = [s for s in (*lex.level1, *lex.level2) if s.endswith(("指标", "目标"))]
    return regex.compile(lexicon.alternation(surfaces))


@cache
def _goal_label_pattern() -> regex.Pattern[str]:
    """A category word inside goal prose, as a label: `数量指标：`, `在质量指标上，`, `时效指标方面`."""
    return regex.compile(rf"在?(?P<label>{_strong_label_pattern().pattern})(?:方面|上)?\s*[:：,，]")


def _value_ends(chunk: str) -> list[int]:
    ends = {q.span.end for q in quantities.scan(chunk) if q.span}
    ends |= {d.span.end for d in deadlines.scan(chunk, 2000) if d.span}
    return sorted(ends)


# whitespace taken possessively (*+): two greedy runs around the optional colon were tried in
# every split of a long run (quadratic)
_SECTION = regex.compile(r"^\s*+(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十]{1,3}[)）]"
                         r"|\d{1,2}[、.](?!\d))?\s*+(?P<title>[^\s:：,，。]{2,12})\s*+[:：]?\s*+$")


# the longest section title line without its whitespace: a marker (（十二）), 12 characters,
# a colon
_SECTION_MAX = 18


@cache
def _section_chars() -> re.Pattern[str]:
    """A character of every section title word (extractor/lines.py)."""
    words = lexicon.load().words
    return lines.char_test([*words["goal_sections"], *words["context_sections"]])


def _section_title(line: str) -> str | None:
    if len(line) > _SECTION_MAX and len("".join(line.split())) > _SECTION_MAX:
        return None
    if _section_chars().search(line) is None:
        return None  # the title is one of the section words
    m = _SECTION.match(line)
    if not m:
        return None
    title = m.group("title")
    words = lexicon.load().words
    if title in words["goal_sections"]:
        return "goal"
    if title in words["context_sections"]:
        return "context"
    return None


def walk(text: str) -> Layout:
    _prepare()
    return Walker(text).run()


@cache
def _prepare() -> None:
    """Builds, at the first walk, the patterns and word sets of every layout the walk reads
    (built at first use instead, the first document with a rare layout — a flattened or
    run-on table — pays for them)."""
    for build in (_flat_column, _footer_keys, _column_heads, _role_pattern, _field_pattern,
                  _field_heads, _column_chars, _label_heads, _header_word_pattern, _amount_pattern, _flat_project_name,
                  _strong_label_pattern, _goal_label_pattern, _section_chars, _breakdown_keys,
                  _total_column_ends, _key_value, _key_only, _money_key_hint, _money_key_chars,
                  _money_chars, _total_end_chars):
        build()
    outline.prepare()
    runon.prepare()
    displaced.prepare()
    prose.prepare()


# -- amounts: task rows, project lists, funding blocks, breakdowns and their totals ----------
@cache
def _money_words() -> dict[str, list[str]]:
    return lexicon.read_toml("checks_numbers.toml")["money_table"]


_OF_WHICH = regex.compile(r"^其中[:：]?")


@cache
def _breakdown_keys() -> tuple[tuple[str, ...], frozenset[str]]:
    """The breakdown keys and the characters they start with."""
    keys = tuple(_money_words()["breakdown_keys"])
    return keys, frozenset(k[0] for k in keys)


@cache
def _total_column_ends() -> frozenset[str]:
    """The last characters of the total column headers: a row without any has none."""
    return frozenset(s[-1] for s in _money_words()["total_columns"])


@cache
def _total_end_chars() -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(_total_column_ends()))) + "]")


@lru_cache(maxsize=8192)
def _column_role(text: str) -> str | None:
    """`总额`, `财政拨款（万元）`, `其他资金` as a column header: the amount each column holds."""
    compact = _TRAILING_BRACKET.sub("", _WHITESPACE.sub("", text))
    compact = _OF_WHICH.sub("", compact)
    words = _money_words()
    for role in ("total", "fiscal", "other"):
        if compact in words[f"{role}_columns"]:
            return role
    return None


@cache
def _key_value() -> regex.Pattern[str]:
    """A funding key followed by its amount, in a cell row, a flattened line or a sentence
    (`年度资金总额\t182.30`, `其中：财政拨款68.00`, `项目金额：8.50万元`)."""
    words = _money_words()
    groups = "|".join(f"(?P<{role}>{lexicon.alternation(words[f'{role}_keys'])})"
                      for role in ("total", "fiscal", "other"))
    return regex.compile(
        rf"(?<=^|[\t|)）:：\d\s])(?:其中\s*[:：]?\s*)?(?:{groups})"
        r"(?:\s*[(（](?:万元|元)[)）])?[\s:：|]*"
        r"(?P<num>\d[\d,]*(?:\.\d+)?)(?!\s*[%％])\s*(?P<unit>万元|亿元|元|万)?")


@cache
def _key_only() -> regex.Pattern[str]:
    """A funding key alone on its line (one cell per line): its amount is on the next line."""
    words = _money_words()
    groups = "|".join(f"(?P<{role}>{lexicon.alternation(words[f'{role}_keys'])})"
                      for role in ("total", "fiscal", "other"))
    return regex.compile(rf"(?:其中\s*[:：]?\s*)?(?:{groups})(?:\s*[(（](?:万元|元)[)）])?")


@cache
def _money_keys() -> list[str]:
    words = _money_words()
    return [w for role in ("total", "fiscal", "other") for w in words[f"{role}_keys"]]


@cache
def _money_key_hint() -> regex.Pattern[str]:
    """Any funding key: a line without one is neither a key with its amount nor a key alone."""
    return regex.compile(lexicon.alternation(_money_keys()))


@cache
def _money_chars() -> re.Pattern[str]:
    """A character of every word a money table starts with: the last character of a total
    column (_column_header), the first of a breakdown key, an amount column (both
    _breakdown_row), a funding key (_key_values)."""
    words = _money_words()
    return lines.char_test([*_total_column_ends(), *_breakdown_keys()[1], *_money_keys(),
                            *words["amount_columns"]])


@cache
def _money_key_chars() -> re.Pattern[str]:
    """A few characters of which every funding key holds one: cheaper than _money_key_hint."""
    return lines.char_test(_money_keys())


_MONEY_CELL = regex.compile(r"\s*(\d[\d,]*(?:\.\d+)?)\s*(?:万元|元)?\s*")


def _money_number(text: str) -> float | None:
    """A money cell: `612.40`, `1,264.80`, `0`, `24.00万元`; a dash is an empty cell."""
    m = _MONEY_CELL.fullmatch(text)
    return float(m.group(1).replace(",", "")) if m else None


def _is_blank_amount(text: str) -> bool:
    return not text.strip() or text.strip() in ("-", "—", "——", "/", "\\")


class _MoneyReader:
    """Reads rows of amounts beside the indicator walker, which never depends on it.

    Three shapes: (a) a column table whose header names 总额 / 财政拨款 / 其他资金 (the tasks
    of a whole-unit table, a project's funding row `| | 860.00 | 860.00 | 0 |`); (b) funding
    keys each followed by its amount (`年度资金总额 182.30`, `其中：财政拨款 …`, flattened or
    one cell per line), gathered into one row for the project; (c) a breakdown list under a
    `资金明细` key, one label and amount per row, closed by 合计. Project-list rows are
    added by the walker itself (`_list_amount`).
    """

    def __init__(self, rows: list[MoneyLine]) -> None:
        self.rows = rows
        self.columns: dict[str, int] | None = None  # (a) role → cell index
        self.spaced = False  # (a) cells separated by single spaces (S layout)
        self.header_label = ""
        self.block: MoneyLine | None = None  # (b) the funding block being gathered
        self.pending: tuple[str, int] | None = None  # (b) a key (role, start) whose amount is
        # on the next line
        self.breakdown: int | None = None  # (c) the label column of a breakdown list

    def line(self, line: str, start: int, cells: list[Cell], project: Project | None,
             unit: str, in_table: bool) -> None:
        if in_table:
            self.flush()
            self.columns = self.breakdown = None
            return
        if self.columns is None and self.breakdown is None and self.pending is None and \
                _money_chars().search(line) is None:
            self.flush()  # no header, breakdown or funding word: what _key_values ends with
            return
        if self.columns is not None and self._column_row(cells, project, unit):
            return
        self.columns = None
        if self._column_header(line, cells):
            self.flush()
            return
        if self._breakdown_row(cells, project, unit):
            return
        self._key_values(line, start, project, unit)

    # (a) column tables
    def _column_header(self, line: str, cells: list[Cell]) -> bool:
        if _total_end_chars().search(line) is None:
            # a total column's header ends in one of these (总额, 合计); the line's cells hold
            # every one of its characters but blanks and borders
            return False
        cells, spaced = _spaced(cells)
        roles = {}
        for i, cell in enumerate(cells):
            role = _column_role(cell.text) if cell.text else None
            if role and role not in roles:
                roles[role] = i
        if "total" not in roles or len(roles) < 2 or any(_number(c.text) is not None for c in cells):
            return False
        self.columns, self.spaced = roles, spaced
        first = next(c for c in cells if c.text)
        self.header_label = first.text if _column_role(first.text) is None else ""
        self.breakdown = None
        return True

    def _column_row(self, cells: list[Cell], project: Project | None, unit: str) -> bool:
        assert self.columns is not None
        if self.spaced:
            cells = self._spaced_row(cells)
        values: dict[str, float | None] = {}
        used: list[Cell] = []
        first_col = min(self.columns.values())
        shift = _shift(cells, first_col)
        for role, i in self.columns.items():
            i += shift
            cell = cells[i] if 0 <= i < len(cells) else None
            if cell is None or _is_blank_amount(cell.text):
                values[role] = None
                continue
            value = _money_number(cell.text)
            if value is None:
                return False  # text under an amount column: another table starts
            values[role] = value
            used.append(cell)
        if not used:
            return False
        labels = [c for c in cells[:first_col + shift]
                  if c.text and not _field_pattern().match(c.text)]
        label_cell = labels[0] if labels else None
        label = label_cell.text if label_cell else self.header_label
        closing = _is_total([label])
        opening = label_cell is None
        # the row from its first written cell (`年度主要任务	人员保障…` keeps its field cell)
        start = min([c.start for c in cells if c.text] + [c.start for c in used])
        end = max(c.end for c in used)
        row_project = project if project is not None or closing or opening else \
            Project(None, label, values.get("total"), unit)
        self.rows.append(MoneyLine(start, end, label, values.get("total"), values.get("fiscal"),
                                   values.get("other"), unit, closing or opening, row_project))
        return True

    def _spaced_row(self, cells: list[Cell]) -> list[Cell]:
        """A space-separated row (S layout) laid out under its header: the trailing amounts
        fill the amount columns from the left (a blank 其他资金 of a 合计 row is simply
        missing), the words before them stand in the label columns."""
        assert self.columns is not None
        tokens, _ = _spaced(cells)
        n = len(tokens)
        while n and (_number(tokens[n - 1].text) is not None or _is_blank_amount(tokens[n - 1].text)):
            n -= 1
        amounts, words = tokens[n:], tokens[:n]
        order = sorted(self.columns, key=lambda r: self.columns[r])  # type: ignore[index]
        first = self.columns[order[0]]
        width = max(self.columns.values()) + 1
        out = [Cell("", 0, 0) for _ in range(width)]
        for i, word in enumerate(words[:first]):
            out[i] = word
        for role, cell in zip(order, amounts, strict=False):
            out[self.columns[role]] = cell
        return out

    # (c) breakdown lists
    def _breakdown_row(self, cells: list[Cell], project: Project | None, unit: str) -> bool:
        filled = [(i, c) for i, c in enumerate(cells) if c.text]
        if not filled:
            return False
        keys, heads = _breakdown_keys()
        first = filled[0][1].text
        # a stripped cell's first character is its compact text's first: the sub is spared
        # unless a key can start there
        if first[0] in heads and _WHITESPACE.sub("", first).startswith(keys):
            filled = filled[1:]
            self.flush()
            self.breakdown = filled[0][0] if filled else None
        elif _breakdown_header([c.text for _, c in filled]):
            self.flush()
            self.breakdown = filled[0][0]  # `| 支出内容 | 金额（万元） |`: rows follow
            return True
        if self.breakdown is None or not filled or filled[0][0] != self.breakdown:
            self.breakdown = None
            return False
        label, rest = filled[0][1], filled[1:]
        amount = next(((c, _money_number(c.text)) for _, c in rest
                       if _money_number(c.text) is not None), None)
        if amount is None or _money_number(label.text) is not None:
            self.breakdown = None
            return False
        closing = _is_total([label.text])
        self.rows.append(MoneyLine(label.start, amount[0].end, label.text, amount[1],
                                   unit=unit, is_sum=closing, project=project))
        if closing:
            self.breakdown = None
        return True

    # (b) funding keys with their amounts
    def _key_values(self, line: str, start: int, project: Project | None, unit: str) -> None:
        cut = _FLAT_HEADER.search(line) if _FLAT_HEADER_TEXT in line else None
        text = (line[:cut.start()] if cut else line).rstrip(" \t|")  # `年度资金总额 |` (PN)
        keyed = _money_key_chars().search(text) is not None and \
            _money_key_hint().search(text) is not None  # both patterns need a key
        found = list(_key_value().finditer(text)) if keyed else []
        if not found and self.pending and _number(text) is not None:
            end = start + len(text.rstrip())
            self._add_pair(self.pending[0], _number(text) or 0.0, None, self.pending[1], end,
                           project, unit)
            self.pending = None
            return
        self.pending = None
        if not found:
            key = _key_only().fullmatch(text.strip()) if keyed else None
            if key and key.lastgroup:
                self.pending = (key.lastgroup, start + len(text) - len(text.lstrip()))
                return
            self.flush()
            return
        for m in found:
            role = next(r for r in ("total", "fiscal", "other") if m.group(r))
            value = float(m.group("num").replace(",", ""))
            self._add_pair(role, value, m.group("unit"), start + m.start(), start + m.end("num"),
                           project, unit)

    def _add_pair(self, role: str, value: float, written_unit: str | None, s: int, e: int,
                  project: Project | None, unit: str) -> None:
        if role == "total" and self.block is not None and self.block.total is not None:
            self.flush()
        if self.block is None:
            if role != "total":
                return  # a source without its total is no funding block
            label = project.name if project is not None and project.name else "项目资金"
            self.block = MoneyLine(s, e, label, unit=_unit_name(written_unit, unit),
                                   is_sum=True, project=project)
        block = self.block
        block.end = e
        if role == "total":
            block.total = value
        elif role == "fiscal" and block.fiscal is None:
            block.fiscal = value
        elif role == "other":
            block.other = (block.other or 0.0) + value

    def flush(self) -> None:
        block, self.block = self.block, None
        if block is None or block.total is None:
            return
        self.rows.append(block)
        if block.project is not None and block.project.amount is None:
            block.project.amount, block.project.amount_unit = block.total, block.unit


def _shift(cells: list[Cell], first_col: int) -> int:
    """How far left a row's amounts sit: a row missing a leading cell has an amount right
    before the first amount column."""
    shift = 0
    while 0 < first_col + shift <= len(cells) and \
            _money_number(cells[first_col + shift - 1].text) is not None:
        shift -= 1
    return shift


def _spaced(cells: list[Cell]) -> tuple[list[Cell], bool]:
    """One cell holding space-separated words is a row of the S layout: its words."""
    filled = [c for c in cells if c.text]
    if len(filled) == 1 and " " in filled[0].text:
        return split_spaces(filled[0]), True
    return cells, False


def _breakdown_header(texts: list[str]) -> bool:
    """A two-column header over a list of amounts: a label cell, then an amount cell
    (`支出内容 | 金额（万元）`)."""
    if len(texts) != 2 or any(_number(t) is not None for t in texts):
        return False
    amount = _TRAILING_BRACKET.sub("", _WHITESPACE.sub("", texts[1]))
    return amount in _money_words()["amount_columns"] and _column_role(texts[0]) is None


def _unit_name(written: str | None, default: str) -> str:
    if written == "万":
        return "万元"
    return written or default
