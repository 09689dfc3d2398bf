"""Narrative against tables (identities D): amounts, shares, changes, direction words, counts.

Identities, and where they come from (the 情况说明 template of 财预〔2016〕143号 / 《地方预决算公开
操作规程》 for budgets; the 部门决算 公开 template for final accounts):
- N-AMOUNT: every "X 万元" of the narrative is the amount of its table cell (by code, by exact label,
  or a nil amount against a table printed empty with its 空表说明), 元/万元/亿元 tried;
- N-SHARE: "占 Y%" = part ÷ whole × 100 with the whole stated in the same sentence;
- N-CHANGE / N-RATE: "增加/减少 Z 万元，增长/下降 W%": prior = current − change, W = Z ÷ prior; with a
  printed prior-year amount, W = Z ÷ prior; N-DIRECTION: the word agrees with the sign; N-FLAT:
  "持平" means no change; N-MINUS-100: "减少…100%" means the current amount is 0;
- N-YEAR: a budget is compared with the year before (budget year − 1); a 决算 with its own year's
  budget (年初/全年预算) or the year before;
- N-COUNT: "共N个项目" = the projects of 项目支出表.
Budgets: the narrative's amounts are budget figures, compared with the budget tables. Final
accounts: only 决算数 figures are compared with the 决算 tables (年初预算 and 全年预算 figures of a
决算 line are checked by final_accounts.py against each other, not against the tables).

Pairs never compared (issue 16):
- 机关运行经费 against 公用经费 (a different aggregate; align.LabelIndex.candidates);
- a department-level amount against a 绩效目标表's cells (a performance table's funds are scoped to
  its goals); one project's completion or coverage rate against the department's totals;
- a rate or change recomputed from figures of another statement (`changes._same_sentence`): only the
  claim's own sentence and the one just before it;
- a 人员经费 / 公用经费 split of one 科目 ("具体为：…" after the 科目's sentence) against the
  department's 合计 row (`comparable._item_breakdown`);
- the components of one activity (after 主要包括) and a 本级 unit's figures against the
  department's 科目 and totals (`comparable._not_department_scope`);
- a figure under a sentence about 一般公共预算 against a table of every fund (收支总表, 支出总表) while
  the document has 政府性基金 or 国有资本经营 money (`comparable._general_scope`);
- a share of a total the sentence defines by exclusion ("占财政性资金(…除外)总额").

Precision first: a claim is an error only when it aligns to its cell by code or by an exact
label, the cells it aligns to agree with each other and none of them agrees with the claim, the
table is `sure` and the figure was typed by a rule. Anything weaker is a warning; a cell from a
table the reader doubts is not judged (one X-TABLE-DOUBT per table).

The family's modules, by job (`run` here walks the claims and records each one's outcome):
- `comparable.py`: which cells a narrative amount may be compared with at all (the pairs above);
- `amounts.py`: N-AMOUNT, an amount against its cells, with the slip named (unit, digits);
- `shares.py`: N-SHARE, "占 Y%" recomputed from the sentence's part and whole;
- `changes.py`: N-CHANGE, N-RATE, N-DIRECTION, N-FLAT, N-MINUS-100 and N-YEAR;
- `counts.py`: N-COUNT and N-UNIT-COUNT against the project and unit rows;
- `finding.py`: a narrative finding with both sides' evidence, an error only where both are sure.
"""

from __future__ import annotations

from checking.findings import SEVERITY_ORDER, Finding, LedgerStatus
from checking.rules import CheckContext
from checking.rules.narrative.amounts import check_amount
from checking.rules.narrative.changes import check_change
from checking.rules.narrative.counts import check_count
from checking.rules.narrative.finding import claim_place
from checking.rules.narrative.shares import check_share

_CHECKS = {"amount": "N-AMOUNT", "share_pct": "N-SHARE", "change_amount": "N-CHANGE", "change_pct": "N-RATE", "count": "N-COUNT"}


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for c in ctx.claims:
        check = _CHECKS.get(c.kind)
        if check is None:
            continue
        n = len(ctx.ledger)
        fn = {"amount": check_amount, "share_pct": check_share, "count": check_count}.get(c.kind, check_change)
        found = fn(ctx, c)
        out += found
        if len(ctx.ledger) > n:
            continue  # the rule recorded its own outcome (a check blocked by a doubted table)
        place = claim_place(c)
        if found:
            ctx.record_findings(check, place, sorted(found, key=lambda f: SEVERITY_ORDER[f.severity]))
        else:
            ctx.record(check, place, LedgerStatus.passed if c.id in ctx.aligned else LedgerStatus.insufficient)
    return out
