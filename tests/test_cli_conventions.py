"""Linter conventions of `indicators check` (and the API's): --select/--ignore by code or
family, config discovery, --statistics, csv, colour switches, exit codes, the default
severity floor, -o mistakes without tracebacks, extract() and extract_text(), --version."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES

import extractor
from extractor.cli import main

# one error (unquantified_output), warnings, and info findings (comparator_nonstandard)
DOC = ("桐乡县2024年度项目支出绩效目标表\n项目名称\t社区助餐服务补贴\n"
       "年度绩效目标\t全年为辖区老年人提供助餐服务不少于1200人。\n一级指标\t二级指标\t三级指标\t指标值\n"
       "产出指标\t数量指标\t助餐服务\t广泛开展助餐服务\n"
       "产出指标\t数量指标\t送餐上门户数\t>=300户\n"
       "产出指标\t质量指标\t补贴发放准确率\t=100%\n"
       "效益指标\t社会效益指标\t老年人生活质量\t有效提升\n"
       "满意度指标\t服务对象满意度指标\t就餐老人满意度\t≥90%\n")


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "助餐.txt"
    path.write_text(DOC, encoding="utf-8")
    return path


def _jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False, cwd=cwd, env=full_env)


# ---------------------------------------------------------------- exit codes and severity floor

def test_cli_check_exits_1_on_an_error_by_default(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(doc)]) == 1
    assert main(["check", str(doc), "--exit-zero"]) == 0
    assert main(["check", str(doc), "--ignore", "unquantified_output"]) == 0
    assert main(["check", str(doc), "--ignore", "unquantified_output", "--fail-on", "warning"]) == 1


def test_cli_text_report_hides_info_unless_asked(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(doc)])
    out = capsys.readouterr().out
    assert "unquantified_output" in out and "comparator_nonstandard" not in out
    assert "info findings not shown" in out
    main(["check", str(doc), "--min-severity", "info"])
    assert "comparator_nonstandard" in capsys.readouterr().out
    main(["check", str(doc), "--format", "jsonl"])  # records keep every severity
    assert "comparator_nonstandard" in {f["code"] for f in _jsonl(capsys.readouterr().out)}


# ---------------------------------------------------------------- select / ignore

@pytest.mark.parametrize(("options", "expected"), [
    (["--select", "unquantified_output"], {"unquantified_output"}),
    (["--select", "values", "--ignore", "comparator_nonstandard,unquantified_output"],
     {"qualitative_without_grades"}),
    (["--select", "targets,unquantified_output"], {"unquantified_output"}),
    (["--ignore", "values,classes"], set()),
])
def test_cli_select_and_ignore_codes_and_families(doc: Path, options: list[str], expected: set[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(doc), "--format", "jsonl", *options])
    codes = {f["code"] for f in _jsonl(capsys.readouterr().out)}
    assert codes == expected


@pytest.mark.parametrize("options", [["--select", "unquantified_outptu"], ["--ignore", "wordings"]])
def test_cli_unknown_code_on_the_command_line_is_a_usage_error(doc: Path, options: list[str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(doc), *options]) == 2
    err = capsys.readouterr().err
    assert options[1] in err and "indicators rules" in err and "Traceback" not in err


@pytest.mark.parametrize("config", ['[rules]\nignore = ["vague_wordin"]\n',
                                    '[severity]\nvague_wordin = "error"\n',
                                    '[severity]\nvalues = "error"\n'])
def test_cli_unknown_code_in_config_is_a_usage_error(doc: Path, tmp_path: Path, config: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "review.toml"
    path.write_text(config, encoding="utf-8")
    assert main(["check", str(doc), "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "review.toml" in err and ("vague_wordin" in err or "values" in err)


# ---------------------------------------------------------------- config discovery

@pytest.mark.parametrize(("name", "text"), [
    ("indicators.toml", '[rules]\nselect = ["unquantified_output"]\n'),
    ("pyproject.toml", '[project]\nname = "audit"\n\n[tool.indicators.rules]\nselect = ["unquantified_output"]\n'),
])
def test_cli_config_found_from_the_working_directory_upward(doc: Path, tmp_path: Path, name: str,
                                                            text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    below = tmp_path / "2024" / "乡镇"
    below.mkdir(parents=True)
    proc = _run("check", str(doc), "--format", "jsonl", cwd=below)
    assert {f["code"] for f in _jsonl(proc.stdout)} == {"unquantified_output"}
    # the command line still wins over the found file
    proc = _run("check", str(doc), "--format", "jsonl", "--select", "comparator_nonstandard", cwd=below)
    assert {f["code"] for f in _jsonl(proc.stdout)} == {"comparator_nonstandard"}


def test_cli_pyproject_without_our_table_is_passed_over(doc: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    proc = _run("check", str(doc), "--format", "jsonl", cwd=tmp_path)
    assert proc.returncode == 1 and len({f["code"] for f in _jsonl(proc.stdout)}) > 1


# ---------------------------------------------------------------- statistics, csv, colour

def test_cli_statistics_counts_per_code(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(doc), "--statistics"])
    lines = capsys.readouterr().out.splitlines()
    counts = {line.split()[1]: int(line.split()[0]) for line in lines if "_" in line}
    assert counts["unquantified_output"] == 1 and counts["comparator_nonstandard"] == 1
    assert "产出/成本指标未量化" in next(line for line in lines if "unquantified_output" in line)
    main(["check", str(doc), "--statistics", "--format", "json"])
    stats = json.loads(capsys.readouterr().out)
    assert {"code": "unquantified_output", "count": 1, "severity": "error", "title": "产出/成本指标未量化"} in stats


def test_cli_check_csv_has_chinese_labels(doc: Path, tmp_path: Path) -> None:
    out = tmp_path / "问题.csv"
    assert main(["check", str(doc), "--format", "csv", "-o", str(out)]) == 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["code"] == "unquantified_output")
    assert row["严重程度"] == "错误" and row["问题名称"] == "产出/成本指标未量化" and row["severity"] == "error"
    assert json.loads(row["evidence"])["level2"] == "quantity"


def test_cli_extract_csv_keeps_its_columns_and_adds_chinese_ones(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["extract", str(doc), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    from extractor.export import CSV_FIELDS

    assert list(rows[0])[:len(CSV_FIELDS)] == CSV_FIELDS
    row = next(r for r in rows if r["name"] == "送餐上门户数")
    assert (row["level1"], row["level2"], row["label_source"]) == ("output", "quantity", "heading")
    assert (row["一级指标"], row["二级指标"], row["指标类别"], row["分类依据"], row["来源"]) == (
        "产出", "数量", "产出/数量", "表头", "指标")
    assert row["定性"] == "否" and next(r for r in rows if r["name"] == "老年人生活质量")["模糊"] == "是"


@pytest.mark.parametrize(("args", "env", "coloured"), [
    ([], {}, False),  # a pipe, not a terminal
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
])
def test_cli_colour_switches(doc: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    proc = _run("check", str(doc), *args, env=env)
    assert ("\033[" in proc.stdout) is coloured


# ---------------------------------------------------------------- -o mistakes

@pytest.mark.parametrize("command", ["extract", "check"])
def test_cli_output_into_a_missing_folder_is_said_plainly(doc: Path, tmp_path: Path, command: str) -> None:
    proc = _run(command, str(doc), "-o", str(tmp_path / "没有的文件夹" / "out.jsonl"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "没有的文件夹" in proc.stderr and "does not exist" in proc.stderr and "mkdir" in proc.stderr


def test_cli_output_onto_a_folder_is_said_plainly(doc: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(doc), "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_cli_output_into_a_read_only_folder_is_said_plainly(doc: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = _run("check", str(doc), "-o", str(locked / "out.txt"))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2 and "permission" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- API, version, help, packaging

@pytest.mark.parametrize("name", ["typo.txt", "预算/2024/绩效目标表.xlsx", "./表格", "C:\\预算\\表.docx"])
def test_api_path_like_string_that_names_no_file_is_an_error(name: str) -> None:
    with pytest.raises(extractor.ReadError) as caught:
        extractor.extract(name)
    assert caught.value.reason == "not_found" and "extract_text" in str(caught.value)


def test_api_extract_text_reads_text_and_never_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "typo.txt").write_text(DOC, encoding="utf-8")
    assert extractor.extract_text("typo.txt") == []  # the name itself, as text: no indicator
    from_file = [i.text for i in extractor.extract("typo.txt")]
    assert from_file == [i.text for i in extractor.extract_text(DOC)] and len(from_file) == 6  # goal + 5 rows


def test_cli_version_help_and_py_typed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"indicators {extractor.__version__}"
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = capsys.readouterr().out
    assert "(default: error)" in text and "(default: text)" in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "绩效目标表" in capsys.readouterr().out
    assert (Path(extractor.__file__).parent / "py.typed").exists()


def test_runtime_imports_no_training_or_spacy_library() -> None:
    """The default install has neither scikit-learn nor spaCy: extract, check and report must
    not import them (nor SciPy)."""
    code = ("import sys, pathlib, tempfile, extractor\n"
            "from extractor.cli import main\n"
            f"main(['check', {str(SAMPLES / 'whole_unit.txt')!r}, '--format', 'jsonl', '-o', '/dev/null'])\n"
            "from extractor.checks.structure import words; words('培育节水用水示')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'spacy', 'thinc'}))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
@pytest.mark.parametrize(("words", "expected"), [
    (["indicators", "ch"], "check"),
    (["indicators", "check", "--select", "truncated_t"], "truncated_text"),
    (["indicators", "check", "--fail-on", "w"], "warning"),
    (["indicators", "rule", "numbering_a"], "numbering_anomaly"),
])
def test_cli_bash_completion(words: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    probe = (f"{script}\nCOMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; _indicators; "
             'echo "${COMPREPLY[@]}"')
    proc = subprocess.run(["/bin/bash", "-c", probe], capture_output=True, text=True, timeout=30, check=False)
    assert proc.stdout.split() == [expected], proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["extract", "check"])
def test_cli_full_disk_is_said_plainly(doc: Path, command: str) -> None:
    proc = _run(command, str(doc), "-o", "/dev/full", "--format", "jsonl")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "disk is full" in proc.stderr
