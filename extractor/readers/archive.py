"""ZIP archives: each member as `(name, bytes)`, or `(name, ReadError)` when it cannot be taken
out safely, so that one bad member never stops the others.

Members are named `archive.zip!inner/path.xlsx`; a ZIP inside the archive is expanded one level
deep (`outer.zip!inner.zip!a.docx`). `plan_archive` lists the members without decompressing
them (only a nested ZIP is read, to list its own members) and gives each one either its share
of the archive's budget or the limit it is past:

- the members together: at most `max_total` bytes uncompressed (500 MB), one budget per
  archive, nested members included → `too_large` for every member past it;
- at most `max_members` members (10,000) → `too_large` for every member past it;
- a member that expands more than `max_ratio` times (100:1) and to more than 1 MB → `zip_bomb`;
- an encrypted member → `encrypted`; an archive that cannot be opened (truncated, not a
  ZIP) → `corrupt`, raised by `iter_archive` itself.

A ZIP's directory can lie about sizes, so reading never trusts it: decompressed bytes are
counted as they come out, in chunks, and a member that yields more than its directory entry
says (or more than `max_ratio` times its compressed size) stops there as `zip_bomb`. The sum of
the directory sizes is what the budget is checked against, so the real bytes of all members
together never pass `max_total`, in whichever process each member is read.

Names stored in GBK by Chinese Windows zippers (no UTF-8 flag) are decoded as such. macOS
resource forks (`__MACOSX/`, `._name`) and `.DS_Store`/`Thumbs.db` are not documents and are
skipped.
"""

from __future__ import annotations

import copy
import io
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from extractor import limits as bounds
from extractor.errors import ReadError

MAX_TOTAL_BYTES = bounds.ARCHIVE_MAX_BYTES
MAX_MEMBERS = bounds.ARCHIVE_MAX_MEMBERS
MAX_RATIO = bounds.ARCHIVE_MAX_RATIO
RATIO_FLOOR = 2**20  # a member that expands to less than this is never a bomb, whatever its ratio
NESTED_DEPTH = bounds.ARCHIVE_NESTED_DEPTH

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


@dataclass(frozen=True)
class Planned:
    """One member as `plan_archive` finds it: its names from the outer archive inward, and
    either None or the ReadError it gets without being read (a limit it is past, encryption)."""

    parts: tuple[str, ...]
    error: ReadError | None = None


CHUNK = 2**16  # decompress this much at a time: a lying directory costs one chunk, not gigabytes
UNBOUNDED = 2**62
NESTED_SPOOL = 16 * 2**20  # a nested ZIP bigger than this is spooled to a temporary file


def is_zip(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


def plan_archive(path: Path | str, name: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> list[Planned]:
    """Every member of the ZIP at `path`, in archive order, each with the error it gets from the
    archive's limits; only nested ZIPs are decompressed (to list them). Raises ReadError when
    the archive itself cannot be opened."""
    label = name or str(path)
    with open_zip(Path(path), label) as archive:
        return list(_plan(archive, label, (), _Budget(limits), depth=0))


def iter_archive(path: Path | str, name: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[str, bytes | ReadError]]:
    """Every member of the ZIP at `path` as (`name!member`, bytes or ReadError), in archive order.

    An archive that cannot be opened at all raises ReadError (`corrupt`, `unreadable`,
    `not_a_file`) on the first step of the iteration.
    """
    label = name or str(path)
    for planned in plan_archive(path, label, limits=limits):
        member = "!".join((label, *planned.parts))
        if planned.error is not None:
            yield member, planned.error
            continue
        try:
            yield member, read_member(path, planned.parts, member, limits=limits)
        except ReadError as err:
            yield member, err


def list_archive(path: Path | str, name: str | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The names `iter_archive` yields, in the same order, without reading the members."""
    label = name or str(path)
    return ["!".join((label, *planned.parts)) for planned in plan_archive(path, label, limits=limits)]


def archive_member(path: Path | str, member: str, name: str | None = None, *,
                   limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of one member; `member` is a name inside the archive, `inner.zip!a.xlsx` for a
    member of a nested ZIP (a name may itself hold "!": each split is tried). The same limits
    apply; any failure is a ReadError named `name`."""
    label = name or f"{path}!{member}"
    with open_zip(Path(path), label) as archive:
        return _extract(archive, member, label, limits, depth=0)


def read_member(path: Path | str, parts: tuple[str, ...], name: str, *,
                limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of the member that `plan_archive` named `parts`, counted as they come out."""
    with open_zip(Path(path), name) as archive:
        return _read_parts(archive, parts, name, limits, depth=0)


def open_zip(path: Path, label: str) -> zipfile.ZipFile:
    try:
        if path.exists() and not path.is_file():
            raise ReadError(label, "not a regular file (a folder, a FIFO or a device)", "not_a_file")
        return zipfile.ZipFile(path)
    except ReadError:
        raise
    except IsADirectoryError as exc:
        raise ReadError(label, "is a directory, not a file", "not_a_file") from exc
    except FileNotFoundError as exc:
        raise ReadError(label, exc.strerror or str(exc), "not_found") from exc
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc


def _open_file(handle: IO[bytes], label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc


def check_container(archive: zipfile.ZipFile, label: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """The same limits for the ZIP inside an xlsx or docx, before a library opens it. The
    library will read each part whole, in one call; so each part is first decompressed here,
    counted and thrown away, to be sure it yields no more than its directory entry says."""
    total = 0
    for info in archive.infolist():
        _check(info, label, limits)
        total += info.file_size
        if total > limits.max_total:
            raise ReadError(label, f"its parts expand to more than {limits.max_total // 2**20} MB",
                            "too_large")
    for info in archive.infolist():
        if not info.is_dir():
            _counted(archive, info, label, limits, sink=None)


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
_DOCUMENT_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".docm", ".odt", ".ods", ".pptx")


def _plan(archive: zipfile.ZipFile, label: str, prefix: tuple[str, ...], budget: _Budget,
          depth: int) -> Iterator[Planned]:
    for info in _infos(archive):
        parts = prefix + (member_name(info),)
        member = "!".join((label, *parts))
        error = _refusal(info, member, budget)
        if error is not None:
            yield Planned(parts, error)
            continue
        if not _maybe_archive(archive, info, parts[-1]):
            yield Planned(parts)
            continue
        yield from _plan_nested(archive, info, label, parts, budget, depth)


def _refusal(info: zipfile.ZipInfo, member: str, budget: _Budget) -> ReadError | None:
    """The limit this member is past, or None after charging it to the archive's budget."""
    limits = budget.limits
    if budget.members >= limits.max_members:
        return ReadError(member, f"past the {limits.max_members}-member limit of one archive: not "
                                 "read (unpack the archive into smaller ones)", "too_large")
    try:
        _check(info, member, limits)
    except ReadError as err:
        return err
    if budget.total + info.file_size > limits.max_total:
        return ReadError(member, f"the archive's members expand to more than "
                                 f"{limits.max_total // 2**20} MB together; not read "
                                 "(unpack the archive into smaller ones)", "too_large")
    budget.members += 1
    budget.total += info.file_size
    return None


def _maybe_archive(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bool:
    """A ZIP of files (not an xlsx or docx), from its first bytes: only such a member is
    decompressed while listing."""
    if name.lower().endswith(_DOCUMENT_SUFFIXES):
        return False
    try:
        with archive.open(info) as handle:
            return is_zip(handle.read(4))
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return False  # reading it whole says what is wrong


def _plan_nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, parts: tuple[str, ...],
                 budget: _Budget, depth: int) -> Iterator[Planned]:
    member = "!".join((label, *parts))
    try:
        with _spooled(archive, info, member, budget.limits) as spool:
            inner = _as_archive(spool, member)
            if inner is None:
                yield Planned(parts)
                return
            with inner:
                if depth >= budget.limits.nested_depth:
                    yield Planned(parts, _too_deep(member, budget.limits))
                    return
                yield from _plan(inner, label, parts, budget, depth + 1)
    except ReadError as err:
        yield Planned(parts, err)


def _as_archive(handle: IO[bytes], label: str) -> zipfile.ZipFile | None:
    """The member as an open ZIP when it is an archive of files (not an xlsx/docx), else None."""
    suffix = Path(label.rsplit("!", 1)[-1]).suffix.lower()
    try:
        inner = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        if suffix == ".zip":
            raise ReadError(label, f"not a readable ZIP archive, truncated or corrupt ({_one_line(exc)})",
                            "corrupt") from exc
        return None  # a damaged document: its reader says so
    if suffix != ".zip" and is_document_container(inner):
        inner.close()
        return None
    return inner


def _too_deep(label: str, limits: Limits) -> ReadError:
    return ReadError(label, f"a ZIP nested more than {limits.nested_depth} level(s) deep; unpack it first",
                     "too_deep")


def _infos(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in archive.infolist() if not i.is_dir() and not _junk(member_name(i))]


def _read_parts(archive: zipfile.ZipFile, parts: tuple[str, ...], label: str, limits: Limits,
                depth: int) -> bytes:
    info = _find(archive, parts[0])
    if info is None:
        raise ReadError(label, f"no member named {parts[0]!r} in the archive", "not_found")
    if len(parts) == 1:
        return _read(archive, info, label, limits)
    if depth >= limits.nested_depth:
        raise _too_deep(label, limits)
    with _spooled(archive, info, label, limits) as spool, _open_file(spool, label) as inner:
        return _read_parts(inner, parts[1:], label, limits, depth + 1)


def _extract(archive: zipfile.ZipFile, member: str, label: str, limits: Limits, depth: int) -> bytes:
    if _find(archive, member) is not None:
        return _read_parts(archive, (member,), label, limits, depth)
    # a member of a nested ZIP: `inner.zip!a.xlsx` (a name may itself hold "!", so try each split)
    for i, ch in enumerate(member):
        if ch == "!" and _find(archive, member[:i]) is not None:
            if depth >= limits.nested_depth:
                raise _too_deep(label, limits)
            info = _find(archive, member[:i])
            assert info is not None
            with _spooled(archive, info, label, limits) as spool, _open_file(spool, label) as inner:
                return _extract(inner, member[i + 1:], label, limits, depth + 1)
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
    _check_ratio(info.file_size, info.compress_size, label, limits)


def _check_ratio(size: int, packed: int, label: str, limits: Limits) -> None:
    packed = max(packed, 1)
    if size > RATIO_FLOOR and size > limits.max_ratio * packed:
        raise ReadError(label, f"expands {size / packed:,.0f}:1 ({size / 2**20:,.1f} MB from "
                               f"{packed / 1024:,.1f} KB), over the {limits.max_ratio:.0f}:1 limit: "
                               "a zip bomb?", "zip_bomb")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> bytes:
    sink = io.BytesIO()
    _counted(archive, info, label, limits, sink)
    return sink.getvalue()


class _spooled:  # noqa: N801 — used as a context manager
    """A nested ZIP's bytes in memory when small, in a temporary file when not."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> None:
        # closed by __exit__, or here when reading fails
        self.spool = tempfile.SpooledTemporaryFile(max_size=NESTED_SPOOL)  # noqa: SIM115
        try:
            _counted(archive, info, label, limits, self.spool)
        except BaseException:
            self.spool.close()
            raise
        self.spool.seek(0)

    def __enter__(self) -> IO[bytes]:
        return self.spool  # type: ignore[return-value]

    def __exit__(self, *exc: object) -> None:
        self.spool.close()


def _counted(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits,
             sink: IO[bytes] | None) -> int:
    """Decompress one member chunk by chunk into `sink` (or nowhere), counting the bytes that
    really come out: more than the directory entry says, or past the ratio, is a zip bomb."""
    _check(info, label, limits)
    probe = copy.copy(info)
    # zipfile stops (with a CRC error) at the size the directory gives; lift that stop so the
    # bytes really there come out and are counted here
    probe.file_size = UNBOUNDED
    count = 0
    try:
        with archive.open(probe) as handle:
            while chunk := handle.read(CHUNK):
                count += len(chunk)
                if count > info.file_size:
                    raise ReadError(label, f"yields more than the {info.file_size:,} bytes its ZIP directory "
                                           "gives: a zip bomb?", "zip_bomb")
                _check_ratio(count, info.compress_size, label, limits)
                if sink is not None:
                    sink.write(chunk)
    except ReadError:
        raise
    except RuntimeError as exc:  # zipfile's "password required for extraction"
        raise ReadError(label, f"the member is encrypted ({_one_line(exc)})", "encrypted") from exc
    except NotImplementedError as exc:
        raise ReadError(label, f"compressed with a method this reader lacks ({_one_line(exc)})",
                        "unsupported_format") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ReadError(label, f"damaged member, truncated or corrupt ({_one_line(exc)})",
                        "corrupt") from exc
    return count


def _junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base in _JUNK_NAMES


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"
