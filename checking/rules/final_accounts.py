"""决算 documents (the 部门决算 公开 template): the narrative states 年初预算, 全年预算 (调整预算)
and 决算数 per line, a completion rate (完成全年预算的 98.69%) and a comparison word
(决算数小于/大于/等于/与…持平). Identities:
- F-RATE: the rate = 决算数 ÷ the budget it names (年初预算 or 全年预算) × 100, within rounding;
- F-RATE-NIL-BASE: a rate against a nil 年初预算 is meaningless (an editorial defect);
- F-WORD: the comparison word agrees with the sign of 决算数 − the named budget.
Never compared in a 决算: 收入决算表 against 支出决算表 by function (they differ by 结转结余 by
design, cross_table.py); a line's budget figures against the 决算 tables (which hold the outturn).
These rules do not apply to budgets (ledger: not applicable)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Location
from indexing.numbers import Agreement, Interval, compare_printed, ratio_interval

from checking.claims import Claim
from checking.findings import Category, Finding, Severity, fmt
from checking.rules import CheckContext, claim_evidence

_WORD_RE = re.compile(r"决算数?(小于|大于|等于|高于|低于|与全年预算数?持平|与年初预算数?持平|与预算数?持平)(全年预算|年初预算|预算)?")


def run(ctx: CheckContext) -> list[Finding]:
    if (ctx.doc.meta.kind or "") != "决算":
        return []
    out: list[Finding] = []
    for c in ctx.claims:
        if c.kind == "completion_pct":
            out += _completion(ctx, c)
    out += _words(ctx)
    return out


def _line(ctx: CheckContext, c: Claim, before: bool = True) -> list[Claim]:
    """The amounts of the same 决算 line: this sentence and the one before, same section."""
    return [x for x in ctx.claims if x.kind == "amount" and x.location.section_id == c.location.section_id
            and c.sentence - 1 <= x.sentence <= c.sentence and (x.location.offset or 0) < (c.location.offset or 0)]


def _basis_of(text: str) -> str:
    return "年初预算" if "年初" in text else "全年预算"


def _completion(ctx: CheckContext, c: Claim) -> list[Finding]:
    amounts = _line(ctx, c)
    actual = next((x for x in reversed(amounts) if x.basis == "决算"), None)
    want = _basis_of(c.context[-12:])
    base = next((x for x in reversed(amounts) if x.basis == want), None)
    if actual is None or base is None:
        return []
    ctx.aligned.add(c.id)
    ev = [claim_evidence(c), claim_evidence(actual), claim_evidence(base)]
    if base.value == 0:
        other = next((x for x in reversed(amounts) if x.basis and x.basis != want and x.basis != "决算" and x.value), None)
        hint = f"；按{other.basis}{other.raw}计算为{fmt((actual.value / other.value * 100).quantize(Decimal('0.01')))}%" if other else ""
        if other and (actual.value / other.value * 100).quantize(Decimal("0.01")) == c.value:
            hint += f"，与所写一致：应为“完成{other.basis}的{c.raw}”"
        # The figure is right against the other budget; what is wrong is the word: an editorial defect.
        return [Finding(code="F-RATE-NIL-BASE", severity=Severity.warning, category=Category.editorial,
                        message=f"写“完成{want}的{c.raw}”，但{want}为{base.raw}，无完成率可言{hint}", evidence=ev,
                        stated=c.value, unit="%", claim_id=c.id)]
    iv = ratio_interval(Interval.printed(actual.value, actual.decimals), Interval.printed(base.value, base.decimals))
    expected = (actual.value / base.value * 100).quantize(Decimal("0.01"))
    if iv is None or expected == c.value:
        return []
    agreement = compare_printed(c.value, c.decimals, iv)
    arith = f"{actual.raw} ÷ {base.raw} × 100% = {fmt(expected)}%"
    if agreement is not Agreement.outside:
        return [Finding(code="F-RATE-ROUND", severity=Severity.hint, category=Category.narrative_vs_table,
                        message=f"完成率{c.raw}与重新计算一致（舍入）", evidence=ev, stated=c.value, expected=expected,
                        unit="%", arithmetic=arith, agreement=agreement.value, claim_id=c.id)]
    return [Finding(code="F-RATE", severity=Severity.error, category=Category.narrative_vs_table,
                    message=f"完成率写作{c.raw}，按决算{actual.raw}÷{want}{base.raw}应为{fmt(expected)}%", evidence=ev,
                    stated=c.value, expected=expected, difference=c.value - expected, unit="%", arithmetic=arith,
                    agreement="outside", claim_id=c.id)]


def _words(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for sec in ctx.doc.sections:
        for m in _WORD_RE.finditer(sec.text):
            word = m.group(1)
            want = _basis_of(m.group(0))
            probe = Claim(id="_", metric="", kind="completion_pct", value=Decimal(0),
                          location=Location(section_id=sec.id, offset=m.start()), sentence=_sentence_at(ctx, sec.id, m.start()))
            amounts = _line(ctx, probe)
            actual = next((x for x in reversed(amounts) if x.basis == "决算"), None)
            base = next((x for x in reversed(amounts) if x.basis == want), None)
            if actual is None or base is None:
                continue
            diff = actual.value - base.value
            sign = (diff > 0) - (diff < 0)
            said = 0 if ("持平" in word or word == "等于") else (1 if word in ("大于", "高于") else -1)
            if said == sign:
                continue
            out.append(Finding(code="F-WORD", severity=Severity.error, category=Category.narrative_vs_table,
                               message=f"写“决算数{word}{want}数”，但决算{actual.raw}、{want}{base.raw}",
                               evidence=[claim_evidence(actual), claim_evidence(base)], stated=actual.value, expected=base.value,
                               difference=diff, arithmetic=f"{actual.raw} − {base.raw} = {fmt(diff)}", agreement="outside"))
    return out


def _sentence_at(ctx: CheckContext, section_id: str, offset: int) -> int:
    """Sentence number of the claim nearest before `offset` (claims carry sentence numbers)."""
    best: Optional[Claim] = None
    for c in ctx.claims:
        if c.location.section_id == section_id and (c.location.offset or 0) <= offset:
            best = c
    return best.sentence if best else -10
