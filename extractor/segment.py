"""Segmentation: a spaCy `zh` pipeline over a private jieba tokenizer with our user
dictionary, built once per process and only when a caller needs tokens.

jieba's module-level tokenizer is process-wide state shared with every other user; we keep
our own `jieba.Tokenizer` so that loading our dictionary changes nobody else's cuts.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from typing import Any


class JiebaSegmenter:
    """A spaCy tokenizer: words from a private jieba instance, `Doc.text == text`."""

    def __init__(self, vocab: Any) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.vocab = vocab
        self.jieba = jieba.Tokenizer()
        userdict = resources.files("extractor.data").joinpath("userdict.txt")
        with resources.as_file(userdict) as path:
            self.jieba.load_userdict(str(path))

    def __call__(self, text: str) -> Any:
        from spacy.tokens import Doc

        words = [w for w in self.jieba.cut(text, HMM=True) if w]
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


@cache
def pipeline() -> Any:
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaSegmenter(nlp.vocab)
    return nlp


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for `text`."""
    doc = pipeline()(text)
    return [(t.text, t.idx, t.idx + len(t.text)) for t in doc]


def to_doc(result: Any) -> Any:
    """A spaCy Doc of a document's source text, with `doc.spans["indicators"]` and
    `doc.spans["quantities"]` carrying the records' source offsets (`alignment_mode` expand,
    as jieba's words may straddle a quantity's edge)."""
    doc = pipeline()(result.text)
    indicators, amounts = [], []
    for record in result.indicators:
        span = doc.char_span(record.span.start, record.span.end, alignment_mode="expand")
        if span is not None:
            indicators.append(span)
        for q in record.quantities:
            if q.span is not None:
                qs = doc.char_span(q.span.start, q.span.end, alignment_mode="expand")
                if qs is not None:
                    amounts.append(qs)
    doc.spans["indicators"] = indicators
    doc.spans["quantities"] = amounts
    return doc
