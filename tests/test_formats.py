"""Office, CSV and ZIP inputs: the same table gives the same indicators whatever it is saved
as, and every damaged or foreign file is a ReadError with a reason, never a traceback."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import SAMPLES
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement

import extractor
from extractor.errors import ReadError
from extractor.readers import archive as archive_mod
from extractor.readers import iter_archive, list_archive, read_bytes, read_path
from extractor.readers.archive import Limits, archive_member
from extractor.readers.office import render_number, render_value

TABLES = ["tab_four_column.txt", "split_columns_words.txt"]


# -- helpers ------------------------------------------------------------------------------------
def sample_rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in (SAMPLES / name).read_text(encoding="utf-8").split("\n")]


def key(source: Path | bytes, name: str | None = None) -> list[tuple]:
    """What must not change with the file format: text (whitespace-normalised), levels, target."""
    out = []
    for i in extractor.extract(source, name):
        t = i.target
        out.append((" ".join(i.text.split()), i.level1, i.level2,
                    (t.operator, t.value, t.unit) if t else None))
    return out


def _typed(value: str) -> tuple[object, str | None]:
    """A cell as a person types it into Excel: numbers become numbers, `236.00` keeps its format."""
    try:
        number = float(value)
    except ValueError:
        return value, None
    if "." in value:
        return number, "0." + "0" * len(value.split(".")[1])
    return int(number), None


def write_xlsx(path: Path, rows: list[list[str]], merge_blank_levels: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    for r, row in enumerate(rows, 1):
        for c, text in enumerate(row, 1):
            if not text:
                continue
            value, fmt = _typed(text)
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # `=36处` is text, not a formula
            if fmt:
                cell.number_format = fmt
    if merge_blank_levels:
        _merge_level_columns(ws, rows)
    wb.save(path)
    return path


def _merge_level_columns(ws, rows: list[list[str]]) -> None:
    """Merge each 一级/二级 cell with the blank cells below it, as the printed table has them."""
    for col, first, end in _level_blocks(rows):
        ws.merge_cells(start_row=first + 1, start_column=col + 1, end_row=end + 1, end_column=col + 1)


def _level_blocks(rows: list[list[str]]) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of every 一级/二级 cell and the blank cells under it; a 二级
    block never crosses a new 一级 value."""
    header = next(i for i, r in enumerate(rows) if r and r[0] == "一级指标")
    blocks = []
    for col in (0, 1):
        for r in range(header + 1, len(rows)):
            if len(rows[r]) <= 2 or not rows[r][col]:
                continue
            end = r
            while (end + 1 < len(rows) and len(rows[end + 1]) > 2 and not rows[end + 1][col]
                   and not rows[end + 1][0]):
                end += 1
            if end > r:
                blocks.append((col, r, end))
    return blocks


def write_docx(path: Path, rows: list[list[str]], merge_blank_levels: bool = False) -> Path:
    """Lines without tabs as paragraphs, runs of tab lines as a table (in document order)."""
    document = docx.Document()
    block: list[list[str]] = []

    def flush() -> None:
        if not block:
            return
        width = max(len(r) for r in block)
        table = document.add_table(rows=len(block), cols=width)
        for i, row in enumerate(block):
            for j, text in enumerate(row):
                if text:
                    table.cell(i, j).text = text
        if merge_blank_levels:
            _merge_docx_levels(table, block)
        block.clear()

    for row in rows:
        if len(row) > 1:
            block.append(row)
        else:
            flush()
            document.add_paragraph(row[0])
    flush()
    document.save(path)
    return path


def _merge_docx_levels(table, block: list[list[str]]) -> None:
    if not any(r[0] == "一级指标" for r in block):
        return
    for col, first, end in _level_blocks(block):
        table.cell(first, col).merge(table.cell(end, col))
        table.cell(first, col).text = block[first][col]  # merge() joins the texts; keep the one


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def read_error(source: Path | bytes, name: str | None = None) -> ReadError:
    with pytest.raises(ReadError) as info:
        if isinstance(source, Path):
            read_path(source, name)
        else:
            read_bytes(source, name or "<bytes>")
    err = info.value
    assert "\n" not in str(err) and "Traceback" not in str(err)
    return err


# -- the same table in every format ---------------------------------------------------------------
@pytest.mark.parametrize("sample", TABLES)
def test_xlsx_same_indicators_as_txt(tmp_path: Path, sample: str) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", sample_rows(sample))
    src = read_path(path)
    assert src.format == "xlsx"
    assert key(path) == key(SAMPLES / sample)
    assert len(key(path)) >= 10


@pytest.mark.parametrize("sample", TABLES)
def test_xlsx_with_merged_cells(tmp_path: Path, sample: str) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", sample_rows(sample), merge_blank_levels=True)
    wb = openpyxl.load_workbook(path)
    assert wb.active.merged_cells.ranges  # the test really merges
    assert key(path) == key(SAMPLES / sample)
    # merged cells: the value in the top-left cell, the covered cells empty
    lines = read_path(path).text.splitlines()
    assert any(line.startswith("\t\t") for line in lines)


def test_xlsx_text_is_the_txt_text(tmp_path: Path) -> None:
    """Cell for cell, the sheet reads back as the tab file it was made from (numbers typed as
    numbers, `236.00` in a 0.00 format); only trailing empty cells are dropped."""
    sample = "tab_four_column.txt"
    path = write_xlsx(tmp_path / "t.xlsx", sample_rows(sample))
    expected = [line.rstrip("\t") for line in (SAMPLES / sample).read_text(encoding="utf-8").splitlines()]
    assert read_path(path).text.splitlines() == expected


@pytest.mark.parametrize("sample", TABLES)
def test_docx_same_indicators_as_txt(tmp_path: Path, sample: str) -> None:
    path = write_docx(tmp_path / "t.docx", sample_rows(sample))
    src = read_path(path)
    assert src.format == "docx"
    assert key(path) == key(SAMPLES / sample)


@pytest.mark.parametrize("sample", TABLES)
def test_docx_with_merged_cells(tmp_path: Path, sample: str) -> None:
    path = write_docx(tmp_path / "m.docx", sample_rows(sample), merge_blank_levels=True)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert b"vMerge" in xml
    assert key(path) == key(SAMPLES / sample)


def test_docx_grid_span_and_document_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("项目支出绩效目标表")
    table = document.add_table(rows=3, cols=4)
    for j, text in enumerate(["一级指标", "二级指标", "三级指标", "指标值"]):
        table.cell(0, j).text = text
    for j, text in enumerate(["产出指标", "数量指标", "培训人数", "≥50人"]):
        table.cell(1, j).text = text
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "满意度指标"
    table.cell(2, 2).text = "群众满意度"
    table.cell(2, 3).text = "≥90%"
    document.add_paragraph("填报说明：以上指标由单位填报。")
    second = document.add_table(rows=1, cols=2)
    second.cell(0, 0).text = "联系人"
    second.cell(0, 1).text = "张三"
    path = tmp_path / "order.docx"
    document.save(path)
    assert read_path(path).text == (
        "项目支出绩效目标表\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t培训人数\t≥50人\n"
        "满意度指标\t\t群众满意度\t≥90%\n"
        "填报说明：以上指标由单位填报。\n"
        "联系人\t张三\n")


def test_docx_cell_paragraphs_and_line_breaks(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "年度绩效目标"
    cell = table.cell(0, 1)
    cell.paragraphs[0].add_run("1.完成培训100人次")
    cell.add_paragraph("2.满意度达到90%")
    run = document.add_paragraph().add_run("第一行")
    run.add_break()
    run.add_text("第二行")
    path = tmp_path / "cells.docx"
    document.save(path)
    assert read_path(path).text == "年度绩效目标\t1.完成培训100人次 2.满意度达到90%\n第一行\n第二行\n"


def _add_chinese_numbering(document) -> int:
    """A list definition `一、` / `（一）` / `1.` as Chinese Word templates have it; its numId."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum", {qn("w:abstractNumId"): "90"})
    for ilvl, (fmt, text) in enumerate([("chineseCounting", "%1、"), ("chineseCounting", "（%2）"),
                                        ("decimal", "%3.")]):
        lvl = OxmlElement("w:lvl", {qn("w:ilvl"): str(ilvl)})
        lvl.append(OxmlElement("w:start", {qn("w:val"): "1"}))
        lvl.append(OxmlElement("w:numFmt", {qn("w:val"): fmt}))
        lvl.append(OxmlElement("w:lvlText", {qn("w:val"): text}))
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num", {qn("w:numId"): "90"})
    num.append(OxmlElement("w:abstractNumId", {qn("w:val"): "90"}))
    numbering.append(num)
    return 90


def _numbered(document, text: str, num_id: int, ilvl: int) -> None:
    p = document.add_paragraph(text)
    ppr = p._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    num_pr.append(OxmlElement("w:ilvl", {qn("w:val"): str(ilvl)}))
    num_pr.append(OxmlElement("w:numId", {qn("w:val"): str(num_id)}))
    ppr.append(num_pr)


def test_docx_automatic_list_numbers(tmp_path: Path) -> None:
    document = docx.Document()
    num = _add_chinese_numbering(document)
    document.add_paragraph("项目名称：乡村文化活动")
    _numbered(document, "产出指标", num, 0)
    _numbered(document, "数量指标", num, 1)
    _numbered(document, "举办农民文艺汇演1场", num, 2)
    _numbered(document, "为村级文化室购置图书600册", num, 2)
    _numbered(document, "质量指标", num, 1)
    _numbered(document, "图书入库验收合格率100%", num, 2)
    _numbered(document, "满意度指标", num, 0)
    _numbered(document, "观演群众满意度达到90%以上", num, 2)
    path = tmp_path / "numbered.docx"
    document.save(path)
    assert read_path(path).text.splitlines() == [
        "项目名称：乡村文化活动", "一、产出指标", "（一）数量指标", "1.举办农民文艺汇演1场",
        "2.为村级文化室购置图书600册", "（二）质量指标", "1.图书入库验收合格率100%", "二、满意度指标",
        "1.观演群众满意度达到90%以上"]
    texts = [i.text for i in extractor.extract(path)]
    assert "举办农民文艺汇演1场" in texts and "图书入库验收合格率100%" in texts
    levels = {i.text: (i.level1, i.level2) for i in extractor.extract(path)}
    assert levels["图书入库验收合格率100%"] == ("output", "quality")


@pytest.mark.parametrize("sample", TABLES)
@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("gb18030", ","),
                                                     ("utf-8", ";"), ("utf-16", "\t")])
def test_csv_same_indicators_as_txt(tmp_path: Path, sample: str, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "t.csv", sample_rows(sample), encoding, delimiter)
    src = read_path(path)
    assert src.format == "csv"
    assert key(path) == key(SAMPLES / sample)


def test_csv_quoted_cells() -> None:
    data = '三级指标,指标值\n"培训人数，含\n乡村干部",">=50人"\n"说明, 含逗号",""\n'.encode()
    src = read_bytes(data, "q.csv")
    assert src.text == "三级指标\t指标值\n培训人数，含 乡村干部\t>=50人\n说明, 含逗号\n"


# -- numbers and dates as the cell shows them -----------------------------------------------------
@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (54.0, "General", "54"), (54, "General", "54"), (0.1 + 0.2, "General", "0.3"),
    (0.95, "0%", "95%"), (0.955, "0.0%", "95.5%"), (1, "0%", "100%"), (236, "0.00", "236.00"),
    (1200, "#,##0", "1200"), (1200, '#,##0"人"', "1200人"), (4.5, '0.00"万元"', "4.50万元"),
    (-5, "0.00;[Red]-0.00", "-5.00"), (-5, "0.00;(0.00)", "(5.00)"), (-5, "0.00", "-5.00"),
    (12345678901, "General", "12345678901"), (3.14159, "@", "3.14159"), (1.5e-7, "General", "1.5e-07"),
    (2.5, "0.00E+00", "2.5"), (0.0, "0.00", "0.00"), (True, None, "TRUE"),
])
def test_render_number(value: object, fmt: str | None, shown: str) -> None:
    assert render_value(value, fmt) == shown


def test_render_dates() -> None:
    assert render_value(dt.datetime(2024, 6, 30), 'yyyy"年"m"月"d"日"') == "2024年6月30日"
    assert render_value(dt.datetime(2024, 6, 30), "yyyy/m/d") == "2024-06-30"
    assert render_value(dt.datetime(2024, 6, 30, 14, 30), "yyyy/m/d h:mm") == "2024-06-30 14:30"
    assert render_value(dt.time(9, 15), "h:mm") == "09:15"
    assert render_number(0.5, "0.0") == "0.5"


def test_xlsx_cells_render_as_shown(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["三级指标", "指标值"])
    ws.append(["群众满意度", 0.95])
    ws["B2"].number_format = "0%"
    ws.append(["完成时间", dt.datetime(2024, 6, 30)])
    ws["B3"].number_format = 'yyyy"年"m"月"d"日"'
    ws.append(["资金", 54.0])
    path = tmp_path / "fmt.xlsx"
    wb.save(path)
    assert read_path(path).text == "三级指标\t指标值\n群众满意度\t95%\n完成时间\t2024年6月30日\n资金\t54\n"


def test_xlsx_sheets_offsets_and_hidden(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "封面"
    first["B2"] = "项目支出绩效目标表"
    first["B4"] = "项目名称"
    first["C4"] = "养老服务补贴"
    first["C5"] = "多行\n单元格"
    second = wb.create_sheet("指标")
    second.append(["三级指标", "指标值"])
    second.append(["补贴发放人数", "≥1200人"])
    hidden = wb.create_sheet("下拉选项")
    hidden.append(["数量指标"])
    hidden.sheet_state = "hidden"
    wb.create_sheet("空表")
    # a stray formatted cell far away must not make the reader walk a million rows
    second.cell(1_000_000, 16_000).number_format = "0.00"
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    assert read_path(path).text == (
        "项目支出绩效目标表\n\n项目名称\t养老服务补贴\n\t多行 单元格\n\n三级指标\t指标值\n补贴发放人数\t≥1200人\n")


# -- xls: a real BIFF8 workbook, written here (no xls writer is installed) --------------------------
def _record(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _biff8(rows: list[list[object]], merges: list[tuple[int, int, int, int]] = (),
           formats: dict[tuple[int, int], int] | None = None) -> bytes:
    """A one-sheet BIFF8 workbook stream: strings as LABEL, numbers as NUMBER records."""
    formats = formats or {}
    custom = {164: "0.00", 165: 'yyyy"年"m"月"d"日"'}
    fmt_keys = [0, 9, 164, 165]  # XF 16.. → these format keys (9 is the built-in "0%")
    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))  # noqa: E731
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                   + struct.pack("<BB", 5, 1) + "Arial".encode("utf-16-le"))
    fmts = b"".join(_record(0x041E, struct.pack("<HHB", k, len(s), 1) + s.encode("utf-16-le"))
                    for k, s in custom.items())
    style_xf = _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    cell_xfs = b"".join(_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, k, 0x0001, 0x20, 0, 0, 0xF8, 0, 0,
                                                    0x20C0)) for k in fmt_keys)
    name = "绩效目标表".encode("utf-16-le")

    def globals_(offset: int) -> bytes:
        sheet = _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, 5, 1) + name)
        return (bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + _record(0x0022, b"\0\0") + font * 5
                + fmts + style_xf * 16 + cell_xfs + sheet + _record(0x000A, b""))

    body = [bof(0x0010), _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            xf = 16 + fmt_keys.index(formats.get((r, c), 0))
            if isinstance(value, str) and value:
                text = value.encode("utf-16-le")
                body.append(_record(0x0204, struct.pack("<HHHHB", r, c, xf, len(value), 1) + text))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                body.append(_record(0x0203, struct.pack("<HHHd", r, c, xf, float(value))))
    if merges:
        body.append(_record(0x00E5, struct.pack("<H", len(merges))
                            + b"".join(struct.pack("<HHHH", *m) for m in merges)))
    body.append(_record(0x000A, b""))
    offset = len(globals_(0))
    return globals_(offset) + b"".join(body)


def _ole(stream_name: str, stream: bytes) -> bytes:
    """A minimal OLE compound file (512-byte sectors) holding one stream of at least 4096 bytes."""
    stream = stream + b"\0" * max(0, 4096 - len(stream))
    stream += b"\0" * (-len(stream) % 512)
    n = len(stream) // 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sect, end] + [3 + i if i < n - 1 else end for i in range(n)]
    fat += [free] * (128 - len(fat))
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", free, free, child) + b"\0" * 36 + struct.pack("<III", start, size, 0))

    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, free, 2, len(stream))
    directory += b"\0" * (512 - len(directory))
    return header + struct.pack("<128I", *fat) + directory + stream


def test_xls_same_indicators_as_txt(tmp_path: Path) -> None:
    sample = "tab_four_column.txt"
    rows: list[list[object]] = []
    formats = {}
    for r, row in enumerate(sample_rows(sample)):
        out: list[object] = []
        for c, text in enumerate(row):
            value, fmt = _typed(text)
            out.append(value)
            if fmt:
                formats[(r, c)] = 164
        rows.append(out)
    path = tmp_path / "t.xls"
    path.write_bytes(_ole("Workbook", _biff8(rows, formats=formats)))
    src = read_path(path)
    assert src.format == "xls"
    assert "项目资金（万元）\t年度资金总额\t236.00" in src.text.splitlines()
    assert key(path) == key(SAMPLES / sample)


def test_xls_merged_cells_percent_and_dates(tmp_path: Path) -> None:
    rows = [["三级指标", "指标值"], ["群众满意度", 0.95], ["完成时间", 45473.0], ["合并", "保留"],
            ["", "被覆盖的值"]]
    data = _ole("Workbook", _biff8(rows, merges=[(3, 4, 1, 1)], formats={(1, 1): 9, (2, 1): 165}))
    src = read_bytes(data, "m.xls")
    assert src.text == "三级指标\t指标值\n群众满意度\t95%\n完成时间\t2024年6月30日\n合并\t保留\n"


def test_xls_damaged(tmp_path: Path) -> None:
    data = _ole("Workbook", b"\x09\x08\x10\x00garbage" * 10)
    err = read_error(data, "bad.xls")
    assert err.reason == "corrupt"
    assert "bad.xls" in str(err)


def test_encrypted_office_file() -> None:
    data = _ole("EncryptedPackage", b"\0" * 5000)
    err = read_error(data, "secret.xlsx")
    assert err.reason == "encrypted"


# -- web archives and Excel 2003 XML, both often named .doc / .xls ---------------------------------------
def test_mhtml_named_doc(tmp_path: Path) -> None:
    html = ("<html><body><p>项目支出绩效目标表</p><table><tr><td>一级指标</td><td>二级指标</td>"
            "<td>三级指标</td><td>指标值</td></tr><tr><td>产出指标</td><td>数量指标</td>"
            "<td>培训人数</td><td>&ge;50人</td></tr></table></body></html>")
    import quopri

    body = quopri.encodestring(html.encode("gb2312")).decode("ascii")
    data = ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart_01\"\r\n\r\n"
            "------=_NextPart_01\r\nContent-Location: file:///C:/x.htm\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"gb2312\"\r\n\r\n"
            f"{body}\r\n------=_NextPart_01--\r\n").encode("ascii")
    path = tmp_path / "web.doc"
    path.write_bytes(data)
    src = read_path(path)
    assert src.format == "mhtml"
    assert src.text == ("项目支出绩效目标表\n一级指标\t二级指标\t三级指标\t指标值\n"
                        "产出指标\t数量指标\t培训人数\t≥50人\n")
    assert [i.text for i in extractor.extract(path)] == ["培训人数\t≥50人"]


SPREADSHEET_ML = """<?xml version="1.0" encoding="gb2312"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Styles><Style ss:ID="pct"><NumberFormat ss:Format="0%"/></Style>
  <Style ss:ID="fix"><NumberFormat ss:Format="Fixed"/></Style></Styles>
 <Worksheet ss:Name="绩效目标表"><Table>
  <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">项目支出绩效目标表</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">项目资金</Data></Cell>
   <Cell ss:StyleID="fix"><Data ss:Type="Number">236</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">一级指标</Data></Cell><Cell><Data ss:Type="String">二级指标</Data></Cell>
   <Cell><Data ss:Type="String">三级指标</Data></Cell><Cell><Data ss:Type="String">指标值</Data></Cell></Row>
  <Row><Cell ss:MergeDown="1"><Data ss:Type="String">产出指标</Data></Cell>
   <Cell><Data ss:Type="String">数量指标</Data></Cell>
   <Cell><Data ss:Type="String">培训人数</Data></Cell><Cell><Data ss:Type="String">≥50人</Data></Cell></Row>
  <Row><Cell ss:Index="2"><Data ss:Type="String">质量指标</Data></Cell>
   <Cell><Data ss:Type="String">培训合格率</Data></Cell>
   <Cell ss:StyleID="pct"><Data ss:Type="Number">0.95</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="选项"><Table><Row><Cell><Data ss:Type="String">数量指标</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>
"""


def test_spreadsheetml_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes(SPREADSHEET_ML.encode("gb18030"))
    src = read_path(path)
    assert src.format == "spreadsheetml"
    assert src.text == ("项目支出绩效目标表\n项目资金\t236.00\n一级指标\t二级指标\t三级指标\t指标值\n"
                        "产出指标\t数量指标\t培训人数\t≥50人\n\t质量指标\t培训合格率\t95%\n")
    inds = extractor.extract(path)
    assert [(i.text, i.level2) for i in inds] == [("培训人数\t≥50人", "quantity"), ("培训合格率\t95%", "quality")]


def test_damaged_spreadsheetml() -> None:
    data = SPREADSHEET_ML[: len(SPREADSHEET_ML) // 2].encode("utf-8")
    assert read_error(data, "cut.xls").reason == "corrupt"


# -- .doc: an external converter, or a clear error --------------------------------------------------
def _fake_tool(directory: Path, tool: str, script: str) -> None:
    path = directory / tool
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _tool(command: str) -> str:
    """A system command by its full path: the tests below empty PATH."""
    found = shutil.which(command, path=os.defpath)
    if not found:
        pytest.skip(f"no {command} on this system")
    return found


@pytest.fixture
def no_converters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_doc_without_converter_needs_conversion(no_converters: Path) -> None:
    data = _ole("WordDocument", b"\xec\xa5" + b"\0" * 5000)
    err = read_error(data, "old.doc")
    assert err.reason == "needs_conversion"
    assert ".docx" in str(err) and "old.doc" in str(err)


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-in for antiword")
def test_doc_with_antiword(no_converters: Path) -> None:
    _fake_tool(no_converters, "antiword", f"{_tool('cat')} <<'EOF'\n{ANTIWORD_DOCBOOK}EOF\n")
    src = read_bytes(_ole("WordDocument", b"\0" * 5000), "old.doc")
    assert src.format == "doc"
    assert [i.text for i in extractor.extract(_ole("WordDocument", b"\0" * 5000), "old.doc")] == [
        "培训人数\t≥50人"]
    assert src.text.startswith("项目支出绩效目标表\n\n一级指标\t二级指标")


# What `antiword -x db` writes: paragraphs, and tables whose cells stay whole however long.
ANTIWORD_DOCBOOK = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.1.2//EN"
	"http://www.oasis-open.org/docbook/xml/4.1.2/docbookx.dtd">
<book lang='en_US'>
 <bookinfo><author><surname>某单位</surname></author></bookinfo>
 <chapter>
<title/>
  <para>
项目支出绩效目标表
  </para>
  <para>

   <informaltable frame='none'><tgroup cols='4'><colspec colwidth='108.00pt'/><tbody>
      <row><entry>
一级指标
       </entry><entry>
二级指标
       </entry><entry>
三级指标
       </entry><entry>
指标值
       </entry></row>
      <row><entry>
产出指标
       </entry><entry>
数量指标
       </entry><entry>
培训人数
       </entry><entry>
≥50人
       </entry></row>
   </tbody></tgroup></informaltable>
  </para>
 </chapter>
</book>
"""


def test_antiword_docbook_keeps_long_cells_whole() -> None:
    from extractor.readers.office import docbook_text

    long_cell = "对全县通客车线路中的临水临崖、急弯陡坡路段实施安全生命防护工程，增设护栏和警示标志。"
    xml = ANTIWORD_DOCBOOK.replace("培训人数", long_cell).encode("utf-8")
    assert docbook_text(xml, "a.doc").splitlines() == [
        "项目支出绩效目标表", "", "一级指标\t二级指标\t三级指标\t指标值", f"产出指标\t数量指标\t{long_cell}\t≥50人"]
    with pytest.raises(ReadError) as info:
        docbook_text(b"<book><para>cut", "a.doc")
    assert info.value.reason == "conversion_failed"


# A real .doc through a real converter, when one is installed (LibreOffice or antiword).
DOC_FIXTURE = Path(__file__).parent / "fixtures" / "tab_four_column.doc"


@pytest.mark.parametrize("tool", ["antiword", "soffice"])
def test_real_doc_through_an_installed_converter(tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import office

    found = shutil.which(tool)
    if not found:
        pytest.skip(f"{tool} is not installed")
    monkeypatch.setattr(office, "converters", lambda: {tool: found})
    assert read_path(DOC_FIXTURE).format == "doc"
    assert key(DOC_FIXTURE) == key(SAMPLES / "tab_four_column.txt")


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-in for soffice")
def test_doc_with_soffice(no_converters: Path, tmp_path: Path) -> None:
    converted = write_docx(tmp_path / "converted.docx", sample_rows("tab_four_column.txt"))
    # soffice … --outdir DIR FILE writes DIR/<stem>.docx
    _fake_tool(no_converters, "soffice",
               'while [ $# -gt 0 ]; do if [ "$1" = --outdir ]; then out="$2"; fi; shift; done\n'
               f'{_tool("mkdir")} -p "$out" && {_tool("cp")} "{converted}" "$out/input.docx"\n')
    path = tmp_path / "old.doc"
    path.write_bytes(_ole("WordDocument", b"\0" * 5000))
    assert read_path(path).format == "doc"
    assert key(path) == key(SAMPLES / "tab_four_column.txt")


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins")
def test_converter_failure_and_timeout(no_converters: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import office

    _fake_tool(no_converters, "antiword", "echo 'is not a Word Document' >&2\nexit 1\n")
    err = read_error(_ole("WordDocument", b"\0" * 5000), "bad.doc")
    assert err.reason == "conversion_failed" and "not a Word Document" in str(err)
    _fake_tool(no_converters, "antiword", f"{_tool('sleep')} 30\n")
    monkeypatch.setattr(office, "CONVERT_TIMEOUT", 0.5)
    err = read_error(_ole("WordDocument", b"\0" * 5000), "slow.doc")
    assert err.reason == "timeout"


# -- PDF: dispatched to extractor.readers.pdf when it exists ---------------------------------------
def test_pdf_without_pdf_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "extractor.readers.pdf", None)  # the module is not there
    err = read_error(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "a.pdf")
    assert err.reason == "unsupported_format" and "PDF" in str(err)


def test_pdf_goes_to_the_pdf_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    fake = types.ModuleType("extractor.readers.pdf")
    fake.read_pdf = lambda data, name: "三级指标\t指标值\n培训人数\t≥50人\n"
    monkeypatch.setitem(sys.modules, "extractor.readers.pdf", fake)
    src = read_bytes(b"%PDF-1.7\n...", "a.txt")  # the signature wins over the extension
    assert (src.format, src.text) == ("pdf", "三级指标\t指标值\n培训人数\t≥50人\n")

    def broken(data: bytes, name: str) -> str:
        raise KeyError("/Root")

    fake.read_pdf = broken
    err = read_error(b"%PDF-1.7\n...", "b.pdf")
    assert err.reason == "corrupt" and "b.pdf" in str(err)


# -- wrong names, damaged and empty files ---------------------------------------------------------------
def test_xlsx_named_txt_is_read_as_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", sample_rows("tab_four_column.txt"))
    renamed = tmp_path / "really_xlsx.txt"
    renamed.write_bytes(path.read_bytes())
    assert read_path(renamed).format == "xlsx"
    assert key(renamed) == key(SAMPLES / "tab_four_column.txt")


def test_docx_named_xlsx_is_read_as_docx(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "t.docx", sample_rows("split_columns_words.txt"))
    renamed = tmp_path / "wrong.xlsx"
    renamed.write_bytes(path.read_bytes())
    assert read_path(renamed).format == "docx"
    assert key(renamed) == key(SAMPLES / "split_columns_words.txt")


@pytest.mark.parametrize("suffix", [".xls", ".doc", ".tsv", ".md", ""])
def test_text_named_as_legacy_office_file_is_read_as_text(tmp_path: Path, suffix: str) -> None:
    """Web systems export tab text as .xls and .doc: read it, whatever the name says."""
    renamed = tmp_path / f"really_text{suffix}"
    renamed.write_bytes((SAMPLES / "tab_four_column.txt").read_bytes())
    assert read_path(renamed).format == "text"
    assert key(renamed) == key(SAMPLES / "tab_four_column.txt")


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf", ".zip"])
def test_text_named_as_signed_format_is_an_error(tmp_path: Path, suffix: str) -> None:
    """An .xlsx, .docx, .pdf or .zip always starts with its signature: plain text under such a
    name is not what it says (HTML is, see below)."""
    renamed = tmp_path / f"really_text{suffix}"
    renamed.write_bytes((SAMPLES / "tab_four_column.txt").read_bytes())
    err = read_error(renamed)
    assert err.reason == "corrupt"
    assert "plain text" in str(err) and suffix in str(err)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".doc"])
def test_html_under_an_office_name_is_read_as_html(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"export{suffix}"
    path.write_text("<html><body><table><tr><td>三级指标</td><td>指标值</td></tr>"
                    "<tr><td>培训人数</td><td>&ge;50人</td></tr></table></body></html>", encoding="utf-8")
    src = read_path(path)
    assert (src.format, src.text) == ("html", "三级指标\t指标值\n培训人数\t≥50人\n")


def test_html_named_xls_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<table><tr><td>三级指标</td><td>指标值</td></tr>"
                    "<tr><td>培训人数</td><td>&ge;50人</td></tr></table>", encoding="gb18030")
    src = read_path(path)
    assert src.format == "html"
    assert src.text == "三级指标\t指标值\n培训人数\t≥50人\n"


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".xls", ".doc", ".csv", ".zip", ".txt"])
def test_zero_byte_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert read_error(path).reason == "empty"


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_truncated_office_files(tmp_path: Path, suffix: str) -> None:
    writer = write_xlsx if suffix == ".xlsx" else write_docx
    full = writer(tmp_path / f"full{suffix}", sample_rows("tab_four_column.txt")).read_bytes()
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(full[: len(full) // 2])
    err = read_error(path)
    assert err.reason == "corrupt"
    assert str(path) in str(err)


def test_xlsx_with_a_broken_part(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", sample_rows("tab_four_column.txt"))
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"<worksheet><sheetData><row" if info.filename.endswith("sheet1.xml") else data)
    err = read_error(path)
    assert err.reason == "corrupt" and "xlsx" in str(err)


def test_docx_with_a_broken_part(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx", sample_rows("tab_four_column.txt"))
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"<w:document" if info.filename == "word/document.xml" else data)
    assert read_error(path).reason == "corrupt"


def test_random_bytes_under_any_name(tmp_path: Path) -> None:
    path = tmp_path / "noise.docx"
    path.write_bytes(bytes(range(256)) * 40)
    err = read_error(path)
    assert err.reason == "corrupt" and "binary data" in str(err)
    path = tmp_path / "noise.xls"
    path.write_bytes(bytes(range(256)) * 40)
    assert read_error(path).reason == "binary"


def test_other_zip_based_and_foreign_files() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p/>")
    assert read_error(buf.getvalue(), "slides.pptx").reason == "unsupported_format"
    assert read_error(b"Rar!\x1a\x07\x00" + b"\0" * 50, "a.rar").reason == "unsupported_format"


def test_rtf_without_converter_needs_conversion(no_converters: Path) -> None:
    assert read_error(b"{\\rtf1\\ansi hello}", "a.rtf").reason == "needs_conversion"


def test_rtf_through_libreoffice_when_installed() -> None:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    rtf = b"{\\rtf1\\ansi \\u32489?\\u25928?\\u25351?\\u26631? hello}"  # 绩效指标 as RTF escapes
    assert read_bytes(rtf, "a.rtf").text.strip() == "绩效指标 hello"


def test_xlsx_that_is_a_zip_bomb(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", sample_rows("tab_four_column.txt"))
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (20 * 2**20))
    assert read_error(path).reason == "zip_bomb"


# -- ZIP archives -----------------------------------------------------------------------------------
def _patch_flag(data: bytes, name: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit on a member, in its local and its central header."""
    out = bytearray(data)
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = out.find(signature)
        while pos >= 0:
            length = struct.unpack_from("<H", out, pos + name_at - (4 if signature == b"PK\x03\x04" else 18))[0]
            if bytes(out[pos + name_at: pos + name_at + length]) == name:
                flags = struct.unpack_from("<H", out, pos + flag_at)[0]
                struct.pack_into("<H", out, pos + flag_at, flags | bit)
            pos = out.find(signature, pos + 4)
    return bytes(out)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("archive")
    xlsx = write_xlsx(tmp_path / "x.xlsx", sample_rows("tab_four_column.txt")).read_bytes()
    docx_ = write_docx(tmp_path / "d.docx", sample_rows("split_columns_words.txt")).read_bytes()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nested/table.csv", (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")
                   .replace("\t", ","))
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("2024/表一.xlsx", xlsx)
        z.writestr("2024/表二.docx", docx_)
        z.writestr("2024/", b"")
        z.writestr("__MACOSX/2024/._表一.xlsx", b"\0\x05\x16\x07")
        z.writestr("plain.txt", (SAMPLES / "tab_four_column.txt").read_bytes())
        z.writestr("bomb.txt", b"\0" * (50 * 2**20))
        z.writestr("secret.txt", b"nothing to see")
        z.writestr("inner.zip", inner.getvalue())
    path.write_bytes(_patch_flag(path.read_bytes(), b"secret.txt", 0x1))
    return path


def test_iter_archive_members(archive: Path) -> None:
    got = dict(iter_archive(archive))
    label = str(archive)
    assert list(got) == [f"{label}!2024/表一.xlsx", f"{label}!2024/表二.docx", f"{label}!plain.txt",
                         f"{label}!bomb.txt", f"{label}!secret.txt",
                         f"{label}!inner.zip!nested/table.csv"]
    assert list_archive(archive) == list(got)
    bomb, secret = got[f"{label}!bomb.txt"], got[f"{label}!secret.txt"]
    assert isinstance(bomb, ReadError) and bomb.reason == "zip_bomb"
    assert isinstance(secret, ReadError) and secret.reason == "encrypted"
    assert str(bomb).startswith(f"{label}!bomb.txt: ")
    tab = key(SAMPLES / "tab_four_column.txt")
    for member in ("2024/表一.xlsx", "plain.txt", "inner.zip!nested/table.csv"):
        data = got[f"{label}!{member}"]
        assert isinstance(data, bytes)
        assert key(data, f"{label}!{member}") == tab, member
    assert read_bytes(got[f"{label}!inner.zip!nested/table.csv"], "a.zip!t.csv").format == "csv"
    assert key(got[f"{label}!2024/表二.docx"], "x") == key(SAMPLES / "split_columns_words.txt")


def test_archive_member(archive: Path) -> None:
    assert archive_member(archive, "plain.txt") == (SAMPLES / "tab_four_column.txt").read_bytes()
    assert archive_member(archive, "inner.zip!nested/table.csv").startswith("项目支出".encode())
    with pytest.raises(ReadError) as info:
        archive_member(archive, "bomb.txt", "bundle.zip!bomb.txt")
    assert info.value.reason == "zip_bomb" and str(info.value).startswith("bundle.zip!bomb.txt: ")
    with pytest.raises(ReadError) as info:
        archive_member(archive, "secret.txt")
    assert info.value.reason == "encrypted"
    with pytest.raises(ReadError) as info:
        archive_member(archive, "missing.txt")
    assert info.value.reason == "not_found"


def test_whole_archive_through_read_path(archive: Path) -> None:
    err = read_error(archive)
    assert err.reason == "archive" and "iter_archive" in str(err)


def test_truncated_zip(archive: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[:5000])
    with pytest.raises(ReadError) as info:
        list(iter_archive(cut))
    assert info.value.reason == "corrupt" and "cut.zip" in str(info.value)
    assert read_error(cut).reason == "corrupt"


def test_archive_limits(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(5):
            z.writestr(f"f{i}.txt", "x" * 1000)
    got = list(iter_archive(path, "many.zip", limits=Limits(max_members=3)))
    assert [n for n, d in got if isinstance(d, bytes)] == ["many.zip!f0.txt", "many.zip!f1.txt",
                                                           "many.zip!f2.txt"]
    assert len(got) == 5  # every member has its entry: the two past the limit say which limit
    assert all(isinstance(d, ReadError) and d.reason == "too_large" and "3-member limit" in str(d)
               for _, d in got[3:])
    got = list(iter_archive(path, "many.zip", limits=Limits(max_total=2500)))
    reasons = [d.reason if isinstance(d, ReadError) else "ok" for _, d in got]
    assert reasons == ["ok", "ok", "too_large", "too_large", "too_large"]


def _understate(data: bytes, name: bytes, size: int) -> bytes:
    """The ZIP `data` with the uncompressed size of member `name` set to `size` in both its local
    header and its central directory entry: a directory that lies."""
    out = bytearray(data)
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = out.find(signature)
        while pos >= 0:
            if bytes(out[pos + name_at: pos + name_at + len(name)]) == name:
                struct.pack_into("<I", out, pos + size_at, size)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def test_a_directory_that_understates_sizes_is_caught_by_counting_real_bytes(tmp_path: Path) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"0" * (8 * 2**20))  # 8 MB that packs to about 8 kB
        z.writestr("ok.txt", "项目名称\t测试")
    path.write_bytes(_understate(path.read_bytes(), b"zeros.txt", 9000))  # claims a 9 kB member
    got = dict(iter_archive(path, "liar.zip"))
    assert isinstance(got["liar.zip!zeros.txt"], ReadError) and got["liar.zip!zeros.txt"].reason == "zip_bomb"
    assert got["liar.zip!ok.txt"] == "项目名称\t测试".encode()


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_part_that_understates_its_size_is_refused_before_the_library_reads_it(tmp_path: Path, kind: str) -> None:
    """python-docx reads a part whole, in one call: 400 MB hidden behind a 9 kB directory entry
    took 870 MB. Scaled down: 16 MB behind it must never come out whole."""
    import tracemalloc

    writer, part = (write_xlsx, b"xl/worksheets/sheet1.xml") if kind == "xlsx" else (write_docx, b"word/document.xml")
    book = writer(tmp_path / f"x.{kind}", sample_rows("tab_four_column.txt")).read_bytes()
    padded = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            extra = b" " * (16 * 2**20) if info.filename == part.decode() else b""  # after the root element
            z.writestr(info.filename, source.read(info.filename) + extra)
    liar = _understate(padded.getvalue(), part, 9000)
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as info:
            read_bytes(liar, f"liar.{kind}")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.reason == "zip_bomb"
    assert peak < 8 * 2**20  # the 16 MB behind the lie never came out whole


def test_listing_an_archive_does_not_decompress_its_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import archive as archive_module

    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"t{i}.txt", "项目名称\t测试\n" * 1000)
    calls: list[str] = []
    real = archive_module._counted
    monkeypatch.setattr(archive_module, "_counted", lambda *a, **k: calls.append("read") or real(*a, **k))
    assert len(list_archive(path)) == 3
    assert calls == []


def test_nested_more_than_one_level(tmp_path: Path) -> None:
    level2 = io.BytesIO()
    with zipfile.ZipFile(level2, "w") as z:
        z.writestr("deep.txt", "x")
    level1 = io.BytesIO()
    with zipfile.ZipFile(level1, "w") as z:
        z.writestr("level2.zip", level2.getvalue())
        z.writestr("ok.txt", "y")
    path = tmp_path / "outer.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("level1.zip", level1.getvalue())
    got = dict(iter_archive(path, "outer.zip"))
    assert got["outer.zip!level1.zip!ok.txt"] == b"y"
    err = got["outer.zip!level1.zip!level2.zip"]
    assert isinstance(err, ReadError) and err.reason == "too_deep"
    with pytest.raises(ReadError) as info:
        archive_member(path, "level1.zip!level2.zip!deep.txt")
    assert info.value.reason == "too_deep"


def test_gbk_member_names(tmp_path: Path) -> None:
    gbk = "绩效目标表.txt".encode("gbk")
    placeholder = b"x" * (len(gbk) - 4) + b".txt"
    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(placeholder.decode(), "项目名称\t测试".encode("gbk"))
    path.write_bytes(path.read_bytes().replace(placeholder, gbk))
    names = [n for n, _ in iter_archive(path, "gbk.zip")]
    assert names == ["gbk.zip!绩效目标表.txt"]
    raw_name = zipfile.ZipFile(path).namelist()[0]  # what zipfile itself calls it (cp437)
    assert archive_member(path, raw_name) == archive_member(path, "绩效目标表.txt")


def test_archive_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        list(iter_archive(path))
    assert info.value.reason == "corrupt"
    with pytest.raises(ReadError) as info:
        list(iter_archive(tmp_path / "missing.zip"))
    assert info.value.reason == "not_found"


# -- housekeeping -----------------------------------------------------------------------------------
def test_import_stays_light() -> None:
    code = ("import sys, extractor, extractor.readers; "
            "print(sorted(m for m in ('openpyxl', 'docx', 'xlrd', 'pdfplumber') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.stdout.strip() == "[]"


def test_utf16_csv_bom() -> None:
    data = codecs.BOM_UTF16_LE + "三级指标,指标值\n培训人数,≥50人\n".encode("utf-16-le")
    src = read_bytes(data, "u.csv")
    assert (src.format, src.encoding, src.text) == ("csv", "utf-16", "三级指标\t指标值\n培训人数\t≥50人\n")


def test_archive_module_defaults() -> None:
    assert archive_mod.MAX_TOTAL_BYTES == 500 * 2**20
    assert archive_mod.MAX_MEMBERS == 10_000
    assert archive_mod.MAX_RATIO == 100
