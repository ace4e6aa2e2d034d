"""Every function that takes document text stays linear, and every reader and command has
limits of its own (issue 13). Attack files are built here, a few kB each."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.errors import ReadError
from extractor.outline import find_headings
from extractor.pipeline import extract_document
from extractor.readers import read_bytes, read_path

TABLE = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")
# one table that never ends (no line begins another): a text that cannot be read in sections
ENDLESS = TABLE + "\t\t补贴发放人数\t≥1200人\n" * 250_000  # about 8 MB


def _run(*args: str, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, **kwargs)  # type: ignore[call-overload]


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def _seconds(work: object, guard: float = 60.0) -> float:
    """How long `work()` takes, under a hang guard (a hang, not a speed limit)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, guard)
    started = time.perf_counter()
    try:
        work()  # type: ignore[operator]
    except _Hang:
        pytest.fail(f"no result after {guard:.0f} s: super-linear time?")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - started


# -- 1. linear time on growing pieces --------------------------------------------------------------
@pytest.mark.parametrize("gap", [" ", "\t", "\u3000", "\r"], ids=["space", "tab", "ideographic", "cr"])
def test_a_long_whitespace_run_inside_a_line_is_linear(gap: str) -> None:
    """'a' + 4,096 spaces + 'b' took 110 s (cubic, in the outline's heading search)."""
    assert _seconds(lambda: extract_document("a" + gap * 4096 + "b")) < 5
    assert _seconds(lambda: find_headings("a" + gap * 20_000 + "产出指标")) < 5


_PIECES = ["产出指标", "数量指标", "满意度指标", "【产出指标-数量指标】", "一、", "1.", "（一）", "指标1：",
           "≥100人", "95%", "项目名称", "：", "a", "b"]


@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_PIECES), min_size=2, max_size=6),
       st.sampled_from([" ", "\t", "\u3000", "\r", "\r\n", " \t"]))
def test_time_grows_linearly_with_the_gaps_between_pieces(pieces: list[str], gap: str) -> None:
    """The pieces stay, the gaps between them grow 8×: a linear pipeline takes about 8× as
    long; a quadratic one 64×, a cubic one 512×. Measured on top of a fixed cost floor, so
    that timer noise on small inputs does not decide."""
    def doc(width: int) -> str:
        return (gap * width).join(pieces) + gap * width

    small, large = (min(_seconds(lambda w=w: extract_document(doc(w))) for _ in range(2)) for w in (1000, 8000))
    assert large < 40 * max(small, 0.02), (small, large)


# -- 5. the readers guard themselves ------------------------------------------------------------------
def test_a_fifo_and_a_device_are_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "table.txt"
    os.mkfifo(fifo)  # reading it would block for ever
    for path in (fifo, Path("/dev/zero")):
        proc = _run("extract", str(path), timeout=60)
        assert proc.returncode == 1 and "not a regular file" in proc.stderr, proc.stderr
    with pytest.raises(ReadError) as info:
        read_path(fifo)
    assert info.value.reason == "not_a_file"


def test_huge_html_spans_are_refused_quickly() -> None:
    rows = "".join(f'<tr><td rowspan="1000" colspan="1000">第{i}行</td></tr>' for i in range(60))
    page = f"<html><body><table>{rows}</table></body></html>".encode()
    with pytest.raises(ReadError) as info:
        _seconds(lambda: read_bytes(page, "spans.html"), guard=60)
    assert info.value.reason == "too_large" and "cells" in str(info.value)


def test_html_rows_are_rendered_in_linear_time() -> None:
    """A tall table with one rowspan per row: rendering once scanned every pending span for
    every row (quadratic)."""
    rows = "".join(f'<tr><td rowspan="3">第{i}项</td><td>≥{i}人</td></tr>' for i in range(20_000))
    page = f"<table>{rows}</table>".encode()
    assert _seconds(lambda: read_bytes(page, "tall.html")) < 10


def _whole_sheet_merge() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["一级指标", "二级指标", "三级指标", "指标值"])
    book.active.merge_cells("A5:B6")
    out = io.BytesIO()
    book.save(out)
    patched = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'ref="A5:B6"', b'ref="A5:XFD1048576"')  # the whole sheet
            target.writestr(info.filename, data)
    return patched.getvalue()


_MERGE_SCRIPT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))  # a guard for this test only
from extractor.errors import ReadError
from extractor.readers import read_bytes
try:
    read_bytes(sys.stdin.buffer.read(), "merged.xlsx")
except ReadError as err:
    print(err.reason, err)
"""


def test_a_merged_range_over_the_whole_sheet_is_refused_before_openpyxl_expands_it() -> None:
    data = _whole_sheet_merge()
    assert len(data) < 10_000
    proc = subprocess.run([sys.executable, "-c", _MERGE_SCRIPT], input=data, capture_output=True,
                          timeout=120, check=False)
    out = proc.stdout.decode()
    assert out.startswith("too_large") and "merged ranges cover" in out, (out, proc.stderr.decode()[-500:])


# -- 5. extract and check have tag's limits ---------------------------------------------------------
def test_extract_and_check_take_the_time_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(TABLE * 2000, encoding="utf-8")
    good = SAMPLES / "tab_four_column.txt"
    for command in ("extract", "check"):
        proc = _run(command, str(big), str(good), "--timeout", "0.5", "--format", "jsonl")
        assert proc.returncode == 1, proc.stderr
        assert "gave up after 0.5 s" in proc.stderr and "--timeout" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert str(good) in proc.stdout  # the next document is still done


def test_a_text_too_large_for_the_memory_guard_fails_alone_and_early(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(ENDLESS, encoding="utf-8")  # 48× is past a 300 MB guard
    good = SAMPLES / "tab_four_column.txt"
    started = time.monotonic()
    proc = _run("extract", str(big), str(good), "--memory-mb", "300")
    assert proc.returncode == 1, proc.stderr
    assert "--memory-mb" in proc.stderr and "Traceback" not in proc.stderr
    assert str(good) in proc.stdout
    assert time.monotonic() - started < 60  # refused as soon as read, not after the work


def test_tag_refuses_a_text_too_large_for_its_memory_guard(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.txt").write_text(ENDLESS, encoding="utf-8")
    (folder / "good.txt").write_text(TABLE, encoding="utf-8")
    proc = _run("tag", str(folder), "-o", str(tmp_path / "out"), "--memory-mb", "300", "--no-report",
                "--workers", "1", timeout=300)
    assert proc.returncode == 1, proc.stderr
    import json

    got = {Path(s["doc"]).name: s for s in map(json.loads, (tmp_path / "out" / "documents.jsonl").open())}
    assert got["big.txt"]["reason"] == "too_large" and "--memory-mb" in got["big.txt"]["error"]
    assert got["good.txt"]["status"] == "ok"


def _pdf_with_stream(payload: bytes) -> bytes:
    """A one-page PDF whose content stream is `payload`, deflated (xref offsets computed)."""
    import zlib

    packed = zlib.compress(payload, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_stream_that_inflates_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 MB PDF with a 1 GB stream reached 2.1 GB: pdfminer inflates a stream whole. Scaled
    down here: a 16 MB stream against a 4 MB limit."""
    import tracemalloc

    from extractor.readers import pdf

    monkeypatch.setattr(pdf, "MAX_PDF_STREAM_BYTES", 4 * 2**20, raising=False)
    data = _pdf_with_stream(b"0 0 m " * (16 * 2**20 // 6))
    assert len(data) < 100_000
    # the PDF libraries are imported on first use: import them before measuring, so that the
    # peak is the stream's and not the modules'
    with pytest.raises(ReadError):
        read_bytes(_pdf_with_stream(b"0 0 m " * (8 * 2**20 // 6)), "warm.pdf")
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as info:
            read_bytes(data, "bomb.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.reason == "too_large" and "inflates past 4 MB" in str(info.value)
    assert peak < 12 * 2**20
