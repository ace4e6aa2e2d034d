"""Office files → source text in the shape the text reader gives.

- xlsx (openpyxl) and xls (xlrd): every visible sheet in order, a blank line between sheets;
  each row one line of tab-separated cells; a merged range gives its value in its top-left
  cell and leaves the other cells empty, as a text export does; numbers as the cell shows them
  (`54.0` → `54`, `0.95` in a percent format → `95%`, `236` in `0.00` → `236.00`); dates as
  `2024年6月30日` when the format is Chinese, else `2024-06-30`; formulas by their last computed
  value (a formula never computed, as written by a script, reads as empty).
- docx (python-docx): the body's paragraphs and tables in document order; automatic list
  numbers (`一、`, `(一)`, `1.`) put in front of their paragraphs as Word shows them; table
  rows as tab lines, a horizontally merged cell (gridSpan) as its value then empty cells, a
  vertically merged one (vMerge) as its value in its first row and empty cells below.
- doc (and .wps, .rtf, .odt, .ods): converted with LibreOffice (`soffice`) or, for Word files,
  `antiword` when one is on PATH; otherwise a `needs_conversion` ReadError.

The libraries are imported inside the functions, so `import extractor` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractor.errors import ReadError
from extractor.limits import MAX_MERGED_CELLS
from extractor.readers.archive import check_container
from extractor.readers.tabular import cell_text, join_blocks, render_rows, row_line

READ_HIDDEN_SHEETS = False  # hidden sheets of budget workbooks hold drop-down lists, not tables
CONVERT_TIMEOUT = 120.0  # seconds for one external conversion


# -- numbers as a spreadsheet shows them ----------------------------------------------------------
_CODES = re.compile(r"\[[^\]]*\]|_.|\*.")  # colours, locales, conditions; padding and fill


def render_value(value: Any, number_format: str | None = None) -> str:
    """A cell value as text, formatted the way the cell displays it where that is simple."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _render_date(value, number_format or "")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        return render_number(float(value) if isinstance(value, float) else value, number_format or "General")
    return str(value)


def render_number(value: float | int, number_format: str = "General") -> str:
    sections = _sections(number_format)
    section = sections[0]
    sign = "-" if value < 0 else ""
    if value < 0 and len(sections) > 1 and _CODES.sub("", sections[1]).strip():
        section, sign = sections[1], ""  # the negative section writes its own sign, if any
    core = _CODES.sub("", section)
    if core.strip().lower() in ("general", "@", "") or not any(c in _unquoted(core) for c in "0#?"):
        return sign + _general(abs(value))
    if re.search(r"[eE][+-]", _unquoted(core)):
        return sign + _general(abs(value))
    prefix, suffix, decimals, percent = _parse_pattern(core)
    shown = abs(value) * 100 ** percent
    digits = f"{shown:.{decimals}f}"
    if float(digits) == 0:
        sign = ""
    return f"{prefix}{sign}{digits}{suffix}"


def _general(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def _sections(fmt: str) -> list[str]:
    out, current, quoted = [], [], False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


def _unquoted(fmt: str) -> str:
    return re.sub(r'"[^"]*"|\\.', "", fmt)


def _parse_pattern(fmt: str) -> tuple[str, str, int, int]:
    """(literal text before the number, literal text after it, decimals, percent signs)."""
    prefix: list[str] = []
    suffix: list[str] = []
    decimals = percent = 0
    seen_digit = in_decimals = False
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        literal = None
        if ch == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) if end < 0 else end
            literal, i = fmt[i + 1:end], end
        elif ch == "\\" and i + 1 < len(fmt):
            literal, i = fmt[i + 1], i + 1
        elif ch in "0#?":
            seen_digit = True
            if in_decimals:
                decimals += 1
        elif ch == "." and (seen_digit or fmt[i + 1:i + 2] in ("0", "#", "?")):
            in_decimals = True
        elif ch == ",":
            pass  # thousands separator: left out, as a number is written in the documents
        elif ch == "%":
            percent += 1
            literal = "%"
        else:
            literal = ch
        if literal:
            (suffix if seen_digit else prefix).append(literal)
        i += 1
    return "".join(prefix).strip(), "".join(suffix).rstrip(), decimals, percent


def _render_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    has_time = isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) != (0, 0, 0)
    if "年" in fmt or "月" in fmt:
        text = f"{value.year}年{value.month}月{value.day}日"
    else:
        text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if has_time:
        assert isinstance(value, dt.datetime)
        text += value.strftime(" %H:%M:%S" if value.second else " %H:%M")
    return text


def _grid_lines(cells: dict[tuple[int, int], str]) -> list[str]:
    """Lines of a sheet given {(row, col): text} (0- or 1-based alike): the sheet's first used
    column becomes the first cell, a run of empty rows one blank line."""
    if not cells:
        return []
    first_col = min(c for _, c in cells)
    rows: dict[int, dict[int, str]] = {}
    for (r, c), text in cells.items():
        rows.setdefault(r, {})[c - first_col] = text
    lines: list[str] = []
    last = None
    for r in sorted(rows):
        row = rows[r]
        line = render_rows([[row.get(c, "") for c in range(max(row) + 1)]])
        if not line:
            continue
        if last is not None and r > last + 1 and lines and lines[-1]:
            lines.append("")
        lines.extend(line)
        last = r
    return lines


# -- xlsx ---------------------------------------------------------------------------------------
def read_xlsx(data: bytes, name: str) -> str:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ReadError(name, f"reading .xlsx needs openpyxl ({exc})", "unsupported_format") from exc
    with zipfile.ZipFile(io.BytesIO(data)) as container:
        check_container(container, name)
        _check_merged_xlsx(container, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported" and kin
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    try:
        blocks = [_xlsx_sheet(ws) for ws in book.worksheets
                  if READ_HIDDEN_SHEETS or getattr(ws, "sheet_state", "visible") == "visible"]
    finally:
        book.close()
    return join_blocks(blocks)


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\"")
_MERGE_TAIL = 256  # bytes kept between chunks, so an element cut by a chunk edge is still seen


def _check_merged_xlsx(container: zipfile.ZipFile, name: str) -> None:
    """openpyxl makes an object for every cell of a merged range: one range over a whole sheet
    turns a few kB into gigabytes. The ranges are summed from the sheets' XML first."""
    area = 0
    for info in container.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            area += _merged_area(container, info)
            _check_merged_area(area, name)


def _merged_area(container: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    area, tail, seen = 0, b"", set()
    with container.open(info) as handle:
        while chunk := handle.read(2**16):
            window = tail + chunk
            for m in _MERGE_REF.finditer(window):
                key = (m.start() + handle.tell() - len(window), m.group())
                if key not in seen:  # an element in the overlap is matched twice
                    seen.add(key)
                    rows = abs(int(m.group(4)) - int(m.group(2))) + 1
                    cols = abs(_column(m.group(3)) - _column(m.group(1))) + 1
                    area += rows * cols
            tail = window[-_MERGE_TAIL:]
    return area


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_merged_area(area: int, name: str) -> None:
    if area > MAX_MERGED_CELLS:
        raise ReadError(name, f"merged ranges cover {area:,} cells, over the {MAX_MERGED_CELLS:,}-cell limit: "
                              "unmerge the whole-sheet ranges and save again", "too_large")


def _xlsx_sheet(ws: Any) -> list[str]:
    store = getattr(ws, "_cells", None)  # only the cells the file holds: iter_rows() would
    if store is None:  # create every cell of the used range (a stray cell at XFD1048576…)
        store = {(c.row, c.column): c for row in ws.iter_rows() for c in row}
    cells: dict[tuple[int, int], str] = {}
    for (r, c), cell in store.items():
        value = getattr(cell, "value", None)  # merged cells other than the top-left hold None
        if value is None:
            continue
        text = cell_text(render_value(value, getattr(cell, "number_format", None)))
        if text:
            cells[(r, c)] = text
    return _grid_lines(cells)


# -- xls ------------------------------------------------------------------------------------------
def read_xls(data: bytes, name: str) -> tuple[str, str]:
    """(source text, the workbook's text encoding)."""
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ReadError(name, f"reading .xls needs xlrd ({exc})", "unsupported_format") from exc
    log = io.StringIO()  # xlrd prints its warnings; keep them out of the output
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=log)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadError(name, "the workbook is password-protected; give an unlocked copy",
                            "encrypted") from exc
        if "formatting_info" not in str(exc) and "not supported" not in str(exc):
            raise
        book = xlrd.open_workbook(file_contents=data, formatting_info=False, logfile=log)
    try:
        blocks = []
        for sheet in book.sheets():
            if not READ_HIDDEN_SHEETS and getattr(sheet, "visibility", 0) != 0:
                continue
            blocks.append(_xls_sheet(book, sheet, xlrd, name))
    finally:
        book.release_resources()
    return join_blocks(blocks), str(getattr(book, "encoding", "") or "utf-16-le")


def _xls_sheet(book: Any, sheet: Any, xlrd: Any, name: str) -> list[str]:
    covered = set()
    merged = getattr(sheet, "merged_cells", []) or []
    _check_merged_area(sum(max(0, rhi - rlo) * max(0, chi - clo) for rlo, rhi, clo, chi in merged), name)
    for rlo, rhi, clo, chi in merged:
        covered.update((r, c) for r in range(rlo, rhi) for c in range(clo, chi) if (r, c) != (rlo, clo))
    cells: dict[tuple[int, int], str] = {}
    for r in range(sheet.nrows):
        for c in range(sheet.row_len(r)):
            if (r, c) in covered:
                continue
            ctype, value = sheet.cell_type(r, c), sheet.cell_value(r, c)
            if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            fmt = _xls_format(book, sheet, r, c)
            if ctype == xlrd.XL_CELL_DATE:
                with contextlib.suppress(ValueError, OverflowError, xlrd.xldate.XLDateError):
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
            elif ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERROR")
            text = cell_text(render_value(value, fmt))
            if text:
                cells[(r, c)] = text
    return _grid_lines(cells)


def _xls_format(book: Any, sheet: Any, r: int, c: int) -> str:
    try:
        key = book.xf_list[sheet.cell_xf_index(r, c)].format_key
        fmt = book.format_map[key].format_str
    except (AttributeError, IndexError, KeyError, TypeError):
        return "General"
    if fmt:
        return fmt
    # built-in formats whose text depends on the locale (xlrd leaves them out): CJK dates
    return 'yyyy"年"m"月"d"日"' if 27 <= key <= 36 or 50 <= key <= 58 else "General"


# -- Excel 2003 XML (SpreadsheetML), which web systems export as .xls --------------------------------
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_XL = "{urn:schemas-microsoft-com:office:excel}"
_NAMED_FORMATS = {"General": "General", "General Number": "General", "Percent": "0.00%", "Fixed": "0.00",
                  "Standard": "0.00", "Currency": "0.00", "Scientific": "General",
                  "Short Date": "yyyy-mm-dd", "Medium Date": "yyyy-mm-dd", "Long Date": 'yyyy"年"m"月"d"日"'}


def read_spreadsheetml(data: bytes, name: str) -> str:
    import xml.etree.ElementTree as ET

    from extractor.readers.text import decode

    if b"<!ENTITY" in data[:65536]:
        raise ReadError(name, "XML with entity declarations is not read", "unsupported_format")
    text, _ = decode(data, name)
    # the text is decoded already: drop the declaration, whose encoding (gb2312…) expat lacks
    root = ET.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1))
    formats = {}
    for style in root.iter(f"{_SS}Style"):
        number = style.find(f"{_SS}NumberFormat")
        if number is not None and number.get(f"{_SS}Format"):
            fmt = number.get(f"{_SS}Format", "General")
            formats[style.get(f"{_SS}ID")] = _NAMED_FORMATS.get(fmt, fmt)
    blocks = []
    for sheet in root.iter(f"{_SS}Worksheet"):
        visible = sheet.findtext(f"{_XL}WorksheetOptions/{_XL}Visible")
        if not READ_HIDDEN_SHEETS and visible in ("SheetHidden", "SheetVeryHidden"):
            continue
        cells: dict[tuple[int, int], str] = {}
        r = 0
        for row in sheet.iter(f"{_SS}Row"):
            r = _int_attr_raw(row.get(f"{_SS}Index"), r + 1)
            c = 0
            for cell in row.findall(f"{_SS}Cell"):
                c = _int_attr_raw(cell.get(f"{_SS}Index"), c + 1)
                value = _xml_value(cell.find(f"{_SS}Data"))
                fmt = formats.get(cell.get(f"{_SS}StyleID"), "General")
                shown = cell_text(render_value(value, fmt))
                if shown:
                    cells[(r, c)] = shown
                c += _int_attr_raw(cell.get(f"{_SS}MergeAcross"), 0)
        blocks.append(_grid_lines(cells))
    return join_blocks(blocks)


def _xml_value(data: Any) -> Any:
    if data is None:
        return None
    text = "".join(data.itertext())  # rich text keeps its runs in <Font> children
    kind = data.get(f"{_SS}Type", "String")
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            return dt.datetime.fromisoformat(text.strip()[:19])
        if kind == "Boolean":
            return text.strip() == "1"
    except ValueError:
        pass
    return text


# -- docx -----------------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# subtrees whose text is not the paragraph's own: deleted revisions, the fallback copy of a
# drawing, text boxes (drawn apart from the flow), paragraph and run properties
_SKIP = {f"{_W}del", f"{_W}moveFrom", f"{_MC}Fallback", f"{_W}txbxContent", f"{_W}pPr", f"{_W}rPr",
         f"{_W}instrText", f"{_W}delText", f"{_W}footnoteReference", f"{_W}endnoteReference"}
_CONTAINERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag", f"{_W}ins",
               f"{_W}moveTo", f"{_W}hyperlink", f"{_W}fldSimple", f"{_W}dir", f"{_W}bdo"}


def read_docx(data: bytes, name: str) -> str:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ReadError(name, f"reading .docx needs python-docx ({exc})", "unsupported_format") from exc
    with zipfile.ZipFile(io.BytesIO(data)) as container:
        check_container(container, name)
    document = docx.Document(io.BytesIO(data))
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in _blocks(document.element.body):
        if block.tag == f"{_W}p":
            text = numbering.label(block) + _paragraph_text(block)
            lines.extend(line.rstrip() for line in text.split("\n"))
        else:
            lines.extend(_table_lines(block, numbering))
    return _tidy(lines)


def _tidy(lines: list[str]) -> str:
    """The lines as text: at most one blank line in a row, none at the ends."""
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1]):
            out.append(line if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables under `parent` in document order, through content controls."""
    for child in parent:
        tag = child.tag
        if tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif tag in _CONTAINERS:
            yield from _blocks(child)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            _collect(child, parts)


def _table_lines(tbl: Any, numbering: _Numbering) -> list[str]:
    rows = [tr for tr in _table_rows(tbl)]
    if rows and all(len(list(_row_cells(tr))) == 1 for tr in rows) and any(
            tc.find(f"{_W}tbl") is not None for tr in rows for tc in _row_cells(tr)):
        # a one-column table that frames other tables: its content is the page itself
        lines: list[str] = []
        for tr in rows:
            for tc in _row_cells(tr):
                lines.extend(_cell_block_lines(tc, numbering))
        return lines
    grid: list[list[str]] = []
    for tr in rows:
        cells: list[str] = []
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        cells.extend([""] * _int_attr(before, 0))
        for tc in _row_cells(tr):
            span = _int_attr(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1)
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            hmerge = tc.find(f"{_W}tcPr/{_W}hMerge")
            continued = (vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue") or (
                hmerge is not None and hmerge.get(f"{_W}val", "continue") == "continue")
            text = "" if continued else _cell_text(tc, numbering)
            cells.append(text)
            cells.extend([""] * (max(1, min(span, 1000)) - 1))
        grid.append(cells)
    return render_rows(grid)


def _table_rows(tbl: Any) -> Iterator[Any]:
    for child in tbl:
        if child.tag == f"{_W}tr":
            yield child
        elif child.tag in _CONTAINERS:
            yield from _table_rows(child)


def _row_cells(tr: Any) -> Iterator[Any]:
    for child in tr:
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag in _CONTAINERS:
            yield from _row_cells(child)


def _cell_text(tc: Any, numbering: _Numbering) -> str:
    parts = []
    for block in _blocks(tc):
        if block.tag == f"{_W}p":
            parts.append(cell_text(numbering.label(block) + _paragraph_text(block)))
        else:  # a table inside a cell: its cells in reading order
            parts.extend(cell_text(line.replace("\t", " ")) for line in _table_lines(block, numbering))
    return " ".join(p for p in parts if p)


def _cell_block_lines(tc: Any, numbering: _Numbering) -> list[str]:
    lines: list[str] = []
    for block in _blocks(tc):
        if block.tag == f"{_W}p":
            text = numbering.label(block) + _paragraph_text(block)
            lines.extend(line.rstrip() for line in text.split("\n"))
        else:
            lines.extend(_table_lines(block, numbering))
    return lines


def _int_attr(element: Any, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(f"{_W}val", default))
    except (TypeError, ValueError):
        return default


class _Numbering:
    """Word's automatic list numbers, rendered as the text Word shows (`一、`, `（二）`, `3.`)."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstractNumId → ilvl → fmt
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractNumId, starts)
        self.counters: dict[str, list[int | None]] = {}
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.style_parent: dict[str, str] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            root = None
        if root is not None:
            for abstract in root.findall(f"{_W}abstractNum"):
                aid = abstract.get(f"{_W}abstractNumId", "")
                self.levels[aid] = {_int_attr_raw(lvl.get(f"{_W}ilvl"), 0): (
                    _val(lvl.find(f"{_W}numFmt"), "decimal"), _val(lvl.find(f"{_W}lvlText"), ""),
                    _int_attr(lvl.find(f"{_W}start"), 1)) for lvl in abstract.findall(f"{_W}lvl")}
            for num in root.findall(f"{_W}num"):
                starts = {}
                for override in num.findall(f"{_W}lvlOverride"):
                    start = override.find(f"{_W}startOverride")
                    if start is not None:
                        starts[_int_attr_raw(override.get(f"{_W}ilvl"), 0)] = _int_attr(start, 1)
                self.nums[num.get(f"{_W}numId", "")] = (_val(num.find(f"{_W}abstractNumId"), ""), starts)
        try:
            styles = document.part.styles.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            styles = None
        if styles is not None:
            for style in styles.findall(f"{_W}style"):
                sid = style.get(f"{_W}styleId", "")
                based = style.find(f"{_W}basedOn")
                if based is not None:
                    self.style_parent[sid] = _val(based, "")
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                if num_pr is not None:
                    ilvl = num_pr.find(f"{_W}ilvl")
                    self.style_num[sid] = (_val(num_pr.find(f"{_W}numId"), None),
                                           _int_attr(ilvl, 0) if ilvl is not None else None)

    def label(self, p: Any) -> str:
        if not self.nums:
            return ""
        num_id, ilvl = self._num_of(p)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, starts = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        key = f"num:{num_id}" if starts else f"abs:{abstract_id}"
        counters = self.counters.setdefault(key, [None] * 10)
        ilvl = max(0, min(ilvl, 9))
        start = starts.get(ilvl, levels[ilvl][2])
        counters[ilvl] = start if counters[ilvl] is None else counters[ilvl] + 1  # type: ignore[operator]
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        fmt, text, _ = levels[ilvl]
        if fmt in ("bullet", "none") or not text:
            return ""

        def number(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            value = counters[level] if 0 <= level < 10 and counters[level] is not None else level_start
            return _format_counter(int(value or 0), level_fmt)

        label = re.sub(r"%([1-9])", number, text)
        return label + " " if label[-1:].isalnum() else label

    def _num_of(self, p: Any) -> tuple[str | None, int]:
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        num_id: str | None = None
        ilvl: int | None = None
        if num_pr is not None:
            num_id = _val(num_pr.find(f"{_W}numId"), None)
            lvl = num_pr.find(f"{_W}ilvl")
            ilvl = _int_attr(lvl, 0) if lvl is not None else None
        style = p.find(f"{_W}pPr/{_W}pStyle")
        sid = _val(style, None) if style is not None else None
        for _ in range(10):  # the style chain, for numbering defined on a heading style
            if num_id is not None or sid is None:
                break
            if sid in self.style_num:
                num_id, style_ilvl = self.style_num[sid]
                ilvl = ilvl if ilvl is not None else style_ilvl
            sid = self.style_parent.get(sid)
        return num_id, ilvl or 0


def _val(element: Any, default: Any) -> Any:
    return default if element is None else element.get(f"{_W}val", default)


def _int_attr_raw(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _format_counter(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "koreanCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital"):
        return _chinese(n, _CN_DIGITS, "十百千") if fmt != "ideographDigital" else "".join(
            _CN_DIGITS[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified", "japaneseLegal"):
        return _chinese(n, _CN_LEGAL, "拾佰仟")
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _STEMS[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _BRANCHES[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter") and n > 0:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(n)


def _chinese(n: int, digits: str, units: str) -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = [], False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        if not (power == 10 and d == 1 and not out):  # 十一, not 一十一
            out.append(digits[d])
        out.append(unit)
    return "".join(out)


def _roman(n: int) -> str:
    out = []
    for value, symbol in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(symbol)
            n -= value
    return "".join(out)


# -- legacy and foreign formats: an external converter --------------------------------------------
_TARGET = {".doc": "docx", ".wps": "docx", ".rtf": "docx", ".odt": "docx", ".ods": "xlsx", ".et": "xlsx",
           ".xml": "docx"}
_WHAT = {".doc": "a legacy Word .doc file", ".wps": "a WPS Writer file", ".rtf": "an RTF file",
         ".odt": "an OpenDocument text file", ".ods": "an OpenDocument spreadsheet",
         ".et": "a WPS spreadsheet", ".xml": "a Word 2003 XML document"}


def converters() -> dict[str, str]:
    """The converters on PATH: {"soffice": path, "antiword": path}."""
    found = {}
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        found["soffice"] = office
    antiword = shutil.which("antiword")
    if antiword:
        found["antiword"] = antiword
    return found


def read_converted(data: bytes, name: str, kind: str, timeout: float | None = None) -> str:
    """Text of a file only an external converter reads; `kind` is its extension (".doc")."""
    target = _TARGET.get(kind, "docx")
    tools = converters()
    usable = [t for t in ("soffice", "antiword") if t in tools and (t == "soffice" or target == "docx"
                                                                     and kind in (".doc", ".wps"))]
    if not usable:
        save_as = ".xlsx" if target == "xlsx" else ".docx"
        raise ReadError(name, f"{_WHAT.get(kind, 'a ' + kind + ' file')}: no converter is installed "
                              f"(LibreOffice `soffice` or `antiword`); open it in Word or WPS and save "
                              f"it as {save_as}", "needs_conversion")
    limit = CONVERT_TIMEOUT if timeout is None else timeout
    errors = []
    for tool in usable:
        with tempfile.TemporaryDirectory(prefix="indicators-convert-") as tmp:
            source = Path(tmp) / f"input{kind}"
            source.write_bytes(data)
            try:
                if tool == "soffice":
                    out = Path(tmp) / "out"
                    _run([tools["soffice"], f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
                          "--headless", "--norestore", "--convert-to", target, "--outdir", str(out),
                          str(source)], name, tool, limit)
                    result = out / f"input.{target}"
                    if not result.is_file():
                        raise ReadError(name, f"{tool} wrote no .{target} file", "conversion_failed")
                    converted = result.read_bytes()
                    return read_xlsx(converted, name) if target == "xlsx" else read_docx(converted, name)
                # DocBook keeps each table cell whole; the text mode wraps long cells onto
                # continuation lines that read as new rows
                return docbook_text(_run([tools["antiword"], "-x", "db", str(source)], name, tool, limit),
                                    name)
            except ReadError as err:
                errors.append(err)
    raise errors[-1]


def docbook_text(xml: bytes, name: str) -> str:
    """antiword's DocBook as source text: paragraphs one per line, table rows as tab lines."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ReadError(name, f"antiword gave unreadable output ({exc})", "conversion_failed") from None
    lines: list[str] = []
    _docbook_lines(root, lines)
    return _tidy(lines)


def _docbook_lines(element: Any, lines: list[str]) -> None:
    if element.tag == "row":
        lines.append(row_line(["".join(entry.itertext()) for entry in element.iter("entry")]))
        return
    if element.tag in ("para", "title"):
        lines.extend(line.strip() for line in (element.text or "").split("\n"))
    for child in element:
        if child.tag not in ("bookinfo", "colspec"):
            _docbook_lines(child, lines)
        if element.tag in ("para", "title"):
            lines.extend(line.strip() for line in (child.tail or "").split("\n"))


def _run(command: list[str], name: str, tool: str, timeout: float) -> bytes:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ReadError(name, f"{tool} did not finish the conversion within {timeout:.0f} s",
                        "timeout") from None
    if process.returncode != 0:
        detail = " ".join(stderr.decode("utf-8", errors="replace").split())[:160]
        raise ReadError(name, f"{tool} could not convert it (exit {process.returncode}"
                              f"{': ' + detail if detail else ''})", "conversion_failed")
    return stdout


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)  # the converter and anything it started
        else:  # pragma: no cover - Windows
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.communicate()
