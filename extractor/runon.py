"""Numbered items in a flattened table: a whole self-evaluation table printed on one line.

A spreadsheet or a Word table exported to a web page often loses its cells: one run-on
line holds the headers, the category labels and every row as `指标1:居民健康档案 38508人
37442人 3 3 指标2:…`. The items are found by their `指标N:` markers. In an item the name
runs up to the first value or header word; the first value after it is the target, and
what follows (actual values, scores) is left out. Category labels between items
(`质量指标`) file the items after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from extractor import lexicon, quantities
from extractor.outline import SCORE_MARK, label_surfaces

_ITEM = regex.compile(r"指标\s*\d{1,2}\s*[:：]")
_MIN_ITEMS = 3
_VALUE_START = regex.compile(
    r"(?:[≥≤<>=]|不少于|不低于|不超过|不高于|大于等于|小于等于|约)?\s*\d[\d,.]*\s*(?:%|\p{Han}{1,3})?(?=\s|$)")
_TOKEN = regex.compile(r"\S+")


@dataclass(frozen=True)
class Label:
    start: int
    end: int


@dataclass(frozen=True)
class Item:
    marker: tuple[int, int]
    name: tuple[int, int] | None  # None: nothing after the marker (an empty item)
    target: tuple[int, int] | None  # None: the value stands elsewhere in the line (unread)


def is_runon(line: str) -> bool:
    """A line with several numbered items and no cell borders."""
    return "|" not in line and "\t" not in line and len(_ITEM.findall(line)) >= _MIN_ITEMS


def parse(line: str, start: int) -> list[Label | Item]:
    """Labels and items of a run-on line, in order; offsets are `start` + position."""
    labels = [(m.start(), m.end()) for m in _labels().finditer(line)]
    markers = [(m.start(), m.end()) for m in _ITEM.finditer(line)]
    bounds = sorted([*labels, *markers])
    out: list[Label | Item] = []
    for i, (s, e) in enumerate(bounds):
        if (s, e) in labels:
            out.append(Label(start + s, start + e))
            continue
        limit = bounds[i + 1][0] if i + 1 < len(bounds) else len(line)
        name, target = _item(line, e, limit)
        out.append(Item((start + s, start + e), _shift(name, start), _shift(target, start)))
    return out


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int] | None:
    return (span[0] + by, span[1] + by) if span else None


def _item(line: str, s: int, e: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    name_end = None
    value_start = None
    tokens = list(_TOKEN.finditer(line, s, e))
    word_value = None
    for i, tok in enumerate(tokens):
        if _VALUE_START.fullmatch(tok.group()) or _VALUE_START.match(tok.group()) and \
                _is_value_run(line, tok.start(), e):
            value_start = tok.start()
            break
        if name_end is not None and _is_word_value(tokens, i):
            word_value = (tok.start(), tok.end())  # a qualitative target (及时 及时)
            break
        if _is_header_word(tok.group()) or SCORE_MARK.match(tok.group()):
            break
        name_end = tok.end()
    if name_end is None:
        return None, None
    name = (s + len(line[s:name_end]) - len(line[s:name_end].lstrip()), name_end)
    if value_start is None:
        return name, word_value
    found = quantities.scan(line[value_start:e])
    if not found or found[0].span is None or found[0].span.start != 0:
        return name, None
    return name, (value_start, value_start + found[0].span.end)


def _is_word_value(tokens: list[regex.Match[str]], i: int) -> bool:
    word = tokens[i].group()
    repeated = i + 1 < len(tokens) and tokens[i + 1].group() == word
    return repeated or word in lexicon.load().words["pass_fail_values"]


def _is_value_run(line: str, pos: int, end: int) -> bool:
    """`不少于12 种`: an operator and a number whose unit stands apart."""
    found = quantities.scan(line[pos:end])
    return bool(found) and found[0].span is not None and found[0].span.start == 0


@cache
def _header_words() -> frozenset[str]:
    lex = lexicon.load()
    return frozenset((*lex.columns, *lex.level1, *lex.level2, *lex.words["table_labels"],
                      *lex.words["runon_stop_words"]))


def _is_header_word(token: str) -> bool:
    return token in _header_words()


@cache
def _labels() -> regex.Pattern[str]:
    return regex.compile(lexicon.alternation(label_surfaces()))


def prepare() -> None:
    """Builds the patterns and word sets before the first document needs them."""
    _header_words()
    _labels()
