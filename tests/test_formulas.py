"""find_formulas / formulas_in: factors, stated result, product in 元, offsets (RULES.md R18, R35)."""

from __future__ import annotations

import pytest

import extractor
from extractor.formulas import find_formulas, formulas_in
from extractor.normalise import normalise

# text → factor texts, result text (None: no stated result), product in 元, consistent
CASES = [
    ("8人×1000元×12个月=9.6万元", ["8人", "1000元", "12个月"], "9.6万元", 96000, True),
    ("400元/人*2人*12个月", ["400元/人", "2人", "12个月"], None, 9600, None),
    ("7个小村×3.5万元/村=24.5万元", ["7个", "3.5万元/村"], "24.5万元", 245000, True),
    ("12个社区×2万元/社区=24万元", ["12个", "2万元/社区"], "24万元", 240000, True),
    ("600元/人×5人×12个月", ["600元/人", "5人", "12个月"], None, 36000, None),
    ("3000元*10户=3万元", ["3000元", "10户"], "3万元", 30000, True),
    ("8人X1000元", ["8人", "1000元"], None, 8000, None),
    ("8人x1000元", ["8人", "1000元"], None, 8000, None),
    ("5人＊3000元=1.5万元", ["5人", "3000元"], "1.5万元", 15000, True),
    ("5人·3000元=1.5万元", ["5人", "3000元"], "1.5万元", 15000, True),
    ("500元/人·月×3人×12个月=1.8万元", ["500元/人·月", "3人", "12个月"], "1.8万元", 18000, True),
    ("500元/人/月×3人×12月=1.8万元", ["500元/人/月", "3人", "12月"], "1.8万元", 18000, True),
    ("8 人 × 1000 元 = 0.8 万元", ["8 人", "1000 元"], "0.8 万元", 8000, True),
    ("8人×1000元×12=9.6万元", ["8人", "1000元", "12"], "9.6万元", 96000, True),
    ("100万元×30%=30万元", ["100万元", "30%"], "30万元", 300000, True),
    ("1.2万人×10元=12万元", ["1.2万人", "10元"], "12万元", 120000, True),
    ("0.5亿元×2%=100万元", ["0.5亿元", "2%"], "100万元", 1_000_000, True),
    # wrong statements parse the same way; the checker judges them
    ("8人×1000元×12个月=9万元", ["8人", "1000元", "12个月"], "9万元", 96000, False),
    ("5人×3000元=1.6万元", ["5人", "3000元"], "1.6万元", 15000, False),
    # not money: a product of measures has no 元 product
    ("60米×2米", ["60米", "2米"], None, None, None),
    # two money factors make no sense as a cost estimate
    ("1000元×2万元", ["1000元", "2万元"], None, None, None),
]


@pytest.mark.parametrize(("text", "factors", "result", "product", "consistent"), CASES,
                         ids=[c[0] for c in CASES])
def test_formula(text: str, factors: list[str], result: str | None, product: float | None,
                 consistent: bool | None) -> None:
    found = find_formulas(text)
    assert len(found) == 1
    f = found[0]
    assert [q.text for q in f.factors] == factors
    assert (f.result.text if f.result else None) == result
    assert f.product_yuan() == (pytest.approx(product) if product is not None else None)
    assert f.consistent() is consistent


@pytest.mark.parametrize(
    ("text", "units"),
    [("7个小村×3.5万元/村=24.5万元", ["个", "万元/村", "万元"]),
     ("12个社区×2万元/社区=24万元", ["个", "万元/社区", "万元"]),
     ("500元/人·月×3人×12个月=1.8万元", ["元/人/月", "人", "个月", "万元"]),
     ("500元×3人×12月", ["元", "人", "个月"])],
)
def test_units(text: str, units: list[str]) -> None:
    f = find_formulas(text)[0]
    assert [q.unit for q in [*f.factors, *([f.result] if f.result else [])]] == units


def test_yuan_values_are_exposed_for_the_checker() -> None:
    f = find_formulas("8人×1000元×12个月=9万元")[0]
    assert (f.product_yuan(), f.result_yuan()) == (96000, 90000)
    assert f.consistent(tolerance=0.1) is True
    assert f.to_dict()["consistent"] is False


@pytest.mark.parametrize(
    "text",
    ["8人，1000元，12个月", "补助标准500元/人·月，3人，12个月", "500元/人·月", "元/人·月",
     "2023-2024", "联系电话13812345678", "≥90%", "=90%", "满意度=90%", "3×4=12", "1920×1080",
     "≥8人×1000元", ""],
)
def test_not_a_formula(text: str) -> None:
    assert find_formulas(text) == []


def test_stated_total_in_words_is_not_a_result() -> None:
    f = find_formulas("8人×1000元×12个月，共计9.6万元")[0]
    assert f.text == "8人×1000元×12个月"
    assert f.result is None


def test_terms_of_a_sum_keep_no_result() -> None:
    # 8000 + 1000 = 9000 = 0.9万: neither term alone equals the stated total
    found = find_formulas("8人×1000元+2人×500元=0.9万元")
    assert [f.text for f in found] == ["8人×1000元", "2人×500元"]
    assert [f.result for f in found] == [None, None]
    assert [f.product_yuan() for f in found] == [8000, 1000]


def test_staged_formula_yields_each_stage() -> None:
    found = find_formulas("8人×1000元=8000元×12个月=9.6万元")
    assert [f.text for f in found] == ["8人×1000元=8000元", "8000元×12个月=9.6万元"]
    assert [f.consistent() for f in found] == [True, True]


def test_several_formulas_in_one_cell() -> None:
    text = "保洁员8人×1000元×12个月=9.6万元；保安2人×2000元×12个月=4.8万元"
    found = find_formulas(text)
    assert [f.result.text for f in found if f.result] == ["9.6万元", "4.8万元"]
    assert [f.consistent() for f in found] == [True, True]


@pytest.mark.parametrize(
    "text",
    ["８人×１０００元＝０.８萬元", "12個社區×2萬元/社區=24萬元", "補助：８人Ｘ１０００元×１２個月＝９.６萬元",
     "说明：绩(jì)效 8人×1000元=0.8万元", "甲 乙 丙 8人×1000元=0.8万元", CASES[0][0]],
)
def test_offsets_round_trip(text: str) -> None:
    found = find_formulas(text)
    assert found
    for f in found:
        assert text[f.span.start:f.span.end] == f.text
        for q in [*f.factors, *([f.result] if f.result else [])]:
            assert q.span is not None
            assert text[q.span.start:q.span.end] == q.text
            assert f.span.start <= q.span.start <= q.span.end <= f.span.end
        assert f.consistent() is True


def test_traditional_full_width_values() -> None:
    f = find_formulas("８人×１０００元＝０.８萬元")[0]
    assert [q.text for q in f.factors] == ["８人", "１０００元"]
    assert f.result is not None and f.result.text == "０.８萬元" and f.result.unit == "万元"
    assert f.result_yuan() == pytest.approx(8000)


def test_formulas_in_uses_normalised_offsets() -> None:
    normal = normalise("補助８人×１０００元＝０.８萬元").text
    f = formulas_in(normal)[0]
    assert normal[f.span.start:f.span.end] == f.text == "8人×1000元=0.8万元"


def test_indicator_records_carry_their_formulas() -> None:
    doc = "（一）数量指标：1.7个小村×3.5万元/村=24.5万元\n"
    (ind,) = extractor.extract(doc)
    (formula,) = ind.formulas
    assert doc[formula.span.start:formula.span.end] == formula.text == "7个小村×3.5万元/村=24.5万元"
    assert formula.product_yuan() == pytest.approx(245000)
    assert formula.consistent() is True
    assert "formulas" not in ind.to_dict()  # SCHEMA.md's record stays as specified
