"""Vocabulary from `extractor/data/`, loaded once per process.

Code elsewhere asks the lexicon; it never lists unit, operator or heading words itself.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import regex

from extractor.errors import DataFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

UNIT_KINDS = {"count", "money", "rate", "measure", "duration"}
OPERATORS = {"=", "≥", "≤", ">", "<", "≈"}
SCALE_WORDS = ("万", "亿", "千")


@dataclass(frozen=True)
class UnitDef:
    name: str
    kind: str
    surfaces: tuple[str, ...]
    scale: bool
    divisor: bool
    decimals: int | None = None  # most decimals a value in this unit is written with
    fraction: bool = False  # the value may be a fraction of one (0.97比例 = 97%)


@dataclass(frozen=True)
class Lexicon:
    units: dict[str, UnitDef]  # surface (incl. 万-scaled forms) → definition
    scaled_names: dict[str, str]  # surface → canonical name with its scale word (万人次)
    operator_symbols: dict[str, str]
    operator_prefix: dict[str, str]
    operator_suffix: dict[str, str]
    operator_column: dict[str, str]
    operator_ocr: dict[str, str]  # OCR stand-ins for a sign (292% is ≥92%, 工90%)
    level1: dict[str, str]  # surface → class
    level2: dict[str, str]
    level2_parent: dict[str, str]
    columns: dict[str, str]  # header surface → role
    fields: dict[str, str]  # header-block surface → field
    words: dict[str, tuple[str, ...]]  # small word lists (word_lists.toml)
    implied_units: dict[str, str]  # name keyword → the unit a bare number has (units.toml)

    def canonical_unit(self, surface: str) -> tuple[str, str] | None:
        """`万人次` → ("万人次", "count"); `㎡` → ("平方米", "measure")."""
        definition = self.units.get(surface)
        if definition is None:
            return None
        return self.scaled_names.get(surface, definition.name), definition.kind


def read_toml(name: str) -> dict:
    """A data file of extractor/data, parsed; a clear error when it is missing or broken."""
    try:
        text = resources.files("extractor.data").joinpath(name).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"extractor/data/{name}: {exc}") from exc


def _load_units(data: dict) -> tuple[dict[str, UnitDef], dict[str, str]]:
    units: dict[str, UnitDef] = {}
    scaled: dict[str, str] = {}
    for i, entry in enumerate(data.get("unit", [])):
        name, kind = entry.get("name"), entry.get("kind")
        if not name or kind not in UNIT_KINDS:
            raise DataFileError(
                f"extractor/data/units.toml: unit #{i + 1} needs a name and a kind in "
                f"{sorted(UNIT_KINDS)}"
            )
        surfaces = (name, *entry.get("aliases", []))
        # counts are whole numbers unless the data says otherwise (1.7名 is item 1 + 7名)
        decimals = entry.get("decimals", 0 if kind == "count" else None)
        definition = UnitDef(name, kind, surfaces, bool(entry.get("scale")),
                             bool(entry.get("divisor")), decimals, bool(entry.get("fraction")))
        for surface in surfaces:
            if surface == name and surface in units and units[surface].name == name:
                continue  # a second entry for one unit: only its aliases differ (比例 for %)
            if surface in units:
                raise DataFileError(f"extractor/data/units.toml: '{surface}' defined twice")
            units[surface] = definition
    for definition in list(units.values()):
        if not definition.scale:
            continue
        for word in SCALE_WORDS:
            for surface in definition.surfaces:
                if not surface.isascii() and word + surface not in units:
                    units[word + surface] = definition
                    scaled[word + surface] = word + definition.name
    return units, scaled


def _invert(table: dict[str, list[str]], file: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, surfaces in table.items():
        for surface in surfaces:
            if surface in out and out[surface] != key:
                raise DataFileError(f"extractor/data/{file}: '{surface}' names two classes")
            out[surface] = key
    return out


def _check_operators(table: dict[str, str], section: str) -> dict[str, str]:
    for surface, op in table.items():
        if op not in OPERATORS and op != "qualitative":
            raise DataFileError(
                f"extractor/data/operators.toml [{section}] '{surface}': '{op}' is not one of "
                f"{sorted(OPERATORS)}"
            )
    return dict(table)


@cache
def load() -> Lexicon:
    unit_data = read_toml("units.toml")
    units, scaled = _load_units(unit_data)
    ops = read_toml("operators.toml")
    heads = read_toml("headings.toml")
    words = read_toml("word_lists.toml")
    return Lexicon(
        units=units,
        scaled_names=scaled,
        operator_symbols=_check_operators(ops["symbols"], "symbols"),
        operator_prefix=_check_operators(ops["prefix"], "prefix"),
        operator_suffix=_check_operators(ops["suffix"], "suffix"),
        operator_column=_check_operators(ops["column"], "column"),
        operator_ocr=_check_operators(ops.get("ocr", {}), "ocr"),
        level1=_invert(heads["level1"], "headings.toml"),
        level2=_invert(heads["level2"], "headings.toml"),
        level2_parent=dict(heads["level2_parent"]),
        columns=_invert(heads["columns"], "headings.toml"),
        fields=_invert(heads["fields"], "headings.toml"),
        words={k: tuple(v) for k, v in words.items()},
        implied_units=dict(unit_data.get("implied", {})),
    )


def alternation(surfaces: list[str] | tuple[str, ...]) -> str:
    """A regex alternation, longest surface first so that 人次 wins over 人."""
    ordered = sorted(set(surfaces), key=lambda s: (-len(s), s))
    return "|".join(regex.escape(s) for s in ordered)


def any_word(words: Iterable[str]) -> re.Pattern[str]:
    """One compiled alternation for `any(w in text for w in words)`: `.search(text)` is
    true exactly when one of the words occurs (no words: never). The standard library's
    `re`: for plain words it matches as `regex` does, and skips the positions no word can
    start at, where `regex` tries every word (2.5–4× faster on these lists)."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ordered) if ordered else r"(?!)")


def alternation_tree(surfaces: list[str] | tuple[str, ...]) -> str:
    """The same language as `alternation`, tried in the same order, factored by common
    prefixes (人(?:次|口)?…): the surfaces that match at a position are prefixes of one another,
    so both forms try them longest first, but the tree tests each character once instead of
    trying hundreds of surfaces one by one (the quantity pattern's 400 units)."""
    tree: dict[str, dict] = {}
    for surface in set(surfaces):
        node = tree
        for ch in surface:
            node = node.setdefault(ch, {})
        node[""] = {}  # a surface ends here
    return _branches(tree)


def _branches(node: dict[str, dict]) -> str:
    branches = [regex.escape(ch) + _branches(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # where a surface ends here, a longer one is tried first and the end after it
    return f"(?:{body})?" if "" in node else body
