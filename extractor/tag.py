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

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

STREAMS = ("indicators.jsonl", "findings.jsonl", "documents.jsonl")
EXTENSIONS = (".txt", ".tsv", ".md", ".csv", ".html", ".htm", ".xlsx", ".xls", ".docx", ".doc",
              ".pdf", ".zip")
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Job:
    index: int
    doc: str  # the name records carry: the path as found, `archive.zip!member` for members
    path: str
    member: str | None = None


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB


# -- discovering inputs ---------------------------------------------------------------------
def discover(paths: Iterable[Path], pattern: str | None = None) -> list[Job]:
    """Every input file under `paths`, in a stable order; zip archives expanded to members."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p, pattern)))
        else:
            files.append(path)
    jobs: list[Job] = []
    for path in files:
        members = _zip_members(path) if path.suffix.lower() == ".zip" else None
        if members:
            prefix = f"{path}!"  # list_archive names members `archive!inner/path`
            jobs.extend(Job(len(jobs) + i, m, str(path), m.removeprefix(prefix))
                        for i, m in enumerate(members))
        else:
            jobs.append(Job(len(jobs), str(path), str(path)))
    return jobs


def _wanted(path: Path, pattern: str | None) -> bool:
    if pattern:
        return fnmatch(path.name, pattern) or fnmatch(str(path), pattern)
    return path.suffix.lower() in EXTENSIONS and not path.name.startswith(".")


def _zip_members(path: Path) -> list[str] | None:
    """Member names (nested archives expanded, junk skipped), or None when the archive cannot
    be listed: the job then reports why."""
    from extractor.errors import ReadError
    from extractor.readers import list_archive

    try:
        return list_archive(path) or None
    except (ReadError, OSError):
        return None


# -- one document, in isolation -----------------------------------------------------------------
def process(job: Job, limits: Limits) -> dict[str, Any]:
    """The records of one input; any failure becomes the document's error summary."""
    from extractor.errors import ExtractorError
    from extractor.summary import error_summary

    try:
        with _time_limit(limits.timeout):
            out = _records(job)
    except ExtractorError as exc:
        out = _failed(job, getattr(exc, "reason", "unreadable"), str(exc), error_summary)
    except TimeoutError:
        out = _failed(job, "timeout", f"{job.doc}: gave up after {limits.timeout:.0f} s",
                      error_summary)
    except MemoryError:
        out = _failed(job, "memory", f"{job.doc}: over the {limits.memory_mb} MB memory guard",
                      error_summary)
    except Exception as exc:  # noqa: BLE001 — one bad document never stops a batch
        out = _failed(job, "internal_error", f"{job.doc}: {type(exc).__name__}: {exc}",
                      error_summary)
    return out


def _records(job: Job) -> dict[str, Any]:
    from extractor.pipeline import extract_document
    from extractor.summary import summarise

    source = _member_bytes(job) if job.member else Path(job.path)
    result = extract_document(source, job.doc)
    summary = summarise(result)
    summary["bytes"] = len(source) if isinstance(source, bytes) else Path(job.path).stat().st_size
    return {"index": job.index, "doc": job.doc, "summary": summary,
            "indicators": [r.to_dict() for r in result.indicators],
            "findings": [f.to_dict() for f in result.findings]}


def _member_bytes(job: Job) -> bytes:
    from extractor.readers import archive_member

    assert job.member is not None
    return archive_member(Path(job.path), job.member, job.doc)


def _failed(job: Job, reason: str, message: str, error_summary: Callable[..., dict]) -> dict[str, Any]:
    return {"index": job.index, "doc": job.doc, "summary": error_summary(job.doc, reason, message),
            "indicators": [], "findings": []}


class _time_limit:  # noqa: N801 — used as a context manager
    """SIGALRM in the main thread of a worker process; a no-op elsewhere (Dask threads), where
    the scheduler's own limits apply."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")

    def __enter__(self) -> None:
        if self.armed:
            signal.signal(signal.SIGALRM, _raise_timeout)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _raise_timeout(signum: int, frame: object) -> None:
    raise TimeoutError


def _limit_memory(memory_mb: int) -> None:
    """Worker initializer: an address-space limit turns a runaway document into MemoryError."""
    try:
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still applies


# -- the output folder -------------------------------------------------------------------------
class Output:
    """Appends each document's records, its summary last; knows what is already done."""

    def __init__(self, folder: Path, resume: bool) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.done: set[str] = set()
        if resume:
            self.done = self._recover()
        else:
            for name in STREAMS:
                (folder / name).write_text("", encoding="utf-8")
        self.handles = {name: (folder / name).open("a", encoding="utf-8") for name in STREAMS}

    def _recover(self) -> set[str]:
        """Documents with a summary line are done; records of any other document are dropped
        (a kill may have cut its records half-written)."""
        summaries = _read_jsonl(self.folder / "documents.jsonl")
        done = {s["doc"] for s in summaries}
        _rewrite(self.folder / "documents.jsonl", summaries)
        for name in STREAMS[:2]:
            _rewrite(self.folder / name,
                     [r for r in _read_jsonl(self.folder / name) if r.get("doc") in done])
        return done

    def write(self, out: dict[str, Any]) -> None:
        for name, records in (("indicators.jsonl", out["indicators"]),
                              ("findings.jsonl", out["findings"]),
                              ("documents.jsonl", [out["summary"]])):
            if records:
                handle = self.handles[name]
                handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
                handle.flush()
        self.done.add(out["doc"])

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()

    def finalise(self, jobs: list[Job]) -> None:
        """Sort every stream by input order: the same files however the run was split."""
        order = {job.doc: job.index for job in jobs}
        for name in STREAMS:
            records = _read_jsonl(self.folder / name)
            records.sort(key=lambda r: order.get(r.get("doc"), len(order)))  # stable within a doc
            _rewrite(self.folder / name, records)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut by a kill
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def _rewrite(path: Path, records: list[dict[str, Any]]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                         encoding="utf-8")
    os.replace(temporary, path)


# -- running ---------------------------------------------------------------------------------------
def run(jobs: list[Job], output: Output, workers: int, limits: Limits,
        dask: str | None = None, progress: Callable[[dict[str, Any]], None] | None = None) -> None:
    todo = [job for job in jobs if job.doc not in output.done]
    results = _on_dask(todo, limits, dask, workers) if dask else _on_processes(todo, limits, workers)
    for out in results:
        output.write(out)
        if progress:
            progress(out["summary"])


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
    pool = ProcessPoolExecutor(max_workers=max(1, workers), initializer=_limit_memory,
                               initargs=(limits.memory_mb,))
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
                    yield _failed(job, "timeout", f"{job.doc}: gave up after {limits.timeout:.0f} s",
                                  _error_summary())
                pending.extend(job for job, _ in running.values())
                running.clear()
                _kill(pool)
                return
    except BrokenProcessPool:
        suspects.extend(job for job, _ in running.values())
        running.clear()
        _kill(pool)
        return
    pool.shutdown(wait=True)


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


def log_line(stream: Any = sys.stderr) -> Callable[[dict[str, Any]], None]:
    """Plain progress lines for logs (no terminal)."""
    count = {"n": 0, "errors": 0}
    started = time.monotonic()

    def report(summary: dict[str, Any]) -> None:
        count["n"] += 1
        count["errors"] += summary.get("status") != "ok"
        if count["n"] % 50 == 0:
            rate = count["n"] / max(1e-9, time.monotonic() - started)
            print(f"tag: {count['n']} documents, {count['errors']} errors, {rate:.1f} docs/s",
                  file=stream, flush=True)
    return report
