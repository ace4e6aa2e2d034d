"""Fuzz targets (hypothesis): document text, every reader on mutated files, and the command line.

In CI the "ci" profile keeps each target to a few seconds. The long local run is

    FUZZ_PROFILE=long FUZZ_REPORT=/tmp/fuzz.jsonl python -m pytest -q tests/test_fuzz.py

(`long`: 105,000 inputs, LONG_EXAMPLES; the RTF seed, which goes to an external converter at
about a second a file, only in the CI profile); FUZZ_REPORT gets one line per input (target, bytes,
seconds, outcome), from which bench/fuzz_report.py prints crashes and the slowest input per KB.

The property everywhere: a reader returns text or raises ReadError; the pipeline's records
point at their own text; nothing else escapes; each input finishes under a hang guard (the
per-document time limit of `extract`, DocumentTimeout, is a guard working, not a crash).
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable

import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import cli, tag
from extractor.errors import DocumentTimeout, ReadError
from extractor.pipeline import extract_text
from extractor.readers import read_bytes

settings.register_profile("ci", max_examples=40, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("long", deadline=None, database=None, suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
# inputs per target in the long run (105,000 in all); its texts have shorter gaps (at most
# 200 characters: the growth of long gaps is the CI profile's and test_limits' business)
LONG_EXAMPLES = {"text": 25_000, "reader": 40_000, "cli": 40_000}
MAX_GAP = 200 if PROFILE == "long" else 3000


def _profile(target: str) -> settings:
    if PROFILE == "long":
        return settings(settings.get_profile("long"), max_examples=LONG_EXAMPLES[target])
    return settings.get_profile(PROFILE)
HANG_GUARD = 60.0  # seconds per input: a hang, not a speed limit
TABLE = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")


SLOW_SECONDS = 1.0  # an input slower than this is kept in the report, to be replayed


def _record(target: str, size: int, seconds: float, outcome: str, sample: object) -> None:
    report = os.environ.get("FUZZ_REPORT")
    if report:
        row = {"target": target, "bytes": size, "seconds": round(seconds, 5), "outcome": outcome}
        if seconds > SLOW_SECONDS or outcome in ("crash", "timeout"):
            row["input"] = repr(sample)
        with open(report, "a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _timed(target: str, size: int, body: Callable[[], str], sample: object) -> None:
    started = time.perf_counter()
    outcome = "crash"
    try:
        with tag.time_limit(HANG_GUARD):
            outcome = body()
    except DocumentTimeout:
        outcome = "timeout"
    finally:
        _record(target, size, time.perf_counter() - started, outcome, sample)
    assert outcome != "timeout", f"{target}: an input of {size} bytes ran past the {HANG_GUARD:.0f} s hang guard"


# -- seeds: one small file per format, built here ----------------------------------------------
def _rows() -> list[list[str]]:
    return [line.split("\t") for line in TABLE.splitlines()]


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in _rows():
        book.active.append(row)
    book.active.merge_cells("A10:B11")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    rows = _rows()
    table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf() -> bytes | None:
    try:
        from reportlab.pdfgen import canvas
    except ImportError:
        return None
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Performance table 2024: output >= 100")
    page.save()
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", TABLE)
        archive.writestr("b.csv", TABLE.replace("\t", ","))
    return out.getvalue()


def _html() -> bytes:
    cells = "".join("<tr>" + "".join(f'<td rowspan="2" colspan="2">{c}</td>' for c in row) + "</tr>"
                    for row in _rows())
    return f"<html><body><p>2024年度绩效目标</p><table>{cells}</table></body></html>".encode()


SEEDS: dict[str, bytes] = {
    "a.txt": TABLE.encode("gb18030"),
    "a.csv": TABLE.replace("\t", ",").encode("utf-8-sig"),
    "a.html": _html(),
    "a.xlsx": _xlsx(),
    "a.docx": _docx(),
    "a.zip": _zip(),
    "a.rtf": b"{\\rtf1\\ansi " + TABLE.encode("ascii", "replace") + b"}",
}
if (pdf := _pdf()) is not None:
    SEEDS["a.pdf"] = pdf
if PROFILE == "long":
    del SEEDS["a.rtf"]


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed with a few bytes flipped, a slice cut, repeated or inserted."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "insert", "truncate"]))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 64))] * draw(st.integers(1, 50))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return name, bytes(data)


# -- text: pieces, with whitespace gaps that grow ------------------------------------------------
_WORDS = ["产出指标", "数量指标", "质量指标", "满意度指标", "效益指标", "成本指标", "【产出指标-数量指标】",
          "一、", "1.", "（一）", "指标1：", "≥", "≤", "100人", "95%", "2024年6月30日前", "万元", "|", "：",
          "项目名称", "绩效目标", "。", "；", "a", "b", "★"]
_GAPS = st.sampled_from([" ", "\t", "\u3000", "\r", "\n", "\r\n", " \t", "|"])


@st.composite
def _text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(_WORDS) | st.text(max_size=12), min_size=1, max_size=30))
    gap = draw(_GAPS)
    widths = draw(st.lists(st.integers(0, MAX_GAP), min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + gap * width for piece, width in zip(pieces, widths, strict=True))


def _extract_text(text: str) -> str:
    if not text.strip():
        return "empty"
    # extract_text: a short fuzzed string may look like a path (`\\0`), which
    # extract_document would refuse as a missing file, by design
    result = extract_text(text, "<fuzz>")
    for record in result.indicators:
        assert record.text == result.text[record.span.start:record.span.end]
    return "ok"


@_profile("text")
@given(_text())
def test_fuzz_text(text: str) -> None:
    _timed("text", len(text.encode("utf-8", "replace")), lambda: _extract_text(text), text)


def _read(name: str, data: bytes) -> str:
    try:
        source = read_bytes(data, name)
    except ReadError as err:
        assert err.reason and str(err).startswith(name)
        return f"error:{err.reason}"
    assert isinstance(source.text, str)
    return _extract_text(source.text)


@_profile("reader")
@given(_mutated())
def test_fuzz_readers(case: tuple[str, bytes]) -> None:
    name, data = case
    _timed("reader", len(data), lambda: _read(name, data), case)


@_profile("cli")
@given(_mutated(), st.sampled_from([["extract"], ["extract", "--format", "csv"], ["check"],
                                    ["check", "--format", "jsonl"]]))
def test_fuzz_cli(tmp_path_factory: pytest.TempPathFactory, case: tuple[str, bytes], command: list[str]) -> None:
    name, data = case
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    out = path.with_suffix(".out")
    # the CLI's memory guard is lifted again when main() returns (tag.memory_guard)
    _timed("cli", len(data), lambda: _cli([*command, str(path), "-o", str(out)]), (command, case))


def _cli(argv: list[str]) -> str:
    status = cli.main(argv)
    assert status in (0, 1)
    return f"exit:{status}"


def test_the_seeds_are_read() -> None:
    for name, data in SEEDS.items():
        if name == "a.rtf":
            continue  # needs a converter; without one it is a clean needs_conversion error
        if name == "a.zip":
            with pytest.raises(ReadError):
                read_bytes(data, name)
            continue
        assert "指标" in read_bytes(data, name).text or name == "a.pdf", name
