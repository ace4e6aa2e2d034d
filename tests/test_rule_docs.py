"""Every registered rule documents itself (Chinese name, family, why, what it flags) and
carries its fixture: `example` must give a finding of the rule, `better` none. The same text
is what `indicators rule CODE` prints, so the documentation cannot drift from the code."""

from __future__ import annotations

import inspect

import pytest

import extractor
from extractor.checks import RULES
from extractor.checks.base import Rule, families
from extractor.cli import main
from extractor.ruledocs import find_rule, rules_md_id

CODES = [r.code for r in RULES]


def _rule(code: str) -> type[Rule]:
    return next(r for r in RULES if r.code == code)


@pytest.mark.parametrize("code", CODES)
def test_rule_docs_are_declared(code: str) -> None:
    rule = _rule(code)
    for attribute in ("title", "family", "why", "example", "better", "message", "suggestion"):
        value = getattr(rule, attribute, None)
        assert isinstance(value, str) and value.strip(), f"{code} lacks {attribute}"
    assert rule.family in families()
    assert "Does not flag" in (inspect.getdoc(rule) or ""), f"{code}: docstring says what it leaves alone"
    assert rules_md_id(rule), f"{code}: docstring opens with its RULES.md id"


@pytest.mark.parametrize("code", CODES)
def test_rule_docs_example_is_flagged_and_better_is_not(code: str) -> None:
    rule = _rule(code)
    assert code in {f.code for f in extractor.extract_document(rule.example).findings}
    assert code not in {f.code for f in extractor.extract_document(rule.better).findings}


def test_rule_docs_ids_are_unique() -> None:
    ids = [rules_md_id(r) for r in RULES]
    assert len(set(ids)) == len(ids) == len(CODES) == len(set(CODES))


def test_rule_docs_cli_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule in RULES:
        line = next(line for line in out.splitlines() if f" {rule.code} " in line)
        assert rule.title in line and families()[rule.family] in line


@pytest.mark.parametrize("name", ["truncated_text", "R05"])
def test_rule_docs_cli_explains_one_rule(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", name]) == 0
    out = capsys.readouterr().out
    rule = find_rule(name)
    assert out.startswith("truncated_text — 文本截断")
    for heading in ("检查内容", "为什么是问题", "示例", "检查结果", "建议写法"):
        assert heading in out
    assert "培育节水用水示\t" in out and "培育节水用水示范户" in out  # example and better
    assert rule.why in out


def test_rule_docs_cli_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "truncated_txt"]) == 2
    err = capsys.readouterr().err
    assert "truncated_txt" in err and "truncated_text" in err and "Traceback" not in err


def test_rule_docs_fields_lists_labels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields"]) == 0
    out = capsys.readouterr().out
    assert "label_source" in out and "表头" in out and "服务对象满意度" in out
    assert "sustainability" in out and "可持续影响" in out


@pytest.mark.parametrize("code", CODES)
def test_rule_docs_cli_page_of_every_rule(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`indicators rule CODE` works for every registered code, and its 检查结果 section shows
    the finding the example gives today."""
    assert main(["rule", code]) == 0
    out = capsys.readouterr().out
    result = out.split("检查结果")[1].split("建议写法")[0]
    found = [f for f in extractor.extract_document(_rule(code).example).findings if f.code == code]
    assert found and all(f.message in result for f in found)


def test_rule_docs_fields_cover_every_record_field_and_enum_value() -> None:
    """`indicators fields` documents exactly the fields a record has, and every class value."""
    from extractor.labels import table

    doc = extractor.extract_document(_rule("unquantified_output").example)
    assert set(table()["fields"]) == set(doc.indicators[0].to_dict())
    assert set(table()["class_doc"]) == set(table()["level2"])
    assert {i.level2 for i in doc.indicators} <= set(table()["level2"])
