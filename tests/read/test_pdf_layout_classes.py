"""Classes of PDF layout the reader must not be fooled by, each built with reportlab:

- figures set in another font a little above or below the line of their sentence, and a unit that
  wraps to the next line: the sentence must read with its figures in place;
- a cover whose title is set over two lines with spaces between its parts
  ("XX局" / "2024 年度部门决算"): the department is the organ's name, never "度部门";
- every figure of a PDF carries its box on the page (cells and narrative).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from tests.fixtures.pdfgen import FONT, _register, font_available

pytestmark = pytest.mark.skipif(not font_available(), reason="CJK font not installed (scripts/setup installs it)")


def _pdf(draw) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    draw(c)
    c.save()
    return buf.getvalue()


def _read(data: bytes):
    from indexing.read import read_bytes

    return read_bytes(data, "layout.pdf")


@pytest.mark.parametrize("offset", [-3.5, -2.0, 2.0, 3.5])
def test_figures_set_off_the_line_stay_in_their_sentence(offset):
    """The figures are drawn in another size and moved `offset` points off the baseline."""

    def draw(c):
        c.setFont(FONT, 20)
        c.drawString(60, 780, "某某区某某局2025年部门决算")
        c.showPage()
        y = 760
        c.setFont(FONT, 12)
        c.drawString(60, y, "一、支出决算情况说明")
        y -= 24
        x = 60
        for piece, is_figure in [("本年度机关运行经费年初预算为", False), ("84.65", True), ("万元，支出决算为", False),
                                 ("80.12", True), ("万元。", False)]:
            if is_figure:
                c.setFont(FONT, 10)
                c.drawString(x, y + offset, piece)
                x += c.stringWidth(piece, FONT, 10)
            else:
                c.setFont(FONT, 12)
                c.drawString(x, y, piece)
                x += c.stringWidth(piece, FONT, 12)
        y -= 18
        c.setFont(FONT, 12)
        c.drawString(60, y, "其中公务接待费支出决算为12.50")
        c.drawString(60, y - 18, "万元，与上年持平。")

    doc = _read(_pdf(draw))
    text = doc.narrative
    assert "年初预算为84.65万元，支出决算为80.12万元" in text, text
    assert "支出决算为12.50万元" in text, text  # the unit wrapped to the next line joins its figure
    figs = {f.raw: f for s in doc.sections for f in s.figures}
    assert figs["84.65万元"].unit == "万元" and figs["12.50万元"].value == Decimal("12.50")
    box = figs["84.65万元"].location.box
    assert box is not None and box[0] > 60 and box[2] > box[0]


def test_cover_set_over_two_lines_with_spaces_names_the_organ():
    def draw(c):
        c.setFont(FONT, 22)
        c.drawString(80, 700, "某某市某某区规划和资源局")
        c.drawString(120, 660, "2024 年 度 部 门 决 算")
        c.showPage()
        c.setFont(FONT, 12)
        c.drawString(60, 760, "第一部分 部门概况")
        c.drawString(60, 740, "一、主要职能")
        c.drawString(60, 720, "负责本区规划和资源管理工作。")

    doc = _read(_pdf(draw))
    assert doc.meta.department == "某某市某某区规划和资源局"
    assert doc.meta.year == 2024 and doc.meta.kind == "决算" and doc.meta.level == "部门"


def test_every_cell_figure_of_a_ruled_table_has_its_box():
    from tests.fixtures.pdfgen import expenditure_pdf

    data, _source = expenditure_pdf(continued="repeat", n_kuan=4)
    doc = _read(data)
    figures = [f for t in doc.tables for r in t.rows for f in r.figures()]
    assert figures and all(f.location.box is not None for f in figures)
    for f in figures:
        x0, top, x1, bottom = f.location.box
        assert 0 <= x0 < x1 and 0 <= top < bottom


def test_a_disclosure_in_two_files_reads_as_one(tmp_path):
    """情况说明 + 报表 published as two files (北京): one document, pages and table ids renumbered."""
    from indexing.ingest import expand
    from indexing.read.multi import group_parts, read_parts
    from tests.fixtures.pdfgen import expenditure_pdf

    def narrative(c):
        c.setFont(FONT, 20)
        c.drawString(60, 780, "某某市某某局")
        c.drawString(60, 750, "2026年部门预算")
        c.showPage()
        c.setFont(FONT, 12)
        c.drawString(60, 760, "一、收入预算情况说明")
        c.drawString(60, 740, "收入预算100.00万元。")

    (tmp_path / "x_narrative.pdf").write_bytes(_pdf(narrative))
    tables, _ = expenditure_pdf(continued="repeat", n_kuan=3)
    (tmp_path / "x_tables.pdf").write_bytes(tables)
    (tmp_path / "other.pdf").write_bytes(_pdf(narrative))
    groups = group_parts(sorted(tmp_path.iterdir()))
    assert [[p.name for p in g] for g in groups] == [["other.pdf"], ["x_narrative.pdf", "x_tables.pdf"]]
    doc = read_parts(groups[1])
    alone = read_parts([tmp_path / "x_tables.pdf"])
    assert doc.meta.department == "某某市某某局" and doc.page_count == 2 + alone.page_count
    assert len(doc.tables) == len(alone.tables) and doc.tables[0].pages == [p + 2 for p in alone.tables[0].pages]
    fig = next(f for r in doc.tables[0].rows for f in r.figures())
    assert fig.location.page >= 3 and fig.location.table_id == "t1"
    items = list(expand([tmp_path]))
    assert sum(1 for i in items if not hasattr(i, "suffix")) == 1 and len(items) == 2


def test_an_untitled_table_at_the_top_of_a_page_is_not_a_continuation():
    """Same grid as the table before it, nothing above it: a header of its own (column words the
    previous header does not print) opens a new table; a repeated header, or first data rows
    misread as header, continue the previous one."""
    from indexing.read.pdf_tables import _new_header

    prev = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    assert _new_header([["经济分类科目", "经济分类科目", "一般公共预算基本支出"], ["科目编码", "科目名称", "合计", "人员经费", "公用经费"]], prev)
    assert not _new_header([["科目编码", "科目名称", "合计", "基本支出", "项目支出"]], prev)  # repeated
    assert not _new_header([["2080505", "机关事业单位基本养老保险缴费", "95.19", "95.19", ""]], prev)  # a data row
