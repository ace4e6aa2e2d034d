"""The plausibility gate: a layout candidate becomes a record only if a reviewer would call
it an indicator.

Real pages put much around and inside a table that the layout walk can mistake for a row:
header cells broken across lines (`年度` / `指标值`), notes and scoring rules under the table,
page furniture and stamps, an evaluation's conclusions, a glossary, what a self-evaluation
achieved, a flattened row that ran on, the same cell repeated in a second column group.
Each test below names one of those; what it drops is kept with its reason, so that
`indicators extract --explain` can show why a line was not taken.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, count

import regex

from extractor import lexicon, lines
from extractor.clauses import trim
from extractor.layout import Candidate
from extractor.outline import NUMBERING, SCORE_MARK

_COMPACT_DROP = regex.compile(r"[\s\p{P}\p{S}]+")
_LEAD = regex.compile(rf"^\s*(?:{NUMBERING})\s*")
_SECTION = re.compile(r"^第[一二三四五六七八九十\d]{1,3}(?:部分|章|节)")
_VALUE_ONLY = regex.compile(r"^[约近超≥≤<>=]?[\d.,]+(?:万|亿|千)?\p{Han}{0,2}[%‰]?$")
# a text that stops inside a bracket or on a conjunction was cut off, not finished
_CUT = regex.compile(r"[(（][^)）]*$|[和及与或的并、]\s*$")
_GLOSSARY = regex.compile(r"^\S{2,20}?[:：]\s*(?:是)?指(?!标)")
_HAN = regex.compile(r"\p{Han}")
_DIGIT = regex.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")  # `re`: fewer cycles a call than `regex`
# a rate of five digits or more is cells glued together (40404010100%: 40 40 40 10 100%)
_GLUED_RATE = regex.compile(r"(?<![\d.])\d{5,}(?:\.\d+)?%")
_STRIP = " \t\n,，;；。:：、.．|"


@cache
def reasons() -> dict[str, str]:
    """Every reason the gate gives, with the words `extract --explain` prints for it."""
    return dict(_data()["reasons"])


@dataclass
class Rejected:
    """A candidate the gate did not let through: offsets into the normalised text."""

    start: int
    end: int
    reason: str  # a key of reasons()


@dataclass(frozen=True)
class _Vocabulary:
    header: re.Pattern[str]  # a whole compact text made of header words
    header_pieces: frozenset[str]  # every piece of up to four characters of a header word
    columns: frozenset[str]  # column headers and their values (定性, 好坏): never a row name
    note_starts: tuple[str, ...]
    prose: re.Pattern[str]
    any_word: re.Pattern[str]  # any word of `words`: most candidates have none
    words: regex.Pattern[str]  # scoring, furniture, prose and letter words: the group names the reason
    actual_starts: tuple[str, ...]
    max_chars: int
    funding: re.Pattern[str]
    totals: tuple[str, ...]
    title_ends: tuple[str, ...]
    long_header: re.Pattern[str]  # header words of three characters or more
    long_header_marks: re.Pattern[str]  # characters one of which each of those words holds
    header_words_in_row: int


@cache
def _data() -> dict:
    return lexicon.read_toml("gate.toml")


@cache
def _vocabulary() -> _Vocabulary:
    data = _data()["words"]
    lex = lexicon.load()
    words = {_compact(w) for w in data["header_words"]}
    words |= {_compact(w) for w in (*lex.columns, *lex.fields, *lex.level1, *lex.level2)}
    words |= {_compact(w) for w in lex.words.get("table_labels", ())}
    words.discard("")
    reasons = (("note", "scoring_words"), ("furniture", "furniture_words"),
               ("prose", "prose_words"), ("letter", "letter_words"))
    return _Vocabulary(
        header=re.compile(rf"(?:{lexicon.alternation(sorted(words))})+"),
        header_pieces=frozenset(w[i:j] for w in words for i in range(len(w))
                                for j in range(i + 1, min(len(w), i + 4) + 1)),
        columns=frozenset(_compact(w) for w in (*data["header_words"], *lex.columns)) - {""},
        note_starts=tuple(_compact(w) for w in data["note_starts"]),
        prose=_any(data["prose_words"]),
        any_word=_any([w for _, key in reasons for w in data[key]]),
        words=regex.compile("|".join(f"(?P<{reason}>{_any(data[key]).pattern})"
                                     for reason, key in reasons)),
        actual_starts=tuple(data["actual_starts"]),
        max_chars=int(data["max_chars"]),
        funding=_any(data["funding_words"]),
        totals=tuple(_compact(w) for w in lex.words.get("total_rows", ())),
        title_ends=tuple(data["title_ends"]),
        long_header=re.compile(lexicon.alternation([w for w in words if len(w) >= 3])),
        long_header_marks=re.compile(f"[{re.escape(lines.hitting_chars(w for w in words if len(w) >= 3))}]"),
        header_words_in_row=int(data["header_words_in_row"]),
    )


def _header_words_in_row(compact: str, vocab: _Vocabulary) -> bool:
    """Several long header words in one text: a header row run together. Matches do not
    overlap and each holds a mark, so a text with fewer marks than that cannot have them."""
    need = vocab.header_words_in_row
    return len(vocab.long_header_marks.findall(compact)) >= need and \
        len(vocab.long_header.findall(compact)) >= need


def _any(words: list[str]) -> re.Pattern[str]:
    return lexicon.any_word(_compact(w) or w for w in words)


def _compact(text: str) -> str:
    # no letter or digit is a blank, a punctuation mark or a symbol (checked over every code
    # point): a text of those only (a third of them: names, words) is its own compact form
    if text.isalnum():
        return text
    # the screen and its reasons compact the same candidate in turn; a long line is not kept
    return _compact_short(text) if len(text) <= 256 else _COMPACT_DROP.sub("", text)


@lru_cache(maxsize=8192)
def _compact_short(text: str) -> str:
    return _COMPACT_DROP.sub("", text)


def screen(text: str, candidates: list[Candidate]) -> tuple[list[Candidate], list[Rejected]]:
    """The candidates a reviewer would call indicators, and the others with their reason."""
    kept: list[Candidate] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, str | None, str | None, int, int | None]] = set()
    lines = _Lines(text)
    totals = _vocabulary().totals
    for c in candidates:
        s, e = c.start, c.end
        if s >= e or text[s] in _STRIP or text[e - 1] in _STRIP:  # most need no trimming
            s, e = trim(text, s, e, _STRIP)
            if s >= e:
                continue
        candidate = text[s:e]
        compact = _compact(candidate)  # once: the reasons, the key and the value test read it
        line_start = lines.start_of(s)
        # the head of the line decides the next two (a bounded slice: a line may be huge)
        head = text[line_start:min(e, line_start + _HEAD_CHARS)]
        if _colon_and_zhi(head) and _GLOSSARY.match(_LEAD.sub("", head).lstrip()):
            reason: str | None = "prose"  # any clause of a glossary entry (X：指…，…)
        elif _row_key(text, line_start, min(s, line_start + _HEAD_CHARS)):
            reason = "prose"  # a clause in the row of 存在问题 | …, 评价结论 | …
        else:
            name = text[c.name[0]:c.name[1]] if c.name else candidate.split("|", 1)[0]
            # whether it begins its row matters to a total row only
            row_start = compact.startswith(totals) and \
                (s == line_start or bool(_LINE_HEAD.fullmatch(text, line_start, s)))
            reason = _reason(candidate, compact, compact if name == candidate else _compact(name),
                             bool(c.level1 or c.level2), e >= lines.content_end, row_start)
        if reason is None:
            # a cell alone on its line repeats under one heading when column groups (中期/年度,
            # target/actual) were printed one cell per line; in a row of many cells the same
            # text in another row is another project's own indicator
            row = None if _alone_on_line(text, lines, line_start, s, e) else c.row
            key = (compact, c.level1, c.level2, id(c.project), row)
            if key in seen:
                reason = "repeated"
            elif kept and 0 <= s - kept[-1].end <= 2 and _beside_previous(text, kept[-1].end, s) \
                    and _VALUE_ONLY.match(compact):
                reason = "actual"  # a bare value glued after an indicator's target: its actual
        if reason is not None:
            rejected.append(Rejected(s, e, reason))
            continue
        seen.add(key)
        kept.append(c)
    return kept, rejected


_LINE_HEAD = regex.compile(r"[ \t|]*")
_HEAD_CHARS = 64
_BLANKISH = regex.compile(r"[\s\p{P}\p{S}]*")


def _row_key(text: str, line_start: int, start: int) -> bool:
    """The candidate stands in a row whose first cell names report prose (存在问题,
    评价结论, 改进措施): a clause of the conclusions, not of an indicator."""
    # the first cell ends at the first | or tab (the blanks before it would be compacted away)
    bar, tab = text.find("|", line_start, start), text.find("\t", line_start, start)
    end = min(bar, tab) if bar >= 0 and tab >= 0 else max(bar, tab)
    return end >= 0 and bool(_vocabulary().prose.search(_compact(text[line_start:end])))


def _beside_previous(text: str, previous_end: int, start: int) -> bool:
    """Glued or a space apart on one line (a comma would make it a clause of its own)."""
    return 0 <= start - previous_end <= 2 and not text[previous_end:start].strip(" ")


def _alone_on_line(text: str, lines: _Lines, line_start: int, start: int, end: int) -> bool:
    # most candidates follow a number or a cell on their line: the line's end is not needed
    head = text[line_start] if line_start < start else ""
    if "\u4e00" <= head <= "\u9fff" or "0" <= head <= "9":
        return False
    return bool(_BLANKISH.fullmatch(text, line_start, start) and
                _BLANKISH.fullmatch(text, end, lines.end_of(end)))


class _Lines:
    """Line bounds by bisection over the line breaks, found once (per-candidate scans would
    make a long line quadratic)."""

    def __init__(self, text: str) -> None:
        # the k-th break follows k breaks and the first k + 1 lines (no match object a line)
        lengths = accumulate(map(len, text.split("\n")[:-1]))
        self.breaks = list(map(operator.add, lengths, count()))
        self.length = len(text)
        self.content_end = len(text.rstrip(" \t|"))  # nothing but blanks after it

    def start_of(self, start: int) -> int:
        """Where the line holding `start` begins."""
        i = bisect.bisect_left(self.breaks, start)
        return self.breaks[i - 1] + 1 if i else 0

    def end_of(self, end: int) -> int:
        """Where the line holding `end` ends (its break, or the text's end)."""
        j = bisect.bisect_left(self.breaks, end)
        return self.breaks[j] if j < len(self.breaks) else self.length


def reject_reason(candidate: str, *, name: str | None = None, labelled: bool = True,
                  at_end: bool = False, row_start: bool = True) -> str | None:
    """Why `candidate` (one candidate's text; `name`, its name cell in a table) is not an
    indicator, or None when it may be. `labelled`: a category heading stands over it;
    `at_end`: nothing follows it in the document; `row_start`: it begins its line (a clause
    of an item does not: `…，合计12万元` is a sum inside an indicator, not a total row)."""
    return _reason(candidate, _compact(candidate), None if name is None else _compact(name),
                   labelled, at_end, row_start)


def _reason(candidate: str, compact: str, name: str | None, labelled: bool, at_end: bool,
            row_start: bool) -> str | None:
    """reject_reason's tests, given the compact candidate and name. Most candidates pass
    every test, so a test that needs a character the text lacks is skipped."""
    vocab = _vocabulary()
    if not _has_han(compact):
        return None  # a bare value: the record builder decides
    if len(compact) > vocab.max_chars or "%" in candidate and _GLUED_RATE.search(candidate):
        return "run_on"
    if _LATIN.search(compact) and len(_LATIN.findall(compact)) > len(_HAN.findall(compact)):
        return "foreign"
    if _is_header(candidate, compact, vocab) or (name is not None and name in vocab.columns):
        return "header"
    if compact.startswith("第") and _SECTION.match(compact) or len(compact) >= 9 and \
            _header_words_in_row(compact, vocab):
        return "header"
    if row_start and compact.startswith(vocab.totals):
        return "total"
    if compact.endswith(vocab.title_ends) and not _DIGIT.search(compact):
        return "title"
    if not labelled and vocab.funding.search(compact):
        return "funding"
    if not labelled and _VALUE_ONLY.match(compact):
        return "no_name"
    if at_end and not _DIGIT.search(compact) and _CUT.search(candidate):
        return "cut_off"
    if compact.startswith(vocab.note_starts):
        return "note"
    if vocab.any_word.search(compact) and (found := vocab.words.search(compact)):
        return found.lastgroup
    if _colon_and_zhi(candidate) and _GLOSSARY.match(candidate.strip()):
        return "prose"
    if candidate.lstrip().startswith(vocab.actual_starts):
        return "actual"
    return None


def _has_han(text: str) -> bool:
    # most texts begin with a CJK unified ideograph (U+4E00–U+9FFF, all of them Han): no scan
    return "\u4e00" <= text[:1] <= "\u9fff" or _HAN.search(text) is not None


def _colon_and_zhi(text: str) -> bool:
    """A glossary entry (X：指…) cannot do without a colon and a 指 that does not begin 指标
    (数量指标：… holds a colon and 指 too): most texts need no match."""
    return "指" in text and (":" in text or "：" in text) and text.count("指") > text.count("指标")


# the characters a numbering (outline.NUMBERING) can begin with among the ideographs
_NUMBERING_HAN = "一二三四五六七八九十目"


def _cannot_lead(text: str) -> bool:
    """A text opening with an ideograph no numbering begins with has no numbering to strip."""
    return "\u4e00" <= text[:1] <= "\u9fff" and text[0] not in _NUMBERING_HAN


def _is_header(candidate: str, compact: str, vocab: _Vocabulary) -> bool:
    """Header words only, once numbering and score annotations (`(50分)`) are gone; or a
    piece of a header word broken across lines (`益指标` of 经济效益指标)."""
    digits = _DIGIT.search(compact) is not None
    lead = None if _cannot_lead(candidate) else _LEAD.match(candidate)
    if digits and "分" not in compact and lead is None:
        return False  # a value: no header carries digits but its score and its number
    if digits:
        body = SCORE_MARK.sub("", candidate if lead is None else candidate[lead.end():])
    else:  # a score mark holds a digit
        body = candidate if lead is None else candidate[lead.end():]
    if body != candidate:  # else its compact text is the one given
        compact = _compact(body)
        digits = _DIGIT.search(compact) is not None
    if not compact:
        return True
    if digits:
        return False
    if vocab.header.fullmatch(compact):
        return True
    return compact in vocab.header_pieces
