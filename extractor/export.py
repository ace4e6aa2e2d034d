"""Writers for indicator records: JSON Lines, JSON and CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

CSV_FIELDS = ["doc", "project", "field", "path", "level1", "level2", "label_source",
              "confidence", "name", "text", "operator", "value", "unit", "deadline_start",
              "deadline_end", "quantities", "qualitative", "vague", "flags", "start", "end"]


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_json(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    json.dump(list(records), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for r in records:
        writer.writerow(_flat(r))


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
