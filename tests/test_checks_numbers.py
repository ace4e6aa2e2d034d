"""Numbers family (RULES.md section E, R35–R45) and the money rows the layout walker reads.

Every rule has a case that fires and a near miss that must not. The documents are small
and written for these tests: free-text project tables (`一、产出指标 (一)数量指标 1.…`),
tab and pipe tables, funding blocks in the layouts of corpus/samples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

import extractor

NUMBER_CODES = {
    "arithmetic_error", "estimate_budget_mismatch", "indicator_money_exceeds_budget",
    "internal_value_conflict", "frequency_conflict", "total_mismatch",
    "funding_source_inconsistent", "cost_cap_budget_inconsistent", "cost_indicator_absent",
    "unit_cost_outlier", "amount_precision_inconsistent",
}


def project(amount: str, *, goal: str = "保障项目顺利实施。", quantity: list[str] = (),
            quality: list[str] = (), timeliness: list[str] = (), cost: list[str] = (),
            social: list[str] = (), economic: list[str] = ()) -> str:
    """A one-project free-text table: header block, then numbered items per slot."""
    lines = ["2024年项目支出绩效目标", "项目名称：乡村公共服务补助", f"项目金额：{amount}万元",
             f"绩效目标：{goal}", "一、产出指标"]
    for title, items in (("（一）数量指标", quantity), ("（二）质量指标", quality),
                         ("（三）时效指标", timeliness), ("（四）成本指标", cost)):
        if items:
            lines.append(title)
            lines += [f"{n}.{item}" for n, item in enumerate(items, 1)]
    if social or economic:
        lines.append("二、效益指标")
        if economic:
            lines.append("（一）经济效益指标")
            lines += [f"{n}.{item}" for n, item in enumerate(economic, 1)]
        if social:
            lines.append("（二）社会效益指标")
            lines += [f"{n}.{item}" for n, item in enumerate(social, 1)]
    lines += ["三、满意度指标", "1.受益村民满意度≥90%"]
    return "\n".join(lines) + "\n"


def found(doc: str, code: str) -> list:
    return [f for f in extractor.extract_document(doc).findings if f.code == code]


# -- R35 arithmetic_error ------------------------------------------------------------------
def test_wrong_formula_result_is_an_arithmetic_error() -> None:
    doc = project("7.20", cost=["全年补助支出3人×2000元×12个月=7.5万元"])
    [f] = found(doc, "arithmetic_error")
    assert f.severity == "error" and "7.5万元" in f.text
    assert f.evidence["computed"] == pytest.approx(72000) and f.evidence["stated"] == 75000


@pytest.mark.parametrize("formula", ["3人×2000元×12个月=7.2万元", "3人×1234元×12个月=4.44万元",
                                     "配套资金24万元×30%=7.2万元", "参训200人×90%=180人"])
def test_formula_right_or_within_its_rounding_is_not(formula: str) -> None:
    assert not found(project("7.20", cost=[f"全年补助支出{formula}"]), "arithmetic_error")


def test_rate_times_count_against_a_stated_total() -> None:
    doc = project("12.00", quantity=["每户补助2000元，共50户，合计12万元"])
    [f] = found(doc, "arithmetic_error")
    assert f.text == "合计12万元" and "50户×2000元/户" in f.message


def test_rate_times_count_matching_its_total_is_not() -> None:
    assert not found(project("10.00", quantity=["每户补助2000元，共50户，合计10万元"]),
                     "arithmetic_error")


def test_counts_per_place_against_a_stated_count() -> None:
    doc = project("3.00", quantity=["为6个行政村每村配备救生衣3套，共计20套"])
    [f] = found(doc, "arithmetic_error")
    assert f.text == "共计20套" and f.evidence["computed"] == 18


def test_listed_amounts_against_their_total() -> None:
    doc = project("60.00", quantity=["设备购置30万元、安装调试20万元，合计60万元"])
    [f] = found(doc, "arithmetic_error")
    assert f.evidence["computed"] == pytest.approx(500000)
    assert not found(project("50.00", quantity=["设备购置30万元、安装调试20万元，合计50万元"]),
                     "arithmetic_error")


def test_a_single_item_beside_rate_terms_is_added() -> None:
    doc = project("83.00", quantity=["7名干部每年每人4.5万元、其他干部21人每年每人2.4万元、"
                                     "办公费1.1万元。共发放83万元"])
    assert not found(doc, "arithmetic_error") and not found(doc, "estimate_budget_mismatch")


def test_a_monthly_total_is_not_an_arithmetic_error() -> None:
    # 1500 × 3 = 4500 a month: the 共计 is the monthly sum, not wrong arithmetic
    doc = project("5.40", quantity=["每人每月发放补助1500元，共3人，共计4500元"])
    assert not found(doc, "arithmetic_error")


# -- R36 estimate_budget_mismatch ----------------------------------------------------------
def test_formula_estimate_differs_from_the_amount() -> None:
    doc = project("10.80", cost=["全年补助支出15人×500元×12个月=9万元"])
    [f] = found(doc, "estimate_budget_mismatch")
    assert f.severity == "error" and f.project == "乡村公共服务补助"
    assert f.evidence["estimate_yuan"] == pytest.approx(90000)
    assert f.evidence["amount_yuan"] == pytest.approx(108000)


def test_rounding_level_gap_is_a_warning_and_a_match_is_clean() -> None:
    formula = "全年补助支出15人×500元×12个月=9万元"
    [f] = found(project("9.15", cost=[formula]), "estimate_budget_mismatch")
    assert f.severity == "warning"
    assert not found(project("9.00", cost=[formula]), "estimate_budget_mismatch")
    assert not found(project("9.04", cost=[formula]), "estimate_budget_mismatch")  # within tolM


def test_rate_per_listed_village() -> None:
    doc = project("8.00", quantity=["东岭村、西岭村、南坪村三个村每村2万元"])
    [f] = found(doc, "estimate_budget_mismatch")
    assert f.evidence["estimate_yuan"] == pytest.approx(60000)
    assert not found(project("6.00", quantity=["东岭村、西岭村、南坪村三个村每村2万元"]),
                     "estimate_budget_mismatch")


def test_funding_block_gives_the_amount_when_no_project_is_named() -> None:
    doc = ("项目资金(万元)\n\n年度资金总额\n\n10.80\n\n其中:财政拨款\n\n10.80\n\n其他资金\n\n0\n\n"
           "一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n产出指标\n\n成本指标\n\n全年补贴支出\n\n"
           "15人×500元×12个月=9万元\n")
    [f] = found(doc, "estimate_budget_mismatch")
    assert f.evidence["amount_yuan"] == pytest.approx(108000)


def test_stated_total_differs_from_the_amount() -> None:
    doc = project("8.50", cost=["全年宣传及培训支出合计9.20万元"])
    [f] = found(doc, "estimate_budget_mismatch")
    assert "9.20万元" in f.text


def test_monthly_total_is_a_warning_with_a_note() -> None:
    doc = project("5.40", quantity=["每人每月发放补助1500元，共计4500元"])
    [f] = found(doc, "estimate_budget_mismatch")
    assert f.severity == "warning" and "12个月" in f.message


def test_amount_per_month_times_twelve() -> None:
    doc = project("20.00", quantity=["每人每月补助500元，每月发放合计1.5万元"])
    [f] = found(doc, "estimate_budget_mismatch")
    assert f.evidence["estimate_yuan"] == pytest.approx(180000)
    assert not found(doc.replace("20.00万元", "18.00万元"), "estimate_budget_mismatch")


def test_money_in_effects_and_parts_are_not_estimates() -> None:
    doc = project("20.00", economic=["带动农户增收共计50万元"],
                  quantity=["其中设备购置共计5万元"])
    assert not found(doc, "estimate_budget_mismatch")


# -- R37 indicator_money_exceeds_budget ----------------------------------------------------
def test_money_above_the_project_amount() -> None:
    doc = project("2.00", quality=["发放医疗救助资金300万元"])
    [f] = found(doc, "indicator_money_exceeds_budget")
    assert f.severity == "warning" and f.text == "发放医疗救助资金300万元"


def test_money_from_elsewhere_or_within_the_amount_is_not() -> None:
    doc = project("2.00", quality=["协助发放上级下达救助资金300万元", "购置急救包1.5万元"],
                  economic=["带动增收300万元"])
    assert not found(doc, "indicator_money_exceeds_budget")


# -- R38 internal_value_conflict -----------------------------------------------------------
def test_same_item_two_numbers_in_two_slots() -> None:
    doc = project("5.00", quantity=["印发宣传册5000份，开展宣讲活动20次"],
                  quality=["印发宣传册1万份，开展宣讲活动20次"])
    [f] = found(doc, "internal_value_conflict")
    assert f.text == "印发宣传册1万份" and f.evidence["values"] == [5000, 10000]


def test_deadline_restating_the_quantity() -> None:
    table = ("项目名称\t管网改造\n项目资金（万元）\t年度资金总额\t300.00\n"
             "一级指标\t二级指标\t三级指标\t指标值\n"
             "产出指标\t数量指标\t改造雨污管网\t3.5公里\n"
             "\t时效指标\t管网改造完成时间\t2024年10月31日前完成4公里\n")
    [f] = found(table, "internal_value_conflict")
    assert "4公里" in f.text


def test_plan_count_against_a_later_deadline_clause() -> None:
    doc = project("5.00", quantity=["培训人数80人"], timeliness=["6月底前完成100人培训"])
    [f] = found(doc, "internal_value_conflict")
    assert f.text == "6月底前完成100人培训"


def test_a_milestone_below_the_plan_is_not_a_conflict() -> None:
    doc = project("5.00", quantity=["培训乡村医生4期"], timeliness=["6月底前完成培训乡村医生2期"],
                  quality=["资金拨付率100%"])
    assert not found(doc + "", "internal_value_conflict")
    [f] = found(doc.replace("完成培训乡村医生2期", "完成培训乡村医生5期"), "internal_value_conflict")
    assert "5期" in f.text


def test_equal_values_other_units_and_cases_of_one_item_are_not_conflicts() -> None:
    doc = project("30.00",
                  quantity=["1000人以下村2万元/村、1000人以上村3万元/村", "小学寄宿生受助人数700人",
                            "初中寄宿生受助人数500人", "培训班2期"],
                  quality=["培训班2期", "培训人数100人"],
                  timeliness=["2024年6月底前完成"])
    assert not found(doc, "internal_value_conflict")


# -- R39 frequency_conflict ----------------------------------------------------------------
def test_cadence_in_goal_against_an_explicit_count() -> None:
    doc = project("7.20", goal="按季度发放保洁员补助。", quantity=["聘用保洁员10人",
                                                           "保洁员补助发放次数≥12次"])
    [f] = found(doc, "frequency_conflict")
    assert f.severity == "warning" and "发放次数" in f.text


def test_matching_cadences_are_not_a_conflict() -> None:
    doc = project("7.20", goal="按月发放保洁员补助。", quantity=["保洁员补助发放次数=12次"],
                  timeliness=["每月10日前发放上月补助"])
    assert not found(doc, "frequency_conflict")


# -- money rows: R40 total_mismatch, R41 funding_source_inconsistent -----------------------
WHOLE_UNIT = (
    "部门（单位）整体支出绩效目标表\n（2024年度）\n"
    "部门（单位）名称\t\t云岭镇人民政府\t\t\t\n"
    "\t任务名称\t主要内容\t预算金额（万元）\t\t\n"
    "\t\t\t总额\t财政拨款\t其他资金\n"
    "年度主要任务\t人员经费\t用于在编人员工资福利\t{a}\t{af}\t0\n"
    "\t公用经费\t用于日常办公运转\t40.00\t40.00\t0\n"
    "\t村级运转\t用于村级办公经费\t60.00\t50.00\t10.00\n"
    "\t合计\t\t{t}\t{tf}\t10.00\n"
    "年度总体目标\t保障机关正常运转。\t\t\t\t\n"
)


def test_whole_unit_rows_are_read_as_money_rows() -> None:
    result = extractor.extract_document(WHOLE_UNIT.format(a="300.00", af="300.00", t="400.00",
                                                          tf="390.00"))
    rows = [(r.label, r.total, r.fiscal, r.other, r.is_sum) for r in result.money_rows]
    assert rows == [("人员经费", 300, 300, 0, False), ("公用经费", 40, 40, 0, False),
                    ("村级运转", 60, 50, 10, False), ("合计", 400, 390, 10, True)]
    first = result.money_rows[0]
    assert result.text[first.span.start:first.span.end].endswith("300.00\t300.00\t0")
    assert not {f.code for f in result.findings} & NUMBER_CODES


def test_fiscal_above_total_in_a_task_row() -> None:
    doc = WHOLE_UNIT.format(a="300.00", af="302.00", t="400.00", tf="392.00")
    [f] = found(doc, "funding_source_inconsistent")
    assert f.text.startswith("年度主要任务\t人员经费") and "302.00" in f.text
    assert f.evidence["gap"] == pytest.approx(-2)
    assert not found(doc, "total_mismatch")  # the 合计 row adds up


def test_wrong_total_row() -> None:
    doc = WHOLE_UNIT.format(a="300.00", af="300.00", t="410.00", tf="390.00")
    [f] = found(doc, "total_mismatch")
    assert f.text.startswith("合计") and f.evidence["columns"][0]["gap"] == pytest.approx(10)
    assert not found(doc, "funding_source_inconsistent")  # 合计 rows are R40's


def test_same_gap_on_every_row_is_said() -> None:
    doc = WHOLE_UNIT.replace("40.00\t40.00", "40.00\t41.00").replace("60.00\t50.00", "60.00\t51.00")
    doc = doc.format(a="300.00", af="301.00", t="400.00", tf="393.00")
    flagged = found(doc, "funding_source_inconsistent")
    assert len(flagged) == 3 and all(f.evidence["same_gap_every_row"] for f in flagged)


def test_space_separated_task_table() -> None:
    doc = ("部门（单位）整体支出绩效目标表\n（2024年度）\n任务名称 主要内容 总额 财政拨款 其他资金\n"
           "年度主要任务 人员经费 用于在编人员工资福利 320.00 320.00 0\n"
           "道路养护 用于镇村道路日常养护 50.00 52.00 0\n合计 370.00 372.00\n"
           "年度总体目标 保障机关正常运转。\n")
    [f] = found(doc, "funding_source_inconsistent")
    assert f.text == "道路养护 用于镇村道路日常养护 50.00 52.00 0"
    assert not found(doc, "total_mismatch")  # 其他资金 of 合计 blank over zeros


def test_subtotals_and_part_rows() -> None:
    doc = ("\t任务名称\t主要内容\t总额\t财政拨款\t其他资金\n"
           "\t人员经费\t工资福利\t100.00\t100.00\t0\n"
           "\t其中：绩效奖励\t年终绩效\t20.00\t20.00\t0\n"
           "\t公用经费\t日常运转\t30.00\t30.00\t0\n"
           "\t小计\t\t130.00\t130.00\t0\n"
           "\t村级运转\t村级办公\t50.00\t50.00\t0\n"
           "\t小计\t\t50.00\t50.00\t0\n"
           "\t合计\t\t{total}\t180.00\t0\n")
    assert not found(doc.format(total="180.00"), "total_mismatch")
    [f] = found(doc.format(total="190.00"), "total_mismatch")
    assert f.text.startswith("合计")


def test_prose_breakdown_outside_the_indicators() -> None:
    doc = ("二、资金安排\n项目资金共计36.00万元，其中：传承人补助18.90万元，展演活动9.60万元，"
           "资料数字化采集{last}万元。\n三、年度绩效目标\n全年开展展演活动12场。\n")
    [f] = found(doc.format(last="8.50"), "total_mismatch")
    assert f.evidence["sum_yuan"] == pytest.approx(370000)
    assert not found(doc.format(last="7.50"), "total_mismatch")
    partial = "二、资金安排\n项目资金共计36.00万元，其中：传承人补助10.00万元，展演活动9.60万元。\n"
    assert not found(partial, "total_mismatch")  # a partial list: less than 80 % of the total


def test_funding_block_of_a_project() -> None:
    block = ("项目名称\t村道养护\n项目资金（万元）\t年度资金总额\t50.00\n\t其中：财政拨款\t45.00\n"
             "\t其他资金\t{other}\n年度绩效目标\t养护村道60公里。\n"
             "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t养护村道里程\t60公里\n")
    [f] = found(block.format(other="0"), "funding_source_inconsistent")
    assert "45.00" in f.text and f.project == "村道养护"
    assert not found(block.format(other="5.00"), "funding_source_inconsistent")
    assert extractor.extract_document(block.format(other="0")).projects[0].amount == 50


@pytest.mark.parametrize("header", [
    "项目名称村道养护项目资金（万元）年度资金总额50.00其中：财政拨款52.00其他资金0年度绩效目标养护村道"
    "一级指标二级指标三级指标指标值产出指标数量指标养护村道里程60公里\n",
    "项目名称\n\n村道养护\n\n项目资金(万元)\n\n年度资金总额\n\n50.00\n\n其中:财政拨款\n\n52.00\n\n"
    "其他资金\n\n0\n\n年度绩效目标\n\n养护村道60公里。\n",
    "项目名称 |\n村道养护 |\n|\n项目资金（万元） |\n年度资金总额 |\n50.00 |\n|\n其中：财政拨款 |\n52.00 |\n"
    "|\n其他资金 |\n0 |\n|\n年度绩效目标 |\n养护村道60公里。 |\n",
    "项目名称 村道养护\n项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分\n"
    "年度资金总额 50.00 50.00 49.10 10 98.20% 9.82\n其中：当年财政拨款 52.00 52.00 49.10 — — —\n"
    "上年结转资金 0 0 0 — — —\n其他资金 0 0 0 — — —\n",
], ids=["flattened", "one_cell_per_line", "pipe_per_line", "self_evaluation"])
def test_funding_block_flattened_or_one_cell_per_line(header: str) -> None:
    [f] = found(header, "funding_source_inconsistent")
    assert f.evidence["fiscal"] == 52 and f.evidence["total"] == 50


def test_row_missing_its_leading_cell_is_read_from_the_left() -> None:
    doc = WHOLE_UNIT.replace("\t公用经费\t用于日常办公运转", "公用经费\t用于日常办公运转").format(
        a="300.00", af="300.00", t="400.00", tf="390.00")
    rows = extractor.extract_document(doc).money_rows
    assert [(r.label, r.total, r.fiscal) for r in rows][1] == ("公用经费", 40, 40)
    assert not found(doc, "funding_source_inconsistent") and not found(doc, "total_mismatch")


def test_small_gap_on_two_decimal_figures_is_inconsistent() -> None:
    doc = WHOLE_UNIT.replace("60.00\t50.00\t10.00", "60.00\t49.60\t10.00").format(
        a="300.00", af="300.00", t="400.00", tf="389.60")
    [f] = found(doc, "funding_source_inconsistent")
    assert f.evidence["gap"] == pytest.approx(0.4)


def test_rounded_figures_are_not_inconsistent() -> None:
    doc = WHOLE_UNIT.replace("60.00\t50.00\t10.00", "24\t20.40\t3.55").replace(
        "{t}\t{tf}\t10.00", "{t}\t{tf}\t3.55").format(a="300.00", af="300.00", t="364",
                                                       tf="360.40")
    assert not found(doc, "funding_source_inconsistent") and not found(doc, "total_mismatch")


PROJECT_LIST = (
    "单位编码\t单位及项目名称\t金额（万元）\t绩效目标\t绩效指标\n"
    "601\t溪口镇人民政府\t{unit}\t\t\n"
    "601001\t溪口镇人民政府\t{unit}\t\t\n"
    "1\t村级治安巡逻补助\t12.00\t保障巡逻队正常开展巡逻。\t一、产出指标 (一)数量指标 1.巡逻队员20人\n"
    "2\t农村公厕管护经费\t{second}\t保障公厕日常保洁。\t一、产出指标 (一)数量指标 1.管护公厕16座\n"
)


def test_unit_row_against_its_projects() -> None:
    [f] = found(PROJECT_LIST.format(unit="30.00", second="8.00"), "total_mismatch")
    assert f.text.startswith("601001") and f.evidence["columns"][0]["sum"] == 20
    assert not found(PROJECT_LIST.format(unit="20.00", second="8.00"), "total_mismatch")
    # rounding: 12.00 + 8.005 is 20.01 written as 20.01
    assert not found(PROJECT_LIST.format(unit="20.01", second="8.005"), "total_mismatch")


def test_breakdown_total_of_a_project() -> None:
    doc = ("| 项目名称 | 活动场所维修 |  |  |\n"
           "| 项目资金（万元） | 资金总额 | 财政资金 | 其他资金 |\n"
           "|  | 15.50 | 15.50 | 0 |\n"
           "| 资金明细（万元） | 屋面防水 | 8.00 |  |\n"
           "|  | 门窗更换 | 6.50 |  |\n"
           "|  | 合计 | {total} |  |\n"
           "| 年度绩效目标 | 完成2处活动场所维修。 |  |  |\n")
    [f] = found(doc.format(total="15.50"), "total_mismatch")
    assert f.text == "合计 | 15.50"
    [g] = found(doc.format(total="14.50"), "total_mismatch")  # the funding row is off instead
    assert g.text.startswith("15.50")
    assert not found(doc.format(total="14.50").replace("15.50", "14.50"), "total_mismatch")


def test_blank_total_over_filled_rows_is_info() -> None:
    doc = WHOLE_UNIT.replace("\t{t}\t{tf}\t10.00", "\t{t}\t{tf}\t").format(
        a="300.00", af="300.00", t="400.00", tf="390.00")
    [f] = found(doc, "total_mismatch")
    assert f.severity == "info"


# -- R42 cost_cap_budget_inconsistent ------------------------------------------------------
CAPS = (
    "部门（单位）整体支出绩效目标表\n（2024年度）\n"
    "\t任务名称\t主要内容\t预算金额（万元）\t\t\n\t\t\t总额\t财政拨款\t其他资金\n"
    "年度主要任务\t法律援助办案补贴\t用于支付办案补贴\t36.00\t36.00\t0\n"
    "\t合计\t\t36.00\t36.00\t0\n"
    "\t一级指标\t二级指标\t三级指标\t指标值\t\n"
    "年度绩效指标\t产出指标\t数量指标\t办理法律援助案件数\t≥420件\n"
    "\t\t成本指标\t法律援助案件平均办案补贴\t≤{cap}元/件\n"
)


def test_cap_below_budget_per_unit() -> None:
    [f] = found(CAPS.format(cap="800"), "cost_cap_budget_inconsistent")
    assert f.severity == "warning" and f.evidence["plan_yuan"] == pytest.approx(857.14, 0.001)
    assert not found(CAPS.format(cap="860"), "cost_cap_budget_inconsistent")
    [slack] = found(CAPS.format(cap="1500"), "cost_cap_budget_inconsistent")
    assert slack.severity == "info"


def test_cap_of_a_project_with_several_outputs_is_not_judged() -> None:
    doc = project("8.50", quantity=["开展宣传活动36场次", "排查隐患1200家次"],
                  cost=["每场宣传活动平均成本≤800元/场次"])
    assert not found(doc, "cost_cap_budget_inconsistent")


# -- R43 cost_indicator_absent, R44 unit_cost_outlier --------------------------------------
def test_standard_in_text_without_a_cost_indicator() -> None:
    [f] = found(project("6.00", quantity=["为10户每户补助6000元"]), "cost_indicator_absent")
    assert f.severity == "info" and "6000元/户" in f.suggestion


def test_cost_indicator_present_is_not_absent() -> None:
    doc = project("6.00", quantity=["补助农户10户"], cost=["补助标准6000元/户"])
    assert not found(doc, "cost_indicator_absent")


def test_implied_cost_per_event_outside_the_range() -> None:
    doc = project("0.50", quantity=["开展群众文化活动40场次"]).replace(
        "乡村公共服务补助", "乡镇文化活动经费")
    [f] = found(doc, "unit_cost_outlier")
    assert f.evidence["per_unit_yuan"] == pytest.approx(125)
    assert not found(doc.replace("0.50万元", "5.00万元"), "unit_cost_outlier")


# -- R45 amount_precision_inconsistent -----------------------------------------------------
def test_one_amount_with_other_decimals() -> None:
    rows = "".join(f"{n}\t第{n}项工作经费\t{amount}\t保障工作开展。\t一、产出指标 (一)数量指标 1.开展工作{n}次\n"
                   for n, amount in enumerate(["1.20", "2.40", "3.60", "1.275"], 1))
    doc = "单位编码\t单位及项目名称\t金额（万元）\t绩效目标\t绩效指标\n" + rows
    [f] = found(doc, "amount_precision_inconsistent")
    assert "1.275" in f.text
    assert not found(doc.replace("1.275", "1.28"), "amount_precision_inconsistent")


# -- the samples: clean at error severity ---------------------------------------------------
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.expected.json")), ids=lambda p: p.stem)
def test_samples_raise_no_number_errors(path: Path) -> None:
    import json

    doc = SAMPLES / json.loads(path.read_text(encoding="utf-8"))["doc"]
    result = extractor.extract_document(doc)
    errors = [f for f in result.findings if f.code in NUMBER_CODES and f.severity == "error"]
    assert not errors, [(f.code, f.text) for f in errors]
