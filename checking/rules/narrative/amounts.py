"""N-AMOUNT: an amount of the narrative against the table cells it aligns to (by code, by exact
label, by a label's end, or a nil amount against a table printed empty with its 空表说明), 元/万元/
亿元 tried. Agreement within rounding or truncation is a hint; a disagreement names the likely slip
(unit, swapped or missing digit); a cell from a table the reader doubts is not judged."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from indexing.numbers import Agreement, to_unit

from checking.claims import Claim
from checking.findings import Category, Finding, Severity, fmt
from checking.rules import CheckContext, compare_amount
from checking.rules.narrative.comparable import comparable
from checking.rules.narrative.finding import claim_place, narrative_finding, sure_claim

_SCALES = (("元", "万元"), ("万元", "元"), ("亿元", "万元"), ("万元", "亿元"))


def check_amount(ctx: CheckContext, c: Claim) -> list[Finding]:
    if (ctx.doc.meta.kind or "") == "决算" and c.basis not in (None, "决算", "决算数"):
        return []  # 年初/全年预算 figures of a 决算: the 决算 tables hold the outturn only
    refs, how = ctx.index.candidates(c)
    refs = comparable(ctx, c, refs, how)
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
            return [narrative_finding(ctx, "N-AMOUNT-TRUNCATED", Severity.hint, Category.narrative_vs_table,
                                      f"“{c.metric}”写作{c.raw}，表中为{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}：截去尾数而非四舍五入"
                                      f"（四舍五入应为{fmt(rounded)}{c.unit}）", c, [r], expected, agreement.value,
                                      f"{fmt(expected)} → 截断 {c.raw}，四舍五入 {fmt(rounded)}")]
        word = "四舍五入"
        return [narrative_finding(ctx, "N-AMOUNT-ROUND", Severity.hint, Category.narrative_vs_table,
                                  f"“{c.metric}”{c.raw}与表中{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}一致（{word}）",
                                  c, [r], expected, agreement.value)]
    usable = [x for x in results if x[0].usable and x[0].figure.value is not None]
    if not usable and any(x[0].figure.value is None and x[0].usable for x in results):
        return [narrative_finding(ctx, "N-AMOUNT-BLANK", Severity.warning, Category.narrative_vs_table,
                                  f"叙述“{c.metric}”{c.raw}，表中对应栏为空", c, [x[0] for x in results][:3], Decimal(0), "outside")]
    if not usable:
        return _not_judged(ctx, c, results)
    if how == "empty" and not all(x[0].table.empty_note for x in usable):
        # "contradicted" by a table the reader saw as empty, with no 空表说明 printed: a table read
        # as empty is likelier a misreading than a nil budget stated as non-zero
        return _not_judged(ctx, c, usable)
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
        return [narrative_finding(ctx, "N-AMOUNT-ROUND", Severity.hint, Category.narrative_vs_table,
                                  f"“{c.metric}”{c.raw}与表中{r.figure.raw}{ctx.cell_unit(r.figure, r.table)}相差不足末位一个单位"
                                  f"（疑为分项舍入后相加）", c, [r], expected, "outside",
                                  f"{c.raw} − {fmt(expected)} = {fmt(c.value - expected)}")]
    # a table printed without a title is typed from its content: which table it is stays a guess
    severity = (Severity.error if how in ("code", "exact", "empty") and len(values) == 1 and sure_claim(c)
                and all((x[0].table.title or "").strip() for x in usable) else Severity.warning)
    label = (c.item_path[-1] if c.item_path else "") or c.metric or r.row.name
    cell_unit = ctx.cell_unit(r.figure, r.table)
    shown = f"{r.figure.raw}{cell_unit}，即{fmt(expected)}{c.unit}" if cell_unit != c.unit else f"{r.figure.raw}{c.unit}"
    msg = f"叙述“{label}”{c.raw}，表中为{shown}（《{r.table.title}》“{r.row.name or r.label}”）"
    if slip:
        msg += f"；{slip}"
    arith = f"{c.raw} − {fmt(expected)} = {fmt(c.value - expected)}"
    return [narrative_finding(ctx, "N-AMOUNT", severity, Category.narrative_vs_table, msg, c, [x[0] for x in usable], expected, "outside", arith)]


def _not_judged(ctx: CheckContext, c: Claim, results) -> list[Finding]:
    """No finding: N-AMOUNT is blocked at this claim on each table of `results` (the reader's doubt
    is reported once per table, naming the checks it blocked)."""
    for t in {id(x[0].table): x[0].table for x in results}.values():
        ctx.block(t, "N-AMOUNT", claim_place(c))
    return []


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
