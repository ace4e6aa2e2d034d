"""The word table (extractor/wordtable.py): the same cuts and frequencies as jieba's own
dictionary, and a cache that survives damage and unwritable folders."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from extractor import lexicon, segment, wordtable
from extractor.checks.structure import TruncatedText, dangling_end, dangling_start, ends_complete

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus" / "samples", ROOT / "tests" / "fixtures"]


@pytest.fixture(scope="module")
def jieba_freq() -> dict[str, int]:
    return segment.tokenizer().FREQ


@pytest.fixture(scope="module")
def table() -> wordtable.WordTable:
    built = wordtable.table()
    assert built is not None  # the cache folder of this run is writable (conftest.py)
    return built


def corpus_lines() -> list[str]:
    lines = TruncatedText.example.splitlines()
    for folder in CORPORA:
        for path in sorted(folder.rglob("*.txt")):
            try:
                lines += path.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                continue
    return [line for line in lines if line.strip()]


def rule_windows() -> list[str]:
    """What the truncated-text rule cuts: the last and first 12 characters of a text."""
    return [w for line in corpus_lines() for cell in line.split("\t") if cell.strip()
            for w in (cell.rstrip()[-12:], cell.lstrip()[:12])]


def test_cuts_as_jieba_does_on_the_texts_the_rule_reads(table: wordtable.WordTable) -> None:
    tokenizer = segment.tokenizer()
    texts = rule_windows()
    rng = random.Random(7)
    lines = corpus_lines()
    for _ in range(2000):  # and arbitrary slices: Latin, digits, spaces, punctuation
        line = rng.choice(lines)
        start = rng.randrange(len(line))
        texts.append(line[start:start + rng.randint(1, 30)])
    texts += ["Wi-Fi覆盖率100%", "a b\r\nc", "培育节水用水示", "", "   ", "ＰＭ2.5浓度"]
    assert len(texts) > 3000
    for text in texts:
        assert table.cut(text) == list(tokenizer.cut(text, HMM=False)), text


def test_answers_as_jieba_dictionary_for_every_fragment_the_rule_asks_about(
        table: wordtable.WordTable, jieba_freq: dict[str, int]) -> None:
    fragments = {w[i:j] for w in rule_windows() for i in range(len(w)) for j in range(i + 1, len(w) + 1)}
    config = lexicon.read_toml("checks_structure.toml")["structure"]
    fragments |= set(config["dangling_end_chars"]) | set(config["dangling_start_chars"])
    fragments |= set(random.Random(3).sample(sorted(jieba_freq), 20000))
    for fragment in fragments:
        assert table.lookup(fragment) == jieba_freq.get(fragment), fragment


def test_the_rule_helpers_give_jieba_answers() -> None:
    config = lexicon.read_toml("checks_structure.toml")["structure"]
    assert dangling_end("培育节水用水示", config["dangling_end_chars"], config["free_end_chars"]) == "示"
    assert dangling_start("展各项活动", config["dangling_start_chars"], config["free_start_chars"]) == "展"
    assert ends_complete("培育节水用水示范户", config["free_end_chars"])


def test_the_cache_file_holds_the_same_table(table: wordtable.WordTable) -> None:
    key = wordtable.source_key()
    data = wordtable.cache_path(key).read_bytes()
    again = wordtable.decode(data, key)
    assert len(again) == len(table) and again.total == table.total
    for k in range(0, len(table), 997):
        assert again[k] == table[k] and again.lookup(again[k].decode()) == table.lookup(table[k].decode())
    with pytest.raises(ValueError, match="another format or source"):
        wordtable.decode(data, "another-key")


def damaged(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "flipped":
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]
    if how == "empty":
        return b""
    return b"\x80\x04pickle? no" + data[16:]


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "garbage"])
def test_a_damaged_cache_is_rebuilt(how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    table: wordtable.WordTable) -> None:
    monkeypatch.setenv("INDICATORS_CACHE_DIR", str(tmp_path))
    key = wordtable.source_key()
    good = wordtable.encode(table, key)
    path = wordtable.cache_path(key)
    path.write_bytes(damaged(good, how))
    with pytest.raises(ValueError):
        wordtable.decode(path.read_bytes(), key)
    monkeypatch.setattr(wordtable, "build", lambda: table)  # jieba's load is tested above
    rebuilt = wordtable.load_or_build()
    assert rebuilt is not None and rebuilt.cut("培育节水用水示") == table.cut("培育节水用水示")
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_an_unwritable_cache_folder_leaves_the_cut_to_jieba(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("INDICATORS_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    monkeypatch.setattr(wordtable, "build", lambda: pytest.fail("built a table it cannot keep"))
    assert wordtable.load_or_build() is None


def test_the_key_changes_with_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    before = wordtable.source_key()
    monkeypatch.setattr(wordtable, "FORMAT", "indicators-wordtable/test")
    assert wordtable.source_key() != before
