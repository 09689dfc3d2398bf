"""Title, unit, period and issuer lines ruled into a table's top rows (北京's 报表 print them so):
lifted out of the header, they give the table its title and unit and the document, published
without a cover, its department and year. Rows that are real column names stay."""

from __future__ import annotations

import pytest

from indexing.model import TableType
from indexing.read import read_bytes
from indexing.read.meta import cover_region
from indexing.read.table_furniture import lift_furniture
from tests.fixtures import pdfgen


def test_leading_furniture_rows_are_lifted():
    rows = [
        ["", "预算11表财政拨款政府购买服务明细表", "预算11表财政拨款政府购买服务明细表"],
        ["", "", "金额单位：万元"],
        ["（2026年度）", "（2026年度）", "（2026年度）"],
        ["部门名称", "首都绿化委员会办公室", "首都绿化委员会办公室"],
        ["", "指导性目录", "预算金额"],
    ]
    header, found = lift_furniture(rows)
    assert header == [["", "指导性目录", "预算金额"]]
    assert found.title == "预算11表财政拨款政府购买服务明细表"
    assert found.periods == ["（2026年度）"]
    assert "部门名称：首都绿化委员会办公室" in found.lines and "金额单位：万元" in found.lines


@pytest.mark.parametrize("rows", [
    [["项目", "项目", "支出预算"], ["科目名称", "合计", "基本支出"]],  # column groups, not furniture
    [["部门名称", "预算数"], ["", "合计"]],  # a field label beside a column name: not a unit's name
    [["2026年预算单位收支总表"]],  # never the last header row
])
def test_column_names_stay(rows):
    header, found = lift_furniture(rows)
    assert header == rows and not found.title and not found.lines


def test_cover_region_before_the_year():
    assert cover_region("上海市2026年市级单位预算\n预算单位：上海科技大学附属学校") == "上海市"
    assert cover_region("2026年度无锡市信访局部门预算公开") is None


@pytest.mark.skipif(not pdfgen.font_available(), reason="fonts-wqy-microhei is not installed (scripts/setup)")
def test_report_without_cover_names_its_department_and_year():
    data, source = pdfgen.framed_furniture_pdf(department="测试市园林绿化局", year=2025)
    doc = read_bytes(data, "framed.pdf")
    (table,) = doc.tables
    assert table.title == source.title and table.number == "预算05表"
    assert table.unit == "元" and table.issuer == "测试市园林绿化局"
    assert table.standard_type is TableType.general_budget_expenditure
    assert table.columns == source.columns
    values = [[c.figure.value for c in r.cells if c.figure is not None] for r in table.rows]
    assert values == [r.values for r in source.rows]
    assert doc.meta.department == "测试市园林绿化局" and doc.meta.year == 2025
    assert not any("没有写明部门名称" in w for w in doc.warnings)
