"""`report.xlsx` of `indicators tag`, for reviewers who read it in Excel or print it.

Sheets: 汇总 (documents, indicators, shares, findings by severity and by code), 文档, 指标,
问题 (findings, errors first). Column layout (header, width, type) comes from
extractor/data/report.toml; enum values are shown with their Chinese labels
(extractor/data/labels.toml), shares as percentages, deadlines as real dates, each file as
its short name with the full path in a column of its own. Every sheet has its header row
frozen, filters on, and a print setup: landscape A4, fitted to the page width, header row
repeated on every page, reference columns (full path, evidence) left off the paper.

Written with XlsxWriter in constant-memory mode: rows stream to disk (memory stays flat on
large archives) about three times faster than openpyxl's write-only mode, with formats
passed per cell rather than looked up. Findings are sorted by severity without holding
them: one pass counts them and spools each severity's lines to its own temporary file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import regex

from extractor.labels import label
from extractor.lexicon import tomllib

MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included; more rows go on "指标 (2)" …
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
SEVERITY_ORDER = ("error", "warning", "info")  # the 问题 sheet's order
_FILLS = {"error": "#F8CBAD", "warning": "#FFE699", "info": "#DDEBF7"}
_FORMATS = {"percent": "0.0%", "number": "0.##", "date": "yyyy-mm-dd", "int": "0",
            "datetime": "yyyy-mm-dd hh:mm"}
_LINE_HEIGHT = 14  # points per wrapped line at the 10.5-point font
_MAX_LINES = 8  # a row shows at most this many lines; the cell keeps all its text
# characters XML 1.0 (and so Excel) refuses; OCR text has them
_ILLEGAL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    width: float
    type: str
    enum: str | None = None
    wrap: bool = False
    print: bool = True

    @property
    def kind(self) -> str:
        """The cell format: wrap, a number format, or plain text."""
        if self.type == "wrap" or self.wrap:
            return "wrap"
        return self.type if self.type in _FORMATS else "text"


@cache
def layout() -> dict[str, list[Column]]:
    """report.toml: sheet → columns."""
    text = resources.files("extractor.data").joinpath("report.toml").read_text(encoding="utf-8")
    return {sheet: [Column(**c) for c in cols] for sheet, cols in tomllib.loads(text).items()}


def write_report(folder: Path, path: Path, max_rows: int = MAX_ROWS, progress: bool | None = None) -> None:
    """report.xlsx from the jsonl streams in `folder`. `progress`: a bar on stderr (None: only
    when stderr is a terminal)."""
    import xlsxwriter
    from tqdm import tqdm

    total = sum(_count_lines(folder / name) for name in ("documents.jsonl", "indicators.jsonl",
                                                         "findings.jsonl"))
    with ExitStack() as stack:
        # disable=None: tqdm shows the bar only on a terminal
        bar = stack.enter_context(tqdm(total=total, unit=" rows", desc="report.xlsx", file=sys.stderr,
                                       disable=None if progress is None else not progress,
                                       mininterval=0.5, leave=False))
        counts, spools = _spool_findings(folder / "findings.jsonl", stack)
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False})
        formats = _Formats(book)
        _write_summary(book, formats, _Totals.of(_records(folder / "documents.jsonl"), counts))
        tick = _ticker(bar)
        _write_sheets(book, formats, "文档", layout()["documents"],
                      tick(map(_document_row, _records(folder / "documents.jsonl"))), max_rows)
        _write_sheets(book, formats, "指标", layout()["indicators"],
                      tick(map(_indicator_row, _records(folder / "indicators.jsonl"))), max_rows)
        _write_sheets(book, formats, "问题", layout()["findings"],
                      tick(map(_finding_row, _spooled(spools))), max_rows)
        book.close()


# ------------------------------------------------------------------------------ cells

class _Formats:
    """One XlsxWriter format per (column type, fill), made on first use."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._made: dict[tuple[str, str | None], Any] = {}

    def __call__(self, kind: str, fill: str | None = None) -> Any:
        key = (kind, fill)
        if key not in self._made:
            # 等线 is Excel's default font for Chinese: one font for Latin and CJK keeps a row's
            # cells on one baseline
            spec: dict[str, Any] = {"valign": "top", "font_name": "等线", "font_size": 10.5}
            if kind == "wrap":
                spec["text_wrap"] = True
            elif kind == "header":
                spec.update(bold=True, text_wrap=True, align="center", valign="vcenter",
                            bg_color="#D9D9D9", border=1)
            elif kind == "title":
                spec.update(bold=True, font_size=14)
            elif kind == "bold":
                spec["bold"] = True
            if kind in _FORMATS:
                spec["num_format"] = _FORMATS[kind]
            if fill is not None:
                spec["bg_color"] = _FILLS[fill]
            self._made[key] = self._book.add_format(spec)
        return self._made[key]


def _put(sheet: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """One cell by its Python type (never `write()`, which reads "=…" as a formula)."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, _clean(value), fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, (date, datetime)):
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_string(row, col, _clean(str(value)), fmt)


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide, at most
    _MAX_LINES. Neither LibreOffice nor every Excel fits row heights to wrapped text on
    opening, so the rows are given their height. A CJK character is two units wide: UTF-8
    bytes plus characters, halved, counts one for ASCII and two for CJK, at C speed."""
    usable = max(width, 1)
    lines = sum(int((len(part.encode("utf-8")) + len(part)) / 2 // usable) + 1
                for part in text.split("\n"))
    return min(lines, _MAX_LINES)


def _clean(value: str) -> str:
    """What Excel accepts: no control characters, at most 32,767 characters."""
    value = _ILLEGAL.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[:MAX_CELL - 1] + "…"


def _typed(column: Column, value: Any) -> Any:
    if column.type == "label":
        return label(column.enum or "", value)
    if column.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


# ------------------------------------------------------------------------------ sheets

def _write_sheets(book: Any, formats: _Formats, title: str, columns: list[Column],
                  rows: Iterable[dict[str, Any]], max_rows: int) -> None:
    """One sheet per `max_rows - 1` rows, each with its header, widths, filter, frozen header
    and print setup (the first sheet even when there are no rows)."""
    part, count = 1, 0
    sheet = _open_sheet(book, formats, title, columns)
    plain = [formats(c.kind) for c in columns]
    severity_at = next((i for i, c in enumerate(columns) if c.key == "severity"), None)
    wrapped = [n for n, c in enumerate(columns) if c.kind == "wrap" and c.print]
    for row in rows:
        if count == max_rows - 1:
            _close_sheet(sheet, columns, count)
            part, count = part + 1, 0
            sheet = _open_sheet(book, formats, f"{title} ({part})", columns)
        count += 1
        values = [_typed(column, row.get(column.key)) for column in columns]
        lines = max((_lines(v, columns[n].width) for n in wrapped if isinstance(v := values[n], str)),
                    default=1)
        if lines > 1:  # set before the cells: constant-memory rows are written as they close
            sheet.set_row(count, _LINE_HEIGHT * lines)
        for n, value in enumerate(values):
            _put(sheet, count, n, value, plain[n])
        if severity_at is not None and row.get("severity") in _FILLS:
            severity = row["severity"]
            _put(sheet, count, severity_at, label("severity", severity), formats("text", severity))
    _close_sheet(sheet, columns, count)


def _open_sheet(book: Any, formats: _Formats, name: str, columns: list[Column]) -> Any:
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    for n, column in enumerate(columns):
        sheet.set_column(n, n, column.width)
    sheet.set_row(0, 30)  # two lines: narrow columns wrap their header
    for n, column in enumerate(columns):
        sheet.write_string(0, n, column.header, formats("header"))
    _print_setup(sheet, landscape=True)
    sheet.repeat_rows(0)
    return sheet


def _print_setup(sheet: Any, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many down as it takes
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&C&A  第 &P 页，共 &N 页")


def _close_sheet(sheet: Any, columns: list[Column], rows: int) -> None:
    sheet.autofilter(0, 0, rows, len(columns) - 1)
    # the paper gets the columns a reviewer reads; reference columns (path, evidence) stay on screen
    printed = sum(1 for c in columns if c.print)
    sheet.print_area(0, 0, rows, printed - 1)


# ------------------------------------------------------------------------------ 汇总

@dataclass
class _Totals:
    documents: int = 0
    failed: int = 0
    indicators: int = 0
    quantitative: float = 0.0
    vague: float = 0.0
    by_code: Counter[tuple[str, str]] | None = None  # (code, severity) → findings

    @classmethod
    def of(cls, documents: Iterable[dict[str, Any]], by_code: Counter[tuple[str, str]]) -> _Totals:
        totals = cls(by_code=by_code)
        for doc in documents:
            totals.documents += 1
            totals.failed += doc.get("status") == "error"
            n = doc.get("indicators") or 0
            totals.indicators += n
            totals.quantitative += (doc.get("quantitative_share") or 0) * n
            totals.vague += (doc.get("vague_share") or 0) * n
        return totals

    def share(self, part: float) -> float | None:
        return round(part / self.indicators, 4) if self.indicators else None


def _write_summary(book: Any, formats: _Formats, totals: _Totals) -> None:
    from extractor.checks import RULES

    sheet = book.add_worksheet("汇总")
    for n, width in enumerate((30, 26, 12, 8, 8, 8, 8)):
        sheet.set_column(n, n, width)
    _print_setup(sheet, landscape=False)
    rows: list[list[tuple[Any, str, str | None]]] = [
        [("绩效目标审核报告", "title", None)],
        [("生成时间", "bold", None), (datetime.now().replace(microsecond=0), "datetime", None)],
        [],
        [("文档数", "bold", None), (totals.documents, "int", None)],
        [("其中无法读取", "bold", None), (totals.failed, "int", None)],
        [("指标数", "bold", None), (totals.indicators, "int", None)],
        [("定量指标占比", "bold", None), (totals.share(totals.quantitative), "percent", None)],
        [("模糊指标占比", "bold", None), (totals.share(totals.vague), "percent", None)],
        [],
        [(h, "header", None) for h in ("按严重程度", "发现数")],
    ]
    by_code = totals.by_code or Counter()
    for severity in SEVERITY_ORDER:
        n = sum(v for (_, s), v in by_code.items() if s == severity)
        rows.append([(label("severity", severity), "text", severity), (n, "int", None)])
    rows += [[], [(h, "header", None) for h in ("按问题代码", "问题名称", "默认严重程度",
                                              "错误", "警告", "提示", "合计")]]
    rules = {r.code: r for r in RULES}
    for code in _codes_by_weight(by_code):
        rule = rules.get(code)
        counts = [by_code.get((code, s), 0) for s in SEVERITY_ORDER]
        severity = rule.severity if rule else None
        rows.append([(code, "text", None), (rule.title if rule else code, "wrap", None),
                     (label("severity", severity), "text", severity),
                     *((n or None, "int", None) for n in counts), (sum(counts), "int", None)])
    for r, cells in enumerate(rows):
        for c, (value, kind, fill) in enumerate(cells):
            _put(sheet, r, c, value, formats(kind, fill))


def _codes_by_weight(by_code: Counter[tuple[str, str]]) -> list[str]:
    """Codes with their worst severity first, then the most frequent."""
    worst: dict[str, int] = {}
    totals: Counter[str] = Counter()
    for (code, severity), n in by_code.items():
        worst[code] = min(worst.get(code, 9), SEVERITY_ORDER.index(severity) if severity in
                          SEVERITY_ORDER else 9)
        totals[code] += n
    return sorted(totals, key=lambda c: (worst[c], -totals[c], c))


# ------------------------------------------------------------------------------ streams

def _records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _spool_findings(path: Path, stack: ExitStack) -> tuple[Counter[tuple[str, str]], list[IO[str]]]:
    """Counts by (code, severity), and each severity's lines in a temporary file (errors,
    warnings, info, then anything else), so the sheet is sorted without holding the findings."""
    spools = [stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))  # noqa: SIM115 — closed by the stack
              for _ in range(len(SEVERITY_ORDER) + 1)]
    counts: Counter[tuple[str, str]] = Counter()
    for record in _records(path):
        severity = record.get("severity", "")
        counts[(record.get("code", ""), severity)] += 1
        rank = SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
        spools[rank].write(json.dumps(record, ensure_ascii=False) + "\n")
    return counts, spools


def _spooled(spools: list[IO[str]]) -> Iterator[dict[str, Any]]:
    for spool in spools:
        spool.seek(0)
        for line in spool:
            yield json.loads(line)


def _ticker(bar: Any) -> Callable[[Iterable[dict[str, Any]]], Iterator[dict[str, Any]]]:
    """Advance the bar every 1,000 rows (a call per row would cost more than the row)."""
    def tick(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        pending = 0
        for row in rows:
            yield row
            pending += 1
            if pending == 1000:
                bar.update(pending)
                pending = 0
        bar.update(pending)
    return tick


# ------------------------------------------------------------------------------ rows

def short_name(doc: str) -> str:
    """The file's own name: `/a/b/甲.xlsx` → 甲.xlsx, `archive.zip!dir/乙.txt` → 乙.txt."""
    return doc.replace("\\", "/").rsplit("!", 1)[-1].rsplit("/", 1)[-1] or doc


def _document_row(r: dict[str, Any]) -> dict[str, Any]:
    severity = (r.get("findings") or {}).get("by_severity", {})
    ok = r.get("status") != "error"
    return {**r, "name": short_name(r.get("doc", "")), "unit": (r.get("unit") or {}).get("name"),
            "projects": len(r.get("projects") or []) if ok else None,
            "errors": severity.get("error", 0) if ok else None,
            "warnings": severity.get("warning", 0) if ok else None,
            "infos": severity.get("info", 0) if ok else None,
            "domains": "、".join(f"{d['class']}({d['confidence']:.0%})" for d in r.get("domains") or [])}


def _indicator_row(r: dict[str, Any]) -> dict[str, Any]:
    target = r.get("target") or {}
    deadline = r.get("deadline") or {}
    return {**r, "name": short_name(r.get("doc", "")), "project": (r.get("project") or {}).get("name"),
            "indicator": r.get("name"), "operator": target.get("operator"),
            "value": target.get("value"), "unit_of_value": target.get("unit"),
            "deadline": deadline.get("end"),
            # the flags by name, one a line, for the reader; the codes in a reference column
            "flags": "\n".join(_titles().get(code, code) for code in r.get("flags") or []),
            "codes": " ".join(r.get("flags") or [])}


@cache
def _titles() -> dict[str, str]:
    from extractor.checks import RULES

    return {r.code: r.title for r in RULES}


def _finding_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "name": short_name(r.get("doc", "")), "title": _titles().get(r.get("code", ""), r.get("code")),
            "evidence": json.dumps(r.get("evidence", {}), ensure_ascii=False) if r.get("evidence") else None}
