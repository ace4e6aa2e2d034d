"""PDF → source text, page by page.

On each page the ruled tables found by pdfplumber's table finder are rendered one row per
line with tab-separated cells (merged cells leave empty cells, as the HTML renderer does), and
the rest of the page's text becomes lines in reading order; tables sit where they are on the
page, between the text lines above and below them. Pages are separated by a blank line.
Running headers and footers (`— 3 —`, `第 3 页`) are kept: the pipeline masks them.

Errors are `ReadError`s with a reason: `encrypted`, `no_text_layer` (a scan: OCR is needed),
`corrupt` (pdfminer cannot parse it) and `too_large` (more pages than `max_pages`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zlib
from collections.abc import Iterable
from typing import Any

from extractor import limits
from extractor.errors import ReadError

MAX_PAGES = 2000
MAX_PDF_STREAM_BYTES = limits.MAX_PDF_STREAM_BYTES

# Inside a cell a line break is a wrap, not a separator: Chinese text and split numbers are
# joined as they are. A space is put back between two Latin words ("Excel\nfile") and before
# a list marker that opens a line ("…100人\n2.开展…": "人2." would glue the numbers).
_BREAK = re.compile(r"[ \t]*\n\s*")
_SPACED_BREAK = re.compile(r"(?<=[A-Za-z])\n(?=[A-Za-z])|\n(?=(?:\d{1,2}[.．、](?!\d)"
                           r"|[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|[一二三四五六七八九十]{1,3}、|[①-⑳]))")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_CID = re.compile(r"\(cid:\d+\)")
# (cid:N) glyphs take more than this share of the text: the fonts carry no Unicode mapping
_CID_SHARE = 0.3

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def read_pdf(data: bytes, name: str, max_pages: int = MAX_PAGES) -> str:
    """The text of the PDF `data` in the shape the pipeline reads; `name` labels errors.

    Raises `ReadError` (reason `encrypted`, `no_text_layer`, `corrupt` or `too_large`), never
    anything else for a bad input.
    """
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - pdfplumber is a dependency
        raise ReadError(name, f"reading PDF needs pdfplumber ({exc})", "unsupported_format") from None

    _quiet_pdfminer()
    _bound_streams()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfplumber wraps pdfminer's errors in PdfminerException
        cause = _root(exc)
        if isinstance(cause, PDFPasswordIncorrect):
            raise ReadError(name, "the PDF is password-protected; give an unlocked copy",
                            "encrypted") from None
        if isinstance(cause, StreamTooLarge):
            raise ReadError(name, str(cause), "too_large") from None
        if isinstance(cause, PDFEncryptionError):
            raise ReadError(name, f"the PDF is encrypted in a way that cannot be opened "
                                  f"({_describe(cause)})", "encrypted") from None
        raise ReadError(name, f"not a readable PDF ({_describe(cause)})", "corrupt") from None

    try:
        # the page tree's /Count first: a 100,000-page file fails before its pages are listed
        count = _declared_pages(pdf)
        if count is None or count <= max_pages:
            count = len(_page_list(pdf, name))
        if count > max_pages:
            raise ReadError(name, f"the PDF has {count} pages, over the {max_pages}-page limit",
                            "too_large")
        if count == 0:
            raise ReadError(name, "the PDF has no pages", "corrupt")
        pages: list[str] = []
        chars = 0
        for number, page in enumerate(pdf.pages, 1):
            try:
                chars += len(page.chars)
                pages.append(_render_page(page) if page.chars else "")
            except Exception as exc:
                if isinstance(_root(exc), StreamTooLarge):
                    raise ReadError(name, f"page {number}: {_root(exc)}", "too_large") from None
                raise ReadError(name, f"page {number} cannot be read ({_describe(_root(exc))})",
                                "corrupt") from None
            finally:
                page.close()
    finally:
        with contextlib.suppress(Exception):
            pdf.close()  # walks the page tree again, which may be what is broken

    text = "\n\n".join(pages).strip("\n")
    if chars == 0 or not text.strip():
        raise ReadError(name, f"the PDF has {len(pages)} page(s) but no text layer (a scanned "
                              "document?); it needs OCR before it can be read", "no_text_layer")
    cids = sum(len(m) for m in _CID.findall(text))
    if cids > _CID_SHARE * len(text):
        raise ReadError(name, "the PDF's fonts carry no Unicode mapping, so its text cannot be "
                              "extracted; it needs OCR before it can be read", "no_text_layer")
    return text + "\n"


# -- bounded streams -----------------------------------------------------------------------
class StreamTooLarge(ValueError):
    """A PDF stream that inflates past MAX_PDF_STREAM_BYTES."""


class _BoundedZlib:
    """pdfminer inflates each stream whole (`zlib.decompress`, and byte by byte for a damaged
    one): a 1 MB PDF can hold a stream of gigabytes. This stands in for the `zlib` module inside
    pdfminer.pdftypes, with the same calls, and stops past MAX_PDF_STREAM_BYTES."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    def decompress(self, data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = 0) -> bytes:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(data, MAX_PDF_STREAM_BYTES + 1)
        if len(out) > MAX_PDF_STREAM_BYTES or inflater.unconsumed_tail:
            raise StreamTooLarge(_too_large())
        if not inflater.eof:  # as zlib.decompress says of a cut stream
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args: Any, **kwargs: Any) -> _BoundedInflater:
        return _BoundedInflater(zlib.decompressobj(*args, **kwargs))


class _BoundedInflater:
    def __init__(self, inflater: Any) -> None:
        self.inflater = inflater
        self.total = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self.inflater.decompress(data, max_length or MAX_PDF_STREAM_BYTES + 1)
        self.total += len(out)
        if self.total > MAX_PDF_STREAM_BYTES or (not max_length and self.inflater.unconsumed_tail):
            raise StreamTooLarge(_too_large())
        return out

    def __getattr__(self, name: str) -> Any:  # flush, eof, unused_data…
        return getattr(self.inflater, name)


def _too_large() -> str:
    return f"a stream inflates past {MAX_PDF_STREAM_BYTES // 2**20} MB (a zip bomb in a PDF?)"


def _bound_streams() -> None:
    import pdfminer.pdftypes

    if not isinstance(pdfminer.pdftypes.zlib, _BoundedZlib):
        pdfminer.pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]


# -- one page ------------------------------------------------------------------------------

def _render_page(page: Any) -> str:
    """Text lines and tables of one page, top to bottom."""
    page = _deduped(page)
    tables = _find_tables(_drawn(page))
    blocks: list[tuple[float, float, list[str]]] = []  # (top, x0, lines)
    for table in tables:
        rows = _table_rows(table.extract())
        if rows:
            blocks.append((table.bbox[1], table.bbox[0], rows))
    rest = _outside(page, [t.bbox for t in tables]) if tables else page
    for line in rest.extract_text_lines(return_chars=False):
        text = _SPACES.sub(" ", line["text"]).strip()
        if text:
            blocks.append((line["top"], line["x0"], [text]))
    blocks.sort(key=lambda b: (round(b[0], 1), b[1]))
    return "\n".join(line for _, _, lines in blocks for line in lines)


def _deduped(page: Any) -> Any:
    """Fake bold prints each glyph twice, a fraction of a point apart, which doubles every
    digit (`7070萬元` for 70). pdfplumber's dedupe is slow, so it runs only on pages that have
    such twins: two equal glyphs less than half a point apart share a cell of at least one of
    these four half-shifted one-point grids."""
    chars = page.chars
    for dx, dy in ((0, 0), (0.5, 0), (0, 0.5), (0.5, 0.5)):
        if len({(c["text"], int(c["x0"] + dx), int(c["top"] + dy)) for c in chars}) < len(chars):
            return page.dedupe_chars()
    return page


def _find_tables(page: Any) -> list[Any]:
    tables = _tables(page, _TABLE_SETTINGS)
    if not tables:
        return tables
    # A table running on from the previous page (or on to the next) often has no rule above
    # its first row (below its last): the column rules stick out past the table's edge, and
    # the row they hold is lost to the text. Close such a table with the missing rule, where
    # most of its column rules (not just a frame round the page) reach past it.
    from pdfplumber.table import merge_edges

    closing = []
    verticals = [e for e in merge_edges(page.edges, 3, 3, 3, 3) if e["orientation"] == "v"]
    for table in tables:
        x0, top, x1, bottom = table.bbox
        sides = [e for e in verticals
                 if x0 - 2 <= e["x0"] <= x1 + 2 and e["bottom"] > top and e["top"] < bottom]
        above = [e["top"] for e in sides if e["top"] < top - 3]
        below = [e["bottom"] for e in sides if e["bottom"] > bottom + 3]
        for ends, y in ((above, max(above, default=0)), (below, min(below, default=0))):
            if len(ends) >= 3 and 2 * len(ends) >= len(sides):
                closing.append({"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y,
                                "width": x1 - x0, "height": 0})
    if not closing:
        return tables
    return _tables(page, dict(_TABLE_SETTINGS, explicit_horizontal_lines=closing))


def _tables(page: Any, settings: dict) -> list[Any]:
    """The ruled tables of a page; a single box (a frame round the page or a note) is not
    one: its text reads better as lines."""
    return [t for t in page.find_tables(settings) if len(t.cells) > 1]


def _drawn(page: Any) -> Any:
    """The page without invisible boxes: a white fill with no stroke (a cell background)
    draws no edge, but its sides would split each column and row of the table in three."""
    if not any(_invisible(r) for r in page.rects):
        return page
    return page.filter(lambda obj: obj.get("object_type") != "rect" or not _invisible(obj))


def _invisible(rect: dict) -> bool:
    if rect.get("stroke") or not rect.get("fill"):
        return False
    return _is_white(rect.get("non_stroking_color"))


def _is_white(color: Any) -> bool:
    if isinstance(color, (int, float)):
        return color >= 0.99
    if isinstance(color, (tuple, list)) and color and all(isinstance(c, (int, float)) for c in color):
        if len(color) == 4:  # CMYK
            return all(c <= 0.01 for c in color)
        return all(c >= 0.99 for c in color)
    return False


def _outside(page: Any, boxes: list[tuple[float, float, float, float]]) -> Any:
    """The page without the characters whose centre lies in one of `boxes` (the tables):
    the same test the table finder uses to put a character in a cell."""

    def keep(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    return page.filter(keep)


def _table_rows(rows: Iterable[list[str | None]]) -> list[str]:
    """Rows as tab-separated lines; rows and columns with no text at all are left out (they
    are slivers between doubled rules, not cells anyone wrote in)."""
    grid = [[_cell(c) for c in row] for row in rows]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    width = max(len(row) for row in grid)
    used = [i for i in range(width) if any(i < len(row) and row[i] for row in grid)]
    return ["\t".join(row[i] if i < len(row) else "" for i in used) for row in grid]


def _cell(text: str | None) -> str:
    if not text:
        return ""
    text = _BREAK.sub("\n", text.strip())
    text = _SPACED_BREAK.sub(" ", text).replace("\n", "")
    return _SPACES.sub(" ", text).strip()


# -- helpers -------------------------------------------------------------------------------

def _declared_pages(pdf: Any) -> int | None:
    """The page count the page tree declares (/Count), if it is a number."""
    try:
        from pdfminer.pdftypes import resolve1

        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:
        return None
    return count if isinstance(count, int) else None


def _page_list(pdf: Any, name: str) -> list[Any]:
    try:
        return pdf.pages
    except Exception as exc:
        raise ReadError(name, f"the PDF's page tree cannot be read ({_describe(_root(exc))})",
                        "corrupt") from None


def _root(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exception; the wrapped one says what went wrong."""
    seen = 0
    while seen < 5:
        inner = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], BaseException) else None
        inner = inner or exc.__cause__ or exc.__context__
        if inner is None:
            return exc
        exc, seen = inner, seen + 1
    return exc


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _quiet_pdfminer() -> None:
    """pdfminer logs a warning for every small defect it works around (a missing /CropBox, a
    bad xref offset); a reader reports errors, not logs. Left alone if the caller set a level."""
    logger = logging.getLogger("pdfminer")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)
