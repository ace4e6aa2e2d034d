"""Benchmark `report.xlsx` (extractor.workbook.write_report) on N indicator rows.

Builds a `tag` output folder of N indicator rows (default 100,000): `indicators tag` runs for
real, in a subprocess, over --docs documents from bench/generate.py (default 200, about 8,500
indicators), and its three streams are then repeated, a document at a time, each copy under its
own folder name, until the indicator stream has N rows. Then `write_report` is timed in this
process, and `jieba.lcut` over a fixed text as the reference. Offline; reported, never asserted.

    python bench/bench_report.py [--n 100000] [--docs 200] [--repeat 2] [--keep DIR] [--json FILE]
    python bench/bench_report.py --folder DIR      # a tag output folder kept with --keep, or any
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (a sibling script)
from bench_tag import jieba_seconds  # noqa: E402  (the reference of the tag benchmark)

STREAMS = ("documents.jsonl", "indicators.jsonl", "findings.jsonl")
TARGET_SECONDS = 5.0  # for 100,000 indicator rows
REFERENCE_DOCS = 1000  # documents 0..999 of generate.py at its default seed: the jieba text


def tag_base(docs: Path, out: Path, n: int, seed: int) -> None:
    """`indicators tag` over n generated documents: real records, every field as tag writes it."""
    docs.mkdir(parents=True)
    for i in range(n):
        generate.generate_one(docs, i, seed)
    command = [sys.executable, "-m", "extractor", "tag", str(docs), "-o", str(out), "--workers", "1",
               "--no-report"]
    subprocess.run(command, check=True, capture_output=True)


def by_document(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Each document's lines of each stream, in the documents' order."""
    groups: dict[str, dict[str, list[str]]] = {}
    for name in STREAMS:
        with (folder / name).open(encoding="utf-8") as handle:
            for line in handle:
                groups.setdefault(json.loads(line)["doc"], {s: [] for s in STREAMS})[name].append(line)
    return groups


def replicate(base: Path, out: Path, rows: int) -> dict[str, int]:
    """The base streams copied a document at a time, the k-th copy's paths under /存档/副本k/,
    until the indicator stream has `rows` lines (the last document's may be cut short)."""
    out.mkdir(parents=True, exist_ok=True)
    docs = by_document(base)
    # tag writes each path as it found it; every generated document sits in one folder
    prefix = next(iter(docs)).rsplit("/", 1)[0] + "/"
    groups = list(docs.values())
    counts = dict.fromkeys(STREAMS, 0)
    handles = {name: (out / name).open("w", encoding="utf-8") for name in STREAMS}
    try:
        for k, group in _copies(groups):
            room = rows - counts["indicators.jsonl"]
            if room <= 0:
                break
            for name in STREAMS:
                lines = group[name][:room] if name == "indicators.jsonl" else group[name]
                handles[name].writelines(line.replace(prefix, f"/存档/副本{k:03d}/") for line in lines)
                counts[name] += len(lines)
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def _copies(groups: list[dict[str, list[str]]]) -> Iterator[tuple[int, dict[str, list[str]]]]:
    k = 0
    while True:
        for group in groups:
            yield k, group
        k += 1


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def time_report(folder: Path, repeat: int) -> list[dict[str, float]]:
    """Wall seconds of each run, and CPU seconds: of the process (every thread) and of the
    calling thread alone (on a busy machine CPU time says more than wall time)."""
    from extractor.workbook import write_report

    runs = []
    for r in range(max(1, repeat)):
        wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
        write_report(folder, folder / f"report{r}.xlsx", progress=False)
        runs.append({"seconds": round(time.perf_counter() - wall, 2),
                     "cpu_seconds": round(time.process_time() - cpu, 2),
                     "main_thread_cpu_seconds": round(time.thread_time() - thread, 2)})
    return runs


def reference_texts(seed: int) -> list[str]:
    """A fixed text for jieba: the same generated documents whatever --n and --docs are."""
    return [generate.build_document(random.Random(f"{seed}:{i}"), large=False)[0]
            for i in range(REFERENCE_DOCS)]


def build(args: argparse.Namespace, scratch: Path) -> tuple[Path, dict[str, int]]:
    """The tag output folder to report on, and its lines per stream."""
    if args.folder:
        return args.folder, {name: _lines(args.folder / name) for name in STREAMS}
    base = scratch / "base"
    tag_base(scratch / "docs", base, args.docs, args.seed)
    folder = args.keep or scratch / "out"
    counts = replicate(base, folder, args.n)
    return folder, counts


def measure(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    started = time.perf_counter()
    folder, counts = build(args, scratch)
    report: dict[str, Any] = {
        "cpus": os.cpu_count(), "load_at_start": args.load, "base_documents": None if args.folder else args.docs,
        "rows": counts, "build_seconds": round(time.perf_counter() - started, 1),
        "load_before_report": round(os.getloadavg()[0], 2), "peak_rss_mb_before": rss_mb()}
    runs = time_report(folder, args.repeat)
    best = min(runs, key=lambda run: run["seconds"])
    report.update(peak_rss_mb_after=rss_mb(), runs=runs, seconds=best["seconds"], cpu_seconds=best["cpu_seconds"],
                  main_thread_cpu_seconds=best["main_thread_cpu_seconds"],
                  indicator_rows_per_s=round(counts["indicators.jsonl"] / best["seconds"]),
                  all_rows_per_s=round(sum(counts.values()) / best["seconds"]),
                  xlsx_mb=round((folder / "report0.xlsx").stat().st_size / 2**20, 1))
    texts = reference_texts(generate.DEFAULT_SEED)
    jieba_s = jieba_seconds(texts)
    report.update(jieba_lcut_seconds=round(jieba_s, 2), jieba_chars=sum(len(t) for t in texts),
                  ratio_report_over_jieba=round(best["seconds"] / jieba_s, 2))
    return report


def print_report(report: dict[str, Any]) -> None:
    print(json.dumps(report, ensure_ascii=False, indent=2))
    indicators = report["rows"]["indicators.jsonl"]
    target = TARGET_SECONDS * indicators / 100_000  # the target is per 100,000 indicator rows
    verdict = "met" if report["seconds"] <= target else "NOT met"
    print(f"write_report: {report['seconds']} s for {indicators:,} indicator rows "
          f"({report['indicator_rows_per_s']:,} rows/s; {report['all_rows_per_s']:,} rows/s over all sheets), "
          f"target ≤ {target:g} s: {verdict}; CPU {report['cpu_seconds']} s, of which the calling thread "
          f"{report['main_thread_cpu_seconds']} s (load {report['load_before_report']} on {report['cpus']} CPUs)")
    print(f"peak RSS {report['peak_rss_mb_before']} MB before, {report['peak_rss_mb_after']} MB after; "
          f"{report['ratio_report_over_jieba']}x the time of jieba.lcut over the reference text "
          f"({report['jieba_chars']:,} characters, {report['jieba_lcut_seconds']} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="indicator rows")
    parser.add_argument("--docs", type=int, default=200, help="documents run through tag, then repeated")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=2, help="write_report runs (the best is kept)")
    parser.add_argument("--keep", type=Path, help="write the N-row tag folder (and the workbooks) here")
    parser.add_argument("--folder", type=Path, help="report on this tag output folder as it is (no build; "
                                                   "--n, --docs, --keep ignored); the workbooks go into it")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    args.load = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        report = measure(args, Path(tmp))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
