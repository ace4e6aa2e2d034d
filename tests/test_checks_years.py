"""R31 (stale_or_wrong_year): the string test that lets most texts skip the year pattern must
never skip a text in which the pattern reads a year other than the budget year."""

from __future__ import annotations

import random

from extractor.checks import years


def test_budget_year_only_never_hides_another_year() -> None:
    rng = random.Random(31)
    pieces = ["2024", "2023", "2025", "1999", "20", "19", "2", "0", "4", "１", "２０２３",
              "年", "年度", "-", ".", "/", "06", "12", "二〇二三", "二零二四", "第", "号", " ", "完成"]
    skipped = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for by in (2023, 2024):
            if years._budget_year_only(text, by):
                skipped += 1
                assert all(years._value(m) == by for m in years._YEAR.finditer(text)), (text, by)
    assert skipped > 1000
