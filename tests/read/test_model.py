"""The document model keeps every figure exact and findable, and survives JSON."""

from decimal import Decimal as D

from indexing.model import Document, TableType
from indexing.read.tables import build_table, flatten_header


def _summary_table():
    header = [["收入", "收入", "支出", "支出"], ["项目", "金额", "项目", "金额"]]
    body = [
        ["一、一般公共预算", "1,125.77", "八、社会保障和就业", "64.84"],
        ["收入总计", "1,125.77", "支出总计", "1,125.77"],
    ]
    return build_table("t1", "2025年部门收支总体情况表", header, body, row_pages=[12, 12], context="单位：万元")


def test_header_flattens_to_column_paths():
    keys = flatten_header([["科目编码", "科目名称", "本年收入", "本年收入"], [None, None, "小计", "财政拨款"]])
    assert keys == ["科目编码", "科目名称", "本年收入/小计", "本年收入/财政拨款"]


def test_table_cells_are_located_decimals():
    t = _summary_table()
    assert t.standard_type is TableType.income_expense_summary and t.unit == "万元"
    fig = t.lookup("支出总计")
    assert fig.value == D("1125.77") and fig.raw == "1,125.77" and fig.decimals == 2
    assert (fig.location.page, fig.location.table_id, fig.location.row, fig.location.column) == (12, "t1", 1, "支出/金额")
    assert t.lookup("一般公共预算").value == D("1125.77")  # the 一、 prefix is ignored
    assert t.rows[1].is_total


def test_json_round_trip_is_lossless():
    doc = Document(id="abc", source="x.txt", format="text", tables=[_summary_table()])
    again = Document.from_json(doc.to_json())
    assert again == doc
    assert isinstance(again.tables[0].lookup("收入总计").value, D)
