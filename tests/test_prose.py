"""Targets stated in report and news prose (extractor/prose.py), end to end."""

from __future__ import annotations

import extractor
from extractor import prose


def _targets(doc: str) -> list[tuple[str, str | None, float | None, str | None]]:
    out = []
    for i in extractor.extract(doc):
        t = i.target
        out.append((i.text, t.operator if t else None, t.value if t else None, t.unit if t else None))
    return out


# A news article: allocation amounts, then the sentence that lists the targets.
NEWS = """某市获得中央农村综合改革转移支付资金3120万元
2024-03-11 09:20  来源:某市日报

近日，省财政厅下达2024年农村综合改革转移支付资金1.8亿元，其中某市获得3120万元，分别用于美丽乡村建设2000万元、村级公益事业1120万元。
据介绍，主要绩效目标包括建设美丽乡村示范村12个，村级公益事业项目45个，受益农村人口86000人等。要求项目竣工验收合格率≥95%，群众满意度≥90%。
(记者 某某)
"""


def test_a_news_sentence_lists_the_targets_and_not_the_allocations() -> None:
    got = _targets(NEWS)
    assert ("建设美丽乡村示范村12个", "=", 12, "个") in got
    assert ("村级公益事业项目45个", "=", 45, "个") in got
    assert any(t[0].startswith("受益农村人口86000人") for t in got)
    assert ("项目竣工验收合格率≥95%", "≥", 95, "%") in got
    assert ("群众满意度≥90%", "≥", 90, "%") in got
    assert not [t for t in got if t[3] in ("万元", "亿元")]  # allocations are not targets


# A self-evaluation report: a goal section by its title, statement lines, actuals cut off.
REPORT = """一、基本情况
(一)项目概况。本项目年初预算安排资金48万元，全部用于村卫生室设备更新。
(二)项目绩效目标。2023年计划为12个村卫生室更新诊疗设备36台，培训乡村医生60人次实际完成:更新诊疗设备36台，培训乡村医生58人次。
二、绩效指标完成情况
设备更新数量:指标值为“36台”,全年实际完成值36台;
设备验收合格率:指标值为“100%”,设备均验收合格,完成值为100%;
"""


def test_a_report_states_targets_in_its_goal_section_and_statement_lines() -> None:
    got = _targets(REPORT)
    texts = [t[0] for t in got]
    assert "2023年计划为12个村卫生室更新诊疗设备36台" in texts or \
        "计划为12个村卫生室更新诊疗设备36台" in texts
    assert "培训乡村医生60人次" in texts
    assert ("设备更新数量:指标值为“36台”", "=", 36, "台") in got
    assert ("设备验收合格率:指标值为“100%”", "=", 100, "%") in got
    assert not [t for t in texts if "58人次" in t or "完成值" in t]  # what was achieved
    assert not [t for t in texts if "48万元" in t]  # the overview is context


# A budget explanation converted from PDF: the paragraph is hard-wrapped mid-word, and the
# labels inside it file each clause.
WRAPPED = """三、项目绩效目标说明
本项目设1条数量指标:完成信息系统巡检次数≥12次;设1条质量
指标:系统正常运行率≥98%;设1条时效指标:故障响应及时率=
100%;设1条满意度指标:使用人员满意度≥90%。
第四部分 名词解释
"""


def test_a_hard_wrapped_paragraph_with_inline_labels() -> None:
    records = extractor.extract(WRAPPED)
    by_name = {r.text.replace("\n", ""): r for r in records}
    assert by_name["系统正常运行率≥98%"].level2 == "quality"
    assert by_name["故障响应及时率=100%"].target.value == 100
    assert by_name["使用人员满意度≥90%"].level1 == "satisfaction"


def test_target_spans_only_in_lines_it_is_given() -> None:
    text = "主要绩效目标包括新建候车亭20个。"
    assert prose.target_spans(text, []) == []
    spans = prose.target_spans(text, [(0, len(text))])
    assert [text[s:e] for s, e in spans] == ["新建候车亭20个"]


def test_a_budget_explanation_without_targets_gives_none() -> None:
    doc = ("十、预算绩效目标设置情况说明\n2024年本部门共3个项目实行绩效目标管理，涉及财政性资金合计"
           "215.6万元。\n第四部分 名词解释\n一、财政拨款：指一般公共预算安排的资金。\n")
    assert extractor.extract(doc) == []
