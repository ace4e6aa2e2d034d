"""find_deadlines: explicit dates, ranges, relative dates resolved to the budget year."""

from __future__ import annotations

import pytest

from extractor import find_deadlines

CASES = [
    ("2022年", None, "2022年", "2022-01-01", "2022-12-31"),
    ("2023年1-12月", None, "2023年1-12月", "2023-01-01", "2023-12-31"),
    ("2024年6月30日前", None, "2024年6月30日前", None, "2024-06-30"),
    ("年内完成", 2024, "年内", "2024-01-01", "2024-12-31"),
    ("全年", 2023, "全年", "2023-01-01", "2023-12-31"),
    ("4月30日前完成", 2024, "4月30日前", None, "2024-04-30"),
    ("2021.1.1-12.31", None, "2021.1.1-12.31", "2021-01-01", "2021-12-31"),
    ("202001-202012", None, "202001-202012", "2020-01-01", "2020-12-31"),
    ("2024年底前", None, "2024年底前", None, "2024-12-31"),
    ("第二季度", 2024, "第二季度", "2024-04-01", "2024-06-30"),
    ("12月15日前", 2024, "12月15日前", None, "2024-12-15"),
    ("2024年2月底", None, "2024年2月底", None, "2024-02-29"),
    ("次年3月底前", 2024, "次年3月底前", None, "2025-03-31"),
]


@pytest.mark.parametrize(("text", "year", "span_text", "start", "end"), CASES,
                         ids=[c[0] for c in CASES])
def test_deadlines(text: str, year: int | None, span_text: str, start: str | None,
                   end: str | None) -> None:
    (d,) = find_deadlines(text, year)
    assert (d.text, d.start, d.end) == (span_text, start, end)
    assert d.span is not None and text[d.span.start:d.span.end] == d.text


@pytest.mark.parametrize("text", ["4月30日前", "年内", "全年"])
def test_relative_without_budget_year_unresolved(text: str) -> None:
    (d,) = find_deadlines(text, None)
    assert d.start is None and d.end is None


@pytest.mark.parametrize("text", ["每季度开展一次", "每月15日前", "按季度报送", "每年12月"])
def test_frequencies_are_not_deadlines(text: str) -> None:
    assert find_deadlines(text, 2024) == []


def test_invalid_dates_are_not_resolved() -> None:
    (d,) = find_deadlines("2024年2月30日前", None)
    assert d.end is None


def test_offsets_in_traditional_text() -> None:
    text = "績(jì)效 完成時間2024年6月30日前"
    (d,) = find_deadlines(text)
    assert d.text == "2024年6月30日前"
    assert d.span is not None and text[d.span.start:d.span.end] == d.text
