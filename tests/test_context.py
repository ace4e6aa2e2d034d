"""Document context: budget year, spending unit, and whether a file is a budget document."""

from __future__ import annotations

import pytest

from extractor import context


@pytest.mark.parametrize("text, year", [
    ("某县水利局2024年度项目支出绩效目标表\n项目名称\t河道清淤", 2024),
    ("项目支出绩效目标表\n（2023年度）\n", 2023),
    ("编制日期：2022年12月1日\n某局2023年部门预算\n", 2023),
    ("收支预算总表\n部门：某市档案馆 单位：万元\n收入\t支出\n", None),
])
def test_budget_year_from_the_head(text: str, year: int | None) -> None:
    assert context.budget_year(text) == year


@pytest.mark.parametrize("text, year", [
    # table titles carry the year when the cover does not
    ("收支预算总表\n部门：某市档案馆\n\n2021年政府采购预算表\n部门：某市档案馆\n", 2021),
    ("表一\n收支预算总表\n\n2020年度一般公共预算支出表\n\n2020年政府采购预算表\n", 2020),
    # a note inside a table is not a title
    ("收支预算总表\n注：本单位无2019年政府性基金支出。\n", None),
    ("收支预算总表\n一、财政拨款\t1,200.00\n", None),
])
def test_budget_document_year_from_table_titles(text: str, year: int | None) -> None:
    assert context.budget_document_year(text) == year


@pytest.mark.parametrize("text, unit", [
    ("收支预算总表\n部门：某市档案馆 单位：万元\n", "某市档案馆"),
    ("某省统计局2022年度部门预算公开\n目录\n", "某省统计局"),
    ("某省统计局\n2022年部门预算\n目录\n", "某省统计局"),
    ("某省统计局\n年部门预算\n2022\n", "某省统计局"),  # the year printed apart on a cover page
    ("关于做好预算管理工作的通知\n各单位：\n", None),
])
def test_document_unit_from_field_or_title(text: str, unit: str | None) -> None:
    assert context.document_unit(text) == unit


def test_budget_document_is_told_from_a_target_table() -> None:
    assert context.is_budget_document("某局2022年部门预算公开\n收支预算总表\n")
    assert not context.is_budget_document("项目支出绩效目标表\n一级指标\t二级指标\t三级指标\t指标值\n")
