"""Readers turn an input (a path, bytes or text) into the source text the pipeline reads.

The source text is what every record's offsets point into: decoded text with markup removed.
Whatever the input format, tables come out one row per line with tab-separated cells and
paragraphs one per line, so that a table gives the same indicators as .txt, .html, .csv, .xlsx,
.xls, .docx, .doc or .pdf.

The format is found from the content first (ZIP, OLE, PDF, RTF and image signatures; which
parts a ZIP holds) and from the name's extension second (.csv, .html), so a wrong extension
neither misleads nor crashes the reader. Every failure is a `ReadError` with a one-line message
and a `reason` code: empty, too_large, corrupt, encrypted, unsupported_format,
needs_conversion, conversion_failed, timeout, archive, zip_bomb, binary, undecodable,
not_found…

ZIP archives hold several documents: `iter_archive` (extractor.readers.archive) yields them one
by one; `read_bytes` on a whole archive raises ReadError `archive`.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from extractor import limits
from extractor.errors import ReadError
from extractor.readers.archive import archive_member, is_zip, iter_archive, list_archive
from extractor.readers.html import TableTooLarge, looks_like_html, render_html, strip_inline_tags
from extractor.readers.text import decode

__all__ = ["MAX_BYTES", "Source", "archive_member", "detect_format", "from_text", "iter_archive",
           "list_archive", "read_bytes", "read_path"]

MAX_BYTES = limits.MAX_FILE_BYTES

_IMAGES = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image",
}
_OTHER_ARCHIVES = {
    b"7z\xbc\xaf\x27\x1c": "a 7z archive", b"Rar!\x1a\x07": "a RAR archive", b"\x1f\x8b": "a gzip file",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SUFFIXES = {".zip", ".xlsx", ".xlsm", ".xltx", ".xltm", ".docx", ".docm", ".dotx", ".dotm",
                 ".odt", ".ods", ".pptx"}
_CONVERTED = {".doc", ".wps", ".rtf", ".odt", ".ods", ".et", ".xml"}
# extensions whose files always start with a signature: (what the signature is)
_SIGNED = {".xlsx": "ZIP", ".xlsm": "ZIP", ".docx": "ZIP", ".docm": "ZIP", ".pptx": "ZIP", ".zip": "ZIP",
           ".odt": "ZIP", ".ods": "ZIP", ".pdf": "%PDF", ".7z": "7z", ".rar": "RAR", ".gz": "gzip"}


@dataclass(frozen=True)
class Source:
    name: str
    text: str
    encoding: str
    format: str  # text, html, csv, xlsx, xls, docx, doc, pdf; rarer: mhtml, spreadsheetml, wps,
    # rtf, odt, ods, et, xml (Word 2003 XML)


def read_path(path: Path, name: str | None = None) -> Source:
    label = name or str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            # a FIFO blocks forever, /dev/zero never ends: only regular files are read
            raise ReadError(label, "not a regular file (a FIFO, socket or device)", "not_a_file")
        size = info.st_size
        if size > MAX_BYTES:
            raise ReadError(label, f"file is {size // 2**20} MB, over the {MAX_BYTES // 2**20} "
                                   "MB limit", "too_large")
        data = path.read_bytes()
    except ReadError:
        raise
    except IsADirectoryError as exc:
        raise ReadError(label, "is a directory, not a file", "not_a_file") from exc
    except FileNotFoundError as exc:
        raise ReadError(label, "no such file", "not_found") from exc
    except OSError as exc:
        raise ReadError(label, exc.strerror or str(exc), "unreadable") from exc
    suffix = path.suffix.lower()
    return read_bytes(data, label, html_hint=suffix in (".html", ".htm"), suffix=suffix)


def read_bytes(data: bytes, name: str, html_hint: bool = False, suffix: str | None = None) -> Source:
    """The source text of `data`; `suffix` (".xlsx") defaults to the extension of `name`, which
    may be an archive member's (`a.zip!b/c.csv`)."""
    if not data.strip():
        raise ReadError(name, "empty file: nothing to read", "empty")
    ext = (_suffix(name) if suffix is None else suffix).lower()
    kind = detect_format(data, name, ext)
    try:
        source = _read(kind, data, name, ext, html_hint)
        if source.format not in ("text", "html"):  # cells exported from web systems keep <p> tags
            source = Source(name, strip_inline_tags(source.text), source.encoding, source.format)
    except ReadError:
        raise
    except TableTooLarge as exc:
        raise ReadError(name, str(exc), "too_large") from exc
    except MemoryError as exc:
        raise ReadError(name, f"too large to read as {kind} in the memory available (raise --memory-mb "
                              "to read it)", "too_large") from exc
    except RecursionError as exc:
        raise ReadError(name, f"nested too deeply to read as {kind}", "corrupt") from exc
    except Exception as exc:  # noqa: BLE001 — a library's error on a damaged file, never a traceback
        raise ReadError(name, f"not a readable {kind} file, damaged or not what its name says "
                              f"({type(exc).__name__}: {_one_line(exc)})", "corrupt") from exc
    if not source.text.strip():
        raise ReadError(name, f"the {kind} file holds no text", "empty")
    return source


def from_text(text: str, name: str, encoding: str = "str", html_hint: bool = False) -> Source:
    if html_hint or looks_like_html(text):
        try:
            return Source(name, render_html(text), encoding, "html")
        except TableTooLarge as exc:
            raise ReadError(name, str(exc), "too_large") from exc
    return Source(name, strip_inline_tags(text), encoding, "text")


def detect_format(data: bytes, name: str, ext: str = "") -> str:
    """The reader for `data`: xlsx, docx, xls, doc (…), pdf, csv or text (text covers HTML).

    Raises ReadError for what no reader takes: images, other archives, a ZIP of documents
    (`archive`), a ZIP or OLE file that cannot be opened, encrypted Office files.
    """
    head = data[:8]
    if is_zip(data):
        return _zip_format(data, name, ext)
    if head == _OLE:
        return _ole_format(data, name, ext)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:1024].lstrip()[:5] == b"{\\rtf":
        return ".rtf"
    if head[:2] == b"BM" and int.from_bytes(data[2:6], "little") == len(data):
        raise ReadError(name, "a BMP image; this reader takes text, HTML, CSV, Office and PDF files "
                              "(it needs OCR first)", "unsupported_format")
    for magic, what in {**_IMAGES, **_OTHER_ARCHIVES}.items():
        if head.startswith(magic):
            advice = "unpack it first" if magic in _OTHER_ARCHIVES else "it needs OCR first"
            raise ReadError(name, f"{what}; this reader takes text, HTML, CSV, Office and PDF files "
                                  f"({advice})", "unsupported_format")
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"mime-version:") or b"content-type: multipart/related" in start:
        return "mhtml"  # Word's or a browser's "single file web page", often named .doc
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in start:
        return "spreadsheetml"  # Excel 2003 XML, often named .xls
    if start.startswith(b"<?xml") and b"schemas.microsoft.com/office/word/2003/wordml" in start:
        return ".xml"  # Word 2003 XML: LibreOffice reads it
    if ext == ".csv":
        return "csv"
    if ext in _SIGNED:
        return _unsigned(data, name, ext)
    # no signature: text or HTML (web systems save HTML and tab text under .xls and .doc too)
    return "text"


def _unsigned(data: bytes, name: str, ext: str) -> str:
    """A name that promises a signature (.xlsx, .docx, .pdf…) on content without one: an HTML
    page (what web systems export under any name) is read; anything else is not what it says."""
    try:
        text, _ = decode(data[:65536], name)
    except ReadError:
        text = ""
    if text and looks_like_html(text):
        return "text"
    what = "plain text" if text else "binary data"
    raise ReadError(name, f"the name says {ext} but the content has no {_SIGNED[ext]} signature: it holds "
                          f"{what}, not a {ext} file", "corrupt")


def _read(kind: str, data: bytes, name: str, ext: str, html_hint: bool) -> Source:
    if kind == "text":
        text, encoding = decode(data, name)
        return from_text(text, name, encoding, html_hint)
    if kind == "csv":
        from extractor.readers.tabular import read_csv

        text, encoding = read_csv(data, name)
        return Source(name, text, encoding, "csv")
    if kind == "xlsx":
        from extractor.readers.office import read_xlsx

        return Source(name, read_xlsx(data, name), "utf-8", "xlsx")
    if kind == "docx":
        from extractor.readers.office import read_docx

        return Source(name, read_docx(data, name), "utf-8", "docx")
    if kind == "xls":
        from extractor.readers.office import read_xls

        text, encoding = read_xls(data, name)
        return Source(name, text, encoding, "xls")
    if kind in _CONVERTED:
        from extractor.readers.office import read_converted

        return Source(name, read_converted(data, name, kind), "utf-8", kind.lstrip("."))
    if kind == "pdf":
        return Source(name, _read_pdf(data, name), "utf-8", "pdf")
    if kind == "mhtml":
        return _read_mhtml(data, name)
    if kind == "spreadsheetml":
        from extractor.readers.office import read_spreadsheetml

        return Source(name, read_spreadsheetml(data, name), "utf-8", "spreadsheetml")
    raise AssertionError(f"no reader for {kind}")  # pragma: no cover


def _read_pdf(data: bytes, name: str) -> str:
    try:
        from extractor.readers.pdf import read_pdf
    except ModuleNotFoundError as exc:
        if exc.name != "extractor.readers.pdf":
            raise
        raise ReadError(name, "a PDF file; this reader takes text, HTML, CSV and Office files "
                              "(no PDF reader is installed)", "unsupported_format") from exc
    return read_pdf(data, name)


def _read_mhtml(data: bytes, name: str) -> Source:
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = (part.get_content_charset() or "").lower()
        charset = "gb18030" if charset in ("gb2312", "gbk", "x-gbk") else charset
        try:
            text, encoding = payload.decode(charset), charset
        except (LookupError, UnicodeDecodeError):
            text, encoding = decode(payload, name)
        return Source(name, render_html(text), encoding, "mhtml")
    raise ReadError(name, "a web archive (MHTML) with no HTML page in it", "empty")


def _zip_format(data: bytes, name: str, ext: str) -> str:
    from extractor.readers.archive import is_document_container

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        if ext in _ZIP_SUFFIXES:
            raise ReadError(name, f"a damaged {ext} file: its ZIP container is truncated or corrupt "
                                  f"({_one_line(exc)})", "corrupt") from exc
        raise ReadError(name, "starts like a ZIP container (xlsx/docx/zip) but has no readable ZIP "
                              "directory: truncated, corrupt or not a format this reader knows",
                        "unsupported_format") from exc
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names or (
                "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)):
            return "docx"
        if "xl/workbook.bin" in names:
            raise ReadError(name, "a binary Excel workbook (.xlsb); save it as .xlsx", "unsupported_format")
        if any(n.startswith("ppt/") for n in names):
            raise ReadError(name, "a PowerPoint file; this reader takes text, HTML, CSV, Office "
                                  "documents and spreadsheets, and PDF", "unsupported_format")
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100] if archive.getinfo("mimetype").file_size < 200 else b""
            if b"opendocument.text" in mimetype:
                return ".odt"
            if b"opendocument.spreadsheet" in mimetype:
                return ".ods"
        if ext not in (".zip", "") and is_document_container(archive):
            raise ReadError(name, "a ZIP-based file that is not xlsx or docx; save it as .xlsx or "
                                  ".docx", "unsupported_format")
        files = [i for i in archive.infolist() if not i.is_dir()]
    if not files:
        raise ReadError(name, "an empty ZIP archive", "empty")
    raise ReadError(name, f"a ZIP archive of {len(files)} file(s); read its members with "
                          "iter_archive or `indicators tag`", "archive")


def _ole_format(data: bytes, name: str, ext: str) -> str:
    """xls, doc or an encrypted Office file, from the stream names in the OLE directory."""
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") + b"\x00\x00" in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        raise ReadError(name, "a password-protected Office file; give an unlocked copy", "encrypted")
    word, excel = has("WordDocument"), has("Workbook") or has("Book")
    if word and excel:  # one embeds the other: the extension decides
        return ".doc" if ext in (".doc", ".wps", ".dot") else "xls"
    if word:
        return ".wps" if ext == ".wps" else ".doc"
    if excel:
        return "xls"
    if has("PowerPoint Document"):
        raise ReadError(name, "a PowerPoint file; this reader takes text, HTML, CSV, Office "
                              "documents and spreadsheets, and PDF", "unsupported_format")
    if ext in (".xls", ".et"):
        return "xls"
    if ext in (".doc", ".wps"):
        return ".doc"
    raise ReadError(name, "an OLE file that is neither a Word nor an Excel document",
                    "unsupported_format")


def _suffix(name: str) -> str:
    last = name.rsplit("!", 1)[-1]
    return PurePosixPath(last.replace("\\", "/")).suffix


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"
