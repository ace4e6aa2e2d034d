"""The documentation shipped with the product: `indicators rules`, `indicators rule CODE` and
`indicators fields`, rendered from the rules' own declarations and extractor/data/labels.toml.

`rule CODE` runs the rule's example (its test fixture) and prints the findings it gives, so
what the page shows is what the code does today.
"""

from __future__ import annotations

import inspect
import textwrap
import unicodedata
from typing import IO

import regex

from extractor.checks import RULES
from extractor.checks.base import Rule, families
from extractor.labels import field_doc, label, table

_RULES_MD_ID = regex.compile(r"^(R\d\d)\b")


def rules_md_id(rule: type[Rule]) -> str:
    """The RULES.md id (R05) the docstring opens with, or ''."""
    found = _RULES_MD_ID.match(inspect.getdoc(rule) or "")
    return found.group(1) if found else ""


def find_rule(name: str) -> type[Rule] | None:
    """A rule by its code or its RULES.md id (R05)."""
    return next((r for r in RULES if name in (r.code, rules_md_id(r))), None)


def unknown_code_message(name: str) -> str:
    import difflib

    known = [r.code for r in RULES]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"rule {name!r}: no such code{hint} (`indicators rules` lists them)"


def write_rules(out: IO[str]) -> None:
    """Every registered rule, in RULES.md order: id, code, Chinese name, severity, family."""
    names = families()
    ordered = sorted(RULES, key=lambda r: rules_md_id(r) or r.code)
    width = max(len(r.code) for r in ordered)
    for rule in ordered:
        severity = f"{label('severity', rule.severity)}({rule.severity})"
        family = f"{names[rule.family]}({rule.family})"
        out.write(f"{rules_md_id(rule):<4} {rule.code:<{width}}  {_pad(severity, 15)} "
                  f"{_pad(family, 26)} {rule.title}\n")
    out.write(f"\n{len(ordered)} rules. `indicators rule CODE` explains one; "
              "--select/--ignore take codes and families.\n")


def write_rule(rule: type[Rule], out: IO[str]) -> None:
    from extractor.pipeline import extract_document

    out.write(f"{rule.code} — {rule.title}\n")
    out.write(f"RULES.md {rules_md_id(rule)} · {families()[rule.family]} ({rule.family}) · "
              f"默认严重程度：{label('severity', rule.severity)} ({rule.severity})\n\n")
    _section(out, "检查内容 What it flags", _description(rule))
    _section(out, "为什么是问题 Why", rule.why)
    _section(out, "示例 Example (the rule's test fixture)", rule.example)
    found = [f for f in extract_document(rule.example, "example").findings if f.code == rule.code]
    _section(out, "检查结果 What `indicators check` says about it",
             "\n".join(f"{label('severity', f.severity)} 「{_short(f.text)}」 {f.message}\n"
                       f"  建议：{f.suggestion}" for f in found))
    _section(out, "建议写法 Better", rule.better)


def write_fields(out: IO[str]) -> None:
    """The record fields with their Chinese names, every enum's labels, and the classes."""
    out.write("指标记录字段 Record fields (SCHEMA.md; `extract` writes them in English)\n\n")
    for name in table()["fields"]:
        zh, meaning = field_doc(name)
        out.write(f"  {name:<13}{_pad(zh, 10)}{meaning}\n")
    for enum in ("level1", "level2", "field", "label_source", "severity", "kind", "quantity_kind"):
        out.write(f"\n{enum}\n")
        for value, zh in table()[enum].items():
            out.write(f"  {value:<18}{zh}\n")  # the label ends the line: no padding
    out.write("\n指标分类 Indicator classes (一级/二级)\n")
    for value, doc in table()["class_doc"].items():
        out.write(f"  {value:<18}{_pad(label('level2', value), 16)}{doc}\n")


def _description(rule: type[Rule]) -> str:
    doc = inspect.getdoc(rule) or ""
    return _RULES_MD_ID.sub("", doc).lstrip(": ")


def _section(out: IO[str], title: str, body: str) -> None:
    out.write(f"{title}\n{textwrap.indent(body.rstrip(), '    ')}\n\n")


def _short(text: str, limit: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _pad(text: str, width: int) -> str:
    """Pad to `width` terminal columns (a CJK character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)
