"""The extract pipeline: read → normalise → outline/layout → extract values → records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

import regex

from extractor import checks, classify, context, gate, indicators, layout, lexicon
from extractor.errors import ReadError
from extractor.limits import MEMORY_PER_BYTE, SECTION_CHARS
from extractor.normalise import normalise
from extractor.readers import Source, from_text, read_path
from extractor.records import DocumentResult, EmptyItem, GoalBlock, MoneyRow, Organisation, RejectedCandidate, Span


def load_source(source: str | Path | bytes, name: str | None = None) -> Source:
    if isinstance(source, Path):
        return read_path(source, name)
    if isinstance(source, bytes):
        from extractor.readers import read_bytes

        return read_bytes(source, name or "<bytes>")
    if "\n" not in source and len(source) < 1024 and _is_file(source):
        return read_path(Path(source), name)
    if looks_like_path(source):  # `extract("typo.txt")` must not read the name as a document
        raise ReadError(source, "no such file (to extract text itself, use extractor.extract_text)",
                        "not_found")
    return from_text(source, name or "<text>")


# a one-line string naming a document: a known extension, or a path's opening
_PATH_LIKE = regex.compile(
    r"^(?:~?[/\\]|\.{1,2}[/\\]|[A-Za-z]:[/\\])[^\s/\\]\S*$"
    r"|^[^\t\n]{0,255}\.(?i:txt|tsv|md|csv|html?|mhtml?|xlsx?|xlsm|docx?|wps|rtf|pdf|zip|json|jsonl)$")


def looks_like_path(text: str) -> bool:
    """A string that can only be meant as a file name: one line ending in a document
    extension (`报表.xlsx`), or starting like a path (`/`, `./`, `~`, `C:\\`)."""
    return len(text) < 1024 and "\n" not in text and _PATH_LIKE.match(text.strip()) is not None


def extract_text(text: str, name: str = "<text>", config: checks.Config | None = None) -> DocumentResult:
    """A document given as its text (never read as a file name)."""
    return _extract(from_text(text, name), name, config)


def extract_document(source: str | Path | bytes, name: str | None = None,
                     config: checks.Config | None = None, memory_mb: int | None = None) -> DocumentResult:
    """A document from a Path, a path string, bytes, or (kept for callers that pass it) its
    text; a string that looks like a file name but names no file is a ReadError.
    `memory_mb`: the memory the caller allows; a text that would need more (MEMORY_PER_BYTE)
    is refused before the work starts, so that it fails alone and at once."""
    src = load_source(source, name)
    if memory_mb is not None:
        _check_size(src, memory_mb)
    return _extract(src, name, config)


def extract_sections(source: str | Path | bytes, name: str | None = None,
                     config: checks.Config | None = None, memory_mb: int | None = None) -> Iterator[DocumentResult]:
    """A document's results one section at a time, for callers that write records as they come
    (`indicators tag`, `extract`/`check`): a text up to SECTION_CHARS characters is one result,
    exactly `extract_document`'s; a longer one is read in sections that end where a new table
    begins (`section_bounds`), so that only one section's work is in memory at once. A section's
    spans point into the whole source, which is its result's `text`; its doc is the document's."""
    src = load_source(source, name)
    bounds = section_bounds(src.text)
    if memory_mb is not None:
        _check_size(src, memory_mb, bounds)
    if len(bounds) == 1:
        yield _extract(src, name, config)
        return
    config = config or checks.load_config()
    for start, end in bounds:
        part = _extract(replace(src, text=src.text[start:end]), name, config)
        yield _shifted(part, start, src.text)


def section_bounds(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """[start, end) of each section of a text: one past every `size` characters, at the first
    line after that mark that begins a table (`_next_table`); with none, the rest is one section:
    a section grows rather than cutting a table in two."""
    size = size or SECTION_CHARS
    bounds, start = [], 0
    while len(text) - start > size:
        cut = _next_table(text, start, start + size)
        if cut is None:
            break
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


# how far before a 项目名称 line its table's title may stand (the title, 单位, 年度 lines)
_TITLE_LOOKBACK = 400


def _next_table(text: str, start: int, mark: int) -> int | None:
    """Where the first table after `mark` begins: its title line (…绩效目标表), or its 项目名称
    line when no title stands just above it; past `start` in any case."""
    title, project = _title_line().search(text, mark), _project_line().search(text, mark)
    if project and (title is None or project.start() < title.start()):
        above = list(_title_line().finditer(text, max(start + 1, project.start() - _TITLE_LOOKBACK),
                                            project.start()))
        return above[-1].start() if above else project.start()
    return title.start() if title else None


@cache
def _title_line() -> regex.Pattern[str]:
    """A short line naming a table (word_lists.toml table_title_marks), not a cell of one."""
    marks = lexicon.alternation(lexicon.load().words["table_title_marks"])
    return regex.compile(rf"(?m)^[^\n|]{{0,60}}?(?:{marks})[^\n|]{{0,20}}$")


@cache
def _project_line() -> regex.Pattern[str]:
    """A line opening with a project's name field (headings.toml [fields] project_name)."""
    names = [s for s, f in lexicon.load().fields.items() if f == "project_name"]
    return regex.compile(rf"(?m)^[ \t|]*(?:{lexicon.alternation(names)})")


def _shifted(result: DocumentResult, offset: int, source: str) -> DocumentResult:
    """A section's result with its spans moved by the section's `offset` into the whole
    `source`; each object is moved once (an indicator's target is also among its quantities)."""
    seen: set[int] = set()

    def move(item: object) -> None:
        span = getattr(item, "span", None)
        if item is None or span is None or id(item) in seen:
            return
        seen.add(id(item))
        item.span = Span(span.start + offset, span.end + offset)  # type: ignore[attr-defined]

    for r in result.indicators:
        for item in (r, r.target, *r.quantities, r.deadline):
            move(item)
        for f in r.formulas:
            for item in (*f.factors, f.result):
                move(item)
        r.formulas = [replace(f, span=Span(f.span.start + offset, f.span.end + offset)) for f in r.formulas]
    for items in (result.findings, result.goals, result.money_rows, result.empty_items, result.rejected):
        for item in items:
            move(item)
    result.text = source
    return result


def _extract(src: Source, name: str | None, config: checks.Config | None) -> DocumentResult:
    normal = normalise(src.text)
    year = context.budget_year(normal.text)
    found = layout.walk(normal.text)
    admitted, rejected = gate.screen(normal.text, found.candidates)
    records = indicators.build(src.name, normal, admitted, year)
    for r in records:
        r.unit = found.unit
    classify.apply(records, year)
    empties = []
    for m in found.empty_items:
        s, e = normal.to_source(m.start, m.end)
        empties.append(EmptyItem(normal.source[s:e], Span(s, e), m.path, m.project))
    projects = [p for p in found.projects if p.name or p.amount is not None]
    unit = found.unit
    if unit is None and (name := context.document_unit(normal.text)):
        unit = Organisation(None, name)
    kind = _kind(found.kind, bool(records), normal.text)
    if year is None and kind == "budget_document":
        year = context.budget_document_year(normal.text)
    result = DocumentResult(src.name, src.text, year, unit, projects, records, empties, kind)
    explanations = gate.reasons()
    for r in sorted(rejected, key=lambda r: r.start):
        s, e = normal.to_source(r.start, r.end)
        result.rejected.append(RejectedCandidate(normal.source[s:e], Span(s, e), r.reason,
                                                 explanations[r.reason]))
    for start, end, project in found.goals:
        s, e = normal.to_source(start, end)
        result.goals.append(GoalBlock(normal.source[s:e], Span(s, e), project))
    for row in found.money_rows:
        s, e = normal.to_source(row.start, row.end)
        result.money_rows.append(MoneyRow(row.label, Span(s, e), row.total, row.fiscal, row.other,
                                          row.unit, row.is_sum, row.project))
    # findings are part of extraction: they set each record's `flags` and `vague`
    result.findings = checks.run(result, config or checks.load_config())
    return result


def _check_size(src: Source, memory_mb: int, bounds: list[tuple[int, int]] | None = None) -> None:
    """Refuse a text whose work would need more than `memory_mb`: the whole text's work, or,
    read in sections (`bounds`), the largest section's work and the whole text held beside it."""
    sizes = [len(src.text[s:e].encode("utf-8", "replace")) for s, e in bounds or [(0, len(src.text))]]
    size = sum(sizes)
    need_mb = (max(sizes) * MEMORY_PER_BYTE + (size if len(sizes) > 1 else 0)) // 2**20
    if need_mb > memory_mb:
        raise ReadError(src.name, f"{size / 2**20:.1f} MB of text needs about {need_mb:,} MB of memory, over "
                                  f"the {memory_mb:,} MB guard (raise --memory-mb to read it)", "too_large")


def _kind(layout_kind: str, has_records: bool, text: str) -> str:
    if has_records or layout_kind != "unknown":
        return layout_kind
    return "budget_document" if context.is_budget_document(text) else "free_text"


def _is_file(candidate: str) -> bool:
    try:
        return Path(candidate).is_file()
    except (OSError, ValueError):  # a name too long or with NUL bytes is text, not a path
        return False
