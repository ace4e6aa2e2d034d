"""`indicators tag`: turn folders of published files into the three record streams and a
workbook, without losing a file and without stopping on a bad one.

Every input file (a zip's members count as files) is one job, processed in isolation: in a
worker process with a time limit and an address-space limit, or on a Dask cluster. A job's
records are appended to `indicators.jsonl` and `findings.jsonl` first and its summary to
`documents.jsonl` last, so a document is done exactly when its summary line is there. After a
kill, `--resume` drops the records of unfinished documents, processes what is missing, and the
final sort by input order makes the outputs equal those of an uninterrupted run.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from extractor.errors import DocumentTimeout
from extractor.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from extractor.names import doc_name

if TYPE_CHECKING:
    from extractor.checks import Config
    from extractor.readers.archive import Planned

STREAMS = ("indicators.jsonl", "findings.jsonl", "documents.jsonl")
EXTENSIONS = (".txt", ".tsv", ".md", ".csv", ".html", ".htm", ".xlsx", ".xls", ".docx", ".doc",
              ".pdf", ".zip")
PARENT_POLL_SECONDS = 1.0  # a worker notices a dead parent this fast (or at once, on Linux)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
LOCK_NAME = ".indicators-tag.lock"  # held (flock) by the run that writes the folder


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
        entries = _walk(path, pattern, follow_symlinks, set()) if path.is_dir() else [(path, None)]
        for file, refused in entries:
            real = _real(file) if refused is None else None
            if real is not None and (real in seen or (skip is not None and real.is_relative_to(skip))):
                continue
            if real is not None:
                seen.add(real)
            found.append((file, refused))
    jobs: list[Job] = []
    for path, refused in found:
        jobs.extend(_jobs(path, refused, len(jobs)))
    return jobs


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _walk(folder: Path, pattern: str | None, follow: bool,
          visited: set[Path]) -> Iterator[tuple[Path, tuple[str, str] | None]]:
    """Files under `folder` in name order, each with None or why it is skipped. Links are
    followed only when asked (a folder reached twice through links is walked once)."""
    real = _real(folder)
    if real is None or real in visited:
        return
    visited.add(real)
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        yield folder, ("unreadable", f"cannot list this folder ({exc.strerror or exc})")
        return
    for entry in entries:
        kind, why = _kind(entry, follow)
        if kind == "dir":
            yield from _walk(entry, pattern, follow, visited)
        elif kind == "file" and _wanted(entry, pattern):
            yield entry, None
        elif kind == "skip" and (_wanted(entry, pattern) or _is_dir(entry)):
            yield entry, ("skipped", why)  # what would have been an input, or a linked folder


def _kind(entry: Path, follow: bool) -> tuple[str, str]:
    """("dir" | "file" | "skip", why a skipped path is skipped)."""
    try:
        if entry.is_symlink() and not follow:
            return "skip", "a symbolic link, not followed (--follow-symlinks follows links)"
        if entry.is_dir():
            return "dir", ""
        if entry.is_file():
            return "file", ""
        if not entry.exists():
            return "skip", "a broken or looping symbolic link"
    except OSError as exc:  # a link loop (ELOOP), a file gone meanwhile
        return "skip", f"cannot be read ({exc.strerror or exc})"
    return "skip", "not a regular file (a FIFO, socket or device)"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
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
def process(job: Job, limits: Limits) -> dict[str, Any]:
    """The records of one input; any failure becomes the document's error summary."""
    from extractor.errors import ExtractorError
    from extractor.summary import error_summary

    if job.refused is not None:
        return _failed(job, *job.refused, error_summary)
    try:
        with _time_limit(limits.timeout):
            out = _records(job, limits)
    except ExtractorError as exc:
        out = _failed(job, getattr(exc, "reason", "unreadable"), str(exc), error_summary)
    except DocumentTimeout:
        out = _failed(job, "timeout", _timeout_message(job, limits), error_summary)
    except MemoryError:
        out = _failed(job, "memory", f"{job.doc}: over the {limits.memory_mb} MB memory guard "
                                     "(a very large document may need a larger --memory-mb)", error_summary)
    except Exception as exc:  # noqa: BLE001 — one bad document never stops a batch
        out = _failed(job, "internal_error", f"{job.doc}: {type(exc).__name__}: {exc}",
                      error_summary)
    return out


def _timeout_message(job: Job, limits: Limits) -> str:
    return (f"{job.doc}: gave up after {limits.timeout:.0f} s (a very large document may need a "
            "larger --timeout)")


def _records(job: Job, limits: Limits) -> dict[str, Any]:
    from extractor.pipeline import extract_document
    from extractor.summary import summarise

    source = _member_bytes(job) if job.parts else Path(job.path)
    result = extract_document(source, job.doc, limits.config, memory_mb=limits.memory_mb)
    summary = summarise(result)
    summary["bytes"] = len(source) if isinstance(source, bytes) else Path(job.path).stat().st_size
    return _result(job, summary, [r.to_dict() for r in result.indicators],
                   [f.to_dict() for f in result.findings])


def _result(job: Job, summary: dict[str, Any], indicators: list[dict[str, Any]],
            findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A job's outcome as the parent needs it: the summary for progress, and the three streams'
    lines already serialised here, in the worker, so the parent only appends bytes."""
    lines = {name: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
             for name, records in zip(STREAMS, (indicators, findings, [summary]), strict=True)}
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


def _worker_init(memory_mb: int, parent: int, forked: bool) -> None:
    """Pool worker initializer: the memory guard; Ctrl-C is the parent's to handle (it kills the
    pool), so a worker ignores it; and a worker whose parent dies (kill -9, SIGTERM) exits.
    `parent` is the pid of `indicators tag`; `forked` says it forked us itself (rather than
    through a fork server)."""
    limit_memory(memory_mb)
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent, forked)


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
        os._exit(1)  # records are the parent's to write: nothing here to save

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the output folder -------------------------------------------------------------------------
Blocks = dict[str, list[tuple[int, int]]]  # doc -> (offset, length) of its lines in one stream


class Output:
    """Appends each document's records, its summary last; knows what is already done and where
    each document's lines are, so the final sort copies byte ranges and never holds the
    records in memory (an archive's output can be larger than the machine's memory)."""

    def __init__(self, folder: Path, resume: bool, force: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.done: set[str] = set()
        self.blocks: dict[str, Blocks] = {name: {} for name in STREAMS}
        self.lock = _lock(folder)
        try:
            if resume:
                self._recover()
            else:
                _refuse_earlier_run(folder, force)
                for name in STREAMS:
                    (folder / name).write_bytes(b"")
            self.handles = {name: (folder / name).open("ab") for name in STREAMS}
        except BaseException:
            self.lock.close()
            raise

    def _recover(self) -> None:
        """Documents with a summary line are done; records of any other document are dropped
        (a kill may have cut its records half-written), and so is any line that does not parse."""
        _keep_lines(self.folder / "documents.jsonl", self.blocks["documents.jsonl"],
                    lambda doc, blocks: doc not in blocks)
        self.done = set(self.blocks["documents.jsonl"])
        for name in STREAMS[:2]:
            _keep_lines(self.folder / name, self.blocks[name], lambda doc, _: doc in self.done)

    def write(self, out: dict[str, Any]) -> None:
        for name in STREAMS:
            # names are escaped (extractor.names); a stray surrogate in a library's message must
            # still not stop the batch
            data = out["lines"][name].encode("utf-8", "replace")
            if data:
                handle = self.handles[name]
                offset = handle.tell()
                handle.write(data)
                handle.flush()
                self.blocks[name].setdefault(out["doc"], []).append((offset, len(data)))
        self.done.add(out["doc"])

    def close(self) -> None:
        """Close the streams; the lock stays until `release` (the final sort and the workbook
        still write the folder)."""
        for handle in self.handles.values():
            handle.close()

    def release(self) -> None:
        self.lock.close()  # closing the descriptor drops the flock

    def finalise(self, jobs: list[Job]) -> None:
        """Put every stream in input order: the same files however the run was split. Documents
        not among `jobs` (left by an earlier run over other inputs) go last, as they were."""
        order = {job.doc: job.index for job in jobs}
        for name in STREAMS:
            blocks = self.blocks[name]
            docs = sorted(blocks, key=lambda d: (order.get(d, len(order)), blocks[d][0][0]))
            ranges = [r for doc in docs for r in blocks[doc]]
            if all(a[0] + a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False)):
                continue  # already in order: a one-worker run, or nothing to move
            _copy_ranges(self.folder / name, ranges)


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


def _keep_lines(path: Path, blocks: Blocks, keep: Callable[[str, Blocks], bool]) -> None:
    """Rewrite `path` with the complete, parseable lines whose doc `keep` accepts, streaming,
    and note where each document's lines now are."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("wb") as sink:
        if path.exists():
            with path.open("rb") as source:
                for line in source:
                    doc = _doc_of(line)
                    if doc is None or not keep(doc, blocks):
                        continue
                    offset = sink.tell()
                    sink.write(line)
                    ranges = blocks.setdefault(doc, [])
                    if ranges and sum(ranges[-1]) == offset:
                        ranges[-1] = (ranges[-1][0], ranges[-1][1] + len(line))
                    else:
                        ranges.append((offset, len(line)))
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


def _copy_ranges(path: Path, ranges: list[tuple[int, int]]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with path.open("rb") as source, temporary.open("wb") as sink:
        for offset, length in ranges:
            source.seek(offset)
            sink.write(source.read(length))
    os.replace(temporary, path)


# -- running ---------------------------------------------------------------------------------------
@dataclass
class RunStats:
    documents: int = 0
    errors: int = 0
    peak_worker_rss_mb: float = 0.0


def run(jobs: list[Job], output: Output, workers: int, limits: Limits,
        dask: str | None = None, progress: Callable[[dict[str, Any]], None] | None = None) -> RunStats:
    todo = [job for job in jobs if job.doc not in output.done]
    results = _on_dask(todo, limits, dask, workers) if dask else _on_processes(todo, limits, workers)
    stats = RunStats()
    for out in results:
        output.write(out)
        stats.documents += 1
        stats.errors += out["summary"].get("status") != "ok"
        stats.peak_worker_rss_mb = max(stats.peak_worker_rss_mb, out.get("rss_mb") or 0.0)
        if progress:
            progress(out["summary"])
    return stats


def _on_processes(jobs: list[Job], limits: Limits, workers: int) -> Iterator[dict[str, Any]]:
    """At most `workers` jobs in flight, so a job's start is its submission: a job past its
    time limit (a hang in C code that SIGALRM cannot break) costs the pool, not the batch.
    When a worker dies (a crash in C code, the OOM killer), the jobs it shared the pool with
    are suspects: each is run again alone, and the one that kills its own pool is the culprit."""
    pending = list(reversed(jobs))
    suspects: list[Job] = []
    while pending:
        yield from _pool_pass(pending, suspects, limits, workers)
    for job in suspects:
        alone = [job]
        crashed: list[Job] = []
        yield from _pool_pass(alone, crashed, limits, 1)
        for culprit in crashed:
            yield _failed(culprit, "worker_crashed", f"{culprit.doc}: the worker process died",
                          _error_summary())


def _pool_pass(pending: list[Job], suspects: list[Job], limits: Limits,
               workers: int) -> Iterator[dict[str, Any]]:
    """Run jobs from `pending` until it is empty or the pool has to be given up."""
    pool = ProcessPoolExecutor(max_workers=max(1, workers), initializer=_worker_init,
                               initargs=(limits.memory_mb, os.getpid(), _forks()))
    running: dict[Future, tuple[Job, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop()
                running[pool.submit(process, job, limits)] = (job, time.monotonic())
            done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                job, _ = running.pop(future)
                try:
                    out = future.result()
                except BrokenProcessPool:
                    suspects.append(job)
                    raise
                yield out
            overdue = [f for f, (_, t) in running.items() if time.monotonic() - t > limits.timeout + 30]
            if overdue:
                for future in overdue:
                    job, _ = running.pop(future)
                    yield _failed(job, "timeout", _timeout_message(job, limits), _error_summary())
                pending.extend(job for job, _ in running.values())
                running.clear()
                _kill(pool)
                return
    except BrokenProcessPool:
        suspects.extend(job for job, _ in running.values())
        running.clear()
        _kill(pool)
        return
    except BaseException:  # Ctrl-C, a full disk in the parent, the generator closed: no orphans
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _forks() -> bool:
    """Whether the pool forks its workers from this process (Linux's default before Python
    3.14), rather than through a fork server or by spawning."""
    import multiprocessing

    return multiprocessing.get_start_method() == "fork"


def _error_summary() -> Callable[..., dict[str, Any]]:
    from extractor.summary import error_summary

    return error_summary


def _kill(pool: ProcessPoolExecutor) -> None:
    for process_ in list(getattr(pool, "_processes", {}).values()):
        process_.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _on_dask(jobs: list[Job], limits: Limits, address: str,
             workers: int) -> Iterator[dict[str, Any]]:
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
        progress = lambda summary: bar.update(1)  # noqa: E731
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


def log_line(stream: Any = None) -> Callable[[dict[str, Any]], None]:
    """Plain progress lines for logs (no terminal)."""
    count = {"n": 0, "errors": 0}
    started = time.monotonic()

    def report(summary: dict[str, Any]) -> None:
        count["n"] += 1
        count["errors"] += summary.get("status") != "ok"
        if count["n"] % 50 == 0:
            rate = count["n"] / max(1e-9, time.monotonic() - started)
            print(f"tag: {count['n']} documents, {count['errors']} errors, {rate:.1f} docs/s",
                  file=stream or sys.stderr, flush=True)
    return report
