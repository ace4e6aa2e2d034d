"""Items with several measured clauses are split; a single measured clause stays whole."""

from __future__ import annotations

import pytest

from extractor.clauses import cut, measured, split_measured


def _split(text: str, goal: bool = False) -> list[str]:
    return [text[s:e] for s, e in split_measured(text, goal=goal)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("培训农民1次50人,开展入户宣传20次,宣传面达到95%",
         ["培训农民1次50人", "开展入户宣传20次", "宣传面达到95%"]),
        ("巡查维护集中供水工程6处、分散供水点35个", ["巡查维护集中供水工程6处", "分散供水点35个"]),
        ("维修管网2.4公里；开展水质检测4次。", ["维修管网2.4公里", "开展水质检测4次"]),
        ("聘用村级综治网格员24人，进一步提升服务水平",
         ["聘用村级综治网格员24人，进一步提升服务水平"]),
        ("小麦、玉米种植面积5.2万亩", ["小麦、玉米种植面积5.2万亩"]),
        ("完成培训（含线上、线下各1次，共2次），参训率100%",
         ["完成培训（含线上、线下各1次，共2次）", "参训率100%"]),
        ("持续提升群众满意度", ["持续提升群众满意度"]),
    ],
    ids=["three-clauses", "minor-separator", "semicolon", "single-measured-whole",
         "unmeasured-joins-next", "brackets-do-not-cut", "unmeasured-whole"],
)
def test_split_measured(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_goal_drops_unmeasured_clauses_and_leads() -> None:
    text = "1.为全乡8个行政村配备综治网格员，按月发放补贴，维护农村社会稳定"
    assert _split(text, goal=True) == ["为全乡8个行政村配备综治网格员"]


def test_goal_framing_date_is_not_a_target() -> None:
    assert _split("2024年，通过实施本项目，改善人居环境", goal=True) == []


def test_measured() -> None:
    assert measured("开展排查12次")
    assert measured("2024年6月30日前完成")
    assert not measured("进一步提升群众安全感")
    assert not measured("全年持续推进", dated_only=True)


def test_cut_trims_and_skips_empty() -> None:
    text = "，甲1人；；乙2人。"
    assert [text[s:e] for s, e in cut(text, "，；。")] == ["甲1人", "乙2人"]

