"""The document summary of `indicators tag` (SCHEMA.md "Document summary"): counts, shares,
findings by code and severity, and the expenditure function classes (`domains`)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import regex

from extractor import lexicon
from extractor.records import DocumentResult

_PROJECT_WEIGHT = 3  # a word in a project's name says more than one in an indicator
_MIN_SHARE = 0.15  # classes holding less of the evidence are noise


def summarise(result: DocumentResult) -> dict[str, Any]:
    return Summary().add(result).summary()


class Summary:
    """A document's summary built from its results: one, or one per section of a large text
    (extractor.pipeline.extract_sections), whose counts are summed; the same fields either way."""

    def __init__(self) -> None:
        self.first: DocumentResult | None = None
        self.projects: list[dict[str, Any]] = []
        self.indicators = self.quantitative = self.vague = 0
        self.level1: Counter[str] = Counter()
        self.level2: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.domains: Counter[str] = Counter()
        self.kind = self.budget_year = self.unit = None

    def add(self, result: DocumentResult) -> Summary:
        """Count one result in; the document's kind, year and unit are the first section's that
        has one (a section without a table says less than one with)."""
        inds = result.indicators
        self.first = self.first or result
        if self.kind in (None, "unknown", "free_text") and result.kind not in ("unknown", "free_text"):
            self.kind = result.kind
        self.budget_year = self.budget_year or result.budget_year
        self.unit = self.unit or result.unit
        self.projects += [p.to_dict() for p in result.projects]
        self.indicators += len(inds)
        self.quantitative += sum(not i.qualitative for i in inds)
        self.vague += sum(i.vague for i in inds)
        self.level1.update(i.level1 or "unlabelled" for i in inds)
        self.level2.update(i.level2 or "unlabelled" for i in inds)
        self.codes.update(f.code for f in result.findings)
        self.severities.update(f.severity for f in result.findings)
        self.domains.update(_domain_scores(result))
        return self

    def summary(self) -> dict[str, Any]:
        if self.first is None:
            raise ValueError("a summary needs at least one result")
        n, unit = self.indicators, self.unit
        return {
            "doc": self.first.doc,
            "status": "ok",
            "error": None,
            "kind": self.kind or self.first.kind,
            "budget_year": self.budget_year,
            "unit": {"code": unit.code, "name": unit.name} if unit else None,
            "projects": self.projects,
            "indicators": n,
            "by_level1": dict(self.level1),
            "by_level2": dict(self.level2),
            "quantitative_share": round(self.quantitative / n, 4) if n else None,
            "vague_share": round(self.vague / n, 4) if n else None,
            "findings": {"by_code": dict(self.codes), "by_severity": dict(self.severities)},
            "domains": _shares(self.domains),
        }


def error_summary(doc: str, reason: str, message: str) -> dict[str, Any]:
    return {"doc": doc, "status": "error", "error": message, "reason": reason, "kind": None,
            "budget_year": None, "unit": None, "projects": [], "indicators": 0,
            "by_level1": {}, "by_level2": {}, "quantitative_share": None, "vague_share": None,
            "findings": {"by_code": {}, "by_severity": {}}, "domains": []}


@cache
def _domain_patterns() -> dict[str, regex.Pattern[str]]:
    """One alternation per class of domains.toml: a single search instead of a test per word."""
    return {name: regex.compile("|".join(regex.escape(w) for w in table["words"]))
            for name, table in lexicon.read_toml("domains.toml").items() if table.get("words")}


def domains(result: DocumentResult) -> list[dict[str, Any]]:
    """Classes with their share of the keyword evidence, strongest first."""
    return _shares(_domain_scores(result))


def _domain_scores(result: DocumentResult) -> Counter[str]:
    texts = [(p.name, _PROJECT_WEIGHT) for p in result.projects if p.name]
    if result.unit:
        texts.append((result.unit.name, _PROJECT_WEIGHT))
    texts += [(g.text, 1) for g in result.goals]
    texts += [(i.text, 1) for i in result.indicators]
    scores: Counter[str] = Counter()
    for text, weight in texts:
        for name, words in _domain_patterns().items():
            if words.search(text):
                scores[name] += weight
    return scores


def _shares(scores: Counter[str]) -> list[dict[str, Any]]:
    total = sum(scores.values())
    if not total:
        return []
    return [{"class": name, "confidence": round(score / total, 3)}
            for name, score in scores.most_common() if score / total >= _MIN_SHARE]
