"""The page of `indicators serve` in a real headless Chromium (Debian's `chromium`, driven by
Playwright for Python with the system browser; never `playwright install`). The server is the
command line's own (`python -m extractor serve`) on 127.0.0.1. A failing test leaves a
screenshot (its path is printed). Without Playwright or a Chromium the tests skip and say why;
`.ci/run` installs both where it can."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES

pytest.importorskip("fastapi", reason="the web extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                               "(pip install playwright; the browser comes from apt: chromium)")

SCREENSHOTS = Path(os.environ.get("INDICATORS_SCREENSHOTS", Path(__file__).parent / ".screenshots"))

# an invented project table: two classes, a vague indicator, a stale year, a deadline
TABLE = (
    "青溪镇2025年度项目支出绩效目标表\n"
    "项目名称\t村级河道保洁补助\n"
    "一级指标\t二级指标\t三级指标\t指标值\n"
    "产出指标\t数量指标\t保洁河道长度\t≥42公里\n"
    "\t质量指标\t河面漂浮物清理合格率\t≥95%\n"
    "\t时效指标\t补助资金拨付时间\t2024年6月30日前\n"
    "效益指标\t生态效益指标\t河道水环境\t进一步改善\n"
    "满意度指标\t服务对象满意度指标\t沿河村民满意度\t≥90%\n"
)


def _chromium() -> str | None:
    for candidate in (os.environ.get("INDICATORS_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "extractor", "serve", "--host", "127.0.0.1", "--port",
                                str(port), "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"indicators serve exited: {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("indicators serve did not answer within 60 s")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium; .ci/run does it as root)")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        except Exception as exc:  # noqa: BLE001 — a browser that cannot start is a skip, said plainly
            pytest.skip(f"Chromium at {executable} did not start: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready]")
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:  # this test failed: keep what it saw
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the failure: {shot}", file=sys.stderr)
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _api(server: str, text: str, name: str) -> dict:
    request = urllib.request.Request(f"{server}/api/extract?include=findings", method="POST",
                                     data=json.dumps({"text": text, "name": name}).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())["documents"][0]


def _upload(page, tmp_path: Path, files: dict[str, bytes]) -> None:
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    page.set_input_files("#file-input", paths)
    # a zip becomes one card per member, so wait until no card is still on its way
    page.wait_for_function("n => { const cards = [...document.querySelectorAll('.doc-card')];"
                           " return cards.length >= n && cards.every("
                           "c => c.dataset.status === 'done' || c.dataset.status === 'error'); }",
                           arg=len(files), timeout=60_000)


def test_an_uploaded_table_is_highlighted_by_class_with_its_findings(page, server, tmp_path):
    expected = _api(server, TABLE, "青溪.txt")
    _upload(page, tmp_path, {"青溪.txt": TABLE.encode("utf-8")})
    marks = page.locator("#doc-text mark.ind")
    assert marks.count() == len(expected["records"]) == 5
    classes = [marks.nth(i).get_attribute("class") for i in range(marks.count())]
    assert [c.split()[1] for c in classes] == ["l1-output", "l1-output", "l1-output", "l1-benefit",
                                               "l1-satisfaction"]
    colours = {marks.nth(i).evaluate("m => getComputedStyle(m).backgroundColor") for i in (0, 3, 4)}
    assert len(colours) == 3  # 产出, 效益 and 满意度 look different
    vague = page.locator("#doc-text mark.ind.vague")
    assert vague.count() == sum(r["vague"] for r in expected["records"]) >= 1
    assert "进一步改善" in vague.first.inner_text()
    # the summary of the document
    head = page.locator("#doc-head").inner_text()
    assert "项目支出绩效目标表" in head and "2025" in head and "村级河道保洁补助" in head
    # findings beside the text, grouped by severity, with message and suggestion
    groups = page.locator("#findings .f-group h3").all_inner_texts()
    by_severity = {"错误": "error", "警告": "warning", "提示": "info"}
    assert groups and all(g[:2] in by_severity for g in groups)
    shown = page.locator("#findings .finding")
    assert shown.count() == len(expected["findings"])
    assert "建议：" in page.locator("#findings").inner_text()
    # hovering an indicator shows its target and deadline
    marks.nth(2).hover()
    detail = page.locator("#detail").inner_text()
    assert "2024年6月30日前" in detail and "2024-06-30" in detail


def test_clicking_a_finding_scrolls_to_its_place(page, server, tmp_path):
    long_text = TABLE.replace("产出指标\t数量指标", "\n" * 120 + "产出指标\t数量指标", 1)
    _upload(page, tmp_path, {"长表.txt": long_text.encode("utf-8")})
    finding = page.locator("#findings .finding", has_text="2024年6月30日前").first
    finding.click()
    target = page.locator("#doc-text mark.flash")
    target.wait_for()
    assert "2024年6月30日前" in target.inner_text()
    page.wait_for_timeout(700)  # the smooth scroll
    box, pane = target.bounding_box(), page.locator("#doc-text").bounding_box()
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    assert "2024年6月30日前" in page.locator("#detail").inner_text()


def test_the_table_filters_sorts_and_downloads_report_xlsx(page, server, tmp_path):
    import openpyxl

    _upload(page, tmp_path, {"青溪.txt": TABLE.encode("utf-8"),
                             "project_freetext.txt": (SAMPLES / "project_freetext.txt").read_bytes()})
    rows = page.locator("#ind-table tbody tr")
    everything = rows.count()
    page.select_option("#f-vague", "yes")
    vague = rows.count()
    assert 0 < vague < everything
    assert set(page.locator("#ind-table tbody td:nth-child(8)").all_inner_texts()) == {"是"}
    page.select_option("#f-vague", "")
    page.select_option("#f-level1", "satisfaction")
    assert set(page.locator("#ind-table tbody td:nth-child(3)").all_inner_texts()) <= {"满意度/服务对象满意度"}
    page.select_option("#f-level1", "")
    code = page.locator("#f-code option").nth(2).get_attribute("value")  # after 全部 and 无问题
    page.select_option("#f-code", code)
    flagged = rows.count()
    assert flagged >= 1
    assert all(code in (rows.nth(i).locator("td:nth-child(9) .flag").evaluate_all(
        "els => els.map(e => e.title)")) for i in range(flagged))
    page.select_option("#f-code", "")
    page.locator("#ind-table th[data-key=doc]").click()
    names = page.locator("#ind-table tbody td.doc").all_inner_texts()
    assert len(set(names)) == 2 and page.evaluate(
        "ns => ns.every((n, i) => i === 0 || ns[i - 1].localeCompare(n, 'zh-CN') <= 0)", names)
    page.locator("#ind-table th[data-key=doc]").click()
    assert page.locator("#ind-table tbody td.doc").all_inner_texts() == names[::-1]
    # download what is on screen
    page.select_option("#f-vague", "no")
    shown = rows.count()
    with page.expect_download() as download:
        page.click("[data-export=xlsx]")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "文档", "指标", "问题"]
    assert book["指标"].max_row - 1 == shown
    with page.expect_download() as download:
        page.click("[data-export=jsonl]")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == shown and not any(json.loads(line)["vague"] for line in lines)


def test_a_zip_and_a_broken_file_and_pasted_text(page, server, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("一/青溪.txt", TABLE)
        archive.writestr("二/tab.txt", (SAMPLES / "tab_four_column.txt").read_text(encoding="utf-8"))
    _upload(page, tmp_path, {"两个.zip": buffer.getvalue(), "坏.xlsx": b"not a workbook"})
    assert page.locator(".doc-card").count() == 3
    names = page.locator(".doc-card .name").all_inner_texts()
    assert sorted(names) == sorted(["青溪.txt", "tab.txt", "坏.xlsx"])
    broken = page.locator(".doc-card.error")
    assert broken.count() == 1 and "corrupt" in broken.inner_text()
    page.locator(".doc-card", has_text="tab.txt").click()
    assert page.locator("#doc-text mark.ind").count() > 5
    page.locator("#paste summary").click()
    page.fill("#paste-text", TABLE)
    page.click("#paste-go")
    page.wait_for_function("document.querySelectorAll('.doc-card[data-status=done]').length === 3")
    assert page.locator(".doc-card", has_text="粘贴文本").count() == 1


def test_the_rules_page_lists_every_code_from_the_rule_docs(page, server):
    from extractor.checks import RULES

    page.click("nav a[data-view=rules]")
    page.wait_for_selector("#rules .rule")
    assert page.locator("#rules .rule").count() == len(RULES)
    page.fill("#rule-filter", "stale_or_wrong_year")
    visible = page.locator("#rules .rule:visible")
    assert visible.count() == 1
    visible.locator("summary").click()
    rule = next(r for r in RULES if r.code == "stale_or_wrong_year")
    assert rule.title in visible.inner_text() and rule.why.strip()[:20] in visible.inner_text()
