"""Large, pathological and arbitrary inputs: bounded time, no exceptions."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import extractor
from extractor import find_deadlines, find_quantities
from extractor.pipeline import extract_text

_CHARS = st.text(
    alphabet=st.sampled_from(list(
        "产出指标数量质量时效成本效益满意度一二三四五六七八九十两百千万亿人次个元万%％≥≤><=≧"
        "()（）【】〔〕《》:：,，;；。、.-—~|\t\n 0123456789年月日前每季度余以上以下内"
        "績(jì)效萬\u200b\ufeff&<p>abcxyz")) | st.characters(),
    max_size=400,
)


_TWENTY_MB_SCRIPT = """
import sys
from pathlib import Path
import extractor
table = Path(sys.argv[1]).read_text(encoding="utf-8")
copies = 20 * 2**20 // len(table.encode("utf-8")) + 1
doc = table * copies
assert len(doc.encode("utf-8")) >= 20 * 2**20
result = extractor.extract_document(doc)
per_copy = len(extractor.extract(table))
bad = sum(1 for i in result.indicators if i.text != doc[i.span.start:i.span.end])
print(len(result.indicators), per_copy * copies, bad)
"""
HANG_GUARD = 1800.0  # seconds: a hang, not a speed limit (speed is measured in bench/)


def test_half_megabyte_document_is_bounded() -> None:
    table = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")
    per_copy = len(extractor.extract(table))
    doc = table * (2**19 // len(table.encode("utf-8")) + 1)
    result = extractor.extract_document(doc)
    assert len(result.indicators) >= per_copy * doc.count("项目名称")
    for ind in result.indicators[:: max(1, len(result.indicators) // 50)]:
        assert ind.text == doc[ind.span.start:ind.span.end]


@pytest.mark.slow
def test_twenty_megabyte_document() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _TWENTY_MB_SCRIPT, str(SAMPLES / "tab_four_column.txt")],
        capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    assert proc.returncode == 0, proc.stderr
    found, expected, misplaced = map(int, proc.stdout.split())
    assert found == expected
    assert misplaced == 0


def test_repeated_table_yields_each_copys_indicators() -> None:
    table = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")
    once = [i.text for i in extractor.extract(table)]
    twice = [i.text for i in extractor.extract(table + "\n" + table)]
    assert twice == once + once


def test_single_huge_cell() -> None:
    cell = ("开展培训1次50人，" * 12_000)[:100_000]
    doc = ("一级指标\t二级指标\t三级指标\t指标值\n"
           f"产出指标\t数量指标\t培训人数\t{cell}\n")
    inds = extractor.extract(doc)
    for ind in inds:
        assert ind.text == doc[ind.span.start:ind.span.end]
    assert len(find_quantities(cell)) > 1000


@pytest.mark.parametrize(
    "text",
    ["((((((" * 2000, "\\" * 5000, ".*" * 5000, "（（（（" * 2000 + "1人", "[" * 3000,
     "1." * 5000, "一、" * 3000, "|" * 5000 + "\n", "<" * 4000 + "p>", "&amp;" * 2000,
     "每" * 5000 + "1元", "≥" * 5000, "2024年" * 2000],
    ids=["parens", "backslash", "dotstar", "fw-parens", "brackets", "enumerators",
         "cn-enumerators", "pipes", "angles", "entities", "per", "ops", "years"],
)
def test_regex_hostile_strings(text: str) -> None:
    doc = "产出指标\t数量指标\t" + text + "\t≥1人\n"
    result = extractor.extract_document(doc)
    find_quantities(text)
    find_deadlines(text, 2024)
    # the trailing ≥1人 cell still yields an indicator, or (a row too long to be one) a
    # rejected candidate that --explain shows: nothing is lost silently
    assert result.indicators or [r for r in result.rejected if r.reason == "run_on"]
    for ind in result.indicators:
        assert ind.text == result.text[ind.span.start:ind.span.end]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CHARS)
def test_extract_never_raises(text: str) -> None:
    if not text.strip():
        return  # empty input is a ReadError only for files/bytes; text goes straight in
    # text goes through extract_text: extract_document refuses a string that looks like a
    # path and names no file ("/a", "x.txt"), which hypothesis may well draw
    result = extract_text(text, "<hyp>")
    for ind in result.indicators:
        assert ind.text == result.text[ind.span.start:ind.span.end]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CHARS)
def test_find_quantities_never_raises(text: str) -> None:
    for q in find_quantities(text):
        assert q.span is not None
        assert q.text == text[q.span.start:q.span.end]
    for d in find_deadlines(text, 2024):
        assert d.span is not None
        assert d.text == text[d.span.start:d.span.end]


_PIECES = st.text(alphabet=st.sampled_from(list("0123456789.,-—~至每人元万%≥≤以上内年月日号第分(（〔〕)） \t一二十百")),
                  min_size=1, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PIECES)
@example("万0")  # Chinese-mixed amounts (4万5千) once backtracked over the whole run
@example("44万")
def test_value_scanning_stays_linear_on_repeated_pieces(piece: str) -> None:
    """100,000 characters of one repeated piece: a backtracking pattern would hang here; the
    alarm is a hang guard, not a speed limit."""
    text = (piece * (100_000 // len(piece) + 1))[:100_000]
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(120)
    try:
        for q in find_quantities(text):
            assert q.span is not None and text[q.span.start:q.span.end] == q.text
        find_deadlines(text, 2024)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _hang(signum: int, frame: object) -> None:
    raise TimeoutError("value scanning did not finish: super-linear pattern?")
