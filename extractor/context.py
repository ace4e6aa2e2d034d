"""Document context: the budget year, read from the title block."""

from __future__ import annotations

import regex

from extractor import lexicon

_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|年度)")
_HEAD_LINES = 12
_BLOCKER_REACH = 12  # characters before a year where a blocker word counts


def budget_year(text: str) -> int | None:
    """The year of the title or header (`2023年部门预算`, `（2024年度）`), never a header
    date such as 编制日期."""
    words = lexicon.load().words
    fallback = None
    for line in _head(text):
        for m in _YEAR.finditer(line):
            # a blocker word just before the year (编制日期：2023年…) marks a date, not the
            # budget year; on a flattened page the title shares its line with such dates
            if any(b in line[max(0, m.start() - _BLOCKER_REACH):m.start()] for b in words["year_blockers"]):
                continue
            after = line[m.end(1):m.end(1) + 6]
            if any(after.startswith(cue) for cue in words["year_cues"]) or "绩效" in line:
                return int(m.group(1))
            fallback = fallback or int(m.group(1))
    return fallback


def _head(text: str) -> list[str]:
    lines = [ln for ln in text.split("\n") if ln.strip()][:_HEAD_LINES]
    return [ln[:400] for ln in lines]
