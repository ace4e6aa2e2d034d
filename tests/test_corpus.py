"""The phrase corpus: format, class counts, and a split that no phrase straddles."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import corpus
from extractor.errors import DataFileError

ROOT = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def split() -> tuple[list[corpus.Phrase], list[corpus.Phrase]]:
    return corpus.split(corpus.load(ROOT))


def test_every_class_has_at_least_a_hundred_phrases_and_the_corpus_three_thousand(split) -> None:
    train, test = split
    assert len(train) + len(test) >= 3000
    for level2 in corpus.LEVEL2:
        assert sum(p.level2 == level2 for p in train + test) >= 100, level2


def test_no_phrase_or_near_copy_is_on_both_sides(split) -> None:
    train, test = split
    train_keys = {corpus.dedup_key(p.text) for p in train}
    test_keys = {corpus.dedup_key(p.text) for p in test}
    assert not train_keys & test_keys
    train_grams = [corpus.trigrams(k) for k in train_keys]
    for key in test_keys:
        own = corpus.trigrams(key)
        for other in train_grams:
            shared = len(own & other)
            assert shared / (len(own) + len(other) - shared) < corpus.NEAR_DUPLICATE, key


def test_the_split_is_fixed_by_the_text(split) -> None:
    again = corpus.split(list(reversed(corpus.load(ROOT))))
    assert {p.text for p in again[1]} ^ {p.text for p in split[1]} <= {
        p.text for p in split[0] + split[1]}  # only which twin of a key survives may differ
    assert abs(len(again[1]) - len(split[1])) <= 5


def test_phrases_never_name_their_class() -> None:
    heading_words = ("数量指标", "质量指标", "时效指标", "成本指标", "效益指标", "满意度指标", "产出指标")
    for phrase in corpus.read_phrases(ROOT / "phrases"):
        assert not any(w in phrase.text for w in heading_words), phrase


def test_a_malformed_phrase_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.tsv").write_text("text\tlevel2\tkind\n培训50人\tquantity\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="3 tab-separated"):
        corpus.read_phrases(tmp_path)
    (tmp_path / "x.tsv").write_text("text\tlevel2\tkind\n培训50人\toutput\tplain\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown class"):
        corpus.read_phrases(tmp_path)
