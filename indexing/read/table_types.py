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
    (TableType.general_basic_expenditure, re.compile(r"一般公共预算.*基本支出|基本支出.*(?:经济分类|预算表|情况表|总表|明细表|决算表)|^基本支出表")),
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
    return "".join((text or "").split()).replace("“", "").replace("”", "").replace('"', "")


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


# ---------------------------------------------------------------------------------------------
# By content: the header words and row labels every province's version of a table shares.

# Types that look alike on the page, so that content alone cannot tell one from another; when
# the title names one of a family and the content another of the same family, the title wins.
_FAMILIES: tuple[frozenset[TableType], ...] = (
    frozenset({TableType.income_expense_summary, TableType.fiscal_summary}),
    frozenset({TableType.expenditure, TableType.general_budget_expenditure, TableType.gov_fund,
               TableType.state_capital, TableType.project_expenditure}),
    frozenset({TableType.general_basic_expenditure, TableType.economic_classification, TableType.operating_cost}),
    frozenset({TableType.performance_overall, TableType.performance_project}),
)
# A title that names a fund scope or a subject (政府性基金, 国有资本经营, 三公, 政府采购, 运行经费,
# 项目, 绩效) says what the table is about; the layout (two-sided, coded) only says how a
# province prints it, so content never overrides these titles.
_SUBJECT_TITLES = frozenset({TableType.gov_fund, TableType.state_capital, TableType.three_public, TableType.procurement,
                             TableType.operating_cost, TableType.project_expenditure, TableType.performance_overall,
                             TableType.performance_project})
_NON_FISCAL_INCOME = re.compile(r"事业收入|经营收入|其他收入|上级补助收入|附属单位上缴|单位资金|非财政拨款")
_SPEND_COLUMNS_OF_ALL_FUNDS = re.compile(r"上缴上级|经营支出|对附属单位补助|对下级单位补助")
_ECONOMIC_ROW = re.compile(r"工资福利支出|商品和服务支出|对个人和家庭的补助|机关工资福利|机关商品和服务")


def classify_content(columns: Iterable[str], labels: Iterable[str], codes: Iterable[str] = (),
                     header_words: Iterable[str] = ()) -> tuple[Optional[TableType], int]:
    """The standard type a table's header words and row labels show, with a strength: 2 when the
    words belong to that table alone (因公出国/公务接待 → 三公; 人员经费/公用经费 without 项目支出 →
    基本支出; a two-sided 收入/支出 layout with 收入总计 → 收支总表), 1 when only its family is
    certain (基本支出 and 项目支出 columns are printed by the 支出总表 and the 一般公共预算支出表
    alike), 0 with no type."""
    columns = list(columns)
    header = _compact(" ".join(columns + list(header_words)))
    rows = _compact(" ".join(labels))
    both = header + " " + rows
    codes = [c for c in codes if c]
    economic_rows = sum(1 for c in codes if c[:1] in "35" and len(c) in (3, 5)) + len(_ECONOMIC_ROW.findall(rows))
    functional_rows = sum(1 for c in codes if c[:1] == "2" and len(c) in (3, 5, 7))
    if re.search(r"一级指标|二级指标|三级指标|指标值|绩效指标|绩效目标", both):
        return (TableType.performance_project if "项目名称" in both or re.search(r"项目名称|项目资金", header)
                else TableType.performance_overall), 2
    # A header naming the spending of one fund only ("政府性基金预算支出 / 合计 / 基本支出 / 项目支出");
    # beside 一般公共预算 it is one column of a 财政拨款 table.
    if "一般公共预算" not in both and re.search(r"政府性基金(?:预算)?(?:财政拨款)?支出", header):
        return TableType.gov_fund, 2
    if "一般公共预算" not in both and re.search(r"国有资本经营(?:预算)?(?:财政拨款)?支出", header):
        return TableType.state_capital, 2
    # 三公 by its parts; in rows only where the rows are not economic items (a 基本支出 table lists
    # 30212 因公出国（境）费用 and 30217 公务接待费 among its rows).
    three = header if economic_rows else both
    if "出国" in three and "接待" in three and ("公务用车" in three or "车辆" in three):
        return TableType.three_public, 2
    # 政府采购 columns beside 基本支出 / 项目支出 are a memo of a 支出总表, not a procurement table.
    if re.search(r"采购(?:项目|品目|目录|金额|预算)|货物.*工程.*服务", both) and not (
            "基本支出" in header and "项目支出" in header):
        return TableType.procurement, 2
    # Two-sided: 收入 and 支出 as the two top-level groups of the header (or two 项目 columns, one
    # per side), or both grand totals among the row labels.
    tops = [_compact(c.split("/")[0]) for c in columns]
    two_sided = (any(t.startswith("收入") for t in tops) and any(t.startswith("支出") for t in tops)) or (
        sum(1 for c in columns if _compact(c.split("/")[-1]).split("#")[0] == "项目") >= 2) or bool(
        re.search(r"收入总计|本年收入合计", rows) and re.search(r"支出总计|本年支出合计", rows))
    # 收入总计 / 支出总计 rows close only the summary tables (other tables close with 合计).
    grand_total = bool(re.search(r"收入总计|支出总计", rows))
    if (two_sided or grand_total) and not functional_rows:
        fiscal = not _NON_FISCAL_INCOME.search(rows) and re.search(r"一般公共预算", both)
        strong = two_sided and not fiscal
        return (TableType.fiscal_summary if fiscal else TableType.income_expense_summary), 2 if strong else 1
    # 人员经费 + 公用经费 alone are the 基本支出 table; beside a 项目 / 专项 column (陕西 names
    # 项目支出 "专项业务经费") they are the two halves of 基本支出 in a table of all spending.
    if "人员经费" in header and "公用经费" in header and not re.search(r"项目|专项", header):
        return TableType.general_basic_expenditure, 2
    if "人员经费" in header and "公用经费" in header:
        return TableType.expenditure, 1
    if "基本支出" in header and "项目支出" in header:
        if economic_rows > functional_rows:
            return TableType.economic_classification, 2
        if _SPEND_COLUMNS_OF_ALL_FUNDS.search(header):
            return TableType.expenditure, 2
        return TableType.expenditure, 1
    if re.search(r"上年结转|事业收入|其他收入|财政拨款收入|一般公共预算拨款", header) and "合计" in header and functional_rows:
        return TableType.income, 1  # funding-source columns: procurement and project tables print them too
    if economic_rows >= 2 and functional_rows == 0:
        return TableType.general_basic_expenditure, 1
    if "项目名称" in header and not re.search(r"指标", header):
        return TableType.project_expenditure, 1
    return None, 0


def decide_type(title: str, columns: Iterable[str], labels: Iterable[str], codes: Iterable[str] = (),
                header_words: Iterable[str] = ()) -> tuple[TableType, str, Optional[str]]:
    """The standard type with how it was decided: ("title" | "content" | "title+content" | "none",
    and a note when title and content disagree). The title wins unless the content is certain of
    a type of another family (a table titled 一般公共预算支出表 whose columns are 人员经费 and
    公用经费 is the 基本支出 table)."""
    columns, labels = list(columns), list(labels)
    by_title = classify_table(title, ())
    by_content, strength = classify_content(columns, labels, codes, header_words)
    if by_title is TableType.other:
        if by_content is None:
            return TableType.other, "none", None
        return by_content, "content", None
    if by_content is None or by_content is by_title:
        return by_title, "title+content" if by_content is by_title else "title", None
    same_family = any(by_title in f and by_content in f for f in _FAMILIES)
    if same_family or strength < 2 or by_title in _SUBJECT_TITLES:
        return by_title, "title", None
    note = f"标题像《{by_title.value}》，表头与行名是《{by_content.value}》，按内容定类"
    return by_content, "content", note


_TITLE_NUMBERING_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|附表\d*[:：]?|\d+[、.．])")
# up to 24 characters: "（按支出经济分类科目-不含上年结转）" qualifies a title as much as "（按功能分类）"
_TITLE_QUALIFIER_RE = re.compile(r"[（(][^（）()]{1,24}[)）]$")


def looks_like_title(line: str) -> bool:
    """Is this line a table title ("2025年部门收支总体情况表", "预算01表 …")? Headings of the
    narrative that merely mention a table ("七、支出经济分类情况说明") are not."""
    s = _compact(line)
    if not s or len(s) > 60 or s.endswith(("说明", "情况说明")) or "。" in s:
        return False
    s = _TITLE_NUMBERING_RE.sub("", s)
    # A qualifier after the title ("一般公共预算支出表（按功能分类）") is part of it.
    s = _TITLE_QUALIFIER_RE.sub("", s)
    return bool(TITLE_RE.search(s))


def table_number(text: str) -> Optional[str]:
    """'预算01表' / '公开02表' / '表一' / '附表3' printed near a title."""
    m = re.search(r"(?:预算|决算|公开|部门|单位)\s*\d+\s*(?:-\d+)?\s*表|附?表\s*[一二三四五六七八九十\d]+", text or "")
    return re.sub(r"\s+", "", m.group(0)) if m else None
