"""The HTTP API of `indicators serve` (FastAPI's test client): the answer for a document is
what `indicators extract` / `indicators check --format jsonl` write for the same file, in every
format; bad input gets tag's reasons; limits, the busy queue, crashes and uploads leave the
server standing and nothing on disk."""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES, TAB_TABLE

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from extractor import cli  # noqa: E402
from extractor.web.app import create_app  # noqa: E402
from extractor.web.worker import Settings, safe_name  # noqa: E402

REAL_PDF = Path("/work/shared/realpdfs/jiangsu_npc_office_2019_tables.pdf")
SEED = Path("/work/shared/seeds/beishan_2023_projects.txt")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(workers=2, queue=8))) as c:
        yield c


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, name: str) -> list[dict]:
    """What the command line writes for `name` (run from its folder, so `doc` is the name)."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / f"{command}.out.jsonl"
    args = [command, name, "-o", str(out)] + (["--format", "jsonl", "--exit-zero"] if command == "check" else [])
    assert cli.main(args) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _upload(client: TestClient, endpoint: str, name: str, data: bytes, **params: str):
    return client.post(endpoint, files={"file": (name, data)}, params=params)


# -- documents in every format ---------------------------------------------------------------
def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for row in TAB_TABLE.splitlines():
        book.active.append(row.split("\t"))
    book.save(path)


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    lines = TAB_TABLE.splitlines()
    document.add_paragraph(lines[0])
    rows = [line.split("\t") for line in lines[1:]]
    table = document.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    document.save(path)


def _pdf(path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 11)
    for n, line in enumerate(TAB_TABLE.splitlines()):
        page.drawString(40, 800 - 18 * n, line.replace("\t", "  "))
    page.save()


def _csv(path: Path) -> None:
    path.write_text("\n".join(",".join(r.split("\t")) for r in TAB_TABLE.splitlines()), encoding="utf-8")


def _html(path: Path) -> None:
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>"
                   for line in TAB_TABLE.splitlines())
    path.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")


MAKERS = {"table.xlsx": _xlsx, "table.docx": _docx, "table.pdf": _pdf, "table.csv": _csv,
          "table.html": _html, "table.txt": lambda p: p.write_text(TAB_TABLE, encoding="utf-8")}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_every_format_answers_exactly_what_extract_and_check_write(client, tmp_path, monkeypatch, name):
    MAKERS[name](tmp_path / name)
    data = (tmp_path / name).read_bytes()
    extract = _upload(client, "/api/extract", name, data)
    assert extract.status_code == 200, extract.text
    (doc,) = extract.json()["documents"]
    assert doc["records"] == _cli(tmp_path, monkeypatch, "extract", name)
    assert len(doc["records"]) >= 4  # the table was read, not an empty match
    check = _upload(client, "/api/check", name, data)
    assert check.json()["documents"][0]["findings"] == _cli(tmp_path, monkeypatch, "check", name)


@pytest.mark.parametrize("path", [SAMPLES / "project_freetext.txt", SAMPLES / "split_columns.html",
                                  SAMPLES / "space_rows_selfeval.gb18030.txt", SEED, REAL_PDF],
                         ids=lambda p: p.name)
def test_samples_seed_and_a_real_pdf_equal_the_command_line(client, tmp_path, monkeypatch, path):
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    (tmp_path / path.name).write_bytes(path.read_bytes())
    answer = _upload(client, "/api/extract", path.name, path.read_bytes(), include="findings")
    assert answer.status_code == 200, answer.text
    (doc,) = answer.json()["documents"]
    assert doc["records"] == _cli(tmp_path, monkeypatch, "extract", path.name)
    assert doc["findings"] == _cli(tmp_path, monkeypatch, "check", path.name)


def test_the_summary_says_kind_year_unit_projects_and_counts(client):
    answer = _upload(client, "/api/extract", "表.txt", TAB_TABLE.encode("utf-8"), include="text,findings")
    (doc,) = answer.json()["documents"]
    summary = doc["summary"]
    assert summary["status"] == "ok" and summary["doc"] == "表.txt"
    assert summary["kind"] == "project_table" and summary["budget_year"] == 2024
    assert [p["name"] for p in summary["projects"]] == ["养老服务补贴"]
    assert summary["indicators"] == len(doc["records"]) == 4
    assert summary["by_level1"] == {"output": 3, "satisfaction": 1}
    assert sum(summary["findings"]["by_severity"].values()) == len(doc["findings"])
    # the offsets of every record point into the text the answer carries
    assert all(doc["text"][r["start"]:r["end"]] == r["text"] for r in doc["records"])


def test_pasted_text_as_json_equals_extract_of_the_same_text(client, tmp_path, monkeypatch):
    (tmp_path / "pasted.txt").write_text(TAB_TABLE, encoding="utf-8")
    answer = client.post("/api/extract", json={"text": TAB_TABLE, "name": "pasted.txt"})
    assert answer.json()["documents"][0]["records"] == _cli(tmp_path, monkeypatch, "extract", "pasted.txt")
    # a one-line text that looks like a file name is read as text, never opened
    answer = client.post("/api/extract", json={"text": "/etc/passwd"})
    assert answer.status_code == 200 and answer.json()["documents"][0]["summary"]["doc"] == "<text>"


def test_a_zip_is_one_document_per_member_named_as_tag_names_them(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("甲/a.txt", TAB_TABLE)
        archive.writestr("b.xlsx", b"not a workbook")
        archive.writestr("c.txt", "")
    answer = _upload(client, "/api/extract", "批量.zip", buffer.getvalue())
    assert answer.status_code == 200
    summaries = {d["summary"]["doc"]: d["summary"] for d in answer.json()["documents"]}
    assert list(summaries) == ["批量.zip!甲/a.txt", "批量.zip!b.xlsx", "批量.zip!c.txt"]
    assert summaries["批量.zip!甲/a.txt"]["indicators"] == 4
    assert summaries["批量.zip!b.xlsx"]["reason"] == "corrupt"
    assert summaries["批量.zip!c.txt"]["reason"] == "empty"


# -- bad input ------------------------------------------------------------------------------
def _encrypted_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=StandardEncryption("secret"))
    page.drawString(40, 800, "locked")
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty"),
    ("blank.docx", b"   \n", "empty"),
    ("fake.xlsx", b"not a workbook at all", "corrupt"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 200, "corrupt"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported_format"),
    ("archive.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, "unsupported_format"),
    ("broken.zip", b"PK\x03\x04 truncated", "corrupt"),
    ("locked.pdf", None, "encrypted"),
])
def test_unreadable_input_is_a_422_with_tags_reason(client, name, data, reason):
    data = _encrypted_pdf() if data is None else data
    answer = _upload(client, "/api/extract", name, data)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == reason and name in body["message"]
    assert body["documents"][0]["summary"]["status"] == "error"
    assert client.get("/api/status").status_code == 200  # and the server is still there


def test_requests_that_are_not_a_document_are_refused_clearly(client):
    assert client.post("/api/extract", content=b"hello", headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.post("/api/extract", files={"other": ("a.txt", b"x")}).status_code == 422
    assert client.post("/api/extract", json={"txt": "typo"}).status_code == 422
    broken = client.post("/api/check", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


def test_uploaded_names_are_labels_never_paths(client):
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\表.xlsx") == "表.xlsx"
    assert safe_name("\x00\n.bashrc") == "bashrc"
    assert safe_name("") == "upload.txt"
    answer = _upload(client, "/api/extract", "../../../../etc/hosts.txt", TAB_TABLE.encode("utf-8"))
    assert answer.json()["documents"][0]["summary"]["doc"] == "hosts.txt"
    assert answer.json()["documents"][0]["records"][0]["doc"] == "hosts.txt"


def test_nothing_uploaded_stays_on_disk(tmp_path, monkeypatch):
    """Large uploads spool to temporary files and zips are spooled in the worker: all gone
    once the answer is sent."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))  # the worker processes start after this
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    big = (TAB_TABLE + "说明：" + "甲" * 600_000 + "\n").encode("utf-8")  # > 1 MB: multipart spools it
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", TAB_TABLE)
    with TestClient(create_app(Settings(workers=1, queue=2))) as c:
        assert _upload(c, "/api/extract", "big.txt", big).status_code == 200
        assert _upload(c, "/api/extract", "a.zip", buffer.getvalue()).status_code == 200
        assert list(spool.iterdir()) == []


# -- limits -----------------------------------------------------------------------------------
def test_an_upload_over_the_limit_is_413_and_one_under_it_is_read():
    with TestClient(create_app(Settings(workers=1, queue=1, max_upload_mb=0.05))) as c:
        answer = _upload(c, "/api/extract", "big.txt", b"x" * 60_000)
        assert answer.status_code == 413 and answer.json()["error"] == "too_large"
        answer = c.post("/api/extract", json={"text": "甲" * 30_000})
        assert answer.status_code == 413
        assert _upload(c, "/api/extract", "ok.txt", TAB_TABLE.encode("utf-8")).status_code == 200


def _slow_document(rows: int = 4000) -> bytes:
    lines = ["一级指标\t二级指标\t三级指标\t指标值"]
    lines += [f"产出指标\t数量指标\t第{n}村道路养护里程\t≥{n % 90 + 10}公里" for n in range(rows)]
    return "\n".join(lines).encode("utf-8")


def test_a_document_past_the_time_limit_is_a_timeout_and_the_next_one_runs():
    with TestClient(create_app(Settings(workers=1, queue=2, timeout=0.3))) as c:
        answer = _upload(c, "/api/extract", "slow.txt", _slow_document())
        assert answer.status_code == 422 and answer.json()["error"] == "timeout"
        assert "0.3 s" in answer.json()["message"]
        assert _upload(c, "/api/extract", "quick.txt", TAB_TABLE.encode("utf-8")).status_code == 200


def test_a_full_queue_answers_503_busy_and_frees_its_place_afterwards():
    with TestClient(create_app(Settings(workers=1, queue=0, timeout=60))) as c:
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(
            answer=_upload(c, "/api/extract", "slow.txt", _slow_document(3000))))
        worker.start()
        deadline = time.monotonic() + 30
        while c.get("/api/status").json()["admitted"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        busy = _upload(c, "/api/extract", "second.txt", TAB_TABLE.encode("utf-8"))
        worker.join()
        assert busy.status_code == 503 and busy.json()["error"] == "busy"
        assert busy.headers["Retry-After"]
        assert first["answer"].status_code == 200
        assert _upload(c, "/api/extract", "third.txt", TAB_TABLE.encode("utf-8")).status_code == 200


def test_concurrent_requests_each_get_their_own_answer(client):
    names = ["tab_four_column.txt", "project_freetext.txt", "bracket_list.txt", "sentence_list.txt",
             "whole_unit.txt", "goal_prose.txt"]
    alone = {n: _upload(client, "/api/extract", n, (SAMPLES / n).read_bytes()).json() for n in names}
    together: dict[str, dict] = {}

    def post(name: str) -> None:
        together[name] = _upload(client, "/api/extract", name, (SAMPLES / name).read_bytes()).json()

    threads = [threading.Thread(target=post, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_a_worker_that_dies_costs_only_its_job(client):
    pool = client.app.state.pool
    failures: list[tuple[str, str]] = []
    crash = functools.partial(pool.run, os._exit, 3, deadline=30,
                              on_fail=lambda reason, message: failures.append((reason, message)) or "failed")
    assert client.portal.call(crash) == "failed"
    assert [reason for reason, _ in failures] == ["worker_crashed"]
    assert "the worker process died" in failures[0][1]
    assert _upload(client, "/api/extract", "after.txt", TAB_TABLE.encode("utf-8")).status_code == 200


def test_a_document_over_the_memory_guard_is_answered_memory(monkeypatch):
    from extractor.web import worker

    def runaway(*args: object) -> dict:
        raise MemoryError

    monkeypatch.setattr(worker, "_extract", runaway)
    out = worker.run_document(b"x", "big.txt", None, "extract", 5.0, 512, None, False)
    assert out["summary"]["reason"] == "memory" and "512 MB" in out["summary"]["error"]


# -- rules, docs, exports -------------------------------------------------------------------------
def test_rules_are_the_cli_rule_docs(client, capsys):
    from extractor import ruledocs
    from extractor.checks import RULES

    rules = client.get("/api/rules").json()
    assert {r["code"] for r in rules} == {r.code for r in RULES} and len(rules) == len(RULES)
    first = rules[0]
    assert first["id"] == "R01" and first["title"] and first["description"] and first["example"]
    one = client.get(f"/api/rules/{first['code']}").json()
    buffer = io.StringIO()
    ruledocs.write_rule(ruledocs.find_rule(first["code"]), buffer)
    assert one["page"] == buffer.getvalue()
    assert client.get("/api/rules/no_such_rule").status_code == 404


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/extract", "/api/check", "/api/rules"} <= set(paths)
    body = paths["/api/extract"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert {"413", "422", "503"} <= set(paths["/api/check"]["post"]["responses"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "POST /api/extract" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # readable offline
    assert client.get("/docs/swagger").status_code == 200


def test_exports_are_the_cli_writers_and_report_xlsx(client):
    import openpyxl

    from extractor.export import write_csv

    answer = _upload(client, "/api/extract", "表.txt", TAB_TABLE.encode("utf-8"), include="findings")
    doc = answer.json()["documents"][0]
    body = {"records": doc["records"][:3], "findings": doc["findings"], "documents": [doc["summary"]]}
    jsonl = client.post("/api/export/jsonl", json=body)
    assert [json.loads(line) for line in jsonl.text.splitlines()] == doc["records"][:3]
    csv_answer = client.post("/api/export/csv", json=body)
    expected = io.StringIO()
    write_csv(doc["records"][:3], expected)
    assert csv_answer.content.decode("utf-8") == "\ufeff" + expected.getvalue()
    xlsx = client.post("/api/export/xlsx", json=body)
    assert xlsx.headers["content-disposition"].endswith("report.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["汇总", "文档", "指标", "问题"]
    assert book["指标"].max_row == 1 + 3 and book["问题"].max_row == 1 + len(doc["findings"])
    assert client.post("/api/export/pdf", json=body).status_code == 404
    assert client.post("/api/export/csv", json={"records": [{"doc": "x"}]}).status_code == 400


def test_the_page_and_its_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and "绩效目标审核工作台" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
    # no outside resources: every src and href is local
    import re

    for link in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert link.startswith(("/", "#", "data:")), link
    for asset in ("/static/app.js", "/static/app.css"):
        text = client.get(asset).text
        assert "http://" not in text and "https://" not in text and "url(" not in text
