"""The cover's department checked against the units the tables name on their 编制单位 lines
(indexing/read/meta.py check_department)."""

from __future__ import annotations

from indexing.read import read_bytes


def _doc(cover: str, issuer: str):
    lines = [
        cover, "", "一、部门收支总体情况表", f"编制单位：{issuer}\t单位：万元",
        "收入\t\t支出\t", "项目\t预算数\t项目\t预算数",
        "一般公共预算拨款收入\t100.00\t一般公共服务支出\t100.00",
        "收入总计\t100.00\t支出总计\t100.00", "",
        "二、部门支出总体情况表", f"编制单位：{issuer}\t单位：万元",
        "科目编码\t科目名称\t合计\t基本支出\t项目支出",
        "201\t一般公共服务支出\t100.00\t60.00\t40.00",
        "\t合计\t100.00\t60.00\t40.00",
    ]
    return read_bytes("\n".join(lines).encode(), "dept.txt")


def test_tables_naming_another_unit_than_the_cover_are_reported_not_replaced():
    doc = _doc("2025年范例市财政局部门预算", "范例市统计局")
    assert [t.issuer for t in doc.tables] == ["范例市统计局", "范例市统计局"]
    assert doc.meta.department == "范例市财政局"
    warning = next(w for w in doc.warnings if "编制单位" in w)
    assert "范例市财政局" in warning and "范例市统计局" in warning and "issuing unit" in warning


def test_without_a_department_on_the_cover_the_tables_name_it():
    doc = _doc("部门预算", "范例市统计局")
    assert doc.meta.department == "范例市统计局"
    assert not [w for w in doc.warnings if "编制单位" in w]


def test_a_short_form_of_the_same_name_agrees():
    doc = _doc("2025年范例市财政局部门预算", "财政局")
    assert doc.meta.department == "范例市财政局"
    assert not [w for w in doc.warnings if "编制单位" in w]
