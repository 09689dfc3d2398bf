"""Across tables (identities C). Each identity, and where it comes from:

Budgets (部门预算, the 8 tables of 财预〔2016〕143号 and 《地方预决算公开操作规程》):
- C-CODE: the same 功能分类 科目 (类/款/项 code) has the same amount in 部门收入总表 (by function,
  where printed), 部门支出总表 and 一般公共预算支出表, within one fund scope: a budget is balanced
  per 科目 (收入 = 支出, 上年结转 included), and the general-budget table is a subset of the
  all-funds one, so the two are compared only when the department has no other funds (their grand
  totals are equal);
- C-TOTAL: 基本支出, 项目支出, 人员经费, 公用经费, 三公经费, 机关运行经费, 一般公共预算支出 and
  本年支出合计 totals agree between the standard tables of one scope (部门收支总表 ↔ 收入总表 ↔
  支出总表; 财政拨款收支总表 ↔ 一般公共预算支出表 ↔ 基本支出表 ↔ 三公表 ↔ 机关运行经费表);
- C-PROJECT: 项目支出表 合计 = 项目支出 of 支出总表 (the project table lists every project);
- C-PERFORMANCE: with one 项目绩效目标表 per project, Σ 预算数 = 项目支出; tables for some projects
  only (the main ones, as many templates publish) can add up to less, never to more.

Final accounts (部门决算, the 决算 公开 template, 财政部 部门决算报表): the same C-CODE and C-TOTAL
identities between 支出决算表 and 一般公共预算财政拨款支出决算表 (same scope rule), but NOT:
- 收入决算表 by function against 支出决算表 by function: they differ by 年初结转结余 and 年末结转结余
  by design (收入 + 年初结转 = 支出 + 年末结转), so 收入决算表 codes are never compared in a 决算.

Pairs never compared, in either kind: 机关运行经费 against 公用经费 (机关运行经费 is the 公用经费 of
行政单位 and 参公事业单位 only, plus 办公设备购置 …: a different aggregate); a general-budget table
against an all-funds table when the department has other funds (different scopes).

An outside-rounding difference is an error only when both tables are `sure`; otherwise the check is
blocked and reported once per doubted table (rules.blocked_findings)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Optional

from indexing.model import Figure, Table, TableType
from indexing.numbers import Agreement, compare_printed, to_unit
from indexing.read.confidence import coded_rows

from checking.label_keys import canon, column_label
from checking.table_cells import CellRef, is_total_row
from checking.findings import Category, Finding, LedgerStatus, Severity, cell_evidence, fmt
from checking.rules import CheckContext, cell_interval, table_sure

_GENERAL = {TableType.general_budget_expenditure, TableType.general_basic_expenditure, TableType.three_public, TableType.operating_cost}
_ALL = {TableType.expenditure, TableType.income, TableType.income_expense_summary}
_TOTAL_KEYS = ("基本支出", "项目支出", "人员经费", "公用经费", "三公经费", "机关运行经费", "一般公共预算支出", "本年支出合计")


def run(ctx: CheckContext) -> list[Finding]:
    single_fund = _single_fund(ctx)
    out = _same_code(ctx, single_fund)
    out += _same_totals(ctx, single_fund)
    out += _projects(ctx)
    return out


def _unit(ctx: CheckContext, fig: Figure, t: Table) -> str:
    return ctx.cell_unit(fig, t)


def _agree(ctx: CheckContext, a: Figure, ta: Table, b: Figure, tb: Table) -> Agreement:
    ua, ub = _unit(ctx, a, ta), _unit(ctx, b, tb)
    if to_unit(a.value, ua, ub) == b.value:
        return Agreement.exact
    return compare_printed(b.value, b.decimals, cell_interval(a, ua, ub))


def _scope(t: Table) -> Optional[str]:
    """The funds a table covers. 三公 and 机关运行经费 tables are 一般公共预算 money by the template; a
    一般公共预算支出表 or 基本支出表 is so only when its title says so (一般公共预算 / 财政拨款): a
    "部门预算基本支出预算表" covers every fund, and an untitled or bare "基本支出预算情况表" is of
    unknown scope — never compared across scopes."""
    if t.standard_type in _GENERAL:
        title = re.sub(r"\s", "", t.title or "")
        if t.standard_type in (TableType.three_public, TableType.operating_cost) or re.search(r"一般公共预算|财政拨款", title):
            return "general"
        return "all" if re.search(r"部门(?:综合)?预算|单位预算|部门决算|单位决算", title) else None
    return "all" if t.standard_type in _ALL else None


def _grand_total(t: Table) -> Optional[Figure]:
    row = next((r for r in t.rows if is_total_row(r, t)), None)
    return next(row.figures(), None) if row else None


def _single_fund(ctx: CheckContext) -> bool:
    """All money is general budget: the all-funds and general-budget totals coincide."""
    a = [_grand_total(t) for t in ctx.doc.tables_of(TableType.expenditure)]
    g = [_grand_total(t) for t in ctx.doc.tables_of(TableType.general_budget_expenditure)]
    a, g = [x for x in a if x], [x for x in g if x]
    return bool(a and g and a[0].value == g[0].value)


def _typed_by_title(t: Table) -> bool:
    conf = getattr(t, "confidence", None)
    return bool(t.title.strip()) and (conf is None or "title" in (conf.type_source or "title"))


def _pair_finding(ctx, code, label, ra: CellRef, rb: CellRef) -> list[Finding]:
    """Two cells that the identity says are equal. Exact → pass; within rounding → hint; outside
    → error when both tables are `sure`, else the check is blocked on the doubted table(s)."""
    a, b = ra.figure, rb.figure
    place = f"{label}：《{ra.table.title}》↔《{rb.table.title}》"
    agreement = _agree(ctx, a, ra.table, b, rb.table)
    if agreement is Agreement.exact:
        ctx.record(code, place, LedgerStatus.passed, tables=f"{ra.table.id}|{rb.table.id}")
        return []
    ua, ub = _unit(ctx, a, ra.table), _unit(ctx, b, rb.table)
    expected = to_unit(a.value, ua, ub)
    ev = [cell_evidence(a, ra.table.title, ra.row.name or ra.label), cell_evidence(b, rb.table.title, rb.row.name or rb.label)]
    base = dict(evidence=ev, stated=b.value, expected=expected, difference=b.value - expected, unit=ub,
                arithmetic=f"{b.raw} − {a.raw} = {fmt(b.value - expected)}", agreement=agreement.value)
    if agreement is not Agreement.outside:
        ctx.record(code, place, LedgerStatus.passed, code + "-ROUND", tables=f"{ra.table.id}|{rb.table.id}")
        return [Finding(code=code + "-ROUND", severity=Severity.hint, category=Category.cross_table,
                        message=f"{label}：《{ra.table.title}》{a.raw}与《{rb.table.title}》{b.raw}在舍入误差内", **base)]
    doubted = [r.table for r in (ra, rb) if not table_sure(r.table, r.row)]
    if doubted:
        for t in {id(x): x for x in doubted}.values():
            ctx.block(t, code, place)
        return []
    ctx.record(code, place, LedgerStatus.failed, code, tables=f"{ra.table.id}|{rb.table.id}")
    # the identity holds between standard tables: a type the reader inferred from content alone (no
    # title saying which table it is) makes the pairing itself uncertain — a warning, not an error
    typed = all(_typed_by_title(t) for t in (ra.table, rb.table))
    return [Finding(code=code, severity=Severity.error if typed else Severity.warning, category=Category.cross_table,
                    message=f"{label}：《{ra.table.title}》为{a.raw}，《{rb.table.title}》为{b.raw}，两表不一致", **base)]


_ORGAN_RE = re.compile(r"(?:局|中心|单位|本级|办公室|委员会|政府|站|所|院|馆|队|处)$")


def _same_code(ctx: CheckContext, single_fund: bool) -> list[Finding]:
    """Per code, the 合计 column must agree between 支出总表 / 一般公共预算支出表 / 收入总表."""
    out: list[Finding] = []
    seen: dict[str, list[CellRef]] = {}
    final = (ctx.doc.meta.kind or "") == "决算"
    types = (TableType.expenditure, TableType.general_budget_expenditure) + (() if final else (TableType.income,))
    for t in ctx.doc.tables:
        if t.standard_type not in types:
            continue
        rows = coded_rows(t)
        # a code on several rows of one table is split there by another classification (北京's
        # 支出总表: 功能 × 政府经济 × 部门经济 on each row) or listed per unit: no row is the 科目's amount
        repeated = {c for c, n in Counter(v.code for v in rows).items() if n > 1}
        for v in rows:
            if len(v.code) not in (3, 5, 7) or not v.figs or v.code in repeated or _ORGAN_RE.search(v.name or ""):
                continue  # an organ's line (253 西安市住房和城乡建设局) is a unit code, not a 类
            fig = next(iter(v.figs.values()))
            seen.setdefault(v.code, []).append(CellRef(t, v.row, fig, v.name))
    for code, refs in seen.items():
        first = refs[0]
        for other in refs[1:]:
            if other.table is first.table:
                continue
            if _scope(first.table) != _scope(other.table) and not single_fund:
                continue
            out += _pair_finding(ctx, "C-CODE", f"科目{code} {first.row.name}", first, other)
    return out


def _total_refs(ctx: CheckContext, key: str) -> list[CellRef]:
    refs = []
    for r in ctx.index.lookup(key):
        if r.figure.value is None or r.row.name == "（空表）":
            continue
        numeric_rows = [x for x in r.table.rows if any(True for _ in x.figures())]
        if is_total_row(r.row, r.table) or len(numeric_rows) == 1 or re.search(r"合计|总计", r.row.name or ""):
            refs.append(r)
    return refs


def _same_totals(ctx: CheckContext, single_fund: bool) -> list[Finding]:
    out: list[Finding] = []
    for key in _TOTAL_KEYS:
        refs = _total_refs(ctx, key)
        by_table: dict[str, CellRef] = {}
        for r in refs:
            by_table.setdefault(r.table.id, r)
        refs = list(by_table.values())
        for i, a in enumerate(refs):
            for b in refs[i + 1 :]:
                sa, sb = _scope(a.table), _scope(b.table)
                if sa is None or sb is None or (sa != sb and not single_fund):
                    continue
                if key == "本年支出合计" and _with_carry_over(ctx, a, b):
                    ctx.record("C-TOTAL", f"{key}合计：《{a.table.title}》↔《{b.table.title}》", LedgerStatus.passed)
                    continue
                out += _pair_finding(ctx, "C-TOTAL", f"{key}合计", a, b)
    return out


_CARRY_RE = re.compile(r"上年结转|上年结余|实户资金余额|用事业基金弥补")


def _with_carry_over(ctx: CheckContext, a: CellRef, b: CellRef) -> bool:
    """A 支出总表 laid out by funding source (西安's 部门综合预算: 一般公共预算拨款 … 上年结转, 上年实户
    资金余额 as columns) totals the spending of the carried-over money too, which the 收支总表 books
    outside 本年支出合计: the two agree once the carry-over columns of the total row are taken out."""
    for x, y in ((a, b), (b, a)):
        cols = [c for c in x.table.columns if _CARRY_RE.search(c)]
        if not cols:
            continue
        carry = sum((f.value for c in cols if (f := _cell(x.row, c)) is not None), Decimal(0))
        if carry and to_unit(x.figure.value - carry, _unit(ctx, x.figure, x.table), _unit(ctx, y.figure, y.table)) == y.figure.value:
            return True
    return False


def _cell(row, col: str) -> Optional[Figure]:
    c = row.cell(col)
    return c.figure if c is not None and c.figure is not None and c.figure.value is not None else None


def _project_amounts(t: Table) -> list[CellRef]:
    """A performance or project table's project amounts: one per project row (汇总表) or the
    table's single 预算数 (one table per project)."""
    col = next((c for c in t.columns if re.search(r"资金总额|项目金额|预算数|年度资金|合计", c)), None)
    refs = []
    for row in t.rows:
        if is_total_row(row, t) or row.code and len(row.code) <= 6:
            continue
        c = row.cell(col) if col else None
        if c and c.figure and c.figure.value is not None and row.name:
            refs.append(CellRef(t, row, c.figure, row.name))
    if not refs:
        for row in t.rows:
            for i, cell in enumerate(row.cells):
                if re.fullmatch(r"(?:年度)?预算数|项目总额|资金总额|预算金额", re.sub(r"\s", "", cell.text or "")):
                    fig = next((c.figure for c in row.cells[i + 1 :] if c.figure is not None and c.figure.value is not None), None)
                    if fig is not None:
                        return [CellRef(t, row, fig, t.title)]
    return refs


def _projects(ctx: CheckContext) -> list[Finding]:
    project_total = next((r for r in _total_refs(ctx, "项目支出") if r.table.standard_type in (TableType.expenditure, TableType.general_budget_expenditure)), None)
    if project_total is None:
        return []
    out: list[Finding] = []
    perf = [t for t in ctx.doc.tables_of(TableType.performance_project)]
    amounts = [r for t in perf for r in _project_amounts(t)]
    ctx.checked.update((r.table.id, r.figure.value) for r in amounts)
    if len(perf) > 1 and amounts:
        unit = _unit(ctx, project_total.figure, project_total.table)
        total = sum((to_unit(r.figure.value, _unit(ctx, r.figure, r.table), unit) for r in amounts), Decimal(0))
        if total == project_total.figure.value:
            ctx.record("C-PERFORMANCE", f"Σ项目绩效目标表预算数 ↔ 项目支出（{len(perf)}张表）", LedgerStatus.passed)
        else:
            diff = total - project_total.figure.value
            ev = [cell_evidence(project_total.figure, project_total.table.title, "项目支出合计")] + [
                cell_evidence(r.figure, r.table.title, r.label) for r in amounts[:14]]
            suspect = _suspect(ctx, amounts, diff)
            msg = f"各项目绩效目标表预算数之和{fmt(total)}，与项目支出{project_total.figure.raw}相差{fmt(diff)}"
            if suspect:
                msg += f"；差额来自“{suspect[0].label}”{suspect[0].figure.raw}，预算表“{suspect[1].row.name}”为{suspect[1].figure.raw}"
                ev += [cell_evidence(suspect[1].figure, suspect[1].table.title, suspect[1].row.name)]
            place = f"Σ项目绩效目标表预算数 ↔ 项目支出（{len(perf)}张表）"
            if diff < 0 and not _every_project_has_a_table(ctx, len(amounts)):
                # many templates publish 绩效目标表 for the main projects only: tables that add up to
                # less than 项目支出 contradict nothing unless every project has one
                ctx.record("C-PERFORMANCE", place, LedgerStatus.insufficient)
                return out
            doubted = [r.table for r in amounts + [project_total] if not table_sure(r.table, r.row)]
            if doubted:
                for t in {id(x): x for x in doubted}.values():
                    ctx.block(t, "C-PERFORMANCE", place)
                return out
            ctx.record("C-PERFORMANCE", place, LedgerStatus.failed, "C-PERFORMANCE")
            sev, cat = Severity.error, Category.cross_table
            out.append(Finding(code="C-PERFORMANCE", severity=sev, category=cat, message=msg, evidence=ev,
                               stated=total, expected=project_total.figure.value, difference=diff, unit=unit,
                               arithmetic=" + ".join(r.figure.raw for r in amounts) + f" = {fmt(total)}；项目支出 {project_total.figure.raw}",
                               agreement="outside"))
    for t in ctx.doc.tables_of(TableType.project_expenditure):
        tot = _grand_total(t)
        if tot is not None:
            ref = CellRef(t, next(r for r in t.rows if is_total_row(r, t)), tot, "合计")
            out += _pair_finding(ctx, "C-PROJECT", "项目支出表合计与项目支出", project_total, ref)
    return out


def _every_project_has_a_table(ctx: CheckContext, n_amounts: int) -> bool:
    """The project table lists no more projects than the 绩效目标表 give amounts for."""
    projects = [r for t in ctx.doc.tables_of(TableType.project_expenditure) for r in t.rows
                if r.name and not is_total_row(r, t) and any(True for _ in r.figures())]
    return bool(projects) and len(projects) <= n_amounts


def _suspect(ctx: CheckContext, amounts: list[CellRef], diff: Decimal) -> Optional[tuple[CellRef, CellRef]]:
    """The project whose amount minus the gap is what a budget table's 项-level row holds."""
    for r in amounts:
        want = r.figure.value - diff
        for key, refs in ctx.index.entries.items():
            if not key.startswith("code:") or len(key) != 12:
                continue
            for ref in refs:
                col = next((c for c in ref.table.columns if canon(column_label(c)) == "项目支出"), None)
                cell = ref.row.cell(col) if col else None
                if cell and cell.figure and cell.figure.value == want and want != 0:
                    return r, CellRef(ref.table, ref.row, cell.figure, ref.row.name)
    return None
