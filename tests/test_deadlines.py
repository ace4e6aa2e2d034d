"""find_deadlines: explicit dates, ranges, relative dates resolved to the budget year.

Each case is (text, budget_year, expected deadlines as (text, start, end)); an empty list
means the text holds no deadline.
"""

from __future__ import annotations

import pytest

import extractor
from extractor import find_deadlines
from extractor.deadlines import from_serial

Expected = list[tuple[str, str | None, str | None]]

CASES: list[tuple[str, int | None, Expected]] = [
    # years, months, days written with arabic digits
    ("2022年", None, [("2022年", "2022-01-01", "2022-12-31")]),
    ("2023年1-12月", None, [("2023年1-12月", "2023-01-01", "2023-12-31")]),
    ("2024年6月30日前", None, [("2024年6月30日前", None, "2024-06-30")]),
    ("2024年底前", None, [("2024年底前", None, "2024-12-31")]),
    ("截至2024年底", None, [("2024年底", None, "2024-12-31")]),
    ("2024年2月底", None, [("2024年2月底", None, "2024-02-29")]),
    ("2024年度完成验收", None, [("2024年度", "2024-01-01", "2024-12-31")]),
    ("2021-2023年", None, [("2021-2023年", "2021-01-01", "2023-12-31")]),
    # dotted, slashed, ISO and compact forms
    ("2021.1.1-12.31", None, [("2021.1.1-12.31", "2021-01-01", "2021-12-31")]),
    ("2023.07-2024.01", None, [("2023.07-2024.01", "2023-07-01", "2024-01-31")]),
    ("202001-202012", None, [("202001-202012", "2020-01-01", "2020-12-31")]),
    ("2024-06-30前", None, [("2024-06-30前", None, "2024-06-30")]),
    ("2024/6/30", None, [("2024/6/30", None, "2024-06-30")]),
    ("2024.6.30前完成", None, [("2024.6.30前", None, "2024-06-30")]),
    ("2024-01-01至2024-12-31", None, [("2024-01-01至2024-12-31", "2024-01-01", "2024-12-31")]),
    # Chinese numerals
    ("二〇二四年六月底前", None, [("二〇二四年六月底前", None, "2024-06-30")]),
    ("二〇二四年十二月三十一日前", None, [("二〇二四年十二月三十一日前", None, "2024-12-31")]),
    ("二〇二三年", None, [("二〇二三年", "2023-01-01", "2023-12-31")]),
    ("二零二四年一至六月", None, [("二零二四年一至六月", "2024-01-01", "2024-06-30")]),
    # month periods and date ranges
    ("2024年3月至6月", None, [("2024年3月至6月", "2024-03-01", "2024-06-30")]),
    ("2024年3月-2024年6月", None, [("2024年3月-2024年6月", "2024-03-01", "2024-06-30")]),
    ("2024年3月—6月", None, [("2024年3月—6月", "2024-03-01", "2024-06-30")]),
    ("2023年10月-2024年3月", None, [("2023年10月-2024年3月", "2023-10-01", "2024-03-31")]),
    ("2024年1月1日-2024年12月31日", None,
     [("2024年1月1日-2024年12月31日", "2024-01-01", "2024-12-31")]),
    ("2024年3月1日至6月30日", None, [("2024年3月1日至6月30日", "2024-03-01", "2024-06-30")]),
    ("1月-12月", 2024, [("1月-12月", "2024-01-01", "2024-12-31")]),
    ("1-12月", 2024, [("1-12月", "2024-01-01", "2024-12-31")]),
    ("3至6月", 2024, [("3至6月", "2024-03-01", "2024-06-30")]),
    ("3至6月", None, [("3至6月", None, None)]),
    # quarters and half years: one deadline, with or without the year
    ("2024年第一季度", None, [("2024年第一季度", "2024-01-01", "2024-03-31")]),
    ("2024年上半年", None, [("2024年上半年", "2024-01-01", "2024-06-30")]),
    ("2024年下半年", None, [("2024年下半年", "2024-07-01", "2024-12-31")]),
    ("第二季度", 2024, [("第二季度", "2024-04-01", "2024-06-30")]),
    ("第一季度末前", 2024, [("第一季度末前", None, "2024-03-31")]),
    ("一季度末", 2024, [("一季度末", None, "2024-03-31")]),
    ("三季度末", 2024, [("三季度末", None, "2024-09-30")]),
    ("第三季度末", 2024, [("第三季度末", None, "2024-09-30")]),
    ("上半年", None, [("上半年", None, None)]),
    # relative to the budget year
    ("年内完成", 2024, [("年内", "2024-01-01", "2024-12-31")]),
    ("全年", 2023, [("全年", "2023-01-01", "2023-12-31")]),
    ("4月30日前完成", 2024, [("4月30日前", None, "2024-04-30")]),
    ("12月15日前", 2024, [("12月15日前", None, "2024-12-15")]),
    ("次年3月底前", 2024, [("次年3月底前", None, "2025-03-31")]),
    ("4月30日前", None, [("4月30日前", None, None)]),
    ("年内", None, [("年内", None, None)]),
    ("全年", None, [("全年", None, None)]),
    # two deadlines in one clause
    ("2024年1月—2024年12月31日", None,
     [("2024年1月", "2024-01-01", "2024-01-31"), ("2024年12月31日", None, "2024-12-31")]),
    # invalid calendar dates keep their text, with no dates
    ("2024年2月30日前", None, [("2024年2月30日前", None, None)]),
    ("2024-02-30", None, [("2024-02-30", None, None)]),
    # frequencies and cycles are not deadlines
    ("每月", 2024, []),
    ("每季度开展一次", 2024, []),
    ("按月", 2024, []),
    ("按季度报送", 2024, []),
    ("每月15日前", 2024, []),
    ("每年12月", 2024, []),
    ("每年6月底前", 2024, []),
    ("每年的6月底前", 2024, []),
    ("每年第一季度末", 2024, []),
    ("每一季度", 2024, []),
    ("每年上半年", 2024, []),
    # other words and numbers that are not deadlines
    ("按期完成", 2024, []),
    ("及时", 2024, []),
    ("13812345678", 2024, []),
    ("0971-8123456", 2024, []),
    ("〔2021〕52号", 2024, []),
    ("10分", 2024, []),
    ("2024.6万元", 2024, []),
    ("3-5个月", 2024, []),
    ("0-6月龄婴儿", 2024, []),
    ("18—54周岁", 2024, []),
]


@pytest.mark.parametrize(("text", "year", "expected"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_deadlines(text: str, year: int | None, expected: Expected) -> None:
    found = find_deadlines(text, year)
    assert [(d.text, d.start, d.end) for d in found] == expected
    for d in found:
        assert d.span is not None and text[d.span.start:d.span.end] == d.text


def test_offsets_in_traditional_text() -> None:
    text = "績(jì)效 完成時間2024年6月30日前"
    (d,) = find_deadlines(text)
    assert d.text == "2024年6月30日前"
    assert d.span is not None and text[d.span.start:d.span.end] == d.text


def test_offsets_after_full_width_digits() -> None:
    text = "完成时间：２０２４－０６－３０前"
    (d,) = find_deadlines(text)
    assert (d.text, d.end) == ("２０２４－０６－３０前", "2024-06-30")


# An Excel date serial that is the whole value cell of a date row (1900 system).
SERIALS = [
    ("44561", ("44561", None, "2021-12-31")),
    ("44,561", ("44,561", None, "2021-12-31")),
    (" 45657 ", ("45657", None, "2024-12-31")),
    ("40000", ("40000", None, "2009-07-06")),
    ("39999", None),
    ("50001", None),
    ("44561人", None),
    ("2024", None),
    ("44561.5", None),
]


@pytest.mark.parametrize(("cell", "expected"), SERIALS, ids=[s[0] for s in SERIALS])
def test_excel_serial_in_a_cell(cell: str, expected: tuple | None) -> None:
    d = from_serial(cell)
    if expected is None:
        assert d is None
        return
    assert d is not None and d.span is not None
    assert (d.text, d.start, d.end) == expected
    assert cell[d.span.start:d.span.end] == d.text


@pytest.mark.parametrize(
    ("level2", "name", "value", "end"),
    [("时效指标", "完成时间", "44561", "2021-12-31"),
     ("时效指标", "项目完成时限", "44,561", "2021-12-31"),
     ("数量指标", "服务人数", "44561", None),
     ("时效指标", "完成时间", "44561人", None)],
    ids=["date-row", "grouped", "count-row", "with-unit"],
)
def test_excel_serial_only_in_a_date_row(level2: str, name: str, value: str,
                                         end: str | None) -> None:
    doc = f"一级指标\t二级指标\t三级指标\t指标值\n产出指标\t{level2}\t{name}\t{value}\n"
    (ind,) = extractor.extract(doc)
    assert (ind.deadline.end if ind.deadline else None) == end
    if ind.deadline is not None:
        assert ind.deadline.span is not None
        assert doc[ind.deadline.span.start:ind.deadline.span.end] == ind.deadline.text


def test_serials_are_not_read_in_text() -> None:
    assert find_deadlines("完成时间 44561", 2024) == []
