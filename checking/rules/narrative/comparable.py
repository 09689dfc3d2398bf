"""Which cells a narrative amount may be compared with (issue 16: pairs never compared).

The label index offers every cell whose label fits; many of them hold another scope of money than
the sentence speaks of: a performance table's goal-scoped funds, a fund-scoped table, the
department's totals against one 科目's split, one activity's components or a 本级 unit's figures,
every fund's money against 一般公共预算 alone, a 三公 figure against the basic-expenditure rows.
These are dropped before anything is judged, so a different scope is silence, not an error."""

from __future__ import annotations

import re

from checking.claims import Claim
from checking.label_keys import canon
from checking.rules import CheckContext
from checking.table_cells import fund_expenditure_cells, is_total_row
from indexing.model import TableType

_PERFORMANCE = (TableType.performance_overall, TableType.performance_project)
_THREE_PUBLIC_KEYS = {"三公经费", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费"}
_FUND_SCOPED = {TableType.gov_fund: r"政府性基金", TableType.state_capital: r"国有资本经营"}
# columns that count things (a procurement list's 数量): never an amount of money
_COUNT_COLUMN = re.compile(r"(?:^|/)(?:数量|人数|个数|台数|辆数|车辆数|户数|次数)(?:#\d+)?$")


def comparable(ctx: CheckContext, c: Claim, refs: list, how: str) -> list:
    """The cells of `refs` (aligned `how`) that hold the same scope of money as the claim; a
    project named loosely ('fuzzy') keeps them all (agreement confirms it, disagreement proves
    nothing)."""
    refs = [r for r in refs if not _COUNT_COLUMN.search(r.figure.location.column or "")]
    if how == "fuzzy":
        return refs
    # a department-level amount is compared with the budget tables, not with a 绩效目标表: a
    # performance table's funds are scoped to what its goals cover (one project, or the
    # department's 整体 goals with their own fund split)
    kept = [r for r in refs if r.table.standard_type not in _PERFORMANCE]
    # a fund-scoped table (政府性基金 / 国有资本经营预算支出表) holds that fund's money only: it is
    # compared with a figure whose sentence names that fund, never with a department total
    refs = [r for r in kept if r.table.standard_type not in _FUND_SCOPED
            or re.search(_FUND_SCOPED[r.table.standard_type], c.quote or c.context)]
    refs = _general_scope(ctx, c, refs)
    if refs and _item_breakdown(ctx, c) and all(is_total_row(r.row, r.table) for r in refs):
        refs = []  # a 科目's own 人员经费/公用经费 split, not the department's totals
    if how != "code" and _not_department_scope(c):
        refs = []
    if canon(c.metric) in _THREE_PUBLIC_KEYS:
        # a 三公 figure covers every fund source of that spending; the 基本支出 economic rows
        # (30231 公务用车运行维护费) hold its basic-expenditure part only: compared with the 三公 table
        refs = [r for r in refs if r.table.standard_type is TableType.three_public]
    return refs


_ITEM_RE = re.compile(r"[（(]\d{3}(?:\s?\d{2}){0,2}[)）]|[（(][类款项][)）]|\d{3}类|\d{2}款|\d{2}项|”科目")
_BREAKDOWN_RE = re.compile(r"具体为|具体包括|其中|分别为|主要用于")


def _not_department_scope(c: Claim) -> bool:
    """Figures that are not the department's 科目 or totals, whatever their label: the components of
    one activity listed after 主要包括 ("全民健身及体育竞赛管理预算3,441.94万元，主要包括体育竞赛3,017
    万元") — a 科目 of the same name holds more — and a sentence about the department's 本级 unit
    alone ("XX局（本级）预算14,316.37万元，包括…") in a disclosure that adds its units."""
    before = c.context or ""
    # the list runs over "；" only while its items carry amounts ("主要包括：A 21.60万元，用于…；B")
    return bool(re.search(r"主要包括(?:[^。；]*|[^。]*?\d\s*万元[^。]*)$", before) or re.search(r"[（(]本级[)）]", before))


def _item_breakdown(ctx: CheckContext, c: Claim) -> bool:
    """A figure after 具体为 / 其中 / 分别为 splits the 科目 named before it — in its own sentence
    ("对个人和家庭的补助（303）100151.38万元，其中：人员经费138.06万元") or in the sentence before
    ("（3）行政事业单位养老支出（20805）705.90万元…。具体为：人员经费675.90万元…；公用经费…"): its
    人员经费 / 公用经费 / 专项业务经费 are that 科目's, never compared with the department's 合计 row."""
    sec = next((s for s in ctx.doc.sections if s.id == c.location.section_id), None)
    if sec is None:
        return False
    at = c.location.offset if c.location.offset is not None else sec.text.find(c.quote[:20])
    if at is None or at <= 0:
        return False
    before = sec.text[max(0, at - 400):at]
    *rest, cur = before.split("。")
    word = _BREAKDOWN_RE.search(cur)
    if word is None:
        return False
    if _ITEM_RE.search(cur[: word.start()]):
        return True
    return not cur[: word.start()].strip(" \n：:，,") and bool(rest) and bool(_ITEM_RE.search(rest[-1]))


# Tables whose amounts are 一般公共预算 money only; the others (收支总表, 收入/支出总表, the 合计 columns
# of 财政拨款收支总表) add every fund.
_GENERAL_TABLES = (TableType.general_budget_expenditure, TableType.general_basic_expenditure,
                   TableType.three_public, TableType.operating_cost)
_FUND_WORDS = re.compile(r"一般公共预算|政府性基金|国有资本经营|财政拨款|单位资金|事业收入|经营收入|其他收入")


def _general_scope(ctx: CheckContext, c: Claim, refs: list) -> list:
    """A figure under a sentence about 一般公共预算 ("一般公共预算支出X万元，主要用于：城乡社区支出Y万元")
    is 一般公共预算 money; the same 科目 in a table of every fund (收支总表, 支出总表) also holds its
    政府性基金 and 国有资本经营 money. The two are compared only where the other funds are nil (a
    政府性基金 table printed empty, no 国有资本经营 figure); a metric that names its own fund (政府性基金
    预算拨款收入) keeps its label's scope. A 科目 figure of a sentence naming no fund, under a heading
    naming none, is likewise not compared with the 一般公共预算支出表's 科目 rows."""
    if _FUND_WORDS.search(c.metric or "") or _other_funds_nil(ctx.doc):
        return refs
    if re.search(r"一般公共预算", c.context or c.quote or ""):
        return [r for r in refs if r.table.standard_type in _GENERAL_TABLES]
    # the other way round: a 科目 of a sentence that names no fund, under a heading that names none
    # ("（5）交通运输支出（类）支出103,827.76万元" in 支出预算总计), is every fund's money — not
    # compared with the 科目 rows of the 一般公共预算支出表
    sec = next((s for s in ctx.doc.sections if s.id == c.location.section_id), None)
    if sec is not None and re.search(r"一般公共预算|财政拨款", sec.heading or ""):
        return refs
    return [r for r in refs if r.table.standard_type is not TableType.general_budget_expenditure
            or is_total_row(r.row, r.table)]


_NIL: dict[int, tuple[object, bool]] = {}


def _other_funds_nil(doc) -> bool:
    """The document holds no 政府性基金 or 国有资本经营 money: a 政府性基金 table printed (empty or all
    zero) and no non-zero 国有资本经营 table, or the 财政拨款收支总表's 本年支出 row printing both
    nil (computed once per document)."""
    hit = _NIL.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    fund = [t for t in doc.tables if t.standard_type is TableType.gov_fund]
    capital = [t for t in doc.tables if t.standard_type is TableType.state_capital]
    nonzero = lambda ts: any(f.value for t in ts for r in t.rows for f in r.figures())  # noqa: E731
    nil = bool(fund) and not nonzero(fund) and not nonzero(capital)
    if not nil:  # or the 财政拨款收支总表's 本年支出 row prints those funds nil
        for t in doc.tables_of(TableType.fiscal_summary):
            cells = fund_expenditure_cells(t)
            others = [cells.get(k) for k in ("政府性基金预算支出", "国有资本经营预算支出")]
            if any(others) and all(r is None or not r.figure.value for r in others):
                nil = True
    _NIL.clear()
    _NIL[id(doc)] = (doc, nil)
    return nil
