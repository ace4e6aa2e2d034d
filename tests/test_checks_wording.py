"""Check rules of the wording (R09–R20, R46, R47) and classes (R21–R24, R32, R33, R48)
families: each rule fires on a small document written for it and stays quiet on a near miss."""

from __future__ import annotations

import pytest

import extractor
from extractor.checks import VAGUE_CODES, load_config
from extractor.records import DocumentResult, Finding, Indicator

HEAD = ("桐乡县2024年度项目支出绩效目标表\n项目名称\t{project}\n"
        "年度绩效目标\t{goal}\n一级指标\t二级指标\t三级指标\t指标值\n")
LEVEL1 = {"数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标",
          "成本指标": "产出指标", "经济效益指标": "效益指标", "社会效益指标": "效益指标",
          "生态效益指标": "效益指标", "可持续影响指标": "效益指标",
          "服务对象满意度指标": "满意度指标"}


def table(*rows: tuple[str, str, str], project: str = "社区助餐服务补贴",
          goal: str = "为辖区老年人提供助餐服务，助餐服务人数不少于1200人。") -> DocumentResult:
    """A tab table of (二级, 三级 name, value) rows under a 2024 project header."""
    lines = [HEAD.format(project=project, goal=goal)]
    lines += [f"{LEVEL1[level2]}\t{level2}\t{name}\t{value}\n" for level2, name, value in rows]
    return extractor.extract_document("".join(lines))


def found(result: DocumentResult, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


def record(result: DocumentResult, fragment: str) -> Indicator:
    return next(i for i in result.indicators if fragment in i.text)


def codes_on(result: DocumentResult, fragment: str) -> set[str]:
    return set(record(result, fragment).flags)


# ---------------------------------------------------------------- R21 misclassified_indicator

@pytest.mark.parametrize(("level2", "name", "value"), [
    ("社会效益指标", "老年人助餐满意率", "≥90%"),       # satisfaction outside 满意度
    ("数量指标", "办公费用", "2万元"),                   # money under 数量
    ("质量指标", "每餐补助标准", "8元/人"),               # per-unit standard under 质量
    ("质量指标", "助餐补贴发放", "按时发放"),              # time words are the whole 质量 item
    ("质量指标", "举办厨师培训班", "3期"),                # a count of activities under 质量
    ("可持续影响指标", "补贴资金支付", "及时支付"),        # payment timeliness under 效益
    ("社会效益指标", "带动助餐点经营收入", "≥5万元"),      # income under 社会效益
    ("社会效益指标", "助餐点环境", "干净整洁"),            # cleanliness under 社会效益
])
def test_misclassified_fires_on_strong_cues(level2: str, name: str, value: str) -> None:
    result = table((level2, name, value))
    assert "misclassified_indicator" in codes_on(result, name)


@pytest.mark.parametrize(("level2", "name", "value"), [
    ("质量指标", "助餐补贴发放准确率", "100%"),           # a quality rate
    ("质量指标", "群众投诉次数", "≤3次"),                 # a reverse quality count
    ("社会效益指标", "受益老年人", "≥1200人"),            # an outcome count
    ("社会效益指标", "困难家庭生活负担", "有效减轻"),      # a household burden is social
    ("数量指标", "带动就业增收人数", "≥20人"),            # money gained is not 成本
    ("质量指标", "助餐点地面平整度", "≤5毫米"),            # a physical specification
    ("社会效益指标", "垃圾分类知晓率", "≥85%"),            # awareness is social
    ("服务对象满意度指标", "就餐老人满意度", "≥92%"),
])
def test_misclassified_stays_quiet_on_weak_or_matching_cues(level2: str, name: str,
                                                           value: str) -> None:
    result = table((level2, name, value))
    assert "misclassified_indicator" not in codes_on(result, name)


def test_misclassified_needs_a_heading() -> None:
    """Goal prose is classified, never filed: there is no heading to contradict."""
    result = table(("数量指标", "助餐服务人数", "≥1200人"),
                   goal="全年为老年人提供助餐服务，老年人满意率达到90%。")
    goal = record(result, "满意率达到90%")
    assert goal.label_source != "heading"
    assert "misclassified_indicator" not in goal.flags


# ---------------------------------------------------------------- R22 timeliness_without_time

def test_timeliness_without_time_fires_and_marks_vague() -> None:
    result = table(("时效指标", "助餐服务推进", "有序推进"), ("时效指标", "补贴发放", "按期发放"))
    assert len(found(result, "timeliness_without_time")) == 2
    assert record(result, "有序推进").vague


@pytest.mark.parametrize("value", ["2024年6月30日前", "每月10日前", "≤5个工作日", "年底前完成",
                                   "100%", "是"])
def test_timeliness_with_a_time_element_passes(value: str) -> None:
    result = table(("时效指标", "补贴发放时间", value))
    assert not found(result, "timeliness_without_time")


# ---------------------------------------------------------------- R23 / R24 / R48

@pytest.mark.parametrize("name", ["满意度", "项目满意度", "总体满意度"])
def test_satisfaction_without_a_group(name: str) -> None:
    result = table(("服务对象满意度指标", name, "≥90%"))
    assert found(result, "satisfaction_subject_missing")


@pytest.mark.parametrize("name", ["就餐老人满意度", "服务对象满意度", "受益群众满意度",
                                  "满意度（受益群众）"])
def test_satisfaction_with_a_group(name: str) -> None:
    result = table(("服务对象满意度指标", name, "≥90%"))
    assert not found(result, "satisfaction_subject_missing")


def test_free_text_satisfaction_without_a_group() -> None:
    doc = "一、产出指标\n（一）数量指标\n1.举办培训班≥3期\n二、满意度指标\n1.满意度达到95%以上\n"
    result = extractor.extract_document(doc)
    assert [f.text for f in found(result, "satisfaction_subject_missing")] == ["满意度达到95%以上"]


def test_satisfaction_subject_mismatch() -> None:
    result = table(("数量指标", "助餐服务人数", "≥1200人"), ("服务对象满意度指标", "游客满意度", "≥90%"),
                   ("服务对象满意度指标", "机关干部满意度", "≥90%"))
    by_text = {f.text.split("\t")[0]: f.severity for f in found(result, "satisfaction_subject_mismatch")}
    assert by_text == {"游客满意度": "warning", "机关干部满意度": "info"}


def test_satisfaction_subject_that_fits_the_project() -> None:
    result = table(("数量指标", "景区导览服务人次", "≥5000人次"), ("服务对象满意度指标", "游客满意度", "≥90%"),
                   project="景区旅游公共服务")
    assert not found(result, "satisfaction_subject_mismatch")


def test_satisfaction_value_atypical() -> None:
    result = table(("服务对象满意度指标", "就餐老人满意度", "=100%"),
                   ("服务对象满意度指标", "家属满意度", "≥60%"),
                   ("服务对象满意度指标", "社区居民满意度", "≥90%"))
    severities = {f.text.split("\t")[0]: f.severity for f in found(result, "satisfaction_value_atypical")}
    assert severities == {"就餐老人满意度": "warning", "家属满意度": "info"}


# ---------------------------------------------------------------- R32 / R33

def test_timeliness_is_whole_year() -> None:
    result = table(("时效指标", "助餐服务期间", "2024年1-12月"), ("时效指标", "补贴发放时间", "2024年6月30日前"))
    assert [f.text for f in found(result, "timeliness_is_whole_year")] == ["助餐服务期间\t2024年1-12月"]


def test_timeliness_whole_year_of_another_year_is_left_to_r31() -> None:
    result = table(("时效指标", "助餐服务期间", "2023年1-12月"))
    assert not found(result, "timeliness_is_whole_year")


def test_timeliness_standard_undefined() -> None:
    result = table(("时效指标", "补贴发放及时率", "=100%"), ("时效指标", "补贴发放时间", "每月10日前按时发放"))
    texts = [f.text for f in found(result, "timeliness_standard_undefined")]
    assert texts == ["补贴发放及时率\t=100%"]


# ---------------------------------------------------------------- R09 goal_not_measurable

@pytest.mark.parametrize("goal", ["加强宣传教育，在预防工作中起着基础和先导作用。",
                                  "负责全镇养老服务工作，负责助餐点管理，做好老年人关爱工作。"])
def test_goal_not_measurable(goal: str) -> None:
    assert found(table(("数量指标", "助餐服务人数", "≥1200人"), goal=goal), "goal_not_measurable")


def test_goal_with_a_figure_is_measurable() -> None:
    goal = "负责全镇养老服务工作，全年提供助餐服务不少于1200人，做好老年人关爱工作。"
    assert not found(table(("数量指标", "助餐服务人数", "≥1200人"), goal=goal), "goal_not_measurable")


# ---------------------------------------------------------------- R10 / R11 / R12

def test_unquantified_output_is_an_error_for_quantity() -> None:
    result = table(("数量指标", "助餐服务", "广泛开展助餐服务"), ("质量指标", "服务质量", "明显提高"))
    severities = {f.text.split("\t")[0]: f.severity for f in found(result, "unquantified_output")}
    assert severities == {"助餐服务": "error", "服务质量": "warning"}


def test_pass_fail_output_is_not_unquantified() -> None:
    result = table(("质量指标", "助餐点食品安全检查", "合格"), ("质量指标", "厨房设施", "符合国家二级标准"))
    assert not found(result, "unquantified_output")
    assert not any(i.vague for i in result.indicators)


def test_vague_wording_reports_its_words() -> None:
    doc = ("一、效益指标\n（一）社会效益指标\n1.进一步提高老年人生活质量\n"
           "2.老年人助餐就餐率由60%提高到80%\n")
    result = extractor.extract_document(doc)
    vague = found(result, "vague_wording")
    assert [f.text for f in vague] == ["进一步提高老年人生活质量"]
    assert vague[0].evidence["tokens"] == ["进一步", "提高"]


def test_qualitative_without_grades() -> None:
    result = table(("社会效益指标", "老年人生活质量", "有效提升"), ("社会效益指标", "助餐服务规范程度", "定性 优"))
    assert [f.text.split("\t")[0] for f in found(result, "qualitative_without_grades")] == ["老年人生活质量"]


def test_each_vague_record_gets_one_vague_finding_and_measurable_ones_none() -> None:
    result = table(("社会效益指标", "老年人生活质量", "有效提升"), ("时效指标", "助餐服务推进", "有序推进"),
                   ("数量指标", "助餐服务", "广泛开展助餐服务"), ("社会效益指标", "受益老年人", "≥1200人"))
    for ind in result.indicators:
        vague_flags = VAGUE_CODES & set(ind.flags)
        assert len(vague_flags) == (1 if ind.vague else 0), (ind.text, ind.flags)


# ---------------------------------------------------------------- R13 / R14 / R15 / R16

def test_comparator_missing_and_approximate() -> None:
    result = table(("数量指标", "助餐服务人数", "1200人"), ("数量指标", "送餐上门户数", "约300户"),
                   ("数量指标", "助餐点数量", "≥6个"))
    severities = {f.text.split("\t")[0]: f.severity for f in found(result, "comparator_missing_or_ambiguous")}
    assert severities == {"助餐服务人数": "info", "送餐上门户数": "warning"}


def test_comparator_nonstandard() -> None:
    result = table(("数量指标", "助餐服务人数", ">=1200人"), ("数量指标", "助餐点数量", "≥6个"))
    assert [f.evidence["written"] for f in found(result, "comparator_nonstandard")] == [">="]


def test_unit_for_physical_work_counted_in_times() -> None:
    result = table(("数量指标", "加固河道", "2次"), ("数量指标", "开展河道巡查", "≥24次"),
                   ("数量指标", "加固河堤长度", "≥3公里"))
    assert [f.text.split("\t")[0] for f in found(result, "unit_missing_or_mismatched")] == ["加固河道"]


def test_rate_in_quantity_slot() -> None:
    result = table(("数量指标", "助餐服务覆盖率", "≥90%"), ("数量指标", "助餐服务人数", "≥1200人"),
                   ("质量指标", "助餐服务覆盖率", "≥90%"))
    flagged = found(result, "rate_in_quantity_slot")
    assert len(flagged) == 1 and record(result, "≥90%").level2 == "quantity"


# ---------------------------------------------------------------- R17 / R18 / R19 / R20

def test_input_as_output_only_where_r21_is_silent() -> None:
    doc = "一、产出指标\n（一）数量指标\n1.开展调研4次、办公费用1万元\n2.举办培训班≥3期\n"
    result = extractor.extract_document(doc)
    assert found(result, "input_as_output") == []  # split clauses: R21 reports the money line
    assert "misclassified_indicator" in codes_on(result, "办公费用1万元")
    mixed = table(("数量指标", "调研及办公费用", "办公费用1万元，调研4次"))  # main value: 4次
    assert [f.evidence["money"] for f in found(mixed, "input_as_output")] == [["1万元"]]
    assert not found(mixed, "misclassified_indicator")


def test_formula_as_indicator() -> None:
    result = table(("成本指标", "补贴测算", "15人×500元×12个月=9万元"), ("成本指标", "助餐补贴标准", "8元/人"))
    assert [f.text.split("\t")[0] for f in found(result, "formula_as_indicator")] == ["补贴测算"]


def test_achievement_tense() -> None:
    doc = "一、效益指标\n（一）社会效益指标\n1.切实解决了老年人就餐难问题\n2.解决老年人就餐难问题户数≥300户\n"
    result = extractor.extract_document(doc)
    assert [f.evidence["matched"] for f in found(result, "achievement_tense")] == ["解决了"]


def test_effect_is_activity() -> None:
    doc = ("一、效益指标\n（一）社会效益指标\n1.组织开展助餐宣传活动\n2.进一步提高助餐宣传\n"
           "3.老年人助餐政策知晓率≥85%\n")
    result = extractor.extract_document(doc)
    assert {f.text for f in found(result, "effect_is_activity")} == {"组织开展助餐宣传活动", "进一步提高助餐宣传"}


# ---------------------------------------------------------------- R46 / R47

def test_target_too_low() -> None:
    result = table(("质量指标", "助餐补贴足额发放率", "≥95%"), ("质量指标", "厨师培训合格率", "≥80%"),
                   ("质量指标", "助餐补贴发放准确率", "=100%"), ("质量指标", "食品抽检合格率", "≥98%"))
    severities = {f.text.split("\t")[0]: f.severity for f in found(result, "target_too_low")}
    assert severities == {"助餐补贴足额发放率": "warning", "厨师培训合格率": "info"}


def test_absolute_or_unverifiable_target() -> None:
    result = table(("社会效益指标", "助餐政策知晓率", "=100%"), ("社会效益指标", "助餐安全", "杜绝食品安全事故"),
                   ("社会效益指标", "助餐政策知晓率", "≥90%"), ("质量指标", "补贴发放准确率", "=100%"))
    severities = sorted(f.severity for f in found(result, "absolute_or_unverifiable_target"))
    assert severities == ["info", "warning"]


# ---------------------------------------------------------------- configuration

def test_word_lists_come_from_the_data_file() -> None:
    config = load_config()
    assert "进一步" in config["wording.intensity"]
    assert config["classes.subject_keywords"]["游客"]


def test_holding_finds_every_indicator_a_word_list_names() -> None:
    """The one-scan index of classes.holding agrees with a test of each indicator's text."""
    from extractor.checks.base import Context
    from extractor.checks.classes import first_word, holding, norm

    result = table(("时效指标", "补贴发放及时率", "=100%"), ("数量指标", "助餐服务人数", ">=1200人"),
                   ("质量指标", "按时完成率", "≥95%"), ("时效指标", "完成时间", "按期完成"))
    ctx = Context(result, load_config())
    for words, normed in [(["及时", "按时", "按期"], True), ([">=", "≧"], False), (["无此词"], True)]:
        expect = [i for i in result.indicators if first_word(words, norm(i.text) if normed else i.text)]
        assert holding(ctx, words, normed) == expect
    assert len(holding(ctx, ["及时", "按时", "按期"])) == 3


def test_matching_agrees_with_a_search_of_each_text() -> None:
    """classes.matching scans the texts joined only with a pattern that cannot tell a NUL
    from a text's edge; other patterns fall back to every indicator."""
    from extractor.checks.base import Context
    from extractor.checks.classes import matching, norm, pattern

    result = table(("服务对象满意度指标", "满意度", "≥90%"), ("数量指标", "满意度调查次数", "≥2次"),
                   ("社会效益指标", "群众不满意率", "≤5%"), ("社会效益指标", "提升了服务水平", "明显"))
    ctx = Context(result, load_config())
    for words in ["(?<!不)满意(?:度|率|程度)(?!调查|测评|问卷)", ["(?:提升|改善)了"], ["满意$"]]:
        expect = [i for i in result.indicators if pattern(words).search(norm(i.text))]
        got = matching(ctx, words)
        assert [i for i in got if pattern(words).search(norm(i.text))] == expect
        assert len(got) == (len(result.indicators) if words == ["满意$"] else len(expect))
