"""Readers turn an input (a path, bytes or text) into the source text the pipeline reads.

The source text is what every record's offsets point into: decoded text with markup
removed (HTML tables are rendered one row per line, cells separated by tabs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractor.errors import ReadError
from extractor.readers.html import looks_like_html, render_html, strip_inline_tags
from extractor.readers.text import decode

MAX_BYTES = 200 * 1024 * 1024

_UNSUPPORTED_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP container (xlsx/docx/zip)",
    b"\xd0\xcf\x11\xe0": "an OLE file (xls/doc)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


@dataclass(frozen=True)
class Source:
    name: str
    text: str
    encoding: str
    format: str  # "text" or "html"


def read_path(path: Path, name: str | None = None) -> Source:
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(label, f"file is {size // 2**20} MB, over the {MAX_BYTES // 2**20} "
                                   "MB limit", "too_large")
        data = path.read_bytes()
    except ReadError:
        raise
    except IsADirectoryError as exc:
        raise ReadError(label, "is a directory, not a file", "not_a_file") from exc
    except OSError as exc:
        raise ReadError(label, exc.strerror or str(exc), "unreadable") from exc
    return read_bytes(data, label, html_hint=path.suffix.lower() in (".html", ".htm"))


def read_bytes(data: bytes, name: str, html_hint: bool = False) -> Source:
    if not data.strip():
        raise ReadError(name, "empty file: nothing to read", "empty")
    for magic, what in _UNSUPPORTED_MAGIC.items():
        if data.startswith(magic):
            raise ReadError(name, f"{what}; this reader takes text and HTML files",
                            "unsupported_format")
    text, encoding = decode(data, name)
    return from_text(text, name, encoding, html_hint)


def from_text(text: str, name: str, encoding: str = "str", html_hint: bool = False) -> Source:
    if html_hint or looks_like_html(text):
        return Source(name, render_html(text), encoding, "html")
    return Source(name, strip_inline_tags(text), encoding, "text")
