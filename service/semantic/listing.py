"""List questions: the rows that make up a total, each in 万元 with its cell cited, and their sum
shown beside the total the table prints.

Which rows, by the question's words (rules of the templates):
- 项目: the 项目支出表's project rows;
- 功能分类 / 花在哪些方面 / 用在 / 用于: the 类 rows (3-digit codes) of the 支出 tables, else the 项 rows;
- 包括 / 构成 / 明细 with 公用经费 or 人员经费: the 基本支出表's economic items (5-digit codes) with an
  amount in that column.
"""

from __future__ import annotations

import re
from typing import Optional

from indexing.model import TableType

from service.semantic import operations as ops
from service.semantic.resolve import Resolver, _amount_column  # noqa: F401

MAX_ROWS = 40


def list_rows(q: str, r: Resolver, metric: Optional[str]) -> tuple[str, list]:
    """(title, quantities) of the rows the question asks to list."""
    if metric in ("公用经费", "人员经费"):
        return f"{metric}的明细", _economic(r, metric)
    if re.search(r"功能分类|方面|用在|花在|用于", q):
        return "按功能分类", _classes(r)
    if "项目" in q:
        return "文件列出的项目", r.projects()
    return "", []


def _classes(r: Resolver) -> list:
    for tt in (TableType.general_budget_expenditure, TableType.expenditure):
        for t in r.doc.tables_of(tt):
            for width in (3, 7):
                rows = [row for row in t.rows if row.code and len(row.code) == width and not row.is_total]
                out = [r.cell(row.name, t, row, _amount_column(t, row)) for row in rows]
                out = [q for q in out if q is not None and q.value]
                if out:
                    return out
    return []


def _economic(r: Resolver, metric: str) -> list:
    for t in r.doc.tables_of(TableType.general_basic_expenditure) + r.doc.tables_of(TableType.economic_classification):
        cols = [c for c in t.columns if c.split("/")[-1].startswith(metric)]
        if not cols:
            continue
        rows = [row for row in t.rows if row.code and len(row.code) == 5 and row.value(cols[0])]
        if rows:
            return [r.cell(row.name, t, row, cols[0]) for row in rows]
    return []


def write_list(title: str, qs: list, b, cite_q, fig) -> bool:
    qs = [q for q in qs if q is not None][:MAX_ROWS]
    if not qs:
        return False
    b.lines.append(f"{qs[0].department or ''}{title}：")
    for i, q in enumerate(qs, 1):
        b.lines.append(f"{i}. {q.label}：{fig(q, cite_q)}")
    if len(qs) >= 2:
        s = ops.total(qs)
        b.arithmetic.append(s.expr)
        line = f"以上合计{s.text}（计算：{s.expr}）"
        units = {q.unit for q in qs}
        if len(units) == 1 and units != {"万元"} and all(q.raw for q in qs):  # also in the table's own unit
            u = units.pop()
            total = sum((q.value for q in qs), qs[0].value * 0)
            expr = " + ".join(f"{q.raw}{u}" for q in qs) + f" = {total:,}{u}"
            b.arithmetic.append(expr)
            line += f"，按表中单位：{expr}"
        b.lines.append(line + "。")
    return True
