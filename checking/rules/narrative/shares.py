"""N-SHARE: "占 Y%" against part ÷ whole × 100, both stated in the same sentence, within the
rounding of every printed figure. A share of a whole the sentence defines by exclusion, or of a
whole it names that is not the stated base, is not recomputed; shares printed to add up to exactly
100% (one a last digit off its own rounding) are a deliberate adjustment, a hint."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from indexing.numbers import Agreement, Interval, compare_printed, ratio_interval

from checking.claims import Claim
from checking.findings import Category, Finding, Severity, fmt
from checking.rules import CheckContext
from checking.rules.narrative.finding import narrative_finding, sure_claim


def check_share(ctx: CheckContext, c: Claim) -> list[Finding]:
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
        return [narrative_finding(ctx, "N-SHARE-ROUND", Severity.hint, Category.narrative_vs_table,
                                  f"占比{c.raw}与重新计算一致（{'截断' if agreement is Agreement.truncation else '四舍五入'}）",
                                  c, [], expected, agreement.value, arith, extra=[cur, base])]
    adjusted = _adjusted_to_whole(ctx, c, expected)
    if adjusted is not None:
        return [narrative_finding(ctx, "N-SHARE-ADJUSTED", Severity.hint, Category.narrative_vs_table,
                                  f"占比{c.raw}与四舍五入的{fmt(expected)}%差一位尾数：为使同句{adjusted}项占比合计100%"
                                  f"而作的尾数调整（常见做法，不算错误）", c, [], expected, "outside", arith,
                                  extra=[cur, base])]
    same_sentence = base.sentence == c.sentence
    severity = (Severity.error if same_sentence and abs(expected - c.value) > Decimal("0.1") and sure_claim(c)
                else Severity.warning)
    return [narrative_finding(ctx, "N-SHARE", severity, Category.narrative_vs_table,
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

