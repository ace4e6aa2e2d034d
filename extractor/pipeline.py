"""The extract pipeline: read → normalise → outline/layout → extract values → records."""

from __future__ import annotations

from pathlib import Path

from extractor import checks, classify, context, indicators, layout
from extractor.errors import ReadError
from extractor.limits import MEMORY_PER_BYTE
from extractor.normalise import normalise
from extractor.readers import Source, from_text, read_path
from extractor.records import DocumentResult, EmptyItem, GoalBlock, MoneyRow, Organisation, Span


def load_source(source: str | Path | bytes, name: str | None = None) -> Source:
    if isinstance(source, Path):
        return read_path(source, name)
    if isinstance(source, bytes):
        from extractor.readers import read_bytes

        return read_bytes(source, name or "<bytes>")
    if "\n" not in source and len(source) < 1024 and _is_file(source):
        return read_path(Path(source), name)
    return from_text(source, name or "<text>")


def extract_document(source: str | Path | bytes, name: str | None = None,
                     config: checks.Config | None = None, memory_mb: int | None = None) -> DocumentResult:
    """`memory_mb`: the memory the caller allows; a text that would need more (MEMORY_PER_BYTE)
    is refused before the work starts, so that it fails alone and at once."""
    src = load_source(source, name)
    if memory_mb is not None:
        _check_size(src, memory_mb)
    normal = normalise(src.text)
    year = context.budget_year(normal.text)
    found = layout.walk(normal.text)
    records = indicators.build(src.name, normal, found.candidates, year)
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


def _check_size(src: Source, memory_mb: int) -> None:
    size = len(src.text.encode("utf-8", "replace"))
    need_mb = size * MEMORY_PER_BYTE // 2**20
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
