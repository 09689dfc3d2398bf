"""What a table's rows and cells stand for, read from the table alone.

A total row even where the reader did not mark it, the row of the document's year and the year
before, the per-fund spending cells of the 财政拨款收支总表, the metric a table's total row is
(by its standard type, narrowed by its title), and `CellRef`, one cell with the label that led to
it. The label index (align.py) and the rule families share these, so a total is a total in one way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from indexing.model import Figure, Row, Table, TableType

from checking.label_keys import column_label


@dataclass
class CellRef:
    table: Table
    row: Row
    figure: Figure
    label: str  # the label as printed that led here

    @property
    def usable(self) -> bool:
        """The reader is sure of the table (`TableConfidence.sure`; complete when none was set), and
        the cell is an amount: an amount never prints a leading zero ("06" is a code's 款 or 项 read
        as a figure)."""
        from checking.rules import table_sure

        return table_sure(self.table, self.row) and not re.match(r"0\d", (self.figure.raw or "").strip())


# A table's total row stands for this metric.
_TABLE_TOTAL_KEY = {
    TableType.operating_cost: "机关运行经费",
    TableType.three_public: "三公经费",
    TableType.procurement: "政府采购",
    TableType.project_expenditure: "项目支出",
    TableType.general_basic_expenditure: "基本支出",
    TableType.general_budget_expenditure: "一般公共预算支出",
    TableType.gov_fund: "政府性基金预算支出",
    TableType.state_capital: "国有资本经营预算支出",
    TableType.expenditure: "本年支出合计",
    TableType.income: "本年收入合计",
}


_FUND_COLUMNS = {"一般公共预算": "一般公共预算支出", "政府性基金": "政府性基金预算支出", "政府性基金预算": "政府性基金预算支出",
                 "国有资本经营": "国有资本经营预算支出", "国有资本经营预算": "国有资本经营预算支出"}


def fund_expenditure_cells(table: Table) -> dict[str, CellRef]:
    """财政拨款收支总表 prints the year's spending per fund on its 本年支出 row (支出 | 合计 | 一般公共预算 |
    政府性基金 | 国有资本经营预算): "一般公共预算支出" is that row's 一般公共预算 cell (a blank one is nil)."""
    if table.standard_type is not TableType.fiscal_summary:
        return {}
    out: dict[str, CellRef] = {}
    for row in table.rows:
        label = next((c.text for c in row.cells if c.figure is None and c.text and c.column.startswith("支出")), "")
        if not re.fullmatch(r"(?:[一二三四五六七八九十]+、)?(?:本年支出(?:合计)?|支出合计)", re.sub(r"\s", "", label)):
            continue
        for c in row.cells:
            key = _FUND_COLUMNS.get(column_label(c.column)) if c.column.startswith("支出") else None
            if key and c.figure is not None and key not in out:
                out[key] = CellRef(table, row, c.figure, label)
        break
    return out


def table_total_key(table: Table) -> Optional[str]:
    """What a table's total row stands for: its standard type's total (`_TABLE_TOTAL_KEY`), unless
    the title narrows the table to one part of it — "一般公共预算项目支出情况表（按经济分类科目）"
    totals 项目支出 only, not 一般公共预算支出; a 三公 table that also lists 会议费 and 培训费
    ("“三公”经费及会议费、培训费支出预算表") totals more than the 三公经费, so its total row is
    no 三公 total."""
    key = _TABLE_TOTAL_KEY.get(table.standard_type)
    title = re.sub(r"\s", "", table.title or "")
    if key == "三公经费" and re.search(r"会议费|培训费", title):
        return None
    if key in ("一般公共预算支出", "本年支出合计", "政府性基金预算支出"):
        parts = [k for k in ("基本支出", "项目支出") if k in title]
        if len(parts) == 1:
            return parts[0]
    return key



_TOTAL_TEXT_RE = re.compile(r"^(?:合计|总计|本年收入合计|本年支出合计|收入合计|支出合计|收入总计|支出总计)[:：]?$")


@lru_cache(maxsize=4096)
def _is_total_text(text: str) -> bool:
    return bool(_TOTAL_TEXT_RE.match(re.sub(r"\s", "", text)))


def is_total_row(row: Row, table: Optional[Table] = None) -> bool:
    """Readers do not always mark 合计 rows: the label may sit in the code column, or be lost
    (a first row holding only figures, above the coded rows, is the total)."""
    if row.is_total:
        return True
    if any(_is_total_text(c.text) for c in row.cells if c.figure is None and c.text):
        return True
    if table is not None and row.index == 0 and not row.code and not any(c.text and c.figure is None for c in row.cells):
        return sum(1 for r in table.rows if any(True for _ in r.figures())) > 1
    return False


_YEAR_ROW_RE = re.compile(r"^(?:(\d{4})年度?|(本年|上年|当年))(?:年初)?(?:预算数?|预算安排数|决算数?|执行数)?(?:\(万元\)|\(元\))?$")


def year_of_row(row: Row, year: Optional[int]) -> Optional[str]:
    """'current' for the row of the document's year ("2025年预算数", "本年预算数"), 'prior' for the
    year before ("2024年预算数", "上年预算数"), None for any other row."""
    if row.code:
        return None
    m = _YEAR_ROW_RE.match(re.sub(r"\s", "", (row.name or "").replace("（", "(").replace("）", ")")))
    if not m:
        return None
    if m.group(2):
        return "prior" if m.group(2) == "上年" else "current"
    if year is None:
        return None
    y = int(m.group(1))
    return "current" if y == year else "prior" if y == year - 1 else None


def first_figure(row: Row) -> Optional[Figure]:
    return next((c.figure for c in row.cells if c.figure is not None and c.figure.value is not None), None)
