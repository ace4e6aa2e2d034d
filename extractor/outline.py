"""Headings, labels and numbered items.

`Labels` recognises indicator class names (a table cell, a heading in prose, a bracketed
`【产出指标-数量指标】`) and keeps the current first/second level as a document reads on.
`split_items` cuts a run of free text into numbered items under those headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import regex

from extractor import lexicon, lines
from extractor.clauses import trim

NUMBERING = (r"(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十]{1,3}[)）]"
             r"|[(（]\d{1,2}[)）]|\d{1,2}[、.](?!\d)|[①-⑳]|目标[一二三四五六七八九十\d]{1,2}[:：]?)")
# a score annotation of a heading or a score cell: (50分), 30分), (0-20)分, (10)
# (never started inside a whitespace run: from each of its blanks the run would be scanned
# again, which is quadratic on a long gap; the leftmost match starts at the run's first blank)
SCORE_MARK = regex.compile(r"(?:[(（]|(?<!\s)|(?!\s))"
                           r"(?:\s*\d{1,3}(?:-\d{1,3})?\s*分\s*[)）]?|\s*\d{1,3}\s*[)）])")
ANNOTATION = r"(?:\s*(?:[(（][^()（）\n≥≤=<>%]{0,14}[)）]|★+|☆+|\*+))*"
# linear on long whitespace runs: whitespace taken possessively, annotations atomically (none
# can be given back to the colon and spaces after them), and the trailing part tried only at
# the start of a whitespace run (\G: where the leading part stopped) — otherwise every position
# of a run rescans the rest of it in several ways (cubic time)
# (the trailing part starts with a blank, a bracket, a star or a colon, or at the end: the
# lookahead refuses every other position before the annotations are tried there)
_CLEAN_CELL = regex.compile(rf"^\s*+(?:{NUMBERING})?\s*+"
                            rf"|(?:\G|(?<!\s))(?=[\s(（★☆*:：]|$)(?>{ANNOTATION})\s*+[:：]?\s*+$")
_SPACES = regex.compile(r"\s+")


@dataclass(slots=True)
class Heading:
    text: str
    start: int
    end: int
    level1: str | None
    level2: str | None


@dataclass(slots=True)
class Item:
    start: int  # offsets into the text given to split_items
    end: int
    marker: str | None
    path: list[str]
    level1: str | None
    level2: str | None
    empty: bool = False


@dataclass
class LevelState:
    level1: str | None = None
    level2: str | None = None
    path: list[str] = field(default_factory=list)

    def apply(self, level1: str | None, level2: str | None, text: str) -> None:
        lex = lexicon.load()
        if level1:
            self.level1, self.level2 = level1, None
            self.path = [text]
            if level1 in ("satisfaction",):
                self.level2 = "satisfaction"
        if level2:
            parent = lex.level2_parent[level2]
            if not _fits(self.level1, level2, parent):
                self.level1 = parent
                self.path = self.path[:0]
            self.level2 = level2
            self.path = [*self.path[:1], text] if level1 is None else [text]
        if level1 and level2:
            self.path = [text]


def _fits(level1: str | None, level2: str, parent: str) -> bool:
    if level1 == parent:
        return True
    return level2 == "cost" and level1 in ("output", "cost")


def clean_label(cell: str) -> str:
    return _SPACES.sub("", _CLEAN_CELL.sub("", cell))
_DASH = regex.compile(r"[-—－]")
_MISSPELT_END = "指标"  # a word ending so may be a misspelt label (_misspelt_label)


@cache
def _label_chars() -> re.Pattern[str]:
    """A few characters of which every label holds one (extractor/lines.py); a cell without
    any is answered before the costly clean_label (its pattern is tried at every position)."""
    lex = lexicon.load()
    return lines.char_test([*lex.level1, *lex.level2, _MISSPELT_END])


@cache
def _label_ends() -> frozenset[str]:
    """The characters a cell that names a label can end with: a label's last character, or
    what clean_label cuts off the end (an annotation's bracket or stars, a colon)."""
    lex = lexicon.load()
    return frozenset({w[-1] for w in (*lex.level1, *lex.level2, _MISSPELT_END)} | set(")）★☆*:："))


def classify_label(cell: str) -> tuple[str | None, str | None]:
    """(level1, level2) that a whole cell names; (None, None) when it is not a label."""
    # clean_label keeps a cell's last character unless it is a blank or one of _label_ends
    # (or empties the cell): a cell ending otherwise (most items: `…≥95%。`) names no label,
    # and is answered before the cache
    if not cell or (cell[-1] not in _label_ends() and not cell[-1].isspace()):
        return None, None
    return _classify_label(cell)


@lru_cache(maxsize=8192)
def _classify_label(cell: str) -> tuple[str | None, str | None]:
    if _label_chars().search(cell) is None:
        return None, None
    lex = lexicon.load()
    word = clean_label(cell)
    if not word:
        return None, None
    if "-" in word or "—" in word or "－" in word:
        parts = _DASH.split(word, maxsplit=1)
        l1, l2 = lex.level1.get(parts[0]), lex.level2.get(parts[1])
        if l1 and l2:
            return l1, l2
    # both set for 成本指标 and 满意度指标: the caller decides by position
    found = lex.level1.get(word), lex.level2.get(word)
    if found == (None, None) and word.endswith(_MISSPELT_END):
        return _misspelt_label(word)
    return found


@cache
def _label_skeletons() -> dict[str, tuple[str | None, str | None]]:
    lex = lexicon.load()
    out: dict[str, tuple[str | None, str | None]] = {}
    for word in (*lex.level1, *lex.level2):
        if word.endswith("指标") and len(word) >= 4:
            for i in range(len(word) - 2):
                out.setdefault(word[:i] + "?" + word[i + 1:], (lex.level1.get(word),
                                                                lex.level2.get(word)))
    return out


def _misspelt_label(word: str) -> tuple[str | None, str | None]:
    """A category label with one character mistyped before 指标 (日效指标 for 时效指标), or
    with 性 added (时效性指标)."""
    word = word.replace("性指标", "指标")
    if len(word) < 4:
        return None, None
    skeletons = _label_skeletons()
    for i in range(len(word) - 2):
        found = skeletons.get(word[:i] + "?" + word[i + 1:])
        if found:
            return found
    return None, None


@cache
def label_surfaces() -> tuple[str, ...]:
    """Category labels that end in 指标 (数量指标, 社会效益指标): they name a category
    wherever they stand in a run of text, not only at the start of a line."""
    lex = lexicon.load()
    return tuple(s for s in (*lex.level1, *lex.level2) if s.endswith("指标"))


@cache
def _heading_pattern() -> regex.Pattern[str]:
    lex = lexicon.load()
    strong = [s for s in (*lex.level1, *lex.level2) if len(s) >= 3]
    weak = [s for s in (*lex.level1, *lex.level2) if len(s) < 3]
    strong_alt, weak_alt = lexicon.alternation(strong), lexicon.alternation(weak)
    return regex.compile(
        rf"(?P<bracket>【(?P<b1>[^【】\n]{{2,24}})】)"
        # a start inside a whitespace run is refused at once (the run's first position, or
        # where the previous match stopped, \G, gives the same match) and the run is taken
        # possessively: otherwise every position of a long run rescans the rest of it, each
        # with a lookbehind over it too (cubic time)
        rf"|(?:(?P<marker>{NUMBERING})|\G|(?<!\s))\s*+(?<![\p{{Han}}])(?P<alias>{strong_alt}"
        rf"|(?<=(?:{NUMBERING})\s*)(?:{weak_alt}))"
        rf"(?P<annot>{ANNOTATION})"
        rf"(?=\s*(?:[:：,，;；。.]|\s|$|\d{{1,2}}[.、]|[(（][一二三四五六七八九十\d]|【))"
        rf"\s*[:：,，。]?"
    )


@cache
def _heading_anchor() -> regex.Pattern[str]:
    """Where a heading's core can stand: a 【, or a category surface that no Han character
    precedes (the heading pattern refuses an alias after one)."""
    lex = lexicon.load()
    return regex.compile(r"【|(?<!\p{Han})(?:" + lexicon.alternation([*lex.level1, *lex.level2]) + ")")


# the longest NUMBERING marker (目标十二：, （十二三）) is 5 characters
_MARKER_REACH = 6


def _heading_matches(text: str) -> list[regex.Match[str]]:
    r"""_heading_pattern().finditer(text), with the pattern tried only near the places where a
    heading can stand (it is costly at every position of a long line). A match holds an
    anchor, and before it only its marker and whitespace: the search starts before the next
    anchor by that much (never inside a whitespace run, where \G would accept a start that
    the whole-text search does not), so it finds the same next match."""
    anchors = [m.start() for m in _heading_anchor().finditer(text, overlapped=True)]
    if not anchors:
        return []
    pattern = _heading_pattern()
    out: list[regex.Match[str]] = []
    pos, i = 0, 0
    while True:
        while i < len(anchors) and anchors[i] < pos:
            i += 1
        if i == len(anchors):
            return out
        q = _back_over_space(text, anchors[i], pos)
        q = _back_over_space(text, max(pos, q - _MARKER_REACH), pos)
        m = pattern.search(text, q)
        if m is None:
            return out
        out.append(m)
        pos = m.end()


def _back_over_space(text: str, q: int, floor: int) -> int:
    while q > floor and text[q - 1].isspace():
        q -= 1
    return q


def find_headings(text: str) -> list[Heading]:
    if "【" not in text and _label_chars().search(text) is None:
        return []  # every heading holds a 【 or a category surface
    return [Heading(*h) for h in _headings(text)]  # fresh records: callers may change them


# (text, start, end, level1, level2) of a Heading
_HeadingFields = tuple[str, int, int, str | None, str | None]


@lru_cache(maxsize=4096)
def _headings(text: str) -> tuple[_HeadingFields, ...]:
    """find_headings' answer for a text that passed its test. Memoised: a document repeats
    its heading lines (一、产出指标, (一)数量指标 under every project), and the heading
    pattern is the costliest search of a line."""
    out = []
    for m in _heading_matches(text):
        if m.group("bracket"):
            l1, l2 = classify_label(m.group("b1"))
            if not (l1 or l2):
                continue
        else:
            l1, l2 = classify_label(m.group("alias"))
        heading_text = text[m.start():m.end()].strip().rstrip(":：,，").strip()
        out.append(Heading(heading_text, m.start(), m.end(), l1, l2))
    return tuple((h.text, h.start, h.end, h.level1, h.level2) for h in _resolve_ambiguous(out))


def _resolve_ambiguous(headings: list[Heading]) -> list[Heading]:
    """A name that is both a first and a second level (成本指标, 满意度指标): first level
    when the next heading is a second level of the same family, else second level."""
    lex = lexicon.load()
    for i, h in enumerate(headings):
        if h.level1 and h.level2 and "-" not in h.text and "【" not in h.text:
            nxt = headings[i + 1] if i + 1 < len(headings) else None
            if h.level1 == "satisfaction":
                h.level2 = "satisfaction"
            elif nxt and nxt.level2 and not nxt.level1 and \
                    lex.level2_parent.get(nxt.level2) == h.level1:
                h.level2 = None
            else:
                h.level1 = None
    return headings


_ITEM_MARK = regex.compile(
    # every marker starts with one of these characters: the lookahead refuses any other
    # position at once, before the alternatives and their lookbehinds are tried there
    r"(?=[\d指①-⑳(（])"
    r"(?:(?<=^|[\s,，;；。:：、])(?P<num>\d{1,2})(?:[.、．](?!\d)|[.、．](?=\d)|(?=[\p{Han}“\"《(（]))"
    r"|(?P<zhibiao>指标\s*(?P<zn>\d{1,2})\s*[:：])"
    r"|(?<=^|[\s,，;；。])(?P<circled>[①-⑳])"
    r"|(?<=^|[\s,，;；。])[(（](?P<pn>\d{1,2})[)）])"
)
# every item marker holds a digit or a circled number: a region without one has no marker
_MARK_HINT = regex.compile(r"[\d①-⑳]")
_FILLER = regex.compile(r"^[\s,，;；。:：、.．]*$")


def split_items(text: str, state: LevelState, base: int = 0,
                headings: list[Heading] | None = None) -> list[Item]:
    """Items of a free-text run; `state` carries the levels across calls (lines).
    `headings`: find_headings(text), when the caller has it already."""
    items: list[Item] = []
    if headings is None:
        headings = find_headings(text)
    if not headings:  # most lines: one region, the whole text
        return _region_items(text, 0, len(text), state, base)
    bounds = [(h.start, h.end) for h in headings]
    regions = []
    cursor = 0
    for h, (s, e) in zip(headings, bounds, strict=True):
        regions.append((cursor, s, None))
        regions.append((s, e, h))
        cursor = e
    regions.append((cursor, len(text), None))
    for s, e, heading in regions:
        if heading is not None:
            state.apply(heading.level1, heading.level2, heading.text)
            continue
        items.extend(_region_items(text, s, e, state, base))
    return items


def _region_items(text: str, start: int, end: int, state: LevelState, base: int) -> list[Item]:
    marks = _markers(text, start, end)
    out: list[Item] = []
    pieces = []
    if not marks or (marks[0][0] > start and not _FILLER.match(text[start:marks[0][0]])):
        first_end = marks[0][0] if marks else end
        pieces.append((start, first_end, None))
    for i, (ms, me, label) in enumerate(marks):
        piece_end = marks[i + 1][0] if i + 1 < len(marks) else end
        pieces.append((me, piece_end, (ms, me, label)))
    for ps, pe, mark in pieces:
        s, e = trim(text, ps, pe)
        if s >= e:
            if mark is not None:
                out.append(Item(base + mark[0], base + mark[1], mark[2], list(state.path),
                                state.level1, state.level2, empty=True))
            continue
        out.append(Item(base + s, base + e, mark[2] if mark else None, list(state.path),
                        state.level1, state.level2))
    return out


def _markers(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Item markers in order, keeping only a consistent 1, 2, 3 … sequence for digits."""
    out: list[tuple[int, int, str]] = []
    if not _MARK_HINT.search(text, start, end):
        return out
    expected = 1
    for m in _ITEM_MARK.finditer(text, start, end):
        # the groups by position, in one call (a name is looked up slowly)
        num, _, _, _, pn = m.groups()
        ms, me = m.span()
        marker = m.group().strip()
        if num:
            n = int(num)
            at_start = ms == start or _FILLER.match(text[start:ms]) is not None
            undotted = marker == num
            if undotted and not (n == 1 and at_start and _bare_marker_ok(text, me)):
                continue
            # a line of its own may carry any number (items one per line: `2.` then text),
            # but `2.5万元` at a line start is an amount, not item 2
            glued = me < len(text) and text[me].isdigit()
            if n != expected and not (at_start and (n == 1 or not glued)):
                continue
            expected = n + 1
        elif pn:
            if int(pn) != expected:
                continue
            expected += 1
        out.append((ms, me, marker))
    return out


def _bare_marker_ok(text: str, pos: int) -> bool:
    """`1按时间发放` is item 1; `1次培训` is an amount; `1年内` is item 1 + 年内."""
    if text.startswith("年内", pos):
        return True
    return not _unit_prefix().match(text, pos)


@cache
def _unit_prefix() -> regex.Pattern[str]:
    return regex.compile(lexicon.alternation(list(lexicon.load().units)))


def prepare() -> None:
    """Builds the patterns and word sets before the first document needs them."""
    for build in (_label_chars, _label_ends, _label_skeletons, label_surfaces, _heading_pattern,
                  _heading_anchor, _unit_prefix):
        build()
