"""The unit registry: canonical names, aliases, kinds, compound rates, header units."""

from __future__ import annotations

import pytest
from conftest import read_values

import extractor
from extractor import lexicon

CASES = [
    ("5 km", "公里", "measure"), ("15M", "米", "measure"), ("500亩", "亩", "measure"),
    ("2万亩", "万亩", "measure"), ("800平方米", "平方米", "measure"), ("80㎡", "平方米", "measure"),
    ("90平米", "平方米", "measure"), ("3公顷", "公顷", "measure"), ("50hm", "公顷", "measure"),
    ("20立方米", "立方米", "measure"), ("5吨", "吨", "measure"), ("3t", "吨", "measure"),
    ("30公斤", "公斤", "measure"), ("20kg", "公斤", "measure"),
    ("5天", "天", "duration"), ("5日", "天", "duration"), ("5个工作日", "工作日", "duration"),
    ("3小时", "小时", "duration"), ("2周", "周", "duration"), ("6个月", "个月", "duration"),
    ("3年", "年", "duration"),
    ("85人次", "人次", "count"), ("7名", "名", "count"), ("30户", "户", "count"),
    ("9个", "个", "count"), ("4场次", "场次", "count"), ("6期", "期", "count"),
    ("3篇", "篇", "count"), ("12件", "件", "count"), ("1700批次", "批次", "count"),
    ("2台", "台", "count"), ("3辆", "辆", "count"), ("5座", "座", "count"), ("8条", "条", "count"),
    ("500株", "株", "count"), ("40头", "头", "count"), ("300只", "只", "count"),
    ("2万粒", "万粒", "count"), ("七村", "村", "count"), ("5000份", "份", "count"),
    ("95%", "%", "rate"), ("95％", "%", "rate"), ("95百分比", "%", "rate"), ("3个百分点", "%", "rate"),
    ("0.97比例", "%", "rate"),
    ("1000元", "元", "money"), ("4.5万元", "万元", "money"), ("3亿元", "亿元", "money"),
    ("70萬元", "万元", "money"), ("1.8万", "万元", "money"), ("￥100", "元", "money"),
    ("1313個", "个", "count"),
    ("2万美元", "万美元", "money"), ("30欧元", "欧元", "money"), ("500港元", "港元", "money"),
    ("8000日元", "日元", "money"), ("40英镑", "英镑", "money"), ("10集", "集", "count"),
    ("3幅", "幅", "count"), ("60盏", "盏", "count"), ("5首", "首", "count"),
    ("1200人/次", "人次", "count"), ("千分之五", "‰", "rate"), ("三成", "%", "rate"),
]


@pytest.mark.parametrize(("text", "unit", "kind"), CASES, ids=[c[0] for c in CASES])
def test_units(text: str, unit: str, kind: str) -> None:
    (q,) = read_values(text)
    assert (q[2], q[4]) == (unit, kind)


RATES = [
    ("800元/人·月", "元/人/月"), ("800元/人*月", "元/人/月"), ("800元/人/月", "元/人/月"),
    ("1200元/生/年", "元/生/年"), ("100元/人、天", "元/人/天"), ("3.5万元/村", "万元/村"),
    ("2批次/千人", "批次/千人"), ("每人每月200元", "元/人/月"), ("每年每人4.5万元", "万元/人/年"),
    ("每月合计1.9万元", "万元/月"), ("每村1.8万", "万元/村"),
]


@pytest.mark.parametrize(("text", "unit"), RATES, ids=[r[0] for r in RATES])
def test_compound_rates_keep_the_divisor(text: str, unit: str) -> None:
    (q,) = read_values(text)
    assert q[2] == unit


def test_registry_has_at_least_eighty_units_with_valid_kinds() -> None:
    units = lexicon.load().units
    names = {d.name for d in units.values()}
    assert len(names) >= 80
    assert {d.kind for d in units.values()} <= lexicon.UNIT_KINDS


def test_a_traditional_alias_maps_to_the_simplified_name() -> None:
    assert lexicon.load().canonical_unit("萬元") == ("万元", "money")


def test_unit_column_applies_to_bare_values() -> None:
    doc = ("一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\n"
           "产出指标\t数量指标\t改造农村公路\t≥\t12.5\t公里\n")
    (ind,) = extractor.extract(doc)
    assert ind.target is not None
    assert (ind.target.value, ind.target.unit, ind.target.operator, ind.target.kind) == \
        (12.5, "公里", "≥", "measure")


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [("指标值", "造林面积（亩）\t80000", (80000, "亩", "measure")),
     ("指标值（万元）", "项目总成本\t≤45", (45, "万元", "money")),
     ("指标值", "补助人数(人)\t=\t116", (116, "人", "count"))],
    ids=["name-bracket", "column-header", "shifted-operator"],
)
def test_units_stated_outside_the_value(header: str, row: str, expected: tuple) -> None:
    doc = f"一级指标\t二级指标\t三级指标\t{header}\n产出指标\t数量指标\t{row}\n"
    (ind,) = extractor.extract(doc)
    assert ind.target is not None
    assert (ind.target.value, ind.target.unit, ind.target.kind) == expected
