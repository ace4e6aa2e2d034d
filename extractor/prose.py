"""Targets stated in report and news prose.

Self-evaluation reports, budget explanations and news articles state a table's targets in
sentences: a section titled 项目绩效目标 or 绩效指标完成情况分析, a sentence cue (主要绩效目标
包括…, 在产出指标方面，要求…), labels inside a sentence (设1条数量指标：…；设1条质量指标：…),
or a statement line (`建设占地面积:指标值为“约12000平方米”`).
This module finds those spans in lines the table walk did not take; the layout walk reads
their measured clauses as goal prose. What a report says was achieved (`实际完成:…`) is cut
off the span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import regex

from extractor import lexicon
from extractor.outline import label_surfaces

_SECTION_MARK = r"(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[、.](?!\d))"
# whitespace runs taken possessively and a title starting at a non-space: otherwise every
# split of a long run between the mark, the title and the line's end is tried (quadratic)
_TITLE_LINE = regex.compile(rf"^\s*+{_SECTION_MARK}\s*+(?P<title>\S[^。;；]{{1,29}}?)[。.:：]?\s*+$")
_INLINE_TITLE = regex.compile(rf"^\s*+{_SECTION_MARK}\s*+(?P<title>\S[^。:：;；,，]{{1,39}})[。:：]")
_STATEMENT = regex.compile(
    r"(?P<name>[^\s:：,，;；。“”]{2,30})[:：]\s*(?:年度|预期)?(?:指标值|目标值)(?:为|是)?\s*"
    r"(?P<value>“[^”\n]{1,24}”|[^,，;；。\s]{1,16})")
_SENTENCE_END = re.compile(r"[。！？!?]")  # literal characters: `re` is the cheaper call


@dataclass(frozen=True)
class _Words:
    goal_titles: regex.Pattern[str]
    other_titles: regex.Pattern[str]
    cues: regex.Pattern[str]
    actual: regex.Pattern[str]
    labels: regex.Pattern[str]  # a category label inside a sentence: 数量指标：, 满意度指标:


@cache
def _words() -> _Words:
    data = lexicon.read_toml("prose.toml")

    def pattern(key: str) -> regex.Pattern[str]:
        return regex.compile(lexicon.alternation(data[key]))

    labels = [*label_surfaces(), *data["label_words"]]
    cues = regex.compile(rf"(?:{lexicon.alternation(data['target_cues'])})"
                         r"(?:包括|主要有|主要是|如下|为|是)?\s*[:：,，]?")
    return _Words(pattern("goal_title_words"), pattern("other_title_words"), cues,
                  pattern("actual_cues"),
                  regex.compile(rf"(?:{lexicon.alternation(labels)})\s*[:：]"))


def target_spans(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of `text` that state targets, among `lines` ((start, end) of prose lines in
    order, which the table walk left alone)."""
    words = _words()
    spans: list[tuple[int, int]] = []
    in_goal_section = False
    for start, end in lines:
        line = text[start:end]
        title = _TITLE_LINE.match(line)
        if title:
            in_goal_section = _is_goal_title(title.group("title"), words)
            continue
        inline = _INLINE_TITLE.match(line)
        body = start
        goal_here = in_goal_section
        if inline:
            goal_here = _is_goal_title(inline.group("title"), words)
            body = start + inline.end()
        if goal_here or len(words.labels.findall(text, body, end)) >= 2:
            spans.append((body, _before_actuals(text, body, end, words)))
            continue
        spans.extend(_statements(text, body, end) or _cued(text, body, end, words))
    return [(s, e) for s, e in spans if s < e]


def _is_goal_title(title: str, words: _Words) -> bool:
    return bool(words.goal_titles.search(title)) and not words.other_titles.search(title)


def _before_actuals(text: str, start: int, end: int, words: _Words) -> int:
    m = words.actual.search(text, start, end)
    return m.start() if m else end


def _statements(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`名称:指标值为“…”` lines: the name and the quoted target, without what follows."""
    if text.find("标值", start, end) < 0:  # 指标值 / 目标值: the pattern cannot match
        return []
    return [(m.start("name"), m.end("value")) for m in _STATEMENT.finditer(text, start, end)]


def _skip_space(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _cued(text: str, start: int, end: int, words: _Words) -> list[tuple[int, int]]:
    """In each sentence with a target cue, or that opens with a category label
    (`成效指标：…`), what follows the cue."""
    out = []
    sentence_start = start
    # each sentence end, then the end of the line
    ends = [m.start() for m in _SENTENCE_END.finditer(text, start, end)]
    ends.append(end)
    for i in ends:
        cue = words.cues.search(text, sentence_start, i) or \
            words.labels.match(text, _skip_space(text, sentence_start, i), i)
        if cue:
            out.append((cue.end(), _before_actuals(text, cue.end(), i, words)))
        sentence_start = i + 1
    return out


def prepare() -> None:
    """Builds the patterns and word sets before the first document needs them."""
    _words()
