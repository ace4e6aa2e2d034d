"""`indicators tag`: one summary per input, errors as records, resume after kill -9, Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLES

from extractor import tag


def _archive(folder: Path, copies: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    samples = sorted(p for p in SAMPLES.glob("*.txt") if ".utf16" not in p.name)
    for i in range(copies):
        for sample in samples:
            shutil.copy(sample, folder / f"{i:02d}_{sample.name}")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "fake.xlsx").write_bytes(b"not a workbook at all")
    return folder


def _run_tag(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor", "tag", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def _outputs(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in tag.STREAMS}


def test_every_input_has_exactly_one_summary_and_bad_files_are_error_records(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "in")
    proc = _run_tag(str(archive), "-o", str(tmp_path / "out"), "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    inputs = sorted(str(p) for p in archive.iterdir())
    summaries = [json.loads(line) for line in (tmp_path / "out" / "documents.jsonl").open(encoding="utf-8")]
    assert sorted(s["doc"] for s in summaries) == inputs
    status = {Path(s["doc"]).name: (s["status"], s.get("reason")) for s in summaries}
    assert status["empty.txt"] == ("error", "empty")
    assert status["binary.txt"][0] == "error"
    assert status["fake.xlsx"][0] == "error"
    ok = [s for s in summaries if s["status"] == "ok"]
    assert ok and all(s["budget_year"] and s["indicators"] > 0 for s in ok)
    indicators = (tmp_path / "out" / "indicators.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(indicators) == sum(s["indicators"] for s in ok)
    assert (tmp_path / "out" / "report.xlsx").stat().st_size > 0


@pytest.mark.slow
def test_resume_after_kill_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "in", copies=4)
    assert _run_tag(str(archive), "-o", str(tmp_path / "whole"), "--workers", "1",
                    "--no-report").returncode == 0
    cut = tmp_path / "cut"
    proc = subprocess.Popen([sys.executable, "-m", "extractor", "tag", str(archive), "-o", str(cut),
                             "--workers", "1", "--no-report"], stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = cut / "documents.jsonl"
        if done.exists() and len(done.read_text(encoding="utf-8").splitlines()) >= 8:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len((cut / "documents.jsonl").read_text(encoding="utf-8").splitlines())
    assert 0 < partial < len(list(archive.iterdir()))
    resumed = _run_tag(str(archive), "-o", str(cut), "--workers", "1", "--resume", "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stderr
    assert _outputs(cut) == _outputs(tmp_path / "whole")


def test_resume_drops_records_of_a_document_cut_mid_write(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "in")
    out = tmp_path / "out"
    assert _run_tag(str(archive), "-o", str(out), "--workers", "1", "--no-report").returncode == 0
    whole = _outputs(out)
    lines = whole["documents.jsonl"].splitlines()
    last_doc = json.loads(lines[-1])["doc"]
    (out / "documents.jsonl").write_text("\n".join(lines[:-1]) + '\n{"doc": "tru', encoding="utf-8")
    with (out / "indicators.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"doc": last_doc, "text": "half"}, ensure_ascii=False) + "\n")
    assert _run_tag(str(archive), "-o", str(out), "--workers", "1", "--resume", "--no-report").returncode == 0
    assert _outputs(out) == whole


@pytest.mark.slow
def test_dask_local_cluster_writes_the_same_outputs(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    archive = _archive(tmp_path / "in")
    assert _run_tag(str(archive), "-o", str(tmp_path / "procs"), "--workers", "1", "--no-report").returncode == 0
    proc = _run_tag(str(archive), "-o", str(tmp_path / "dask"), "--workers", "2", "--dask", "local",
                    "--no-report")
    assert proc.returncode == 0, proc.stderr
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "procs")


def test_zip_members_are_documents_of_their_own(tmp_path: Path) -> None:
    import zipfile

    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "batch.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8"))
        archive.writestr("sub/b.txt", (SAMPLES / "whole_unit.txt").read_text(encoding="utf-8"))
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    assert _run_tag(str(folder), "-o", str(tmp_path / "out"), "--workers", "1", "--no-report").returncode == 0
    summaries = [json.loads(line) for line in (tmp_path / "out" / "documents.jsonl").open(encoding="utf-8")]
    status = {s["doc"].removeprefix(str(folder) + "/"): s["status"] for s in summaries}
    assert status == {"batch.zip!a.txt": "ok", "batch.zip!sub/b.txt": "ok", "broken.zip": "error"}
