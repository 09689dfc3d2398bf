"""N-COUNT: "共N个项目" against the projects the 项目支出表 lists (at or above a stated threshold
where one is given); N-UNIT-COUNT: "单位共N个" against the budget units (6-digit codes) of the
income and expenditure tables. A count is a warning at most: which rows are projects is a reading."""

from __future__ import annotations

import re
from decimal import Decimal

from indexing.model import Location, TableType
from indexing.numbers import to_unit

from checking.claims import Claim
from checking.findings import Category, Evidence, Finding, Severity
from checking.rules import CheckContext
from checking.rules.narrative.finding import narrative_finding
from checking.table_cells import is_total_row


def _unit_count(ctx: CheckContext, c: Claim) -> list[Finding]:
    """单位共N个 against the budget units (6-digit codes) the income/expenditure tables list."""
    if re.search(r"事业单位|二级|机构|下属|所属", c.metric):
        return []
    rows = {}
    for t in ctx.doc.tables_of(TableType.income) + ctx.doc.tables_of(TableType.expenditure):
        for r in t.rows:
            if r.code and len(r.code) == 6 and t.complete:
                rows.setdefault(r.code, (t, r))
    if not rows:
        return []
    ctx.aligned.add(c.id)
    n = Decimal(len(rows))
    if n == c.value:
        return []
    ev = [Evidence(side="table", quote=f"{code} {r.name}", table_title=t.title, row_label=r.name,
                   location=Location(table_id=t.id, row=r.index, page=r.page))
          for code, (t, r) in rows.items()]
    return [narrative_finding(ctx, "N-UNIT-COUNT", Severity.warning, Category.narrative_vs_table,
                              f"文中称单位{c.raw}，表中列有{n}个预算单位", c, [], n, "outside", cells=ev)]


def check_count(ctx: CheckContext, c: Claim) -> list[Finding]:
    if "单位" in c.metric and "项目" not in c.metric:
        return _unit_count(ctx, c)
    threshold = re.search(r"(\d+)万元(?:（含）)?(?:及\d+万元)?以上", c.context[-30:])
    if "转移支付" in c.metric or "绩效" in c.metric or "项目" not in c.metric or ("以上" in c.metric and not threshold):
        return []
    tables = [t for t in ctx.doc.tables_of(TableType.project_expenditure) if t.complete]
    if not tables or c.value == 0:
        return []
    t = tables[0]
    typed = [r for r in t.rows if any(re.fullmatch(r"\S*运转类|特定目标类|\S*项目类", cell.text or "") for cell in r.cells)]
    projects = typed or [r for r in t.rows if not is_total_row(r, t) and r.name and any(True for _ in r.figures())
                         and not r.code and not re.search(r"(?:局|中心|单位|本级|办公室)$", r.name)]
    if not projects:
        return []
    if threshold:  # "100万元及100万元以上项目1个": projects at or above the threshold
        limit = Decimal(threshold.group(1))
        projects = [r for r in projects if to_unit(next(r.figures()).value, ctx.cell_unit(next(r.figures()), t), "万元") >= limit]
    ctx.aligned.add(c.id)
    n = Decimal(len({r.name for r in projects}))
    if n == c.value:
        return []
    ev = [Evidence(side="table", quote=r.name, table_title=t.title, row_label=r.name, location=next(r.figures()).location) for r in projects]
    return [narrative_finding(ctx, "N-COUNT", Severity.warning, Category.narrative_vs_table,
                              f"文中称项目{c.raw}，《{t.title}》列有{n}个项目", c, [], n, "outside", cells=ev)]
