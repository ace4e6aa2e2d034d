"""Rows of cells → source text, and CSV files.

Every tabular reader (CSV, xlsx, xls, docx tables) ends here, so a table gives the same text
whatever it was saved as: one row per line, cells separated by tabs, whitespace inside a cell
(line breaks, tabs) collapsed to one space, empty cells kept where they hold a column's place
and dropped at the end of a row, rows with no text left out (as the HTML renderer does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from extractor.errors import ReadError
from extractor.readers.text import decode

# delimiters a .csv may use; the one that splits the sample into the most cells wins. Not "|":
# a line of bars is a layout the pipeline reads as it stands
_DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 200


def cell_text(value: str) -> str:
    """A cell's text on one line: runs of whitespace (line breaks and tabs included) → one space."""
    return " ".join(value.split())


def row_line(cells: Sequence[str]) -> str:
    """One row as a tab line, trailing empty cells dropped ("" when the row has no text)."""
    cells = [cell_text(c) for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(cells)


def render_rows(rows: Iterable[Sequence[str]]) -> list[str]:
    """Tab lines of the rows that hold any text."""
    return [line for line in (row_line(r) for r in rows) if line]


def join_blocks(blocks: Iterable[list[str]]) -> str:
    """Blocks of lines (sheets, sections) joined with one blank line between them."""
    parts = ["\n".join(b) for b in blocks if b]
    return "\n\n".join(parts) + "\n" if parts else ""


# -- CSV ------------------------------------------------------------------------------------
def read_csv(data: bytes, name: str) -> tuple[str, str]:
    """(source text, encoding) of a CSV file: encoding as for text files, delimiter guessed."""
    text, encoding = decode(data, name)
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ReadError(name, f"not a readable CSV file ({exc})", "corrupt") from exc
    lines = render_rows(rows)
    if not lines:
        raise ReadError(name, "the CSV file has no cells with text", "empty")
    return "\n".join(lines) + "\n", encoding


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        # extra cells per row, capped so that one odd line cannot outvote the rest
        score = sum(min(len(r), 64) - 1 for r in rows if any(c.strip() for c in r))
        if score > best_score:
            best, best_score = delimiter, score
    return best
