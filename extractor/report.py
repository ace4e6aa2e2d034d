"""The text report of `indicators check`: a linter-style listing grouped by document and
project, coloured on a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from extractor.records import DocumentResult, Finding

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"


def location(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def write_text(results: Iterable[tuple[DocumentResult, list[Finding]]], out: IO[str],
               colour: bool, hidden: int = 0, floor: str = "info") -> None:
    """The report; `hidden` findings below `floor` are counted in the last line only."""
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if colour else s

    totals = {"error": 0, "warning": 0, "info": 0}
    for result, found in results:
        year = f"预算年度 {result.budget_year}" if result.budget_year else "预算年度未识别"
        out.write(paint(_BOLD, f"{result.doc}") + f"  ({year}, {len(result.indicators)} 个指标, "
                  f"{len(found)} 条发现)\n")
        for project, items in _by_project(found):
            out.write(f"  {paint(_BOLD, project or '（全文）')}\n")
            for f in items:
                totals[f.severity] += 1
                where = "{}:{}".format(*location(result.text, f.span.start)) if f.span else "-"
                out.write(f"    {where:<9} {paint(_COLOURS[f.severity], f'{f.severity:<7}')} "
                          f"{f.code:<32} {f.message}\n")
                out.write(paint(_DIM, f"              「{_short(f.text)}」 建议：{f.suggestion}") + "\n")
        out.write("\n")
    out.write(f"{totals['error']} error, {totals['warning']} warning, {totals['info']} info\n")
    if hidden:
        below = "info" if floor == "warning" else "info or warning"
        out.write(f"({hidden} {below} findings not shown: --min-severity info lists them)\n")


def write_explanation(result: DocumentResult, out: IO[str]) -> None:
    """What `extract --explain` adds: each line the layout walk offered that the
    plausibility gate did not take as an indicator, where it is and why."""
    if not result.rejected:
        out.write(f"{result.doc}: every candidate was taken\n")
        return
    out.write(f"{result.doc}: {len(result.rejected)} candidates not taken as indicators\n")
    for r in result.rejected:
        where = "{}:{}".format(*location(result.text, r.span.start))
        out.write(f"  {where:<9} {r.reason:<9} 「{_short(r.text)}」 {r.explanation}\n")


def _by_project(found: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
    groups: dict[str | None, list[Finding]] = {}
    for f in found:
        groups.setdefault(f.project, []).append(f)
    return list(groups.items())


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def write_statistics(found: list[Finding], out: IO[str], fmt: str) -> None:
    """`check --statistics`: the count per code, most frequent first (ruff's layout), or the
    same as JSON records for the machine formats."""
    import json

    from extractor.checks import RULES
    from extractor.labels import label

    titles = {r.code: r.title for r in RULES}
    counts: dict[str, list[Any]] = {}
    for f in found:
        entry = counts.setdefault(f.code, [0, f.severity])
        entry[0] += 1
        if SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[entry[1]]:
            entry[1] = f.severity  # a rule can report some findings more severely
    rows = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    if fmt in ("json", "jsonl", "csv"):
        records = [{"code": code, "count": n, "severity": sev, "title": titles.get(code, code)}
                   for code, (n, sev) in rows]
        out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    for code, (n, sev) in rows:
        out.write(f"{n:>6}  {code:<32} {label('severity', sev)}  {titles.get(code, code)}\n")
    out.write(f"{sum(n for n, _ in counts.values()):>6}  findings\n")
