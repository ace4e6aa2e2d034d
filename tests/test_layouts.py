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


def test_sign_off_lines_are_not_indicators() -> None:
    table = ("一级指标\t二级指标\t三级指标\t指标值\n"
             "产出指标\t数量指标\t培训人数\t≥50人\n"
             "填报人：李梅\t联系电话：0871-6123456\t填报日期：2024年3月1日\n")
    listed = "（一）数量指标：培训人数≥50人\n填报人：李梅  联系电话：13812345678\n"
    assert [i.text for i in extractor.extract(table)] == ["培训人数\t≥50人"]
    assert [i.text for i in extractor.extract(listed)] == ["培训人数≥50人"]


def test_category_words_in_goal_prose_label_its_clauses() -> None:
    doc = ("项目名称：乡村道路养护\n"
           "绩效目标：通过项目实施，数量指标：养护村道48公里、新建错车道≥12处；"
           "在质量指标上，养护路段优良率≥85%；服务对象满意度指标：沿线群众满意度90%。\n")
    got = [(i.field, i.level1, i.level2, i.text) for i in extractor.extract(doc)]
    assert got == [
        ("goal", "output", "quantity", "养护村道48公里"),
        ("goal", "output", "quantity", "新建错车道≥12处"),
        ("goal", "output", "quality", "养护路段优良率≥85%"),
        ("goal", "satisfaction", "satisfaction", "沿线群众满意度90%"),
    ]
