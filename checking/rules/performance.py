"""Performance-goal tables (绩效目标表) against the project's budget: the narrative inside the
tables (成本指标 "≤1213.5万元", "资金成本 249万元", per-unit × quantity) and the spending schedule
(资金支出计划) must fit within the project's 预算数. Part of the narrative family: the goals are
prose printed in a table. Identities and rules (the 绩效目标表 templates of 财预〔2016〕143号's 绩效
公开 and the provinces' 项目支出绩效目标申报表):
- P-COST / P-PER-UNIT: an amount or per-unit × quantity written in an indicator cannot exceed the
  project's own 预算数 (a project's money is its budget);
- P-SCHEDULE(-UNIT): the 资金支出计划 is cumulative: its last figure ≤ 预算数, or ≤ 100% when in %;
- P-UNIT: an indicator that counts (人数, 人次, 户数, 个数, 次数 …) takes a count, not a
  percentage above 100 ("≥900%" for a head count is a unit slip);
Never compared: one project's completion or coverage rate against the department's totals (a
project's indicator describes that project only)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Figure, Location, Row, Table, TableType
from indexing.numbers import find_numbers, is_money_unit, to_unit

from checking.claims import _common
from checking.findings import Category, Evidence, Finding, Severity, cell_evidence, fmt
from checking.rules import CheckContext

_BUDGET_RE = re.compile(r"^(?:年度)?预算数$|^项目总额$|^资金总额$|^预算金额$|^项目金额$")
_UPPER_RE = re.compile(r"(?:≤|<=|不超过|不高于|以内|控制在)")
_PER_UNIT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(元|万元)\s*/\s*(?:人|户|人次|次|个)|(?:每人|人均|每户|每人次)[^\d]{0,6}(\d+(?:\.\d+)?)\s*(元|万元)")


_PCT_VALUE_RE = re.compile(r"^\s*(?:[≥≤><=＞＜]|大于|小于|不低于|不少于|不超过|达到)*\s*(\d+(?:\.\d+)?)\s*[%％]\s*$")
_COUNT_WORDS = re.compile(r"人数|人次|户数|个数|家数|次数|场次|件数|辆数|床位数|数量(?!指标)|(?:培训|服务|救助|资助|参保|补助)(?:人|对象)(?!.*率)")
_RATE_WORDS = re.compile(r"率|比例|比重|占比|百分|增长|增幅|降幅|覆盖|满意|达标|完成|到位|及时|准确|合格|知晓|%|％|提高|下降|减少|增加")


def _unit_misuse(ctx: CheckContext, t: Table) -> list[Finding]:
    """P-UNIT: a percentage above 100 given as the value of an indicator that counts."""
    out = []
    for row in t.rows:
        for i, cell in enumerate(row.cells):
            m = _PCT_VALUE_RE.match(cell.text or "")
            if not m or Decimal(m.group(1)) <= 100:
                continue
            names = [c.text for j, c in enumerate(row.cells) if j != i and c.text and not _PCT_VALUE_RE.match(c.text)]
            name = next((n for n in names if _COUNT_WORDS.search(n)), None)
            if name is None or any(_RATE_WORDS.search(n) for n in names if n != name) or _RATE_WORDS.search(name):
                continue
            out.append(Finding(code="P-UNIT", severity=Severity.warning, category=Category.narrative_vs_table,
                               message=f"《{t.title}》指标“{name}”是数量，指标值却写作“{cell.text.strip()}”（百分比大于100），疑为单位误用",
                               evidence=[Evidence(side="table", quote=f"{name}：{cell.text.strip()}", value=Decimal(m.group(1)),
                                                  raw=cell.text.strip(), unit="%", table_title=t.title, row_label=row.name,
                                                  location=Location(table_id=t.id, row=row.index, column=cell.column,
                                                                    page=t.pages[0] if t.pages else None))],
                               stated=Decimal(m.group(1)), unit="%"))
    return out


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for t in ctx.doc.tables_of(TableType.performance_project) + ctx.doc.tables_of(TableType.performance_overall):
        out += _unit_misuse(ctx, t)
    for t in ctx.doc.tables_of(TableType.performance_project):
        budget = _budget(t)
        if budget is not None:
            out += _schedule(ctx, t, budget)
            out += _text_amounts(ctx, t, budget, [])
        else:
            out += _summary_rows(ctx, t)
    return out


def _budget(t: Table) -> Optional[tuple[Figure, Row]]:
    for row in t.rows:
        for i, cell in enumerate(row.cells):
            if _BUDGET_RE.match(re.sub(r"\s", "", cell.text or "")):
                fig = next((c.figure for c in row.cells[i + 1 :] if c.figure is not None and c.figure.value is not None), None)
                if fig is not None:
                    return fig, row
    return None


def _unit(ctx: CheckContext, fig: Figure, t: Table) -> str:
    return ctx.cell_unit(fig, t)


def _schedule(ctx: CheckContext, t: Table, budget: tuple[Figure, Row]) -> list[Finding]:
    """资金支出计划（%）: cumulative amounts or percentages; neither may exceed the budget / 100%."""
    bfig, _ = budget
    out: list[Finding] = []
    for i, row in enumerate(t.rows):
        label = next((c.text for c in row.cells if c.text and c.figure is None), "")
        if "支出计划" not in re.sub(r"\s", "", label):
            continue
        figs = [f for r in t.rows[i : i + 2] for f in r.figures()]
        if not figs:
            continue
        ctx.aligned.add(f"{t.id}:schedule")
        ctx.checked.update((t.id, f.value) for f in figs)
        percent = "%" in label
        last = figs[-1]
        if percent and last.value > 100:
            kind = "金额" if last.value <= bfig.value else "超出预算的数"
            out.append(Finding(code="P-SCHEDULE-UNIT", severity=Severity.warning, category=Category.narrative_vs_table,
                               message=f"《{t.title}》资金支出计划标为百分比，却填有{last.raw}（大于100），实为{kind}；预算数{bfig.raw}",
                               evidence=[cell_evidence(f, t.title, "资金支出计划") for f in figs] + [cell_evidence(bfig, t.title, "预算数")],
                               stated=last.value, expected=bfig.value))
        elif not percent and last.value > bfig.value:
            out.append(Finding(code="P-SCHEDULE", severity=Severity.warning, category=Category.narrative_vs_table,
                               message=f"《{t.title}》资金支出计划累计{last.raw}超过预算数{bfig.raw}",
                               evidence=[cell_evidence(last, t.title, "资金支出计划"), cell_evidence(bfig, t.title, "预算数")],
                               stated=last.value, expected=bfig.value, difference=last.value - bfig.value))
    return out


def _text_amounts(ctx: CheckContext, t: Table, budget: tuple[Figure, Row], only_rows: list[Row]) -> list[Finding]:
    """Money amounts written in indicator text (成本指标 …) against the project's budget."""
    bfig, _ = budget
    bunit = _unit(ctx, bfig, t)
    out: list[Finding] = []
    for row in only_rows or t.rows:
        for cell in row.cells:
            if cell.figure is not None or not cell.text:
                continue
            out += _per_unit(ctx, t, row, cell, bfig, bunit)
            for n in find_numbers(cell.text):
                if not is_money_unit(n.unit) or _PER_UNIT_RE.search(cell.text[max(0, n.start - 8) : n.end + 4]):
                    continue
                ctx.aligned.add(f"{t.id}:{row.index}:{n.start}")
                ctx.checked.add((t.id, n.value))
                amount = to_unit(n.value, n.unit, bunit)
                if amount <= bfig.value:
                    continue
                upper = bool(_UPPER_RE.search(cell.text[max(0, n.start - 6) : n.start]))
                ev = [Evidence(side="table", quote=cell.text, value=n.value, raw=n.raw, unit=n.unit, table_title=t.title,
                               row_label=row.name, location=bfig.location.model_copy(update={"row": row.index, "column": cell.column})),
                      cell_evidence(bfig, t.title, "预算数")]
                out.append(Finding(code="P-COST", severity=Severity.warning, category=Category.narrative_vs_table,
                                   message=f"《{t.title}》绩效指标写{'成本上限' if upper else '金额'}{n.raw}，超过项目预算{bfig.raw}{bunit}",
                                   evidence=ev, stated=amount, expected=bfig.value, difference=amount - bfig.value, unit=bunit,
                                   arithmetic=f"{fmt(amount)} − {bfig.raw} = {fmt(amount - bfig.value)}"))
    return out


def _per_unit(ctx: CheckContext, t: Table, row: Row, cell, bfig: Figure, bunit: str) -> list[Finding]:
    """'补助标准每人每年600元 … 3250人次': per-unit × quantity must fit in the project's budget."""
    m = _PER_UNIT_RE.search(cell.text)
    if not m:
        return []
    value, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    qty = next((n for n in find_numbers(cell.text) if n.unit in ("人", "人次", "户", "个", "次", "名")), None)
    if qty is None:
        return []
    product = to_unit(Decimal(value) * qty.value, unit, bunit)
    ctx.checked.add((t.id, Decimal(value)))
    if product <= bfig.value * Decimal("1.5"):
        return []
    arith = f"{value}{unit} × {qty.raw} = {fmt(product)}{bunit}；预算数 {bfig.raw}{bunit}"
    return [Finding(code="P-PER-UNIT", severity=Severity.warning, category=Category.narrative_vs_table,
                    message=f"《{t.title}》按标准{value}{unit}×{qty.raw}计为{fmt(product)}{bunit}，远超项目预算{bfig.raw}{bunit}",
                    evidence=[Evidence(side="table", quote=cell.text[:80], table_title=t.title, row_label=row.name,
                                       location=bfig.location.model_copy(update={"row": row.index, "column": cell.column})),
                              cell_evidence(bfig, t.title, "预算数")],
                    stated=product, expected=bfig.value, difference=product - bfig.value, unit=bunit, arithmetic=arith)]


def _summary_rows(ctx: CheckContext, t: Table) -> list[Finding]:
    """项目绩效目标汇总表: each project row has its amount; indicator text names the project it is
    about ("…医疗费总成本≤1213.5万元"), matched to the project row by the longest shared name."""
    sources = [t] + ctx.doc.tables_of(TableType.project_expenditure)  # the project table names projects cleanly
    projects = [(r, f, src) for src in sources for r in src.rows for f in [next(r.figures(), None)]
                if f is not None and 4 <= len(r.name) <= 80 and not re.search(r"成本|[≤≥%]", r.name)
                and not re.search(r"(?:局|中心|本级)$", r.name)]
    out: list[Finding] = []
    for row in t.rows:
        for cell in row.cells:
            if cell.figure is not None or "成本" not in (cell.text or ""):
                continue
            for n in find_numbers(cell.text):
                if not is_money_unit(n.unit):
                    continue
                before = cell.text[: n.start]
                subject = before[: before.find("成本")] if "成本" in before else before
                best = max((p for p in projects if p[0] is not row), key=lambda p: _common(p[0].name, subject), default=None)
                if best is None or _common(best[0].name, subject) < 4:
                    continue
                prow, bfig, src = best
                ctx.aligned.add(f"{t.id}:{row.index}:{n.start}")
                amount = to_unit(n.value, n.unit, _unit(ctx, bfig, src))
                top = _common(prow.name, subject)
                close = [p for p in projects if p[0] is not row and _common(p[0].name, subject) >= max(4, top - 1)]
                # ambiguous names: stay quiet unless every project it may be about is far below the figure
                if all(amount > to_unit(p[1].value, _unit(ctx, p[1], p[2]), _unit(ctx, bfig, src)) * Decimal("1.5") for p in close):  # well above the budget: not a rounding or indexing choice
                    out.append(Finding(code="P-COST", severity=Severity.warning, category=Category.narrative_vs_table,
                                       message=f"《{t.title}》“{prow.name}”成本指标{n.raw}，为项目金额{bfig.raw}的{fmt((amount / bfig.value).quantize(Decimal('0.1')))}倍",
                                       evidence=[Evidence(side="table", quote=cell.text[:80], value=n.value, raw=n.raw, unit=n.unit, table_title=t.title,
                                                          row_label=row.name, location=bfig.location.model_copy(update={"row": row.index, "column": cell.column})),
                                                 cell_evidence(bfig, src.title, prow.name)],
                                       stated=amount, expected=bfig.value, difference=amount - bfig.value,
                                       arithmetic=f"{fmt(amount)} ÷ {bfig.raw} = {fmt((amount / bfig.value).quantize(Decimal('0.01')))}"))
    return out
