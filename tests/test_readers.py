"""Readers: encodings, HTML rendering and clear errors for inputs that are not text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import TAB_TABLE

import extractor
from extractor.errors import ExtractorError, ReadError
from extractor.readers import read_bytes, read_path

EXPECTED_TEXTS = ["补贴发放人数\t≥1200人", "补贴发放准确率\t100%", "补贴发放时间\t2024年6月30日前",
                  "老年人满意度\t≥90%"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TAB_TABLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TAB_TABLE.encode("utf-8"), "utf-8-sig"),
        (TAB_TABLE.encode("gb18030"), "gb18030"),
        (TAB_TABLE.encode("utf-16"), "utf-16"),
        (TAB_TABLE.encode("utf-16-le"), "utf-16-le"),
        (TAB_TABLE.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-bom", "utf16le-nobom", "utf16be-nobom"],
)
def test_encodings_decode_to_same_text(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    src = read_path(path)
    assert src.text == TAB_TABLE
    assert src.encoding == encoding
    assert src.format == "text"
    inds = extractor.extract(path)
    assert [i.text for i in inds] == EXPECTED_TEXTS


def test_bytes_input_and_name() -> None:
    result = extractor.extract_document(TAB_TABLE.encode("gb18030"), "gbk-doc")
    assert result.doc == "gbk-doc"
    assert [i.text for i in result.indicators] == EXPECTED_TEXTS
    assert all(i.doc == "gbk-doc" for i in result.indicators)


HTML = """<html><head><title>t</title><style>td {color:red}</style></head><body>
<table>
<tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th></tr>
<tr><td rowspan="2">产出指标</td><td>数量指标</td><td>培训人数</td><td>&ge;50人</td></tr>
<tr><td>质量指标</td><td>检验报告差错率</td><td>&lt;0.5%</td></tr>
<tr><td colspan="2">满意度指标</td><td>群众&amp;企业满意度</td><td><p>&gt;=90%</p></td></tr>
</table></body></html>
"""


def test_html_rowspan_colspan_entities(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    path.write_text(HTML, encoding="utf-8")
    src = read_path(path)
    assert src.format == "html"
    lines = src.text.splitlines()
    assert "color" not in src.text  # <style> is skipped
    assert "一级指标\t二级指标\t三级指标\t指标值" in lines
    # the rowspan cell leaves an empty cell below it, so columns stay aligned
    assert "\t质量指标\t检验报告差错率\t<0.5%" in lines
    # the colspan fills an empty cell after it
    assert "满意度指标\t\t群众&企业满意度\t>=90%" in lines
    assert "产出指标\t数量指标\t培训人数\t≥50人" in lines


def test_html_detected_without_suffix() -> None:
    src = read_bytes(HTML.encode("utf-8"), "noext")
    assert src.format == "html"
    assert "&lt;" not in src.text and "<td" not in src.text


def test_html_indicators() -> None:
    inds = extractor.extract(HTML.encode("utf-8"))
    by_text = {i.text: i for i in inds}
    assert "检验报告差错率\t<0.5%" in by_text
    t = by_text["检验报告差错率\t<0.5%"].target
    assert t is not None and (t.operator, t.value, t.unit) == ("<", 0.5, "%")
    assert by_text["检验报告差错率\t<0.5%"].level2 == "quality"


def test_inline_p_tags_stripped_from_text() -> None:
    src = read_bytes("指标值\t<p>≥95%</p>\n".encode(), "p.txt")
    assert src.text == "指标值\t≥95%\n"


@pytest.mark.parametrize(
    ("data", "reason", "words"),
    [
        (b"", "empty", "empty"),
        (b"   \n\t\n", "empty", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "corrupt", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "unsupported_format", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported_format", "PNG"),
        (b"abc\x00\x01\x02\x03def\x00" * 50 + b"\xff\xfe\xfd", "binary", "binary"),
        (bytes(range(1, 9)) * 200, "binary", "binary"),
    ],
    ids=["empty", "whitespace", "pdf", "zip", "png", "nul-bytes", "control-chars"],
)
def test_unreadable_inputs_raise_read_error(tmp_path: Path, data: bytes, reason: str,
                                            words: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        extractor.extract(path)
    err = info.value
    assert err.reason == reason
    assert str(path) in str(err)
    assert words.lower() in str(err).lower()
    assert isinstance(err, ExtractorError)


def test_undecodable_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # bytes that are neither UTF-8 nor GB18030; force charset-normalizer (imported by the
    # reader when it needs it) to give up
    import charset_normalizer

    class _NoGuess:
        def best(self) -> None:
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: _NoGuess())
    data = b"\xff\x80\xff\x80\x81\x30\xff"
    with pytest.raises(ReadError) as info:
        read_bytes(data, "weird.txt")
    assert info.value.reason == "undecodable"
    assert str(info.value).startswith("weird.txt: ")
    assert "undecodable" in str(info.value)


def test_invalid_utf16_after_bom() -> None:
    data = codecs.BOM_UTF16_LE + "指标".encode("utf-16-le") + b"\x00\xdc"  # lone surrogate
    with pytest.raises(ReadError) as info:
        read_bytes(data, "bad16.txt")
    assert info.value.reason == "undecodable"
    assert "bad16.txt" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(ReadError) as info:
        extractor.extract(missing)
    assert info.value.reason == "not_found"
    assert "nope.txt" in str(info.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        extractor.extract(tmp_path)
    assert info.value.reason == "not_a_file"


def test_path_string_is_read_as_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(TAB_TABLE, encoding="gb18030")
    result = extractor.extract_document(str(path))
    assert [i.text for i in result.indicators] == EXPECTED_TEXTS
