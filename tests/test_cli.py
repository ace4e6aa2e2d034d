"""The command line: formats, stdin, and batches with unreadable inputs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, TAB_TABLE

GOOD = SAMPLES / "tab_four_column.txt"
GOOD2 = SAMPLES / "pipe_rows.md"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=stdin,
                          capture_output=True, timeout=120, check=False)


def _gold_count(doc: Path) -> int:
    stem = doc.name.rsplit(".", 1)[0]
    gold = json.loads((doc.parent / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return len(gold["indicators"])


def test_jsonl_stdout_is_only_json_lines() -> None:
    proc = _run("extract", str(GOOD), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == _gold_count(GOOD)
    for line in lines:
        rec = json.loads(line)
        assert rec["doc"] == str(GOOD)
        assert rec["text"] == GOOD.read_text(encoding="utf-8")[rec["start"]:rec["end"]]


def test_json_format() -> None:
    proc = _run("extract", str(GOOD), str(GOOD2), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    records = json.loads(proc.stdout.decode("utf-8"))
    assert isinstance(records, list)
    assert len(records) == _gold_count(GOOD) + _gold_count(GOOD2)
    assert {r["doc"] for r in records} == {str(GOOD), str(GOOD2)}


def test_csv_format() -> None:
    proc = _run("extract", str(GOOD), "--format", "csv")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8-sig"))))
    assert len(rows) == _gold_count(GOOD)
    assert {"doc", "text", "level1", "level2", "operator", "value", "unit"} <= set(rows[0])
    assert all(r["doc"] == str(GOOD) for r in rows)


def test_csv_to_file_has_bom(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    proc = _run("extract", str(GOOD), "--format", "csv", "-o", str(out))
    assert proc.returncode == 0
    assert proc.stdout == b""
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_stdin(encoding: str) -> None:
    proc = _run("extract", "-", stdin=TAB_TABLE.encode(encoding))
    assert proc.returncode == 0, proc.stderr.decode()
    recs = [json.loads(x) for x in proc.stdout.decode("utf-8").splitlines()]
    assert [r["text"] for r in recs] == ["补贴发放人数\t≥1200人", "补贴发放准确率\t100%",
                                         "补贴发放时间\t2024年6月30日前", "老年人满意度\t≥90%"]
    assert all(r["doc"] == "-" for r in recs)


def test_bad_inputs_among_good_ones(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02garbage\x00" * 100)
    proc = _run("extract", str(GOOD), str(missing), str(binary), str(GOOD2))
    assert proc.returncode == 1
    err = proc.stderr.decode("utf-8")
    assert str(missing) in err and str(binary) in err
    assert str(GOOD) not in err
    recs = [json.loads(x) for x in proc.stdout.decode("utf-8").splitlines()]
    assert len(recs) == _gold_count(GOOD) + _gold_count(GOOD2)
    assert {r["doc"] for r in recs} == {str(GOOD), str(GOOD2)}


def test_bad_usage_exit_2() -> None:
    proc = _run("extract", str(GOOD), "--format", "xml")
    assert proc.returncode == 2
    assert proc.stdout == b""


def test_main_in_process(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from extractor.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["extract", str(empty)]) == 1
    captured = capsys.readouterr()
    assert "empty.txt" in captured.err and "empty" in captured.err
    assert captured.out == ""


EMPTY_ITEM_DOC = ("一、产出指标\n（一）数量指标\n1.举办培训班3期\n2.\n（二）质量指标\n1.培训合格率≥95%\n"
                  "二、满意度指标\n1.参训学员满意度≥90%\n")


def test_check_jsonl_records_follow_the_schema(tmp_path: Path) -> None:
    doc = tmp_path / "items.txt"
    doc.write_text(EMPTY_ITEM_DOC, encoding="utf-8")
    proc = _run("check", str(doc), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr.decode()
    records = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    empty = [r for r in records if r["code"] == "empty_enumerated_item"]
    assert len(empty) == 1
    assert set(empty[0]) >= {"doc", "code", "severity", "project", "text", "message",
                             "suggestion", "evidence"}
    assert empty[0]["text"] == "2." and empty[0]["severity"] == "warning"
    assert EMPTY_ITEM_DOC[empty[0]["start"]:empty[0]["end"]] == "2."


def test_check_text_report_and_fail_on(tmp_path: Path) -> None:
    doc = tmp_path / "items.txt"
    doc.write_text(EMPTY_ITEM_DOC, encoding="utf-8")
    proc = _run("check", str(doc))
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0
    assert "empty_enumerated_item" in out and "4:1" in out and "\033[" not in out
    assert _run("check", str(doc), "--fail-on", "warning").returncode == 1
    quiet = _run("check", str(doc), "--min-severity", "error", "--fail-on", "error")
    assert quiet.returncode == 0
    assert "empty_enumerated_item" not in quiet.stdout.decode("utf-8")


def test_check_config_overrides_and_rejects_unknown_keys(tmp_path: Path) -> None:
    doc = tmp_path / "items.txt"
    doc.write_text(EMPTY_ITEM_DOC, encoding="utf-8")
    config = tmp_path / "review.toml"
    config.write_text('[severity]\nempty_enumerated_item = "error"\n', encoding="utf-8")
    proc = _run("check", str(doc), "--format", "jsonl", "--config", str(config), "--fail-on", "error")
    assert proc.returncode == 1
    assert all(json.loads(line)["severity"] == "error" for line in proc.stdout.decode().splitlines()
               if json.loads(line)["code"] == "empty_enumerated_item")
    config.write_text("[thresholds]\nmin_indicatorz = 5\n", encoding="utf-8")
    bad = _run("check", str(doc), "--config", str(config))
    assert bad.returncode == 2
    assert "min_indicatorz" in bad.stderr.decode("utf-8")


def test_check_names_unreadable_inputs_and_goes_on(tmp_path: Path) -> None:
    doc = tmp_path / "items.txt"
    doc.write_text(EMPTY_ITEM_DOC, encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    proc = _run("check", str(binary), str(doc), "--format", "jsonl")
    assert proc.returncode == 1
    assert "blob.txt" in proc.stderr.decode("utf-8")
    assert any(json.loads(line)["code"] == "empty_enumerated_item"
               for line in proc.stdout.decode("utf-8").splitlines())


def test_every_package_is_installed_by_pyproject() -> None:
    """A subpackage missing from pyproject's list works from a checkout but not when installed."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "extractor").rglob("__init__.py")}
    assert found <= listed


def test_explain_lists_what_was_not_taken(tmp_path: Path) -> None:
    doc = tmp_path / "notice.txt"
    doc.write_text("关于下达2024年村级道路养护补助资金的通知\n根据绩效目标管理要求，现下达你单位养护补助资金"
                   "120万元。\n"
                   "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t养护道路里程\t≥35公里\n"
                   "合计\t\t\t100\n注：1.指标值未达到的按比例扣分。\n", encoding="utf-8")
    plain = _run("extract", str(doc))
    explained = _run("extract", "--explain", str(doc))
    assert plain.stdout == explained.stdout  # records unchanged, one line each
    assert [json.loads(line)["text"] for line in plain.stdout.decode().splitlines()] == [
        "养护道路里程\t≥35公里"]
    report = explained.stderr.decode()
    assert "candidates not taken" in report
    assert "letter" in report and "note" in report
    assert "现下达你单位养护补助资金120万元" in report
    assert plain.stderr == b""


def test_an_in_process_run_leaves_the_memory_limit_as_it_was(tmp_path: Path) -> None:
    import resource

    from extractor.cli import main

    before = resource.getrlimit(resource.RLIMIT_AS)
    doc = tmp_path / "t.txt"
    doc.write_text(TAB_TABLE, encoding="utf-8")
    assert main(["extract", str(doc), "-o", str(tmp_path / "out.jsonl"), "--memory-mb", "3000"]) == 0
    assert resource.getrlimit(resource.RLIMIT_AS) == before
