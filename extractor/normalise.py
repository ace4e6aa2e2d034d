"""Normalise source text for matching while keeping a map back to the source.

Every later stage reads `NormalizedText.text`; every record it builds takes its `text` from
the source through `to_source`, so what a reviewer sees is verbatim.

One-for-one rewrites (traditional → simplified, full-width → half-width, operator glyphs)
keep positions; length-changing ones (`>=` → `≥`, pinyin residue `績(jì)效`, letter-spaced
`产 出 指 标`, invisible characters) are recorded as segments of the offset map.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, count

import regex

# Full-width ASCII block → ASCII, ideographic space → space; operator look-alikes that
# Word fonts and CMSs put in tables → the canonical glyphs.
_ONE_FOR_ONE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_ONE_FOR_ONE.update({
    0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
    ord("≧"): ord("≥"), ord("≦"): ord("≤"), ord("═"): ord("="), ord("﹦"): ord("="),
    ord("﹤"): ord("<"), ord("﹥"): ord(">"), ord("×"): ord("×"), ord("╳"): ord("×"),
    ord("〜"): ord("~"), ord("―"): ord("—"), ord("–"): ord("-"), ord("﹣"): ord("-"),
    ord("−"): ord("-"), ord("．"): ord("."), ord("‰"): ord("‰"),
})
# str.translate looks every character up in the dict; the few that change are found by one
# scan instead (a run at a time, so that a text all in full-width forms stays one call a run)
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_ONE_FOR_ONE)) + "]+")

_PINYIN = r"[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\d?"
# (a lookbehind stands after the character it needs, so that the scan tries it only there)
_REWRITES = regex.compile(
    r"(?P<ge>>=|=>)|(?P<le><=|=<)"
    rf"|(?P<pinyin>\((?<=\p{{Han}}\(){_PINYIN}\))"
    r"|(?P<invisible>[\u200b\u200c\u200d\u2060\ufeff\u00ad\r])"
    # 指 标 broken by a space when a cell was flattened (效益指 标, 满意度指 标)
    r"|(?P<split_word>[ \t](?<=指[ \t])[ \t]*)(?=标)"
    # a template's placeholder left in the name: 满意度(≥**%), 人数（≥**人）
    r"|(?P<template>[(（]\s*(?:[≥≤<>=]|>=|<=)?\s*\*+\s*[%\p{Han}]{0,2}\s*[)）])"
)
# three or more single Han characters separated by single spaces: a letter-spaced heading
_LETTER_SPACED = regex.compile(r"(?<![\p{Han}\w])\p{Han}(?: \p{Han}){2,}(?![\p{Han}\w])")
_REPLACEMENT = {"ge": "≥", "le": "≤", "pinyin": "", "invisible": "", "template": "",
                "split_word": ""}


@dataclass
class NormalizedText:
    """`text` for matching; `to_source` maps its offsets back to the source string."""

    source: str
    text: str
    _norm_starts: list[int]
    _src_starts: list[int]
    _norm_lens: list[int]
    _src_lens: list[int]

    # per segment, where it ends in the text and the shift of what follows it: to_source is
    # asked for every value and name, so each of its ends is one bisection and a sum
    _norm_ends: list[int] = field(init=False, repr=False, compare=False)
    _shifts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._norm_ends = list(map(operator.add, self._norm_starts, self._norm_lens))
        src_ends = map(operator.add, self._src_starts, self._src_lens)
        self._shifts = list(map(operator.sub, src_ends, self._norm_ends))

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        # segments are rewritten pieces; between them the text is copied one for one. A start
        # inside a segment maps to the segment's start; an end inside it (or at its end) to
        # its end, an end at its start to its start
        starts = self._norm_starts
        if not starts:
            return start, end
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0:
            start = self._src_starts[i] if start < self._norm_ends[i] else start + self._shifts[i]
        j = bisect.bisect_right(starts, end - 1) - 1
        if j >= 0:
            if end > self._norm_ends[j]:
                end += self._shifts[j]
            else:
                end = self._src_starts[j] + (self._src_lens[j] if end > starts[j] else 0)
        return start, end

    def source_text(self, start: int, end: int) -> str:
        s, e = self.to_source(start, end)
        return self.source[s:e]


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def to_simplified(text: str) -> str:
    """Traditional → simplified, one character for one so that offsets survive."""
    if text.isascii():
        return text
    # OpenCC works on UTF-8 bytes, so a lone surrogate (possible in a Python str, never in a
    # decoded file) would raise; U+FFFD keeps the one-for-one length.
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c2 := _converter().convert(c)) != 1 else c2 for c in text)


def normalise(source: str) -> NormalizedText:
    text = to_simplified(_TRANSLATED.sub(_one_for_one, source))
    edits = sorted(_edits(text))
    pieces: list[str] = []
    norm_starts: list[int] = []
    src_starts: list[int] = []
    norm_lens: list[int] = []
    src_lens: list[int] = []
    last = out_len = 0
    for start, end, replacement in edits:
        if start < last:  # overlapping edits: the first one wins
            continue
        pieces.append(text[last:start])
        out_len += start - last
        norm_starts.append(out_len)
        src_starts.append(start)
        norm_lens.append(len(replacement))
        src_lens.append(end - start)
        pieces.append(replacement)
        out_len += len(replacement)
        last = end
    pieces.append(text[last:])
    return NormalizedText(source, "".join(pieces), norm_starts, src_starts, norm_lens, src_lens)


def _one_for_one(run: re.Match[str]) -> str:
    return run.group().translate(_ONE_FOR_ONE)


def _edits(text: str) -> list[tuple[int, int, str]]:
    edits = [(m.start(), m.end(), _REPLACEMENT[m.lastgroup or ""])
             for m in _REWRITES.finditer(text)]
    for m in _LETTER_SPACED.finditer(text):
        edits.extend((m.start() + i, m.start() + i + 1, "")
                     for i, c in enumerate(m.group()) if c == " ")
    edits.extend((i, i + 1, "") for i in hard_wraps(text))
    edits.extend((s, e, "") for s, e in vertical_breaks(text))
    return edits


# A header cell printed one or two characters per line (年度 / 总体 / 目标, 绩 / 效 / 指 / 标):
# the pieces are rejoined when together they make a known header, field or label.
# One scan of `re` finds the lines of one or two characters (any piece line is one), and only
# those are asked whether they are pieces; a run is piece lines one after the other.
_SHORT_LINE = re.compile(r"(?m)^[ \t]*[^ \t\n]{1,2}[ \t]*$")
_PIECE = regex.compile(r"[ \t]*\p{Han}{1,2}[ \t]*")


def vertical_breaks(text: str) -> list[tuple[int, int]]:
    """Spans (a line break and the blanks around it) between the pieces of a vertical header."""
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for m in _SHORT_LINE.finditer(text):
        if not _PIECE.fullmatch(m.group()):
            continue
        if run and m.start() != run[-1][1] + 1:
            out.extend(_joins(text, run))
            run = []
        run.append(m.span())
    out.extend(_joins(text, run))
    return out


def _joins(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(run) < 2:
        return []
    words = _header_words()
    joined = "".join(text[s:e].strip() for s, e in run)
    if joined not in words:
        return []
    out = []
    for (s, e), (ns, ne) in zip(run, run[1:], strict=False):
        piece, following = text[s:e], text[ns:ne]
        out.append((s + len(piece.rstrip(" \t")), ns + len(following) - len(following.lstrip(" \t"))))
    return out


@cache
def _header_words() -> frozenset[str]:
    from extractor import lexicon

    lex = lexicon.load()
    return frozenset((*lex.columns, *lex.fields, *lex.level1, *lex.level2,
                      *lex.words["table_labels"]))


# A PDF converted to text breaks a paragraph wherever its column ended: every line of the
# block then has about the same width, and a sentence (or a word: 资金支付及 / 时率) runs on
# into the next line.
_WRAP_MIN_WIDTH = 30
_WRAP_SLACK = 8
_WRAP_MIN_LINES = 2
_NO_WRAP_AFTER = "。！？!?；;"
_LIST_START = regex.compile(r"\s*(?:\d{1,2}[.、．]|[一二三四五六七八九十]{1,3}、|[(（]|第|[①-⑳])")


# A block: at least _WRAP_MIN_LINES + 1 lines one after the other, each with some text (`\S`
# of `re` is what str.strip keeps), no cell border (| or tab) and at most two spaces; one scan
# finds them all, where a Python step per line would look at every line of a table.
_WRAP_LINE = r"(?=[^\n]*?\S)[^ |\t\n]*(?: [^ |\t\n]*){0,2}"
_WRAP_BLOCK = re.compile(rf"(?m)^{_WRAP_LINE}(?:\n{_WRAP_LINE}){{{_WRAP_MIN_LINES},}}$")


def hard_wraps(text: str) -> list[int]:
    """Offsets of the line breaks inside hard-wrapped paragraphs."""
    out: list[int] = []
    for m in _WRAP_BLOCK.finditer(text):
        out.extend(_block_wraps(text, m.start(), m.group().split("\n")))
    return out


def _block_wraps(text: str, start: int, lines: list[str]) -> list[int]:
    """The wraps in the block of `lines` that begins at `start`."""
    widths = [_width(line) for line in lines]
    full = max(widths)
    if full < _WRAP_MIN_WIDTH:
        return []
    # line k ends after the k + 1 first lines and the k breaks between them
    ends = map(operator.add, accumulate(map(len, lines)), count(start))
    breaks = [e for e, w, following in zip(ends, widths, lines[1:], strict=False)
              if w >= full - _WRAP_SLACK and text[e - 1] not in _NO_WRAP_AFTER
              and not _LIST_START.match(following)]
    return breaks if len(breaks) >= _WRAP_MIN_LINES else []


_NARROW = re.compile("[^\u2e80-\uffef]+")
def _width(line: str) -> int:
    """Display width: a CJK (wide) character counts two."""
    line = line.strip()
    return len(line) + len(_NARROW.sub("", line))  # what is left: the wide characters
