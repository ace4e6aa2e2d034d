"""Benchmark `indicators check` on many-project documents (issue: "check on a 30-project
document takes well under a second after start-up").

Builds documents of 30 projects each with bench/generate.py's pieces (seeded), then in one
process: the first call (start-up: vocabularies, model, converters), then repeated calls of
`extract_document` (extraction, classification and every check rule) and, separately, of the
check rules alone over an already extracted document. Reported, never asserted.

    python bench/bench_check.py [--projects 30] [--docs 5] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (a sibling script, not a package)


def many_project_document(seed: int, projects: int) -> str:
    rng = random.Random(f"check:{seed}")
    ctx = generate.Context(year=rng.randint(2021, 2025), county=generate.place(rng, generate.COUNTY_SUFFIX),
                           town=generate.place(rng, generate.TOWN_SUFFIX), bureau=rng.choice(generate.BUREAUS))
    layout = rng.choice(generate.LAYOUTS)
    lines = [generate.title(rng, ctx, None), ""]
    for _ in range(projects):
        section, _count = generate.project_section(rng, ctx, layout, rng.choice(generate.PROJECTS))
        lines += section + [""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=30)
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    docs = [many_project_document(seed, args.projects) for seed in range(args.docs)]

    started = time.perf_counter()
    import extractor
    from extractor import checks

    first = extractor.extract_document(docs[0], "doc0")
    startup = time.perf_counter() - started
    config = checks.load_config()
    whole, rules_only, findings, indicators = [], [], 0, 0
    for _ in range(args.repeat):
        for i, text in enumerate(docs):
            t0 = time.perf_counter()
            result = extractor.extract_document(text, f"doc{i}")
            t1 = time.perf_counter()
            checks.run(result, config)
            t2 = time.perf_counter()
            whole.append(t1 - t0)
            rules_only.append(t2 - t1)
            findings, indicators = len(result.findings), len(result.indicators)
    report = {
        "projects_per_doc": args.projects, "docs": args.docs, "repeat": args.repeat,
        "chars_per_doc": round(statistics.mean(len(d) for d in docs)),
        "startup_first_call_s": round(startup, 3),
        "extract_and_check_s_median": round(statistics.median(whole), 4),
        "extract_and_check_s_max": round(max(whole), 4),
        "check_rules_only_s_median": round(statistics.median(rules_only), 4),
        "rules": len(checks.RULES), "last_doc_indicators": indicators, "last_doc_findings": findings,
        "first_doc_findings": len(first.findings),
    }
    for key, value in report.items():
        print(f"{key:<32}{value}")
    verdict = "met" if report["extract_and_check_s_median"] < 1.0 else "NOT met"
    print(f"target: a {args.projects}-project document well under 1 s after start-up: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
