"""Every speed and memory figure of the project in one run, with one table of targets.

Runs the three benchmarks in turn, each in its own process so that one's memory and caches
do not colour the next, reads the JSON each writes, and prints what each target needs against
what was measured. Reported, never asserted: the exit status is 0 whenever the benchmarks ran.

    python bench/bench_all.py            # about 4 minutes on 2 cores
    python bench/bench_all.py --full     # 3,000 generated documents, 2,000 archive files: longer
    python bench/bench_all.py --json all.json

What runs:
- bench_extract.py: extract (with its checks) against jieba.lcut in the same process, on the
  generated corpus and on ../shared/eval/real; cold starts; a large text document's peak RSS.
- bench_tag.py: `indicators tag` with 1 and 2 workers; the main process's CPU per document
  against a worker's.
- bench_report.py: report.xlsx for 100,000 indicator rows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Target:
    bench: str
    what: str
    needed: str
    measured: Callable[[dict[str, Any]], float | None]
    met: Callable[[float], bool]
    shown: str  # format of the measured figure


def _get(*keys: Any) -> Callable[[dict[str, Any]], float | None]:
    def read(report: dict[str, Any]) -> float | None:
        value: Any = report
        for key in keys:
            if callable(key):
                value = key(value)
            elif isinstance(value, dict) and key in value:
                value = value[key]
            else:
                return None
        return value

    return read


def _main_share(runs: list[dict[str, Any]]) -> float | None:
    shares = [r["main_cpu_share"] for r in runs if r.get("main_cpu_share") is not None]
    return max(shares) if shares else None


def _cold(report: dict[str, Any]) -> Any:
    cold = report.get("cli_extract_small", {})
    return cold.get("median_s") if cold.get("returncode") == 0 else None


TARGETS = (
    Target("extract", "extract (with checks) / jieba.lcut, generated corpus", "≥ 1.00",
           _get("ratio_extract_over_jieba"), lambda v: v >= 1.0, "{:.2f}×"),
    Target("extract", "extract (with checks) / jieba.lcut, real excerpts", "≥ 1.00",
           _get("real", "ratio_extract_over_jieba"), lambda v: v >= 1.0, "{:.2f}×"),
    Target("extract", "cold start: indicators extract on a small document", "≤ 0.40 s",
           _get("cold_start", _cold), lambda v: v <= 0.4, "{:.3f} s"),
    Target("extract", "large text document: peak RSS / decoded text", "≤ 8×",
           _get("large_text", "rss_over_decoded"), lambda v: v <= 8, "{:.0f}×"),
    Target("tag", "tag: main process CPU per document / a worker's", "≤ 5%",
           _get("runs", _main_share), lambda v: v <= 0.05, "{:.1%}"),
    Target("report", "report.xlsx, 100,000 indicator rows", "≤ 5 s",
           _get("seconds"), lambda v: v <= 5, "{:.1f} s"),
)


def run(script: str, args: list[str], out: Path) -> dict[str, Any] | None:
    """One benchmark in a fresh process; its own report goes to the terminal as it runs."""
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, str(BENCH_DIR / script), *args, "--json", str(out)], check=False)
    if proc.returncode != 0 or not out.exists():
        print(f"=== {script} failed (exit {proc.returncode})")
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def summary(reports: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        report = reports.get(target.bench)
        value = target.measured(report) if report is not None else None
        rows.append({"target": target.what, "needed": target.needed, "measured": value,
                     "shown": "n/a" if value is None else target.shown.format(value),
                     "met": None if value is None else target.met(value)})
    return rows


def print_summary(rows: list[dict[str, Any]]) -> None:
    print("\n=== all targets (reported, not asserted)")
    for row in rows:
        verdict = "n/a" if row["met"] is None else ("met" if row["met"] else "NOT met")
        print(f"  {row['target']:<58}{row['needed']:>10}{row['shown']:>10}   {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the benchmarks' full sizes (slower)")
    parser.add_argument("--json", type=Path, help="also write every report and the summary here")
    args = parser.parse_args(argv)
    plans = {
        "extract": ("bench_extract.py", [] if args.full else ["--quick"]),
        "tag": ("bench_tag.py", [] if args.full else ["--n", "400", "--repeat", "1"]),
        "report": ("bench_report.py", [] if args.full else ["--repeat", "1"]),
    }
    with tempfile.TemporaryDirectory(prefix="bench_all_") as tmp:
        reports = {name: run(script, extra, Path(tmp) / f"{name}.json")
                   for name, (script, extra) in plans.items()}
    rows = summary(reports)
    print_summary(rows)
    if args.json:
        args.json.write_text(json.dumps({"reports": reports, "summary": rows}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
