"""Every sample document against its gold file (corpus/samples/NAME.expected.json)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import expected_files, load_expected, norm_text

import extractor

KNOWN_TEXT_BUGS: dict[str, str] = {}
KNOWN_TARGET_BUGS: dict[str, str] = {}
KNOWN_YEAR_BUGS: dict[str, str] = {}


def _params(bugs: dict[str, str]) -> list:
    out = []
    for path in expected_files():
        marks = [pytest.mark.xfail(reason=bugs[path.name], strict=True)] if path.name in bugs else []
        out.append(pytest.param(path, id=path.name.removesuffix(".expected.json"), marks=marks))
    return out


def _result(path: Path) -> tuple[dict, extractor.DocumentResult]:
    gold = load_expected(path)
    return gold, extractor.extract_document(path.parent / gold["doc"])


def test_every_sample_has_gold() -> None:
    files = expected_files()
    assert len(files) == 17
    for path in files:
        assert (path.parent / load_expected(path)["doc"]).is_file()


@pytest.mark.parametrize("path", _params(KNOWN_TEXT_BUGS))
def test_indicator_texts(path: Path) -> None:
    gold, result = _result(path)
    got = [norm_text(i.text) for i in result.indicators]
    want = [norm_text(i["text"]) for i in gold["indicators"]]
    assert got == want


@pytest.mark.parametrize("path", _params({}))
def test_heading_levels(path: Path) -> None:
    gold, result = _result(path)
    got = {norm_text(i.text): (i.level1, i.level2) for i in result.indicators}
    for ind in gold["indicators"]:
        if ind["heading"]:
            key = norm_text(ind["text"])
            assert got.get(key) == (ind["level1"], ind["level2"]), ind["text"]


@pytest.mark.parametrize("path", _params({}))
def test_not_indicators(path: Path) -> None:
    gold, result = _result(path)
    assert gold["not_indicators"], "every sample lists distractors"
    texts = [i.text for i in result.indicators]
    for bad in gold["not_indicators"]:
        assert bad in result.text or norm_text(bad) in norm_text(result.text)
        assert not any(bad in t for t in texts), bad


@pytest.mark.parametrize("path", _params(KNOWN_YEAR_BUGS))
def test_budget_year(path: Path) -> None:
    gold, result = _result(path)
    assert result.budget_year == gold["budget_year"]


@pytest.mark.parametrize("path", _params({}))
def test_texts_are_verbatim(path: Path) -> None:
    _, result = _result(path)
    assert result.indicators
    for ind in result.indicators:
        assert ind.text == result.text[ind.span.start:ind.span.end]


@pytest.mark.parametrize("path", _params(KNOWN_TARGET_BUGS))
def test_targets(path: Path) -> None:
    gold, result = _result(path)
    got = {norm_text(i.text): i.target for i in result.indicators}
    for ind in gold["indicators"]:
        key = norm_text(ind["text"])
        if key not in got:
            continue
        want, target = ind["target"], got[key]
        if want is None:
            continue
        assert target is not None, ind["text"]
        assert (target.operator, target.value) == (want["operator"], pytest.approx(want["value"]))


def test_gb18030_copy_matches_utf8() -> None:
    a = extractor.extract(Path(__file__).parent.parent / "corpus/samples/space_rows_selfeval.txt")
    b = extractor.extract(
        Path(__file__).parent.parent / "corpus/samples/space_rows_selfeval.gb18030.txt")
    assert [i.text for i in a] == [i.text for i in b]
    assert [i.span for i in a] == [i.span for i in b]
