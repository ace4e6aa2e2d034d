"""report.xlsx: a 汇总 sheet first, Chinese labels for every enum, widths, wrapping, number
and date formats, frozen headers, filters, print setup, findings sorted by severity, and what
Excel would refuse. The workbook is read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from extractor.workbook import MAX_CELL, layout, short_name, write_report

openpyxl = pytest.importorskip("openpyxl")

DOC = "/存档/2024/桐乡县社区助餐服务补贴绩效目标表.txt"
ZIPPED = "/存档/2024/乡镇.zip!民政/慰问经费.docx"


def _lines(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _streams(folder: Path, indicators: int = 3, finding_message: str = "助餐服务没有量化的指标值。") -> None:
    (folder / "documents.jsonl").write_text(_lines([
        {"doc": DOC, "status": "ok", "error": None, "kind": "project_table", "budget_year": 2024,
         "unit": {"code": None, "name": "桐乡县民政局"}, "projects": [{"name": "社区助餐服务补贴"}],
         "indicators": 4, "quantitative_share": 0.75, "vague_share": 0.25,
         "findings": {"by_code": {"unquantified_output": 1, "comparator_nonstandard": 2},
                      "by_severity": {"error": 1, "info": 2}},
         "domains": [{"class": "社会保障和就业", "confidence": 0.8}]},
        {"doc": ZIPPED, "status": "error", "error": f"{ZIPPED}: 文件已加密", "reason": "encrypted",
         "indicators": 0, "quantitative_share": None, "vague_share": None},
    ]), encoding="utf-8")
    (folder / "indicators.jsonl").write_text(_lines([
        {"doc": DOC, "project": {"name": "社区助餐服务补贴"}, "field": "indicator", "level1": "output",
         "level2": "quantity", "label_source": "heading", "confidence": 1.0, "name": "助餐服务人数",
         "text": f"助餐服务人数\x07\t≥{1200 + i}人", "target": {"operator": "≥", "value": 1200 + i, "unit": "人"},
         "deadline": {"text": "2024年6月30日前", "start": None, "end": "2024-06-30"},
         "qualitative": False, "vague": i % 2 == 1, "flags": ["comparator_nonstandard"]}
        for i in range(indicators)]), encoding="utf-8")
    (folder / "findings.jsonl").write_text(_lines([
        {"doc": DOC, "code": "comparator_nonstandard", "severity": "info", "project": "社区助餐服务补贴",
         "text": "助餐服务人数\t>=1200人", "message": "比较符“>=”书写不规范。", "suggestion": "统一使用标准符号。",
         "evidence": {"written": ">="}},
        {"doc": DOC, "code": "unquantified_output", "severity": "error", "project": "社区助餐服务补贴",
         "text": "广泛开展助餐服务", "message": finding_message, "suggestion": "给出可考核的值。", "evidence": {}},
        {"doc": DOC, "code": "comparator_nonstandard", "severity": "info", "project": "社区助餐服务补贴",
         "text": "送餐上门户数\t<=300户", "message": "比较符“<=”书写不规范。", "suggestion": "统一使用标准符号。",
         "evidence": {"written": "<="}},
    ]), encoding="utf-8")


def _column(sheet, header: str) -> str:
    from openpyxl.utils import get_column_letter

    headers = [c.value for c in sheet[1]]
    return get_column_letter(headers.index(header) + 1)


@pytest.fixture
def book(tmp_path: Path):
    _streams(tmp_path)
    write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    return openpyxl.load_workbook(tmp_path / "report.xlsx")


def test_workbook_sheets_with_the_summary_first(book) -> None:
    assert book.sheetnames == ["汇总", "文档", "指标", "问题"]
    rows = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert rows["文档数"] == 2 and rows["其中无法读取"] == 1 and rows["指标数"] == 4
    assert rows["定量指标占比"] == 0.75 and rows["模糊指标占比"] == 0.25
    assert rows["错误"] == 1 and rows["警告"] == 0 and rows["提示"] == 2
    assert isinstance(rows["生成时间"], dt.datetime)
    codes = [r for r in book["汇总"].iter_rows(values_only=True) if r and r[0] in
             ("unquantified_output", "comparator_nonstandard")]
    assert codes == [("unquantified_output", "产出/成本指标未量化", "错误", 1, None, None, 1),
                     ("comparator_nonstandard", "比较符书写不规范", "提示", None, None, 2, 2)]


def test_workbook_chinese_labels_formats_and_dates(book) -> None:
    docs, inds = book["文档"], book["指标"]
    assert [docs[f"{_column(docs, h)}2"].value for h in ("文件名", "状态", "类型", "完整路径")] == [
        "桐乡县社区助餐服务补贴绩效目标表.txt", "正常", "项目支出绩效目标表", DOC]
    assert docs[f"{_column(docs, '状态')}3"].value == "出错"
    assert docs[f"{_column(docs, '文件名')}3"].value == "慰问经费.docx"
    share = docs[f"{_column(docs, '定量占比')}2"]
    assert share.value == 0.75 and share.number_format == "0.0%"
    row = {h: inds[f"{_column(inds, h)}2"] for h in ("来源", "一级指标", "二级指标", "分类依据", "定性", "模糊",
                                                    "截止日期", "指标值", "问题", "问题代码")}
    assert [row[h].value for h in ("来源", "一级指标", "二级指标", "分类依据", "定性", "模糊")] == [
        "指标", "产出", "数量", "表头", "否", "否"]
    assert inds[f"{_column(inds, '模糊')}3"].value == "是"
    assert row["截止日期"].value == dt.datetime(2024, 6, 30) and row["截止日期"].number_format == "yyyy-mm-dd"
    assert row["指标值"].value == 1200
    assert row["问题"].value == "比较符书写不规范" and row["问题代码"].value == "comparator_nonstandard"


@pytest.mark.parametrize("sheet", ["文档", "指标", "问题"])
def test_workbook_widths_wrapping_filters_and_print_setup(book, sheet: str) -> None:
    ws = book[sheet]
    columns = layout()[{"文档": "documents", "指标": "indicators", "问题": "findings"}[sheet]]
    assert [c.value for c in ws[1]] == [c.header for c in columns]
    for n, column in enumerate(columns, 1):
        letter = openpyxl.utils.get_column_letter(n)
        # Excel stores a width of 14 characters as 14.71 (cell padding); equal neighbours share a <col>
        width = next(d.width for d in ws.column_dimensions.values() if d.min <= n <= d.max)
        assert width == pytest.approx(column.width + 0.71, abs=0.01)
        if column.kind == "wrap":
            assert ws[f"{letter}2"].alignment.wrap_text or ws[f"{letter}2"].value is None
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # fitToWidth's default in the file format is 1, so the writer leaves it out
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    printed = openpyxl.utils.get_column_letter(sum(c.print for c in columns))
    assert f"$A$1:${printed}$" in ws.print_area
    assert ws[1][0].font.b


def test_workbook_findings_sorted_by_severity_and_coloured(book) -> None:
    ws = book["问题"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["错误", "提示", "提示"]
    texts = [ws[f"{_column(ws, '原文')}{n}"].value for n in (3, 4)]
    assert texts == ["助餐服务人数\t>=1200人", "送餐上门户数\t<=300户"]  # input order within a severity
    assert ws["A2"].fill.fgColor.rgb.endswith("F8CBAD") and ws["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws[f"{_column(ws, '问题名称')}2"].value == "产出/成本指标未量化"


def test_workbook_control_characters_and_overlong_cells(tmp_path: Path) -> None:
    _streams(tmp_path, finding_message="说明" * 20_000)
    write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    inds = book["指标"]
    assert inds[f"{_column(inds, '指标原文')}2"].value == "助餐服务人数\ufffd\t≥1200人"
    finds = book["问题"]
    message = finds[f"{_column(finds, '说明')}2"].value
    assert len(message) == MAX_CELL and message.endswith("…")


def test_workbook_rows_beyond_the_sheet_limit_continue_on_a_numbered_sheet(tmp_path: Path) -> None:
    _streams(tmp_path, indicators=7)
    write_report(tmp_path, tmp_path / "report.xlsx", max_rows=4, progress=False)
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["汇总", "文档", "指标", "指标 (2)", "指标 (3)", "问题"]
    parts = [book[name] for name in ("指标", "指标 (2)", "指标 (3)")]
    assert [sheet.max_row for sheet in parts] == [4, 4, 2]
    assert all(sheet["A1"].value == "文件名" and sheet.freeze_panes == "A2" for sheet in parts)
    column = _column(parts[0], "指标值")
    assert [sheet[f"{column}{n}"].value for sheet in parts for n in range(2, sheet.max_row + 1)] == \
        list(range(1200, 1207))


def test_workbook_empty_streams_still_give_every_sheet_its_header(tmp_path: Path) -> None:
    for name in ("documents.jsonl", "indicators.jsonl", "findings.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["汇总", "文档", "指标", "问题"]
    assert book["问题"]["A1"].value == "严重程度" and book["问题"].max_row == 1


def test_workbook_progress_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _streams(tmp_path)
    write_report(tmp_path, tmp_path / "report.xlsx", progress=True)
    assert "report.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize(("doc", "name"), [(DOC, "桐乡县社区助餐服务补贴绩效目标表.txt"), (ZIPPED, "慰问经费.docx"),
                                           ("C:\\预算\\2024\\表.xlsx", "表.xlsx"), ("-", "-")])
def test_workbook_short_name(doc: str, name: str) -> None:
    assert short_name(doc) == name


def test_workbook_text_that_xml_escapes_reads_back_as_written(tmp_path: Path) -> None:
    texts = [" 前导空格", "末尾空格 ", "\u3000全角", "a&b<c>d", "字面 _x0041_ 转义", "回车\r换行", "第一行\n第二行", ""]
    _streams(tmp_path, indicators=len(texts))
    records = [json.loads(line) for line in (tmp_path / "indicators.jsonl").read_text(encoding="utf-8").splitlines()]
    (tmp_path / "indicators.jsonl").write_text(_lines([{**r, "text": t} for r, t in zip(records, texts, strict=True)]),
                                               encoding="utf-8")
    write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    inds = openpyxl.load_workbook(tmp_path / "report.xlsx")["指标"]
    column = _column(inds, "指标原文")
    # Excel reads _xHHHH_ as the character (_x005F_ is "_"); openpyxl leaves it as it is
    excel = lambda v: v and re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), v)  # noqa: E731
    assert [excel(inds[f"{column}{n}"].value) for n in range(2, len(texts) + 2)] == texts


def test_workbook_a_failed_run_keeps_the_earlier_report(tmp_path: Path) -> None:
    _streams(tmp_path)
    write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    earlier = (tmp_path / "report.xlsx").read_bytes()
    with (tmp_path / "indicators.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"doc": "broken\n')
    with pytest.raises(json.JSONDecodeError):
        write_report(tmp_path, tmp_path / "report.xlsx", progress=False)
    assert (tmp_path / "report.xlsx").read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents.jsonl", "findings.jsonl", "indicators.jsonl",
                                                          "report.xlsx"]
