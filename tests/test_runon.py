"""A whole self-evaluation table flattened onto one line (extractor/runon.py)."""

from __future__ import annotations

import extractor
from extractor import runon

# The shape of an xlsx self-evaluation exported as one run-on line: headers, then
# `指标N:name target actual score score`, labels between groups, empty items, values of
# one item displaced after the next header words.
RUNON = ("某县项目支出绩效自评表 (2022年度) 项目名称 村级卫生服务 主管部门 某县卫生健康局 年度 实际 "
         "指标值 完成值 分值 得分 数量指标 指标1:建立居民健康档案 1200人 1188人 3 3 "
         "指标2:发放健康宣传资料 不少于8 种 9种 2 2 指标3:举办健康讲座 分值 得分 14次 2 2 "
         "质量指标 指标1:高血压患者规范管理率 80% 82% 5 5 指标2: 时效指标 "
         "指标1:随访记录及时录入 及时 及时 5 5")


def test_is_runon_needs_several_items_and_no_cells() -> None:
    assert runon.is_runon(RUNON)
    assert not runon.is_runon("指标1:新建公厕数量 | 8座 |")
    assert not runon.is_runon("指标1:新建公厕数量 8座")


def test_items_name_target_and_labels() -> None:
    result = extractor.extract_document(RUNON)
    got = [(i.text, i.level2, i.target.value if i.target else None) for i in result.indicators]
    assert got == [
        ("建立居民健康档案 1200人", "quantity", 1200),
        ("发放健康宣传资料 不少于8 种", "quantity", 8),
        ("举办健康讲座", "quantity", None),  # the value stands after the header words
        ("高血压患者规范管理率 80%", "quality", 80),
        ("随访记录及时录入 及时", "timeliness", None),  # a qualitative target, then its actual
    ]
    assert result.indicators[1].target.operator == "≥"
    # its value stands after the header words, where the line does not pair it: unread, so
    # not called vague (the table does give a value)
    assert result.indicators[2].vague is False


def test_actuals_and_scores_are_left_out() -> None:
    texts = " ".join(i.text for i in extractor.extract(RUNON))
    assert "1188人" not in texts and "82%" not in texts


def test_an_empty_item_is_reported() -> None:
    result = extractor.extract_document(RUNON)
    assert [e.marker for e in result.empty_items] == ["指标2:"]
    assert "empty_enumerated_item" in {f.code for f in result.findings}


def test_a_label_broken_by_a_space_and_a_heading_score_end_a_name() -> None:
    line = ("数量指标 指标1:参保人数 5200 5150 10 9 指标2:新增参保人数 300人 280人 5 5 "
            "成本指标 指标1:每人每年补助标准 效益指 标(30 分) 指标1:是否减轻群众负担 "
            "满意度指标 指标1:是否满意 (10分 ) 总分")
    got = [(i.text, i.level1) for i in extractor.extract(line)]
    assert ("每人每年补助标准", None) in [(t, None) for t, _ in got]
    assert ("是否减轻群众负担", "benefit") in got
    assert ("是否满意", "satisfaction") in got
