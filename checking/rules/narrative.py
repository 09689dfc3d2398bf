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
- a rate or change recomputed from figures of another statement (`_same_sentence`): only the
  claim's own sentence and the one just before it;
- a 人员经费 / 公用经费 split of one 科目 ("具体为：…" after the 科目's sentence) against the
  department's 合计 row (`_item_breakdown`);
- the components of one activity (after 主要包括) and a 本级 unit's figures against the
  department's 科目 and totals (`_not_department_scope`);
- a figure under a sentence about 一般公共预算 against a table of every fund (收支总表, 支出总表) while
  the document has 政府性基金 or 国有资本经营 money (`_general_scope`);
- a share of a total the sentence defines by exclusion ("占财政性资金(…除外)总额").

Precision first: a claim is an error only when it aligns to its cell by code or by an exact
label, the cells it aligns to agree with each other and none of them agrees with the claim, the
table is `sure` and the figure was typed by a rule. Anything weaker is a warning; a cell from a
table the reader doubts is not judged (one X-TABLE-DOUBT per table).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from indexing.numbers import Agreement, Interval, compare_printed, ratio_interval, to_unit

from checking.align import canon, fund_expenditure_cells, is_total_row
from checking.claims import Claim
from checking.findings import SEVERITY_ORDER, Category, Evidence, Finding, LedgerStatus, Severity, fmt
from checking.rules import CheckContext, cell_interval, claim_evidence, compare_amount, ref_evidence, table_sure
from indexing.model import Location, TableType

_PERFORMANCE = (TableType.performance_overall, TableType.performance_project)
_THREE_PUBLIC_KEYS = {"三公经费", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费"}
_FUND_SCOPED = {TableType.gov_fund: r"政府性基金", TableType.state_capital: r"国有资本经营"}
_SCALES = (("元", "万元"), ("万元", "元"), ("亿元", "万元"), ("万元", "亿元"))


_CHECKS = {"amount": "N-AMOUNT", "share_pct": "N-SHARE", "change_amount": "N-CHANGE", "change_pct": "N-RATE", "count": "N-COUNT"}


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for c in ctx.claims:
        check = _CHECKS.get(c.kind)
        if check is None:
            continue
        n = len(ctx.ledger)
        fn = {"amount": _amount, "share_pct": _share, "count": _count}.get(c.kind, _change)
        found = fn(ctx, c)
        out += found
        if len(ctx.ledger) > n:
            continue  # the rule recorded its own outcome (a check blocked by a doubted table)
        place = f"“{c.quote[:40]}” {c.raw}{c.unit or ''}"
        if found:
            ctx.record_findings(check, place, sorted(found, key=lambda f: SEVERITY_ORDER[f.severity]))
        else:
            ctx.record(check, place, LedgerStatus.passed if c.id in ctx.aligned else LedgerStatus.insufficient)
    return out


def _sure_claim(c: Claim) -> bool:
    """A narrative figure read without doubt: typed by a rule (an LLM-typed claim is a guess)."""
    return c.source == "rule"


def _same_sentence(c: Claim, others: list[Optional[Claim]]) -> bool:
    """Arithmetic on a stated rate or change uses the figures of its own statement: its sentence,
    or the sentence just before it in the same section (the templates state the amount, then the
    comparison: "“三公”经费预算为0万元。较2024年减少4万元，减少100%"). A figure from further away (an
    amount matched by label elsewhere in the section) may be another scope, year or basis, so the
    recomputation is not made (issue 16: pairs that must not be compared)."""
    return all(x is None or (x.location.section_id == c.location.section_id and 0 <= c.sentence - x.sentence <= 1)
               for x in others)


def _amount(ctx: CheckContext, c: Claim) -> list[Finding]:
    if (ctx.doc.meta.kind or "") == "决算" and c.basis not in (None, "决算", "决算数"):
        return []  # 年初/全年预算 figures of a 决算: the 决算 tables hold the outturn only
    refs, how = ctx.index.candidates(c)
    if how != "fuzzy":
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
    if not refs:
        return []
    ctx.aligned.add(c.id)
    ctx.claim_refs[c.id] = [r for r in refs if r.figure.value is not None][:2]
    results = [(r, *compare_amount(ctx, c, r)) for r in refs]
    good = [x for x in results if x[1] is not Agreement.outside]
    if good:
        r, agreement, expected = min(good, key=lambda x: list(Agreement).index(x[1]))
        if agreement is Agreement.exact:
            return []
        if agreement is Agreement.truncation:
            # the narrative cut the table's digits instead of rounding them (328,661 for 328,661.81):
            # within the truncation interval, so a hint, but its own family (issue 16)
            q = Decimal(1).scaleb(-c.decimals)
            rounded = expected.quantize(q, rounding=ROUND_HALF_UP)
            return [_finding(ctx, "N-AMOUNT-TRUNCATED", Severity.hint, Category.narrative_vs_table,
                             f"“{c.metric}”写作{c.raw}，表中为{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}：截去尾数而非四舍五入"
                             f"（四舍五入应为{fmt(rounded)}{c.unit}）", c, [r], expected, agreement.value,
                             f"{fmt(expected)} → 截断 {c.raw}，四舍五入 {fmt(rounded)}")]
        word = "四舍五入"
        return [_finding(ctx, "N-AMOUNT-ROUND", Severity.hint, Category.narrative_vs_table,
                         f"“{c.metric}”{c.raw}与表中{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}一致（{word}）",
                         c, [r], expected, agreement.value)]
    usable = [x for x in results if x[0].usable and x[0].figure.value is not None]
    if not usable and any(x[0].figure.value is None and x[0].usable for x in results):
        return [_finding(ctx, "N-AMOUNT-BLANK", Severity.warning, Category.narrative_vs_table,
                         f"叙述“{c.metric}”{c.raw}，表中对应栏为空", c, [x[0] for x in results][:3], Decimal(0), "outside")]
    if not usable:
        place = f"“{c.quote[:40]}” {c.raw}{c.unit or ''}"
        for t in {id(x[0].table): x[0].table for x in results}.values():
            ctx.block(t, "N-AMOUNT", place)
        return []
    if how == "empty" and not all(x[0].table.empty_note for x in usable):
        # "contradicted" by a table the reader saw as empty, with no 空表说明 printed: a table read
        # as empty is likelier a misreading than a nil budget stated as non-zero
        place = f"“{c.quote[:40]}” {c.raw}{c.unit or ''}"
        for t in {id(x[0].table): x[0].table for x in usable}.values():
            ctx.block(t, "N-AMOUNT", place)
        return []
    r, _, expected = usable[0]
    values = {x[2] for x in usable}
    if len(values) == 1:
        ctx.table_value[c.id] = expected
    slip = _slip(ctx, c, usable)
    if how == "fuzzy":
        return []  # a project named loosely: agreement confirms it, disagreement proves nothing
    step = Decimal(1).scaleb(-c.decimals)
    if len(values) == 1 and abs(c.value - expected) < step and all(_last_digit(ctx, x[0], c) < step for x in usable):
        # the table prints finer than the narrative and the two differ by less than the narrative's
        # last digit (921.33 for 921.324552, 5,331 for 5,330.0945): a total added up from rounded
        # parts, not a wrong figure — a hint
        return [_finding(ctx, "N-AMOUNT-ROUND", Severity.hint, Category.narrative_vs_table,
                         f"“{c.metric}”{c.raw}与表中{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}相差不足末位一个单位"
                         f"（疑为分项舍入后相加）", c, [r], expected, "outside",
                         f"{c.raw} − {fmt(expected)} = {fmt(c.value - expected)}")]
    # a table printed without a title is typed from its content: which table it is stays a guess
    severity = (Severity.error if how in ("code", "exact", "empty") and len(values) == 1 and _sure_claim(c)
                and all((x[0].table.title or "").strip() for x in usable) else Severity.warning)
    label = (c.item_path[-1] if c.item_path else "") or c.metric or r.row.name
    cell_unit = ctx.cell_unit(r.figure, r.table)
    shown = f"{r.figure.raw}{cell_unit}，即{fmt(expected)}{c.unit}" if cell_unit != c.unit else f"{r.figure.raw}{c.unit}"
    msg = f"叙述“{label}”{c.raw}，表中为{shown}（《{r.table.title}》“{r.row.name or r.label}”）"
    if slip:
        msg += f"；{slip}"
    arith = f"{c.raw} − {fmt(expected)} = {fmt(c.value - expected)}"
    return [_finding(ctx, "N-AMOUNT", severity, Category.narrative_vs_table, msg, c, [x[0] for x in usable], expected, "outside", arith)]


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


def _last_digit(ctx: CheckContext, ref, c: Claim) -> Decimal:
    """One unit of the cell's last printed digit, in the claim's unit (1 元 = 0.0001 万元)."""
    return to_unit(Decimal(1).scaleb(-ref.figure.decimals), ctx.cell_unit(ref.figure, ref.table), c.unit)


def _slip(ctx: CheckContext, c: Claim, usable) -> str:
    """Name the likely kind of slip: unit (元/万元/亿元), swapped digits, one digit too many/few."""
    for r, _, expected in usable:
        if c.value == 0 or r.figure.value is None:
            continue
        unit = ctx.cell_unit(r.figure, r.table)
        for a, b in _SCALES:
            v = to_unit(r.figure.value, unit, b)
            if a == c.unit and abs(v - c.value) <= Decimal(1).scaleb(-c.decimals) / 2:
                return f"数值按{b}计相符，疑为单位错写（{c.unit}应为{b}）"
        exp_digits = format(expected.quantize(Decimal(1).scaleb(-c.decimals)), "f").replace(".", "").lstrip("0")
        got = c.raw.replace(",", "")
        got_digits = "".join(ch for ch in got if ch.isdigit()).lstrip("0")
        if sorted(exp_digits) == sorted(got_digits) and exp_digits != got_digits:
            return "数字相同而顺序不同，疑为数字颠倒"
        if len(got_digits) == len(exp_digits) + 1 and any(got_digits[:i] + got_digits[i + 1 :] == exp_digits for i in range(len(got_digits))):
            return "多出一位数字，疑为笔误"
        if len(got_digits) + 1 == len(exp_digits) and any(exp_digits[:i] + exp_digits[i + 1 :] == got_digits for i in range(len(exp_digits))):
            return "少了一位数字，疑为笔误"
    return ""


def _share(ctx: CheckContext, c: Claim) -> list[Finding]:
    cur, base = ctx.claim(c.current_id), ctx.claim(c.base_id)
    if cur is None or base is None or base.value == 0 or cur.unit != base.unit:
        return []
    named = re.search(r"占([^，。；]{2,40}?)(?:总额|总数|合计|的比重|的比例|比重|比例)?$", c.context)
    if named and re.search(r"除外|不含|以外|扣除", named.group(1)):
        return []  # the share is of a total the sentence defines by exclusion: not the stated amount
    if named and not _names_base(named.group(1), base.metric):
        return []  # "占本年支出合计的14.27%" after a 年初预算 amount: the whole it names is not stated
    ctx.aligned.add(c.id)
    iv = ratio_interval(Interval.printed(cur.value, cur.decimals), Interval.printed(base.value, base.decimals))
    if iv is None:
        return []

    agreement = compare_printed(c.value, c.decimals, iv)
    expected = (cur.value / base.value * 100).quantize(Decimal(1).scaleb(-max(c.decimals, 2)))
    if expected == c.value:
        return []
    arith = f"{cur.raw} ÷ {base.raw} × 100% = {fmt(expected)}%"
    if agreement is Agreement.exact:
        return []
    if agreement is not Agreement.outside:
        return [_finding(ctx, "N-SHARE-ROUND", Severity.hint, Category.narrative_vs_table,
                         f"占比{c.raw}与重新计算一致（{'截断' if agreement is Agreement.truncation else '四舍五入'}）",
                         c, [], expected, agreement.value, arith, extra=[cur, base])]
    adjusted = _adjusted_to_whole(ctx, c, expected)
    if adjusted is not None:
        return [_finding(ctx, "N-SHARE-ADJUSTED", Severity.hint, Category.narrative_vs_table,
                         f"占比{c.raw}与四舍五入的{fmt(expected)}%差一位尾数：为使同句{adjusted}项占比合计100%"
                         f"而作的尾数调整（常见做法，不算错误）", c, [], expected, "outside", arith,
                         extra=[cur, base])]
    same_sentence = base.sentence == c.sentence
    severity = (Severity.error if same_sentence and abs(expected - c.value) > Decimal("0.1") and _sure_claim(c)
                else Severity.warning)
    return [_finding(ctx, "N-SHARE", severity, Category.narrative_vs_table,
                     f"“{c.metric}”占比写作{c.raw}，按{cur.raw}/{base.raw}计算应为{fmt(expected)}%",
                     c, [], expected, "outside", arith, extra=[cur, base])]


def _names_base(whole: str, metric: str) -> bool:
    """The whole a share names ("占本年支出合计的") is the base amount's metric: one holds the
    other, or they share 4 characters; a whole that names nothing (2 characters or fewer) is taken
    as the sentence's base."""
    from checking.claims import _common

    w = re.sub(r"^(?:全部|部门|本部门|单位)|的$|(?:总额|总数|的比重|的比例|比重|比例)$", "", whole.strip())
    m = metric or ""
    return len(w) <= 2 or not m or w in m or m in w or _common(w, m) >= 4


def _other_reading(ctx: CheckContext, c: Claim, cur: Claim, change: Claim) -> bool:
    """Which amount a stated change is of can be read more than one way: after a 其中 list it may be
    the whole or the last part ("收入344,447.70万元，其中：…其他收入3,444.00万元，较上年减少129,422.00
    万元，下降27.31%"); in a 决算 the 决算数 or the 年初预算 printed beside it. The rate is wrong only
    if it fits none of the amounts of its statement (its sentence and the one before)."""
    for x in ctx.claims:
        if x.kind != "amount" or x is cur or x.unit != change.unit or x.location.section_id != c.location.section_id:
            continue
        if not 0 <= c.sentence - x.sentence <= 1 or x.location.offset is None or c.location.offset is None:
            continue
        if x.location.offset > c.location.offset:
            continue
        d = Interval.printed(change.value, change.decimals)
        p = Interval.printed(x.value, x.decimals) - d if change.direction > 0 else Interval.printed(x.value, x.decimals) + d
        iv = ratio_interval(d, p)
        if iv is not None and compare_printed(c.value, c.decimals, iv) is not Agreement.outside:
            return True
    return False


def _adjusted_to_whole(ctx: CheckContext, c: Claim, expected: Decimal) -> Optional[int]:
    """Shares of one total, listed in one sentence, printed so that they add up to exactly 100%
    ("0.68% + 98.64% + 0.68%"), this one a last digit away from its own rounding: a deliberate
    adjustment, not an error. Returns how many shares add up, or None."""
    step = Decimal(1).scaleb(-c.decimals)
    if abs(c.value - expected) != step:
        return None
    siblings = [x for x in ctx.claims if x.kind == "share_pct" and x.base_id == c.base_id and x.sentence == c.sentence]
    if len(siblings) < 2 or sum(x.value for x in siblings) != 100:
        return None
    rounded = []  # each share rounded honestly: an adjustment is only needed when these miss 100%
    for x in siblings:
        cur, base = ctx.claim(x.current_id), ctx.claim(x.base_id)
        if cur is None or base is None or base.value == 0:
            return None
        rounded.append((cur.value / base.value * 100).quantize(step, rounding=ROUND_HALF_UP))
    return len(siblings) if sum(rounded) != 100 else None


def _change(ctx: CheckContext, c: Claim) -> list[Finding]:
    out: list[Finding] = []
    year = ctx.doc.meta.year
    kind = ctx.doc.meta.kind or ""
    if c.compared_year and year and c.compared_year != year - 1 and not (kind == "决算" and c.compared_year == year):
        if c.kind == "change_pct" and c.change_id:
            pass  # reported once, on the change amount of the same clause
        else:
            out.append(_finding(ctx, "N-YEAR", Severity.warning, Category.narrative_vs_table,
                                f"比较年度写作{c.compared_year}年，{year}年{kind or '预算'}应与{year - 1}年比较", c, [], None, None))
    cur = ctx.claim(c.current_id)
    change = ctx.claim(c.change_id)
    prior = ctx.claim(c.prior_id)
    if (c.kind == "change_pct" and change is not None and change.direction is not None and c.direction is not None
            and prior is not None and prior.value > 0 and prior.unit == change.unit):
        # the compared year's amount is printed: the rate is change ÷ that amount, whatever the current one
        ctx.aligned.add(c.id)
        iv = ratio_interval(Interval.printed(change.value, change.decimals), Interval.printed(prior.value, prior.decimals))
        if iv is not None:
            expected = change.value / prior.value * 100
            arith = f"{change.raw} ÷ {prior.raw} × 100% = {fmt(expected.quantize(Decimal('0.01')))}%"
            out += _rate(ctx, c, iv, expected, arith, [change, prior])
        return out
    if cur is None or c.direction is None:
        return out
    if c.kind == "change_amount" and prior is None and c.direction != 0:
        found = _change_by_table_prior(ctx, c, cur)
        if found is not None:
            return out + found
    if not _same_sentence(c, [cur, prior, change]):
        return out  # figures of another sentence: not recomputed (see _same_sentence)
    # 减少…100% means the current amount is nil.
    if c.kind == "change_pct" and c.direction < 0 and c.value == 100 and cur.value != 0:
        out.append(_finding(ctx, "N-MINUS-100", Severity.error, Category.narrative_vs_table,
                            f"写明减少100%，但本年数为{cur.raw}{cur.unit}（应为0）", c, [], Decimal(0), "outside",
                            extra=[cur]))
        return out
    if c.direction == 0 and prior is not None and prior.value != cur.value:
        out.append(_finding(ctx, "N-FLAT", Severity.error, Category.narrative_vs_table,
                            f"写明持平，但上年{prior.raw}、本年{cur.raw}不同", c, [], prior.value, "outside",
                            f"{cur.raw} − {prior.raw} = {fmt(cur.value - prior.value)}", extra=[cur, prior]))
        return out
    if c.kind == "change_pct" and change is not None and change.direction is not None:
        ctx.aligned.add(c.id)
        d = Interval.printed(change.value, change.decimals)
        cu = Interval.printed(cur.value, cur.decimals)
        p = cu - d if change.direction > 0 else cu + d  # prior = current − change
        iv = ratio_interval(d, p)
        if iv is None:
            return out
        prior_v = cur.value - change.direction * change.value
        expected = (change.value / prior_v * 100) if prior_v > 0 else None
        arith = f"{change.raw} ÷ ({cur.raw} {'−' if change.direction > 0 else '+'} {change.raw}) × 100% = {fmt(expected.quantize(Decimal('0.01'))) if expected is not None else '—'}%"
        if compare_printed(c.value, c.decimals, iv) is Agreement.outside and _other_reading(ctx, c, cur, change):
            ctx.record("N-RATE", f"“{c.quote[:40]}” {c.raw}%", LedgerStatus.passed)
            return out
        out += _rate(ctx, c, iv, expected, arith, [cur, change])
    elif prior is not None and prior.value > 0:
        ctx.aligned.add(c.id)
        cu, pr = Interval.printed(cur.value, cur.decimals), Interval.printed(prior.value, prior.decimals)
        diff = cur.value - prior.value
        sign = (diff > 0) - (diff < 0)
        tv = ctx.table_value.get(cur.id)
        if tv is not None and sign != c.direction and ((tv > prior.value) - (tv < prior.value)) == c.direction:
            return out  # the words fit the table's amount: only the stated amount is wrong (reported there)
        if sign != 0 and sign != c.direction and c.direction != 0:
            out.append(_finding(ctx, "N-DIRECTION", Severity.error, Category.narrative_vs_table,
                                f"写作“{c.direction_word}”，但本年{cur.raw}{'低于' if sign < 0 else '高于'}上年{prior.raw}",
                                c, [], None, "outside", f"{cur.raw} − {prior.raw} = {fmt(diff)}",
                                extra=[cur, prior]))
            return out
        if c.kind == "change_amount":

            iv = cu - pr
            agreement = compare_printed(c.value, c.decimals, Interval(abs(iv.low), abs(iv.high)) if iv.low >= 0 else Interval(-iv.high, -iv.low))
            if agreement is Agreement.outside:
                out.append(_finding(ctx, "N-CHANGE", Severity.error, Category.narrative_vs_table,
                                    f"变动额写作{c.raw}，按本年{cur.raw}与上年{prior.raw}计算应为{fmt(abs(diff))}",
                                    c, [], abs(diff), "outside", f"{cur.raw} − {prior.raw} = {fmt(diff)}",
                                    extra=[cur, prior]))
        else:
            d = cu - pr
            iv = ratio_interval(Interval(abs(d.low), abs(d.high)) if d.low >= 0 else Interval(-d.high, -d.low), pr)
            expected = abs(diff) / prior.value * 100
            arith = f"({cur.raw} − {prior.raw}) ÷ {prior.raw} × 100% = {fmt((diff / prior.value * 100).quantize(Decimal('0.01')))}%"
            if iv is not None and d.low < 0 < d.high:
                iv = Interval(Decimal(0), max(abs(d.low), abs(d.high)) / pr.low * 100)
            if iv is not None:
                found = _rate(ctx, c, iv, expected, arith, [cur, prior])
                tv = ctx.table_value.get(cur.id)
                if found and found[0].severity is Severity.error and tv is not None and tv != prior.value:
                    alt = abs(tv - prior.value) / prior.value * 100
                    if abs(alt - c.value) <= Decimal(1).scaleb(-c.decimals):
                        return out  # the rate fits the table's amount: only the amount is wrong (reported there)
                out += found
    return out


def _change_by_table_prior(ctx: CheckContext, c: Claim, cur: Claim) -> Optional[list[Finding]]:
    """No prior-year amount in the sentence, but the table that holds the current amount prints the
    year before next to it ("2024年预算数 | 2025年预算数"): the direction word and the change amount
    are checked against the two cells. None when there is no such table."""
    for ref in ctx.claim_refs.get(cur.id, []):
        pref = ctx.index.prior_of(ref)
        if pref is None or pref.figure.value is None or not ref.usable or not pref.usable:
            continue
        unit = ctx.cell_unit(ref.figure, ref.table)
        now = to_unit(ref.figure.value, unit, c.unit)
        before = to_unit(pref.figure.value, ctx.cell_unit(pref.figure, pref.table), c.unit)
        if compare_amount(ctx, cur, ref)[0] is Agreement.outside:
            return None  # the stated current amount is wrong (reported on the amount)
        ctx.aligned.add(c.id)
        diff = now - before
        sign = (diff > 0) - (diff < 0)
        arith = f"{ref.figure.raw} − {pref.figure.raw} = {fmt(ref.figure.value - pref.figure.value)}"
        if sign != 0 and sign != c.direction:
            return [_finding(ctx, "N-DIRECTION", Severity.error, Category.narrative_vs_table,
                             f"写作“{c.direction_word}”，但表中本年{ref.figure.raw}{'低于' if sign < 0 else '高于'}上年{pref.figure.raw}"
                             f"（《{ref.table.title}》“{pref.row.name}”“{ref.row.name}”）",
                             c, [ref, pref], None, "outside", arith, extra=[cur])]
        iv = cell_interval(ref.figure, unit, c.unit) - cell_interval(pref.figure, ctx.cell_unit(pref.figure, pref.table), c.unit)
        iv = Interval(abs(iv.low), abs(iv.high)) if iv.low >= 0 else Interval(-iv.high, -iv.low) if iv.high <= 0 else Interval(Decimal(0), max(-iv.low, iv.high))

        if compare_printed(c.value, c.decimals, iv) is Agreement.outside:
            return [_finding(ctx, "N-CHANGE", Severity.error, Category.narrative_vs_table,
                             f"变动额写作{c.raw}，表中本年{ref.figure.raw}、上年{pref.figure.raw}，相差{fmt(abs(diff))}{c.unit}",
                             c, [ref, pref], abs(diff), "outside", arith, extra=[cur])]
        return []
    return None


def _rate(ctx: CheckContext, c: Claim, iv: Interval, expected: Optional[Decimal], arith: str, inputs: list[Claim]) -> list[Finding]:

    if not _same_sentence(c, inputs):
        return []  # a rate recomputed from figures of another sentence is not compared

    agreement = compare_printed(c.value, c.decimals, iv)
    if agreement is Agreement.exact:
        return []
    ev = inputs
    if agreement is not Agreement.outside:
        return [_finding(ctx, "N-RATE-ROUND", Severity.hint, Category.narrative_vs_table,
                         f"变动率{c.raw}：按文中数字计算为{fmt(expected.quantize(Decimal('0.01')) if expected is not None else None)}%，"
                         f"计入各数的舍入范围为{fmt(iv.low.quantize(Decimal('0.01')))}%–{fmt(iv.high.quantize(Decimal('0.01')))}%，"
                         f"{c.raw}在范围内（{'截断' if agreement is Agreement.truncation else '四舍五入'}）",
                         c, [], expected, agreement.value, arith, extra=ev)]
    exp = expected.quantize(Decimal("0.01")) if expected is not None else None
    return [_finding(ctx, "N-RATE", Severity.error, Category.narrative_vs_table,
                     f"变动率写作{c.raw}，按文中数字计算应为{fmt(exp)}%", c, [], exp, "outside", arith, extra=ev)]


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
    return [_finding(ctx, "N-UNIT-COUNT", Severity.warning, Category.narrative_vs_table,
                     f"文中称单位{c.raw}，表中列有{n}个预算单位", c, [], n, "outside", cells=ev)]


def _count(ctx: CheckContext, c: Claim) -> list[Finding]:
    if "单位" in c.metric and "项目" not in c.metric:
        return _unit_count(ctx, c)
    threshold = re.search(r"(\d+)万元(?:（含）)?(?:及\d+万元)?以上", c.context[-30:])
    if "转移支付" in c.metric or "绩效" in c.metric or "项目" not in c.metric or ("以上" in c.metric and not threshold):
        return []
    tables = [t for t in ctx.doc.tables_of(TableType.project_expenditure) if t.complete]
    if not tables or c.value == 0:
        return []
    t = tables[0]
    typed = [r for r in t.rows if any(re.fullmatch(r"\S*运转类|特定目标类|\S*项目类", c.text or "") for c in r.cells)]
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
    return [_finding(ctx, "N-COUNT", Severity.warning, Category.narrative_vs_table,
                     f"文中称项目{c.raw}，《{t.title}》列有{n}个项目", c, [], n, "outside", cells=ev)]


def _finding(ctx: CheckContext, code, severity, category, message, c: Claim, refs, expected, agreement, arith=None,
             extra: Optional[list[Claim]] = None, cells: Optional[list[Evidence]] = None) -> Finding:
    """A narrative finding: the claim, the cells it was compared with, the other claims used in
    the arithmetic, and the cells those claims align to. An error needs every side read for sure:
    the claims typed by rules and the cells in tables the reader is sure of."""
    if severity is Severity.error and (not _sure_claim(c) or any(not _sure_claim(x) for x in extra or [])
                                       or any(not table_sure(r.table) for r in refs)):
        severity = Severity.warning
    ev = [claim_evidence(c)] + [ref_evidence(r) for r in refs] + [claim_evidence(x) for x in extra or []] + (cells or [])
    if not refs:
        for x in extra or []:
            ev += [ref_evidence(r) for r in ctx.claim_refs.get(x.id, [])]
    diff = (c.value - expected) if expected is not None else None
    return Finding(code=code, severity=severity, category=category, message=message, evidence=ev, stated=c.value,
                   expected=expected, difference=diff, unit=c.unit, arithmetic=arith, agreement=agreement, claim_id=c.id)
