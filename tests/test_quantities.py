"""find_quantities in context and choose_target (numbers, units, operators and distractors
have their own table-driven files)."""

from __future__ import annotations

import pytest

from extractor import find_quantities
from extractor.quantities import choose_target

CASES = [
    ("3000人以下", [(3000, "人", "≤")]),
    ("7个小村×3.5万元/村=24.5万元", [(7, "个", "="), (3.5, "万元/村", "="), (24.5, "万元", "=")]),
    ("每人每月200元", [(200, "元/人/月", "=")]),
    ("每年每人4.5万元", [(4.5, "万元/人/年", "=")]),
    ("每年慰问一次", [(1, "次/年", "=")]),
    ("两个", [(2, "个", "=")]),
    ("百分之九十", [(90, "%", "=")]),
    ("≥24.6万人", [(24.6, "万人", "≥")]),
    ("200余人", [(200, "人", "≈")]),
    ("控制在0.2%以内", [(0.2, "%", "≤")]),
    ("达到95％", [(95, "%", "≥")]),
    ("≤48小时", [(48, "小时", "≤")]),
    ("培训农民1次50人", [(1, "次", "="), (50, "人", "=")]),
    ("1,200人", [(1200, "人", "=")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_quantities(text: str, expected: list[tuple[float, str, str]]) -> None:
    found = find_quantities(text)
    assert [(q.unit, q.operator) for q in found] == [(u, op) for _, u, op in expected]
    assert [q.value for q in found] == pytest.approx([v for v, _, _ in expected])
    for q in found:
        assert q.span is not None
        assert q.text == text[q.span.start:q.span.end]


# Value forms of published tables, each with the look-alikes that must stay as they are:
# (text, expected [(operator, value, unit)]).
Forms = list[tuple[str, list[tuple[str, float, str]]]]

CHINESE_NUMERALS_WITH_MEASURES: Forms = [
    ("修建步道三百米", [("=", 300, "米")]),
    ("每份四十克", [("=", 40, "克/份")]),
    ("二十五公里", [("=", 25, "公里")]),
    ("平整土地三万平方米", [("=", 3, "万平方米")]),
    ("每袋四十千克", [("=", 40, "公斤")]),
    ("处置时间不超过二十分钟", [("≤", 20, "分钟")]),
    ("栽植五百株", [("=", 500, "株")]),
    ("新建两栋", [("=", 2, "栋")]),
    ("三老四类人员", []),
    ("一级指标", []),
    ("一村一法律顾问", []),
    ("一次性补助", []),
    ("第三方评价", []),
    ("无一例外", []),
    ("千米", []),
    ("建成两个中心", [("=", 2, "个")]),
]

MIXED_SCALES: Forms = [
    ("补助7万5千4百元", [("=", 75400, "元")]),
    ("服务1万2千人", [("=", 12000, "人")]),
    ("奖励3千4百元", [("=", 3400, "元")]),
    ("投入5千3百万元", [("=", 5300, "万元")]),
    ("投入两千万元", [("=", 2000, "万元")]),
    ("补助7万元", [("=", 7, "万元")]),
    ("10万100人", [("=", 10, "万元"), ("=", 100, "人")]),
]

YUAN_PARTS: Forms = [
    ("每人5元3角", [("=", 5.3, "元/人")]),
    ("单价5元3角2分", [("=", 5.32, "元")]),
    ("5元5角/人", [("=", 5.5, "元/人")]),
    ("30万元3角", [("=", 30, "万元")]),
    ("考核得分5分", []),
]

CURRENCIES: Forms = [
    ("2万美元", [("=", 2, "万美元")]),
    ("援助50欧元", [("=", 50, "欧元")]),
    ("100港元", [("=", 100, "港元")]),
    ("3000日元", [("=", 3000, "日元")]),
    ("20英镑", [("=", 20, "英镑")]),
    ("2万元", [("=", 2, "万元")]),
    ("¥100", [("=", 100, "元")]),
]

SHARES: Forms = [
    ("百分之百", [("=", 100, "%")]),
    ("百分之八十五", [("=", 85, "%")]),
    ("千分之五", [("=", 5, "‰")]),
    ("提高两成", [("=", 20, "%")]),
    ("覆盖三成，", [("=", 30, "%")]),
    ("九成以上", [("≥", 90, "%")]),
    ("不低于八成", [("≥", 80, "%")]),
    ("3个百分点", [("=", 3, "%")]),
    ("完成率100%", [("=", 100, "%")]),
    ("成本控制", []),
    ("完成", []),
    ("成为示范", []),
    ("成效明显", []),
    ("一成不变", []),
    ("统一成、规范", []),
    ("两成员单位", []),
    ("三成人", []),
]

NEGATIVE_RATES: Forms = [
    ("成本下降-2.5%", [("=", -2.5, "%")]),
    ("增长率为-2%", [("=", -2, "%")]),
    ("≥-5%", [("≥", -5, "%")]),
    ("降幅-1.5%以内", [("≤", -1.5, "%")]),
    ("0-6岁儿童", [("≥", 0, "岁"), ("≤", 6, "岁")]),
    ("1-5%", [("≥", 1, "%"), ("≤", 5, "%")]),
    ("5%-10%", [("=", 5, "%"), ("=", 10, "%")]),
    ("5 - 10%", [("≥", 5, "%"), ("≤", 10, "%")]),
    ("2023-2024年", []),
    ("1-2月", []),
    ("财预〔2024〕12号", []),
    ("A-12%", [("=", 12, "%")]),
    ("290%", [("≥", 90, "%")]),
]

COUNTING_WORDS: Forms = [
    ("播出10集", [("=", 10, "集")]),
    ("出版图书3部", [("=", 3, "部")]),
    ("3部门联合检查", [("=", 3, "部门")]),
    ("分为3部分", [("=", 3, "部分")]),
    ("制作展板20幅", [("=", 20, "幅")]),
    ("安装路灯150盏", [("=", 150, "盏")]),
    ("投放鱼苗2万尾", [("=", 2, "万尾")]),
    ("创作歌曲5首", [("=", 5, "首")]),
    ("无人机巡查30架次", [("=", 30, "架次")]),
    ("服务1200人/次", [("=", 1200, "人次")]),
    ("上门服务300户/次", [("=", 300, "户次")]),
    ("补助200元/人/次", [("=", 200, "元/人/次")]),
    ("50元/人次", [("=", 50, "元/人次")]),
]

VALUE_FORMS = (CHINESE_NUMERALS_WITH_MEASURES + MIXED_SCALES + YUAN_PARTS + CURRENCIES
               + SHARES + NEGATIVE_RATES + COUNTING_WORDS)


@pytest.mark.parametrize(("text", "expected"), VALUE_FORMS, ids=[c[0] for c in VALUE_FORMS])
def test_value_forms(text: str, expected: list[tuple[str, float, str]]) -> None:
    found = find_quantities(text)
    assert [(q.operator, q.unit) for q in found] == [(op, u) for op, _, u in expected]
    assert [q.value for q in found] == pytest.approx([v for _, v, _ in expected])
    for q in found:
        assert q.span is not None
        assert q.text == text[q.span.start:q.span.end]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("2万美元", "money"), ("20英镑", "money"), ("三成", "rate"), ("千分之五", "rate"),
     ("三百米", "measure"), ("10集", "count")],
)
def test_kinds_of_new_forms(text: str, kind: str) -> None:
    (q,) = find_quantities(text)
    assert q.kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [("95%", "rate"), ("24.5万元", "money"), ("48小时", "duration"), ("50人", "count")],
)
def test_kinds(text: str, kind: str) -> None:
    (q,) = find_quantities(text)
    assert q.kind == kind


def test_bare_numbers_only_when_allowed() -> None:
    assert find_quantities("数量 12") == []
    found = find_quantities("12", {"allow_bare": True})
    assert [(q.value, q.unit) for q in found] == [(12, "")]


def test_offsets_after_length_changing_rewrites() -> None:
    text = "績(jì)效 补贴人数>=1200人"
    (q,) = find_quantities(text)
    assert q.text == ">=1200人"
    assert q.operator == "≥"
    assert q.span is not None and text[q.span.start:q.span.end] == ">=1200人"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24人×600元×12个月=17.28万元", (17.28, "万元")),
        ("补贴标准600元/人/月，共24人", (600, "元/人/月")),
        ("新建道路2.4公里（其中主路1.2公里）", (2.4, "公里")),
        ("开展培训3次，培训120人", (120, "人")),
    ],
    ids=["formula-result", "rate", "outside-brackets", "last"],
)
def test_choose_target(text: str, expected: tuple[float, str]) -> None:
    target = choose_target(find_quantities(text), text)
    assert target is not None
    assert target.value == pytest.approx(expected[0])
    assert target.unit == expected[1]


def test_choose_target_none() -> None:
    assert choose_target([], "无") is None


@pytest.mark.parametrize(
    "text",
    ["24人×600元×12个月=17.28万元", "新建道路2.4公里（其中主路1.2公里）", "开展培训3次，培训120人"],
)
def test_choose_target_with_base(text: str) -> None:
    """Spans offset by `base` (a clause inside a document) choose the same amount."""
    from extractor.records import Quantity, Span

    found = find_quantities(text)
    moved = [Quantity(q.text, q.value, q.unit, q.operator, q.kind,
                      Span(q.span.start + 40, q.span.end + 40)) for q in found if q.span]
    expected = choose_target(found, text)
    chosen = choose_target(moved, text, base=40)
    assert expected is not None and chosen is not None
    assert chosen is moved[found.index(expected)]


@pytest.mark.parametrize(
    "text", ["人次", "人", "人/次", "平方米", "平方", "万元", "万", "x", "人次数", "万人次"])
def test_alternation_tree_matches_as_alternation(text: str) -> None:
    """The factored alternation matches what the flat one matches, longest surface first,
    and backtracks the same way (`$` after it forces a shorter surface)."""
    import regex

    from extractor import lexicon

    surfaces = ["人", "人次", "人/次", "平方米", "万元", "万人次", "次"]
    for tail in ("", "$"):
        flat = regex.compile(f"(?:{lexicon.alternation(surfaces)}){tail}")
        tree = regex.compile(f"(?:{lexicon.alternation_tree(surfaces)}){tail}")
        for pos in range(len(text) + 1):
            a, b = flat.match(text, pos), tree.match(text, pos)
            assert (a and a.span()) == (b and b.span())
