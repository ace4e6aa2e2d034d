"""Numbers as written: Arabic, full-width, grouped, Chinese, scaled, ranges, approximations."""

from __future__ import annotations

import itertools
import random

import cn2an
import pytest
from conftest import read_values
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.numerals import CHINESE_DIGITS, an2cn, parse_chinese

CASES = [
    ("培训1,200人", [("1,200人", 1200, "人", "=", "count")]),
    ("资金2279.048 万元", [("2279.048 万元", 2279.048, "万元", "=", "money")]),
    ("总额968.191 8万元", [("968.191 8万元", 968.1918, "万元", "=", "money")]),
    ("覆盖１２３人", [("１２３人", 123, "人", "=", "count")]),
    ("完成率１２.５％", [("１２.５％", 12.5, "%", "=", "rate")]),
    ("开展培训三次", [("三次", 3, "次", "=", "count")]),
    ("建成两个站点", [("两个", 2, "个", "=", "count")]),
    ("建立二种以上联结方式", [("二种以上", 2, "种", "≥", "count")]),
    ("探索一种新模式", []),
    ("奖补一万二千元", [("一万二千元", 12000, "元", "=", "money")]),
    ("为期十二个月", [("十二个月", 12, "个月", "=", "duration")]),
    ("合格率百分之九十五", [("百分之九十五", 95, "%", "=", "rate")]),
    ("占比百分之十二点五", [("百分之十二点五", 12.5, "%", "=", "rate")]),
    ("采购零点五吨", [("零点五吨", 0.5, "吨", "=", "measure")]),
    ("投入两千万元", [("两千万元", 2000, "万元", "=", "money")]),
    ("受益1.2万人", [("1.2万人", 1.2, "万人", "=", "count")]),
    ("总投资3.5亿元", [("3.5亿元", 3.5, "亿元", "=", "money")]),
    ("发放1万份", [("1万份", 1, "万份", "=", "count")]),
    ("年龄18—54周岁", [("18", 18, "周岁", "≥", "measure"), ("54周岁", 54, "周岁", "≤", "measure")]),
    ("共1-6期", [("1", 1, "期", "≥", "count"), ("6期", 6, "期", "≤", "count")]),
    ("每批3~5天", [("3", 3, "天", "≥", "duration"), ("5天", 5, "天", "≤", "duration")]),
    ("补助10至20万元", [("10", 10, "万元", "≥", "money"), ("20万元", 20, "万元", "≤", "money")]),
    ("参训200余人", [("200余人", 200, "人", "≈", "count")]),
    ("约200人参加", [("约200人", 200, "人", "≈", "count")]),
    ("200人左右", [("200人左右", 200, "人", "≈", "count")]),
    ("五十多人", [("五十多人", 50, "人", "≈", "count")]),
    ("近200人", [("近200人", 200, "人", "≈", "count")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_numbers(text: str, expected: list[tuple]) -> None:
    assert read_values(text) == expected


@pytest.mark.parametrize(
    "text", ["进一步提升服务水平", "三老四类人员", "一村一法律顾问", "一次性补助", "十几个村", "数百人"],
)
def test_idioms_are_not_numbers(text: str) -> None:
    assert read_values(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.7名书记主任", ("7名", 7, "名")), ("1.400元/人", ("400元/人", 400, "元/人")),
     ("1.3000人以下农业村", ("3000人以下", 3000, "人")), ("2.25万元", ("2.25万元", 2.25, "万元")),
     ("1.5万人", ("1.5万人", 1.5, "万人")), ("培训1.5天", ("1.5天", 1.5, "天"))],
    ids=["count", "yuan", "bound", "money-decimals", "scaled", "mid-sentence"],
)
def test_glued_item_numbers_by_unit_precision(text: str, expected: tuple) -> None:
    assert read_values(text)[0][:3] == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_chinese(cn2an.an2cn(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["人", "个", "万元", "次"]))
def test_arabic_numbers_round_trip(n: int, unit: str) -> None:
    grouped = f"{n:,}"
    for written in (str(n), grouped):
        found = read_values(f"完成{written}{unit}")
        assert [(v, u) for _, v, u, _, _ in found] == [(n, unit)]


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=99))
def test_chinese_numerals_in_text_round_trip(n: int, pct: int) -> None:
    found = read_values(f"培训{cn2an.an2cn(n)}次，合格率百分之{cn2an.an2cn(pct)}")
    assert [(v, u) for _, v, u, _, _ in found] == [(n, "次"), (pct, "%")]


def _cn2an_strict(text: str) -> float | None:
    """What parse_chinese answered when every numeral went through cn2an."""
    try:
        return float(cn2an.cn2an(text.replace("两", "二").replace("〇", "零"), "strict"))
    except (ValueError, KeyError, IndexError):
        return None


def test_numerals_read_without_cn2an_read_as_cn2an_reads_them() -> None:
    """parse_chinese reads the spellings an2cn writes itself and leaves the rest to cn2an:
    every string of up to three numeral characters, and numbers written out, agree."""
    texts = ["".join(t) for n in (1, 2, 3) for t in itertools.product(CHINESE_DIGITS, repeat=n)]
    rng = random.Random(5)
    texts += [cn2an.an2cn(rng.randrange(10**k)) for k in range(2, 12) for _ in range(300)]
    for text in texts:
        assert parse_chinese(text) == _cn2an_strict(text), text


def test_an2cn_writes_numbers_as_cn2an_does() -> None:
    rng = random.Random(11)
    numbers = [*range(0, 20001), *(rng.randrange(10**k) for k in range(5, 17) for _ in range(500))]
    for n in numbers:
        assert an2cn(n) == cn2an.an2cn(n), n
