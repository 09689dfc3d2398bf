"""Tables printed without ruling lines (indexing/read/pdf_unruled.py) and flattened rows placed by the
table's identities (indexing/read/flat_placement.py).

The layout corpus (page_flat family) prints unruled tables with flush-left headers; these PDFs are
drawn here with centred headers, a column blank in every row and names wrapped over two lines, so
both header rules of the reader are exercised. A narrative page whose figures stand apart from their
units must stay narrative.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

from indexing.read.flat_placement import place_rows  # noqa: E402


def _pdf(draw) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from eval.generate.render_pdf import FONT, _styles

    _styles()  # registers the CJK font
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    draw(c, FONT)
    c.showPage()
    c.save()
    return buf.getvalue()


# x of each column's left edge, its width, and whether amounts (right-aligned) or text (left)
_COLS = [(50, 60, "text"), (110, 150, "text"), (260, 80, "amount"), (340, 80, "amount"), (420, 80, "amount"),
         (500, 60, "amount")]
_HEAD = ["科目编码", "科目名称", "合计", "基本支出", "项目支出", "上年结转"]
_ROWS = [
    ("208", "社会保障和就业支出", "1,200.00", "1,000.00", "200.00", ""),
    ("20805", "行政事业单位养老支出", "1,200.00", "1,000.00", "200.00", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "1,200.00", "1,000.00", "200.00", ""),
    ("210", "卫生健康支出", "800.00", "", "800.00", ""),
    ("", "合计", "2,000.00", "1,000.00", "1,000.00", ""),
]


def _draw_table(c, font, y0: float = 700, wrap_at: int = 10) -> None:
    c.setFont(font, 12)
    c.drawCentredString(300, y0 + 60, "2025年部门支出预算总表")
    c.setFont(font, 8)
    c.drawString(50, y0 + 40, "单位：万元")
    c.setFont(font, 7.5)
    c.drawCentredString(260 + 160, y0 + 20, "本年支出")  # a group heading over 基本/项目 (centred)
    for (x, w, _), h in zip(_COLS, _HEAD):
        c.drawCentredString(x + w / 2, y0 + 5, h)
    y = y0 - 15
    for row in _ROWS:
        for (x, w, kind), text in zip(_COLS, row):
            if not text:
                continue
            if kind == "amount":
                c.drawRightString(x + w - 3, y, text)
            elif len(text) > wrap_at:  # a long name over two lines around the row's middle
                c.drawString(x + 3, y + 4.5, text[:wrap_at])
                c.drawString(x + 3, y - 4.5, text[wrap_at:])
            else:
                c.drawString(x + 3, y, text)
        y -= 16


def _read(data: bytes):
    from indexing.read import read_bytes

    return read_bytes(data, "unruled.pdf")


def test_unruled_table_with_centred_headers_is_read_by_its_columns():
    doc = _read(_pdf(_draw_table))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.standard_type.value == "支出总表"
    assert any(c.endswith("上年结转") for c in t.columns)  # blank in every row, still a column
    assert [c for c in t.columns if "基本支出" in c] == ["本年支出/基本支出"]
    row = next(r for r in t.rows if r.code == "2080505")
    assert row.name == "机关事业单位基本养老保险缴费支出"  # wrapped name joined
    values = {c.column.split("/")[-1]: c.figure.value for c in row.cells if c.figure is not None and c.figure.value is not None}
    assert values == {"合计": Decimal("1200.00"), "基本支出": Decimal("1000.00"), "项目支出": Decimal("200.00")}
    health = next(r for r in t.rows if r.code == "210")
    placed = {c.column.split("/")[-1]: c.figure.value for c in health.cells if c.figure is not None and c.figure.value is not None}
    assert placed == {"合计": Decimal("800.00"), "项目支出": Decimal("800.00")}
    assert t.confidence is not None and t.confidence.sure


def test_figures_standing_apart_from_their_units_in_prose_are_not_a_table():
    def draw(c, font):
        c.setFont(font, 10)
        c.drawString(50, 780, "（三）支出预算情况")
        for k, y in enumerate(range(760, 640, -20)):
            c.drawString(60, y, f"{k + 1}.行政运行（2080201）")
            c.drawRightString(260, y, f"1,{286 + k}.60")
            c.drawString(275, y, "万元，较上年增加")
            c.drawRightString(400, y, f"{198 + k}.60")
            c.drawString(410, y, "万元，主要原因是工资调整。")

    doc = _read(_pdf(draw))
    assert doc.tables == []
    assert any("行政运行" in s.text for s in doc.sections)


def test_flattened_rows_are_placed_only_where_the_identities_decide():
    # 合计 | 基本 | 项目: the 类 row has both parts; its two 款 rows one part each. The column sums under
    # the 类 decide which 款 is 基本 and which is 项目.
    values = [["300.00", "100.00", "200.00"], ["100.00", "100.00"], ["200.00", "200.00"],
              ["300.00", "100.00", "200.00"]]
    placed = place_rows(values, 3, ["201", "20101", "20102", None], ["一般公共服务", "a", "b", "合计"])
    assert placed == {1: ["100.00", "100.00", None], 2: ["200.00", None, "200.00"]}


def test_a_symmetric_table_is_left_unplaced():
    # Two rows of one part each, equal amounts, no parent: either column would do.
    values = [["100.00", "100.00"], ["100.00", "100.00"], ["200.00", "100.00", "100.00"]]
    assert place_rows(values, 3, ["20101", "20102", None], ["a", "b", "合计"]) == {}


def test_another_tables_totals_decide_a_column_blank_everywhere():
    # 合计 | 一般公共预算 | 政府性基金 | 上年结转 with 政府性基金 blank in every row: only the 收支总表's
    # totals say which two columns the 合计 row's parts are in.
    values = [["150.00", "100.00", "50.00"], ["150.00", "100.00", "50.00"]]
    codes, labels = ["201", None], ["一般公共服务", "合计"]
    assert place_rows(values, 4, codes, labels) == {}
    placed = place_rows(values, 4, codes, labels, {0: Decimal("100.00"), 1: Decimal(0), 2: Decimal("50.00")})
    assert placed == {0: ["150.00", "100.00", None, "50.00"], 1: ["150.00", "100.00", None, "50.00"]}


def test_rows_that_break_the_row_identity_are_never_placed():
    values = [["300.00", "100.00", "150.00"], ["300.00", "100.00"]]
    assert place_rows(values, 3, ["201", "20101"], ["a", "b"]) == {}
