"""`indicators tag`: turn folders of published files into the three record streams and a
workbook, without losing a file and without stopping on a bad one.

Every input file (a zip's members count as files) is one job, processed in isolation: in a
worker process with a time limit and an address-space limit, or on a Dask cluster. A pool
worker serialises a job's records and appends them to its own shards (one file per record
stream, in the output folder's temp area `.indicators-tag.parts/`); the main process then
appends the job's journal line (which shard, which byte ranges) and its summary to
`documents.jsonl`, last, so a document is done exactly when its summary line is there. The main
process never sees the records: at the end it merges the shards into `indicators.jsonl` and
`findings.jsonl` in input order by copying byte ranges, and sorts `documents.jsonl` the same way.
After a kill, `--resume` finds each finished document's records through the journal, processes
what is missing, and the merge makes the outputs equal those of an uninterrupted run.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from selectors import EVENT_READ
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from extractor.errors import DocumentTimeout
from extractor.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from extractor.names import doc_name

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.connection import Connection

    from extractor.checks import Config
    from extractor.readers.archive import Planned

STREAMS = ("indicators.jsonl", "findings.jsonl", "documents.jsonl")
RECORDS = STREAMS[:2]  # written into shards by the process that read the document
SUMMARIES = STREAMS[2]  # appended by the main process: a document's done-mark
EXTENSIONS = (".txt", ".tsv", ".md", ".csv", ".html", ".htm", ".xlsx", ".xls", ".docx", ".doc",
              ".pdf", ".zip")
PARENT_POLL_SECONDS = 1.0  # a worker notices a dead parent this fast (or at once, on Linux)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
LOCK_NAME = ".indicators-tag.lock"  # held (flock) by the run that writes the folder
PARTS_NAME = ".indicators-tag.parts"  # the temp area: shards and journal, removed by the merge
JOURNAL = "journal.jsonl"  # in the temp area: where each finished document's records are
COPY_CHUNK = 2**20  # the merge copies at most this many bytes at a time
MAX_OPEN_SHARDS = 64  # the merge keeps at most this many shards open (each pool has its own)
JOIN_SECONDS = 10.0  # how long a killed worker is waited for (a stopped one: three times that)


@dataclass(frozen=True)
class Job:
    index: int
    doc: str  # the name records carry (extractor.names): the path, `archive.zip!member` for members
    path: str
    parts: tuple[str, ...] = ()  # the member's names inside the archive at `path`, outer first
    refused: tuple[str, str] | None = None  # (reason, message): an error summary without reading


@dataclass(frozen=True)
class Limits:
    """What every worker reads a document with: its limits, and the checks' configuration
    (--config, --select, --ignore; None: the defaults and any config file found)."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    config: Config | None = None


# -- discovering inputs ---------------------------------------------------------------------
def discover(paths: Iterable[Path], pattern: str | None = None,
             exclude: Path | None = None, follow_symlinks: bool = False) -> list[Job]:
    """Every input file under `paths`, in a stable order; zip archives expanded to members.
    A file named twice (or found in two of the folders given) is one document; nothing under
    `exclude` (the output folder: its report.xlsx is not an input) is taken. A path that is
    skipped (a link not followed, a FIFO, a device, a link loop) is a job with its refusal, so
    that it too gets a summary."""
    skip = exclude.resolve() if exclude is not None else None
    found: list[tuple[Path, tuple[str, str] | None]] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            entries: Iterable[Found] = _walk(path, pattern, follow_symlinks, set())
        else:
            entries = [Found(path, None, _real(path))]
        for file, refused, real in entries:
            if real is not None and (real in seen or (skip is not None and real.is_relative_to(skip))):
                continue
            if real is not None:
                seen.add(real)
            found.append((file, refused))
    jobs: list[Job] = []
    for path, refused in found:
        jobs.extend(_jobs(path, refused, len(jobs)))
    return jobs


class Found(NamedTuple):
    """A path discovery found, why it is skipped (None: an input), and its real path (None for
    a skipped one, or one that cannot be resolved)."""

    path: Path
    refused: tuple[str, str] | None
    real: Path | None


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _walk(folder: Path, pattern: str | None, follow: bool, visited: set[Path]) -> Iterator[Found]:
    """Files under `folder` in name order, each with None or why it is skipped. Links are
    followed only when asked (a folder reached twice through links is walked once). The
    listing gives each entry's type, and an entry that is no link has its folder's real path
    with its name added: an archive of a hundred thousand files is not stat'ed file by file
    (ten system calls each, slow on a network share)."""
    real = _real(folder)
    if real is None or real in visited:
        return
    visited.add(real)
    try:
        with os.scandir(folder) as listing:
            entries = sorted((folder / entry.name, entry) for entry in listing)
    except OSError as exc:
        yield Found(folder, ("unreadable", f"cannot list this folder ({exc.strerror or exc})"), None)
        return
    for path, entry in entries:
        kind, why = _kind(entry, follow)
        if kind == "dir":
            yield from _walk(path, pattern, follow, visited)
        elif kind == "file" and _wanted(path, pattern):
            yield Found(path, None, _real(path) if _is_link(entry) else real / entry.name)
        elif kind == "skip" and (_wanted(path, pattern) or _is_dir(entry)):
            yield Found(path, ("skipped", why), None)  # what would have been an input, or a linked folder


def _kind(entry: os.DirEntry[str], follow: bool) -> tuple[str, str]:
    """("dir" | "file" | "skip", why a skipped path is skipped)."""
    try:
        if entry.is_symlink() and not follow:
            return "skip", "a symbolic link, not followed (--follow-symlinks follows links)"
        if _answered(entry.is_dir):
            return "dir", ""
        if _answered(entry.is_file):
            return "file", ""
        if not os.path.exists(entry.path):
            return "skip", "a broken or looping symbolic link"
    except OSError as exc:  # a link loop (ELOOP), a file gone meanwhile
        return "skip", f"cannot be read ({exc.strerror or exc})"
    return "skip", "not a regular file (a FIFO, socket or device)"


# what pathlib's is_dir/is_file answer False to (a link loop among them) where a listing's entry raises
_NO_SUCH = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _answered(test: Callable[[], bool]) -> bool:
    try:
        return test()
    except OSError as exc:
        if exc.errno in _NO_SUCH:
            return False
        raise


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # resolved the slow way


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return _answered(entry.is_dir)
    except OSError:
        return False


def _jobs(path: Path, refused: tuple[str, str] | None, first: int) -> list[Job]:
    """One job for a file, one per member for a ZIP archive that can be listed."""
    doc = doc_name(str(path))
    if refused is not None:
        return [Job(first, doc, str(path), refused=(refused[0], f"{doc}: {refused[1]}"))]
    planned = _zip_members(path) if path.suffix.lower() == ".zip" else None
    if not planned:
        return [Job(first, doc, str(path))]
    jobs = []
    for i, member in enumerate(planned):
        name = doc_name(str(path), *member.parts)
        refusal = None
        if member.error is not None:  # its message names the member as the archive reader does
            refusal = (member.error.reason, f"{name}: {str(member.error).split(': ', 1)[-1]}")
        jobs.append(Job(first + i, name, str(path), member.parts, refusal))
    return jobs


def _wanted(path: Path, pattern: str | None) -> bool:
    if pattern:
        return fnmatch(path.name, pattern) or fnmatch(str(path), pattern)
    return path.suffix.lower() in EXTENSIONS and not path.name.startswith(".")


def _zip_members(path: Path) -> list[Planned] | None:
    """The archive's members, each with the error a limit gives it (nested archives expanded,
    junk skipped), or None when the archive cannot be listed: the job then reports why."""
    from extractor.errors import ReadError
    from extractor.readers.archive import plan_archive

    try:
        return plan_archive(path) or None
    except (ReadError, OSError):
        return None


# -- one document, in isolation -----------------------------------------------------------------
def process(job: Job, limits: Limits, sink: Callable[[dict[str, str]], None] | None = None) -> dict[str, Any]:
    """The records of one input; any failure becomes the document's error summary. With a
    `sink` (a pool worker's shards), each section's record lines go to it as the section is
    done, and the outcome says so (`streamed`) and brings only the summary."""
    from extractor.errors import ExtractorError
    from extractor.summary import error_summary

    if job.refused is not None:
        return _failed(job, *job.refused, error_summary)
    try:
        with _time_limit(limits.timeout):
            out = _records(job, limits, sink)
    except ExtractorError as exc:
        out = _failed(job, getattr(exc, "reason", "unreadable"), str(exc), error_summary)
    except DocumentTimeout:
        out = _failed(job, "timeout", _timeout_message(job, limits), error_summary)
    except MemoryError:
        out = _failed(job, "memory", _memory_message(job, limits), error_summary)
    except Exception as exc:  # noqa: BLE001 — one bad document never stops a batch
        out = _failed(job, "internal_error", f"{job.doc}: {type(exc).__name__}: {exc}",
                      error_summary)
    return out


def _memory_message(job: Job, limits: Limits) -> str:
    return (f"{job.doc}: over the {limits.memory_mb} MB memory guard (a very large document may "
            "need a larger --memory-mb)")


def _timeout_message(job: Job, limits: Limits) -> str:
    return (f"{job.doc}: gave up after {limits.timeout:.0f} s (a very large document may need a "
            "larger --timeout)")


def _records(job: Job, limits: Limits, sink: Callable[[dict[str, str]], None] | None) -> dict[str, Any]:
    """A large text is read in sections (extractor.pipeline.extract_sections): each section's
    lines are written (to `sink`) or gathered as it is done, and only its counts are kept."""
    from extractor.pipeline import extract_sections
    from extractor.summary import Summary

    source = _member_bytes(job) if job.parts else Path(job.path)
    size = len(source) if isinstance(source, bytes) else Path(job.path).stat().st_size
    counts, gathered = Summary(), {name: [] for name in RECORDS}
    for section in extract_sections(source, job.doc, limits.config, memory_mb=limits.memory_mb):
        counts.add(section)
        lines = _lines(RECORDS, ([r.to_dict() for r in section.indicators],
                                 [f.to_dict() for f in section.findings]))
        del section  # its records are lines now: the next section's work reuses the memory
        if sink is None:
            for name in RECORDS:
                gathered[name].append(lines[name])
        else:
            sink(lines)
    summary = counts.summary()
    summary["bytes"] = size
    out = _result(job, summary, [], [])
    out["lines"].update({name: "".join(parts) for name, parts in gathered.items()})
    out["streamed"] = sink is not None
    return out


def _lines(names: tuple[str, ...], streams: tuple[list[dict[str, Any]], ...]) -> dict[str, str]:
    return {name: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            for name, records in zip(names, streams, strict=True)}


def _result(job: Job, summary: dict[str, Any], indicators: list[dict[str, Any]],
            findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A job's outcome: the summary, and the three streams' lines already serialised here, in
    the process that read the document (a pool worker writes them to its shards)."""
    lines = _lines(STREAMS, (indicators, findings, [summary]))
    return {"index": job.index, "doc": job.doc, "summary": summary, "lines": lines,
            "rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float | None:
    """This process's peak resident memory in MB (None where `resource` does not exist)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def _member_bytes(job: Job) -> bytes:
    from extractor.readers.archive import read_member

    return read_member(job.path, job.parts, job.doc)


def _failed(job: Job, reason: str, message: str, error_summary: Callable[..., dict]) -> dict[str, Any]:
    return _result(job, error_summary(job.doc, reason, message), [], [])


class _time_limit:  # noqa: N801 — used as a context manager
    """Raise DocumentTimeout in the running document after `seconds`: by SIGALRM in a worker
    process's main thread, and in any other thread (Dask runs tasks in a worker's thread pool)
    by an asynchronous exception sent from a timer thread. Both interrupt Python code between
    bytecodes; a hang inside C code is left to the pool's own deadline (or the cluster's)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.by_signal = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
        self.lock = threading.Lock()
        self.finished = False
        self.timer: threading.Timer | None = None

    def __enter__(self) -> None:
        sys.unraisablehook = _quiet_timeouts
        if self.by_signal:
            signal.signal(signal.SIGALRM, _raise_timeout)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            self.timer = threading.Timer(self.seconds, self._interrupt, args=(threading.get_ident(),))
            self.timer.daemon = True
            self.timer.start()

    def _interrupt(self, thread_id: int) -> None:
        with self.lock:
            if self.finished:
                return
            _async_raise(thread_id, DocumentTimeout)
            # again until the document stops: a raise inside a __del__ is swallowed
            self.timer = threading.Timer(RETRY_SECONDS, self._interrupt, args=(thread_id,))
            self.timer.daemon = True
            self.timer.start()

    def __exit__(self, *exc: object) -> None:
        if self.by_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        with self.lock:
            self.finished = True
        if self.timer is not None:
            self.timer.cancel()


time_limit = _time_limit  # for `extract` and `check`, which read documents in their own process


def _async_raise(thread_id: int, exception: type[BaseException]) -> None:
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))


def _quiet_timeouts(unraisable: Any) -> None:
    """A DocumentTimeout swallowed in a __del__ is not news: another one follows (RETRY_SECONDS)."""
    if not isinstance(unraisable.exc_value, DocumentTimeout):
        sys.__unraisablehook__(unraisable)


RETRY_SECONDS = 0.1  # an interrupt that lands in a __del__ or a callback is swallowed: send another


def _raise_timeout(signum: int, frame: object) -> None:
    signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)  # cleared by _time_limit.__exit__
    raise DocumentTimeout


def limit_memory(memory_mb: int) -> None:
    """An address-space limit on this process: a runaway document becomes MemoryError."""
    try:
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still applies


@contextmanager
def memory_guard(memory_mb: int) -> Iterator[None]:
    """The same limit for the length of a with-block, in a process that goes on afterwards
    (`extract` and `check` called in-process, a test): the soft limit only, the one before
    restored after, so that nothing started later (a browser, a pool) inherits it."""
    try:
        import resource

        before = resource.getrlimit(resource.RLIMIT_AS)
        hard = before[1]
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard < 0 or limit <= hard else hard, hard))
    except (ImportError, ValueError, OSError):
        yield  # not on this platform: the time limit still applies
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)


def _worker_init(limits: Limits, parts: Path, parent: int, forked: bool) -> None:
    """Pool worker initializer: the limits every job of this worker is read with (given once
    here, not pickled with every job: the checks' configuration is large), its shards in the
    temp area `parts`, and the memory guard. Ctrl-C is the parent's to handle (it kills the
    pool), so a worker ignores it; past a file-size limit a write fails (and the parent stops
    the run saying why) instead of killing the worker; and a worker whose parent dies (kill -9,
    SIGTERM) exits. `parent` is the pid of `indicators tag`; `forked` says it forked us itself
    (rather than through a fork server)."""
    global _worker
    _worker = _Worker(limits, Shards(parts, "w"))
    limit_memory(limits.memory_mb)
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _exit_with_parent(parent, forked)


@dataclass
class _Worker:
    limits: Limits
    shards: Shards


_worker: _Worker | None = None  # in a pool worker, set by _worker_init


def _work(job: Job) -> Written:
    """A pool worker's job: read the document, append its records to this worker's shards, and
    give the parent only what it needs to note that."""
    if _worker is None:
        raise RuntimeError("_work runs in a pool worker started with _worker_init")
    out = process(job, _worker.limits, _worker.shards.add)
    try:
        return _worker.shards.put(out)
    except MemoryError:  # encoding a huge document's lines under the memory guard
        failed = _failed(job, "memory", _memory_message(job, _worker.limits), _error_summary())
        return _worker.shards.put(failed)


def _exit_with_parent(parent: int, forked: bool) -> None:
    """Linux: ask the kernel for SIGKILL when the process that forked us dies; everywhere: a
    daemon thread that polls, for other systems and for a parent behind a fork server."""
    spawner = os.getppid()
    if forked and spawner != parent:  # the parent died before we got here
        os._exit(1)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        if os.getppid() != spawner:  # it died before the request was made
            os._exit(1)

    def watch() -> None:
        while os.getppid() == spawner and _alive(parent):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)  # the shards are flushed document by document: nothing here to save

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- shards: one process's part of the record streams -------------------------------------------
class Written(NamedTuple):
    """A finished document whose records are in a shard, as the main process gets it: the
    records stay on disk, and the main process handles bytes it need not parse."""

    doc: str
    status: str
    summary: bytes  # its documents.jsonl line
    shard: str  # the stem of the shard files its records are in ("" when it has none)
    ranges: tuple[tuple[int, int], ...]  # (offset, length) of its lines per record stream
    journal: bytes  # the journal line saying so
    rss_mb: float | None
    disk_error: tuple[int, str] | None = None  # (errno, message): the records could not be written


class Shards:
    """A process's own files of the record streams in the temp area, one per stream, under a
    stem no other process uses; a document's lines are flushed before it is reported, so every
    reported range is on disk. A pool worker writes its documents here; the main process writes
    those whose lines come to it (from Dask, or an error summary of its own)."""

    def __init__(self, folder: Path, owner: str) -> None:
        self.folder = folder
        self.owner = owner
        self.stem = ""
        self.handles: dict[str, IO[bytes]] = {}
        # the lines of the document being read, section by section (`add`): one range per
        # stream, as a process writes one document at a time; or the write error that stopped it
        self.pending: dict[str, tuple[int, int]] = {}
        self.error: OSError | None = None

    def add(self, lines: dict[str, str]) -> None:
        """Append a section's lines of the document being read; `put` reports them."""
        if self.error is not None:
            return
        try:
            for name in RECORDS:
                offset, length = self._append(name, _encoded(lines[name]))
                start, before = self.pending.get(name, (offset, 0))
                self.pending[name] = (start, before + length) if length else (start, before)
        except OSError as exc:
            self.error = exc

    def put(self, out: dict[str, Any]) -> Written:
        lines = out["lines"]
        summary = _encoded(lines[SUMMARIES])
        status = out["summary"].get("status", "error")
        # lines added before a failure are in the shard but named by no range: the merge skips them
        pending = self.pending if out.get("streamed") else {}
        error, self.pending, self.error = self.error if out.get("streamed") else None, {}, None
        try:
            if error is not None:
                raise error
            ranges = tuple(_after(pending.get(name), self._append(name, _encoded(lines[name])))
                           for name in RECORDS)
        except OSError as exc:
            self.close()  # a shard may end in a cut line now: the next document starts new ones
            return Written(out["doc"], status, summary, "", (), b"", out.get("rss_mb"),
                           (exc.errno or errno.EIO, exc.strerror or str(exc)))
        stem = self.stem if any(length for _, length in ranges) else ""
        journal = json.dumps([out["doc"], stem, ranges]) + "\n"  # ASCII: \u-escapes
        return Written(out["doc"], status, summary, stem, ranges, journal.encode(), out.get("rss_mb"))

    def _append(self, name: str, data: bytes) -> tuple[int, int]:
        if not data:
            return (0, 0)
        handle = self.handles.get(name) or self._open(name)
        offset = handle.tell()
        handle.write(data)
        handle.flush()
        return (offset, len(data))

    def _open(self, name: str) -> IO[bytes]:
        if not self.stem:
            self.stem = f"{self.owner}-{os.getpid()}-{os.urandom(4).hex()}"
        handle = (self.folder / _shard_name(self.stem, name)).open("xb")
        self.handles[name] = handle
        return handle

    def close(self) -> None:
        for handle in self.handles.values():
            with suppress(OSError):  # a flush that fails now is of lines never reported
                handle.close()
        self.handles.clear()
        self.stem = ""


def _after(earlier: tuple[int, int] | None, written: tuple[int, int]) -> tuple[int, int]:
    """One range for a stream's lines written in turn: the sections', then the rest's."""
    if not earlier or not earlier[1]:
        return written
    return (earlier[0], earlier[1] + written[1])


def _shard_name(stem: str, stream: str) -> str:
    return f"{stem}.{stream}"


def _encoded(lines: str) -> bytes:
    # names are escaped (extractor.names); a stray surrogate in a library's message must still
    # not stop the batch
    return lines.encode("utf-8", "replace")


# -- the output folder -------------------------------------------------------------------------
Block = tuple[str, int, int]  # (file, relative to the output folder; offset; length)
Blocks = dict[str, list[Block]]  # doc -> where its lines of one stream are


class Output:
    """The output folder of one run. Appends each finished document's journal line and then its
    summary; knows what is done and where each document's lines are, so that the final merge
    copies byte ranges and never holds the records in memory (an archive's output can be larger
    than the machine's memory)."""

    def __init__(self, folder: Path, resume: bool, force: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.parts = folder / PARTS_NAME
        self.done: set[str] = set()
        self.blocks: dict[str, Blocks] = {name: {} for name in STREAMS}
        self.sources: dict[str, str] = {}  # one string per shard file, however many blocks name it
        self.lock = _lock(folder)
        try:
            if resume:
                self._recover()
            else:
                _refuse_earlier_run(folder, force)
                shutil.rmtree(self.parts, ignore_errors=True)  # an earlier run's (--force)
                for name in STREAMS:
                    (folder / name).write_bytes(b"")
            self.parts.mkdir(exist_ok=True)
            self.journal = _open_journal(self.parts / JOURNAL)
            self.summaries = (folder / SUMMARIES).open("ab")
            self.own = Shards(self.parts, "main")  # the records of results that bring their lines
        except BaseException:
            self.lock.close()
            raise

    def _recover(self) -> None:
        """Documents with a summary line are done (the first line, if a document has two), with
        the records named by the journal's last line for them; a document the journal does not
        name has its records in the streams themselves (merged by an earlier run). Anything else
        is dropped: the records of unfinished documents (a kill may have cut them half-written),
        lines that do not parse, and the done-mark of a document whose shard is gone or cut."""
        if not (self.parts / JOURNAL).exists():  # no journal, nothing in the temp area is wanted
            shutil.rmtree(self.parts, ignore_errors=True)
        summaries = self.blocks[SUMMARIES]
        _keep_lines(self.folder, SUMMARIES, summaries, lambda doc: doc not in summaries)
        entries = _journal_entries(self.parts / JOURNAL, set(summaries))
        sizes = _file_sizes(self.parts)
        for doc in [doc for doc, entry in entries.items() if not _on_disk(entry, sizes)]:
            del summaries[doc], entries[doc]  # done again; the merge drops the old summary line
        self.done = set(summaries)
        for name in RECORDS:
            _keep_lines(self.folder, name, self.blocks[name],
                        lambda doc: doc in self.done and doc not in entries)
        for doc, (stem, ranges) in entries.items():
            self._note_records(doc, stem, ranges)

    def write(self, out: Written | dict[str, Any]) -> Written:
        """Note a finished document: its records are in a shard (a pool worker's, or else this
        process's own), then its journal line and its summary are appended, the summary last."""
        written = out if isinstance(out, Written) else self.own.put(out)
        if written.disk_error is not None:
            raise OSError(*written.disk_error)
        if written.doc in self.done:  # never a second summary: a journal's last line for a
            return written            # document is the one that goes with its summary
        self.journal.write(written.journal)
        self.journal.flush()
        offset = self.summaries.tell()
        self.summaries.write(written.summary)
        self.summaries.flush()
        self.blocks[SUMMARIES][written.doc] = [(SUMMARIES, offset, len(written.summary))]
        self._note_records(written.doc, written.shard, written.ranges)
        self.done.add(written.doc)
        return written

    def _note_records(self, doc: str, stem: str, ranges: Iterable[Iterable[int]]) -> None:
        for name, (offset, length) in zip(RECORDS, ranges, strict=False):
            if length:
                self.blocks[name][doc] = [(self._source(stem, name), offset, length)]

    def _source(self, stem: str, name: str) -> str:
        path = f"{PARTS_NAME}/{_shard_name(stem, name)}"
        return self.sources.setdefault(path, path)

    def close(self) -> None:
        """Close the files written during the run; the lock stays until `release` (the merge and
        the workbook still write the folder)."""
        for handle in (self.journal, self.summaries):
            with suppress(OSError):  # only a write that already failed can fail again here
                handle.close()
        self.own.close()

    def release(self) -> None:
        self.lock.close()  # closing the descriptor drops the flock

    def finalise(self, jobs: list[Job]) -> None:
        """Merge: write every stream in input order, the same files however the run was split.
        Documents not among `jobs` (left by an earlier run over other inputs) go last, in the
        order they were done. Then the temp area goes, the journal first: from then on the
        streams hold every record."""
        order = {job.doc: job.index for job in jobs}
        done_at = {doc: blocks[0][1] for doc, blocks in self.blocks[SUMMARIES].items()}

        def position(doc: str) -> tuple[int, int]:
            return order.get(doc, len(order)), done_at.get(doc, 0)

        for name in STREAMS:
            blocks = self.blocks[name]
            _write_in_order(self.folder, name, [b for doc in sorted(blocks, key=position) for b in blocks[doc]])
        (self.parts / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(self.parts, ignore_errors=True)


class OutputInUse(Exception):  # noqa: N818 — a state, like FileExistsError
    """The output folder is locked by another run, or holds an earlier run's files."""


def _lock(folder: Path) -> IO[str]:
    """An exclusive, non-blocking flock on the folder's lock file (fcntl, stdlib): two runs
    appending to the same streams would splice their lines. The kernel drops the lock when its
    holder dies, so a killed run never leaves the folder locked."""
    handle = (folder / LOCK_NAME).open("a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # not on this platform: no lock (documented)
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise OutputInUse(f"{folder} is in use by another `indicators tag` run (pid {holder}); wait for "
                          "it to finish or give another -o folder") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _refuse_earlier_run(folder: Path, force: bool) -> None:
    """Without --resume or --force, a folder with anything in it is never overwritten."""
    if force:
        return
    found = sorted(p.name for p in folder.iterdir() if p.name != LOCK_NAME)
    if found:
        raise OutputInUse(f"{folder} is not empty ({', '.join(found[:3])}{' …' if len(found) > 3 else ''}): "
                          "add --resume to finish an earlier run there, --force to start over in it, "
                          "or give another -o folder")


def _open_journal(path: Path) -> IO[bytes]:
    """The journal, to append to; a last line cut by a kill is ended first, so that the next
    entry is a line of its own."""
    handle = path.open("ab")
    if handle.tell():
        with path.open("rb") as journal:
            journal.seek(-1, os.SEEK_END)
            if journal.read(1) != b"\n":
                handle.write(b"\n")
                handle.flush()
    return handle


def _journal_entries(path: Path, done: set[str]) -> dict[str, tuple[str, list[list[int]]]]:
    """The last journal entry of each document in `done`: an earlier one is from an attempt whose
    summary was never written."""
    entries: dict[str, tuple[str, list[list[int]]]] = {}
    if not path.exists():
        return entries
    with path.open("rb") as journal:
        for line in journal:
            entry = _journal_entry(line)
            if entry is not None and entry[0] in done:
                entries[entry[0]] = entry[1:]
    return entries


def _journal_entry(line: bytes) -> tuple[str, str, list[list[int]]] | None:
    """[doc, stem, [[offset, length] per record stream]], or None for a cut or foreign line."""
    try:
        doc, stem, ranges = json.loads(line)
        if isinstance(doc, str) and isinstance(stem, str) and len(ranges) == len(RECORDS) and all(
                isinstance(n, int) and n >= 0 for pair in ranges for n in pair) and all(
                len(pair) == 2 for pair in ranges):
            return doc, stem, ranges
    except (ValueError, TypeError):
        pass
    return None


def _file_sizes(folder: Path) -> dict[str, int]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name: entry.stat().st_size for entry in entries if entry.is_file()}
    except OSError:
        return {}


def _on_disk(entry: tuple[str, list[list[int]]], sizes: dict[str, int]) -> bool:
    """Whether the shard ranges of a journal entry are all there."""
    stem, ranges = entry
    return all(sizes.get(_shard_name(stem, name), -1) >= offset + length
               for name, (offset, length) in zip(RECORDS, ranges, strict=True) if length)


def _keep_lines(folder: Path, name: str, blocks: Blocks, keep: Callable[[str], bool]) -> None:
    """Rewrite the stream `name` with the complete, parseable lines whose doc `keep` accepts,
    streaming, and note where each document's lines now are."""
    path = folder / name
    temporary = path.with_name(name + ".tmp")
    with temporary.open("wb") as sink:
        if path.exists():
            with path.open("rb") as source:
                for line in source:
                    doc = _doc_of(line)
                    if doc is None or not keep(doc):
                        continue
                    offset = sink.tell()
                    sink.write(line)
                    ranges = blocks.setdefault(doc, [])
                    if ranges and ranges[-1][1] + ranges[-1][2] == offset:
                        ranges[-1] = (name, ranges[-1][1], ranges[-1][2] + len(line))
                    else:
                        ranges.append((name, offset, len(line)))
    os.replace(temporary, path)


def _doc_of(line: bytes) -> str | None:
    """The record's doc, or None for a line cut by a kill or otherwise not a record."""
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    doc = record.get("doc") if isinstance(record, dict) else None
    return doc if isinstance(doc, str) else None


def _write_in_order(folder: Path, name: str, blocks: list[Block]) -> None:
    """Write the stream `name` as the concatenation of `blocks`, streaming through a temporary
    file; a stream that already is exactly that (one worker's summaries, a resume with nothing
    to do) is left as it is."""
    target = folder / name
    runs = _joined(blocks)
    size = target.stat().st_size
    if runs == ([(name, 0, size)] if size else []):
        return
    temporary = target.with_name(name + ".tmp")
    with ExitStack() as stack:
        sink = stack.enter_context(temporary.open("wb", buffering=COPY_CHUNK))
        readers = _Readers(folder)
        stack.callback(readers.close)
        for source, offset, length in runs:
            _copy(readers.get(source), offset, length, sink)
    os.replace(temporary, target)


def _joined(blocks: list[Block]) -> list[Block]:
    """Neighbouring blocks of the same file as one: one worker's documents in a row, or all of
    them when one worker did the run, are a single copy."""
    runs: list[Block] = []
    for source, offset, length in blocks:
        if runs and runs[-1][0] == source and runs[-1][1] + runs[-1][2] == offset:
            runs[-1] = (source, runs[-1][1], runs[-1][2] + length)
        else:
            runs.append((source, offset, length))
    return runs


class _Readers:
    """The merge's open files, at most MAX_OPEN_SHARDS at once: after crashes or timeouts there
    are many shards, as every new pool's workers start their own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handles: dict[str, IO[bytes]] = {}

    def get(self, source: str) -> IO[bytes]:
        handle = self.handles.get(source)
        if handle is None:
            if len(self.handles) >= MAX_OPEN_SHARDS:
                self.handles.pop(next(iter(self.handles))).close()
            handle = self.handles[source] = (self.folder / source).open("rb")
        return handle

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _copy(source: IO[bytes], offset: int, length: int, sink: IO[bytes]) -> None:
    source.seek(offset)  # within the read buffer, as when blocks follow each other, no system call
    while length > 0:
        chunk = source.read(min(length, COPY_CHUNK))
        if not chunk:
            raise OSError(errno.EIO, "a shard of the temp area is shorter than its journal says "
                                     "(changed by another program?); run again with --resume", source.name)
        sink.write(chunk)
        length -= len(chunk)


# -- running ---------------------------------------------------------------------------------------
@dataclass
class RunStats:
    documents: int = 0
    errors: int = 0
    peak_worker_rss_mb: float = 0.0


Result = Written | dict[str, Any]  # a pool worker's, or one that brings its lines (Dask, the parent's own)


def run(jobs: list[Job], output: Output, workers: int, limits: Limits,
        dask: str | None = None, progress: Callable[[str], None] | None = None) -> RunStats:
    """Every job not done yet; `progress` gets each finished document's status."""
    todo = [job for job in jobs if job.doc not in output.done]
    results = (_on_dask(todo, limits, dask, workers) if dask
               else _on_processes(todo, limits, workers, output.parts))
    stats = RunStats()
    try:
        for out in results:
            written = output.write(out)
            stats.documents += 1
            stats.errors += written.status != "ok"
            stats.peak_worker_rss_mb = max(stats.peak_worker_rss_mb, written.rss_mb or 0.0)
            if progress:
                progress(written.status)
    finally:
        results.close()  # a write failed or Ctrl-C: the pool is stopped now, not when collected
    return stats


def _on_processes(jobs: list[Job], limits: Limits, workers: int,
                  parts: Path) -> Generator[Result, None, None]:
    """At most `workers` jobs in flight, one per worker, so a job's start is when it was sent:
    a job past its time limit (a hang in C code that SIGALRM cannot break) costs its worker, not
    the batch. When a worker dies (a crash in C code, the OOM killer), the job it was on is a
    suspect: it is run again at the end, alone, and is the culprit if it kills that worker too."""
    pending = list(reversed(jobs))
    suspects: list[Job] = []
    yield from _pool_run(pending, suspects, limits, workers, parts)
    for job in suspects:
        crashed: list[Job] = []
        yield from _pool_run([job], crashed, limits, 1, parts)
        for culprit in crashed:
            yield _failed(culprit, "worker_crashed", f"{culprit.doc}: the worker process died",
                          _error_summary())


def _pool_run(pending: list[Job], crashed: list[Job], limits: Limits, workers: int,
              parts: Path) -> Iterator[Result]:
    """Run the jobs of `pending` (taken from its end); the job of a worker that died goes to
    `crashed`, a job past its time limit is a timeout summary, and the worker is replaced."""
    pool = _Pool(limits, parts, min(max(1, workers), len(pending)))
    finished = False
    try:
        while pending or pool.busy():
            pool.feed(pending)
            for slot, job, outcome in pool.outcomes(limits.timeout + 30):
                if isinstance(outcome, Written):
                    slot.job = None
                    yield outcome
                    continue
                pool.replace(slot)  # it died, or hangs where SIGALRM cannot reach
                if outcome == "crashed":
                    crashed.append(job)
                else:
                    yield _failed(job, "timeout", _timeout_message(job, limits), _error_summary())
        finished = True
    finally:  # Ctrl-C, a full disk in the parent, the generator closed: no orphans either way
        pool.stop(kill=not finished)


@dataclass(eq=False)  # compared and hashed as itself
class _Slot:
    """One pool worker: its process, the pipe to it, and the job it is on (None when idle)."""

    process: Any  # multiprocessing's Process of the start method in use
    conn: Connection
    job: Job | None = None
    sent: float = 0.0  # time.monotonic() when the job was sent


class _Pool:
    """Worker processes fed one job at a time, each through its own pipe. Leaner than
    concurrent.futures (no manager and feeder threads, one selector for all the pipes, kept for
    the pool's life), so that the parent's CPU per document stays a small fraction of a
    worker's; and it knows which job each worker is on, so a crash or a hang costs that job and
    that worker only."""

    def __init__(self, limits: Limits, parts: Path, size: int) -> None:
        import multiprocessing
        from selectors import DefaultSelector

        self.context = multiprocessing.get_context()
        self.selector = DefaultSelector()
        # `forked`: whether this process forks the workers itself (Linux's default before
        # Python 3.14), rather than through a fork server or by spawning
        self.args = (limits, parts, os.getpid(), self.context.get_start_method() == "fork")
        self.looked = time.monotonic()  # when hangs were last looked for
        self.slots: list[_Slot] = []
        try:
            for _ in range(size):
                self.slots.append(self._start())
        except BaseException:  # fork failed (no memory, a process limit) or Ctrl-C: no orphans
            self.stop(kill=True)
            raise

    def _start(self) -> _Slot:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, *self.args), name="indicators-tag-worker")
        process.start()
        theirs.close()  # the worker's end: EOF on ours when the worker dies
        slot = _Slot(process, ours)
        self.selector.register(ours, EVENT_READ, slot)
        return slot

    def busy(self) -> bool:
        return any(slot.job is not None for slot in self.slots)

    def feed(self, pending: list[Job]) -> None:
        for slot in self.slots:
            if slot.job is None and pending:
                slot.job, slot.sent = pending.pop(), time.monotonic()
                with suppress(OSError):  # a worker that died meanwhile: EOF on its pipe says so
                    slot.conn.send(slot.job)

    def outcomes(self, deadline: float) -> Iterator[tuple[_Slot, Job, Written | str]]:
        """Each busy worker that has finished (its Written), died ("crashed") or is past
        `deadline` seconds on its job ("overdue"), with that job; waits up to a second for one."""
        ready = {key.data for key, _ in self.selector.select(timeout=1.0)}
        for slot in ready:
            if slot.job is None:  # an idle worker's pipe at EOF: it died between jobs
                self.replace(slot)
                continue
            try:
                yield slot, slot.job, slot.conn.recv()
            except (EOFError, OSError):
                yield slot, slot.job, "crashed"
        now = time.monotonic()
        if now - self.looked < 1.0:
            return
        self.looked = now  # once a second: hangs, and any death its pipe did not show
        for slot in [s for s in self.slots if s.job is not None and s not in ready]:
            if now - slot.sent > deadline:
                yield slot, slot.job, "overdue"
            elif not slot.process.is_alive():
                yield slot, slot.job, "crashed"

    def replace(self, slot: _Slot) -> None:
        """A worker that died or hangs: killed (if need be), reaped, and a new one in its place."""
        self.selector.unregister(slot.conn)
        _end(slot, kill=True)
        self.slots[self.slots.index(slot)] = self._start()

    def stop(self, kill: bool) -> None:
        """Every worker told to finish (or killed) and reaped."""
        for slot in self.slots:
            if not kill:
                with suppress(OSError):
                    slot.conn.send(None)
        for slot in self.slots:
            _end(slot, kill)
        self.slots = []
        self.selector.close()


def _end(slot: _Slot, kill: bool) -> None:
    """A worker killed, or left to finish, and reaped (so its CPU time counts as the run's)."""
    if kill:
        with suppress(OSError):
            slot.process.kill()
    slot.process.join(timeout=JOIN_SECONDS if kill else 3 * JOIN_SECONDS)
    if slot.process.is_alive():  # told to stop, and still there
        slot.process.kill()
        slot.process.join(timeout=JOIN_SECONDS)
    with suppress(ValueError):  # still there even after SIGKILL (stuck in the kernel): left be
        slot.process.close()
    slot.conn.close()


def _serve(conn: Connection, limits: Limits, parts: Path, parent: int, forked: bool) -> None:
    """A pool worker: jobs in, their Written out, until told to stop (None) or the parent is gone."""
    _worker_init(limits, parts, parent, forked)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_work(job))


def _error_summary() -> Callable[..., dict[str, Any]]:
    from extractor.summary import error_summary

    return error_summary


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a concurrent.futures pool at once (the web server's, extractor.web.worker)."""
    for process_ in list(getattr(pool, "_processes", {}).values()):
        process_.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _on_dask(jobs: list[Job], limits: Limits, address: str,
             workers: int) -> Generator[dict[str, Any], None, None]:
    from dask.distributed import Client, LocalCluster, as_completed

    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               memory_limit=f"{limits.memory_mb}MB", dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        from extractor.summary import error_summary

        futures = client.map(process, jobs, limits=limits, pure=False)
        job_of = dict(zip(futures, jobs, strict=True))
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 — a lost worker: the job's error record
                job = job_of[future]
                yield _failed(job, "worker_crashed", f"{job.doc}: {type(exc).__name__}: {exc}",
                              error_summary)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the command ------------------------------------------------------------------------------------
def command(args: argparse.Namespace) -> int:
    """`indicators tag` (extractor.cli parses the arguments): exit 0, 1 when a document failed
    or the disk filled, 2 for a folder that is locked or not empty, 130 on Ctrl-C."""
    sys.stderr = SafeStream(sys.stderr)  # type: ignore[assignment] — progress never stops the work
    if hasattr(signal, "SIGXFSZ"):  # past a file-size limit: an OSError to report, not a kill
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        jobs = discover(args.paths, args.glob, exclude=args.output, follow_symlinks=args.follow_symlinks)
        output = Output(args.output, args.resume, args.force)
    except OutputInUse as exc:
        print(f"indicators: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # -o names a file, or a folder this user cannot write
        print(f"indicators: cannot use {args.output} as the output folder ({exc.strerror or exc}); "
              "give a folder you can write", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ntag: interrupted before any document was done; nothing written.", file=sys.stderr)
        return 130
    try:
        return _run_command(args, jobs, output)
    except KeyboardInterrupt:
        print(f"\ntag: interrupted; the {len(output.done)} documents finished are kept in {args.output}. "
              "Run the same command with --resume to do the rest.", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in _DISK_ERRORS:
            raise
        print(f"tag: cannot write {args.output}: {_DISK_ERRORS[exc.errno]} ({exc.strerror}). The "
              f"{len(output.done)} documents finished are kept; free some space (or raise the limit) "
              "and run the same command with --resume to do the rest.", file=sys.stderr)
        return 1
    finally:
        output.release()


_DISK_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                errno.EFBIG: "a file reached the file-size limit (ulimit -f)"}


def _run_command(args: argparse.Namespace, jobs: list[Job], output: Output) -> int:
    from extractor.workbook import write_report

    todo = sum(job.doc not in output.done for job in jobs)
    print(f"tag: {len(jobs)} input files, {len(jobs) - todo} already done, {todo} to do",
          file=sys.stderr)
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=todo, unit="doc", file=sys.stderr)
        progress = lambda status: bar.update(1)  # noqa: E731
    else:
        progress = log_line()
    try:
        limits = Limits(args.timeout, args.memory_mb, getattr(args, "checks_config", None))
        stats = run(jobs, output, args.workers, limits, args.dask, progress)
    finally:
        output.close()
        if bar is not None:
            bar.close()
    output.finalise(jobs)
    if not args.no_report:
        write_report(args.output, args.output / "report.xlsx")
    errors = sum(1 for line in (args.output / "documents.jsonl").open(encoding="utf-8")
                 if '"status": "error"' in line)
    print(f"tag: {len(jobs)} documents ({errors} with errors) → {args.output}", file=sys.stderr)
    print(f"tag: peak RSS {peak_rss_mb() or 0:.0f} MB in this process, "
          f"{stats.peak_worker_rss_mb:.0f} MB in a worker", file=sys.stderr)
    return 1 if errors else 0


class SafeStream:
    """A progress stream that never stops the work: when its reader goes away (`| head`, a
    closed terminal) the descriptor is pointed at /dev/null and the run goes on; the files in
    the output folder are what matters."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self._guard(lambda: self.stream.write(text), len(text))

    def flush(self) -> None:
        self._guard(self.stream.flush, None)

    def _guard(self, action: Callable[[], Any], fallback: Any) -> Any:
        try:
            return action()
        except OSError:  # EPIPE, EIO
            self._silence()
            return fallback

    def _silence(self) -> None:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass
        self.stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 — lives as long as the run

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding… for tqdm and print
        return getattr(self.stream, name)


def log_line(stream: Any = None) -> Callable[[str], None]:
    """Plain progress lines for logs (no terminal), from each finished document's status."""
    count = {"n": 0, "errors": 0}
    started = time.monotonic()

    def report(status: str) -> None:
        count["n"] += 1
        count["errors"] += status != "ok"
        if count["n"] % 50 == 0:
            rate = count["n"] / max(1e-9, time.monotonic() - started)
            print(f"tag: {count['n']} documents, {count['errors']} errors, {rate:.1f} docs/s",
                  file=stream or sys.stderr, flush=True)
    return report
