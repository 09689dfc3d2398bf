"""Operations on resolved quantities, in Decimal and in one unit (万元), each shown as arithmetic.

Every operand is written as its exact 万元 value ("1229.1152万元" for a cell printed 12,291,152.00 元),
so the grounding guard can trace it to the cell by an exact unit conversion and recompute the
result; a percentage is rounded half-up to 2 decimals, an amount is exact. Operands in different
units never meet: they are converted before any operation, never after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from indexing.numbers import half_unit, parse_number, to_unit
from service.semantic.quantity import CENT, Quantity, operand, plain


@dataclass
class Computation:
    expr: str  # the shown arithmetic, "a万元 ÷ b万元 × 100% = c%"
    result: Decimal
    unit: str  # "%" or "万元"
    operands: list[Quantity] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.unit == "%":
            return f"{self.result}%"
        return f"{self.result.quantize(CENT, rounding=ROUND_HALF_UP):,}万元"


def share(part: Quantity, whole: Quantity) -> Optional[Computation]:
    if whole.wan == 0:
        return None
    p = (part.wan / whole.wan * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return Computation(f"{operand(part)} ÷ {operand(whole)} × 100% = {p}%", p, "%", [part, whole])


def difference(a: Quantity, b: Quantity) -> Computation:
    """The larger minus the smaller (a result is never negative: the words say which is larger)."""
    hi, lo = (a, b) if a.wan >= b.wan else (b, a)
    d = hi.wan - lo.wan
    return Computation(f"{operand(hi)} − {operand(lo)} = {plain(d)}万元", d, "万元", [hi, lo])


def total(parts: list[Quantity]) -> Computation:
    t = sum((p.wan for p in parts), Decimal(0))
    return Computation(" + ".join(operand(p) for p in parts) + f" = {plain(t)}万元", t, "万元", list(parts))


def derivation(q: Quantity) -> Optional[Computation]:
    """How a derived quantity was obtained: a sum of parts, or prior = current ∓ change."""
    if not q.derived_from:
        return None
    if _from_change(q):
        cur, op, delta = q.derived_from
        return Computation(f"{operand(cur)} {op} {operand(delta)} = {plain(q.wan)}万元", q.wan, "万元", [cur, delta])
    return total(list(q.derived_from))


def _from_change(q: Quantity) -> bool:
    """Was `q` derived as current ∓ a stated change (derived_from = (current, "−"/"+", change))?"""
    return len(q.derived_from) == 3 and isinstance(q.derived_from[1], str)


def stated_change(prior: Quantity) -> Optional[tuple[Quantity, str]]:
    """(the change the document states, 增加 or 减少) when last year's figure was derived from it
    (prior = current ∓ stated change): that change is the answer as printed. Computing it again
    from the derived prior would only go round in a circle, and from a table's unrounded current
    figure it would print a false precision ("794.880834万元" for a stated 794.88万元)."""
    if _from_change(prior):
        _, op, delta = prior.derived_from
        return delta, ("增加" if op == "−" else "减少")
    return None


def rate_of(delta: Quantity, prior: Quantity) -> Optional[Computation]:
    """A stated change in % of last year's figure (None when last year was 0)."""
    if prior.wan == 0:
        return None
    r = (delta.wan / prior.wan * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return Computation(f"{operand(delta)} ÷ {operand(prior)} × 100% = {r}%", r, "%", [delta, prior])


def _half_unit(q: Quantity) -> Decimal:
    """Half a unit of the last digit the figure is printed with, in 万元 ("9.40" 万元 → 0.005)."""
    parsed = parse_number(q.raw or "")
    decimals = parsed.decimals if parsed is not None and parsed.value is not None else 0
    return to_unit(half_unit(decimals), q.unit, "万元") if q.is_amount else Decimal(0)


def derived_from_rounded(q: Quantity) -> bool:
    """Is last year's figure, derived as current ∓ stated change, uncertain in its last printed
    digit? Both operands are printed rounded, so the derived figure lies within the sum of their
    half-units; when that interval holds more than one value at cents ("67.12万元 + 9.40万元":
    76.5150–76.5250), the cents shown may differ from the document's own unrounded figure."""
    if not _from_change(q):
        return False
    cur, _, delta = q.derived_from
    h = _half_unit(cur) + _half_unit(delta)
    lo, hi = (x.quantize(CENT, rounding=ROUND_HALF_UP) for x in (q.wan - h, q.wan + h))
    return lo != hi


def change(current: Quantity, prior: Quantity) -> tuple[Computation, Optional[Computation]]:
    """(change in 万元, change in % of last year's figure, None when last year was 0)."""
    delta = difference(current, prior)
    rate = None
    if prior.wan != 0:
        r = (delta.result / prior.wan * 100).quantize(CENT, rounding=ROUND_HALF_UP)
        rate = Computation(f"{plain(delta.result)}万元 ÷ {operand(prior)} × 100% = {r}%", r, "%", [prior])
    return delta, rate


def rank(quantities: list[Quantity], lowest_first: bool = False) -> list[Quantity]:
    """Departments ordered by the metric in 万元 (tables in 元 and in 万元 compared in one unit)."""
    return sorted(quantities, key=lambda q: q.wan, reverse=not lowest_first)
