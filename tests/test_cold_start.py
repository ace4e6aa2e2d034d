"""Cold start: a fresh `indicators` process loads the heavy parts (jieba's dictionary, numpy,
cn2an) only when a document needs them, and the light replacements give the same output.
No timing here (see bench/bench_extract.py): what a process imports is what is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import wordtable
from extractor.checks.structure import TruncatedText

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
HEAVY = ("jieba", "numpy", "cn2an", "charset_normalizer")

# runs the CLI as `indicators` would, then names the heavy modules the process imported
RUN = """
import json, sys
from extractor.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print("IMPORTED " + json.dumps(sorted(m for m in HEAVY if m in sys.modules)))
""".replace("HEAVY", repr(HEAVY))


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[list[dict], list[str]]:
    """The JSONL records of a fresh `indicators ARGS` process and the heavy modules it loaded."""
    proc = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True,
                          timeout=300, check=False, cwd=ROOT, env=env)
    lines = proc.stdout.splitlines()
    assert lines and lines[-1].startswith("IMPORTED "), proc.stderr[-2000:]
    return [json.loads(x) for x in lines[:-1] if x.strip()], json.loads(lines[-1][9:])


@pytest.fixture(scope="module")
def truncated_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A table whose description column ends in a character jieba must judge (R05 c)."""
    path = tmp_path_factory.mktemp("docs") / "truncated.txt"
    path.write_text(TruncatedText.example, encoding="utf-8")
    return path


def test_a_table_that_needs_no_rule_of_the_heavy_kind_loads_none_of_them() -> None:
    for command in ("extract", "check"):
        records, imported = run_cli(command, str(SAMPLES / "tab_four_column.txt"), "--format", "jsonl")
        assert records and imported == []


def test_phrases_labelled_by_the_model_do_not_load_numpy() -> None:
    records, imported = run_cli("extract", str(SAMPLES / "goal_prose.txt"), "--format", "jsonl")
    assert any(r.get("label_source") == "model" for r in records)
    assert "numpy" not in imported


def test_chinese_numerals_as_cn2an_writes_them_do_not_load_cn2an(tmp_path: Path) -> None:
    doc = tmp_path / "numerals.txt"
    doc.write_text("项目名称\t技能培训\n一级指标\t二级指标\t三级指标\t指标值\n"
                   "产出指标\t数量指标\t培训人次\t一千零五十人次\n"
                   "\t\t培训场次\t二十五场\n\t\t补助人数\t一百零五人\n", encoding="utf-8")
    records, imported = run_cli("extract", str(doc), "--format", "jsonl")
    assert [q["value"] for r in records for q in r["quantities"]] == [1050, 25, 105]
    assert "cn2an" not in imported


def test_the_truncated_text_rule_reads_the_cached_word_table_not_jieba(truncated_doc: Path) -> None:
    assert wordtable.prepare() is not None  # the cache of this test run (conftest.py)
    findings, imported = run_cli("check", str(truncated_doc), "--format", "jsonl")
    assert "jieba" not in imported
    cut = [f for f in findings if f["code"] == "truncated_text"]
    assert [f["evidence"]["last_word"] for f in cut] == ["示"]


def test_without_a_writable_cache_jieba_cuts_and_the_findings_are_the_same(
        truncated_doc: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    env = dict(os.environ, INDICATORS_CACHE_DIR=str(tmp_path / "a-file" / "cache"))
    with_jieba, imported = run_cli("check", str(truncated_doc), "--format", "jsonl", env=env)
    assert "jieba" in imported
    wordtable.prepare()
    with_table, _ = run_cli("check", str(truncated_doc), "--format", "jsonl")
    assert with_jieba == with_table
