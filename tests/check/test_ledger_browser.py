"""The HTML report in headless Chromium: the ledger is shown (every family, its totals, the coverage), and
the reader's doubts are kept apart from the alarms — their own box, below the alarms, never counted in the
summary's 错误/警告 columns (issue 16, acceptance 4)."""

from __future__ import annotations

import pytest

from checking.check import check_document
from checking.findings import Report, Severity
from checking.reports.html import to_html
from indexing.model import TableConfidence
from tests.check.fixtures import basic_table, expenditure_table, make_doc
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _report():
    """One narrative figure contradicting a sure table (an error), and a doubted table (an extraction
    doubt blocking its checks)."""
    doubted = expenditure_table(rows=[["208", "社会保障和就业支出", "64.84", "64.84", "10.00"],
                                      ["210", "卫生健康支出", "1,029.53", "321.55", "700.98"],
                                      ["221", "住房保障支出", "31.40", "31.40", "0.00"]])
    doubted.confidence = TableConfidence(sure=False, doubt="3个合计中3个不平，更像读错（错位）而非部门差错")
    doc = make_doc(["二、收支", "基本支出427.79万元，其中：人员经费396.27万元、公用经费21.52万元。"], [doubted, basic_table()])
    report = check_document(doc)
    assert report.count(Severity.error) >= 1 and report.count(Severity.extraction) >= 1
    return report


def test_ledger_and_doubts_apart_in_chromium(browser, tmp_path):
    report = _report()
    path = tmp_path / "check.html"
    path.write_text(to_html(Report(documents=[report])), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(path.as_uri())

    # the ledger: a visible table with one row per family that ran, then the 合计 row; its cells add up
    ledger = page.locator("table.ledger")
    assert ledger.is_visible()
    rows = page.eval_on_selector_all("table.ledger tr", "rs => rs.map(r => [...r.cells].map(c => c.innerText))")
    head, body = rows[0], rows[1:]
    assert head[0] == "类别" and len(head) == 6 and body[-1][0] == "合计"
    families = {r[0] for r in body[:-1]}
    assert len(families) >= 4
    sums = [sum(int(r[i]) for r in body[:-1]) for i in range(1, 6)]
    assert sums == [int(x) for x in body[-1][1:]] and sum(sums) == len(report.ledger.entries)
    assert "覆盖率" in page.inner_text("h3:has(+ table.ledger)")
    statuses = dict(zip(head[1:], body[-1][1:]))
    assert int(statuses["读取存疑"]) >= 1 and int(statuses["不通过"]) >= 1

    # the doubts: their own box, below every alarm, styled apart, holding only extraction findings
    box = page.locator("div.doubts")
    assert box.is_visible() and "不计入报警" in box.inner_text()
    inside = page.eval_on_selector_all("div.doubts div.f", "fs => fs.map(f => f.className)")
    assert inside and all("extraction" in c for c in inside)
    outside = page.eval_on_selector_all("body > div.f, div.f:not(div.doubts div.f)", "fs => fs.map(f => f.className)")
    assert outside and not any("extraction" in c for c in outside)
    alarm_bottom = page.eval_on_selector_all(
        "div.f.error, div.f.warning", "fs => Math.max(...fs.map(f => f.getBoundingClientRect().bottom))")
    assert box.bounding_box()["y"] >= alarm_bottom
    colours = page.eval_on_selector_all(
        "div.f", "fs => fs.map(f => [f.className, getComputedStyle(f).borderLeftColor])")
    doubt_colour = {c for k, c in colours if "extraction" in k}
    alarm_colour = {c for k, c in colours if "error" in k or "warning" in k}
    assert doubt_colour and alarm_colour and not doubt_colour & alarm_colour

    # the summary counts alarms and doubts in separate columns
    cells = page.eval_on_selector_all("table.summary tr:nth-child(2) td", "tds => tds.map(t => t.innerText)")
    assert int(cells[1]) == report.count(Severity.error) and int(cells[4]) == report.count(Severity.extraction)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "check-ledger.png"), full_page=True)
    page.close()
