"""report.xlsx: Chinese headers, filters, severity colours, and what Excel would refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.workbook import MAX_CELL, write_report

openpyxl = pytest.importorskip("openpyxl")


def _streams(folder: Path, indicators: int = 3, finding_message: str = "目标值缺失") -> None:
    def lines(records: list[dict]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)

    (folder / "documents.jsonl").write_text(lines([
        {"doc": "甲.txt", "status": "ok", "kind": "project_table", "budget_year": 2024,
         "unit": {"code": None, "name": "某县农业农村局"}, "projects": [{"name": "农机补贴"}],
         "indicators": indicators, "findings": {"by_severity": {"error": 1, "warning": 0, "info": 2}},
         "domains": [{"class": "农林水支出", "confidence": 0.8}]},
        {"doc": "乙.pdf", "status": "error", "reason": "no_text_layer", "error": "乙.pdf: 无文字层"},
    ]), encoding="utf-8")
    (folder / "indicators.jsonl").write_text(lines([
        {"doc": "甲.txt", "project": {"name": "农机补贴"}, "level1": "产出指标", "level2": "数量指标",
         "text": f"补贴农机具\x07{i}台", "target": {"operator": "≥", "value": i, "unit": "台"},
         "deadline": None, "flags": ["R13"]}
        for i in range(indicators)]), encoding="utf-8")
    (folder / "findings.jsonl").write_text(lines([
        {"doc": "甲.txt", "code": "R01", "severity": "error", "message": finding_message, "evidence": {"n": 1}},
        {"doc": "甲.txt", "code": "R13", "severity": "info", "message": "缺少比较符", "evidence": {}},
    ]), encoding="utf-8")


def test_sheets_headers_filters_and_severity_colours(tmp_path: Path) -> None:
    _streams(tmp_path)
    write_report(tmp_path, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["文档", "指标", "问题"]
    docs, inds, finds = book["文档"], book["指标"], book["问题"]
    assert docs["A1"].value == "文件" and docs["A1"].font.bold
    assert [c.value for c in docs[2]][:8] == ["甲.txt", "ok", None, "project_table", 2024, "某县农业农村局", 1, 3]
    assert docs["B3"].value == "error" and docs["C3"].value == "乙.pdf: 无文字层"
    assert docs.auto_filter.ref == "A1:L3" and docs.freeze_panes == "A2"
    assert inds.max_row == 4 and inds["J2"].value == "≥" and inds["K3"].value == 1
    assert finds["C2"].value == "error" and finds["C2"].fill.fgColor.rgb.endswith("F8CBAD")
    assert finds["C3"].fill.fgColor.rgb.endswith("DDEBF7")


def test_control_characters_and_overlong_cells_do_not_break_the_workbook(tmp_path: Path) -> None:
    _streams(tmp_path, finding_message="说明" * 20_000)
    write_report(tmp_path, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book["指标"]["I2"].value == "补贴农机具\ufffd0台"
    message = book["问题"]["E2"].value
    assert len(message) == MAX_CELL and message.endswith("…")


def test_rows_beyond_the_sheet_limit_continue_on_a_numbered_sheet(tmp_path: Path) -> None:
    _streams(tmp_path, indicators=7)
    write_report(tmp_path, tmp_path / "report.xlsx", max_rows=4)
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["文档", "指标", "指标 (2)", "指标 (3)", "问题"]
    parts = [book[name] for name in ("指标", "指标 (2)", "指标 (3)")]
    assert [sheet.max_row for sheet in parts] == [4, 4, 2]
    assert all(sheet["A1"].value == "文件" for sheet in parts)
    values = [row[10].value for sheet in parts for row in sheet.iter_rows(min_row=2)]
    assert values == list(range(7))


def test_empty_streams_still_give_every_sheet_its_header(tmp_path: Path) -> None:
    for name in ("documents.jsonl", "indicators.jsonl", "findings.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    write_report(tmp_path, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["文档", "指标", "问题"]
    assert book["问题"]["A1"].value == "文件" and book["问题"].max_row == 1
