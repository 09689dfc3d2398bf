"""Recognise which standard table a printed table is, from its title and header words.

Province templates name the same table differently (部门收支总体情况表 / 部门财务收支预算总表 /
预算单位财务收支预算总表 …). Each standard type has title patterns tried in order, most specific
first; the header words break ties (a 支出总表 has 基本支出 and 项目支出 columns).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from indexing.model import TableType

# Order matters: the first type whose pattern matches the (space-free) title wins.
_TITLE_RULES: list[tuple[TableType, re.Pattern[str]]] = [
    (TableType.performance_project, re.compile(r"项目.*绩效目标|绩效目标.*项目")),
    (TableType.performance_overall, re.compile(r"整体.*绩效|绩效目标表|绩效目标申报表")),
    (TableType.three_public, re.compile(r"三公")),
    (TableType.operating_cost, re.compile(r"机[构关]运行经费")),
    (TableType.procurement, re.compile(r"政府采购")),
    (TableType.state_capital, re.compile(r"国有资本经营")),
    (TableType.gov_fund, re.compile(r"政府性基金")),
    (TableType.general_basic_expenditure, re.compile(r"一般公共预算.*基本支出|基本支出.*(?:经济分类|预算表|情况表)")),
    (TableType.general_budget_expenditure, re.compile(r"一般公共预算.*支出")),
    (TableType.fiscal_summary, re.compile(r"财政拨款.*收支|财政拨款收入支出")),
    (TableType.project_expenditure, re.compile(r"项目支出")),
    (TableType.economic_classification, re.compile(r"经济分类")),
    (TableType.income_expense_summary, re.compile(r"收支.*总|收入支出.*总|财务收支")),
    (TableType.income, re.compile(r"收入.*(?:总表|总体情况|预算表|决算表)")),
    (TableType.expenditure, re.compile(r"支出.*(?:总表|总体情况|预算表|决算表)")),
]

# The kind column of a project table (项目类别): a cell ending in one of these names a project row.
PROJECT_KIND_RE = re.compile(r"(?:特定目标类|其他运转类|人员类|运转类|公用经费类|一次性项目|经常性项目|延续性项目|新增项目)$")

# A table title ends in 表 and names a budget table; used by readers to spot titles in text.
TITLE_RE = re.compile(
    r"(?:\d{4}\s*年\s*(?:度)?)?[^。；;，,\t]{0,40}?(?:收支|收入|支出|三公|运行经费|政府采购|绩效目标|国有资本|政府性基金|经济分类)[^。；;，,\t]{0,30}?表$"
)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "").replace("“", "").replace("”", "").replace('"', "")


def classify_table(title: str, header_words: Iterable[str] = ()) -> TableType:
    """The standard type of a table from its title; header words decide when the title is vague."""
    t = _compact(title)
    header = _compact(" ".join(w for w in header_words if w))
    for table_type, pattern in _TITLE_RULES:
        if pattern.search(t):
            # "一般公共预算支出表" whose columns are economic items is the 基本支出 table.
            if table_type is TableType.general_budget_expenditure and "基本支出" in t:
                return TableType.general_basic_expenditure
            return table_type
    # Titles that say nothing ("附表3"): read the header.
    if "人员经费" in header and "公用经费" in header and "项目支出" not in header:
        return TableType.general_basic_expenditure
    if "基本支出" in header and "项目支出" in header:
        return TableType.expenditure
    if "项目名称" in header and ("绩效" in header or "指标" in header):
        return TableType.performance_project
    return TableType.other


def looks_like_title(line: str) -> bool:
    """Is this line a table title ("2025年部门收支总体情况表", "预算01表 …")? Headings of the
    narrative that merely mention a table ("七、支出经济分类情况说明") are not."""
    s = _compact(line)
    if not s or len(s) > 60 or s.endswith(("说明", "情况说明")) or "。" in s:
        return False
    s = re.sub(r"^(?:[一二三四五六七八九十]+[、.．]|附表\d*[:：]?|\d+[、.．])", "", s)
    return bool(TITLE_RE.search(s))


def table_number(text: str) -> Optional[str]:
    """'预算01表' / '表一' / '附表3' printed near a title."""
    m = re.search(r"(?:预算|决算)\s*\d+\s*(?:-\d+)?\s*表|附?表\s*[一二三四五六七八九十\d]+", text or "")
    return re.sub(r"\s+", "", m.group(0)) if m else None
