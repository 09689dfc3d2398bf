"""Changes and rates: "增加/减少 Z 万元，增长/下降 W%".

- N-RATE: W = Z ÷ prior, prior printed or prior = current − change; N-CHANGE: Z = current − prior,
  from the sentence or from the table printing the year before beside the current amount;
- N-DIRECTION: the word agrees with the sign; N-FLAT: "持平" means no change; N-MINUS-100:
  "减少…100%" means the current amount is 0;
- N-YEAR: a budget is compared with the year before; a 决算 with its own year's budget or the year
  before.
Only the figures of the claim's own statement (its sentence and the one before) are used: a figure
from further away may be another scope, year or basis (`_same_sentence`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from indexing.numbers import Agreement, Interval, compare_printed, ratio_interval, to_unit

from checking.claims import Claim
from checking.findings import Category, Finding, LedgerStatus, Severity, fmt
from checking.rules import CheckContext, cell_interval, compare_amount
from checking.rules.narrative.finding import narrative_finding


def _same_sentence(c: Claim, others: list[Optional[Claim]]) -> bool:
    """Arithmetic on a stated rate or change uses the figures of its own statement: its sentence,
    or the sentence just before it in the same section (the templates state the amount, then the
    comparison: "“三公”经费预算为0万元。较2024年减少4万元，减少100%"). A figure from further away (an
    amount matched by label elsewhere in the section) may be another scope, year or basis, so the
    recomputation is not made (issue 16: pairs that must not be compared)."""
    return all(x is None or (x.location.section_id == c.location.section_id and 0 <= c.sentence - x.sentence <= 1)
               for x in others)


def check_change(ctx: CheckContext, c: Claim) -> list[Finding]:
    out: list[Finding] = []
    year = ctx.doc.meta.year
    kind = ctx.doc.meta.kind or ""
    if c.compared_year and year and c.compared_year != year - 1 and not (kind == "决算" and c.compared_year == year):
        if c.kind == "change_pct" and c.change_id:
            pass  # reported once, on the change amount of the same clause
        else:
            out.append(narrative_finding(ctx, "N-YEAR", Severity.warning, Category.narrative_vs_table,
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
        out.append(narrative_finding(ctx, "N-MINUS-100", Severity.error, Category.narrative_vs_table,
                                     f"写明减少100%，但本年数为{cur.raw}{cur.unit}（应为0）", c, [], Decimal(0), "outside",
                                     extra=[cur]))
        return out
    if c.direction == 0 and prior is not None and prior.value != cur.value:
        out.append(narrative_finding(ctx, "N-FLAT", Severity.error, Category.narrative_vs_table,
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
            out.append(narrative_finding(ctx, "N-DIRECTION", Severity.error, Category.narrative_vs_table,
                                         f"写作“{c.direction_word}”，但本年{cur.raw}{'低于' if sign < 0 else '高于'}上年{prior.raw}",
                                         c, [], None, "outside", f"{cur.raw} − {prior.raw} = {fmt(diff)}",
                                         extra=[cur, prior]))
            return out
        if c.kind == "change_amount":
            iv = cu - pr
            agreement = compare_printed(c.value, c.decimals, Interval(abs(iv.low), abs(iv.high)) if iv.low >= 0 else Interval(-iv.high, -iv.low))
            if agreement is Agreement.outside:
                out.append(narrative_finding(ctx, "N-CHANGE", Severity.error, Category.narrative_vs_table,
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
            return [narrative_finding(ctx, "N-DIRECTION", Severity.error, Category.narrative_vs_table,
                                      f"写作“{c.direction_word}”，但表中本年{ref.figure.raw}{'低于' if sign < 0 else '高于'}上年{pref.figure.raw}"
                                      f"（《{ref.table.title}》“{pref.row.name}”“{ref.row.name}”）",
                                      c, [ref, pref], None, "outside", arith, extra=[cur])]
        iv = cell_interval(ref.figure, unit, c.unit) - cell_interval(pref.figure, ctx.cell_unit(pref.figure, pref.table), c.unit)
        iv = Interval(abs(iv.low), abs(iv.high)) if iv.low >= 0 else Interval(-iv.high, -iv.low) if iv.high <= 0 else Interval(Decimal(0), max(-iv.low, iv.high))
        if compare_printed(c.value, c.decimals, iv) is Agreement.outside:
            return [narrative_finding(ctx, "N-CHANGE", Severity.error, Category.narrative_vs_table,
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
        return [narrative_finding(ctx, "N-RATE-ROUND", Severity.hint, Category.narrative_vs_table,
                                  f"变动率{c.raw}：按文中数字计算为{fmt(expected.quantize(Decimal('0.01')) if expected is not None else None)}%，"
                                  f"计入各数的舍入范围为{fmt(iv.low.quantize(Decimal('0.01')))}%–{fmt(iv.high.quantize(Decimal('0.01')))}%，"
                                  f"{c.raw}在范围内（{'截断' if agreement is Agreement.truncation else '四舍五入'}）",
                                  c, [], expected, agreement.value, arith, extra=ev)]
    exp = expected.quantize(Decimal("0.01")) if expected is not None else None
    return [narrative_finding(ctx, "N-RATE", Severity.error, Category.narrative_vs_table,
                              f"变动率写作{c.raw}，按文中数字计算应为{fmt(exp)}%", c, [], exp, "outside", arith, extra=ev)]


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
