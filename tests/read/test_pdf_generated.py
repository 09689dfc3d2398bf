"""Generated PDFs of known shapes: the PDF path gives back exactly the data the generator printed.

Covers merged header cells (reportlab SPAN), a 类|款|项 code over three columns, a 合计 label
spanning the code and name columns, a table split over two pages with the header repeated, the
same table cut by hand under a 续表 mark, and an empty table with its 空表说明.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indexing.model import TableType
from indexing.read import read_bytes
from tests.fixtures import pdfgen

pytestmark = pytest.mark.skipif(not pdfgen.font_available(), reason="fonts-wqy-microhei is not installed (scripts/setup)")


@pytest.fixture(scope="module", params=["repeat", "续表"])
def generated(request):
    data, source = pdfgen.expenditure_pdf(continued=request.param)
    return read_bytes(data, f"generated-{request.param}.pdf"), source


def test_one_table_over_two_pages(generated):
    doc, source = generated
    assert doc.page_count == 2
    (table,) = doc.tables
    assert table.pages == [1, 2]
    assert {r.page for r in table.rows} == {1, 2}
    assert table.title == source.title and table.unit == source.unit
    assert table.standard_type is TableType.expenditure


def test_merged_header_flattened(generated):
    doc, source = generated
    table = doc.tables[0]
    assert table.columns == source.columns
    assert table.header_rows[0][:4] == ["项目"] * 4  # the spanning cell filled across


def test_rows_codes_names_and_values_match_source(generated):
    doc, source = generated
    table = doc.tables[0]
    assert len(table.rows) == len(source.rows)  # the repeated header is not a row
    for row, want in zip(table.rows, source.rows):
        assert row.code == want.code
        assert row.name == want.name
        values = [row.value(c) for c in source.columns[4:]]
        assert values == want.values
        assert all(isinstance(v, Decimal) for v in values)
        assert row.is_total == (want.code is None)
    assert table.rows[2].code_raw == "201 | 01 | 01"


def test_narrative_around_the_table(generated):
    doc, _ = generated
    headings = [s.heading for s in doc.sections]
    assert "一、基本情况" in headings and "二、其他说明" in headings
    after = next(s for s in doc.sections if s.heading == "二、其他说明")
    assert after.page == 2
    assert [f.value for f in after.figures] == [Decimal("100.00")]
    assert "功能分类科目编码" not in doc.narrative and "单位：元" not in doc.narrative


def test_empty_table_note():
    doc = read_bytes(pdfgen.empty_table_pdf(), "empty.pdf")
    (table,) = doc.tables
    assert table.standard_type is TableType.gov_fund
    assert table.empty_note and "空表" in table.empty_note
    assert table.columns[4] == "政府性基金预算支出/合计"
    assert [r.name for r in table.rows] == ["合计"] and not list(table.rows[0].figures())
