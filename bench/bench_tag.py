"""Benchmark `indicators tag` on a generated archive in every format.

Builds an archive of N documents (default 2,000) from bench/generate.py's own content, spread
over .txt, .html, .csv, .xlsx, .docx, .zip and .pdf (reportlab, from the test extra),
plus a few broken files; then runs `indicators tag` with --workers 1 and --workers 2 (or the
counts given) in subprocesses and reports docs/s, MB/s, peak RSS of the worker processes, and
the CPU time of the main process against that of its workers, with `jieba.lcut` over the same
text in this process as the reference. Reported, never asserted.

    python bench/bench_tag.py [--n 2000] [--workers 1,2] [--keep DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (a sibling script)

FORMATS = ("txt", "html", "csv", "xlsx", "docx", "zip", "pdf")


def rows_of(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


def write_html(path: Path, text: str) -> None:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows_of(text))
    path.write_text(f"<html><body><table>{body}</table></body></html>", encoding="utf-8")


def write_csv(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows_of(text))


def write_xlsx(path: Path, text: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows_of(text):
        book.active.append(row)
    book.save(path)


def write_docx(path: Path, text: str) -> None:
    from docx import Document

    doc = Document()
    rows = [r for r in rows_of(text) if any(c.strip() for c in r)]
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=width)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    doc.save(path)


def write_zip(path: Path, text: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", text)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows_of(text))
        archive.writestr("b.csv", buffer.getvalue())


def write_pdf(path: Path, text: str) -> bool:
    """A text PDF with reportlab's built-in Chinese CID font (no font file needed)."""
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas
    except ImportError:
        return False
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path), pagesize=A4)
    y = A4[1] - 40
    for line in text.splitlines():
        if y < 40:
            page.showPage()
            y = A4[1] - 40
        page.setFont("STSong-Light", 8)
        page.drawString(30, y, line.replace("\t", "    "))
        y -= 11
    page.save()
    return True


WRITERS = {"html": write_html, "csv": write_csv, "xlsx": write_xlsx, "docx": write_docx,
           "zip": write_zip}


def build_archive(folder: Path, n: int, seed: int) -> tuple[list[str], dict[str, int]]:
    """Files and the text they hold (for the jieba reference); counts per format."""
    rng = random.Random(seed)
    texts, counts = [], {f: 0 for f in (*FORMATS, "broken")}
    for i in range(n):
        text, layout, *_ = generate.build_document(random.Random(f"{seed}:{i}"), large=False)
        fmt = rng.choice(FORMATS) if layout in ("tab", "cells") else rng.choice(("txt", "zip", "pdf"))
        path = folder / f"doc_{i:05d}.{fmt}"
        if fmt == "pdf" and not write_pdf(path, text):
            fmt, path = "txt", folder / f"doc_{i:05d}.txt"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        elif fmt in WRITERS:
            WRITERS[fmt](path, text)
        counts[fmt] += 1
        texts.append(text)
    for name, data in (("broken.zip", b"PK\x03\x04broken"), ("empty.txt", b""),
                       ("renamed.xlsx", b"plain text, not a workbook"), ("binary.pdf", b"%PDF-1.4 \x00\xff")):
        (folder / name).write_bytes(data)
        counts["broken"] += 1
    return texts, counts


# The tag run is started through a small launcher so that the run's own figures are its own:
# on Linux a process's ru_maxrss also counts the process image it replaced, and the launcher's
# is small. Inside, the tag command runs in the measuring process itself, so RUSAGE_SELF is the
# main process (start-up, discovery, collecting, merging) and RUSAGE_CHILDREN its pool workers.
LAUNCHER = "import subprocess, sys\nsys.exit(subprocess.run(sys.argv[1:]).returncode)\n"
MEASURED_TAG = (
    "import json, resource, sys\n"
    "from extractor import cli\n"
    "imported = resource.getrusage(resource.RUSAGE_SELF)\n"
    "rc = cli.main(sys.argv[1:])\n"
    "me = resource.getrusage(resource.RUSAGE_SELF)\n"
    "pool = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = lambda r: r.ru_utime + r.ru_stime\n"
    "print(json.dumps({'rc': rc, 'main_cpu': cpu(me), 'import_cpu': cpu(imported),\n"
    "                  'workers_cpu': cpu(pool), 'peak_kb': max(me.ru_maxrss, pool.ru_maxrss)}))\n"
)
CPU_SHARE_TARGET = 0.05  # the main process's CPU per document ÷ a worker's


def run_tag(archive: Path, out: Path, workers: int) -> dict[str, float]:
    command = ["tag", str(archive), "-o", str(out), "--workers", str(workers), "--no-report"]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-c", MEASURED_TAG, *command],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    measured = json.loads(proc.stdout.splitlines()[-1])
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    errors = sum('"status": "error"' in line for line in lines)
    with (out / "indicators.jsonl").open(encoding="utf-8") as handle:
        indicators = sum(1 for _ in handle)
    peaks = re.search(r"peak RSS (\d+) MB in this process, (\d+) MB in a worker", proc.stderr)
    return {"workers": workers, "seconds": round(wall, 2), "documents": len(lines), "errors": errors,
            "indicators": indicators, "rc": measured["rc"],
            "peak_process_rss_mb": round(measured["peak_kb"] / 1024, 1),
            "main_rss_mb": int(peaks.group(1)) if peaks else None,
            "worker_rss_mb": int(peaks.group(2)) if peaks else None,
            **cpu_figures(measured)}


def cpu_figures(measured: dict[str, float]) -> dict[str, float]:
    """CPU seconds of the main process (and of its start-up: interpreter and imports) and of all
    its workers together. Both handle the same documents, so main ÷ workers is the main
    process's CPU per document relative to a worker's."""
    workers = max(measured["workers_cpu"], 1e-9)
    return {"main_cpu_s": round(measured["main_cpu"], 2), "main_import_cpu_s": round(measured["import_cpu"], 2),
            "workers_cpu_s": round(measured["workers_cpu"], 2),
            "main_cpu_share": round(measured["main_cpu"] / workers, 4),
            "main_cpu_share_after_import": round((measured["main_cpu"] - measured["import_cpu"]) / workers, 4)}


_SPIN = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(4_000_000): x += i\nprint(time.perf_counter() - t)"


def host_scaling() -> float:
    """Work done by two CPU-bound processes at once ÷ by one alone (2.0 on two free cores)."""
    def spin(n: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE, text=True)
                 for _ in range(n)]
        return max(float(p.communicate()[0]) for p in procs)

    one = spin(1)
    return round(2 * one / spin(2), 2)


def jieba_seconds(texts: list[str]) -> float:
    import jieba

    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - started


def rates(run: dict, files_mb: float, chars: int) -> None:
    run["docs_per_s"] = round(run["documents"] / run["seconds"], 1)
    run["mb_per_s"] = round(files_mb / run["seconds"], 2)
    run["chars_per_s"] = round(chars / run["seconds"])


def worker_counts(text: str) -> list[int]:
    counts = sorted({int(part) for part in text.split(",") if part.strip()})
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("worker counts are positive integers, e.g. 1,2,4")
    return counts


def timed_runs(archive: Path, tmp: Path, counts: list[int], repeat: int) -> list[dict]:
    """Each worker count's best of `repeat` runs. A shared host's speed drifts over minutes, so
    the order alternates (1,2,… then …,2,1) and each count keeps its fastest run."""
    tries: dict[int, list[dict]] = {w: [] for w in counts}
    for r in range(max(1, repeat)):
        for w in (counts if r % 2 == 0 else counts[::-1]):
            tries[w].append(run_tag(archive, tmp / f"out{w}_{r}", w))
    runs = [min(tries[w], key=lambda run: run["seconds"]) for w in counts]
    for run in runs:
        run["all_seconds"] = [t["seconds"] for t in tries[run["workers"]]]
    return runs


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_summary(report: dict) -> None:
    runs = report["runs"]
    for run in runs:
        share = run["main_cpu_share"]
        print(f"{run['workers']} worker(s): {run['docs_per_s']} docs/s; main process CPU "
              f"{run['main_cpu_s']} s ({run['main_import_cpu_s']} s of it start-up), workers "
              f"{run['workers_cpu_s']} s: main CPU per document {share:.1%} of a worker's, "
              f"{run['main_cpu_share_after_import']:.1%} after start-up "
              f"(target ≤ {CPU_SHARE_TARGET:.0%}: {verdict(share <= CPU_SHARE_TARGET)})")
    speedup = report.get("speedup_2_over_1")
    if speedup is not None:
        print(f"2 workers / 1 worker: {speedup:.2f}x (target ≥ 1.8x: {verdict(speedup >= 1.8)}); "
              f"the host's own 2-process scaling before/after: {report['host_scaling_2_over_1']}")
    worst = max(run["worker_rss_mb"] or run["peak_process_rss_mb"] for run in runs)
    print(f"peak worker RSS: {worst} MB (target ≤ 300 MB: {verdict(worst <= 300)}); "
          f"largest process of any run: {max(run['peak_process_rss_mb'] for run in runs)} MB")
    print(f"text files, 1 worker: {report['text_only']['ratio_to_jieba']}x jieba.lcut chars/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workers", type=worker_counts, default=[1, 2],
                        help="worker counts to run, comma-separated (default 1,2)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="tag runs per worker count, alternating 1,2 then 2,1 (best kept)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_tag_") as tmp:
        archive = args.keep or Path(tmp) / "archive"
        archive.mkdir(parents=True, exist_ok=True)
        texts, counts = build_archive(archive, args.n, args.seed)
        size_mb = sum(p.stat().st_size for p in archive.iterdir()) / 2**20
        capacity = [host_scaling()]  # the host's own two-process scaling, before and after
        runs = timed_runs(archive, Path(tmp), args.workers, args.repeat)
        capacity.append(host_scaling())
        # Text-format throughput: the .txt files alone, one worker, against jieba on the same text.
        text_dir = Path(tmp) / "text_only"
        text_dir.mkdir()
        text_texts = []
        for path, text in zip(sorted(archive.glob("doc_*")), texts, strict=True):
            if path.suffix == ".txt":
                (text_dir / path.name).write_text(text, encoding="utf-8")
                text_texts.append(text)
        text_mb = sum(p.stat().st_size for p in text_dir.iterdir()) / 2**20
        text_run = run_tag(text_dir, Path(tmp) / "out_text", 1)
        jieba_s = jieba_seconds(texts)
        jieba_text_s = jieba_seconds(text_texts)
    chars = sum(len(t) for t in texts)
    text_chars = sum(len(t) for t in text_texts)
    for run in runs:
        rates(run, size_mb, chars)
        run["speedup_over_1"] = round(runs[0]["seconds"] / run["seconds"], 2) if runs[0]["workers"] == 1 else None
    rates(text_run, text_mb, text_chars)
    seconds = {run["workers"]: run["seconds"] for run in runs}
    report = {"cpus": os.cpu_count(), "load_at_start": round(load, 2), "files": sum(counts.values()),
              "formats": counts, "archive_mb": round(size_mb, 2), "chars": chars, "runs": runs,
              "speedup_2_over_1": round(seconds[1] / seconds[2], 2) if {1, 2} <= seconds.keys() else None,
              "host_scaling_2_over_1": capacity,
              "jieba_lcut_seconds": round(jieba_s, 2), "jieba_chars_per_s": round(chars / jieba_s),
              "text_only": {**text_run, "jieba_chars_per_s": round(text_chars / jieba_text_s),
                            "ratio_to_jieba": round(text_run["chars_per_s"] * jieba_text_s / text_chars, 2)}}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print_summary(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
