"""An inspector hands in the annotated PDF: a generated 2025 budget whose narrative says 服务55.39万元
where the 政府采购预算表 prints 522,513.00元 gets a summary page and, on the original pages, one red
rectangle annotation per side of the finding, at the cells' boxes — read back with pdfplumber."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from checking.check import check_document
from checking.decisions import Decision, keyed
from checking.findings import Severity
from checking.reports.annotated_pdf import annotate, marks, ordered
from checking.reports.pdf_boxes import fill_from_document
from indexing.read import read_bytes
from tests.fixtures.pdfgen import font_available

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not font_available(), reason="the CJK font (fonts-wqy-microhei) is not installed")


@pytest.fixture(scope="module")
def budget(tmp_path_factory):
    from eval.generate import generate_doc
    from eval.generate.render_pdf import render_pdf

    data = render_pdf(generate_doc(0, 7, "shanghai", errors=2, kinds=["narrative_amount"]))
    path = tmp_path_factory.mktemp("annotated") / "budget.pdf"
    path.write_bytes(data)
    doc = read_bytes(data, "budget.pdf")
    return path, doc, check_document(doc)


def _inside(point, box, tol=1.5):
    x, y = point
    return box[0] - tol <= x <= box[2] + tol and box[1] - tol <= y <= box[3] + tol


def _centre(b):
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def test_one_annotation_per_finding_side_at_the_cells_boxes(budget, tmp_path):
    path, doc, report = budget
    filled = report.model_copy(deep=True)
    fill_from_document(filled, doc)  # what annotate() draws on: the reader's boxes
    shown = [f for f in filled.findings if f.severity is not Severity.info]
    assert any(f.code == "N-AMOUNT" for f in shown), [f.message for f in shown]
    assert any(e.location.box for f in shown for e in f.evidence)  # the reader fills boxes (commit 79502d5)
    out = tmp_path / "annotated.pdf"
    out.write_bytes(annotate(report, path, doc=doc))
    with pdfplumber.open(str(path)) as original, pdfplumber.open(str(out)) as pdf:
        shift = len(pdf.pages) - len(original.pages)
        assert shift >= 1  # the summary page(s) come first
        summary = pdf.pages[0].extract_text()
        assert "核查结果批注" in summary and "待复核" in summary
        annots = [(i + 1 - shift, a) for i, p in enumerate(pdf.pages) for a in p.annots]
        sides = [(n, e) for n, (_, f) in enumerate(ordered(filled), 1) for e in f.evidence if e.location.page]
        assert len(annots) == len(sides) and len(sides) >= 2
        for n, e in sides:
            page = original.pages[e.location.page - 1]
            on_page = [a for p, a in annots if p == e.location.page and (a.get("contents") or "").startswith(f"[{n}] ")]
            if not e.raw:  # a finding on a whole table: boxed over the table's cells
                assert len(on_page) == 1 and e.location.box
                got = (on_page[0]["x0"], on_page[0]["top"], on_page[0]["x1"], on_page[0]["bottom"])
                assert all(abs(g - w) <= 1.6 for g, w in zip(got, e.location.box)), (got, e.location.box)
                continue
            # Where pdfplumber itself prints the figure (independent of the box locator)
            digits = re.match(r"[\d,.]+", e.raw).group(0)  # "55.39万元" may break after 万
            printed = [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in page.search(digits, regex=False)]
            assert printed, (e.raw, e.location.page)
            hit = [a for a in on_page if any(_inside(_centre(w), (a["x0"], a["top"], a["x1"], a["bottom"])) for w in printed)]
            assert len(hit) == 1, (e.side, e.raw, on_page)
            a = hit[0]
            if e.location.box:  # the reader's box: the annotation is drawn on it (1 pt outside)
                for got, want in zip((a["x0"], a["top"], a["x1"], a["bottom"]), e.location.box):
                    assert abs(got - want) <= 1.6, (got, want)
            assert ("文字" if e.side == "narrative" else "表格") in a["contents"]


def test_decisions_show_on_the_summary_page(budget, tmp_path):
    path, doc, report = budget
    key, finding = next((k, f) for k, f in keyed(report.findings) if f.code == "N-AMOUNT")
    decided = {key: Decision("dismissed", "表中单位为元，文字为万元，已核对无误", "张三", "2026-12-03T12:00:00+00:00")}
    out = tmp_path / "decided.pdf"
    out.write_bytes(annotate(report, path, decided))
    with pdfplumber.open(str(out)) as pdf:
        text = pdf.pages[0].extract_text().replace("\n", "")
    assert "已排除" in text and "张三" in text


def test_cli_writes_the_annotated_pdf(budget, tmp_path):
    path, doc, report = budget
    out = tmp_path / "cli.pdf"
    proc = subprocess.run([sys.executable, "-m", "service.cli", "check", str(path), "--annotated", str(out),
                           "--data", str(tmp_path / "nodata")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "批注版 PDF" in proc.stderr
    with pdfplumber.open(str(out)) as pdf:
        n = sum(len(p.annots) for p in pdf.pages)
    filled = report.model_copy(deep=True)
    fill_from_document(filled, doc)
    assert n == len(marks(filled, path)) >= 2


def test_cli_refuses_annotated_for_text(tmp_path, seeds_dir):
    proc = subprocess.run([sys.executable, "-m", "service.cli", "check", str(seeds_dir / "000_ccf1996943bb7af8.txt"),
                           "--annotated", str(tmp_path / "x.pdf")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "只用于 PDF" in proc.stderr


def test_finding_sides_take_the_readers_boxes(budget):
    path, doc, report = budget
    filled = report.model_copy(deep=True)
    assert fill_from_document(filled, doc) > 0
    f = next(f for f in filled.findings if f.code == "N-AMOUNT")
    table = next(e for e in f.evidence if e.side == "table")
    cell = doc.table(table.location.table_id).rows[table.location.row].cell(table.location.column)
    assert table.location.box == cell.figure.location.box
    narrative = next(e for e in f.evidence if e.side == "narrative")
    sec = doc.section(narrative.location.section_id)
    fig = next(x for x in sec.figures if x.location.offset == narrative.location.offset)
    box = fig.location.box
    if box[3] - box[1] > 20:  # "55.39万" | "元": the reader's box spans two lines, so it is not used
        assert narrative.location.box is None
    else:
        assert narrative.location.box == box
