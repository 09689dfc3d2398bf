"""Small documents built in code: a narrative and the tables it talks about."""

from __future__ import annotations

from indexing.model import Document, DocumentMeta
from indexing.read.sections import Line, build_sections
from indexing.read.tables import build_table


def make_doc(narrative: list[str], tables: list, year: int = 2025, kind: str = "预算", level: str = "部门", fmt: str = "text") -> Document:
    sections = build_sections([Line(t, page=1 if fmt == "pdf" else None, line_no=i + 1) for i, t in enumerate(narrative)])
    meta = DocumentMeta(department="某区医疗保障局", year=year, kind=kind, level=level, unit="万元", table_unit="万元")
    return Document(id="test", source="test.txt", format=fmt, meta=meta, sections=sections, tables=tables)


def operating_cost_table(total: str = "21.52", rows=(("30201", "办公费", "10.00"), ("30206", "电费", "11.42"), ("31002", "办公设备购置", "0.10")), complete=True):
    header = [["科目编码", "科目名称", "机构运行经费支出合计"]]
    body = [["", "合计", total]] + [list(r) for r in rows]
    return build_table("t9", "2025年行政（事业）单位机构运行经费表", header, body, context="单位：万元", complete=complete,
                       incomplete_reason=None if complete else "表格被截断")


def expenditure_table(tid="t3", title="2025年部门支出总体情况表", total=("1125.77", "417.79", "707.98"), rows=None, complete=True):
    header = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    rows = rows or [
        ["208", "社会保障和就业支出", "64.84", "64.84", "0.00"],
        ["210", "卫生健康支出", "1,029.53", "321.55", "707.98"],
        ["221", "住房保障支出", "31.40", "31.40", "0.00"],
    ]
    body = [["", "合计", *total]] + rows
    return build_table(tid, title, header, body, context="单位：万元", complete=complete)


def basic_table(total=("417.79", "396.27", "21.52")):
    header = [["科目编码", "科目名称", "合计", "人员经费", "公用经费"]]
    body = [["", "合计", *total], ["301", "工资福利支出", "396.27", "396.27", ""], ["302", "商品和服务支出", "21.52", "", "21.52"]]
    return build_table("t6", "2025年一般公共预算基本支出表", header, body, context="单位：万元")


def three_public_table(values=("0.00", "0.00", "0.00", "0.00", "0.00", "0.00")):
    header = [["“三公”经费合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "公务用车购置及运行费", "公务用车购置及运行费"],
              ["", "", "", "小计", "公务用车购置费", "公务用车运行费"]]
    return build_table("t8", "2025年一般公共预算“三公”经费支出情况表", header, [list(values)], context="单位：万元")
