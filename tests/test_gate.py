"""The plausibility gate: one example per reason, written in the shape real pages have."""

from __future__ import annotations

import pytest

import extractor
from extractor import gate


@pytest.mark.parametrize(("text", "reason"), [
    ("年度", "header"),  # a header cell broken over lines (年度 / 指标值)
    ("益指标", "header"),  # the tail of 社会效益指标 broken over lines
    ("(30分)", "header"),  # a score annotation left alone
    ("第二部分", "header"),
    ("一级指标 二级指标 三级指标 指标值 分值 得分", "header"),
    ("注:1.一级指标包括产出、效益和满意度指标", "note"),
    ("定量指标未达到指标值的，按比例扣分", "note"),
    ("财政局审核意见 (盖章)", "furniture"),
    ("发布时间:2023-05-06 来源:县财政局 【字号", "furniture"),
    ("专项资金:指上级财政安排的有专门用途的资金", "prose"),
    ("《某镇2022年部门整体支出绩效评价报告》见附件", "prose"),
    ("全年完成值4120人", "actual"),
    ("合计 | 100 | 96", "total"),
    ("乡村道路养护项目绩效目标表", "title"),
    ("其中:基本支出:812.4万元", "funding"),
    ("1296.5万元", "no_name"),
    ("现下达你单位道路养护补助资金300万元", "letter"),
    ("入户宣传覆盖率" + "，宣传到户" * 30, "run_on"),
    ("the indicator 培训人数 as written in a code sample", "foreign"),
    ("财政拨款505050100%", "run_on"),  # 50 50 50 100% glued into one number
])
def test_reason_for_each_kind_of_non_indicator(text: str, reason: str) -> None:
    labelled = reason not in ("funding", "no_name")
    assert gate.reject_reason(text, labelled=labelled) == reason


@pytest.mark.parametrize("text", [
    "新建村级文化广场3个",
    "群众满意度≥90%",
    "满意度 | ≥ | 90 | %",  # a label-like name with its own value
    "未发生重大安全事故",
    "每户补助2000元，共50户，合计12万元",
    "维修资金控制在预算内",
    "15万元",  # a value under a heading: the cell is the indicator
])
def test_indicators_pass(text: str) -> None:
    assert gate.reject_reason(text) is None


def test_a_total_inside_an_indicator_is_not_a_total_row() -> None:
    assert gate.reject_reason("合计12万元", row_start=False) is None
    assert gate.reject_reason("合计12万元", row_start=True) == "total"


def test_a_cut_off_tail_at_the_end_of_an_excerpt() -> None:
    assert gate.reject_reason("年初结转和", at_end=True) == "cut_off"
    assert gate.reject_reason("生态效益(t", at_end=True) == "cut_off"
    assert gate.reject_reason("年初结转和", at_end=False) is None
    assert gate.reject_reason("道路养护及时", at_end=True) is None


def test_a_row_named_by_a_column_value_is_not_an_indicator() -> None:
    assert gate.reject_reason("好坏 | 5 | 5", name="好坏") == "header"
    assert gate.reject_reason("满意度 | 90%", name="满意度") is None


def test_every_reason_has_words_for_the_reviewer() -> None:
    words = gate.reasons()
    assert set(words) >= {"header", "note", "furniture", "prose", "actual", "run_on", "repeated",
                          "total", "title", "funding", "no_name", "cut_off", "letter", "foreign"}
    assert all(words.values())


# The same cell printed once per column group, one cell per line under one heading.
REPEATED_COLUMNS = """产出指标
|
数量指标
|
新建公厕8座
|
新建公厕8座
|
效益指标
|
社会效益指标
|
改善村容村貌
|
改善村容村貌
"""

# Two projects whose rows repeat the same cell: each project keeps its own indicator.
PROJECT_ROWS = """序号 | 项目名称 | 产出指标 | 效益指标 |
1 | 东村道路硬化 | 硬化道路2公里 | 受益群众≥300人 |
2 | 西村道路硬化 | 硬化道路2公里 | 受益群众≥500人 |
"""


def test_a_repeated_column_group_gives_each_indicator_once() -> None:
    result = extractor.extract_document(REPEATED_COLUMNS)
    assert [i.text for i in result.indicators] == ["新建公厕8座", "改善村容村貌"]
    assert [r.reason for r in result.rejected] == ["repeated", "repeated"]


def test_the_same_cell_in_two_rows_of_a_wide_table_is_kept_twice() -> None:
    texts = [i.text for i in extractor.extract(PROJECT_ROWS)]
    assert texts.count("硬化道路2公里") == 2


def test_rejected_candidates_keep_their_place_in_the_source() -> None:
    result = extractor.extract_document(REPEATED_COLUMNS)
    for r in result.rejected:
        assert result.text[r.span.start:r.span.end] == r.text
        assert r.to_dict()["explanation"]


def test_every_clause_of_a_glossary_entry_and_of_a_conclusions_row() -> None:
    doc = ("产出指标\n1.培训农民200人次\n名词解释\n"
           "3.结转资金:指以前年度安排的项目资金，因故未能在当年使用完毕，按规定继续使用的资金。\n"
           "存在问题 | 资金在年中才到位，前期垫付比例达30%，影响了进度。 |\n")
    result = extractor.extract_document(doc)
    assert [i.text for i in result.indicators] == ["培训农民200人次"]
    assert {r.reason for r in result.rejected} == {"prose"}


def test_a_bare_value_glued_after_a_target_is_its_actual() -> None:
    from extractor.layout import Candidate

    # a flattened self-evaluation row: name and target, then the actual glued after it
    text = "数量指标(10分)受助学生人数1200人1180人 下一行\n建设完成冷藏库1座，3550平方米\n"
    spans = [(text.index("受助"), text.index("1180")), (text.index("1180"), text.index(" 下一行")),
             (text.index("建设"), text.index("，")), (text.index("3550"), text.index("米") + 1)]
    candidates = [Candidate(s, e, "indicator", [], "output", "quantity", None) for s, e in spans]
    kept, rejected = gate.screen(text, candidates)
    assert [text[c.start:c.end] for c in kept] == ["受助学生人数1200人", "建设完成冷藏库1座", "3550平方米"]
    assert [(text[r.start:r.end], r.reason) for r in rejected] == [("1180人", "actual")]


def test_the_shortcuts_skip_only_what_cannot_match() -> None:
    # _has_han reads a text opening with U+4E00–U+9FFF as Han without a scan: all of it is Han
    assert all(gate._HAN.match(chr(c)) for c in range(0x4E00, 0xA000))
    # long header words are counted only when as many of their marks occur: each word holds one
    vocab = gate._vocabulary()
    words = vocab.long_header.pattern.replace("\\", "").split("|")
    assert all(vocab.long_header_marks.search(w) for w in words)
    assert gate.reject_reason("项目名称项目资金总额年度绩效目标") == "header"


def test_no_numbering_begins_with_another_ideograph() -> None:
    """_cannot_lead skips the numbering pattern for a text opening with an ideograph outside
    _NUMBERING_HAN: no numbering may begin with one."""
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        if ch not in gate._NUMBERING_HAN:
            assert gate._LEAD.match(ch + "一、1.") is None, ch
            assert gate._cannot_lead(ch + "一、")
