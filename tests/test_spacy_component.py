"""The spaCy component (`spacy` extra): found through the spacy_factories entry point, on a
blank zh pipeline segmented by our private jieba; spans and extensions match the records."""

from __future__ import annotations

import subprocess
import sys

import pytest

spacy = pytest.importorskip("spacy")

import extractor  # noqa: E402
from extractor import segment  # noqa: E402

TABLE = ("溪口镇2024年度项目支出绩效目标表\n项目名称\t村级河道保洁经费\n"
         "年度绩效目标\t全年保洁村级河道不少于36公里。\n一级指标\t二级指标\t三级指标\t指标值\n"
         "产出指标\t数量指标\t保洁河道长度\t≥36公里\n"
         "产出指标\t时效指标\t汛前清障完成时间\t2024年5月31日前\n"
         "效益指标\t生态效益指标\t河道水质\t明显改善\n"
         "满意度指标\t服务对象满意度指标\t沿河村民满意度\t≥90%\n")


@pytest.fixture(scope="module")
def nlp():
    from extractor.spacy_component import blank_zh

    pipeline = blank_zh()
    pipeline.add_pipe("budget_indicators")
    return pipeline


def test_spacy_component_is_found_through_the_entry_point() -> None:
    """A fresh process that never imports extractor itself: spaCy loads the factory from the
    installed package's spacy_factories entry point."""
    code = ("import spacy\nnlp = spacy.blank('zh')\nnlp.add_pipe('budget_indicators')\n"
            "print(nlp.pipe_names)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.stdout.strip() == "['budget_indicators']", proc.stderr


def test_spacy_tokenizer_is_our_jieba_with_our_dictionary(nlp) -> None:
    doc = nlp.make_doc(TABLE)
    assert doc.text == TABLE
    words = [t.text for t in doc]
    assert "满意度指标" in words and "绩效目标" in words  # entries of extractor/data/userdict.txt
    assert words == segment.words(TABLE)


def test_spacy_spans_match_the_records(nlp) -> None:
    doc = nlp(TABLE)
    records = extractor.extract_text(TABLE)
    spans = list(doc.spans["indicators"])
    assert [s.text for s in spans] == [r.text for r in records]
    by_text = {s.text: s for s in spans}
    length = by_text["保洁河道长度\t≥36公里"]
    assert length.label_ == "产出/数量" and length._.indicator_class == "quantity" and length._.level1 == "output"
    assert length._.target == {"operator": "≥", "value": 36, "unit": "公里", "text": "≥36公里"}
    deadline = by_text["汛前清障完成时间\t2024年5月31日前"]._.deadline
    assert deadline["end"] == "2024-05-31"
    water = by_text["河道水质\t明显改善"]
    assert water._.vague and "qualitative_without_grades" in water._.flags


def test_spacy_findings_carry_code_severity_and_message(nlp) -> None:
    doc = nlp(TABLE)
    findings = {(s.label_, s.text): s for s in doc.spans["findings"]}
    water = findings[("qualitative_without_grades", "河道水质\t明显改善")]
    assert water._.severity == "warning" and "分级标准" in water._.message and water._.suggestion
    # a finding and an indicator over the same characters keep their own values
    indicator = next(s for s in doc.spans["indicators"] if s.text == water.text)
    assert indicator._.severity is None and water._.indicator_class is None


def test_spacy_displacy_span_view_shows_the_classes(nlp) -> None:
    html = spacy.displacy.render(nlp(TABLE), style="span", options={"spans_key": "indicators"})
    assert "产出/数量" in html and "满意度/服务对象满意度" in html


def test_spacy_one_private_jieba_for_the_process() -> None:
    """The truncated-text rule's word table (when it builds) and the spaCy tokenizer share one
    jieba.Tokenizer, and jieba's global tokenizer is never loaded."""
    code = ("import jieba, extractor\nfrom extractor import segment\n"
            "from extractor.checks.structure import words\nfrom extractor.spacy_component import blank_zh\n"
            "words('培育节水用水示'); nlp = blank_zh(); nlp('河道保洁')\n"
            "print(segment.tokenizer() is segment.tokenizer(), segment.tokenizer() is not jieba.dt,"
            " jieba.dt.initialized)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.stdout.split() == ["True", "True", "False"], proc.stderr
