"""Throughput, latency, cold-start and memory benchmark for ``extractor.extract``.

Usage::

    python bench/bench_extract.py                 # 3000 generated documents
    python bench/bench_extract.py --quick         # 200 documents
    python bench/bench_extract.py --docs DIR --json out.json
    python bench/bench_extract.py --cold-only     # only the fresh-process figures, in seconds

Everything runs offline.  Figures are reported, never asserted: the exit status is 0 whenever
the benchmark itself ran, whatever the numbers are.  See bench/README.md for what each figure
means and for the targets.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
QUICK_N = 200
COLD_RUNS = 3
FAILURE_DIR = Path(tempfile.gettempdir()) / "extract_bench_failures"
MAX_SAMPLES_PER_ERROR = 3
TARGETS = {"ratio_min": 1.0, "cold_start_max_s": 1.0, "peak_rss_max_mb": 300.0, "cli_cold_start_max_s": 0.4,
           "large_rss_max_ratio": 8.0}
# the real published excerpts with their gold (../shared beside the checkout); only their
# documents are timed, not the gold JSON or the notes
REAL_DIR = REPO_ROOT.parent / "shared" / "eval" / "real"
NOT_DOCUMENTS = {".json", ".md"}
LARGE_MB, QUICK_LARGE_MB = 20.0, 5.0
# a small real-shaped document of the repository: the CLI's cold-start target is judged on it
SMALL_DOC = REPO_ROOT / "corpus" / "samples" / "project_freetext.txt"


class DocTimeout(Exception):
    """Raised by the SIGALRM guard when one document takes too long."""


@dataclass
class Doc:
    path: Path
    text: str
    encoding: str
    size: int
    layout: str = "?"
    built: int | None = None
    label: str = ""  # how reports name it: full path, or file name for a temp corpus


@dataclass
class ExtractRun:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    indicators: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    slowest: list[tuple[float, str, int]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    by_layout: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class ColdStart:
    command: str
    median_s: float | None
    runs_s: list[float]
    peak_rss_kb: int | None
    returncode: int | None
    stderr_tail: str = ""


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH_DIR / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    manifest = folder / "manifest.jsonl"
    if not manifest.exists():
        return {}
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return {entry["file"]: entry for entry in map(json.loads, lines) if entry}


def load_docs(folder: Path, limit: int | None, full_paths: bool = True) -> list[Doc]:
    manifest = read_manifest(folder)
    paths = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name != "manifest.jsonl" and p.suffix not in NOT_DOCUMENTS)
    docs = []
    for path in paths[:limit]:
        data = path.read_bytes()
        text, encoding = decode(data)
        meta = manifest.get(path.name, {})
        label = str(path) if full_paths else path.name
        built = meta.get("indicators")
        docs.append(Doc(path, text, encoding, len(data), meta.get("layout", "?"), built, label))
    return docs


# --------------------------------------------------------------------------------------------
# extract
# --------------------------------------------------------------------------------------------


def import_extractor() -> ModuleType:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    return importlib.import_module("extractor")


def count_records(result: Any) -> int:
    if hasattr(result, "indicators"):
        return len(result.indicators)
    return len(result)


def _alarm(_signum: int, _frame: Any) -> None:
    raise DocTimeout("document took longer than --doc-timeout")


def call_guarded(extract: Any, arg: Any, timeout: float) -> Any:
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return extract(arg)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def keep_failure(doc: Doc, exc: BaseException, run: ExtractRun) -> None:
    kind = type(exc).__name__
    same = sum(1 for e in run.errors if e["type"] == kind)
    entry = {"doc": doc.label, "type": kind, "message": str(exc)[:300]}
    if same < MAX_SAMPLES_PER_ERROR:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        kept = FAILURE_DIR / f"{kind}_{doc.path.name}"
        shutil.copyfile(doc.path, kept)
        entry["kept"] = str(kept)
        entry["traceback"] = "".join(traceback.format_exception(exc)[-3:])[-1500:]
    run.errors.append(entry)


def extract_one(extract: Any, doc: Doc, mode: str, timeout: float, run: ExtractRun) -> None:
    arg = doc.path if mode == "path" else doc.text
    start = time.perf_counter()
    try:
        found = count_records(call_guarded(extract, arg, timeout))
    except Exception as exc:  # every crash, hang (DocTimeout) included, is a finding
        run.latencies.append(time.perf_counter() - start)
        keep_failure(doc, exc, run)
        return
    elapsed = time.perf_counter() - start
    run.latencies.append(elapsed)
    run.slowest = sorted([*run.slowest, (elapsed, doc.label, len(doc.text))], reverse=True)[:3]
    run.indicators += found
    if found == 0:
        run.empty.append(doc.label)
    tally = run.by_layout.setdefault(doc.layout, [0, 0, 0])
    tally[0], tally[1], tally[2] = tally[0] + 1, tally[1] + found, tally[2] + (doc.built or 0)


def run_extract(extract: Any, docs: list[Doc], mode: str, timeout: float) -> ExtractRun:
    previous = signal.signal(signal.SIGALRM, _alarm)
    run = ExtractRun()
    for doc in docs:
        extract_one(extract, doc, mode, timeout, run)
    run.seconds = sum(run.latencies)  # extract calls only, not the bookkeeping around them
    signal.signal(signal.SIGALRM, previous)
    return run


def warm_up(extract: Any, docs: list[Doc], mode: str) -> float:
    doc = min(docs, key=lambda d: d.size)
    start = time.perf_counter()
    try:
        extract(doc.path if mode == "path" else doc.text)
        # the process's own dictionaries (a one-time load, like the reference's
        # jieba.initialize()) load on the first document that needs words: the word table
        # the truncated-text rule cuts with, else jieba's tokenizer. Load them here so that the
        # timed run does not carry them whichever document comes first
        wordtable = importlib.import_module("extractor.wordtable")
        if wordtable.table() is None:
            importlib.import_module("extractor.segment").tokenizer()
    except Exception as exc:  # reported; the timed run records it again
        print(f"warm-up on {doc.path} raised {type(exc).__name__}: {exc}", file=sys.stderr)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------
# jieba reference
# --------------------------------------------------------------------------------------------


def run_jieba(docs: list[Doc]) -> dict[str, Any]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    start = time.perf_counter()
    jieba.initialize()
    init = time.perf_counter() - start
    tokens = 0
    start = time.perf_counter()
    for doc in docs:
        tokens += len(jieba.lcut(doc.text))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "init_seconds": init,
        "tokens": tokens,
        "version": jieba.__version__,
    }


def real_excerpts(extract: Any, folder: Path, mode: str, timeout: float) -> dict[str, Any]:
    """Extract and jieba.lcut over the real excerpts, in this process, after the generated
    corpus (so the same one-time costs are already paid for both)."""
    import jieba

    docs = load_docs(folder, None)
    run = run_extract(extract, docs, mode, timeout)
    start = time.perf_counter()
    for doc in docs:
        jieba.lcut(doc.text)
    jieba_s = time.perf_counter() - start
    chars = sum(len(d.text) for d in docs)
    return {"folder": str(folder), "docs": len(docs), "chars": chars, "extract_seconds": run.seconds,
            "jieba_seconds": jieba_s, "indicators": run.indicators, "errors": len(run.errors),
            "ratio_extract_over_jieba": jieba_s / run.seconds if run.seconds else float("nan")}


def large_text_memory(docs: list[Doc], scratch: Path, megabytes: float) -> dict[str, Any]:
    """Peak RSS of a fresh `indicators extract --format jsonl` (which writes a large text's
    records section by section) on one large text document (the corpus joined and repeated to
    `megabytes` of UTF-8), against the size of its decoded text."""
    joined = "\n\n".join(d.text for d in docs) + "\n\n"
    repeat = max(1, round(megabytes * 2**20 / len(joined.encode("utf-8"))))
    text = joined * repeat
    path = scratch / "large.txt"
    path.write_text(text, encoding="utf-8")
    wall, rss_kb, code, tail = run_child([*cli_command(), "extract", str(path), "--format", "jsonl"])
    decoded = sys.getsizeof(text)
    return {"utf8_mb": path.stat().st_size / 2**20, "chars": len(text), "decoded_mb": decoded / 2**20,
            "seconds": wall, "peak_rss_mb": rss_kb / 1024, "returncode": code,
            "stderr_tail": tail, "rss_over_decoded": rss_kb * 1024 / decoded}


# --------------------------------------------------------------------------------------------
# Cold start (fresh subprocesses)
# --------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    # an installed package has its bytecode compiled; without it every child would compile
    # the whole package again and time that instead
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# The command is started from a tiny launcher process rather than from this one: on Linux a
# child's ru_maxrss includes the memory high-water mark of the process image it exec'd over,
# so a child spawned directly from this (large) process would report our peak, not its own.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
proc.returncode = code = os.waitstatus_to_exitcode(status)
print(json.dumps({"wall": wall, "maxrss_kb": usage.ru_maxrss, "rc": code}))
"""


def run_child(cmd: list[str]) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS (KB), exit code and stderr tail of one fresh process."""
    with tempfile.TemporaryFile() as err:
        out = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, json.dumps(cmd)],
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=REPO_ROOT,
            env=child_env(),
            check=True,
        ).stdout
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-800:]
    result = json.loads(out)
    return result["wall"], result["maxrss_kb"], result["rc"], tail


def cold_start(label: str, cmd: list[str] | None) -> ColdStart:
    if cmd is None:
        return ColdStart(label, None, [], None, None, "command not found on PATH")
    run_child(cmd)  # untimed: writes the bytecode and the word-table cache, warms the disk
    runs = [run_child(cmd) for _ in range(COLD_RUNS)]
    walls = [r[0] for r in runs]
    failed = [r for r in runs if r[2] != 0]
    code = failed[0][2] if failed else 0
    tail = failed[0][3] if failed else ""
    return ColdStart(label, statistics.median(walls), walls, max(r[1] for r in runs), code, tail)


def cli_command() -> list[str]:
    """`indicators` when it is installed (it imports this checkout: see child_env), else
    `python -m extractor`."""
    cli = shutil.which("indicators")
    return [cli] if cli else [sys.executable, "-m", "extractor"]


def cold_starts(doc: Path | None) -> dict[str, ColdStart]:
    """Fresh processes on DOC (the smallest generated document; None with --cold-only) and
    on SMALL_DOC, the document the CLI's target is judged on."""
    py, cli, small = sys.executable, cli_command(), str(SMALL_DOC)
    runs = {"python_bare": cold_start("python -c pass", [py, "-c", "pass"])}
    if doc is not None:
        runs["import_extract"] = cold_start(
            "python -c 'import extractor; extractor.extract(DOC)'",
            [py, "-c", f"import extractor; extractor.extract({str(doc)!r})"],
        )
        runs["cli_extract"] = cold_start("indicators extract DOC --format jsonl",
                                         [*cli, "extract", str(doc), "--format", "jsonl"])
    runs["cli_extract_small"] = cold_start(f"indicators extract {SMALL_DOC.name} --format jsonl",
                                           [*cli, "extract", small, "--format", "jsonl"])
    runs["cli_check_small"] = cold_start(f"indicators check {SMALL_DOC.name} --format jsonl",
                                         [*cli, "check", small, "--format", "jsonl"])
    runs["jieba_init"] = cold_start(
        "python -c 'import jieba; jieba.initialize()'",
        [py, "-c", "import jieba; jieba.setLogLevel(30); jieba.initialize()"],
    )
    return runs


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def corpus_summary(docs: list[Doc], source: str) -> dict[str, Any]:
    return {
        "source": source,
        "docs": len(docs),
        "chars": sum(len(d.text) for d in docs),
        "bytes": sum(d.size for d in docs),
        "gb18030_docs": sum(d.encoding == "gb18030" for d in docs),
        "large_docs_100kb": sum(d.size >= 100 * 1024 for d in docs),
        "layouts": dict(Counter(d.layout for d in docs)),
        "indicators_built": sum(d.built or 0 for d in docs),
    }


def extract_summary(run: ExtractRun, docs: list[Doc], mode: str, warm: float) -> dict[str, Any]:
    chars = sum(len(d.text) for d in docs)
    return {
        "input": mode,
        "warm_up_seconds_excluded": warm,
        "seconds": run.seconds,
        "docs_per_s": len(docs) / run.seconds,
        "chars_per_s": chars / run.seconds,
        "indicators": run.indicators,
        "indicators_per_s": run.indicators / run.seconds,
        "latency_ms": {
            "p50": 1000 * percentile(run.latencies, 0.50),
            "p95": 1000 * percentile(run.latencies, 0.95),
            "max": 1000 * max(run.latencies, default=float("nan")),
        },
        "slowest_docs": [{"doc": d, "ms": 1000 * t, "chars": n} for t, d, n in run.slowest],
        "errors": len(run.errors),
        "error_types": dict(Counter(e["type"] for e in run.errors)),
        "error_samples": [e for e in run.errors if "kept" in e],
        "empty_docs": len(run.empty),
        "empty_samples": run.empty[:5],
        "found_vs_built_by_layout": {
            k: {"docs": v[0], "found": v[1], "built": v[2]} for k, v in sorted(run.by_layout.items())
        },
    }


def jieba_summary(raw: dict[str, Any], docs: list[Doc]) -> dict[str, Any]:
    chars = sum(len(d.text) for d in docs)
    return {**raw, "docs_per_s": len(docs) / raw["seconds"], "chars_per_s": chars / raw["seconds"]}


def verdicts(report: dict[str, Any]) -> dict[str, bool | None]:
    return {
        "ratio_at_least_1": report["ratio_extract_over_jieba"] >= TARGETS["ratio_min"],
        "cold_start_at_most_1s": cold_verdict(report, "import_extract", "cold_start_max_s"),
        "cli_cold_start_at_most_0.4s": cold_verdict(report, "cli_extract_small", "cli_cold_start_max_s"),
        "peak_rss_at_most_300mb": report["rss_kb"]["after_extract"] / 1024 <= TARGETS["peak_rss_max_mb"],
        "real_ratio_at_least_1": None if "real" not in report
        else report["real"]["ratio_extract_over_jieba"] >= TARGETS["ratio_min"],
        "large_rss_at_most_8x": None if "large_text" not in report or report["large_text"]["returncode"]
        else report["large_text"]["rss_over_decoded"] <= TARGETS["large_rss_max_ratio"],
    }


def cold_verdict(report: dict[str, Any], run: str, target: str) -> bool | None:
    cold = report["cold_start"][run]
    return None if cold["returncode"] != 0 else cold["median_s"] <= TARGETS[target]


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def print_report(report: dict[str, Any]) -> None:
    c, e, j = report["corpus"], report["extract"], report["jieba"]
    lat, env = e["latency_ms"], report["environment"]
    print(
        f"\nPython {env['python']} on {env['cpu_count']} CPUs, load average "
        f"{env['load_average_1m_at_start']:.2f} at start (timings are noisy on a busy machine)"
    )
    print(
        f"\ncorpus: {c['docs']} docs, {c['chars']:,} chars, {c['bytes']:,} bytes "
        f"({c['gb18030_docs']} GB18030, {c['large_docs_100kb']} ≥100 KB) from {c['source']}"
    )
    print(f"\n{'measure':<34}{'extract':>16}{'jieba.lcut':>16}")
    print("-" * 66)
    print(f"{'total seconds':<34}{e['seconds']:>16.3f}{j['seconds']:>16.3f}")
    print(f"{'docs/s':<34}{fmt_rate(e['docs_per_s']):>16}{fmt_rate(j['docs_per_s']):>16}")
    print(f"{'chars/s':<34}{fmt_rate(e['chars_per_s']):>16}{fmt_rate(j['chars_per_s']):>16}")
    print(f"{'indicators (total / per s)':<34}{e['indicators']:>16,}{fmt_rate(e['indicators_per_s']):>16}")
    print(f"{'per-doc latency p50 / p95 ms':<34}{lat['p50']:>16.2f}{lat['p95']:>16.2f}")
    print(f"{'per-doc latency max ms':<34}{lat['max']:>16.2f}")
    for slow in e["slowest_docs"]:
        print(f"  slow: {slow['ms']:9.1f} ms  {slow['chars']:>8,} chars  {slow['doc']}")
    print("-" * 66)
    ratio = report["ratio_extract_over_jieba"]
    print(f"speed ratio extract / jieba.lcut: {ratio:.2f}  (≥ 1.00 means extract is at least as fast)")
    print(
        f"  extract input: {e['input']}; warm-up call ({e['warm_up_seconds_excluded']:.2f} s) "
        f"and jieba.initialize() ({j['init_seconds']:.2f} s) are both excluded from timing"
    )
    print_real(report.get("real"))
    print_classification(report)
    print_cold(report)
    print_large(report.get("large_text"))
    print_rss_and_verdicts(report)
    print_findings(e)


def print_real(real: dict[str, Any] | None) -> None:
    if real is None:
        return
    print(f"\nreal excerpts ({real['folder']}): {real['docs']} docs, {real['chars']:,} chars, "
          f"{real['indicators']:,} indicators, {real['errors']} errors")
    print(f"  extract {real['extract_seconds']:.3f} s, jieba.lcut {real['jieba_seconds']:.3f} s: "
          f"speed ratio {real['ratio_extract_over_jieba']:.2f}")


def print_large(large: dict[str, Any] | None) -> None:
    if large is None:
        return
    if large["returncode"]:
        print(f"\nlarge text: exit {large['returncode']}: {large['stderr_tail'].strip()[-200:]}")
        return
    print(f"\nlarge text (fresh `indicators extract --format jsonl`): {large['utf8_mb']:.1f} MB UTF-8, "
          f"{large['chars']:,} chars, "
          f"{large['decoded_mb']:.1f} MB decoded; {large['seconds']:.1f} s, peak RSS "
          f"{large['peak_rss_mb']:.0f} MB = {large['rss_over_decoded']:.0f}× the decoded text")


def print_classification(report: dict[str, Any]) -> None:
    c = report["classification"]
    share = f"{100 * c['share_of_extract']:.1f}%" if c["share_of_extract"] is not None else "n/a"
    print(f"\nclassify.infer asked of every indicator (rules, then the model; the pipeline asks it "
          f"only where no heading labels one): {c['us_per_indicator']:.0f} µs per indicator over "
          f"{c['indicators']:,} indicators, {share} of the timed pass's cost per indicator; "
          f"decided by {c['sources']}")


def print_cold(report: dict[str, Any]) -> None:
    print(f"\ncold start (fresh process after one untimed run, median of {COLD_RUNS}; RSS the largest):")
    for item in report["cold_start"].values():
        wall = "n/a" if item["median_s"] is None else f"{item['median_s']:.3f} s"
        rss = "n/a" if item["peak_rss_kb"] is None else f"{item['peak_rss_kb'] / 1024:.0f} MB"
        status = "" if item["returncode"] == 0 else f"  [exit {item['returncode']}]"
        print(f"  {item['command']:<58}{wall:>10}{rss:>9}{status}")
        if item["returncode"] != 0 and item["stderr_tail"]:
            print(f"      stderr: {item['stderr_tail'].strip().splitlines()[-1][:110]}")


def print_rss_and_verdicts(report: dict[str, Any]) -> None:
    rss = report["rss_kb"]
    print(
        f"\npeak RSS of this process: {rss['after_extract'] / 1024:.0f} MB after the extract "
        f"phase, {rss['at_end'] / 1024:.0f} MB at the end (jieba loaded too)"
    )
    print_targets(report["targets_met"])


TARGET_NAMES = {
    "ratio_at_least_1": "extract at least as fast as jieba.lcut (ratio ≥ 1.0)",
    "cold_start_at_most_1s": "cold start import+extract ≤ 1 s",
    "cli_cold_start_at_most_0.4s": f"cold start indicators extract {SMALL_DOC.name} ≤ 0.4 s",
    "peak_rss_at_most_300mb": "peak RSS after extract phase ≤ 300 MB",
    "real_ratio_at_least_1": "on the real excerpts, extract at least as fast as jieba.lcut",
    "large_rss_at_most_8x": "large text document: peak RSS ≤ 8× its decoded text",
}


def print_targets(met: dict[str, bool | None]) -> None:
    print("\ntargets (reported, not asserted):")
    for key, ok in met.items():
        mark = "n/a (not measured or failed)" if ok is None else ("met" if ok else "NOT met")
        print(f"  {TARGET_NAMES[key]:<62}{mark}")


def print_findings(e: dict[str, Any]) -> None:
    print(f"\nextract errors: {e['errors']} {e['error_types'] or ''}; documents with 0 indicators: {e['empty_docs']}")
    for sample in e["error_samples"]:
        print(f"  {sample['type']}: {sample['message'][:120]}  -> kept {sample['kept']}")
    for path in e["empty_samples"]:
        print(f"  empty: {path}")
    print("indicators found / built, by layout:")
    for layout, v in e["found_vs_built_by_layout"].items():
        print(f"  {layout:<10}{v['docs']:>6} docs {v['found']:>9,} found {v['built']:>9,} built")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark extractor.extract against jieba.lcut")
    parser.add_argument("--n", type=int, default=3000, help="documents to generate (3000)")
    parser.add_argument("--seed", type=int, default=None, help="generator seed")
    parser.add_argument("--docs", type=Path, help="use the documents in DIR instead")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_N} documents")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the fresh-process (cold start) figures; generates no corpus")
    parser.add_argument(
        "--input",
        choices=("path", "text"),
        default="path",
        help="pass extract a pathlib.Path (default; includes reading and decoding) or the already decoded str",
    )
    parser.add_argument("--real", type=Path, default=REAL_DIR if REAL_DIR.is_dir() else None,
                        help="real excerpts to time against jieba too (default ../shared/eval/real when present)")
    parser.add_argument("--no-real", dest="real", action="store_const", const=None,
                        help="skip the real excerpts")
    parser.add_argument("--large-mb", type=float, default=None,
                        help=f"size of the large-text memory run ({LARGE_MB:g} MB; {QUICK_LARGE_MB:g} with "
                             "--quick; 0 skips it)")
    parser.add_argument(
        "--doc-timeout",
        type=float,
        default=60.0,
        help="seconds before one document counts as a hang (60)",
    )
    return parser.parse_args(argv)


def prepare_corpus(args: argparse.Namespace, scratch: Path) -> tuple[list[Doc], str]:
    limit = QUICK_N if args.quick else None
    if args.docs:
        return load_docs(args.docs, limit), str(args.docs)
    gen = load_generator()
    n = QUICK_N if args.quick else args.n
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    gen.generate_corpus(scratch, n, seed)
    source = f"a temporary corpus (python bench/generate.py DIR --n {n} --seed {seed})"
    return load_docs(scratch, None, full_paths=False), source


def classification_cost(docs: list[Doc], run: ExtractRun, limit: int = 100) -> dict[str, Any]:
    """Time `classify.infer` asked of every indicator of the first documents (the pipeline asks
    it only of those no heading labels), against the timed pass's cost per indicator: a second
    extract of the same documents would find its caches warm and shrink the denominator."""
    import extractor
    from extractor import classify

    sample = docs[:limit]
    records = [r for d in sample for r in extractor.extract(d.text)]
    started = time.perf_counter()
    labels = [classify.infer(r.text, r.target, r.quantities, r.deadline, None, None) for r in records]
    alone = time.perf_counter() - started
    sources: dict[str, int] = {}
    for label in labels:
        key = label.source if label else "none"
        sources[key] = sources.get(key, 0) + 1
    per_indicator = alone / max(1, len(records))
    pass_per_indicator = run.seconds / run.indicators if run.indicators else None
    return {"indicators": len(records), "us_per_indicator": 1e6 * per_indicator,
            "share_of_extract": per_indicator / pass_per_indicator if pass_per_indicator else None,
            "sources": sources}


def environment() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_1m_at_start": os.getloadavg()[0],
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def benchmark(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    env = environment()
    docs, source = prepare_corpus(args, scratch)
    shutil.rmtree(FAILURE_DIR, ignore_errors=True)  # keep only this run's failing samples
    extract = import_extractor().extract
    warm = warm_up(extract, docs, args.input)
    run = run_extract(extract, docs, args.input, args.doc_timeout)
    rss_extract = peak_rss_kb()
    jieba_raw = run_jieba(docs)
    report: dict[str, Any] = {
        "environment": env,
        "corpus": corpus_summary(docs, source),
        "extract": extract_summary(run, docs, args.input, warm),
        "jieba": jieba_summary(jieba_raw, docs),
    }
    report["ratio_extract_over_jieba"] = report["extract"]["chars_per_s"] / report["jieba"]["chars_per_s"]
    if args.real is not None:
        report["real"] = real_excerpts(extract, args.real, args.input, args.doc_timeout)
    small = min(docs, key=lambda d: d.size).path
    report["classification"] = classification_cost(docs, run)
    report["cold_start"] = {k: asdict(v) for k, v in cold_starts(small).items()}
    report["rss_kb"] = {"after_extract": rss_extract, "at_end": peak_rss_kb()}
    large_mb = args.large_mb if args.large_mb is not None else (QUICK_LARGE_MB if args.quick else LARGE_MB)
    if large_mb > 0:
        report["large_text"] = large_text_memory(docs, scratch, large_mb)
    report["targets"] = TARGETS
    report["targets_met"] = verdicts(report)
    return report


def cold_only() -> dict[str, Any]:
    report: dict[str, Any] = {"environment": environment(), "targets": TARGETS}
    report["cold_start"] = {k: asdict(v) for k, v in cold_starts(None).items()}
    report["targets_met"] = {
        "cli_cold_start_at_most_0.4s": cold_verdict(report, "cli_extract_small", "cli_cold_start_max_s")}
    env = report["environment"]
    print(f"Python {env['python']} on {env['cpu_count']} CPUs, load average "
          f"{env['load_average_1m_at_start']:.2f} at start (timings are noisy on a busy machine)")
    print_cold(report)
    print_targets(report["targets_met"])
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cold_only:
        report = cold_only()
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_docs_") as tmp:
        report = benchmark(args, Path(tmp))
        print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
