"""spaCy integration (the `spacy` extra): a `budget_indicators` pipeline component and a
`zh` tokenizer on the process's private jieba with our dictionary.

    import spacy
    from extractor.spacy_component import blank_zh

    nlp = blank_zh()                      # spacy.blank("zh"), segmented by our jieba
    nlp.add_pipe("budget_indicators")     # found through the spacy_factories entry point
    doc = nlp(text)
    doc.spans["indicators"], doc.spans["findings"]

The component runs the same extraction and checks as `indicators extract` on `doc.text`
and puts each record and finding on the doc as a span (character offsets aligned outward
to jieba's words). Span labels: an indicator's class as a reviewer reads it (产出/数量), a
finding's code. Span extensions (getters, so that two spans over the same characters keep
their own values): `indicator_class`, `level1`, `target`, `deadline`, `flags`, `vague` on
indicators; `severity`, `message`, `suggestion` on findings. displaCy's span view shows them:
`displacy.render(doc, style="span", options={"spans_key": "indicators"})`.

spaCy's own `segmenter = "jieba"` uses jieba's global tokenizer, without our dictionary; the
tokenizer here is registered as `extractor.zh_jieba.v1` for configs that want it by name.
"""

from __future__ import annotations

import warnings
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from extractor import segment
from extractor.labels import level_label

_DATA = "budget_indicators"  # doc.user_data key: (start, end, label) → record or finding
INDICATOR_EXTENSIONS = ("indicator_class", "level1", "target", "deadline", "flags", "vague")
FINDING_EXTENSIONS = ("severity", "message", "suggestion")
_SOURCE = {"indicator_class": "level2"}


class JiebaTokenizer:
    """A spaCy tokenizer: the words of the process's private jieba tokenizer (our user
    dictionary), `doc.text == text`."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        segment.tokenizer()  # load the dictionary now, not on the first document

    def __call__(self, text: str) -> Doc:
        words = segment.words(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    # nothing to save: the dictionary ships with the package
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> JiebaTokenizer:
        return self

    def to_disk(self, _path: Any, **_: Any) -> None:
        return None

    def from_disk(self, _path: Any, **_: Any) -> JiebaTokenizer:
        return self


@registry.tokenizers("extractor.zh_jieba.v1")
def create_tokenizer() -> Any:
    def make(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab)
    return make


def blank_zh() -> Language:
    """A blank spaCy `zh` pipeline segmented by our jieba (no model to download)."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "extractor.zh_jieba.v1"}}})


class BudgetIndicators:
    """Fills doc.spans[spans_key] with indicator records and doc.spans[findings_key] with
    findings, from the extractor's own reading of `doc.text`."""

    def __init__(self, nlp: Language, name: str, spans_key: str, findings_key: str) -> None:
        self.name, self.spans_key, self.findings_key = name, spans_key, findings_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        from extractor.pipeline import extract_text

        result = extract_text(doc.text, "<spacy>")
        if result.text != doc.text:  # HTML or stray tags removed: the offsets are not doc's
            warnings.warn("budget_indicators: the text was cleaned before reading (HTML tags); "
                          "pass the plain text to get spans", RuntimeWarning, stacklevel=2)
            doc.spans[self.spans_key], doc.spans[self.findings_key] = [], []
            return doc
        data = doc.user_data.setdefault(_DATA, {})
        doc.spans[self.spans_key] = [
            s for s in (self._span(doc, data, r.span.start, r.span.end, level_label(r.level1, r.level2) or "指标",
                                   r.to_dict()) for r in result.indicators) if s is not None]
        doc.spans[self.findings_key] = [
            s for s in (self._span(doc, data, f.span.start, f.span.end, f.code, f.to_dict())
                        for f in result.findings if f.span is not None) if s is not None]
        return doc

    @staticmethod
    def _span(doc: Doc, data: dict, start: int, end: int, label: str, record: dict) -> Span | None:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            data[(span.start_char, span.end_char, label)] = record
        return span


def _register_extensions() -> None:
    """Getter extensions, set when the component is made (never at import, so importing this
    module changes no global spaCy state)."""
    for name in (*INDICATOR_EXTENSIONS, *FINDING_EXTENSIONS):
        if not Span.has_extension(name):
            Span.set_extension(name, getter=_getter(_SOURCE.get(name, name)))


def _getter(field: str) -> Any:
    def get(span: Span) -> Any:
        record = span.doc.user_data.get(_DATA, {}).get((span.start_char, span.end_char, span.label_))
        return None if record is None else record.get(field)
    return get


@Language.factory("budget_indicators", assigns=["doc.spans"],
                  default_config={"spans_key": "indicators", "findings_key": "findings"})
def make_component(nlp: Language, name: str, spans_key: str, findings_key: str) -> BudgetIndicators:
    return BudgetIndicators(nlp, name, spans_key, findings_key)
