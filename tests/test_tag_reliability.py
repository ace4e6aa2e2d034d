"""`indicators tag` under attack and carelessness: odd names, two runs, closed pipes, killed
parents, interrupts, full disks, links and FIFOs (issue 13). Files are built here, small."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES

from extractor import tag
from extractor.names import doc_name, split_doc

TABLE = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")


def _tag(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extractor", "tag", *args], capture_output=True,
                          text=True, timeout=300, check=False, **kwargs)  # type: ignore[call-overload]


def _summaries(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]


def _streams(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in tag.STREAMS}


def _good_folder(folder: Path, copies: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        (folder / f"{i:03d}_表.txt").write_text(TABLE, encoding="utf-8")
    return folder


def test_a_file_name_that_is_not_utf8_is_escaped_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/" + "绩效目标表".encode("gbk") + b".txt"  # copied from Windows
    Path(os.fsdecode(raw)).write_text(TABLE, encoding="utf-8")
    out = tmp_path / "out"
    proc = _tag(str(folder), "-o", str(out), "--no-report")
    assert proc.returncode == 0, proc.stderr
    (summary,) = _summaries(out)
    assert summary["status"] == "ok" and "%" in summary["doc"]
    assert os.fsencode(split_doc(summary["doc"])[0]) == raw  # the escape gives the bytes back
    whole = _streams(out)
    resumed = _tag(str(folder), "-o", str(out), "--resume")  # with the workbook this time
    assert resumed.returncode == 0, resumed.stderr
    assert "1 already done, 0 to do" in resumed.stderr and _streams(out) == whole
    extracted = subprocess.run([sys.executable, "-m", "extractor", "extract", os.fsdecode(raw)],
                               capture_output=True, timeout=120, check=False)
    assert extracted.returncode == 0, extracted.stderr
    assert json.loads(extracted.stdout.splitlines()[0])["doc"] == summary["doc"]
    checked = subprocess.run([sys.executable, "-m", "extractor", "check", os.fsdecode(raw)],
                             capture_output=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stderr


def test_a_file_named_like_an_archive_member_is_a_document_of_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "a.zip", "w") as archive:
        archive.writestr("inner.txt", TABLE)
    (folder / "a.zip!inner.txt").write_text(TABLE, encoding="utf-8")
    out = tmp_path / "out"
    assert _tag(str(folder), "-o", str(out), "--no-report").returncode == 0
    docs = [s["doc"] for s in _summaries(out)]
    assert len(docs) == len(set(docs)) == 2
    assert doc_name(str(folder / "a.zip"), "inner.txt") in docs
    assert doc_name(str(folder / "a.zip!inner.txt")) in docs
    resumed = _tag(str(folder), "-o", str(out), "--resume", "--no-report")
    assert "2 already done, 0 to do" in resumed.stderr
    assert len(_summaries(out)) == 2


def test_a_second_run_on_a_locked_folder_refuses_at_once(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 2)
    out = tmp_path / "out"
    holder = tag.Output(out, resume=False)  # a run in progress
    try:
        started = time.monotonic()
        proc = _tag(str(folder), "-o", str(out), "--resume", "--no-report")
        assert proc.returncode == 2
        assert "in use by another" in proc.stderr and str(os.getpid()) in proc.stderr
        assert "Traceback" not in proc.stderr and time.monotonic() - started < 60
    finally:
        holder.close()
        holder.release()
    assert _tag(str(folder), "-o", str(out), "--resume", "--no-report").returncode == 0


def test_an_earlier_run_is_never_overwritten_without_resume_or_force(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 2)
    out = tmp_path / "out"
    assert _tag(str(folder), "-o", str(out), "--no-report").returncode == 0
    before = _streams(out)
    again = _tag(str(folder), "-o", str(out), "--no-report")
    assert again.returncode == 2 and "not empty" in again.stderr and "--resume" in again.stderr
    assert _streams(out) == before
    forced = _tag(str(folder), "-o", str(out), "--force", "--no-report")
    assert forced.returncode == 0 and _streams(out) == before


def test_exit_status_is_1_when_a_document_failed_after_writing_everything(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 2)
    (folder / "empty.txt").write_bytes(b"")
    proc = _tag(str(folder), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert len(_summaries(tmp_path / "out")) == 3 and (tmp_path / "out" / "report.xlsx").exists()


def test_a_closed_progress_pipe_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 60)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "extractor", "tag", str(folder), "-o", str(out),
                             "--workers", "1", "--no-report"], stderr=subprocess.PIPE)
    assert proc.stderr is not None
    proc.stderr.close()  # `| head -1` gone before the first line
    assert proc.wait(timeout=300) == 0
    assert len(_summaries(out)) == 60


_SLOW_TAG = textwrap.dedent("""
    import sys, time
    from extractor import cli, tag
    tag._records = lambda *args: time.sleep(300)  # a document that keeps its worker busy
    sys.exit(cli.main(sys.argv[1:]))
""")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split(")")[-1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # exited, waiting for a reaper


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_tag_is_killed(tmp_path: Path, how: int) -> None:
    folder = _good_folder(tmp_path / "in", 4)
    main = subprocess.Popen([sys.executable, "-c", _SLOW_TAG, "tag", str(folder), "-o", str(tmp_path / "out"),
                             "--workers", "2", "--no-report"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(main.pid)
    assert len(workers) >= 2
    time.sleep(1.0)  # each worker is inside its document now
    main.send_signal(how)
    main.wait(timeout=30)
    deadline = time.monotonic() + 10
    while not all(_gone(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [w for w in workers if not _gone(w)]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive


def test_ctrl_c_says_how_to_resume_and_the_resume_is_whole(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 80)
    assert _tag(str(folder), "-o", str(tmp_path / "whole"), "--workers", "1", "--no-report").returncode == 0
    out = tmp_path / "cut"
    proc = subprocess.Popen([sys.executable, "-m", "extractor", "tag", str(folder), "-o", str(out),
                             "--workers", "2", "--no-report"], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / "documents.jsonl").exists() and len(_summaries(out)) >= 5:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    resumed = _tag(str(folder), "-o", str(out), "--workers", "1", "--resume", "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert _streams(out) == _streams(tmp_path / "whole")


_CRASHING_TAG = textwrap.dedent("""
    import os, signal, sys
    from extractor import cli, tag
    read = tag._records
    def records(job, limits, sink):  # a crash in C code, as a segfault in a reader would be
        if "crash" in job.doc:
            os.kill(os.getpid(), signal.SIGSEGV)
        return read(job, limits, sink)
    tag._records = records
    sys.exit(cli.main(sys.argv[1:]))
""")


def test_a_worker_that_dies_costs_only_its_own_document(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 6)
    (folder / "crash.txt").write_text(TABLE, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", _CRASHING_TAG, "tag", str(folder), "-o", str(out),
                           "--workers", "2", "--no-report"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 1, proc.stderr
    got = {Path(s["doc"]).name: (s["status"], s.get("reason")) for s in _summaries(out)}
    assert got.pop("crash.txt") == ("error", "worker_crashed")
    assert set(got.values()) == {("ok", None)} and len(got) == 6
    (folder / "crash.txt").unlink()
    assert _tag(str(folder), "-o", str(tmp_path / "whole"), "--workers", "1", "--no-report").returncode == 0
    assert (out / "indicators.jsonl").read_bytes() == (tmp_path / "whole" / "indicators.jsonl").read_bytes()


_KILLED_IN_THE_MERGE = textwrap.dedent("""
    import os, sys
    from extractor import cli, tag
    merge = tag._write_in_order
    def write_in_order(folder, name, blocks):  # killed right after this stream is merged
        merge(folder, name, blocks)
        if name == sys.argv[1]:
            os._exit(9)
    tag._write_in_order = write_in_order
    sys.exit(cli.main(sys.argv[2:]))
""")


@pytest.mark.parametrize("last", ["indicators.jsonl", "documents.jsonl"])
def test_a_kill_during_the_merge_resumes_to_the_same_outputs(tmp_path: Path, last: str) -> None:
    """Killed with some streams merged and the shards still there: the resume must take each
    record once, from the journal's shard or from the merged stream, never from both."""
    folder = _good_folder(tmp_path / "in", 8)
    (folder / "empty.txt").write_bytes(b"")
    assert _tag(str(folder), "-o", str(tmp_path / "whole"), "--workers", "1", "--no-report").returncode == 1
    out = tmp_path / "cut"
    proc = subprocess.run([sys.executable, "-c", _KILLED_IN_THE_MERGE, last, "tag", str(folder), "-o", str(out),
                           "--workers", "2", "--no-report"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 9, proc.stderr
    assert (out / tag.PARTS_NAME / tag.JOURNAL).exists()
    resumed = _tag(str(folder), "-o", str(out), "--workers", "2", "--resume", "--no-report")
    assert resumed.returncode == 1, resumed.stderr
    assert "9 already done, 0 to do" in resumed.stderr
    assert _streams(out) == _streams(tmp_path / "whole")
    assert not (out / tag.PARTS_NAME).exists()


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def test_a_file_size_limit_is_explained_and_the_resume_is_whole(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path / "in", 20)
    assert _tag(str(folder), "-o", str(tmp_path / "whole"), "--workers", "1", "--no-report").returncode == 0
    out = tmp_path / "cut"
    limit = len((tmp_path / "whole" / "indicators.jsonl").read_bytes()) // 3
    proc = _tag(str(folder), "-o", str(out), "--workers", "1", "--no-report",
                preexec_fn=lambda: _file_size_limit(limit))
    assert proc.returncode == 1, proc.stderr
    assert "file-size limit" in proc.stderr and "--resume" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    resumed = _tag(str(folder), "-o", str(out), "--workers", "1", "--resume", "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert _streams(out) == _streams(tmp_path / "whole")


def test_links_are_skipped_with_a_summary_unless_followed(tmp_path: Path) -> None:
    outside = _good_folder(tmp_path / "outside", 1)
    folder = _good_folder(tmp_path / "in", 1)
    (folder / "link.txt").symlink_to(next(outside.iterdir()))
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    out = tmp_path / "out"
    proc = _tag(str(folder), "-o", str(out), "--no-report")
    assert proc.returncode == 1, proc.stderr
    got = {Path(s["doc"]).name: (s["status"], s.get("reason")) for s in _summaries(out)}
    assert got == {"000_表.txt": ("ok", None), "link.txt": ("error", "skipped"),
                   "loop.txt": ("error", "skipped"), "pipe.txt": ("error", "skipped")}
    followed = _tag(str(folder), "-o", str(tmp_path / "followed"), "--follow-symlinks", "--no-report")
    got = {Path(s["doc"]).name: (s["status"], s.get("reason")) for s in _summaries(tmp_path / "followed")}
    assert got["link.txt"] == ("ok", None) and got["pipe.txt"] == ("error", "skipped")
    assert followed.returncode == 1


def test_every_member_past_the_member_limit_gets_an_error_summary(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import archive

    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "many.zip", "w") as bundle:
        for i in range(5):
            bundle.writestr(f"{i}.txt", TABLE)
    monkeypatch.setattr(archive, "DEFAULT_LIMITS", archive.Limits(max_members=3))
    monkeypatch.setattr(archive.plan_archive, "__kwdefaults__", {"limits": archive.Limits(max_members=3)})
    jobs = tag.discover([folder])
    outs = [tag.process(job, tag.Limits()) for job in jobs]
    reasons = [(Path(o["doc"]).name, o["summary"]["status"], o["summary"].get("reason")) for o in outs]
    assert reasons == [("many.zip!0.txt", "ok", None), ("many.zip!1.txt", "ok", None),
                       ("many.zip!2.txt", "ok", None), ("many.zip!3.txt", "error", "too_large"),
                       ("many.zip!4.txt", "error", "too_large")]
    assert all("3-member limit" in o["summary"]["error"] for o in outs[3:])
