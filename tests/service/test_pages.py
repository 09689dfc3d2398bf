"""The page view's parts, on PDFs drawn with reportlab at positions we choose: the box locator finds
a cell on the row label's line and under its column header (two cells print the same number); a
rendered page is cached on disk and the boxes are drawn where the cells are, pixel for pixel."""

from __future__ import annotations

import io

import pytest

from checking.reports.pdf_boxes import evidence_box, locate_cell, locate_text
from indexing.model import Location
from service import pages
from tests.fixtures.pdfgen import FONT, _register, font_available

pytestmark = pytest.mark.skipif(not font_available(), reason="the CJK font (fonts-wqy-microhei) is not installed")

W, H = 595.0, 842.0
SIZE = 10
# (text, x, baseline y from the page top): a little table whose 12.50 appears twice
DRAWN = [
    ("项目", 60, 100), ("基本支出", 220, 100), ("项目支出", 360, 100),
    ("人员经费", 60, 130), ("12.50", 220, 130), ("3.00", 360, 130),
    ("公用经费", 60, 160), ("7.25", 220, 160), ("12.50", 360, 160),
    ("本年人员经费支出12.50万元，比上年增加1.00万元。", 60, 220),
]


@pytest.fixture(scope="module")
def drawn_pdf(tmp_path_factory):
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    _register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(W, H))
    c.setFont(FONT, SIZE)
    where = {}
    for text, x, y in DRAWN:
        c.drawString(x, H - y, text)
        where[(text, x, y)] = (x, x + stringWidth(text, FONT, SIZE))
    c.showPage()
    c.save()
    path = tmp_path_factory.mktemp("pages") / "drawn.pdf"
    path.write_bytes(buf.getvalue())
    return path, where


def _near(box, x0, x1, baseline, tol=1.5):
    assert abs(box[0] - x0) <= tol and abs(box[2] - x1) <= tol, (box, x0, x1)
    assert box[1] < baseline < box[3] + tol, (box, baseline)  # the glyphs stand on the baseline


def test_a_cell_is_found_on_its_row_and_under_its_column(drawn_pdf):
    path, where = drawn_pdf
    b = locate_cell(path, 1, "12.50", row_label="公用经费", column="支出/项目支出")
    _near(b, *where[("12.50", 360, 160)], 160)
    b = locate_cell(path, 1, "12.50", row_label="人员经费", column="支出/基本支出")
    _near(b, *where[("12.50", 220, 130)], 130)


def test_the_readers_box_wins_and_a_narrative_figure_is_found_in_its_sentence(drawn_pdf):
    path, where = drawn_pdf
    assert evidence_box(path, Location(page=1, table_id="t1", box=(1, 2, 3, 4)), "12.50") == (1, 2, 3, 4)
    sentence = "本年人员经费支出12.50万元，比上年增加1.00万元。"
    b = evidence_box(path, Location(page=1, section_id="s1", offset=8), "12.50", quote=sentence)
    assert b[1] < 220 < b[3] + 1 and b[0] > 100, b  # in the sentence (baseline 220), not in the table above
    lines = locate_text(path, 1, sentence)
    assert len(lines) == 1 and abs(lines[0][0] - 60) < 1


def test_render_is_cached_and_boxes_are_drawn_at_the_cells(drawn_pdf, tmp_path):
    from PIL import Image

    path, where = drawn_pdf
    png = pages.render(path, 1, tmp_path / "cache")
    assert png.exists() and png.parent == tmp_path / "cache"
    stamp = png.stat().st_mtime_ns
    assert pages.render(path, 1, tmp_path / "cache").stat().st_mtime_ns == stamp  # not rendered again
    assert pages.render(path, 2, tmp_path / "cache") is None
    assert pages.page_size(path, 1) == (W, H)
    box = locate_cell(path, 1, "7.25", row_label="公用经费")
    image = Image.open(io.BytesIO(pages.boxed_png(png, [box])))
    assert image.size == (int(W * pages.SCALE), int(H * pages.SCALE))
    red = _red(image)
    assert red
    x0, y0, x1, y1 = min(p[0] for p in red), min(p[1] for p in red), max(p[0] for p in red), max(p[1] for p in red)
    s, w = pages.SCALE, pages.BOX_WIDTH
    assert abs(x0 - (box[0] * s - w)) <= 2 and abs(x1 - (box[2] * s + w)) <= 2
    assert abs(y0 - (box[1] * s - w)) <= 2 and abs(y1 - (box[3] * s + w)) <= 2


def _red(image):
    import numpy as np

    a = np.asarray(image.convert("RGB"))
    ys, xs = np.nonzero(np.all(a == np.array(pages.BOX_RGB, dtype=a.dtype), axis=2))
    return list(zip(xs.tolist(), ys.tolist()))


def test_bad_boxes_are_refused():
    assert pages.parse_boxes(["1,2,3,4"]) == [(1.0, 2.0, 3.0, 4.0)]
    for bad in ("1,2,3", "3,2,1,4", "a,b,c,d"):
        with pytest.raises(ValueError):
            pages.parse_boxes([bad])


def test_units_print_once_and_sides_read_without_locators():
    from checking.findings import Evidence
    from checking.reports.where import side_where, value_text

    assert value_text("21.42万元", "万元") == "21.42万元"
    assert value_text("21.42", "万元") == "21.42万元"
    e = Evidence(side="narrative", quote="…", raw="21.42万元", unit="万元", location=Location(section_id="s19", offset=18))
    assert "s19" not in side_where(e) and "@" not in side_where(e)
    assert side_where(e, "八、三公经费") == "“八、三公经费”一节"
    t = Evidence(side="table", raw="0.95", table_title="一般公共预算支出表", row_label="行政运行",
                 location=Location(page=3, table_id="t2", row=1, column="支出预算/基本支出"))
    assert side_where(t) == "第3页 《一般公共预算支出表》 行“行政运行” 列“支出预算 › 基本支出”"
