"""Flattened tables whose values were printed apart from their names (extractor/displaced.py)."""

from __future__ import annotations

import extractor
from extractor import displaced

# The shape of a PDF self-evaluation table with merged cells after text extraction: the
# header, labels in the order their cells were drawn, one name, the value run of every row,
# the second line of a name (率), more labels and names, the total, the page number; then a
# second table on the same line whose values were cut off.
TWO_TABLES = (
    "项目支出绩效自评表 (2023 年度) 项目名称 城区公园养护 主管部门 某区绿化局 "
    "一级指标 二级指标 数量指标 三级指标 公园绿地养护面积 年度 指标值 实际 完成值 分值 得分 "
    "=120万平方米 120万平方米 20 20 =100% 98% 20 19 及时 及时 20 20 >=95% 97% 10 10 >=90% 93% 10 10 100 99 "
    "率 产出指标 质量指标 绩 效 指 标 时效指标 效益指标 社会效益指标 "
    "苗木成活率 养护作业及时性 游园环境改善 满意度指标 服务对象满意度指标 公园游客满意度 "
    "总分 -1- 项目名称 古树名木保护 一级指标 二级指标 三级指标 数量指标 产出指标 "
    "古树挂牌数量 质量指标 古树保护合格 率 时效指标 效益指标 生态效益指标 满意度指标 "
    "服务对象满意度指标 古树保护成效 满意度 总分 -2- 年度 指标值")


def test_names_take_their_values_and_labels_by_order() -> None:
    got = [(i.name, i.level1, i.level2, i.target.value if i.target else None)
           for i in extractor.extract(TWO_TABLES)]
    assert got[:4] == [
        ("公园绿地养护面积", "output", "quantity", 120),
        ("苗木成活率", "output", "quality", 100),
        ("养护作业及时性", "output", "timeliness", None),  # 及时: a word for a value
        ("游园环境改善", "benefit", "social", 95),
    ]
    assert got[4][:3] == ("公园游客满意度", "satisfaction", "satisfaction")


def test_operators_and_units_come_from_the_value_run() -> None:
    first = extractor.extract(TWO_TABLES)[0]
    assert first.target is not None and first.target.unit == "万平方米"
    assert first.target.operator == "="
    social = next(i for i in extractor.extract(TWO_TABLES) if i.name == "游园环境改善")
    assert social.target is not None and social.target.operator == "≥"


def test_a_word_value_is_judged_on_its_own_cell() -> None:
    timely = next(i for i in extractor.extract(TWO_TABLES) if i.name == "养护作业及时性")
    assert timely.vague is True  # 及时 with no date: the table never says by when


def test_a_table_cut_before_its_values_keeps_its_names_unvalued_and_not_vague() -> None:
    second = [i for i in extractor.extract(TWO_TABLES) if i.row is not None][5:]
    names = [i.name for i in second]
    assert "古树挂牌数量" in names and "古树保护成效" in names
    assert all(i.target is None and not i.vague for i in second)
    merged = next(i for i in second if i.name and i.name.startswith("古树保护合格"))
    assert merged.name == "古树保护合格 率"  # the second line of the name, printed after it
    assert merged.level2 == "quality"


def test_values_that_do_not_fill_one_group_per_name_are_not_guessed() -> None:
    line = ("一级指标 二级指标 三级指标 年度 指标值 实际 完成值 分值 得分 数量指标 产出指标 "
            "道路清扫面积 质量指标 清扫合格率 =50万平方米 50万平方米 10 总分")
    got = extractor.extract(line)
    assert [i.name for i in got] == ["道路清扫面积", "清扫合格率"]
    assert all(i.target is None for i in got)


def test_a_header_line_alone_or_a_bordered_row_is_not_a_displaced_table() -> None:
    assert displaced.tables("三级指标 预期指标值(A) 实际完成指标值(B) 分值 得分 未完成原因 得分计算方法") == []
    assert displaced.tables("一级指标 | 二级指标 | 三级指标 | 数量指标 | 培训人次 | 培训场次") == []
    assert len(displaced.tables(TWO_TABLES)) == 2


def test_many_headers_on_one_line_are_read_in_linear_time() -> None:
    # each header ends the region of the one before it, so a line of headers is not rescanned
    line = "三级指标 数量指标 培训人数 100人 " * 20000
    assert displaced.tables(line) == []
