"""Numbered free text: headings set the levels, items are cut at their markers."""

from __future__ import annotations

import extractor
from extractor.outline import LevelState, classify_label, find_headings, split_items

FREE = ("一、产出指标 (一)数量指标 1.聘用网格员24人 2.开展排查12次 3. (二)时效指标 "
        "1.2024年6月30日前完成发放 二、满意度指标 1.群众满意度≥95%")


def _items(text: str) -> list[tuple[str, str | None, str | None, str | None, bool]]:
    return [(text[i.start:i.end], i.marker, i.level1, i.level2, i.empty)
            for i in split_items(text, LevelState())]


def test_numbered_free_text() -> None:
    assert _items(FREE) == [
        ("聘用网格员24人", "1.", "output", "quantity", False),
        ("开展排查12次", "2.", "output", "quantity", False),
        ("3.", "3.", "output", "quantity", True),
        ("2024年6月30日前完成发放", "1.", "output", "timeliness", False),
        ("群众满意度≥95%", "1.", "satisfaction", "satisfaction", False),
    ]


def test_enumerator_glued_to_year_is_not_a_decimal() -> None:
    items = _items("(三)时效指标 1.2024年6月30日前完成 2.12月底前验收")
    assert [(t, m) for t, m, *_ in items] == [("2024年6月30日前完成", "1."),
                                             ("12月底前验收", "2.")]


def test_decimal_number_is_not_a_marker() -> None:
    items = _items("(一)数量指标 1.新建道路2.4公里 2.维修管网1.5公里")
    assert [t for t, *_ in items] == ["新建道路2.4公里", "维修管网1.5公里"]


def test_out_of_sequence_number_is_not_a_marker() -> None:
    items = _items("(一)数量指标 1.培训5期 每期3.5天")
    assert [t for t, *_ in items] == ["培训5期 每期3.5天"]


def test_path_records_headings() -> None:
    items = split_items(FREE, LevelState())
    assert items[0].path == ["一、产出指标", "(一)数量指标"]
    assert items[-1].path == ["二、满意度指标"]


def test_headings() -> None:
    found = find_headings("一、产出指标 (一)数量指标 【效益指标-社会效益指标】")
    assert [(h.level1, h.level2) for h in found] == [
        ("output", None), (None, "quantity"), ("benefit", "social")]


def test_classify_label() -> None:
    assert classify_label("数量指标") == (None, "quantity")
    assert classify_label("一、产出指标：") == ("output", None)
    assert classify_label("培训人数") == (None, None)


def test_free_text_document_empty_item_and_levels() -> None:
    doc = "蓼川县2024年部门预算项目支出绩效目标表\n绩效指标\t" + FREE + "\n"
    result = extractor.extract_document(doc)
    texts = [(i.text, i.level1, i.level2) for i in result.indicators]
    assert ("聘用网格员24人", "output", "quantity") in texts
    assert ("2024年6月30日前完成发放", "output", "timeliness") in texts
    assert [e.marker for e in result.empty_items] == ["3."]
    e = result.empty_items[0]
    assert doc[e.span.start:e.span.end] == "3."
    timely = next(i for i in result.indicators if i.level2 == "timeliness")
    assert timely.deadline is not None and timely.deadline.end == "2024-06-30"


def test_a_mistyped_label_keeps_its_class() -> None:
    from extractor.outline import classify_label

    assert classify_label("日效性指标") == (None, "timeliness")  # 时效 mistyped, 性 added
    assert classify_label("质最指标") == (None, "quality")
    assert classify_label("培训指标") == (None, None)
    assert classify_label("数量指标") == (None, "quantity")


def test_label_chars_cover_every_label() -> None:
    """The pre-test of classify_label may answer (None, None) only for a cell that holds no
    label: every label surface (and a misspelt …指标) holds one of its characters."""
    from extractor import lexicon
    from extractor.outline import _label_chars, classify_label
    lex = lexicon.load()
    for word in (*lex.level1, *lex.level2, "日效指标"):
        assert _label_chars().search(word), word
        assert any(classify_label(word)), word
    assert classify_label("覆盖行政村的人口") == (None, None)


def test_heading_search_near_anchors_finds_what_the_whole_search_finds() -> None:
    from extractor.outline import _heading_matches, _heading_pattern
    lines = ["一、 数量指标", "  (一)  数量指标：1.培训100人", "【产出指标-数量指标】x",
             "目标十二：数量 1.", "a  \t 质量指标 b", "1.数量 2.质量", "产出指标数量指标质量指标",
             " 时效指标 (30分) 成本指标", "1.工程质量达到标准", "覆盖行政村数量为66个"]
    for line in lines:
        whole = [m.span() for m in _heading_pattern().finditer(line)]
        assert [m.span() for m in _heading_matches(line)] == whole, line
