"""Summarise a fuzz run's FUZZ_REPORT file (tests/test_fuzz.py): inputs per target, outcomes,
crashes and hangs, and the slowest inputs per KB.

    python bench/fuzz_report.py /tmp/fuzz.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def main(path: Path) -> None:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    by_target: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_target[row["target"]].append(row)
    print(f"{len(rows):,} inputs")
    for target, found in sorted(by_target.items()):
        outcomes = Counter(r["outcome"].split(":")[0] for r in found)
        per_kb = max(found, key=lambda r: r["seconds"] / max(r["bytes"] / 1024, 1.0))
        slowest = max(found, key=lambda r: r["seconds"])
        print(f"{target}: {len(found):,} inputs, {sum(r['seconds'] for r in found):,.0f} s; outcomes "
              f"{dict(outcomes)}; crashes {outcomes.get('crash', 0)}, hang-guard stops {outcomes.get('timeout', 0)}; "
              f"slowest per KB {per_kb['seconds'] / max(per_kb['bytes'] / 1024, 1.0):.3f} s/KB "
              f"({per_kb['bytes']:,} bytes in {per_kb['seconds']:.2f} s, sizes under 1 KB counted as 1 KB); "
              f"slowest {slowest['seconds']:.2f} s ({slowest['bytes']:,} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
