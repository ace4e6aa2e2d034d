"""Document openings that several rules' examples share: a rule's example is its documentation
and its test fixture, and most of them start from one of two invented documents."""

from __future__ import annotations

# a township's department budget list: unit rows, then one row per project (projects, years)
TOWNSHIP_LIST = (
    "松岭县桐溪乡人民政府2024年部门预算项目支出绩效目标公开表\n"
    "\n"
    "单位编码\t单位及项目名称\t金额 (万元)\t绩效目标\t绩效指标\n"
    "601\t桐溪乡人民政府\t50.00\t\t\n"
    "601001\t桐溪乡人民政府\t50.00\t\t\n"
)

# one project's target table, up to its column header (structure, years)
ROAD_TABLE = (
    "澄江县2024年项目支出绩效目标表\n"
    "\n"
    "项目名称\t农村公路养护\n"
    "年度绩效目标\t完成年度养护任务，改善群众出行条件。\n"
    "一级指标\t二级指标\t三级指标\t指标值\n"
)
