"""Documents of the web server, each run in a worker process as `indicators tag` runs them:
a time limit inside the worker (tag's SIGALRM guard), an address-space limit set when the
worker starts (tag's initializer), and a deadline in the server that gives up on a worker stuck
in C code and replaces the pool. A document that fails becomes an error summary with tag's
reason codes (empty, corrupt, encrypted, unsupported_format, timeout, memory, worker_crashed…);
a worker that dies takes only its own request down, never the server.

Uploads travel to the worker as bytes, never as a path: the uploaded name is only a label
(`doc` in the records) and the source of the extension the readers take as a hint. A zip
archive is written to an anonymous temporary file inside the worker for as long as the job
runs (the archive readers open paths), then removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from extractor import tag

DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
DEFAULT_QUEUE = 8
DEFAULT_UPLOAD_MB = 50
_GRACE = 10.0  # seconds the server waits past the worker's own time limit before killing it


@dataclass(frozen=True)
class Settings:
    workers: int = DEFAULT_WORKERS
    queue: int = DEFAULT_QUEUE  # requests waiting beyond those running; more get 503 busy
    timeout: float = 60.0
    memory_mb: int = tag.DEFAULT_MEMORY_MB
    max_upload_mb: float = DEFAULT_UPLOAD_MB
    config: str | None = None  # the check configuration file (as `indicators check` finds it)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)


# -- names ---------------------------------------------------------------------------------
def safe_name(name: str | None, default: str = "upload.txt") -> str:
    """The uploaded file's own name as a label: no folders (`../../etc/x` → x), no control
    characters, at most 120 characters (the extension kept). Never used to open a file."""
    if not name:
        return default
    cleaned = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    base = cleaned.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".") or default
    if len(base) > 120:
        suffix = PurePosixPath(base).suffix[:12]
        base = base[:120 - len(suffix)] + suffix
    return base


def is_zip_upload(data: bytes, name: str) -> bool:
    from extractor.readers.archive import is_zip

    return is_zip(data) and PurePosixPath(name).suffix.lower() in (".zip", "")


# -- in the worker process -------------------------------------------------------------------
def run_document(data: bytes | str, name: str, member: str | None, mode: str, timeout: float,
                 memory_mb: int, config_path: str | None, with_text: bool) -> dict[str, Any]:
    """One document (pasted text, uploaded bytes, or a member of an uploaded zip): its summary,
    records, findings and, for the page, its source text; any failure is its error summary."""
    from extractor.errors import DocumentTimeout, ExtractorError
    from extractor.summary import error_summary

    doc = f"{name}!{member}" if member else name
    try:
        with tag._time_limit(timeout):
            return _extract(data, name, member, doc, mode, config_path, with_text)
    except ExtractorError as exc:
        return {"summary": error_summary(doc, getattr(exc, "reason", "unreadable"), str(exc))}
    except DocumentTimeout:
        return {"summary": error_summary(doc, "timeout", f"{doc}: gave up after {timeout:g} s "
                                         "(a very large document may need a larger --timeout)")}
    except MemoryError:
        return {"summary": error_summary(doc, "memory", f"{doc}: over the {memory_mb} MB memory "
                                         "guard (a very large document may need a larger --memory-mb)")}
    except Exception as exc:  # noqa: BLE001 — one bad document never stops the server
        return {"summary": error_summary(doc, "internal_error", f"{doc}: {type(exc).__name__}: {exc}")}


def _extract(data: bytes | str, name: str, member: str | None, doc: str, mode: str,
             config_path: str | None, with_text: bool) -> dict[str, Any]:
    from extractor.pipeline import _extract as extract_source
    from extractor.pipeline import extract_text
    from extractor.readers import read_bytes
    from extractor.summary import summarise

    config = _config(config_path) if mode == "check" else None
    if isinstance(data, str):  # pasted text: read as text, never as a file name
        result = extract_text(data, doc, config)
        size = len(data.encode("utf-8"))
    else:
        if member is not None:
            data = _member(data, member, doc)
        suffix = PurePosixPath(doc.rsplit("!", 1)[-1]).suffix.lower()
        # as `indicators extract FILE` reads a file: the extension a hint, the content first
        source = read_bytes(data, doc, html_hint=suffix in (".html", ".htm"), suffix=suffix)
        result = extract_source(source, doc, config)
        size = len(data)
    summary = summarise(result)
    summary["bytes"] = size
    out: dict[str, Any] = {"summary": summary, "records": [r.to_dict() for r in result.indicators],
                           "findings": [f.to_dict() for f in result.findings]}
    if with_text:
        out["text"] = result.text
    out["rss_mb"] = tag.peak_rss_mb()
    return out


@cache
def _config(path: str | None) -> Any:
    from extractor.checks import load_config

    return load_config(Path(path) if path else None)


def list_members(data: bytes, name: str, timeout: float) -> dict[str, Any]:
    """The documents of an uploaded zip (`list_archive`'s names), or the archive's error."""
    from extractor.errors import DocumentTimeout, ExtractorError
    from extractor.readers import list_archive

    try:
        with tag._time_limit(timeout), _spooled(data) as path:
            prefix = f"{name}!"
            return {"members": [m.removeprefix(prefix) for m in list_archive(path, name)]}
    except ExtractorError as exc:
        return {"error": getattr(exc, "reason", "corrupt"), "message": str(exc)}
    except DocumentTimeout:
        return {"error": "timeout", "message": f"{name}: gave up listing the archive after {timeout:g} s"}
    except Exception as exc:  # noqa: BLE001
        return {"error": "corrupt", "message": f"{name}: {type(exc).__name__}: {exc}"}


def _member(data: bytes, member: str, doc: str) -> bytes:
    from extractor.readers import archive_member

    with _spooled(data) as path:
        return archive_member(path, member, doc)


class _spooled:  # noqa: N801 — a context manager
    """The bytes in a temporary file under a name of our own, removed on exit."""

    def __enter__(self) -> str:
        handle, self.path = tempfile.mkstemp(prefix="indicators-", suffix=".zip")
        with os.fdopen(handle, "wb") as out:
            out.write(self.data)
        return self.path

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.path = ""

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def warm_up() -> bool:
    """Import the pipeline and load the vocabularies and model once per worker."""
    from extractor.pipeline import extract_text

    extract_text("一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t培训人数\t≥10人\n", "warm-up")
    return True


# -- in the server -----------------------------------------------------------------------------
class Busy(Exception):
    """Every worker is busy and the queue is full."""


class Pool:
    """The worker processes, the bounded queue in front of them, and their replacement when a
    worker dies or hangs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.slots = settings.workers + settings.queue  # requests admitted at once
        self.admitted = 0
        self.running: asyncio.Semaphore | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.peak_worker_rss_mb = 0.0
        self.documents = 0

    def start(self) -> None:
        self.pool = ProcessPoolExecutor(max_workers=self.settings.workers, initializer=tag.limit_memory,
                                        initargs=(self.settings.memory_mb,))

    async def warm(self) -> None:
        loop = asyncio.get_running_loop()
        assert self.pool is not None
        await asyncio.gather(*(loop.run_in_executor(self.pool, warm_up) for _ in range(self.settings.workers)),
                             return_exceptions=True)

    def close(self) -> None:
        if self.pool is not None:
            tag._kill(self.pool)
            self.pool = None

    def admit(self) -> _Ticket:
        """A place for one request, or Busy: answered at once, never queued without bound."""
        if self.admitted >= self.slots:
            raise Busy
        self.admitted += 1
        return _Ticket(self)

    async def run(self, fn: Any, *args: Any, deadline: float, on_fail: Any) -> Any:
        """`fn(*args)` in a worker; `on_fail(reason, message)` when the worker hangs past
        `deadline` seconds or dies (retried once in a fresh pool, since a dead worker breaks
        the jobs it shared the pool with)."""
        if self.running is None:
            self.running = asyncio.Semaphore(self.settings.workers)
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            async with self.running:  # the deadline counts from the job's start, not its wait
                pool = self.pool
                if pool is None:
                    self.start()
                    pool = self.pool
                assert pool is not None
                try:
                    out = await asyncio.wait_for(loop.run_in_executor(pool, fn, *args), deadline)
                except asyncio.TimeoutError:
                    self._replace(pool)
                    return on_fail("timeout", f"gave up after {deadline - _GRACE:g} s (the worker was stopped)")
                except BrokenProcessPool:
                    self._replace(pool)
                    if attempt == 2:
                        return on_fail("worker_crashed", "the worker process died (a very large document may "
                                       "need a larger --memory-mb)")
                    continue
            if isinstance(out, dict) and out.get("rss_mb"):
                self.peak_worker_rss_mb = max(self.peak_worker_rss_mb, out["rss_mb"])
            return out
        raise AssertionError("unreachable")  # pragma: no cover

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self.pool is broken:
            tag._kill(broken)
            self.start()

    async def document(self, data: bytes | str, name: str, member: str | None, mode: str,
                       with_text: bool) -> dict[str, Any]:
        from extractor.summary import error_summary

        s = self.settings
        doc = f"{name}!{member}" if member else name

        def failed(reason: str, message: str) -> dict[str, Any]:
            return {"summary": error_summary(doc, reason, f"{doc}: {message}")}

        out = await self.run(run_document, data, name, member, mode, s.timeout, s.memory_mb, s.config,
                             with_text, deadline=s.timeout + _GRACE, on_fail=failed)
        self.documents += 1
        return out

    async def members(self, data: bytes, name: str) -> dict[str, Any]:
        return await self.run(list_members, data, name, self.settings.timeout,
                              deadline=self.settings.timeout + _GRACE,
                              on_fail=lambda reason, message: {"error": reason, "message": f"{name}: {message}"})


class _Ticket:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def __enter__(self) -> _Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.admitted -= 1
