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
from service.semantic.resolve import Resolver
from service.semantic.subjects import _amount_column

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


# 人员经费 and 公用经费 by economic class (支出经济分类): 301 工资福利 + 303 对个人和家庭的补助 are 人员经费,
# 302 商品和服务 + 310 资本性支出 公用经费 — what a side-by-side 基本支出表 prints in its two halves.
ECONOMIC_CLASSES = {"人员经费": ("301", "303"), "公用经费": ("302", "310")}


def _economic(r: Resolver, metric: str) -> list:
    tables = r.doc.tables_of(TableType.general_basic_expenditure) + r.doc.tables_of(TableType.economic_classification)
    for t in tables:
        cols = [c for c in t.columns if c.split("/")[-1].startswith(metric)]
        if not cols:
            continue
        rows = [row for row in t.rows if row.code and len(row.code) == 5 and row.value(cols[0])]
        if rows:
            return [r.cell(row.name, t, row, cols[0]) for row in rows]
    for t in tables:  # one amount column per half: items by their economic class
        out = _by_class(r, t, ECONOMIC_CLASSES[metric])
        if out:
            return out
    return []


def _by_class(r: Resolver, t, classes: tuple[str, ...]) -> list:
    groups: dict[str, list[str]] = {}
    for c in t.columns:  # "编码", "科目名称", "决算数" and their "#2" twins: one group per half
        groups.setdefault(c.split("#")[1] if "#" in c else "", []).append(c)
    out = []
    for row in t.rows:
        for cols in groups.values():
            code = next((row.cell(c).text for c in cols if "编码" in c and row.cell(c)), "")
            code = "".join(ch for ch in code if ch.isdigit())
            amount = next((c for c in cols if row.cell(c) and row.cell(c).figure is not None and "编码" not in c), None)
            name = next((row.cell(c).text for c in cols if "名称" in c and row.cell(c)), "")
            if len(code) == 5 and code[:3] in classes and amount and row.cell(amount).figure.value:
                out.append(r.cell(name or code, t, row, amount))
    return out


def write_list(title: str, qs: list, b, cite_q, fig, whole=None) -> bool:
    """The rows, numbered, each in 万元 with its cell cited; their sum (in 万元, and in the table's unit
    when that is another); each row's share of `whole` (the total the document prints) or of the sum."""
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
        base = whole if whole is not None and whole.wan else _as_total(qs[0], s)
        if whole is not None:
            cite_q(whole)
        shares = [ops.share(q, base) for q in qs if q.is_amount]
        if s.result and all(shares):
            b.arithmetic += [c.expr for c in shares]
            b.lines.append(f"各项占{base.label}的比例：" + "；".join(f"{q.label}{c.result}%（{c.expr}）" for q, c in zip(qs, shares)) + "。")
    return True


def _as_total(first, s):
    """The listed rows' sum as a quantity (in 万元), the whole of each row's share."""
    from service.semantic.quantity import Quantity

    return Quantity(label="合计", value=s.result, unit="万元", raw="", doc_id=first.doc_id)
