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
