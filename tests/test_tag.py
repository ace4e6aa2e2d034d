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


def _mixed_folder(folder: Path) -> Path:
    """Text in several layouts and formats, archive members, and files that fail."""
    import zipfile

    _archive(folder)
    shutil.copy(SAMPLES / "pipe_rows.md", folder / "pipe_rows.md")
    shutil.copy(SAMPLES / "split_columns.html", folder / "split_columns.html")
    with zipfile.ZipFile(folder / "batch.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8"))
        archive.writestr("sub/b.txt", (SAMPLES / "whole_unit.txt").read_text(encoding="utf-8"))
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    return folder


def test_outputs_are_byte_identical_for_any_number_of_workers(tmp_path: Path) -> None:
    """Workers finish in any order and write their own shards; the merge puts every stream in
    input order, so the files are the same bytes for 1, 2 or 3 workers (3: an uneven split)."""
    folder = _mixed_folder(tmp_path / "in")
    outputs = []
    for workers in (1, 2, 3):
        out = tmp_path / f"out{workers}"
        proc = _run_tag(str(folder), "-o", str(out), "--workers", str(workers), "--no-report")
        assert proc.returncode == 1, proc.stderr  # the empty, binary and broken files
        assert sorted(p.name for p in out.iterdir()) == sorted([*tag.STREAMS, tag.LOCK_NAME])  # no temp area left
        outputs.append({name: (out / name).read_bytes() for name in tag.STREAMS})
    assert outputs[0] == outputs[1] == outputs[2]
    summaries = [json.loads(line) for line in outputs[0]["documents.jsonl"].splitlines()]
    assert len(summaries) == len(list(folder.iterdir())) + 1  # the zip's two members
    assert [s["doc"] for s in summaries] == [j.doc for j in tag.discover([folder])]
    assert len(outputs[0]["indicators.jsonl"].splitlines()) == sum(s["indicators"] for s in summaries
                                                                   if s["status"] == "ok")


def test_every_input_has_exactly_one_summary_and_bad_files_are_error_records(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "in")
    proc = _run_tag(str(archive), "-o", str(tmp_path / "out"), "--workers", "2")
    assert proc.returncode == 1, proc.stderr
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
                    "--no-report").returncode == 1
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
    assert resumed.returncode == 1, resumed.stderr
    assert "already done" in resumed.stderr
    assert _outputs(cut) == _outputs(tmp_path / "whole")


def test_resume_drops_records_of_a_document_cut_mid_write(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "in")
    out = tmp_path / "out"
    assert _run_tag(str(archive), "-o", str(out), "--workers", "1", "--no-report").returncode == 1
    whole = _outputs(out)
    lines = whole["documents.jsonl"].splitlines()
    last_doc = json.loads(lines[-1])["doc"]
    (out / "documents.jsonl").write_text("\n".join(lines[:-1]) + '\n{"doc": "tru', encoding="utf-8")
    with (out / "indicators.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"doc": last_doc, "text": "half"}, ensure_ascii=False) + "\n")
    assert _run_tag(str(archive), "-o", str(out), "--workers", "1", "--resume", "--no-report").returncode == 1
    assert _outputs(out) == whole


@pytest.mark.slow
def test_dask_local_cluster_writes_the_same_outputs(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    archive = _archive(tmp_path / "in")
    assert _run_tag(str(archive), "-o", str(tmp_path / "procs"), "--workers", "1", "--no-report").returncode == 1
    proc = _run_tag(str(archive), "-o", str(tmp_path / "dask"), "--workers", "2", "--dask", "local",
                    "--no-report")
    assert proc.returncode == 1, proc.stderr
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "procs")


def test_zip_members_are_documents_of_their_own(tmp_path: Path) -> None:
    import zipfile

    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "batch.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8"))
        archive.writestr("sub/b.txt", (SAMPLES / "whole_unit.txt").read_text(encoding="utf-8"))
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    assert _run_tag(str(folder), "-o", str(tmp_path / "out"), "--workers", "1", "--no-report").returncode == 1
    summaries = [json.loads(line) for line in (tmp_path / "out" / "documents.jsonl").open(encoding="utf-8")]
    status = {s["doc"].removeprefix(str(folder) + "/"): s["status"] for s in summaries}
    assert status == {"batch.zip!a.txt": "ok", "batch.zip!sub/b.txt": "ok", "broken.zip": "error"}


def test_finalise_puts_out_of_order_results_in_input_order_without_reparsing(tmp_path: Path) -> None:
    jobs = [tag.Job(i, f"d{i}.txt", f"d{i}.txt") for i in range(4)]

    def result(job: tag.Job, n: int) -> dict:
        records = [{"doc": job.doc, "text": f"{job.doc} 指标{k}"} for k in range(n)]
        return tag._result(job, {"doc": job.doc, "status": "ok"}, records, [])

    output = tag.Output(tmp_path, resume=False)
    worker = tag.Shards(output.parts, "w")  # as a pool worker writes its documents
    for job, n in ((jobs[2], 2), (jobs[0], 1), (jobs[3], 0), (jobs[1], 3)):  # as workers finish
        output.write(worker.put(result(job, n)) if job.index % 2 else result(job, n))
    worker.close()
    output.close()
    assert not (tmp_path / "indicators.jsonl").read_bytes()  # the records are in the shards until the merge
    output.finalise(jobs)
    output.release()
    assert not output.parts.exists()
    docs = [json.loads(line)["doc"] for line in (tmp_path / "documents.jsonl").open(encoding="utf-8")]
    assert docs == ["d0.txt", "d1.txt", "d2.txt", "d3.txt"]
    texts = [json.loads(line)["text"] for line in (tmp_path / "indicators.jsonl").open(encoding="utf-8")]
    assert texts == ["d0.txt 指标0", "d1.txt 指标0", "d1.txt 指标1", "d1.txt 指标2",
                     "d2.txt 指标0", "d2.txt 指标1"]

    resumed = tag.Output(tmp_path, resume=True)
    resumed.write(result(jobs[1], 1))  # d1 again (never done twice by `run`): not written twice
    resumed.close()
    resumed.release()
    with (tmp_path / "documents.jsonl").open("a", encoding="utf-8") as handle:  # nor kept twice
        handle.write(json.dumps({"doc": "d1.txt", "status": "ok"}) + "\n")
    again = tag.Output(tmp_path, resume=True)
    again.close()
    again.release()
    assert again.done == {"d0.txt", "d1.txt", "d2.txt", "d3.txt"}
    summaries = (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(s)["doc"] for s in summaries] == docs
    assert [len(again.blocks["indicators.jsonl"].get(d, [])) for d in docs] == [1, 1, 1, 0]


def test_time_limit_interrupts_a_document_in_a_thread_as_dask_runs_it() -> None:
    import threading

    from extractor.errors import DocumentTimeout

    outcome: list[str] = []

    def busy() -> None:
        try:
            with tag._time_limit(0.2):
                while True:  # pure Python: no signal reaches a non-main thread
                    sum(range(1000))
        except DocumentTimeout:
            outcome.append("timeout")

    def quick() -> None:
        try:
            with tag._time_limit(0.2):
                sum(range(1000))
            time.sleep(0.5)  # past the limit: a finished document must not be interrupted later
            outcome.append("finished")
        except DocumentTimeout:
            outcome.append("late timeout")

    for body in (busy, quick):
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(timeout=120)  # a hang guard, not a speed limit
        assert not thread.is_alive()
    assert outcome == ["timeout", "finished"]


def test_a_batch_of_broken_files_finishes_with_one_error_record_each(tmp_path: Path) -> None:
    import zipfile

    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "tab_four_column.txt", folder / "good.txt")
    good = zipfile.ZipFile(folder / "good.zip", "w", zipfile.ZIP_DEFLATED)
    good.writestr("a.txt", (SAMPLES / "whole_unit.txt").read_text(encoding="utf-8"))
    good.close()
    (folder / "truncated.zip").write_bytes((folder / "good.zip").read_bytes()[:60])
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("zeros.txt", b"0" * (40 * 2**20))  # 40 MB that packs to about 40 kB
    page = canvas.Canvas(str(folder / "locked.pdf"), encrypt=StandardEncryption("secret"))
    page.drawString(72, 720, "hello")
    page.save()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "renamed.pdf").write_text("一级指标\t二级指标\n这不是PDF", encoding="utf-8")
    (folder / "renamed.docx").write_bytes(b"\x00\x01 neither a zip nor text \xff\xfe")

    proc = _run_tag(str(folder), "-o", str(tmp_path / "out"), "--workers", "2")
    assert proc.returncode == 1, proc.stderr
    summaries = [json.loads(line) for line in (tmp_path / "out" / "documents.jsonl").open(encoding="utf-8")]
    got = {s["doc"].removeprefix(str(folder) + "/"): (s["status"], s.get("reason")) for s in summaries}
    assert len(summaries) == len(got) == 8
    assert got["good.txt"] == ("ok", None) and got["good.zip!a.txt"] == ("ok", None)
    assert got["truncated.zip"] == ("error", "corrupt")
    assert got["locked.pdf"] == ("error", "encrypted")
    assert got["empty.txt"] == ("error", "empty")
    assert got["renamed.pdf"][0] == "error" and got["renamed.docx"][0] == "error"
    assert [k for k in got if k.startswith("bomb.zip")] and all(
        v == ("error", "zip_bomb") for k, v in got.items() if k.startswith("bomb.zip"))
    assert all(s["error"] for s in summaries if s["status"] == "error")


def test_discover_takes_each_file_once_and_never_the_output_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "tab_four_column.txt", folder / "a.txt")
    (folder / "out").mkdir()
    (folder / "out" / "report.xlsx").write_bytes(b"an earlier run's workbook")
    (folder / "out" / "documents.jsonl").write_text("{}\n", encoding="utf-8")
    jobs = tag.discover([folder, folder / "a.txt", folder], exclude=folder / "out")
    assert [Path(j.doc).name for j in jobs] == ["a.txt"]
    assert [j.index for j in jobs] == [0]
    assert {Path(j.doc).name for j in tag.discover([folder])} == {"a.txt", "report.xlsx"}


def test_a_document_past_its_time_limit_is_a_timeout_even_inside_a_check_rule() -> None:
    """Rules run under `except Exception` (a rule's bug costs only that rule); the time limit
    must not be taken for such a bug, or a huge document runs on past its limit."""
    from extractor.checks import base

    class Endless(base.Rule):
        code = "endless_test_rule"
        severity = "info"
        message = suggestion = ""

        def check(self, ctx: base.Context):
            while True:
                sum(range(1000))
            yield

    base.RULES.append(Endless)
    try:
        job = tag.Job(0, "a.txt", str(SAMPLES / "tab_four_column.txt"))
        out = tag.process(job, tag.Limits(timeout=1.0))
    finally:
        base.RULES.remove(Endless)
    assert out["summary"]["status"] == "error" and out["summary"]["reason"] == "timeout"
    assert "--timeout" in out["summary"]["error"]


def test_tag_takes_the_checks_selection(tmp_path: Path) -> None:
    from extractor.checks.base import RULES

    families = {r.code: r.family for r in RULES}
    out = tmp_path / "out"
    done = _run_tag(str(SAMPLES / "tab_four_column.txt"), str(SAMPLES / "sentence_list.txt"),
                    "-o", str(out), "--workers", "1", "--no-report", "--select", "values")
    assert done.returncode == 0, done.stderr
    codes = {json.loads(line)["code"] for line in (out / "findings.jsonl").open(encoding="utf-8")}
    assert codes and {families[c] for c in codes} == {"values"}
    bad = _run_tag(str(SAMPLES / "tab_four_column.txt"), "-o", str(tmp_path / "bad"),
                   "--select", "no_such_rule")
    assert bad.returncode == 2 and "no_such_rule" in bad.stderr
