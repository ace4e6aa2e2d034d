"""A large text read in sections (extractor.pipeline.extract_sections): the same indicators as
a whole reading, spans into the whole source, and `tag`'s output complete section by section.
The section size is lowered so that a small invented document is "large"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import pipeline, tag
from extractor.pipeline import extract_document, extract_sections, section_bounds

# an invented table; each copy gets its own numbers, so that no two tables are alike
_TABLE = """{place}县教育局2024年项目支出绩效目标表

项目名称：2024年示例项目{n}
主管部门：{place}县教育局
项目资金（万元）：年度资金总额：{money}  其中：财政拨款：{money}

【产出指标-数量指标】
指标1：培训基层人员（≥{people}人次）
指标2：新建村级服务点（≥{points}个）
【产出指标-质量指标】
指标3：验收合格率（≥{rate}%）
【产出指标-时效指标】
指标4：项目完成时间（2024年{month}月底前）
【满意度指标-服务对象满意度指标】
指标5：服务对象满意度（≥{satisfied}%）

"""
_PLACES = "甲乙丙丁戊己庚辛壬癸"
_SIZE = 600  # characters a section grows to before it looks for the next table


def _document(tables: int, titled: bool = False) -> str:
    """`tables` copies; untitled, each opens with its 项目名称 line (a whole reading takes a
    title line under the last table's 满意度 heading for one of its indicators)."""
    table = _TABLE if titled else _TABLE.split("\n\n", 1)[1]
    return "".join(table.format(n=n, place=_PLACES[n % 10] + _PLACES[n // 10 % 10], money=100 + n,
                                people=300 + 7 * n, points=10 + n, rate=90 + n % 9, month=1 + n % 12,
                                satisfied=85 + n % 10)
                   for n in range(tables))


@pytest.fixture
def small_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "SECTION_CHARS", _SIZE)


def _records(results: list) -> list[dict]:
    # the unit is the document's as the layout walk last saw it: a section sees its own
    return [{**r.to_dict(), "unit": None} for result in results for r in result.indicators]


def test_a_document_under_the_size_is_one_section_as_extract_document_reads_it() -> None:
    text = _document(3)
    assert section_bounds(text) == [(0, len(text))]
    (only,) = extract_sections(text, "a.txt")
    whole = extract_document(text, "a.txt")
    assert [r.to_dict() for r in only.indicators] == [r.to_dict() for r in whole.indicators]
    assert [f.to_dict() for f in only.findings] == [f.to_dict() for f in whole.findings]


@pytest.mark.usefixtures("small_sections")
def test_sections_end_where_a_table_begins() -> None:
    text = _document(20, titled=True)
    bounds = section_bounds(text)
    assert len(bounds) > 3
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(text[start:].split("\n", 1)[0].endswith("绩效目标表") for start, _ in bounds)
    untitled = _document(20)
    assert all(untitled.startswith("项目名称", start) for start, _ in section_bounds(untitled))


@pytest.mark.usefixtures("small_sections")
def test_a_large_text_gives_the_same_indicators_in_sections_as_whole() -> None:
    text = _document(20)
    sections = list(extract_sections(text, "big.txt"))
    assert len(sections) > 3
    assert _records(sections) == _records([extract_document(text, "big.txt")])
    assert {s.doc for s in sections} == {"big.txt"}


@pytest.mark.usefixtures("small_sections")
def test_section_spans_point_into_the_whole_source() -> None:
    text = _document(20)
    sections = list(extract_sections(text, "big.txt"))
    indicators = [r for s in sections for r in s.indicators]
    assert indicators[-1].span.start > _SIZE * 3
    for r in indicators:
        assert text[r.span.start:r.span.end] == r.text
        for q in r.quantities:
            assert text[q.span.start:q.span.end] == q.text
    for s in sections:
        assert s.text is text
        for g in s.goals:
            assert text[g.span.start:g.span.end] == g.text


@pytest.mark.usefixtures("small_sections")
def test_a_text_that_sections_read_within_the_memory_guard_is_not_refused() -> None:
    text = _document(200)  # whole, over the guard; its largest section, well within it
    assert len(text.encode()) * pipeline.MEMORY_PER_BYTE > 2 * 2**20
    assert sum(len(s.indicators) for s in extract_sections(text, "big.txt", memory_mb=2)) == 200 * 5


@pytest.mark.usefixtures("small_sections")
def test_tag_writes_each_section_and_sums_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(_document(20), encoding="utf-8")
    job = tag.Job(0, "big.txt", str(path))
    gathered = tag.process(job, tag.Limits())  # lines brought back, as from Dask
    shards = tag.Shards(tmp_path, "w")
    written = shards.put(tag.process(job, tag.Limits(), shards.add))  # written section by section
    shards.close()
    summary = json.loads(written.summary)
    assert summary == gathered["summary"] | {"bytes": summary["bytes"]}
    streams = {}
    for name, (offset, length) in zip(tag.RECORDS, written.ranges, strict=True):
        with (tmp_path / f"{written.shard}.{name}").open("rb") as shard:
            shard.seek(offset)
            streams[name] = shard.read(length).decode()
        assert streams[name] == gathered["lines"][name]
    indicators = [json.loads(line) for line in streams["indicators.jsonl"].splitlines()]
    findings = [json.loads(line) for line in streams["findings.jsonl"].splitlines()]
    assert summary["indicators"] == len(indicators) == 20 * 5
    assert sum(summary["by_level1"].values()) == len(indicators)
    assert sum(summary["findings"]["by_code"].values()) == len(findings)
    assert len(summary["projects"]) == 20
