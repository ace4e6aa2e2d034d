"""Digits that are not amounts: dates, document numbers, phones, codes, scores, items, labels."""

from __future__ import annotations

import pytest
from conftest import read_values

NOTHING = [
    "〔2021〕52号", "《2015》5号", "[2023]7号", "13912345678", "0571-88123456", "10分",
    "（10分）", "2型", "三老四类", "一次性", "进一步", "2023年1-12月", "1-12月", "每月15日前",
    "2024年6月30日", "2023.07-2024.01", "202001-202012", "第3批", "第三名", "第1名", "— 2 —",
    "≥**%", "≥**人", "2022年", "2023-2025年", "1按时间发放", "1年内开展宣传", "三季度末",
    "省级以上媒体",
]


@pytest.mark.parametrize("text", NOTHING, ids=NOTHING)
def test_distractors_yield_nothing(text: str) -> None:
    assert read_values(text) == []


IN_CONTEXT = [
    ("根据〔2021〕52号文件，联系电话13912345678，2023年1-12月完成培训500人次", ["500人次"]),
    ("1.2022年按期完成村级换届", []),
    ("2.完成民兵培训100%", ["100%"]),
    ("3、开展宣传5次", ["5次"]),
    ("项目代码408001，补助30户", ["30户"]),
    ("指标1：培训50人（10分）", ["50人"]),
    ("① 建成2座", ["2座"]),
]


@pytest.mark.parametrize(("text", "amounts"), IN_CONTEXT, ids=[c[0] for c in IN_CONTEXT])
def test_only_the_amount_is_read(text: str, amounts: list[str]) -> None:
    assert [q[0] for q in read_values(text)] == amounts


@pytest.mark.parametrize("text", NOTHING + [t for t, _ in IN_CONTEXT])
def test_distractor_pretest_admits_every_distractor(text: str) -> None:
    """A text the cheap pre-test turns away is its own mask: it must hold no distractor."""
    from extractor import quantities

    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            piece = text[start:end]
            if quantities._DISTRACTORS.search(piece):
                assert quantities._CAN_DISTRACT.search(piece), piece
