"""Benchmark `indicators serve`: concurrent uploads of typical documents.

Starts the server itself on 127.0.0.1 (a free port; loopback only), uploads N documents made
by bench/generate.py (invented content; .txt, .xlsx and .docx in turn) to POST /api/extract
from C concurrent clients, then stops the server. Reports requests per second, latency
percentiles (p50/p95/p99), busy (503) and error answers, and the memory of the server process
and of its worker processes (resident, sampled every 0.2 s, and peak). Reported, never asserted.

    python bench/bench_serve.py [--n 200] [--concurrency 8] [--workers 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (a sibling script)

FORMATS = ("txt", "xlsx", "docx")


def documents(n: int, seed: int) -> list[tuple[str, bytes]]:
    """n typical documents: one generated project table each, in turn .txt, .xlsx and .docx."""
    from docx import Document
    from openpyxl import Workbook

    out = []
    for i in range(n):
        text, *_ = generate.build_document(random.Random(f"{seed}:{i}"), large=False)
        fmt = FORMATS[i % len(FORMATS)]
        rows = [line.split("\t") for line in text.splitlines()]
        buffer = io.BytesIO()
        if fmt == "txt":
            buffer.write(text.encode("utf-8"))
        elif fmt == "xlsx":
            book = Workbook()
            for row in rows:
                book.active.append(row)
            book.save(buffer)
        else:
            doc = Document()
            for row in rows:
                if len(row) == 1:  # titles and prose as paragraphs, the table after them
                    doc.add_paragraph(row[0])
            table_rows = [r for r in rows if len(r) > 1]
            if table_rows:
                width = max(len(r) for r in table_rows)
                table = doc.add_table(rows=len(table_rows), cols=width)
                for r, row in enumerate(table_rows):
                    for c, cell in enumerate(row):
                        table.cell(r, c).text = cell
            doc.save(buffer)
        out.append((f"doc_{i:04d}.{fmt}", buffer.getvalue()))
    return out


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(url: str, name: str, data: bytes) -> tuple[int, float, int]:
    """(status, seconds, indicators) of one POST /api/extract."""
    body, kind = multipart(name, data)
    request = urllib.request.Request(f"{url}/api/extract", data=body, method="POST",
                                     headers={"Content-Type": kind})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            payload = json.loads(answer.read())
            status = answer.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, time.perf_counter() - started, 0
    return status, time.perf_counter() - started, sum(len(d["records"]) for d in payload["documents"])


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Sampler(threading.Thread):
    """Resident memory of the server and of its workers, every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.server_peak = 0.0
        self.workers_peak = 0.0  # all workers together
        self.worker_peak = 0.0  # the largest one
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.server_peak = max(self.server_peak, rss_mb(self.pid))
            workers = [rss_mb(c) for c in children(self.pid)]
            self.workers_peak = max(self.workers_peak, sum(workers))
            self.worker_peak = max(self.worker_peak, max(workers, default=0.0))
            self.stop.wait(0.2)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="uploads in all")
    parser.add_argument("--concurrency", type=int, default=8, help="clients uploading at once")
    parser.add_argument("--workers", type=int, default=2, help="the server's worker processes")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    docs = documents(args.n, args.seed)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "extractor", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(args.workers), "--queue", str(args.concurrency)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() - started > 60:
                    print(f"bench: the server did not start: {server.stderr.read() if server.stderr else ''}")
                    return 1
                time.sleep(0.1)
        ready = time.monotonic() - started
        idle = rss_mb(server.pid)
        sampler = Sampler(server.pid)
        sampler.start()
        began = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda d: upload(url, *d), docs))
        wall = time.perf_counter() - began
        sampler.stop.set()
        sampler.join()
        with urllib.request.urlopen(f"{url}/api/status", timeout=5) as answer:
            status = json.loads(answer.read())
    finally:
        server.terminate()
        server.wait(10)

    ok = [seconds for code, seconds, _ in results if code == 200]
    figures = {
        "uploads": len(results), "concurrency": args.concurrency, "workers": args.workers,
        "formats": list(FORMATS), "mean_bytes": round(statistics.mean(len(d) for _, d in docs)),
        "ok": len(ok), "busy_503": sum(code == 503 for code, *_ in results),
        "errors": sum(code not in (200, 503) for code, *_ in results),
        "indicators": sum(n for *_, n in results),
        "requests_per_s": round(len(results) / wall, 2), "wall_s": round(wall, 2),
        "latency_ms": {f"p{q}": round(1000 * percentile(ok, q), 1) for q in (50, 95, 99)} if ok else {},
        "server_ready_s": round(ready, 2),
        "server_rss_mb": {"idle": round(idle, 1), "peak": round(sampler.server_peak, 1)},
        "workers_rss_mb": {"peak_total": round(sampler.workers_peak, 1), "peak_one": round(sampler.worker_peak, 1),
                           "peak_one_reported": status.get("peak_worker_rss_mb")},
    }
    latency = figures["latency_ms"]
    print(f"bench_serve: {figures['uploads']} uploads ({', '.join(FORMATS)}; mean {figures['mean_bytes']} bytes), "
          f"{args.concurrency} at once, {args.workers} workers")
    print(f"  {figures['requests_per_s']} requests/s over {figures['wall_s']} s; latency p50 {latency.get('p50')} ms, "
          f"p95 {latency.get('p95')} ms, p99 {latency.get('p99')} ms")
    print(f"  answers: {figures['ok']} ok, {figures['busy_503']} busy, {figures['errors']} errors; "
          f"{figures['indicators']} indicators")
    print(f"  server RSS {figures['server_rss_mb']['idle']} MB idle, {figures['server_rss_mb']['peak']} MB peak; "
          f"workers {figures['workers_rss_mb']['peak_total']} MB together at peak "
          f"({figures['workers_rss_mb']['peak_one']} MB the largest); ready in {figures['server_ready_s']} s")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
