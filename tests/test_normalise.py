"""normalise(): rewrites for matching, with offsets that map back to the source."""

from __future__ import annotations

import pytest

import extractor
from extractor.normalise import normalise, to_simplified

TRADITIONAL_DOC = (
    "績(jì)效指標\n"
    "產 出 指 標\t數量指標\t培訓人數\t>=500人\n"
    "\t質量指標\t合格率\t≥95％\n"
    "\t時效指標\t完成時間\t2024年6月30日前\u200b\n"
)
SIMPLIFIED_DOC = (
    "项目名称\t养(yǎng)老服务补贴\n"
    "产 出 指 标\t数量指标\t补贴人数\t>=1200人\n"
    "\t质量指标\t发放准确率\t１００％\n"
    "\t成本指标\t补贴标准\t<=200元/人/月\u200b\n"
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("績(jì)效", "绩效"),
        ("养(yǎng)老", "养老"),
        ("产 出 指 标", "产出指标"),
        ("≥5>=6", "≥5≥6"),
        ("<=3=<4", "≤3≤4"),
        ("95％", "95%"),
        ("合\u200b格\ufeff率", "合格率"),
        ("萬元", "万元"),
    ],
    ids=["pinyin-trad", "pinyin-simp", "letter-spaced", "ge", "le", "fullwidth-pct",
         "zero-width", "traditional"],
)
def test_normalised_text(source: str, expected: str) -> None:
    assert normalise(source).text == expected


def test_spaced_words_between_latin_are_not_letter_spacing() -> None:
    # only runs of single Han characters are joined; ordinary words keep their spaces
    assert normalise("产出 指标 数量").text == "产出 指标 数量"


def test_pinyin_only_after_han() -> None:
    # "(abc)" after a digit is not pinyin residue
    assert normalise("5(abc)").text == "5(abc)"


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("前言績(jì)效指標達到≥95％", "绩效指标"),
        ("产 出 指 标\t>=500人", "≥500人"),
        ("a\u200b\u200bb合格率>=95％", "合格率≥95%"),
        ("養(yǎng)老服務補貼人數>=1200人", "养老服务补贴人数"),
    ],
)
def test_to_source_round_trip(source: str, needle: str) -> None:
    normal = normalise(source)
    start = normal.text.index(needle)
    s, e = normal.to_source(start, start + len(needle))
    # the source slice normalises back to exactly the needle
    assert normalise(source[s:e]).text == needle
    assert normal.source_text(start, start + len(needle)) == source[s:e]


def test_to_source_identity_without_edits() -> None:
    normal = normalise("补贴人数1200人")
    assert normal.to_source(2, 8) == (2, 8)


def test_length_preserved_by_one_for_one_rewrites() -> None:
    src = "數量指標１２３％≧═"
    assert len(normalise(src).text) == len(src)
    assert to_simplified("數量指標") == "数量指标"


@pytest.mark.parametrize("doc", [TRADITIONAL_DOC, SIMPLIFIED_DOC], ids=["traditional", "simplified"])
def test_indicator_text_is_verbatim_source_slice(doc: str) -> None:
    result = extractor.extract_document(doc)
    assert len(result.indicators) == 3
    for ind in result.indicators:
        assert ind.text == result.text[ind.span.start:ind.span.end]
        assert ind.text == doc[ind.span.start:ind.span.end]
        for q in ind.quantities:
            assert q.span is not None
            assert q.text == doc[q.span.start:q.span.end]
        if ind.deadline is not None:
            assert ind.deadline.span is not None
            d = ind.deadline
            assert d.text == doc[d.span.start:d.span.end]


def test_traditional_doc_levels_and_targets() -> None:
    inds = extractor.extract(TRADITIONAL_DOC)
    assert [(i.level1, i.level2) for i in inds] == [
        ("output", "quantity"), ("output", "quality"), ("output", "timeliness")]
    assert inds[0].text == "培訓人數\t>=500人"
    assert inds[0].target is not None
    assert (inds[0].target.operator, inds[0].target.value, inds[0].target.unit) == ("≥", 500, "人")
    assert inds[1].target is not None
    assert (inds[1].target.value, inds[1].target.unit) == (95, "%")
    assert inds[2].deadline is not None and inds[2].deadline.end == "2024-06-30"


def test_simplified_doc_fullwidth_and_ascii_operators() -> None:
    inds = extractor.extract(SIMPLIFIED_DOC)
    targets = [(i.target.operator, i.target.value, i.target.unit) for i in inds if i.target]
    assert targets == [("≥", 1200, "人"), ("=", 100, "%"), ("≤", 200, "元/人/月")]


# A paragraph of a PDF budget explanation, wrapped where the page column ended.
WRAPPED = ("五、绩效目标说明\n本项目共设置绩效指标4个，其中数量指标为全年开展\n"
           "农技培训不少于20期，质量指标为培训合格率达到95%\n以上，满意度指标为参训农户满意度"
           "不低于90%。\n1.财政拨款：指本级财政当年拨付的资金。\n")


def test_hard_wrapped_lines_are_joined_through_the_offset_map() -> None:
    from extractor.normalise import hard_wraps, normalise

    breaks = hard_wraps(WRAPPED)
    assert [WRAPPED[b - 4:b] for b in breaks] == ["全年开展", "到95%"]
    normal = normalise(WRAPPED)
    assert "全年开展农技培训" in normal.text and "95%以上" in normal.text
    s = normal.text.index("农技培训")
    e = normal.text.index("以上") + 2
    src_s, src_e = normal.to_source(s, e)
    assert WRAPPED[src_s:src_e] == "农技培训不少于20期，质量指标为培训合格率达到95%\n以上"


def test_short_lines_and_list_items_are_not_joined() -> None:
    from extractor.normalise import hard_wraps

    table = "一级指标\n二级指标\n产出指标\n数量指标\n培训人数\n500人\n"
    items = ("1.完成村级道路硬化工程全长约三公里的\n2.完成村级道路两侧绿化带栽植工程全长约\n"
             "3.完成村级道路路灯安装工程共计六十盏的\n")
    assert hard_wraps(table) == []
    assert hard_wraps(items) == []


def test_a_template_placeholder_is_not_read_as_a_value() -> None:
    doc = "满意度指标\t服务对象满意度指标\t受益群众满意度(≥**%)\t≥92%\n"
    [ind] = extractor.extract(doc)
    assert ind.text == "受益群众满意度(≥**%)\t≥92%"
    assert ind.target is not None and (ind.target.operator, ind.target.value) == ("≥", 92)


def test_a_vertical_header_is_rejoined_when_it_makes_a_known_word() -> None:
    from extractor.normalise import normalise

    doc = "年度\n总体\n目标\n 目标1:完成村级公路养护120公里\n产\n出\n"
    normal = normalise(doc)
    assert normal.text.startswith("年度总体目标\n")
    s = normal.text.index("年度总体目标")
    assert doc[slice(*normal.to_source(s, s + 6))] == "年度\n总体\n目标"
    assert "产出" in normal.text  # 产出 is a label too
    assert "村级\n公路" in normalise("村级\n公路\n").text  # not a header: left apart
