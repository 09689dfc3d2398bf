"""Scoring an answer against truth values (the generated corpus and the labelled questions alike)."""

from __future__ import annotations

import re
from decimal import Decimal

from indexing.numbers import find_numbers

DECLINE_RE = re.compile(r"文件中没有相关信息|文件未(?:说明|提供|列示|披露)|没有相关信息")


def _decimals(v: Decimal) -> int:
    return max(0, -v.as_tuple().exponent)


def key_value_present(answer: str, gold) -> bool:
    """The answer prints the value with the same or more decimals, within the gold's rounding."""
    g = Decimal(str(gold))
    d = _decimals(g)
    half = Decimal(1).scaleb(-d) / 2
    for n in find_numbers(answer):
        if n.decimals >= d and abs(abs(n.value) - abs(g)) <= half:
            return True
    return False


def unit_slips(answer: str, truth: list, unit: str = "万元") -> list[str]:
    """Amounts printed with a unit whose number is the truth (in `unit`) converted to that unit and
    then off by a factor of 10⁴ or 10⁸: an amount in the wrong unit."""
    from indexing.numbers import to_unit

    if unit not in ("万元", "元", "亿元"):
        return []
    bad = []
    for n in find_numbers(answer):
        if n.unit not in ("万元", "元", "亿元") or n.value is None or n.value == 0:
            continue
        for t in truth:
            want = to_unit(Decimal(str(t)), unit, n.unit)
            if want == 0 or abs(n.value - want) <= abs(want) * Decimal("0.0001"):
                continue
            for k in (Decimal(10000), Decimal(100000000)):
                if any(abs(n.value - s) <= abs(s) * Decimal("0.0001") for s in (want * k, want / k)):
                    bad.append(n.raw)
    return bad
