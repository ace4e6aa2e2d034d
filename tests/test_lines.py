"""extractor/lines.py: the character tests that let a reader be skipped."""

from extractor import lexicon, lines


def test_every_word_holds_a_hitting_char() -> None:
    words = ["数量指标", "数量", "质量", "时效", "成本指标", "满意度"]
    chars = lines.hitting_chars(words)
    assert all(any(ch in word for ch in chars) for word in words)
    assert len(chars) < len(words)


def test_char_test_over_the_lexicon() -> None:
    lex = lexicon.load()
    for vocabulary in (lex.columns, [*lex.level1, *lex.level2]):
        test = lines.char_test(vocabulary)
        assert all(test.search(word) for word in vocabulary)
    assert lines.char_test(lex.columns).search("覆盖行政村的人口") is None
