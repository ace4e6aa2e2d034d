"""Segmentation: one private jieba tokenizer for the whole process, with our user dictionary.

jieba's module-level tokenizer is process-wide state shared with every other user; we keep
our own `jieba.Tokenizer` so that loading our dictionary changes nobody else's cuts, and we
build it once (its dictionary load costs about a second) and only when a caller needs words:
extraction itself does not segment. The spaCy component (`extractor.spacy_component`) uses
this one instance; the truncated-text rule cuts with the same words and frequencies through
`extractor.wordtable`, which reads them from a cache built from this tokenizer.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from typing import Any


@cache
def tokenizer() -> Any:
    """The process's jieba tokenizer (a `jieba.Tokenizer` with extractor/data/userdict.txt)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary load at DEBUG on stderr
    private = jieba.Tokenizer()
    private.initialize()
    userdict = resources.files("extractor.data").joinpath("userdict.txt")
    with resources.as_file(userdict) as path:
        private.load_userdict(str(path))
    return private


def words(text: str, hmm: bool = True) -> list[str]:
    """The words of `text`, in order, empty cuts dropped; `"".join(words(t)) == t`."""
    return [w for w in tokenizer().cut(text, HMM=hmm) if w]


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for `text`."""
    found, offset = [], 0
    for word in words(text):
        found.append((word, offset, offset + len(word)))
        offset += len(word)
    return found
