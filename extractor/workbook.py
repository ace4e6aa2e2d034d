"""`report.xlsx` of `indicators tag`, for reviewers who read it in Excel or print it.

Sheets: 汇总 (documents, indicators, shares, findings by severity and by code), 文档, 指标,
问题 (findings, errors first). Column layout (header, width, type) comes from
extractor/data/report.toml; enum values are shown with their Chinese labels
(extractor/data/labels.toml), shares as percentages, deadlines as real dates, each file as
its short name with the full path in a column of its own. Every sheet has its header row
frozen, filters on, and a print setup: landscape A4, fitted to the page width, header row
repeated on every page, reference columns (full path, evidence) left off the paper.

Written in two layers. XlsxWriter, in constant-memory mode, makes everything but the data
rows: the 汇总 sheet, each sheet's header row, widths, frozen pane, filter and print setup, and
the styles. The data rows of 文档, 指标 and 问题 are written here as worksheet XML, the XML
XlsxWriter itself writes in that mode (inline strings, its escapes, its row heights), and
spliced into XlsxWriter's sheets as the package is zipped: XlsxWriter's per-cell path (a method
call, a cell tuple, a bounds check, attribute escaping and a file write for every cell) was
four fifths of the time on a 100,000-indicator archive. The rows are counted first, so that
the sheets (filters, print areas, a sheet per MAX_ROWS) are laid out before any row is made;
then each row goes from its jsonl line into the zip, deflated by a second thread. Memory stays
flat. Findings are sorted by severity without holding them: one pass counts them and spools
each severity's finished rows to its own temporary file.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import sys
import tempfile
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import IO, Any

import regex
from xlsxwriter.utility import xl_col_to_name, xl_range

from extractor.labels import label
from extractor.labels import table as label_table
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

    streams = {name: folder / f"{name}.jsonl" for name in ("documents", "indicators", "findings")}
    sizes = {name: _count_records(stream) for name, stream in streams.items()}
    with ExitStack() as stack:
        # disable=None: tqdm shows the bar only on a terminal
        bar = stack.enter_context(tqdm(total=sum(sizes.values()), unit=" rows", desc="report.xlsx",
                                       file=sys.stderr, disable=None if progress is None else not progress,
                                       mininterval=0.5, leave=False))
        tick = _ticker(bar)
        skeleton = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="report_"))) / "skeleton.xlsx"
        book = xlsxwriter.Workbook(str(skeleton), {"constant_memory": True, "strings_to_formulas": False,
                                                   "strings_to_urls": False})
        formats = _Formats(book)
        findings = _RowXml(layout()["findings"], formats)
        counts, spools = _spool_findings(tick(_records(streams["findings"])), findings, stack)
        _write_summary(book, formats, _Totals.of(_records(streams["documents"]), counts))
        sheets = [_streamed("文档", "documents", _document_row, streams, sizes, formats, tick),
                  _streamed("指标", "indicators", _indicator_row, streams, sizes, formats, tick),
                  _Sheet("问题", findings.columns, sum(counts.values()), _spooled(spools), _numbered,
                         sum(_size(spool) for spool in spools) > _ZIP_LIMIT)]
        parts = [part for sheet in sheets for part in _add_sheets(book, formats, sheet, max_rows)]
        book.close()
        _package(skeleton, path, _members(book, parts))


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

    def style(self, kind: str, fill: str | None = None) -> str:
        """The cell's ` s="N"` attribute: the format's index in styles.xml. XlsxWriter numbers a
        format when a cell first uses it; rows written as XML here ask for the number (and so
        put the format into styles.xml) through the same method its cell writer calls."""
        return f' s="{self(kind, fill)._get_xf_index()}"'


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


@cache
def _iso_date(value: str) -> date | str:
    """A date column's ISO text as a date (a few hundred distinct deadlines in any archive)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


# ------------------------------------------------------------------------------ row XML

# Characters that make a string's XML differ from the string: XML's specials, control
# characters (replaced, or escaped as _xHHHH_) and non-characters. Text that looks like an
# _xHHHH_ escape ("_x") and whitespace at either end (xml:space="preserve") are tested apart,
# with faster str operations.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_UNUSUAL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # _SPECIAL less XML's three
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EPOCH = datetime(1899, 12, 31)
_PLAIN = (type(None), str, int, float)  # the types a row template writes
# A row is made before its number is known (findings are sorted after they are read): the
# number is this placeholder until the row is placed. No cell's XML can hold it, as control
# characters are written as _xHHHH_; nor _LINE_BREAK, which stands for "\n" in a spool line.
_NUMBER = "\x00"
_LINE_BREAK = "\x01"


def _cell_text(value: str) -> str:
    """A string cell's text as XlsxWriter writes it after `_clean`, XML's specials escaped."""
    if len(value) > MAX_CELL // 2 or "_x" in value or _UNUSUAL.search(value):
        value = _rare_text(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rare_text(value: str) -> str:
    """`_clean`, then XlsxWriter's own steps: cut to 32,767 UTF-16 units, "_xHHHH_" kept
    literal, control characters as _xHHHH_, non-characters escaped."""
    value = _clean(value)
    if len(value) > MAX_CELL // 2 and len(value.encode("utf-16-le", "surrogatepass")) // 2 > MAX_CELL:
        units = 0
        for index, char in enumerate(value):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_CELL:
                value = value[:index]
                break
    value = _LITERAL_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    return value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def _verbatim(texts: list[str]) -> bool:
    """Whether each of a row's strings goes into its <t> as it is, as most do."""
    joined = "".join(texts)
    return (len(joined) <= MAX_CELL // 2 and "_x" not in joined and not _SPECIAL.search(joined)
            and list(map(str.strip, texts)) == texts)


def _excel_date(value: date) -> float:
    """Days since Excel's epoch, with its 1900 leap day (XlsxWriter's arithmetic)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


def _row_height(lines: int) -> str:
    """The <row> attributes of `set_row(row, _LINE_HEIGHT * lines)`: points to whole pixels
    and back, as XlsxWriter stores them."""
    pixels = int(_LINE_HEIGHT * lines * 4.0 / 3.0 + 0.5)
    return f' ht="{pixels * 0.75:.16g}" customHeight="1"'


_HEIGHTS = {n: _row_height(n) for n in range(2, _MAX_LINES + 1)}


class _RowXml:
    """A sheet's data rows as the <row> elements XlsxWriter writes in constant-memory mode.

    A row is one `str.format` of a template made once per shape (which cells are empty, text
    or numbers, the severity fill, which texts keep their edge whitespace) rather than a string
    built per cell, and one test tells whether any of its strings needs escaping (most need
    none). A value of another type (bool, date, …) has the row written cell by cell."""

    def __init__(self, columns: list[Column], formats: _Formats, eager: bool = False) -> None:
        """`eager`: number every column's format now, for rows made after XlsxWriter wrote
        styles.xml; else on first use, as XlsxWriter does (styles.xml lists no unused format)."""
        self.columns = columns
        self.formats = formats
        self.keys = [c.key for c in columns]
        self.refs = [f'<c r="{xl_col_to_name(n)}' for n in range(len(columns))]
        self.styles: list[str | None] = [formats.style(c.kind) if eager else None for c in columns]
        self.convert = [(n, f) for n, c in enumerate(columns) if (f := _converter(c)) is not None]
        self.wrapped = [(n, max(c.width, 1)) for n, c in enumerate(columns) if c.kind == "wrap" and c.print]
        self.severity_at = next((i for i, c in enumerate(columns) if c.key == "severity"), None)
        self.fills = {s: formats.style("text", s) for s in _FILLS} if self.severity_at is not None else {}
        self.templates: dict[tuple[Any, ...], tuple[str, list[int]]] = {}

    def __call__(self, row: dict[str, Any], number: str = _NUMBER) -> str:
        """The row as XML; "" for a row without cells."""
        values = list(map(row.get, self.keys))
        for n, convert in self.convert:
            values[n] = convert(values[n])
        fill = row.get("severity") if self.severity_at is not None else None
        fill = fill if fill in self.fills else None
        height = _HEIGHTS.get(self._lines(values), "")
        texts, keep = values, ()
        if not _verbatim([v for v in values if v.__class__ is str]):
            texts = [_cell_text(v) if v.__class__ is str else v for v in values]
            keep = tuple(n for n, v in enumerate(texts) if v.__class__ is str and v != v.strip())
        shape = (fill, keep, *map(type, values))
        template, floats = self.templates.get(shape) or self._template(shape)
        if template:
            for n in floats:
                if not math.isfinite(values[n]):
                    _finite(values[n])
            return template.format(number, height, *texts)
        cells = [self._cell(n, number, fill, v) for n, v in enumerate(values) if v is not None]
        return f'<row r="{number}"{height}>{"".join(cells)}</row>' if cells else ""

    def _template(self, shape: tuple[Any, ...]) -> tuple[str, list[int]]:
        """The row as a format string: {0} the row number, {1} the height attributes, {n + 2}
        column n's text or number. ("", []) when a value is of a type the cell writer handles
        (bool, date, …) or the row has no cell."""
        fill, keep, *types = shape
        parts, floats = ['<row r="{0}"{1}>'], []
        for n, kind in enumerate(types):
            if kind not in _PLAIN:
                parts = []
                break
            if kind is not type(None):
                head = f'{self.refs[n]}{{0}}"{self._style(n, fill)}'
                if kind is str:
                    space = ' xml:space="preserve"' if n in keep else ""
                    parts.append(f'{head} t="inlineStr"><is><t{space}>{{{n + 2}}}</t></is></c>')
                else:
                    parts.append(f"{head}><v>{{{n + 2}:.16G}}</v></c>")
                    floats += [n] if kind is float else []
        made = ("".join(parts) + "</row>", floats) if len(parts) > 1 else ("", [])
        self.templates[shape] = made
        return made

    def _lines(self, values: list[Any]) -> int:
        """The row's height in lines: its tallest wrapped, printed cell (see `_lines`)."""
        most = 1.0
        for n, usable in self.wrapped:
            text = values[n]
            if isinstance(text, str):
                # one paragraph (most): `_lines` without the split
                lines = _lines(text, usable) if "\n" in text else (len(text.encode()) + len(text)) / 2 // usable + 1
                if lines > most:
                    most = lines
        return min(int(most), _MAX_LINES)

    def _style(self, n: int, fill: str | None) -> str:
        if fill is not None and n == self.severity_at:
            return self.fills[fill]
        style = self.styles[n]
        if style is None:
            style = self.styles[n] = self.formats.style(self.columns[n].kind)
        return style

    def _cell(self, n: int, number: str, fill: str | None, value: Any) -> str:
        """One <c> element, exactly as XlsxWriter writes it; the types in `_put`'s order."""
        head = f'{self.refs[n]}{number}"{self._style(n, fill)}'
        if isinstance(value, str):
            return _string_cell(head, _cell_text(value))
        if isinstance(value, bool):
            return f'{head} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            _finite(value)
            return f"{head}><v>{value:.16G}</v></c>"
        if isinstance(value, date):
            return f"{head}><v>{_excel_date(value):.16G}</v></c>"
        return _string_cell(head, _cell_text(str(value)))


def _finite(value: float) -> None:
    if not math.isfinite(value):  # XlsxWriter's refusal, kept
        raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' Workbook() option")


def _string_cell(head: str, text: str) -> str:
    # leading or trailing whitespace is kept only when the <t> says so
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _converter(column: Column) -> Callable[[Any], Any] | None:
    """What a column shows of a value: an enum's Chinese label (the table looked up once), an
    ISO date as a date; None: the value as it is."""
    if column.type == "label":
        enum = column.enum or ""
        names = label_table().get(enum, {})
        yes_no = {flag: label(enum, flag) for flag in (True, False)}
        # `label` inlined (two of its columns per indicator row are booleans)
        return lambda value: (names.get(value, value) if value.__class__ is str
                              else yes_no[value] if value.__class__ is bool else value)
    if column.type == "date":
        return lambda value: _iso_date(value) if isinstance(value, str) else value
    return None


# ------------------------------------------------------------------------------ sheets

@dataclass
class _Sheet:
    """A data sheet: its rows, counted before any is made, as the sheets (filter, print area,
    one sheet per `max_rows - 1` rows) are laid out before the rows are written."""

    title: str
    columns: list[Column]
    count: int
    rows: Iterator[Any]
    render: Callable[[Any, str], str]  # a row and its number → its XML
    zip64: bool  # whether its XML may pass 2 GiB


@dataclass
class _Part:
    """One worksheet of a data sheet's rows: XlsxWriter's sheet (header, layout), the rows."""

    sheet: Any
    data: _Sheet
    count: int


def _streamed(title: str, name: str, row: Callable[[dict[str, Any]], dict[str, Any]], streams: dict[str, Path],
              sizes: dict[str, int], formats: _Formats, tick: Callable[[Iterable[Any]], Iterator[Any]]) -> _Sheet:
    """A sheet whose rows are read from their stream as the package is written: after
    XlsxWriter wrote styles.xml, so its formats are numbered now (`eager`)."""
    row_xml = _RowXml(layout()[name], formats, eager=True)
    return _Sheet(title, row_xml.columns, sizes[name], tick(map(row, _records(streams[name]))), row_xml,
                  _may_pass_zip_limit(streams[name], sizes[name]))


def _add_sheets(book: Any, formats: _Formats, data: _Sheet, max_rows: int) -> list[_Part]:
    """One sheet per `max_rows - 1` rows, each with its header, widths, filter, frozen header
    and print setup (the first sheet even when there are no rows)."""
    per_sheet = max_rows - 1
    counts = [min(per_sheet, data.count - start) for start in range(0, data.count, per_sheet)] or [0]
    parts = []
    for n, count in enumerate(counts, 1):
        sheet = _open_sheet(book, formats, data.title if n == 1 else f"{data.title} ({n})", data.columns)
        _close_sheet(sheet, data.columns, count)
        parts.append(_Part(sheet, data, count))
    return parts


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


# ------------------------------------------------------------------------------ package

# zlib level 3 instead of the default 6: a sixth larger file (15.6 MB instead of 13.3 for
# 100,000 indicators) for half the deflating, which on a busy machine (one free core or
# none) was the thread the rows waited for
_DEFLATE_LEVEL = 3
_ZIP_LIMIT = (1 << 31) - 1  # a member larger than this needs zip64 (zipfile.ZIP64_LIMIT)


def _members(book: Any, parts: list[_Part]) -> dict[str, _Part]:
    """Each part by its sheet's file in the package: XlsxWriter names worksheets sheet1.xml,
    sheet2.xml, … in the order they were added."""
    number = {id(sheet): n for n, sheet in enumerate(book.worksheets(), 1)}
    return {f"xl/worksheets/sheet{number[id(part.sheet)]}.xml": part for part in parts}


def _package(skeleton: Path, path: Path, members: dict[str, _Part]) -> None:
    """XlsxWriter's package with each data sheet's rows made and put after its header row.
    Its members come in the order XlsxWriter wrote them, so a sheet's parts in row order.
    Written beside `path` and renamed when whole: a failed run leaves no half workbook."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with zipfile.ZipFile(skeleton) as source, \
                zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as target:
            missing = set(members) - set(source.namelist())
            if missing:
                raise RuntimeError(f"report.xlsx: XlsxWriter wrote no {sorted(missing)}")
            for info in source.infolist():
                part = members.get(info.filename)
                if part is None:
                    target.writestr(info, source.read(info))
                else:
                    _write_part(target, info, source.read(info), part)
        for data in {id(part.data): part.data for part in members.values()}.values():
            if next(data.rows, None) is not None:
                raise RuntimeError(f"report.xlsx: the {data.title} stream grew while the report was written")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_part(target: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: bytes, part: _Part) -> None:
    """XlsxWriter's header-only sheet with the part's rows spliced in before </sheetData>."""
    head, end, tail = sheet.rpartition(b"</sheetData>")
    if not end:
        raise RuntimeError(f"report.xlsx: no </sheetData> in XlsxWriter's {info.filename}")
    if part.count:
        # the header-only <dimension> grown to the last row: every row has a cell (its file name)
        columns = len(part.data.columns)
        header = f'<dimension ref="{xl_range(0, 0, 0, columns - 1)}"/>'.encode()
        if header not in head:
            raise RuntimeError(f"report.xlsx: no {header!r} in XlsxWriter's {info.filename}")
        head = head.replace(header, f'<dimension ref="{xl_range(0, 0, part.count, columns - 1)}"/>'.encode(), 1)
    # opened by name, so that the member takes the archive's compresslevel
    with target.open(info.filename, "w", force_zip64=part.data.zip64) as out, _Deflater(out) as deflater:
        deflater.write(head)
        render, batch, number = part.data.render, [], 1
        for number, row in enumerate(islice(part.data.rows, part.count), 2):
            batch.append(render(row, str(number)))
            if len(batch) == 4000:  # ~4 MB: few hand-overs of the GIL to the deflating thread
                deflater.write("".join(batch).encode("utf-8"))
                batch = []
        deflater.write("".join(batch).encode("utf-8") + end + tail)
    if number != part.count + 1:
        raise RuntimeError(f"report.xlsx: the {part.data.title} stream shrank while the report was written")


class _Deflater:
    """Writes a zip member from a thread. zlib releases the GIL while it compresses (and
    while it sums the CRC), so the package is deflated on the second core while this one
    makes the next rows: on a 100,000-indicator archive compression is a fifth of the work."""

    def __init__(self, member: IO[bytes]) -> None:
        self._member = member
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)  # ~16 MB of rows at most
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="report.xlsx deflate", daemon=True)

    def __enter__(self) -> _Deflater:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._chunks.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._chunks.put(chunk)

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is None:  # after a failure, only drain, so that `write` never blocks
                try:
                    self._member.write(chunk)
                except BaseException as error:  # noqa: BLE001 — raised again in the caller's thread
                    self._error = error


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
    for line in _text_lines(path):
        if not line.isspace():  # a blank line (`strip()` would copy every line to find out)
            yield _decode(line)


def _text_lines(path: Path) -> Iterator[str]:
    """The lines text mode reads (universal newlines), read as bytes and decoded one by one,
    which takes half the time."""
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.decode("utf-8")
            if "\r" not in line:
                yield line
            else:  # a carriage return ends a line, alone or before "\n"
                *ended, last = line.replace("\r\n", "\n").split("\r")
                yield from (piece + "\n" for piece in ended)
                if last:
                    yield last


_DECODER = json.JSONDecoder()


def _decode(line: str) -> Any:
    """`json.loads(line)` without its wrapper's whitespace matching (a tenth of the decoding
    time on short lines); anything unusual goes through `json.loads`, and its errors."""
    try:
        record, end = _DECODER.raw_decode(line)
    except json.JSONDecodeError:
        return json.loads(line)
    return record if end == len(line) or line[end:].isspace() else json.loads(line)


def _count_records(path: Path) -> int:
    """The lines `_records` decodes (more than whitespace), counted on the bytes, as decoding
    the text would take longer than the count: a line that starts with printable ASCII (a
    record's "{") is not blank; only others are decoded to find out. A file with a carriage
    return is counted on its text lines (universal newlines), as `_records` reads them."""
    if not path.exists():
        return 0
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            if b"\r" in line:
                return sum(1 for line in _text_lines(path) if not line.isspace())
            count += 0x21 <= line[0] <= 0x7E or not line.decode("utf-8", "replace").isspace()
    return count


def _may_pass_zip_limit(path: Path, records: int) -> bool:
    """Whether a sheet made from this stream could pass 2 GiB of XML, so its zip member needs
    zip64 (sized before it is written): a character of a record becomes at most 7 in a cell
    (_x0001_), a row adds at most 2 KB of markup and derived columns."""
    return path.exists() and 7 * path.stat().st_size + 2048 * records > _ZIP_LIMIT


def _size(spool: IO[str]) -> int:
    spool.seek(0, 2)
    return spool.tell()


def _spool_findings(records: Iterable[dict[str, Any]], row_xml: _RowXml,
                    stack: ExitStack) -> tuple[Counter[tuple[str, str]], list[IO[str]]]:
    """Counts by (code, severity), and each severity's rows in a temporary file (errors,
    warnings, info, then anything else), so the sheet is sorted without holding the findings.
    The rows are spooled as finished XML, a line each: the records are decoded once."""
    spools = [stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n"))  # noqa: SIM115 — closed by the stack
              for _ in range(len(SEVERITY_ORDER) + 1)]
    counts: Counter[tuple[str, str]] = Counter()
    for record in records:
        severity = record.get("severity", "")
        counts[(record.get("code", ""), severity)] += 1
        rank = SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
        spools[rank].write(row_xml(_finding_row(record)).replace("\n", _LINE_BREAK) + "\n")
    return counts, spools


def _spooled(spools: list[IO[str]]) -> Iterator[str]:
    for spool in spools:
        spool.seek(0)
        for line in spool:
            yield line[:-1].replace(_LINE_BREAK, "\n")


def _numbered(row: str, number: str) -> str:
    """A spooled row given its number."""
    return row.replace(_NUMBER, number)


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
