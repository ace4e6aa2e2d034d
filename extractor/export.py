"""Writers for indicator and finding records: JSON Lines, JSON and CSV (UTF-8 with BOM for
Excel).

The CSV keeps its English columns (scripts read them) and adds Chinese-label columns after
them (中文 headers, 产出/数量, 表头/规则/模型, 是/否, 错误/警告/提示) for reviewers who open it in
Excel. The JSON records are SCHEMA.md's, unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from extractor.labels import label, level_label

CSV_FIELDS = ["doc", "project", "field", "path", "level1", "level2", "label_source",
              "confidence", "name", "text", "operator", "value", "unit", "deadline_start",
              "deadline_end", "quantities", "qualitative", "vague", "flags", "start", "end"]
# Chinese-label columns, added after the English ones: header → (enum, record key)
CSV_LABELS = {"来源": ("field", "field"), "一级指标": ("level1", "level1"),
              "二级指标": ("level2", "level2"), "分类依据": ("label_source", "label_source"),
              "定性": ("boolean", "qualitative"), "模糊": ("boolean", "vague")}
CSV_CLASS = "指标类别"  # 产出/数量: both levels in one column, as a reviewer filters them
FINDING_FIELDS = ["doc", "project", "severity", "code", "text", "message", "suggestion",
                  "evidence", "start", "end"]
FINDING_LABELS = ["严重程度", "问题名称"]


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_json(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    json.dump(list(records), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=[*CSV_FIELDS, CSV_CLASS, *CSV_LABELS])
    writer.writeheader()
    for r in records:
        row = _flat(r)
        row[CSV_CLASS] = level_label(r["level1"], r["level2"])
        row.update({head: label(enum, r[key]) for head, (enum, key) in CSV_LABELS.items()})
        writer.writerow(row)


def write_findings_csv(findings: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """One finding per row; evidence as JSON text; 严重程度 and 问题名称 in Chinese."""
    from extractor.checks import RULES

    titles = {r.code: r.title for r in RULES}
    writer = csv.DictWriter(out, fieldnames=[*FINDING_FIELDS, *FINDING_LABELS], extrasaction="ignore")
    writer.writeheader()
    for f in findings:
        writer.writerow({**f, "evidence": json.dumps(f.get("evidence", {}), ensure_ascii=False),
                         "严重程度": label("severity", f["severity"]),
                         "问题名称": titles.get(f["code"], f["code"])})


def _flat(r: dict[str, Any]) -> dict[str, Any]:
    target = r.get("target") or {}
    deadline = r.get("deadline") or {}
    project = r.get("project") or {}
    return {
        "doc": r["doc"], "project": project.get("name", ""), "field": r["field"],
        "path": " / ".join(r["path"]), "level1": r["level1"], "level2": r["level2"],
        "label_source": r["label_source"], "confidence": r["confidence"], "name": r["name"],
        "text": r["text"], "operator": target.get("operator"), "value": target.get("value"),
        "unit": target.get("unit"), "deadline_start": deadline.get("start"),
        "deadline_end": deadline.get("end"),
        "quantities": "; ".join(f"{q['operator']}{q['value']}{q['unit']}"
                                for q in r["quantities"]),
        "qualitative": r["qualitative"], "vague": r["vague"], "flags": " ".join(r["flags"]),
        "start": r["start"], "end": r["end"],
    }


WRITERS = {"jsonl": write_jsonl, "json": write_json, "csv": write_csv}
FINDING_WRITERS = {"jsonl": write_jsonl, "json": write_json, "csv": write_findings_csv}
