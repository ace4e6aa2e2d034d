"""Character tests that tell, before a reader runs, that it cannot find anything in a line.

A reader looks for words of a vocabulary (column headers, category labels, funding keys).
Each word holds at least one of a few characters (标 for 数量指标, 量 for 数量 …); a line with
none of them holds none of the words, so the reader is skipped. One character-class search
is far cheaper than the word alternation, and than cleaning the line first: cleaning drops
characters (spaces, numbering, annotations) and adds none, so the test holds for the cleaned
text too. The class is a `re` pattern: a class of literal characters finds the same in `re`
as in `regex`, at about half the cost of a call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable


def hitting_chars(words: Iterable[str]) -> str:
    """A small set of characters such that every word holds one (greedy: the character in
    most uncovered words first, ties to the lowest code point)."""
    uncovered = [w for w in set(words) if w]
    chosen: set[str] = set()
    while uncovered:
        counts = Counter(ch for word in uncovered for ch in set(word))
        best = max(sorted(counts), key=counts.__getitem__)
        chosen.add(best)
        uncovered = [word for word in uncovered if best not in word]
    return "".join(sorted(chosen))


def char_test(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds a character of `hitting_chars(words)`: no match, none of the words."""
    return re.compile("[" + re.escape(hitting_chars(words)) + "]")
