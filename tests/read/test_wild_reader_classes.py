"""Reader defects found on real PDFs of ../shared/wild, each fixed as a rule of the templates
(/work/coord/wild_errors.md, "Reader defects seen"):

- project tables: a project's name is never compared with its 功能科目's name (`confidence`);
- a converted-text table is "cut short" only when the shortfall lies at its end (`text_tables`);
- double-ruled tables (a header framed again inside its ruling): columns are the body's, and a
  continued table's first row printed above the page's first rule is put back (`pdf_page`);
- titles wrapped over lines, long qualifiers, fake-bold overprints, clipped unit lines (`pdf`,
  `table_types`, `tables`);
- boxes in the coordinates a renderer draws the page in, whatever the MediaBox (`pdf_page`).

Generated tables and PDFs need nothing outside the project; the wild samples read single pages
of ../shared/wild and skip, saying so, when it is absent.
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from indexing.model import TableType
from indexing.read import read_bytes
from indexing.read.confidence import table_confidence
from indexing.read.pdf_tables import PageTable
from indexing.read.table_types import looks_like_title
from indexing.read.tables import build_table, find_unit, flatten_header
from indexing.read.text_tables import check_truncation, mark_total_rows
from tests.fixtures import pdfgen

D = Decimal
WILD = Path(os.environ.get("BUDGETQA_SHARED") or Path(__file__).resolve().parents[3] / "shared") / "wild"


# ---------------------------------------------------------------------------------------------
# Project tables: names of projects, codes of 科目


def _project_table(name_header: str):
    header = [[name_header, "功能科目编码", "项目类别", "预算金额"]]
    rows = [
        ["会计人员继续教育", "2010602", "其他运转类", "12.00"],
        ["医疗救助配套资金", "2101502", "特定目标类", "30.00"],
        ["信息系统运维", "2010101", "其他运转类", "8.00"],
        ["档案数字化", "2010301", "特定目标类", "5.00"],
    ]
    return build_table("t1", "项目支出表", header, rows)


def test_project_names_are_not_compared_with_their_subjects_names():
    projects = table_confidence(_project_table("项目名称"))
    assert projects.sure and not projects.code_mismatches
    # The same rows under a 科目名称 header are 科目 rows whose names do not fit their codes.
    subjects = table_confidence(_project_table("科目名称"))
    assert not subjects.sure and len(subjects.code_mismatches) >= 3 and "编码与名称不符" in subjects.doubt


def test_a_bare_name_header_beside_project_attributes_names_projects():
    assert table_confidence(_project_table("名称")).code_mismatches == []


# ---------------------------------------------------------------------------------------------
# Cut short only at the end


def _coded(rows):
    t = build_table("t1", "一般公共预算支出表", [["科目编码", "科目名称", "合计"]], rows)
    mark_total_rows(t)
    check_truncation(t)
    return t


FULL = [
    ["", "合计", "100.00"],
    ["201", "一般公共服务支出", "60.00"],
    ["20101", "人大事务", "60.00"],
    ["2010101", "行政运行", "40.00"],
    ["2010102", "一般行政管理事务", "20.00"],
    ["208", "社会保障和就业支出", "40.00"],
    ["20805", "行政事业单位养老支出", "40.00"],
    ["2080505", "机关事业单位基本养老保险缴费支出", "40.00"],
]


def test_a_leaf_that_disagrees_with_rows_after_it_is_not_a_truncation():
    rows = [list(r) for r in FULL]
    rows[4][2] = "10.00"  # 2010102 printed 10 where its 款 says 20: rows follow it
    t = _coded(rows)
    assert t.complete and t.incomplete_reason is None


def test_the_last_rows_missing_is_a_truncation():
    t = _coded([list(r) for r in FULL[:-2]])  # the text stops inside 208
    assert not t.complete and "截断" in t.incomplete_reason and "40.00" in t.incomplete_reason


def test_a_complete_table_is_complete():
    assert _coded([list(r) for r in FULL]).complete


def test_rows_nested_under_one_code_are_not_counted_again():
    header = [["科目编码", "采购项目", "预算金额"]]
    nested = build_table("t1", "政府采购预算表", header, [
        ["", "合计", "30.00"],
        ["2050303", "全额", "20.00"], ["2050303", "XX学校", "20.00"], ["2050303", "维修", "12.00"], ["2050303", "物业", "8.00"],
        ["2050803", "全额", "10.00"], ["2050803", "XX支队", "10.00"], ["2050803", "培训", "10.00"]])
    assert [r.code for r in nested.rows] == [None, "2050303", None, None, None, "2050803", None, None]
    assert nested.rows[3].code_raw == "2050303" and table_confidence(nested).totals_reconciled >= 1
    # rows that split the 科目 (they add up to the 合计 as printed) keep their code
    split = build_table("t1", "支出总表", header, [["", "合计", "30.00"], ["2010101", "工资", "12.00"],
                                                   ["2010101", "办公费", "8.00"], ["2080505", "养老", "10.00"]])
    assert [r.code for r in split.rows] == [None, "2010101", "2010101", "2080505"]


# ---------------------------------------------------------------------------------------------
# Small rules of titles, units and headers


def test_titles_units_and_vertical_headers():
    assert looks_like_title("2022年部门综合预算一般公共预算基本支出明细表（按支出经济分类科目-不含上年结转）")
    assert not looks_like_title("会议费、培训费表（不含上年结转）")  # the wrapped half alone names no table
    assert find_unit("金位：元") == "元" and find_unit("金额单位：万元") == "万元"
    assert find_unit("说明：本表金额为元") is None
    assert flatten_header([["序", "数"], ["号", "量"]]) == ["序号", "数量"]
    assert flatten_header([["基本支出"], ["人员经费"]]) == ["基本支出/人员经费"]


def test_a_code_header_wrapped_over_two_rows_is_still_the_code_column():
    header = [["部门经济科目编", "部门经济科目名称", "政府经济科目编码", "政府经济科目名称", "合计"], ["码", "", "", "", ""]]
    t = build_table("t1", "一般公共预算基本支出表", header, [["30101", "基本工资", "50101", "工资奖金津补贴", "6.00"]])
    assert t.rows[0].code == "30101" and t.rows[0].cell(t.columns[0]).figure is None


def test_double_rules_give_the_body_columns():
    """A header framed again 5 pt inside its ruling: the padding edges go, the header words land on
    the body columns they stand over, and a 款 part "06" is read under its code header."""
    from indexing.read.pdf_page import drop_padding

    pt = PageTable(page=1, bbox=(0, 0, 200, 60), edges=[0, 5, 45, 50, 55, 95, 100, 200],
                   row_bands=[(0, 20), (20, 22), (22, 40), (40, 60)], boxes=[
                       (0, (5, 0, 45, 20), "序号"), (0, (55, 0, 95, 20), "经济科目编码"), (0, (100, 0, 200, 20), "预算金额"),
                       (1, (0, 20, 5, 22), ""), (1, (5, 20, 45, 22), ""),
                       (2, (0, 22, 50, 40), "1"), (2, (50, 22, 100, 40), "06"), (2, (100, 22, 200, 40), "10.00"),
                       (3, (0, 40, 50, 60), "2"), (3, (50, 40, 100, 60), "09"), (3, (100, 40, 200, 60), "5.00")])
    drop_padding(pt)
    assert pt.edges == [0, 50, 100, 200]
    assert len(pt.row_bands) == 3  # the empty padding row above the data is gone
    assert [(r, t) for r, b, t in pt.boxes if r == 0] == [(0, "序号"), (0, "经济科目编码"), (0, "预算金额")]
    ordinary = PageTable(page=1, bbox=(0, 0, 200, 40), edges=[0, 50, 100, 200], row_bands=[(0, 20), (20, 40)],
                         boxes=[(0, (0, 0, 50, 20), "编码"), (0, (50, 0, 200, 20), "金额"),
                                (1, (0, 20, 50, 40), "301"), (1, (50, 20, 100, 40), "1.00"), (1, (100, 20, 200, 40), "2.00")])
    before = (list(ordinary.edges), list(ordinary.boxes))
    drop_padding(ordinary)
    assert (ordinary.edges, ordinary.boxes) == before
    # a real column (50 pt wide) that every figure row merges across is no padding
    merged = PageTable(page=1, bbox=(0, 0, 200, 60), edges=[0, 50, 100, 150, 200],
                       row_bands=[(0, 20), (20, 40), (40, 60)],
                       boxes=[(0, (0, 0, 50, 20), "指标"), (0, (50, 0, 100, 20), "名称"), (0, (100, 0, 150, 20), "指标值"),
                              (0, (150, 0, 200, 20), "备注"), (1, (0, 20, 50, 40), "1"), (1, (50, 20, 100, 40), "数量"),
                              (1, (100, 20, 200, 40), "≥2人 3.00"), (2, (0, 40, 50, 60), "2"), (2, (50, 40, 200, 60), "10.00")])
    drop_padding(merged)
    assert merged.edges == [0, 50, 100, 150, 200]


def test_a_row_printed_above_the_ruling_is_the_tables_first_row():
    from indexing.read.pdf import _TextLine
    from indexing.read.pdf_page import take_unruled_top_row

    def line(segments, top, width=4.0):
        """A printed line from (x, text) pieces, each character `width` wide."""
        text, boxes = "", []
        for x, piece in segments:
            if text:
                text, boxes = text + " ", boxes + [None]
            for i, ch in enumerate(piece):
                text += ch
                boxes.append((x + i * width, top, x + (i + 1) * width, top + 8))
        return _TextLine(text, top, top + 8, 8.0, boxes=boxes)

    def table():
        return PageTable(page=2, bbox=(0, 40, 280, 60), edges=[0, 40, 120, 200, 280], row_bands=[(40, 60)],
                         boxes=[(0, (0, 40, 40, 60), "25"), (0, (40, 40, 120, 60), "30201"),
                                (0, (120, 40, 200, 60), "1.00"), (0, (200, 40, 280, 60), "2.00")])

    pt = table()
    title = line([(20, "2022年部门支出表")], 5)
    rest = take_unruled_top_row(pt, [title, line([(10, "24"), (50, "30101"), (150, "2.50"), (230, "3.50")], 30)])
    assert rest == [title] and len(pt.row_bands) == 2 and pt.bbox[1] == 30
    assert [t for r, _, t in sorted(pt.boxes) if r == 0] == ["24", "30101", "2.50", "3.50"]
    # a unit line or a sentence directly above the ruling stays where it is
    for words in ([(200, "单位：元")], [(10, "收入总计1125.77万元，支出总计1125.77万元")]):
        other = table()
        assert len(take_unruled_top_row(other, [line(words, 30)])) == 1 and len(other.row_bands) == 1


# ---------------------------------------------------------------------------------------------
# Boxes in the page view's coordinates, whatever the MediaBox


def _with_mediabox(data: bytes, box) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        page[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in box(w, h)])
        if "/CropBox" in page:
            del page["/CropBox"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _figure_boxes(doc):
    return [(c.figure.raw, c.figure.location.page, c.figure.location.box) for t in doc.tables for r in t.rows
            for c in r.cells if c.figure is not None and c.figure.value is not None]


@pytest.mark.skipif(not pdfgen.font_available(), reason="CJK font missing (scripts/setup installs fonts-wqy-microhei)")
def test_boxes_follow_the_visible_page_for_any_mediabox():
    import numpy as np
    import pypdfium2 as pdfium

    data, _ = pdfgen.expenditure_pdf(n_kuan=3)
    plain = _figure_boxes(read_bytes(data, "plain.pdf"))
    assert plain
    # pdfplumber issue #1332: a MediaBox written upside down, and one off the origin.
    flipped = _figure_boxes(read_bytes(_with_mediabox(data, lambda w, h: [0, h, w, 0]), "flipped.pdf"))
    assert [(raw, p) for raw, p, _ in flipped] == [(raw, p) for raw, p, _ in plain]
    assert all(max(abs(a - b) for a, b in zip(fb, pb)) < 0.5 for (_, _, fb), (_, _, pb) in zip(flipped, plain))
    moved_pdf = _with_mediabox(data, lambda w, h: [-12, 12, w - 12, h + 12])
    moved = _figure_boxes(read_bytes(moved_pdf, "moved.pdf"))
    assert all(abs(mb[0] - pb[0] - 12) < 0.5 and abs(mb[1] - pb[1] - 12) < 0.5
               for (_, _, mb), (_, _, pb) in zip(moved, plain))
    # and the page view draws ink inside each box (pypdfium2, as service/pages.py renders)
    pdf = pdfium.PdfDocument(moved_pdf)
    images = {}
    for _, page, (x0, top, x1, bottom) in moved:
        if page not in images:
            images[page] = np.array(pdf[page - 1].render(scale=1).to_pil().convert("L"))
        crop = images[page][int(top):int(bottom) + 1, int(x0):int(x1) + 1]
        assert (crop < 128).any()


# ---------------------------------------------------------------------------------------------
# Wild samples: one page each


def _wild_page(name: str, *pages: int):
    path = WILD / f"{name}.pdf"
    if not path.exists():
        pytest.skip(f"../shared/wild/{name}.pdf not present (set BUDGETQA_SHARED): wild sample skipped")
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(str(path)), PdfWriter()
    for p in pages:
        writer.add_page(reader.pages[p - 1])
    out = io.BytesIO()
    writer.write(out)
    return read_bytes(out.getvalue(), f"{name}_p{'_'.join(map(str, pages))}.pdf")


def test_wild_double_ruled_procurement_table_reads_its_codes():
    doc = _wild_page("xian_11", 42)
    t = next(t for t in doc.tables if t.standard_type is TableType.procurement)
    assert "预算金额" in t.columns and "序号" in t.columns
    coded = [r for r in t.rows if r.code]
    assert coded and all(len(r.code) == 7 for r in coded)  # 类 | 款 | 项, the 单位编码 kept apart
    econ = [c for c in t.columns if "经济" in c and c.endswith("款")]
    assert econ and all(r.cell(c).figure is None for r in t.rows for c in econ)  # "06" is a code part
    assert any(r.value("预算金额") == D("235700.00") for r in t.rows)


def test_wild_table_continued_under_a_row_above_its_ruling_is_joined():
    doc = _wild_page("xian_11", 29, 30, 31)
    t = doc.tables[0]
    assert t.pages == [1, 2, 3] and t.confidence.sure
    assert [r.code for r in t.rows].count("30201") >= 1  # the row printed above page 30's ruling


@pytest.mark.parametrize("name, pages, words", [
    ("xian_10", (56, 57), "政府采购"),  # a clipped unit line ("金位：元") under the title
    ("xian_12", (78,), "会议费、培训费表"),  # a title wrapped over two lines
    ("xian_13", (49,), "基本支出明细表"),  # a fake-bold title printed five times over, a long qualifier
])
def test_wild_titles_attached(name, pages, words):
    doc = _wild_page(name, *pages)
    assert doc.tables and all(words in t.title for t in doc.tables)
