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
    inds = result.indicators
    n = len(inds)
    return {
        "doc": result.doc,
        "status": "ok",
        "error": None,
        "kind": result.kind,
        "budget_year": result.budget_year,
        "unit": {"code": result.unit.code, "name": result.unit.name} if result.unit else None,
        "projects": [p.to_dict() for p in result.projects],
        "indicators": n,
        "by_level1": dict(Counter(i.level1 or "unlabelled" for i in inds)),
        "by_level2": dict(Counter(i.level2 or "unlabelled" for i in inds)),
        "quantitative_share": round(sum(not i.qualitative for i in inds) / n, 4) if n else None,
        "vague_share": round(sum(i.vague for i in inds) / n, 4) if n else None,
        "findings": {
            "by_code": dict(Counter(f.code for f in result.findings)),
            "by_severity": dict(Counter(f.severity for f in result.findings)),
        },
        "domains": domains(result),
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
    total = sum(scores.values())
    if not total:
        return []
    return [{"class": name, "confidence": round(score / total, 3)}
            for name, score in scores.most_common() if score / total >= _MIN_SHARE]
