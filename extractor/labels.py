"""Chinese labels for record fields and enum values, from extractor/data/labels.toml.

Records keep SCHEMA.md's English values; reviewers' outputs (report.xlsx, the CSV's added
columns, `indicators fields`, the spaCy component's span labels) show these labels beside or
instead of them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from extractor.lexicon import tomllib


@cache
def table() -> dict[str, dict[str, str]]:
    text = resources.files("extractor.data").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def label(enum: str, value: Any) -> Any:
    """The Chinese label of `value` in `enum` (`label("level2", "quantity")` → 数量); a value
    the table does not know (None, a number, a new enum value) is returned as it is."""
    if isinstance(value, bool):
        return table()["boolean"]["true" if value else "false"]
    if not isinstance(value, str):
        return value
    return table().get(enum, {}).get(value, value)


def level_label(level1: str | None, level2: str | None) -> str | None:
    """产出/数量, 效益/社会效益, 满意度/服务对象满意度: the class as a reviewer reads it."""
    parts = [label("level1", level1) if level1 else None, label("level2", level2) if level2 else None]
    text = "/".join(p for p in parts if p)
    return text or None


def field_doc(name: str) -> tuple[str, str]:
    """(Chinese name, meaning) of a record field."""
    zh, _, meaning = table()["fields"][name].partition("｜")
    return zh, meaning
