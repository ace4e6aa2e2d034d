"""Classification: rules of classes.toml, the trained model, and how records take labels."""

from __future__ import annotations

import pytest

import extractor
from extractor import classify
from extractor.deadlines import find_deadlines
from extractor.quantities import choose_target, find_quantities


def _infer(text: str, level1: str | None = None, year: int = 2024):
    found = find_quantities(text)
    deadline = next(iter(find_deadlines(text, year)), None)
    return classify.infer(text, choose_target(found, text), found, deadline, year, level1)


@pytest.mark.parametrize(
    ("text", "level1", "level2", "cue"),
    [
        ("受助群众满意度≥90%", "satisfaction", "satisfaction", "satisfaction_word"),
        ("带动农户户均增收3000元", "benefit", "economic", "money_gained"),
        ("减少林木损失约120万元", "benefit", "economic", "money_gained"),
        ("资金拨付及时率≥98%", "output", "timeliness", "time_element"),
        ("防汛物资于5月31日前配发到位", "output", "timeliness", "dated"),
        ("设施设计使用年限不少于10年", "benefit", "sustainability", "durability"),
        ("人均培训成本≤200元", "output", "cost", "cost_word"),
    ],
)
def test_decisive_rules(text: str, level1: str, level2: str, cue: str) -> None:
    label = _infer(text)
    assert label is not None
    assert (label.level1, label.level2, label.source, label.cue) == (level1, level2, "rule", cue)
    assert label.confidence >= classify.DECISIVE


def test_a_whole_year_is_not_a_time_element() -> None:
    label = _infer("全年组织森林防火巡护不少于2400人次")
    assert label is not None and label.level2 == "quantity"


@pytest.mark.parametrize(
    ("text", "level2"),
    [("新建村级文化活动广场3处", "quantity"), ("工程竣工验收合格率100%", "quality"),
     ("河道断面水质达到III类", "ecological"), ("矛盾纠纷调解成功率≥95%", "social"),
     ("施工期水土流失面积≤2亩", "ecological_cost"), ("夜间施工扰民投诉≤3次", "social_cost")],
)
def test_classes_from_rules_or_model(text: str, level2: str) -> None:
    label = _infer(text)
    assert label is not None and label.level2 == level2
    assert 0.0 < label.confidence <= 1.0


def test_a_heading_level1_restricts_the_classes() -> None:
    label = _infer("群众防灾意识明显增强", level1="benefit")
    assert label is not None and label.level1 == "benefit"


def test_unlabelled_goal_clauses_take_the_inferred_label() -> None:
    doc = "项目名称：森林防火\n绩效目标：全年开展扑火队员培训2期，林区群众满意度达到95%。\n"
    got = [(i.field, i.level1, i.level2, i.label_source) for i in extractor.extract(doc)]
    assert got == [("goal", "output", "quantity", got[0][3]),
                   ("goal", "satisfaction", "satisfaction", "rule")]
    assert got[0][3] in ("rule", "model")


def test_heading_labels_are_kept_and_strong_disagreement_is_marked() -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标值\n"
           "产出指标\t质量指标\t服务对象满意度\t≥90%\n"
           "产出指标\t质量指标\t培训合格率\t≥95%\n")
    wrong, right = extractor.extract(doc)
    assert (wrong.level2, wrong.label_source, wrong.confidence) == ("quality", "heading", 1.0)
    assert wrong.inferred is not None and wrong.inferred.level2 == "satisfaction"
    assert wrong.misfiled is True
    assert right.misfiled is False


def test_a_weak_rule_yields_only_to_a_surer_model(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "为残疾儿童提供康复救助42人"
    found = find_quantities(text)
    rule = classify.first_rule(text, found[0], found, None, 2024)
    assert rule is not None and rule.level2 == "quantity" and rule.confidence < classify.DECISIVE
    monkeypatch.setattr(classify, "_model_guess", lambda text, allowed: ("social", rule.confidence - 0.1))
    assert classify.infer(text, found[0], found, None, 2024).level2 == "quantity"
    monkeypatch.setattr(classify, "_model_guess", lambda text, allowed: ("social", rule.confidence + 0.1))
    assert classify.infer(text, found[0], found, None, 2024).level2 == "social"
