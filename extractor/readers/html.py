"""HTML → source text: tables one row per line with tab-separated cells (colspan and
rowspan filled with empty cells so columns stay aligned), block elements on their own lines,
entities decoded. Also strips stray tags (`<p>` inside cells) from plain-text inputs."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import regex

from extractor.limits import MAX_SPAN, MAX_TABLE_CELLS

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title", "tr", "table",
          "section", "article", "ul", "ol", "caption", "dt", "dd", "hr"}
_SKIP = {"script", "style", "head"}
_INLINE_TAG = regex.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}(?:\s[^<>]{0,500})?/?>")
_HTML_START = regex.compile(r"^\s*(?:<!doctype html|<html|<table|<body|<meta|<head)",
                            regex.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000]))


def strip_inline_tags(text: str) -> str:
    if "<" not in text:
        return text
    stripped = _INLINE_TAG.sub("", text)
    return html.unescape(stripped) if "&" in stripped else stripped


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.title_seen = False
        self.tables: list[_Table] = []

    # -- structure -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag != "head":
            self.skip += 1
            return
        if self.tables and tag in ("td", "th"):
            a = dict(attrs)
            self.tables[-1].open_cell(_span(a.get("colspan")), _span(a.get("rowspan")))
        elif tag == "tr" and self.tables:
            self.tables[-1].open_row()
        elif tag == "table":
            self._flush()
            self.tables.append(_Table())
        elif tag in _BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag != "head":
            self.skip = max(0, self.skip - 1)
            return
        if tag == "table" and self.tables:
            self.lines.extend(self.tables.pop().render())
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].close_cell()
        elif tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.tables and self.tables[-1].in_cell():
            self.tables[-1].add_text(data)
        else:
            self.current.append(data)

    # -- helpers ---------------------------------------------------------------------
    def _break(self) -> None:
        if self.tables and self.tables[-1].in_cell():
            self.tables[-1].add_text(" ")
        else:
            self._flush()

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def result(self) -> str:
        self._flush()
        while self.tables:
            self.lines.extend(self.tables.pop().render())
        return "\n".join(self.lines) + "\n"


class TableTooLarge(ValueError):
    """A table whose cells, spans included, pass MAX_TABLE_CELLS."""


class _Table:
    def __init__(self) -> None:
        self.rows: list[dict[int, str]] = []
        self.pending: dict[int, set[int]] = {}  # row -> columns covered there by a rowspan above
        self.area = 0  # cells so far, spans included: bounded so huge spans cannot run for minutes
        self.cell: list[str] | None = None
        self.col = 0
        self.colspan = 1
        self.rowspan = 1

    def open_row(self) -> None:
        self.rows.append({})
        self.col = 0

    def open_cell(self, colspan: int, rowspan: int) -> None:
        if not self.rows:
            self.open_row()
        self.close_cell()
        row = len(self.rows) - 1
        while self.col in self.pending.get(row, ()):
            self.rows[row][self.col] = ""
            self.col += 1
        self.cell, self.colspan, self.rowspan = [], colspan, rowspan

    def in_cell(self) -> bool:
        return self.cell is not None

    def add_text(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)

    def close_cell(self) -> None:
        if self.cell is None:
            return
        row = len(self.rows) - 1
        text = " ".join("".join(self.cell).split())
        self.area += self.colspan * self.rowspan
        if self.area > MAX_TABLE_CELLS:
            raise TableTooLarge(f"a table of more than {MAX_TABLE_CELLS:,} cells (rowspan and colspan "
                                "included): too large to read")
        for dc in range(self.colspan):
            self.rows[row][self.col + dc] = text if dc == 0 else ""
            for dr in range(1, self.rowspan):
                self.pending.setdefault(row + dr, set()).add(self.col + dc)
        self.col += self.colspan
        self.cell = None

    def render(self) -> list[str]:
        self.close_cell()
        out = []
        for r, row in enumerate(self.rows):
            width = max(max(row, default=-1), max(self.pending.get(r, ()), default=-1))
            cells = [row.get(c, "") for c in range(width + 1)]
            if any(cells):
                out.append("\t".join(cells))
        return out


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1


def render_html(text: str) -> str:
    renderer = _Renderer()
    renderer.feed(text)
    renderer.close()
    return html.unescape(renderer.result()) if "&" in renderer.result() else renderer.result()
