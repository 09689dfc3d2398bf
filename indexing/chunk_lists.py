"""Derived list chunks: what a reader gathers over several tables, as one chunk.

- the project list: every project with its amount, when they are spread over one performance
  table each (or the project table is too long to keep whole);
- the economic groups of the basic expenditure table: 人员经费 and 公用经费, each with its items.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from indexing.chunk_sections import doc_label
from indexing.chunk_tables import SMALL_TABLE_CHARS, _is_code, _plain, _side_by_side, _table_meta
from indexing.model import Document, Row, Table, TableType


_PROJECT_NAME_LABELS = ("项目名称",)
_PROJECT_AMOUNT_LABELS = ("预算数", "资金总额", "年度资金总额", "项目金额", "预算金额", "合计", "金额")
_TITLE_NOISE = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[、.．]|(?:项目)?(?:支出)?绩效目标(?:申报)?表$")


def _project_of_performance_table(table: Table) -> Optional[tuple[str, str]]:
    """(project name, printed budget amount) of a one-project performance table, read from its
    label cells ('项目名称' → next text cell, '预算数' → next number); None when it lists several."""
    name = amount = None
    for row in table.rows:
        cells = [c for c in row.cells if c.text]
        for i, c in enumerate(cells):
            label = _plain(c.text).removeprefix("其中：")
            if name is None and label in _PROJECT_NAME_LABELS:
                nxt = next((x for x in cells[i + 1:] if x.figure is None or x.figure.value is None), None)
                if nxt is not None:
                    name = nxt.text
            if amount is None and label in _PROJECT_AMOUNT_LABELS:
                nxt = next((x for x in cells[i + 1:] if x.figure is not None and x.figure.value is not None), None)
                if nxt is not None:
                    amount = nxt.text
    if name is None:
        name = _TITLE_NOISE.sub("", _TITLE_NOISE.sub("", table.title.strip())).strip() or None
    return (name, amount) if name and amount else None


def project_list_chunk(doc: Document, covered: bool) -> Optional[tuple[str, dict[str, Any]]]:
    """One chunk listing every project with its amount, when the document spreads its projects over
    one performance table each (or its project table was too long to keep whole). It answers
    "有哪些项目" the way a reader would after paging through all the project tables."""
    if covered:
        return None
    perf = [t for t in doc.tables if t.standard_type == TableType.performance_project]
    items = [p for p in (_project_of_performance_table(t) for t in perf) if p]
    unit = next((t.unit for t in perf if t.unit), None)
    source = perf
    if len(items) < 2:
        proj = [t for t in doc.tables if t.standard_type == TableType.project_expenditure and t.rows]
        items, source = [], proj
        for t in proj:
            unit = unit or t.unit
            for r in t.rows:
                fig = next((c for c in r.cells if c.figure is not None and c.figure.value is not None), None)
                if r.name and fig is not None and not r.is_total:
                    items.append((r.name, fig.text))
    if len(items) < 2:
        return None
    unit_text = f"（单位：{unit}）" if unit else ""
    lines = [f"{doc_label(doc)} 项目清单{unit_text}〔项目支出表；项目绩效目标表〕：共{len(items)}个项目"]
    lines += [f"{name} = {amount}" for name, amount in items]
    text = "\n".join(lines)[: SMALL_TABLE_CHARS]
    meta = {"chunk_kind": "table", "table_type": TableType.project_expenditure.value, "table_id": source[0].id,
            "table_title": "项目清单", "derived": "project_list",
            "source_tables": ",".join(t.id for t in source)[:200]}
    if unit:
        meta["unit"] = unit
    if source[0].pages:
        meta["page"] = source[0].pages[0]
    return text, meta


# Basic expenditure by economic classification (政府支出经济分类): 人员经费 is classes 301 工资福利支出 and
# 303 对个人和家庭的补助, 公用经费 is 302 商品和服务支出 and 310 资本性支出 (the 基本支出 tables' own split).
ECONOMIC_GROUPS = {"人员经费": ("301", "303"), "公用经费": ("302", "310")}
_CODE = re.compile(r"^\d{3,7}$")


def _coded_items(row: Row) -> list[tuple[str, str, str]]:
    """(economic code, name, first printed amount) of each column group of a row."""
    def is_code(text: str) -> bool:  # printed whole (30201) or in parts (302 01)
        return bool(_CODE.match(re.sub(r"[\s|]", "", text or "")))

    out = []
    for i, cells in sorted(_side_by_side(row).items()):
        if i == 1 and row.code and _CODE.match(row.code):  # the reader joined the code's parts already
            code, name = row.code, row.name
        else:
            code = next((re.sub(r"[\s|]", "", c.text) for c in cells if c.text and is_code(c.text)), None)
            name = next((c.text for c in cells if c.text and (c.figure is None or c.figure.value is None)
                         and not is_code(c.text) and not _is_code(c)), "")
        amount = next((c for c in cells if c.figure is not None and c.figure.value is not None
                       and not is_code(c.text) and not _is_code(c)), None)
        if code and amount is not None:
            out.append((code, name, amount))
    return out


def economic_group_chunks(doc: Document, table: Table) -> list[tuple[str, dict[str, Any]]]:
    """One chunk per group of the basic expenditure table (人员经费, 公用经费) listing its items that
    spend something: "公用经费主要花在哪里" reads the 302 items, which a long table (or one printed side
    by side) otherwise spreads over many row chunks, none of which names the group."""
    if table.standard_type != TableType.general_basic_expenditure:
        return []
    items = [it for row in table.rows for it in _coded_items(row)]
    out = []
    for group, classes in ECONOMIC_GROUPS.items():
        mine = [(code, name, cell) for code, name, cell in items if code[:3] in classes and cell.figure.value != 0]
        if len(mine) < 2:
            continue
        unit = f"（单位：{table.unit}）" if table.unit else ""
        lines = [f"{doc_label(doc)} {table.title}{unit}〔{group}明细〕："]
        lines += [f"{code} {name} = {cell.text}" for code, name, cell in mine]
        meta = {**_table_meta(table), "chunk_kind": "table", "derived": "economic_group", "group": group}
        out.append(("\n".join(lines)[:SMALL_TABLE_CHARS], meta))
    return out
