"""Document context: the budget year, read from the title block."""

from __future__ import annotations

from collections import Counter

import regex

from extractor import lexicon

_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|年度)")
_HEAD_LINES = 12
_HEAD_SPLIT = 2 * _HEAD_LINES
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
    """The first non-blank lines (their first 400 characters). The text is split only as far
    as they are likely to reach, and all of it only when blank lines push them further."""
    parts = text.split("\n", _HEAD_SPLIT)
    lines = [ln for ln in parts[:_HEAD_SPLIT] if ln.strip()]
    if len(parts) > _HEAD_SPLIT and len(lines) < _HEAD_LINES:  # the last part: the rest
        lines = [ln for ln in text.split("\n") if ln.strip()]
    return [ln[:400] for ln in lines[:_HEAD_LINES]]


_DEPARTMENT_FIELD = regex.compile(r"(?:部门|单位名称|预算单位)\s*[:：]\s*(?P<u>[^\s:：]{2,30}?)(?=\s|单位[:：]|$)")
_BUDGET_TITLE = regex.compile(
    r"^(?:(?:19|20)\d{2}\s*年度?\s*)?(?P<u>\p{Han}[\p{Han}（）()]{3,30}?)\s*"
    # the year may sit on a line of its own in a cover page: 「江苏省某厅 / 年部门预算 / 2019」
    r"(?:(?:(?:19|20)\d{2}\s*)?年度?\s*)?"
    r"(?:(?:部门|单位)(?:预算|决算)(?:公开|情况说明|报告)?|(?:预算|决算)(?:公开|情况说明|报告))")
# a budget table's own title: 「2019年政府采购预算表」, 「2018年度部门预算收支总表」
_TABLE_TITLE_YEAR = regex.compile(r"^\s*((?:19|20)\d{2})\s*年度?\s*\p{Han}{0,16}?(?:预算|决算)", regex.M)
_BUDGET_WORDS = ("部门预算", "预算公开", "收支预算总表", "部门决算", "决算公开")


def document_unit(text: str) -> str | None:
    """The spending unit of a budget document: a `部门：…` header field, or the title
    (`江苏省委办公厅2019年度部门预算公开`, a title wrapped over two lines included)."""
    lines = _head(text)
    for line in lines:
        m = _DEPARTMENT_FIELD.search(line)
        if m:
            return m.group("u")
    title = "".join(" ".join(lines[:2]).split())
    m = _BUDGET_TITLE.search(title)
    return m.group("u") if m else None


def budget_document_year(text: str) -> int | None:
    """The year of a budget document whose head does not state it, from the titles of its
    tables (the most frequent one; a note such as 「无2017年政府性基金支出」 is not a title)."""
    years = Counter(int(m.group(1)) for m in _TABLE_TITLE_YEAR.finditer(text))
    return years.most_common(1)[0][0] if years else None


def is_budget_document(text: str) -> bool:
    """A departmental budget or final account (预算公开, 收支预算总表 …), not a target table."""
    head = "".join("".join(_head(text)).split())
    return any(word in head for word in _BUDGET_WORDS)
