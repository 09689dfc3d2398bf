"""Inside one table (identities B): 合计 = 基本 + 项目, 基本 = 人员 + 公用, 类 = Σ款 = Σ项, total
row = Σ 类, 收入总计 = 支出总计, 三公 合计 = parts, 车 = 购置 + 运行, percentages ≤ 100.

A sum that fails is an error against the department only when the table was read completely and
the gap is not explained by the reader: duplicated rows (page breaks) or rows that another table
holds under the same codes (a table cut short) make it an `extraction` finding instead.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Figure, Row, Table, TableType, normalise_label
from indexing.numbers import Agreement, compare_printed, sum_interval
from indexing.read.confidence import CodedRow, coded_rows, is_child

from checking.label_keys import canon, column_label
from checking.table_cells import is_total_row
from checking.findings import Category, Finding, LedgerStatus, Severity, cell_evidence, fmt
from checking.rules import CheckContext, table_sure

MAX_EVIDENCE = 14
_CODED_TYPES = {TableType.expenditure, TableType.income, TableType.general_budget_expenditure,
                TableType.general_basic_expenditure, TableType.economic_classification, TableType.gov_fund,
                TableType.state_capital}


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for t in ctx.doc.tables:
        out += _columns(ctx, t)
        out += _hierarchy(ctx, t)
        out += _percent_columns(t)
    out += _summary_balance(ctx)
    out += _three_public(ctx)
    return out


def _fig(row: Row, col: Optional[str]) -> Optional[Figure]:
    c = row.cell(col) if col else None
    return c.figure if c and c.figure is not None and c.figure.value is not None else None


def _val(f: Optional[Figure]) -> tuple[Decimal, int]:
    return (f.value, f.decimals) if f is not None else (Decimal(0), 0)


def check_sum(ctx: CheckContext, table: Table, code: str, label: str, total: Figure, parts: list[Figure],
              part_labels: list[str], total_label: str, explain=None, inside: bool = False) -> list[Finding]:
    """total = Σ parts with rounding intervals; a finding when outside. Recorded in the ledger;
    on a table the reader doubts (`table_sure`) the check is blocked, not judged — unless the
    reader's only doubt is that the table was cut short and `inside` (the parts are followed by
    other rows of the table, or they are cells of one printed row) refutes it: a warning
    (`cut_short_only`)."""
    place = f"《{table.title}》{label}"
    computed = sum((p.value for p in parts), Decimal(0))
    if computed == total.value:
        ctx.record(code, place, LedgerStatus.passed, tables=table.id)
        return []
    agreement = compare_printed(total.value, total.decimals, sum_interval([_val(p) for p in parts]))
    arith = " + ".join(p.raw or fmt(p.value) for p in parts) + f" = {fmt(computed)}；{total_label} {total.raw}"
    ev = [cell_evidence(total, table.title, total_label)] + [
        cell_evidence(p, table.title, lab) for p, lab in list(zip(parts, part_labels))[:MAX_EVIDENCE]
    ]
    base = dict(evidence=ev, stated=total.value, expected=computed, difference=total.value - computed,
                unit=total.unit or table.unit, arithmetic=arith, agreement=agreement.value)
    if agreement is not Agreement.outside:
        word = "截断" if agreement is Agreement.truncation else "四舍五入"
        ctx.record(code, place, LedgerStatus.passed, code + "-ROUND", tables=table.id)
        return [Finding(code=code + "-ROUND", severity=Severity.hint, category=Category.arithmetic,
                        message=f"《{table.title}》{label}相差{fmt(total.value - computed)}，在{word}误差内", **base)]
    reason = explain(total.value - computed) if explain else None
    if reason:
        ctx.record(code, place, LedgerStatus.doubt, "X-" + code, tables=table.id)
        return [Finding(code="X-" + code, severity=Severity.extraction, category=Category.extraction,
                        message=f"《{table.title}》{label}不平（差{fmt(total.value - computed)}），{reason}，属抽取问题而非部门错误", **base)]
    # an untitled table is typed from its content: the identity it is held to is a guess — a warning
    severity, note = (Severity.error, "") if (table.title or "").strip() else (Severity.warning, "（表无标题，按内容识别）")
    if not table_sure(table):
        if not (inside and cut_short_only(table)):
            ctx.block(table, code, place)
            return []
        severity, note = Severity.warning, "（读取时疑表格被截断，但其下仍有其他科目行，差额不在表尾）"
    ctx.record(code, place, LedgerStatus.failed, code, tables=table.id)
    return [Finding(code=code, severity=severity, category=Category.arithmetic,
                    message=f"《{table.title}》{label}不平：{total_label}{total.raw}，分项之和{fmt(computed)}{note}", **base)]


_CUT: dict[str, tuple[object, bool]] = {}


def cut_short_only(t: Table) -> bool:
    """The reader's one doubt about `t` is that its detail rows fall short of its total ("table cut
    short": indexing/read/text_tables.check_truncation) — read as complete, it would be sure.

    A text cut short loses the rows at its end; parts that fall short with other rows of the table
    printed after them were not cut off, so the gap is in the figures (the department's), not in
    the reading. `check_sum` is told so by `inside`."""
    hit = _CUT.get(t.id)
    if hit is not None and hit[0] is t:
        return hit[1]
    from indexing.read.confidence import table_confidence

    reasons = [r for r in re.split(r";\s*", t.incomplete_reason or "") if r]
    ok = bool(reasons) and all("table cut short" in r or r.startswith("the text was probably truncated") for r in reasons)
    if ok:
        conf = getattr(t, "confidence", None)
        again = table_confidence(t.model_copy(update={"complete": True}),
                                 conf.type_source if conf else "none", conf.type_note if conf else None)
        ok = again.sure
    _CUT[t.id] = (t, ok)
    return ok


def _col(table: Table, key: str, top_only: bool = False) -> Optional[str]:
    for c in table.columns:
        if canon(column_label(c)) == key and (not top_only or "/" not in c or c.split("/")[-1] in ("小计", "合计")):
            return c
    return None


def _columns(ctx: CheckContext, t: Table) -> list[Finding]:
    total_col = next((c for c in t.columns if c.split("/")[-1] in ("合计", "总计") or column_label(c) in ("合计", "总计")), None)
    basic, project = _col(t, "基本支出"), _col(t, "项目支出")
    staff, public = _col(t, "人员经费"), _col(t, "公用经费")
    out: list[Finding] = []
    # 合计 = 人员经费 + 公用经费 only when those are the table's only amount columns: a third one
    # (专项业务经费, 项目支出 under another name) is an addend too
    numeric = {c.column for r in t.rows for c in r.cells if c.figure is not None and c.figure.value is not None}
    others = numeric - {total_col, staff, public, basic, project}
    for row in t.rows:
        if _column_numbers(row):
            continue
        label = row.name or "合计"
        total = _fig(row, total_col)
        b, p, s, u = _fig(row, basic), _fig(row, project), _fig(row, staff), _fig(row, public)
        if total is not None and (b or p) and basic and project and basic != project:
            out += check_sum(ctx, t, "A-BASIC-PROJECT", f"“{label}”行 合计=基本支出+项目支出", total, [b or _zero(), p or _zero()],
                             ["基本支出", "项目支出"], "合计", inside=True)
        if staff and public and (s or u):
            target = b if basic and basic not in (staff, public) else (total if not project and not others else None)
            if target is not None:
                out += check_sum(ctx, t, "A-STAFF-PUBLIC", f"“{label}”行 基本支出=人员经费+公用经费", target, [s or _zero(), u or _zero()],
                                 ["人员经费", "公用经费"], "基本支出" if target is b else "合计", inside=True)
    return out


def _column_numbers(row: Row) -> bool:
    """The line under a header that numbers its columns ("** ** 1 2 3", 栏次): its figures run 1, 2,
    3 … — a part of the header, not amounts."""
    vals = [f.value for f in row.figures() if f.value is not None]
    return len(vals) >= 2 and all(v == int(v) and 0 < v <= 60 for v in vals) and all(
        b - a == 1 for a, b in zip(vals, vals[1:]))


def _zero() -> Figure:
    return Figure(value=Decimal(0), raw="0", decimals=0)


def _hierarchy(ctx: CheckContext, t: Table) -> list[Finding]:
    vrows = coded_rows(t)
    if len(vrows) < 2:
        return []
    rows, dupes = _dedupe(vrows)
    out: list[Finding] = []
    for r in rows:
        if len(r.code) == 4 and t.standard_type in _CODED_TYPES and not re.search(r"(?:局|中心|单位|本级|办公室|处)$", r.name):
            f = next(iter(r.figs.values()), None)
            out.append(Finding(code="A-CODE", severity=Severity.warning, category=Category.arithmetic,
                               message=f"《{t.title}》科目编码“{r.row.code_raw or r.code}”位数不对（类3位、款2位、项2位），疑漏印前导0",
                               evidence=[cell_evidence(f, t.title, r.name, r.row.code_raw or r.code)] if f else []))
    out += _repeated_codes(t, vrows)
    cols = [c for c in dict.fromkeys(k for r in rows for k in r.figs)][:6]
    totals = [r for r in t.rows if is_total_row(r, t) and not r.code]
    # the rows the 合计 adds: every row with no ancestor printed in the table (a table may list
    # 款 rows beside 项 rows whose 款 it leaves out)
    codes = {r.code for r in rows}
    # 6-digit codes are budget units (153001 西安市公安局), not 科目: no level of the classification
    tops = [r for r in rows if len(r.code) in (3, 5, 7) and not any(r.code[:k] in codes for k in (3, 5) if k < len(r.code))]
    # rows with amounts but no 科目 code (projects listed without one, unit lines): the 合计 adds
    # them too, so Σ 类 is not the whole — the total row is not checked against the codes
    uncoded = any(not is_total_row(r, t) and not (r.code and len(r.code) in (3, 5, 7)) and not _column_numbers(r)
                  and any(f.value for f in r.figures()) for r in t.rows)
    by_prefix: dict[str, list[CodedRow]] = {}
    for r in rows:  # is_child: one level below is 1 or 2 digits longer, with the parent's code as prefix
        for cut in (1, 2):
            if len(r.code) > cut:
                by_prefix.setdefault(r.code[:-cut], []).append(r)
    children = {id(p): [r for r in by_prefix.get(p.code, []) if is_child(p.code, r.code)]
                for p in rows if len(p.code) in (3, 5)}
    for col in cols:
        for parent in rows:
            if len(parent.code) not in (3, 5):
                continue
            kids = children[id(parent)]
            pf = parent.figs.get(col)
            if not kids or pf is None:
                continue
            out += check_sum(ctx, t, "A-LEVEL", f"“{parent.row.code_raw or parent.code} {parent.name}”{column_label(col)}=下级科目之和", pf,
                             [k.figs.get(col) or _zero() for k in kids], [k.name for k in kids], parent.name,
                             explain=_explainer(ctx, t, parent.code, kids, dupes), inside=_followed(t, parent.code, kids))
        if len(cols) and len(set(re.sub(r"#\d+$", "", c) for c in t.columns)) != len(t.columns):
            continue  # side-by-side: the total row sums both halves, leave it
        for total in totals[:1]:
            tf = _fig(total, col)
            if tf is None or not tops or uncoded:
                continue
            out += check_sum(ctx, t, "A-TOTAL", f"合计行{column_label(col)}=各类之和", tf, [r.figs.get(col) or _zero() for r in tops],
                             [r.name for r in tops], "合计", explain=_explainer(ctx, t, "", tops, dupes))
    return out


_PROJECT_TYPES = {TableType.project_expenditure, TableType.performance_project}


def _repeated_codes(t: Table, vrows: list[CodedRow]) -> list[Finding]:
    """One code printed on two rows with different amounts (a unit or project listed twice)."""
    seen: dict[str, CodedRow] = {}
    out: list[Finding] = []
    per_project = t.standard_type in _PROJECT_TYPES
    for r in vrows:
        first = seen.setdefault(r.code, r)
        if first is r or not r.figs or not first.figs:
            continue
        if per_project and len(r.code) == 7 and normalise_label(r.name) != normalise_label(first.name):
            continue  # several projects under one 项 (功能分类) code: normal in a project table
        a, b = next(iter(first.figs.values())), next(iter(r.figs.values()))
        if a.value != b.value and r.row.index - first.row.index > 1:
            out.append(Finding(code="A-REPEATED-CODE", severity=Severity.warning, category=Category.arithmetic,
                               message=f"《{t.title}》编码{r.code}出现两次且金额不同（{a.raw}、{b.raw}），疑为重复列示，合计时需核对",
                               evidence=[cell_evidence(a, t.title, first.name), cell_evidence(b, t.title, r.name)],
                               stated=b.value, expected=a.value))
    if len(out) >= 3:
        # many codes printed twice with other amounts: a table listed by unit (each unit its own
        # 科目), not a department listing one 科目 twice — one hint, no alarm
        return [Finding(code="A-REPEATED-CODE-BY-UNIT", severity=Severity.hint, category=Category.arithmetic,
                        message=f"《{t.title}》有{len(out)}个科目编码重复出现且金额不同，应为按单位（或项目）分列的表格，未逐一报警",
                        evidence=[e for f in out[:3] for e in f.evidence])]
    return out


def _dedupe(rows: list[CodedRow]) -> tuple[list[CodedRow], list[CodedRow]]:
    seen, keep, dupes = set(), [], []
    for r in rows:
        key = (r.code, r.name, tuple(str(f.value) for f in r.figs.values()))
        (dupes if key in seen else keep).append(r)
        seen.add(key)
    return keep, dupes


def _followed(t: Table, prefix: str, kids: list[CodedRow]) -> bool:
    """Rows of another group (a code outside `prefix`) or the table's total row are printed after
    the last of `kids`: the group is not where the table would have been cut."""
    last = max(k.row.index for k in kids)
    return any((r.code and not r.code.startswith(prefix)) or is_total_row(r, t) for r in t.rows[last + 1:])


def _ends_page(t: Table, row: Row) -> bool:
    """`row` (of a PDF: its page is known) is the last row the table has on that page."""
    page = getattr(row, "page", None)
    if page is None:
        return False
    later = [r for r in t.rows if r.index > row.index and (r.code or any(True for _ in r.figures()))]
    return all(getattr(r, "page", None) not in (None, page) for r in later)


def _explainer(ctx: CheckContext, t: Table, prefix: str, kids: list[CodedRow], dupes: list[CodedRow]):
    """A function gap → reason when the reader, not the department, explains the gap."""

    def explain(gap: Decimal) -> Optional[str]:
        if dupes:
            return "表中有重复行（分页重复），去重后再核"

        have = {k.code for k in kids}
        level = len(kids[0].code) if kids else 0
        for other in ctx.doc.tables:
            if other is t:
                continue
            missing = [r for r in coded_rows(other) if len(r.code) == level and r.code.startswith(prefix) and r.code not in have]
            vals = [next(iter(r.figs.values())).value for r in missing if r.figs]
            if missing and sum(vals, Decimal(0)) == gap:
                names = "、".join(f"{r.code} {r.name}" for r in missing[:5])
                return f"缺少的科目（{names}）见于《{other.title}》且金额正好补足差额，表格应是被截断"
        sub = [r for r in coded_rows(t) if r.code.startswith(prefix)] if kids else []
        last = max((r.row for r in sub), key=lambda r: r.index, default=None)
        if gap > 0 and last is not None and _ends_page(t, last) and not (t.notes or t.empty_note):
            # a printed page (PDF): the parts fall short and the last row under the parent closes the
            # table's page (no note printed after the table): the rest are likelier on the next page,
            # a 续表 the reader did not join, than missing from the budget
            return "下级科目至页末为止，其余科目可能在下一页（续表未接上）"
        return None

    return explain


def _first(row: Row) -> Optional[Decimal]:
    return next((f.value for f in row.figures()), None)


def _percent_columns(t: Table) -> list[Finding]:
    out = []
    for col in t.columns:
        if "%" not in col and "％" not in col:
            continue
        bad = [(r, _fig(r, col)) for r in t.rows if _fig(r, col) is not None and _fig(r, col).value > 100]
        if bad:
            r, f = bad[0]
            out.append(Finding(code="A-PERCENT", severity=Severity.warning, category=Category.arithmetic,
                               message=f"《{t.title}》“{column_label(col)}”栏标为百分比，却填有{f.raw}等大于100的数，疑为金额填入百分比栏",
                               evidence=[cell_evidence(f2, t.title, r2.name) for r2, f2 in bad[:MAX_EVIDENCE]], stated=f.value))
    return out


def _summary_balance(ctx: CheckContext) -> list[Finding]:
    out = []
    for t in ctx.doc.tables_of(TableType.income_expense_summary) + ctx.doc.tables_of(TableType.fiscal_summary):
        inc, exp = t.lookup("收入总计"), t.lookup("支出总计")
        if inc is None or exp is None or inc.value is None or exp.value is None:
            continue
        out += check_sum(ctx, t, "A-BALANCE", "收入总计=支出总计", inc, [exp], ["支出总计"], "收入总计")
    return out


_THREE = ("因公出国(境)费", "公务接待费", "公务用车购置及运行费")


def _three_public(ctx: CheckContext) -> list[Finding]:
    out = []
    for t in ctx.doc.tables_of(TableType.three_public):
        got = {}
        for key in ("三公经费",) + _THREE + ("公务用车购置费", "公务用车运行费"):
            refs = [r for r in ctx.index.lookup(key) if r.table is t and r.figure.value is not None]
            if refs:
                got[key] = refs[0].figure
        if "三公经费" in got and all(k in got for k in _THREE):
            out += check_sum(ctx, t, "A-THREE-PUBLIC", "三公经费合计=出国+接待+公务用车", got["三公经费"], [got[k] for k in _THREE],
                             list(_THREE), "三公经费合计")
        if all(k in got for k in ("公务用车购置及运行费", "公务用车购置费", "公务用车运行费")):
            out += check_sum(ctx, t, "A-CAR", "公务用车购置及运行费=购置费+运行费", got["公务用车购置及运行费"],
                             [got["公务用车购置费"], got["公务用车运行费"]], ["公务用车购置费", "公务用车运行费"], "公务用车购置及运行费")
    return out
