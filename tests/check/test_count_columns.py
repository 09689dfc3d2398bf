"""A narrative amount of money is never compared with a cell of a column that counts things (a
procurement list's 数量): xian_10 (../shared/wild) prints "物业管理费24.50万元" in its narrative and a
procurement item "物业管理费" with 数量 1; the 1 is no amount (it was an N-AMOUNT error: "表中为1元").
Here the same shape as converted text."""

from __future__ import annotations

from checking.check import check_document
from indexing.read import read_bytes

TEXT = """测试局2025年部门预算

一、部门预算情况说明
本部门机关运行经费预算安排30.00万元，其中办公费5.50万元，物业管理费24.50万元。

二、政府采购预算表
单位：万元
科目编码\t采购项目\t规格型号\t数量\t预算金额
\t合计\t\t2\t30.00
2010101\t指挥中心运行维护费\t物业管理费\t1\t24.50
2010101\t指挥中心运行维护费\t办公费\t1\t5.50
"""


def test_a_quantity_is_not_an_amount():
    doc = read_bytes(TEXT.encode("utf-8"), "count_columns.txt")
    assert any(c.column == "数量" and c.figure is not None for t in doc.tables for r in t.rows for c in r.cells)
    wrong = [f for f in check_document(doc).findings if f.code == "N-AMOUNT" and "物业管理费" in f.message]
    assert not wrong, [f.message for f in wrong]
