"""政府采购 and 中小企业 (identities D, the narrative on itself).

The 政府采购 paragraph of the templates (部门预算 and 决算 情况说明, with 财库〔2020〕46号《政府采购促进中小企业
发展管理办法》) states the year's 政府采购 amount, then what of it went to 中小企业:
"在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额C万元；…在其他政府采购项目中，
由中小企业供应商中标或成交的，采购金额E万元". The reserved projects and the other projects are disjoint,
both inside the year's procurement T, so:

- N-PROCUREMENT-SME: C + E ≤ T (within the rounding of the three printed figures);
- N-PROCUREMENT-SME: the 小微企业 reserved amount ≤ the 中小企业 reserved amount (小微 ⊂ 中小).

All figures are printed in one paragraph and typed here by rule: an excess outside rounding is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.numbers import Interval

from checking.findings import Category, Evidence, Finding, LedgerStatus, Severity, fmt
from checking.rules import CheckContext
from indexing.model import Location
from indexing.read.sections import page_at

_AMT = r"([\d,]+(?:\.\d+)?)万元"
_TOTAL = re.compile(r"政府采购(?:支出)?(?:总)?金额(?:[（(][^）)]{0,12}[)）])?为?" + _AMT)
_RESERVED = re.compile(r"在面向中小企业预留的?政府采购项目中[，,]?由中小企业供应商中标或成交的[，,]?采购金额为?" + _AMT)
_OTHER = re.compile(r"在其他政府采购项目中[，,]?由中小企业供应商中标或成交的[，,]?采购金额为?" + _AMT)
_SME_RESERVE = re.compile(r"面向中小企业预留政府采购项目预算金额为?" + _AMT)
_SMALL_RESERVE = re.compile(r"面向小微企业预留政府采购项目预算金额为?" + _AMT)


class _Flat:
    """A section's text without whitespace (PDF lines break inside phrases), mapped back to offsets."""

    def __init__(self, text: str):
        self.index = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.text = "".join(text[i] for i in self.index)

    def at(self, k: int) -> int:
        return self.index[min(k, len(self.index) - 1)] if self.index else 0


def _find(rx: re.Pattern, flat: _Flat) -> Optional[tuple[Decimal, str, int, int]]:
    m = rx.search(flat.text)
    if not m:
        return None
    raw = m.group(1)
    return Decimal(raw.replace(",", "")), raw, m.start(), m.end()


def _interval(raw: str) -> Interval:
    v = Decimal(raw.replace(",", ""))
    return Interval.printed(v, len(raw.split(".")[1]) if "." in raw else 0)


def _evidence(sec, flat: _Flat, hit) -> Evidence:
    value, raw, start, end = hit
    quote = flat.text[start:end]
    off = flat.at(end - len(raw) - 2)
    return Evidence(side="narrative", quote=quote, value=value, raw=raw + "万元", unit="万元",
                    location=Location(section_id=sec.id, offset=off, page=page_at(sec, off)))


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for sec in ctx.doc.sections:
        if "中小企业" not in sec.text:
            continue
        flat = _Flat(sec.text)
        total, reserved, other = _find(_TOTAL, flat), _find(_RESERVED, flat), _find(_OTHER, flat)
        if total and reserved and other:
            place = "政府采购：中小企业（预留 + 其他项目）≤ 采购总额"
            low = _interval(reserved[1]).low + _interval(other[1]).low
            if low > _interval(total[1]).high:
                s = reserved[0] + other[0]
                ctx.record("N-PROCUREMENT-SME", place, LedgerStatus.failed, "N-PROCUREMENT-SME")
                out.append(Finding(
                    code="N-PROCUREMENT-SME", severity=Severity.error, category=Category.arithmetic,
                    message=(f"面向中小企业预留项目中由中小企业中标{reserved[1]}万元，加上其他项目中由中小企业中标"
                             f"{other[1]}万元，共{fmt(s)}万元，超过政府采购总额{total[1]}万元（两类项目互不重叠）"),
                    evidence=[_evidence(sec, flat, other), _evidence(sec, flat, reserved), _evidence(sec, flat, total)],
                    stated=s, expected=total[0], difference=s - total[0], unit="万元", agreement="outside",
                    arithmetic=f"{reserved[1]} + {other[1]} = {fmt(s)} > {total[1]}"))
            else:
                ctx.record("N-PROCUREMENT-SME", place, LedgerStatus.passed)
        sme, small = _find(_SME_RESERVE, flat), _find(_SMALL_RESERVE, flat)
        if sme and small:
            place = "政府采购：面向小微企业预留 ≤ 面向中小企业预留"
            if _interval(small[1]).low > _interval(sme[1]).high:
                ctx.record("N-PROCUREMENT-SME", place, LedgerStatus.failed, "N-PROCUREMENT-SME")
                out.append(Finding(
                    code="N-PROCUREMENT-SME", severity=Severity.error, category=Category.arithmetic,
                    message=f"面向小微企业预留{small[1]}万元大于面向中小企业预留{sme[1]}万元（小微企业属于中小企业）",
                    evidence=[_evidence(sec, flat, small), _evidence(sec, flat, sme)],
                    stated=small[0], expected=sme[0], difference=small[0] - sme[0], unit="万元", agreement="outside",
                    arithmetic=f"{small[1]} > {sme[1]}"))
            else:
                ctx.record("N-PROCUREMENT-SME", place, LedgerStatus.passed)
    return out
