"""Flattened tables whose values were printed apart from their names.

A PDF table with merged cells often comes out of text extraction as one line of tokens in
column order, not row order: the header words, the category labels in the order their merged
cells were drawn, the indicator names, and then all the values in a separate run
(`=100% 100% 10 10 =100% 100% 20 20 …`). Nothing on the line ties a value to its name but
the order: the i-th name owns the i-th group of values, one value per value column of the
header (年度指标值, 实际完成值, 分值, 得分), and the i-th second-level label (数量指标,
质量指标, …) files the i-th name. The line is read that way only when the counts agree;
otherwise the names stand without values or labels rather than with guessed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import regex

from extractor import lexicon, quantities
from extractor.outline import SCORE_MARK, classify_label

# a table starts at its 一级指标/三级指标 header and ends at its total, its page number, the
# next table's title or the next header (see _end)
_HEADER = regex.compile(r"(?<!\S)(?:一级指标(?:\s+\S+){0,3}?\s+)?三级指标(?!\S)")
_TOKEN = regex.compile(r"\S+")
_HAN = regex.compile(r"\p{Han}")
_MIN_NAMES = 2


@dataclass(frozen=True)
class Row:
    name: tuple[int, int]
    target: tuple[int, int] | None  # None: no value could be paired with the name
    label: tuple[int, int] | None  # the second-level label that files the row


@dataclass
class Table:
    """The tokens of one displaced table, as offsets into its line."""

    start: int
    end: int
    names: list[tuple[int, int]] = field(default_factory=list)
    values: list[tuple[int, int]] = field(default_factory=list)
    labels: list[tuple[int, int]] = field(default_factory=list)  # second-level labels, in order
    columns: list[str] = field(default_factory=list)  # roles of the header's value columns
    label_count: int = 0  # labels of either level


def tables(line: str) -> list[Table]:
    """The displaced tables of a line (header to total): none unless the line has no cell
    borders, and a header with category labels and at least two names after it."""
    if "|" in line or "\t" in line:
        return []
    out = []
    heads = list(_HEADER.finditer(line))
    for i, m in enumerate(heads):
        limit = heads[i + 1].start() if i + 1 < len(heads) else len(line)
        end = _end().search(line, m.end(), limit)
        found = _read(line, m.start(), end.start() if end else limit)
        if len(found.names) >= _MIN_NAMES and found.label_count:  # not a header line alone
            out.append(found)
    return out


def rows(found: Table, base: int) -> list[Row]:
    """The rows of a table, offsets shifted by `base` (where its line starts)."""
    values = _paired_values(found)
    labels = found.labels if len(found.labels) == len(found.names) else [None] * len(found.names)
    return [Row(_shift(name, base), _shift(value, base), _shift(label, base))
            for name, value, label in zip(found.names, values, labels, strict=True)]


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int] | None:
    return (span[0] + by, span[1] + by) if span else None


def _paired_values(found: Table) -> list[tuple[int, int] | None]:
    """The target of each name: the first cell of its group of values, when the values fill
    one group per name (a total row's scores may follow)."""
    n, width = len(found.names), len(found.columns)
    if not width or "target" not in found.columns or not n * width <= len(found.values) < (n + 1) * width:
        return [None] * n
    at = found.columns.index("target")
    return [found.values[i * width + at] for i in range(n)]


def _read(line: str, start: int, end: int) -> Table:
    found = Table(start, end)
    seen_level1: set[str] = set()
    tokens = list(_TOKEN.finditer(line, start, end))
    i = 0
    while i < len(tokens):
        tok, span, i = _next_token(tokens, i)
        kind = _kind(tok, seen_level1)
        if kind == "column":
            found.columns.append(_column_role(tok))
        elif kind == "value":
            found.values.append(span)
        elif kind == "label":
            found.label_count += 1
            level1, level2 = classify_label(tok)
            if level2 and (level1 is None or level1 == level2):
                found.labels.append(span)
            if level1:
                seen_level1.add(level1)
        elif kind == "name":
            found.names.append(span)
        elif kind == "fragment" and found.names and found.names[-1][1] == _previous_end(tokens, i):
            found.names[-1] = (found.names[-1][0], span[1])  # 与委托运营方合同完成 率
    if found.labels and _has_level1_twin(line, found.labels):
        found.labels = [s for s in found.labels if not _is_level1_surface(line[s[0]:s[1]])]
    return found


def _next_token(tokens: list[regex.Match[str]], i: int) -> tuple[str, tuple[int, int], int]:
    """One token, or a run of one-character tokens that spells a header word (绩 效 指 标)."""
    j = i
    while j < len(tokens) and len(tokens[j].group()) == 1 and _HAN.match(tokens[j].group()):
        j += 1
    if j - i >= 2 and "".join(t.group() for t in tokens[i:j]) in _header_words():
        return "".join(t.group() for t in tokens[i:j]), (tokens[i].start(), tokens[j - 1].end()), j
    return tokens[i].group(), (tokens[i].start(), tokens[i].end()), i + 1


def _previous_end(tokens: list[regex.Match[str]], i: int) -> int:
    """Where the token before the one just read ends (two back from `i`)."""
    return tokens[i - 2].end() if i >= 2 else -1


def _kind(tok: str, seen_level1: set[str]) -> str:
    if _column_role(tok):
        return "column"
    if tok in _header_words() or SCORE_MARK.fullmatch(tok):
        return "header"
    level1, level2 = classify_label(tok)
    if (level1 or level2) and tok.endswith("指标"):
        return "label"
    if level1 and not level2 and level1 not in seen_level1:
        return "label"  # 满意度 heads its class the first time, and names a row after that
    if _is_value(tok):
        return "value"
    if len(_HAN.findall(tok)) >= 2:
        return "name"
    return "fragment" if _HAN.fullmatch(tok) else "other"


def _is_value(tok: str) -> bool:
    words = lexicon.load().words
    if tok in words["pass_fail_values"] or tok in words["displaced_word_values"] or tok in ("—", "/"):
        return True
    if not _value_start().match(tok):
        return False
    # the whole token is one quantity: 0-6岁儿童健康管理数 starts with one and is a name
    found = quantities.scan(tok, allow_bare=True)
    return bool(found) and found[0].span is not None and (found[0].span.start, found[0].span.end) == (0, len(tok))


def _column_role(tok: str) -> str | None:
    role = lexicon.load().columns.get(tok)
    return role if role in ("target", "actual", "other") else None


def _has_level1_twin(line: str, labels: list[tuple[int, int]]) -> bool:
    """满意度指标 stands for both levels; next to 服务对象满意度指标 it is the first level."""
    texts = [line[s:e] for s, e in labels]
    return any(_is_level1_surface(t) for t in texts) and len(texts) > len(set(
        classify_label(t)[1] for t in texts))


def _is_level1_surface(text: str) -> bool:
    return text in lexicon.load().level1


@cache
def _value_start() -> regex.Pattern[str]:
    """An operator (from operators.toml), then a digit: a token that may be a quantity."""
    lex = lexicon.load()
    return regex.compile(rf"(?:{lexicon.alternation([*lex.operator_symbols, *lex.operator_prefix])})?\d")


@cache
def _end() -> regex.Pattern[str]:
    """Where a table stops: a total or a page number as a token of its own, a table title, or
    the deviation column of a self-evaluation printed after the rows."""
    words = lexicon.load().words
    return regex.compile(
        rf"(?<!\S)(?:{lexicon.alternation(words['total_rows'])}|-\s*\d{{1,3}}\s*-)(?!\S)"
        rf"|{lexicon.alternation([*words['table_title_marks'], *words['displaced_table_ends']])}")


@cache
def _header_words() -> frozenset[str]:
    lex = lexicon.load()
    return frozenset((*lex.columns, *lex.words["table_labels"], *lex.words["runon_stop_words"],
                      *lex.words["total_rows"]))


def prepare() -> None:
    """Builds the patterns and word sets before the first document needs them."""
    for build in (_value_start, _end, _header_words):
        build()
