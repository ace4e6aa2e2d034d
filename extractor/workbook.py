"""`report.xlsx` of `indicators tag`: documents, indicators and findings sheets with Chinese
headers, filters on, findings coloured by severity (openpyxl, streamed: write-only mode keeps
memory flat on large archives)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_FILLS = {"error": "F8CBAD", "warning": "FFE699", "info": "DDEBF7"}

DOCUMENT_COLUMNS = [
    ("文件", "doc"), ("状态", "status"), ("错误", "error"), ("类型", "kind"), ("预算年度", "budget_year"),
    ("单位", "unit"), ("项目数", "projects"), ("指标数", "indicators"), ("定量占比", "quantitative_share"),
    ("模糊占比", "vague_share"), ("发现（错误/警告/提示）", "findings"), ("支出功能分类", "domains"),
]
INDICATOR_COLUMNS = [
    ("文件", "doc"), ("项目", "project"), ("来源", "field"), ("一级指标", "level1"), ("二级指标", "level2"),
    ("分类依据", "label_source"), ("置信度", "confidence"), ("指标名称", "name"), ("指标原文", "text"),
    ("比较符", "operator"), ("指标值", "value"), ("单位", "unit_of_value"), ("截止日期", "deadline"),
    ("定性", "qualitative"), ("模糊", "vague"), ("问题代码", "flags"),
]
FINDING_COLUMNS = [
    ("文件", "doc"), ("项目", "project"), ("严重程度", "severity"), ("代码", "code"), ("说明", "message"),
    ("原文", "text"), ("建议", "suggestion"), ("依据数据", "evidence"),
]


MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included; more rows go on "指标 (2)" …
MAX_CELL = 32_767  # Excel's limit on the characters of one cell


def write_report(folder: Path, path: Path, max_rows: int = MAX_ROWS) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = (("文档", DOCUMENT_COLUMNS, "documents.jsonl", _document_row),
              ("指标", INDICATOR_COLUMNS, "indicators.jsonl", _indicator_row),
              ("问题", FINDING_COLUMNS, "findings.jsonl", _finding_row))
    for title, columns, stream, row_of in sheets:
        _write_sheets(book, title, columns, _records(folder / stream), row_of,
                      coloured=stream == "findings.jsonl", max_rows=max_rows)
    book.save(path)


def _write_sheets(book: Any, title: str, columns: list[tuple[str, str]],
                  records: Iterable[dict[str, Any]], row_of: Any, coloured: bool, max_rows: int) -> None:
    """One sheet per `max_rows - 1` records, each with its header, filter and frozen first row
    (the first sheet even when there are no records)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILLS.items()}
    part, rows = 1, 0
    sheet = _open_sheet(book, title, columns)
    for record in records:
        if rows == max_rows - 1:
            _close_sheet(sheet, len(columns), rows)
            part, rows = part + 1, 0
            sheet = _open_sheet(book, f"{title} ({part})", columns)
        values = row_of(record)
        fill = fills.get(record.get("severity", "")) if coloured else None
        cells = [_cell_value(values.get(key)) for _, key in columns]
        if fill is not None:
            cells = [_styled(WriteOnlyCell(sheet, value=v), fill=fill) for v in cells]
        sheet.append(cells)
        rows += 1
    _close_sheet(sheet, len(columns), rows)


def _open_sheet(book: Any, name: str, columns: list[tuple[str, str]]) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(name)
    sheet.freeze_panes = "A2"  # before the first row: write-only sheets write views first
    bold = Font(bold=True)
    sheet.append([_styled(WriteOnlyCell(sheet, value=label), font=bold) for label, _ in columns])
    return sheet


def _close_sheet(sheet: Any, width: int, rows: int) -> None:
    sheet.auto_filter.ref = f"A1:{_column(width)}{rows + 1}"


def _styled(cell: Any, **style: Any) -> Any:
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


def _cell_value(value: Any) -> Any:
    """What Excel accepts: no control characters (openpyxl refuses them; OCR text has them),
    at most 32,767 characters."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[:MAX_CELL - 1] + "…"


def _records(path: Path) -> Iterable[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _document_row(r: dict[str, Any]) -> dict[str, Any]:
    sev = r.get("findings", {}).get("by_severity", {})
    return {**r, "unit": (r.get("unit") or {}).get("name"), "projects": len(r.get("projects", [])),
            "findings": f"{sev.get('error', 0)}/{sev.get('warning', 0)}/{sev.get('info', 0)}",
            "domains": "、".join(f"{d['class']}({d['confidence']:.2f})" for d in r.get("domains", []))}


def _indicator_row(r: dict[str, Any]) -> dict[str, Any]:
    target = r.get("target") or {}
    deadline = r.get("deadline") or {}
    return {**r, "project": (r.get("project") or {}).get("name"), "operator": target.get("operator"),
            "value": target.get("value"), "unit_of_value": target.get("unit"),
            "deadline": deadline.get("end"), "flags": " ".join(r.get("flags", []))}


def _finding_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "evidence": json.dumps(r.get("evidence", {}), ensure_ascii=False)}
