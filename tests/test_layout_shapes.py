"""Table shapes of real published pages, written with invented content (extractor/layout.py)."""

from __future__ import annotations

import extractor


def _rows(doc: str) -> list[tuple[str, str | None, str | None, float | None, str | None]]:
    out = []
    for i in extractor.extract(doc):
        t = i.target
        out.append((" ".join(i.text.split()), i.level1, i.level2, t.value if t else None,
                    f"{t.operator}{t.unit}" if t else None))
    return out


# One cell per blank-line block: header cells broken over lines (年度 / 指标值), category
# labels broken over lines (经济效 / 益指标), score cells, empty cells that print nothing.
BROKEN_STREAM = "\n\n".join([
    "一级指标", "二级指标", "三级指标", "年度", "指标值", "实际", "完成值", "分值", "得分",
    "偏差原因", "分析及", "改进措施",
    "产出指标", "(40)", "数量", "指标",
    "修缮校舍面积", "1800平方米", "1800平方米", "10", "10",
    "购置课桌椅", "600套", "600套", "10", "10",
    "效益指标", "30分)", "社会效", "益指标",
    "改善办学条件", "明显改善", "明显改善", "10", "8",
]) + "\n"


def test_a_stream_table_with_headers_and_labels_broken_over_lines() -> None:
    assert _rows(BROKEN_STREAM) == [
        ("修缮校舍面积 1800平方米", "output", "quantity", 1800, "=平方米"),
        ("购置课桌椅 600套", "output", "quantity", 600, "=套"),
        ("改善办学条件 明显改善", "benefit", "social", None, None),
    ]


# A label straight before a value is the row's name; a standards column (计划标准) holds
# values, never names.
LABEL_AS_NAME = "\n\n".join([
    "一级指标", "二级指标", "三级指标", "指标值", "绩效标准",
    "产出指标", "数量指标", "配备保洁车辆数", "6", "计划标准",
    "时效指标", "保洁服务周期", "365", "计划标准",
    "满意度指标", "服务对象满意度指标", "满意度", "92%", "计划标准",
]) + "\n"


def test_a_label_before_a_value_names_the_row() -> None:
    rows = _rows(LABEL_AS_NAME)
    assert [r[0] for r in rows] == ["配备保洁车辆数 6", "保洁服务周期 365", "满意度 92%"]
    assert rows[2][1:4] == ("satisfaction", "satisfaction", 92)


def test_a_bare_number_takes_the_unit_its_name_implies() -> None:
    rows = _rows(LABEL_AS_NAME)
    assert rows[0][4] == "=辆"  # 车辆 → 辆
    assert rows[1][4] == "=天"  # 周期 → 天


def test_a_bare_number_takes_the_unit_the_document_writes_it_with() -> None:
    doc = "项目概况\t今年为主干道保洁配备6台洗扫车\n" + LABEL_AS_NAME
    assert _rows(doc)[0][4] == "=台"


# Pipe rows, one table row printed over two lines: the name, then the value.
SPLIT_ROWS = """一级指标 |
二级指标 |
三级指标 |
指标值 | |
产出指标 |
新建污水处理站数量 |
3 | ||
处理设施运行率 |
≥95% | ||||
"""


def test_a_value_row_under_its_name_row() -> None:
    assert _rows(SPLIT_ROWS) == [
        ("新建污水处理站数量 | 3", "output", "quantity", 3, "="),
        ("处理设施运行率 | ≥95%", "output", "quality", 95, "≥%"),
    ]


# An excerpt that starts mid-table: no header, the value cells known by their shape.
HEADERLESS = """图书借阅人次 | ≥ | 12000 | 人次 | 12680 | 10 | 10 |
| |||
满意度指标 | 服务对象满意度指标 | 读者满意度 | ≥ | 90 | % | 93 | 10 | 10 |
"""


def test_a_headerless_row_read_by_the_shape_of_its_cells() -> None:
    assert _rows(HEADERLESS) == [
        ("图书借阅人次 | ≥ | 12000 | 人次", "output", "quantity", 12000, "≥人次"),
        ("读者满意度 | ≥ | 90 | %", "satisfaction", "satisfaction", 90, "≥%"),
    ]


# Space-separated rows whose first columns describe the project, a direction column beside
# an operator column, and an empty unit cell followed by the score.
PROJECT_COLUMNS = (
    "项目名称 项目单位 项目类别 预算数 年度绩效目标 一级指标 二级指标 三级指标 指标性质 指标方向 "
    "目标值 计量单位 分值\n"
    "执法装备购置 601001-某县司法局 32-专项资金项目 420,000.00 保障执法装备配备到位。 产出指标(50分) "
    "数量指标 执法记录仪采购数量 正向 大于等于 20 台 10\n"
    "质量指标 装备验收合格率 正向 等于 100 % 10\n"
    "数量指标 执法车辆采购数量 反向 小于等于 2 10\n")


def test_project_columns_direction_words_and_a_score_after_an_empty_unit() -> None:
    rows = _rows(PROJECT_COLUMNS)
    assert [r[0] for r in rows] == ["执法记录仪采购数量 正向 大于等于 20 台",
                                    "装备验收合格率 正向 等于 100 %", "执法车辆采购数量 反向 小于等于 2"]
    assert rows[1][4] == "=%"  # 等于 beside 正向: the explicit sign wins
    assert rows[2][3:] == (2, "≤辆")  # the score 10 is not a unit; 车辆 implies 辆
    result = extractor.extract_document(PROJECT_COLUMNS)
    assert result.indicators[0].project is not None
    assert result.indicators[0].project.name == "执法装备购置"


# A goal field whose key is followed by its column headers (年初设定目标 / 完成情况综述).
GOAL_COLUMNS = """年度总体目标 年初设定目标 年度总体目标完成情况综述
 为32户脱贫户发放产业奖补资金，户均增收3000元。 已为32户脱贫户发放奖补资金
"""


def test_goal_column_headers_then_the_goal_and_its_actual() -> None:
    texts = [i.text for i in extractor.extract(GOAL_COLUMNS)]
    assert texts == ["为32户脱贫户发放产业奖补资金", "户均增收3000元"]


def test_a_rate_written_as_a_fraction_of_one() -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标值\n"
           "产出指标\t质量指标\t档案整理合格率\t1\n"
           "产出指标\t数量指标\t整理档案卷数\t1\n")
    rows = _rows(doc)
    assert rows[0][3:] == (100, "=%")
    assert rows[1][3:] == (1, "=")  # not a rate: the bare number stays as written


# Space-separated self-evaluation rows: a parent row printed with its 分值 and 得分 only (the
# empty target and actual cells vanished), its sub-rows with target and actual.
SCORES_ONLY = """二级指标 三级指标 分值 年度指标值 全年实际值 得分 未完成原因
数量指标 ★补助蔬菜种植面积 10 10
        芹菜种植面积 3.5亩 3.5亩
        白菜种植面积 2亩 2亩
质量指标 ★蔬菜种植成活率 10 9
"""


def test_scores_of_a_parent_row_are_not_its_target() -> None:
    rows = _rows(SCORES_ONLY)
    assert [(r[0], r[3]) for r in rows] == [
        ("★补助蔬菜种植面积", None), ("芹菜种植面积 3.5亩", 3.5), ("白菜种植面积 2亩", 2),
        ("★蔬菜种植成活率", None)]
    result = extractor.extract_document(SCORES_ONLY)
    assert [i.vague for i in result.indicators] == [False, False, False, False]  # sub-rows measure


# The goal and what was achieved side by side, under a header row whose first cell is a
# section name.
GOAL_BESIDE_ACTUAL = """项目名称 | 村级图书室图书更新 | ||||
项目基本情况 | 项目年度目标 | 年度目标完成情况 | |||
2024年度内，计划使用财政资金6.4万元，为16个村级图书室更新图书3200册。 | 已为16个村级图书室更新图书3150册。 | ||
"""


def test_the_goal_beside_its_actual() -> None:
    texts = [i.text for i in extractor.extract(GOAL_BESIDE_ACTUAL)]
    assert "计划使用财政资金6.4万元" in texts
    assert "为16个村级图书室更新图书3200册" in texts
    assert not [t for t in texts if "3150" in t]


def test_a_label_in_the_name_column_names_its_row() -> None:
    doc = ("一级指标 | 二级指标 | 三级指标 | 指标值类型 | 指标值 | 计量单位 |\n"
           "成本指标 | 经济成本指标 | 办公设备购置成本 | 定量 | 12 | 万元 |\n"
           "成本指标 | 社会成本指标 | 定量 | 0 | 起 |\n")
    rows = _rows(doc)
    assert [r[0] for r in rows] == ["办公设备购置成本 | 定量 | 12 | 万元", "社会成本指标 | 定量 | 0 | 起"]
    assert rows[1][2:] == ("social_cost", 0, "=起")


def test_an_amount_per_unit_under_a_cost_heading_is_in_yuan() -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标值\n"
           "产出指标\t成本指标\t造林补助\t每亩260\n"
           "产出指标\t数量指标\t造林密度\t每亩110株\n")
    rows = _rows(doc)
    assert rows[0][3:] == (260, "=元/亩")
    assert rows[1][3:] == (110, "=株/亩")  # a count per unit keeps its own unit


# A project list with a column per category (a poverty-relief implementation table): the
# header's category cells stand on lines of their own, then a prose column follows them.
CATEGORY_COLUMNS = """某镇2024年衔接资金项目实施情况表 | |||
序号 | 项目名称 | 实施期限(月) | 资金规模(万元) | 绩效目标 | 联农带农机制 | ||
产出 指标 |
效益 指标 |
满意度 指标 |
|||||
1 | 石桥村茶厂 | 8 | 60 | 新建厂房1座,购置揉捻机2台 | 受益户数≥120户 | 群众满意度≥95% | 村集体年收益≥3万元 |
2 | 石桥村道路硬化项目 | 6 | 45 | 硬化道路1.5公里 | 受益人口≥800人 | 道路通行条件改善 | 带动务工12人 |
"""


def test_a_table_with_a_column_per_category_files_each_cell_by_its_column() -> None:
    got = {i.text: (i.level1, i.label_source) for i in extractor.extract(CATEGORY_COLUMNS)}
    assert got["新建厂房1座"][0] == "output"
    assert got["购置揉捻机2台"][0] == "output"
    assert got["受益户数≥120户"][0] == "benefit"
    assert got["群众满意度≥95%"] == ("satisfaction", "heading")
    # the prose column after the satisfaction column is under no category heading
    assert got["村集体年收益≥3万元"][1] != "heading"
    assert "石桥村茶厂" not in got


def test_a_category_row_without_a_satisfaction_cell_is_read_like_the_row_before() -> None:
    got = {i.text: (i.level1, i.label_source) for i in extractor.extract(CATEGORY_COLUMNS)}
    assert got["硬化道路1.5公里"][0] == "output"
    assert got["受益人口≥800人"][0] == "benefit"
    assert got["道路通行条件改善"] == ("satisfaction", "heading")
    assert got["带动务工12人"][1] != "heading"
    assert "石桥村道路硬化项目" not in got


def test_a_category_row_of_another_width_is_not_filed_by_the_last_column() -> None:
    text = CATEGORY_COLUMNS + "3 | 石桥村光伏项目 | 新增装机容量200千瓦 | 年发电收益8万元 |\n"
    got = {i.text: i.level1 for i in extractor.extract(text)}
    assert got["新增装机容量200千瓦"] != "satisfaction"
