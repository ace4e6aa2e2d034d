"""Comparison operators: symbols, ASCII, CJK variants, words before and after, columns, OCR."""

from __future__ import annotations

import pytest
from conftest import read_values

import extractor

CASES = [
    ("≥90%", "≥"), (">=90%", "≥"), ("≧90%", "≥"), ("＞＝90%", "≥"), ("=>90%", "≥"),
    ("≤5%", "≤"), ("<=5%", "≤"), ("≦5%", "≤"), ("═100%", "="), ("=100%", "="), ("100%", "="),
    (">92%", ">"), ("<24小时", "<"), ("≈50人", "≈"),
    ("90%以上", "≥"), ("90%及以上", "≥"), ("不低于90%", "≥"), ("不少于50人", "≥"), ("至少3次", "≥"),
    ("达到100%", "≥"), ("大于等于90%", "≥"), ("大于或等于90%", "≥"), ("不小于90%", "≥"),
    ("5%以内", "≤"), ("5%以下", "≤"), ("不超过5万元", "≤"), ("不高于20元", "≤"),
    ("控制在5%以内", "≤"), ("小于等于5%", "≤"), ("±3%以内", "≤"),
    ("超过80%", ">"), ("高于90%", ">"), ("大于90%", ">"),
    ("低于5%", "<"), ("少于3次", "<"), ("小于5%", "<"), ("不足5%", "<"),
    ("约50人", "≈"), ("50人左右", "≈"), ("50余人", "≈"), ("近200人", "≈"),
    ("2次以上", "≥"),
]


@pytest.mark.parametrize(("text", "operator"), CASES, ids=[c[0] for c in CASES])
def test_operators(text: str, operator: str) -> None:
    (q,) = read_values(text)
    assert q[0] == text
    assert q[3] == operator


@pytest.mark.parametrize(
    ("text", "expected"),
    [("满意度292%", ("292%", 92, "≥")), ("合格率$95%", ("$95%", 95, "≥")),
     ("\t工90%", ("工90%", 90, "≥")), ("覆盖率\t二95%", ("二95%", 95, "≥")),
     ("误差\tW5%", ("W5%", 5, "≤"))],
    ids=["two-for-sign", "dollar", "gong", "er", "w"],
)
def test_ocr_signs_when_unambiguous(text: str, expected: tuple) -> None:
    (q,) = read_values(text)
    assert (q[0], q[1], q[3]) == expected


@pytest.mark.parametrize("text", ["产值同比增长295%", "施工90%", "第二95%"])
def test_ocr_readings_stay_off_where_the_text_is_plausible(text: str) -> None:
    assert all(op == "=" for _, _, _, op, _ in read_values(text))


@pytest.mark.parametrize("text", ["省级以上媒体", "县级以下单位", "标准以上"])
def test_bound_words_after_a_word_are_not_operators(text: str) -> None:
    assert read_values(text) == []


@pytest.mark.parametrize(
    ("cell", "operator"),
    [("大于等于", "≥"), ("小于等于", "≤"), ("等于", "="), ("≥", "≥"), ("≧", "≥"), ("═", "="),
     ("正向", "≥"), ("反向", "≤")],
)
def test_operator_column(cell: str, operator: str) -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\n"
           f"产出指标\t数量指标\t巡查监测点\t{cell}\t126\t处\n")
    (ind,) = extractor.extract(doc)
    assert ind.target is not None and ind.target.operator == operator


def test_direction_column_does_not_override_a_sign() -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t指标方向\n"
           "产出指标\t质量指标\t设备故障率\t≤\t2\t%\t正向\n")
    (ind,) = extractor.extract(doc)
    assert ind.target is not None and ind.target.operator == "≤"
