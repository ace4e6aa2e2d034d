"""Check rules of the structure, years and projects families (RULES.md A, D, R25–R30,
R49–R52): each rule fires on a small document written for it and stays quiet on a near miss."""

from __future__ import annotations

import pytest

import extractor
from extractor.checks.base import load_config
from extractor.checks.years import year_mentions

# ---------------------------------------------------------------------------------------
# small documents

_LIST_HEAD = "单位编码\t单位及项目名称\t金额 (万元)\t绩效目标\t绩效指标\n"


def _body(qty: str, qual: str, time: str, social: str, sust: str,
          sat: str = "满意度达到95%以上") -> str:
    """One project's indicator cell in the numbered free-text layout."""
    return (f"一、产出指标 (一)数量指标 1.{qty} (二)质量指标 1.{qual} (三)时效指标 1.{time} "
            f"二、效益指标 (一)社会效益指标：{social} (二)可持续影响指标：{sust} 三、满意度指标：{sat}")


_RIVER = {"qty": "清理河道2次", "qual": "清理验收合格率100%", "time": "2024年12月底前完成",
          "social": "进一步改善河道环境", "sust": "有利于河道安全"}


def _river(**changes: str) -> str:
    """The indicator cell of a river project, with some slots changed."""
    return _body(**{**_RIVER, **changes})


def _projects(rows: list[tuple[str, str, str, str]], year: int = 2024,
              unit: str = "桐溪乡人民政府") -> str:
    """A project list table: (name, amount, goal, indicator cell) per project."""
    lines = [f"松岭县{unit}{year}年部门预算项目支出绩效目标公开表", "", _LIST_HEAD.rstrip("\n"),
             f"601\t{unit}\t50.00\t\t", f"601001\t{unit}\t50.00\t\t"]
    lines += [f"{k}\t{name}\t{amount}\t{goal}\t{cell}" for k, (name, amount, goal, cell) in enumerate(rows, 1)]
    return "\n".join(lines) + "\n"


def _table(name: str, rows: list[tuple[str, ...]], year: int = 2024,
           goal: str = "完成年度养护任务，改善群众出行条件。") -> str:
    """A one-project tab table (一级 / 二级 / 三级 / 指标值)."""
    lines = [f"澄江县{year}年项目支出绩效目标表", "", f"项目名称\t{name}", f"年度绩效目标\t{goal}",
             "一级指标\t二级指标\t三级指标\t指标值"]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


_ROAD_ROWS = [
    ("产出指标", "数量指标", "养护农村公路里程", "≥120公里"),
    ("", "质量指标", "养护路段路面抽检合格率", "≥95%"),
    ("", "时效指标", "养护任务完成时间", "2024年11月30日前"),
    ("效益指标", "社会效益指标", "沿线群众出行时间缩短", "≥10%"),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%"),
]


def _whole_unit(tasks: list[tuple[str, str, str]], goal: str, year: int = 2025) -> str:
    """A whole-unit table: tasks (name, 主要内容, amount), a numbered goal, a few indicators."""
    lines = ["部门（单位）整体支出绩效目标表", f"（{year}年度）", "",
             "部门（单位）名称\t\t南屏县水利局\t\t\t",
             "\t任务名称\t主要内容\t预算金额（万元）\t\t",
             "\t\t\t总额\t财政拨款\t其他资金"]
    for k, (name, content, amount) in enumerate(tasks):
        lead = "年度主要任务" if k == 0 else ""
        lines.append(f"{lead}\t{name}\t{content}\t{amount}\t{amount}\t0")
    lines += [f"年度总体目标\t{goal}\t\t\t\t",
              "\t一级指标\t二级指标\t三级指标\t指标值\t",
              "年度绩效指标\t产出指标\t数量指标\t巡查河道长度\t≥85公里",
              "\t\t质量指标\t巡查记录完整率\t≥95%",
              "\t效益指标\t社会效益指标\t河道防洪达标率\t≥90%",
              "\t满意度指标\t满意度指标\t沿河群众满意度\t≥90%"]
    return "\n".join(lines) + "\n"


def findings(text: str, code: str) -> list:
    return [f for f in extractor.extract_document(text).findings if f.code == code]


# ---------------------------------------------------------------------------------------
# R04 empty_enumerated_item (kept as it was)

def test_empty_item_fires_and_a_decimal_does_not() -> None:
    cell = _body("聘用保洁员20名 2.", "保洁检查达标率≥90%", "2024年12月底前完成", "进一步改善环境", "有利于长效保洁")
    found = findings(_projects([("村庄保洁经费", "12.00", "聘用保洁员开展村庄保洁。", cell)]), "empty_enumerated_item")
    assert [f.text for f in found] == ["2."]
    cell = _body("配置收集桶1.5万个", "保洁检查达标率≥90%", "2024年12月底前完成", "进一步改善环境", "有利于长效保洁")
    assert not findings(_projects([("村庄保洁经费", "12.00", "开展村庄保洁。", cell)]), "empty_enumerated_item")


# ---------------------------------------------------------------------------------------
# R05 truncated_text

def test_names_cut_at_one_length_are_truncated() -> None:
    rows = list(_ROAD_ROWS)
    rows[1] = ("", "质量指标", "养护路段路面平整度抽检合格率"[:13], "≥95%")
    rows.insert(2, ("", "质量指标", "新建桥涵工程竣工验收一次合格率"[:13], "100%"))
    found = findings(_table("农村公路养护", rows), "truncated_text")
    assert sorted(f.text for f in found) == ["养护路段路面平整度抽检合格", "新建桥涵工程竣工验收一次合"]
    assert all(f.evidence["length"] == 13 for f in found)


def test_names_of_equal_length_with_complete_endings_are_not_truncated() -> None:
    rows = list(_ROAD_ROWS)
    rows[1] = ("", "质量指标", "养护路段路面平整度抽检合格率", "≥95%")
    rows.insert(2, ("", "质量指标", "新建桥涵工程竣工验收一次合格率"[:14], "100%"))
    assert not findings(_table("农村公路养护", rows), "truncated_text")
    # a single longest name is no length limit
    rows[1] = ("", "质量指标", "养护路段路面平整度抽检合", "≥95%")
    rows[2] = ("", "质量指标", "桥涵竣工验收合格率", "100%")
    assert not findings(_table("农村公路养护", rows), "truncated_text")


def test_policy_phrase_cut_before_punctuation() -> None:
    goal = "1、健全基层应急体系，推进治理能力现。2、做好退役军、残疾人服务工作。"
    found = findings(_whole_unit([("河道巡查", "用于河道日常巡查", "20.00")], goal), "truncated_text")
    texts = sorted(f.text for f in found)
    assert texts == ["做好退役军、", "推进治理能力现。"]


def test_whole_policy_phrases_are_not_truncated() -> None:
    goal = "1、健全基层应急体系，推进治理能力现代化。2、做好退役军人服务工作，促进社会经济发展。"
    assert not findings(_whole_unit([("河道巡查", "用于河道日常巡查", "20.00")], goal), "truncated_text")


_TASKS = [("河道巡查", "用于开展河道日常巡查和水政执法", "20.00"),
          ("防汛物资", "用于购置防汛抢险物资和设备", "15.00"),
          ("水质监测", "用于农村饮用水水源地水质监测", "8.00")]


def test_description_ending_inside_a_word_is_truncated() -> None:
    tasks = [*_TASKS, ("示范创建", "用于开展节水型村庄创建，培育节水用水示", "6.00")]
    found = findings(_whole_unit(tasks, "1、完成年度河道巡查任务。"), "truncated_text")
    assert [f.text for f in found] == ["用于开展节水型村庄创建，培育节水用水示"]


def test_description_ending_in_a_whole_word_is_not_truncated() -> None:
    tasks = [*_TASKS, ("示范创建", "用于开展节水型村庄创建，培育节水用水示范户", "6.00")]
    assert not findings(_whole_unit(tasks, "1、完成年度河道巡查任务。"), "truncated_text")


def test_goal_starting_inside_a_word_is_truncated() -> None:
    cell = _river()
    found = findings(_projects([("河道巡查经费", "3.00", "展河道巡查，清理河道垃圾", cell)]), "truncated_text")
    assert [f.text for f in found] == ["展河道巡查"]
    found = findings(_projects([("河道巡查经费", "3.00", "开展河道巡查，清理河道垃圾", cell)]), "truncated_text")
    assert not found


# ---------------------------------------------------------------------------------------
# R31 stale_or_wrong_year, R34 outdated_policy_term

@pytest.fixture(scope="module")
def year_config() -> dict[str, list[str]]:
    config = load_config()
    keys = ("context_before", "context_after", "context_near", "policy_nouns", "target_verbs")
    return {k: config[f"years.{k}"] for k in keys}


@pytest.mark.parametrize("text", ["2023年按期完成培训任务", "2023年10月底前完成", "2023年1-12月",
                                  "2023.12.31前完成", "1.2023年6月30日前"])
def test_target_years(text: str, year_config: dict) -> None:
    assert [(m.year, m.target) for m in year_mentions(text, year_config)][0] == (2023, True)


@pytest.mark.parametrize("text", ["较2023年下降5%", "由2023年的80%提高到90%", "落实2023年中央一号文件精神",
                                  "《2023年乡村振兴实施方案》", "2021年至2025年", "2020年以来累计",
                                  "与2023年同期相比", "按照2023年标准发放"])
def test_context_years(text: str, year_config: dict) -> None:
    assert all(not m.target for m in year_mentions(text, year_config))


def test_stale_deadline_is_an_error() -> None:
    rows = list(_ROAD_ROWS)
    rows[2] = ("", "时效指标", "养护任务完成时间", "2023年11月30日前")
    found = findings(_table("农村公路养护", rows), "stale_or_wrong_year")
    assert [f.text for f in found] == ["养护任务完成时间\t2023年11月30日前"]
    assert found[0].severity == "error" and found[0].evidence["years"] == [2023]


def test_context_and_current_years_are_not_stale() -> None:
    rows = list(_ROAD_ROWS)
    rows[3] = ("效益指标", "社会效益指标", "交通事故起数较2023年下降", "≥10%")
    assert not findings(_table("农村公路养护", rows), "stale_or_wrong_year")
    # a header date is no indicator
    text = _table("农村公路养护", _ROAD_ROWS).replace("项目名称", "编制日期\t2023年12月20日\n项目名称", 1)
    assert not findings(text, "stale_or_wrong_year")


def test_stale_year_in_goal_prose_needs_a_deadline() -> None:
    cell = _river()
    stale = _projects([("河道巡查经费", "3.00", "开展河道巡查，2023年底前完成河道清淤", cell)])
    assert [f.text for f in findings(stale, "stale_or_wrong_year")] == ["2023年底前完成河道清淤"]
    context = _projects([("河道巡查经费", "3.00", "在2023年工作基础上，开展河道巡查", cell)])
    assert not findings(context, "stale_or_wrong_year")


def test_outdated_policy_term() -> None:
    cell = _river(qty="走访帮扶户120户", social="助力打赢脱贫攻坚战", sust="有利于巩固拓展脱贫攻坚成果")
    found = findings(_projects([("驻村帮扶经费", "6.00", "开展驻村帮扶。", cell)]), "outdated_policy_term")
    assert [f.text for f in found] == ["助力打赢脱贫攻坚战"]
    cell = cell.replace("助力打赢脱贫攻坚战", "脱贫户人均纯收入增长≥5%")
    assert not findings(_projects([("驻村帮扶经费", "6.00", "开展驻村帮扶。", cell)]), "outdated_policy_term")


# ---------------------------------------------------------------------------------------
# R01 missing_required_primary, R02 missing_core_secondary, R03 empty_secondary_slot,
# R08 too_few_indicators

def test_missing_benefit_class_is_an_error() -> None:
    rows = [r for r in _ROAD_ROWS if r[0] != "效益指标"]
    found = findings(_table("农村公路养护", rows), "missing_required_primary")
    assert [(f.severity, f.evidence["missing"]) for f in found] == [("error", "benefit")]
    assert not findings(_table("农村公路养护", _ROAD_ROWS), "missing_required_primary")


def test_missing_satisfaction_needs_recipients() -> None:
    rows = [r for r in _ROAD_ROWS if r[0] != "满意度指标"]
    found = findings(_table("农村公路养护", rows), "missing_required_primary")
    assert [(f.severity, f.evidence["missing"]) for f in found] == [("warning", "satisfaction")]
    rows = [(a, b, c.replace("群众", "车辆"), d) for a, b, c, d in rows]
    assert not findings(_table("农村公路养护", rows, goal="完成年度养护任务。"), "missing_required_primary")


def test_missing_quality_class() -> None:
    rows = [r for r in _ROAD_ROWS if r[1] != "质量指标"]
    found = findings(_table("农村公路养护", rows), "missing_core_secondary")
    assert [f.evidence["missing"] for f in found] == ["quality"]
    assert not findings(_table("农村公路养护", _ROAD_ROWS), "missing_core_secondary")


def test_empty_secondary_row() -> None:
    rows = [*_ROAD_ROWS[:4], ("", "生态效益指标", "", ""), *_ROAD_ROWS[4:]]
    found = findings(_table("农村公路养护", rows), "empty_secondary_slot")
    assert [(f.text, f.severity) for f in found] == [("生态效益指标", "info")]
    assert not findings(_table("农村公路养护", _ROAD_ROWS), "empty_secondary_slot")


def test_too_few_valued_indicators() -> None:
    cell = _body("开展日常工作", "提高工作质量", "2024年按期完成", "进一步提高效率", "有利于工作开展")
    found = findings(_projects([("政协工作经费", "1.50", "做好政协工作。", cell)]), "too_few_indicators")
    assert [f.evidence["valued"] for f in found] == [2]
    cell = _body("开展视察调研6次", "提案办结率100%", "2024年按期完成", "进一步提高效率", "有利于工作开展")
    assert not findings(_projects([("政协工作经费", "1.50", "做好政协工作。", cell)]), "too_few_indicators")


# ---------------------------------------------------------------------------------------
# R06 numbering_anomaly, R07 near_duplicate_text

def test_numbering_anomalies() -> None:
    goal = "1、保障河道巡查；2、确保2.防汛物资储备到位；4、完成水质监测。"
    found = findings(_whole_unit(_TASKS, goal), "numbering_anomaly")
    assert {f.evidence.get("number") for f in found} >= {2, 4}
    assert not findings(_whole_unit(_TASKS, "1、保障河道巡查；2、防汛物资储备到位；3、完成水质监测。"),
                        "numbering_anomaly")


def test_near_duplicate_goal_items() -> None:
    item = "通过补助发放，稳定河道巡查员队伍，确保巡查员长期在村开展河道巡查工作，全面提升{}水平"
    goal = f"1、{item.format('河道管护')}。2、完成水质监测。3、{item.format('河道保护')}。"
    found = findings(_whole_unit(_TASKS, goal), "near_duplicate_text")
    assert len(found) == 1 and found[0].evidence["ratio"] >= 0.9
    goal = f"1、{item.format('河道管护')}。2、完成水质监测。3、开展防汛演练，提高应急处置能力和水平。"
    assert not findings(_whole_unit(_TASKS, goal), "near_duplicate_text")


# ---------------------------------------------------------------------------------------
# R25, R26, R29, R30 across projects; R49–R52

def _four_projects(extra: str = "") -> str:
    river = _river(time="2024年按期完成培训任务")
    rows = [
        ("民兵训练经费", "1.50", "组织民兵开展军事训练和培训。",
         _body("完成民兵培训50人", "培训合格率100%", "2024年按期完成培训任务", "进一步提高民兵素质",
               "有利于武装工作正规化")),
        ("村干部报酬", "80.00", "按时发放村干部报酬。",
         _body("发放村干部报酬28人", "报酬发放准确率100%", "2024年按期完成培训任务", "村干部队伍稳定",
               "有利于村级工作开展")),
        ("河道清理经费", "1.50", "对河道进行清理和加固，保障汛期河道安全。", river),
        ("河道维修经费", "1.30", "对河道进行清理和维修，保障汛期河道安全" + extra + "。",
         river.replace("清理河道2次", "维修河道2次")),
    ]
    return _projects(rows)


def test_boilerplate_line_in_most_projects() -> None:
    found = findings(_four_projects(), "boilerplate_across_projects")
    satisfaction = [f for f in found if "满意度" in f.text]
    assert len(satisfaction) == 4 and all(f.severity == "warning" for f in satisfaction)
    assert all("社会效益" not in f.text and "民兵素质" not in f.text for f in found)


def test_copied_training_line_in_a_project_without_training() -> None:
    found = findings(_four_projects(), "copy_paste_residue")
    assert {f.project for f in found} == {"村干部报酬", "河道清理经费", "河道维修经费"}
    assert all("民兵" not in (f.project or "") for f in found)


def test_overlapping_river_projects() -> None:
    found = findings(_four_projects(), "overlapping_projects")
    assert [(f.project, f.evidence["other"]) for f in found] == [("河道维修经费", "河道清理经费")]
    assert not any("民兵" in (f.project or "") for f in found)


def test_effect_beyond_the_units_level() -> None:
    cell = _river(social="全县河道水质明显改善", sust="有利于全乡河道安全")
    found = findings(_projects([("河道清理经费", "1.50", "清理河道。", cell)]), "scope_level_mismatch")
    assert [f.evidence["scopes"] for f in found] == [["全县"]]


def test_typos_and_repeated_words() -> None:
    cell = _body("走访慰问困难群众30户", "慰问对象核实准确率100%", "2024年12月底前完成",
                 "进一步关系困难群众生活", "营造营造良好氛围")
    found = findings(_projects([("困难群众慰问", "1.20", "开展慰问，人人享有关爱。", cell)]), "typo_or_repetition")
    assert {f.evidence["fix"] for f in found} == {"关心", "营造"}


def test_malformed_document_number() -> None:
    cell = _river()
    bad = _projects([("河道清理经费", "1.50", "根据县政府《2019》8号文件开展河道清理。", cell)])
    assert [f.text for f in findings(bad, "malformed_doc_reference")] == ["《2019》8号"]
    good = _projects([("河道清理经费", "1.50", "根据松政发〔2019〕8号文件开展河道清理。", cell)])
    assert not findings(good, "malformed_doc_reference")


def test_effect_copied_from_the_goal() -> None:
    goal = "清理辖区河道垃圾，改善农村人居环境，提升群众生活质量。"
    cell = _river(social="改善农村人居环境，提升群众生活质量")
    found = findings(_projects([("河道清理经费", "1.50", goal, cell)]), "indicator_copies_goal")
    assert [f.text for f in found] == ["改善农村人居环境，提升群众生活质量"]
    cell = cell.replace("改善农村人居环境，提升群众生活质量", "河道垃圾清运率达到95%以上")
    assert not findings(_projects([("河道清理经费", "1.50", goal, cell)]), "indicator_copies_goal")


def test_item_number_glued_to_a_year() -> None:
    cell = _river()
    found = findings(_projects([("河道清理经费", "1.50", "清理河道。", cell)]), "enumerator_digit_collision")
    assert [f.text for f in found] == ["1.2024年12月底前完成"]
    spaced = cell.replace("1.2024年", "1. 2024年")
    assert not findings(_projects([("河道清理经费", "1.50", "清理河道。", spaced)]), "enumerator_digit_collision")


def test_one_goal_of_several_ending_inside_a_word() -> None:
    rows = [("河道巡查经费", "3.00", "开展河道巡查，清理河道垃圾", _river()),
            ("防汛物资经费", "2.00", "购置防汛物资，提升应急能力", _river()),
            ("节水创建经费", "1.00", "开展节水型村庄创建，培育节水用水示", _river())]
    found = findings(_projects(rows), "truncated_text")
    assert [f.text for f in found] == ["培育节水用水示"]
    rows[2] = ("节水创建经费", "1.00", "开展节水型村庄创建，培育节水用水示范户", _river())
    assert not findings(_projects(rows), "truncated_text")


def test_the_wide_han_class_of_the_slip_scan_holds_every_han_character() -> None:
    """R49 rules a text out with the stdlib `re` and a wider class than \\p{Han}: a Han
    character outside it would let a doubled word go unreported."""
    import re

    import regex

    from extractor.checks.projects import WIDE_HAN

    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)
    han = regex.findall(r"\p{Han}", every)
    assert len(han) > 90000
    assert re.sub(WIDE_HAN, "", "".join(han)) == ""
    assert [m.group() for m in re.finditer(f"({WIDE_HAN}{{2,4}})\\1", "营造营造良好，，，，氛围")] == ["营造营造"]


def test_normalised_all_reads_each_text_as_normalised_does() -> None:
    from extractor.checks.projects import normalised, normalised_all

    texts = ["1.满意度达到95%以上。", "", "（二）培训 合格率≥90%", "2、1.5万元", "一、\t产出", "a\0b"]
    assert normalised_all(texts) == [normalised(t) for t in texts]
    assert normalised_all(texts[:5]) == [normalised(t) for t in texts[:5]]
    assert normalised_all([]) == []


def test_leading_literal_is_what_every_match_of_an_alternative_starts_with() -> None:
    from extractor.checks.projects import _alternatives, _confusion_literals, leading_literal

    cases = {"使用(?=[^，。]{1,12}向)": ["使用"], "提提高|提提升": ["提提高", "提提升"],
             "(?<=纠纷[^，|。]{0,8})调节|调节(?=纠纷)": ["调节", "调节"], "ab?c": ["a"],
             "ab+c": ["ab"], "ab{0,2}": ["a"], "a*bc": [""], "[x]ab": [""], r"\d年": [""]}
    for pattern, literals in cases.items():
        assert [leading_literal(a) for a in _alternatives(pattern)] == literals, pattern
    assert _confusion_literals(("(?i)ab",)) is None and _confusion_literals(("a|[b]",)) is None
    assert _confusion_literals(("科技(?=及以下)", "提改善")).pattern == "提改善|科技"


def test_within_length_is_the_real_quick_ratio_bound_in_arrival_order() -> None:
    """R51's length window against the bound it stands in for: every text it leaves out
    fails 2·min/(sum) ≥ threshold, and the kept ones come in their order of arrival."""
    import bisect
    import random

    from extractor.checks.structure import _within_length

    rng = random.Random(7)
    for _ in range(200):
        texts = list(dict.fromkeys("x" * rng.randint(1, 120) + str(k) for k in range(rng.randint(0, 40))))
        by_length: list = []
        for rank, text in enumerate(texts):
            bisect.insort(by_length, (len(text), rank, text))
        size, threshold = rng.randint(1, 150), rng.choice([0.0, 0.5, 0.8, 0.85, 0.9, 1.0, 1.5])
        got = _within_length(by_length, size, threshold)
        assert got == [t for t in texts if t in got]  # arrival order
        for text in set(texts) - set(got):
            assert 2.0 * min(len(text), size) / (len(text) + size) < threshold
