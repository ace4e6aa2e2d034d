"""ZIP archives: each member as `(name, bytes)`, or `(name, ReadError)` when it cannot be taken
out safely, so that one bad member never stops the others.

Members are named `archive.zip!inner/path.xlsx`; a ZIP inside the archive is expanded one level
deep (`outer.zip!inner.zip!a.docx`). Limits, all checked before anything is decompressed (the
sizes in a ZIP's directory bound what `zipfile` will ever write out):

- the members together: at most `max_total` bytes uncompressed (500 MB) → `too_large`;
- at most `max_members` members (10,000) → `too_large` for the rest;
- a member that expands more than `max_ratio` times (100:1) and to more than 1 MB → `zip_bomb`;
- an encrypted member → `encrypted`; an archive that cannot be opened (truncated, not a
  ZIP) → `corrupt`, raised by `iter_archive` itself.

Names stored in GBK by Chinese Windows zippers (no UTF-8 flag) are decoded as such. macOS
resource forks (`__MACOSX/`, `._name`) and `.DS_Store`/`Thumbs.db` are not documents and are
skipped.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import ReadError

MAX_TOTAL_BYTES = 500 * 2**20
MAX_MEMBERS = 10_000
MAX_RATIO = 100.0
RATIO_FLOOR = 2**20  # a member that expands to less than this is never a bomb, whatever its ratio
NESTED_DEPTH = 1

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED = 0x1
_UTF8_NAMES = 0x800
_JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Limits:
    max_total: int = MAX_TOTAL_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: float = MAX_RATIO
    nested_depth: int = NESTED_DEPTH


DEFAULT_LIMITS = Limits()


@dataclass
class _Budget:
    limits: Limits
    total: int = 0
    members: int = 0


def is_zip(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


def iter_archive(path: Path | str, name: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[str, bytes | ReadError]]:
    """Every member of the ZIP at `path` as (`name!member`, bytes or ReadError), in archive order.

    An archive that cannot be opened at all raises ReadError (`corrupt`, `unreadable`,
    `not_a_file`) on the first step of the iteration.
    """
    label = name or str(path)
    archive = open_zip(Path(path), label)
    with archive:
        yield from _walk(archive, label, _Budget(limits), depth=0)


def list_archive(path: Path | str, name: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The names `iter_archive` yields, in the same order (nested ZIPs are opened to list them)."""
    return [member for member, _ in iter_archive(path, name, limits=limits)]


def archive_member(path: Path | str, member: str, name: str | None = None, *,
                   limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of one member; `member` is a name inside the archive, `inner.zip!a.xlsx` for a
    member of a nested ZIP. The same limits apply; any failure is a ReadError named `name`."""
    label = name or f"{path}!{member}"
    with open_zip(Path(path), label) as archive:
        return _extract(archive, member, label, _Budget(limits), depth=0)


def open_zip(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except IsADirectoryError as exc:
        raise ReadError(label, "is a directory, not a file", "not_a_file") from exc
    except FileNotFoundError as exc:
        raise ReadError(label, exc.strerror or str(exc), "not_found") from exc
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc


def _open_bytes(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc


def check_container(archive: zipfile.ZipFile, label: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """The same limits for the ZIP inside an xlsx or docx, before a library opens it."""
    total = 0
    for info in archive.infolist():
        _check(info, label, limits)
        total += info.file_size
        if total > limits.max_total:
            raise ReadError(label, f"its parts expand to more than {limits.max_total // 2**20} MB",
                            "too_large")


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name, decoded as GBK or UTF-8 when the zipper did not flag it as UTF-8."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAMES:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def is_document_container(archive: zipfile.ZipFile) -> bool:
    """An OOXML (xlsx, docx…) or OpenDocument file rather than an archive of files."""
    names = set(archive.namelist())
    return "[Content_Types].xml" in names or "mimetype" in names


# -- internals ------------------------------------------------------------------------------
def _walk(archive: zipfile.ZipFile, label: str, budget: _Budget,
          depth: int) -> Iterator[tuple[str, bytes | ReadError]]:
    infos = [i for i in archive.infolist() if not i.is_dir() and not _junk(member_name(i))]
    for n, info in enumerate(infos):
        member = f"{label}!{member_name(info)}"
        if budget.members >= budget.limits.max_members:
            rest = len(infos) - n
            yield member, ReadError(member, f"over the {budget.limits.max_members}-member limit: this "
                                            f"and {rest - 1} more member(s) not read", "too_large")
            return
        budget.members += 1
        try:
            data = _read(archive, info, member, budget)
        except ReadError as err:
            yield member, err
            continue
        inner = _as_archive(data, member)
        if inner is None:
            yield member, data
            continue
        if isinstance(inner, ReadError):
            yield member, inner
            continue
        with inner:
            if depth >= budget.limits.nested_depth:
                yield member, ReadError(member, f"a ZIP nested more than {budget.limits.nested_depth} "
                                                "level(s) deep; unpack it first", "too_deep")
                continue
            yield from _walk(inner, member, budget, depth + 1)


def _as_archive(data: bytes, label: str) -> zipfile.ZipFile | ReadError | None:
    """The member as an open ZIP when it is an archive of files (not an xlsx/docx), else None."""
    if not is_zip(data):
        return None
    suffix = Path(label.rsplit("!", 1)[-1]).suffix.lower()
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        if suffix == ".zip":
            return ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                             "corrupt")
        return None  # a damaged xlsx/docx: its reader says so
    if suffix != ".zip" and is_document_container(inner):
        inner.close()
        return None
    return inner


def _extract(archive: zipfile.ZipFile, member: str, label: str, budget: _Budget, depth: int) -> bytes:
    info = _find(archive, member)
    if info is not None:
        return _read(archive, info, label, budget)
    # a member of a nested ZIP: `inner.zip!a.xlsx` (a name may itself hold "!", so try each split)
    for i, ch in enumerate(member):
        if ch != "!":
            continue
        info = _find(archive, member[:i])
        if info is None:
            continue
        if depth >= budget.limits.nested_depth:
            raise ReadError(label, f"a ZIP nested more than {budget.limits.nested_depth} level(s) deep; "
                                   "unpack it first", "too_deep")
        with _open_bytes(_read(archive, info, label, budget), label) as inner:
            return _extract(inner, member[i + 1:], label, budget, depth + 1)
    raise ReadError(label, f"no member named {member!r} in the archive", "not_found")


def _find(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    for info in archive.infolist():
        if not info.is_dir() and name in (info.filename, member_name(info)):
            return info
    return None


def _check(info: zipfile.ZipInfo, label: str, limits: Limits) -> None:
    if info.flag_bits & _ENCRYPTED:
        raise ReadError(label, "the member is encrypted (password-protected); give an unencrypted copy",
                        "encrypted")
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > RATIO_FLOOR and size > limits.max_ratio * packed:
        raise ReadError(label, f"expands {size / packed:,.0f}:1 ({size / 2**20:,.1f} MB from "
                               f"{packed / 1024:,.1f} KB), over the {limits.max_ratio:.0f}:1 limit: "
                               "a zip bomb?", "zip_bomb")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, budget: _Budget) -> bytes:
    _check(info, label, budget.limits)
    if budget.total + info.file_size > budget.limits.max_total:
        raise ReadError(label, f"the archive's members expand to more than "
                               f"{budget.limits.max_total // 2**20} MB; not read", "too_large")
    budget.total += info.file_size
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)  # zipfile never writes more than file_size
    except RuntimeError as exc:  # zipfile's "password required for extraction"
        raise ReadError(label, f"the member is encrypted ({_one_line(exc)})", "encrypted") from exc
    except NotImplementedError as exc:
        raise ReadError(label, f"compressed with a method this reader lacks ({_one_line(exc)})",
                        "unsupported_format") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ReadError(label, f"damaged member, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc
    return data


def _junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base in _JUNK_NAMES


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"
