"""extractor.readers.pdf: PDF → the tab-separated source text the pipeline reads.

The PDFs are written here with reportlab (test extra); the Chinese text uses reportlab's
built-in CID font STSong-Light, which needs no font file on the machine. The real published
budget PDFs of /work/shared/realpdfs are read when that folder is there.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

import extractor
from extractor.errors import ReadError
from extractor.readers.pdf import _cell, read_pdf
from extractor.summary import summarise
from tests.conftest import SAMPLES

REAL_PDFS = Path("/work/shared/realpdfs")


# -- writing PDFs -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rl():
    """reportlab with the Chinese CID font registered."""
    reportlab = pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return reportlab


def _tab_text_pdf(text: str) -> bytes:
    """A PDF of a tab-separated sample: lines without a tab are paragraphs, each run of tab
    lines is one ruled table (GRID). A blank first or second cell under a filled one is merged
    with it (rowspan), and a row shorter than the table spans its last cell to the right edge
    (colspan), as the published forms are drawn."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=10, leading=13,
                           wordWrap="CJK")
    story: list = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for r, row in enumerate(rows):
            if len(row) < width:
                commands.append(("SPAN", (len(row) - 1, r), (width - 1, r)))
        for c in (0, 1):
            r = 0
            while r < len(rows):
                end = r + 1
                while (rows[r][c:c + 1] or [""])[0] and end < len(rows) and len(rows[end]) > c \
                        and not rows[end][c] and (c == 0 or not rows[end][0]):
                    end += 1
                if end - r > 1:
                    commands.append(("SPAN", (c, r), (c, end - 1)))
                r = end
        data = [[Paragraph(escape(cell), style) for cell in row] + [""] * (width - len(row))
                for row in rows]
        story.append(Table(data, colWidths=[85, 85, 190, 90][:width] if width == 4 else None,
                           style=TableStyle(commands)))
        rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        story.append(Paragraph(escape(line), style) if line.strip() else Spacer(1, 6))
    flush()
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def _canvas_pdf(draw, pages: int = 1, **kwargs) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kwargs)
    for n in range(pages):
        draw(c, n)
        c.showPage()
    c.save()
    return buf.getvalue()


def _hello(c, n) -> None:
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, f"page {n + 1} hello")


def _reason(data: bytes, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as err:
        read_pdf(data, "x.pdf", **kwargs)
    assert err.value.source == "x.pdf"
    return err.value


def _projection(records) -> list[tuple]:
    return [(r.text, r.name, r.field, r.level1, r.level2, tuple(r.path),
             r.target and (r.target.operator, r.target.value, r.target.unit),
             tuple((q.value, q.unit) for q in r.quantities),
             r.deadline and (r.deadline.start, r.deadline.end), r.qualitative, r.vague)
            for r in records]


# -- tables ---------------------------------------------------------------------------------------

def test_four_column_table_reads_like_the_text(rl):
    text = (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8")
    got = read_pdf(_tab_text_pdf(text), "tab_four_column.pdf")
    lines = got.splitlines()
    assert lines[:2] == ["项目支出绩效目标表", "（2024年度）"]
    # rows one per line, merged 一级/二级 cells left empty, as in the text
    assert "\t\t新设波形护栏\t21.5公里" in lines
    assert "产出指标\t数量指标\t实施防护工程路段里程\t≥58公里" in lines
    # the goal wraps over several lines of its cell and comes back whole, without spaces
    goal = next(ln for ln in text.splitlines() if ln.startswith("年度绩效目标"))
    assert any(ln.startswith(goal) for ln in lines)
    want = extractor.extract_document(text, "tab_four_column.txt")
    have = extractor.extract_document(got, "tab_four_column.pdf")
    assert len(have.indicators) == len(want.indicators) == 16
    assert _projection(have.indicators) == _projection(want.indicators)
    assert have.unit == want.unit
    assert [(p.name, p.amount) for p in have.projects] == [(p.name, p.amount) for p in want.projects]
    assert have.budget_year == want.budget_year == 2024


def test_text_and_tables_in_page_order(rl):
    body = ("标题在表格上方\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t培训人数\t≥50人\n"
            "表格下方的说明\n— 1 —")
    pdf = _tab_text_pdf(body)
    assert read_pdf(pdf, "t.pdf").splitlines() == body.splitlines()


def test_pages_are_separated_by_a_blank_line(rl):
    text = read_pdf(_canvas_pdf(_hello, pages=3), "t.pdf")
    assert text == "page 1 hello\n\npage 2 hello\n\npage 3 hello\n"


def test_frame_round_the_page_is_not_a_table(rl):
    def draw(c, n):
        c.rect(36, 36, 523, 770)  # a border round the whole page
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(["一、部门概况", "本部门共3个项目实行绩效目标管理。", "— 1 —"]):
            c.drawString(72, 720 - 20 * i, line)

    assert read_pdf(_canvas_pdf(draw), "t.pdf") == "一、部门概况\n本部门共3个项目实行绩效目标管理。\n— 1 —\n"


def test_table_continued_without_a_top_rule(rl):
    def draw(c, n):
        c.setFont("STSong-Light", 10)
        c.drawString(72, 760, "（续表）")
        for x in (72, 200, 300, 400):  # column rules from the top of the page
            c.line(x, 740, x, 660)
        for y in (700, 680, 660):  # no rule at 740: the table began on the previous page
            c.line(72, y, 400, y)
        for y, row in ((715, ("二十、其他支出", "12.00", "")), (686, ("合计", "30.00", "30.00")),
                       (666, ("小计", "5.00", ""))):
            for x, cell in zip((76, 204, 304), row, strict=True):
                c.drawString(x, y, cell)

    assert read_pdf(_canvas_pdf(draw), "t.pdf").splitlines() == [
        "（续表）", "二十、其他支出\t12.00\t", "合计\t30.00\t30.00", "小计\t5.00\t"]


def test_fake_bold_is_read_once(rl):
    def draw(c, n):
        c.setFont("STSong-Light", 12)
        for dx in (0, 0.3):  # the glyphs printed twice, a third of a point apart
            c.drawString(72 + dx, 720, "资金70万元")

    assert read_pdf(_canvas_pdf(draw), "t.pdf") == "资金70万元\n"


@pytest.mark.parametrize(("raw", "want"), [
    ("工程交工验收\n合格率", "工程交工验收合格率"),  # a wrap inside Chinese: no space
    ("33,172.1\n5", "33,172.15"),  # a number split by the wrap
    ("≥\n95%", "≥95%"),
    ("Excel\nfile", "Excel file"),
    ("完成培训100人\n2.开展宣传", "完成培训100人 2.开展宣传"),  # a list item: keep numbers apart
    ("（一）数量\n（二）质量", "（一）数量 （二）质量"),
    (None, ""),
    ("  产出  指标 ", "产出 指标"),
])
def test_cell_lines_are_joined(raw, want):
    assert _cell(raw) == want


# -- errors ---------------------------------------------------------------------------------------

def test_password_protected_pdf(rl):
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = _canvas_pdf(_hello, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    err = _reason(data)
    assert err.reason == "encrypted"
    assert "password" in str(err)


def test_owner_password_only_is_read(rl):
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = _canvas_pdf(_hello, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    assert read_pdf(data, "x.pdf") == "page 1 hello\n"


def test_scan_without_text_layer(rl):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    def draw(c, n):
        c.drawImage(ImageReader(Image.new("RGB", (300, 200), "white")), 72, 400, 300, 200)

    err = _reason(_canvas_pdf(draw, pages=2))
    assert err.reason == "no_text_layer"
    assert "OCR" in str(err) and "2 page" in str(err)


@pytest.mark.parametrize("cut", [10, 100, 300, -60])
def test_truncated_pdf_is_corrupt(rl, cut):
    data = _canvas_pdf(_hello)
    assert _reason(data[:cut]).reason == "corrupt"


def test_zero_page_pdf_is_corrupt():
    data = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")
    err = _reason(data)
    assert err.reason == "corrupt" and "no pages" in str(err)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.4\n\x00\xff" * 50])
def test_garbage_is_corrupt(data):
    assert _reason(data).reason == "corrupt"


def test_page_limit(rl):
    data = _canvas_pdf(_hello, pages=3)
    err = _reason(data, max_pages=2)
    assert err.reason == "too_large" and "3 pages" in str(err)
    assert read_pdf(data, "x.pdf", max_pages=3).count("hello") == 3


def test_page_limit_uses_the_declared_count():
    data = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 100000 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")
    err = _reason(data)
    assert err.reason == "too_large" and "100000 pages" in str(err)


def test_damaged_bytes_never_raise_anything_else(rl):
    data = _canvas_pdf(_hello, pages=2)
    for i in range(0, len(data), max(1, len(data) // 40)):
        damaged = data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:]
        try:
            read_pdf(damaged, "x.pdf")
        except ReadError as exc:
            assert exc.reason in ("corrupt", "no_text_layer", "encrypted")


# -- the real published PDFs --------------------------------------------------------------------

def _real_pdfs() -> list[Path]:
    return sorted(REAL_PDFS.glob("*.pdf")) if REAL_PDFS.is_dir() else []


@pytest.fixture(scope="module")
def real_texts() -> dict[str, tuple[str, float]]:
    out = {}
    for path in _real_pdfs():
        start = time.process_time()
        out[path.name] = read_pdf(path.read_bytes(), path.name), time.process_time() - start
    return out


@pytest.mark.skipif(not _real_pdfs(), reason=f"{REAL_PDFS} is not there")
@pytest.mark.parametrize("name", [p.name for p in _real_pdfs()] or ["none"])
def test_real_pdf_is_read_page_by_page(real_texts, name):
    import pdfplumber

    text, seconds = real_texts[name]
    with pdfplumber.open(REAL_PDFS / name) as pdf:
        pages = len(pdf.pages)
    assert text.count("\n\n") == pages - 1  # every page has text; a blank line between pages
    assert "\t" in text or "tables" not in name
    assert seconds < 2.0 * pages  # CPU seconds; about 0.05–0.2 s a page on a laptop
    result = extractor.extract_document(text, name)
    assert summarise(result)["status"] == "ok"



@pytest.mark.skipif(not _real_pdfs(), reason=f"{REAL_PDFS} is not there")
@pytest.mark.parametrize("name", [p.name for p in _real_pdfs()] or ["none"])
def test_real_budget_pdf_yields_no_flood_of_indicators(real_texts, name):
    """Budget tables and their explanations hold no performance targets: a handful at most."""
    text, _ = real_texts[name]
    result = extractor.extract_document(text, name)
    assert len(result.indicators) <= 3, [r.text for r in result.indicators[:10]]


@pytest.mark.skipif(not _real_pdfs(), reason=f"{REAL_PDFS} is not there")
def test_real_pdf_tables_are_rows(real_texts):
    npc, _ = real_texts["jiangsu_npc_office_2019_tables.pdf"]
    assert "一、财政拨款\t18,330.37\t一、一般公共服务支出\t13,907.78\t一、基本支出\t9,312.90" in npc
    court, _ = real_texts["jiangsu_high_court_2018_budget.pdf"]
    lines = court.splitlines()
    # white cell backgrounds do not split the columns into slivers
    assert "2040501\t行政运行\t14,857.61" in lines
    # the first row of a table continued from the previous page has no rule above it
    assert "\t\t十八、住房保障支出\t4,716.51\t" in lines
    party, _ = real_texts["jiangsu_party_office_2019_budget.pdf"]
    assert "\t" not in party  # explanatory text only, no ruled tables


@pytest.mark.skipif(not _real_pdfs(), reason=f"{REAL_PDFS} is not there")
@pytest.mark.parametrize("name", [p.name for p in _real_pdfs()] or ["none"])
def test_real_budget_pdf_summary_has_kind_year_and_unit(real_texts, name):
    """The year in each archive file's name is the budget year its pages state."""
    text, _ = real_texts[name]
    summary = summarise(extractor.extract_document(text, name))
    assert summary["kind"] == "budget_document"
    assert summary["budget_year"] == int(re.search(r"_(20\d\d)_", name).group(1))
    assert summary["unit"] and summary["unit"]["name"].startswith("江苏省")
