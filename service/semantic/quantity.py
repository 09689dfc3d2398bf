"""A resolved figure: the value as the document prints it, its unit, where it stands, and the same
value in 万元 (exact), the one unit every operation works in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from indexing.numbers import to_unit

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Quantity:
    label: str  # what it is, in the documents' words: 项目支出, 2010601 行政运行, 某项目
    value: Decimal  # as printed, in `unit`
    unit: str  # 元 / 万元 / 亿元 (amounts); 个 / 辆 for counts
    raw: str  # the printed text of the value ("" for a blank cell read as 0)
    doc_id: str
    department: Optional[str] = None
    year: Optional[int] = None
    table_id: Optional[str] = None  # a table cell ...
    table: Optional[str] = None
    row: Optional[int] = None
    column: Optional[str] = None
    section_id: Optional[str] = None  # ... or a narrative sentence
    sentence: Optional[str] = None
    page: Optional[int] = None
    note: str = ""  # e.g. "空表" (a table printed empty: 0 by the template's rule)
    derived_from: tuple = field(default=())  # operands, when the value is itself computed and shown

    @property
    def wan(self) -> Decimal:
        """The value in 万元, exactly (12,291,152.00 元 → 1229.1152)."""
        if self.unit in ("元", "万元", "亿元"):
            return to_unit(self.value, self.unit, "万元")
        return self.value

    @property
    def is_amount(self) -> bool:
        return self.unit in ("元", "万元", "亿元")

    @property
    def in_table(self) -> bool:
        return self.table_id is not None


def plain(d: Decimal) -> str:
    """A Decimal without exponent or trailing zeros beyond cents: 1229.1152, 20, 0.5."""
    s = format(d.normalize(), "f")
    if "." in s:
        whole, frac = s.split(".")
        s = whole + "." + frac.ljust(2, "0") if len(frac) < 2 else s
    return s


def wan_text(q: Quantity) -> str:
    """'1,229.12万元', and the table's own figure beside it when the table is not in 万元:
    '1,229.12万元（表中12,291,152.00元）'. The 万元 figure is rounded half-up to cents (a rounding of
    the printed cell, which the grounding guard accepts); the exact value is in the arithmetic."""
    if not q.is_amount:
        return f"{q.value}{q.unit}"
    if not q.raw and q.value == 0 and not q.derived_from:  # a blank cell or an empty table: zero
        return "0万元"
    shown = q.wan.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{shown:,}万元"
    if q.unit != "万元" and q.raw:
        text += f"（表中{q.raw.strip()}{q.unit}）"
    return text


def operand(q: Quantity) -> str:
    """The operand as the arithmetic shows it: the exact 万元 value with its unit."""
    return f"{plain(q.wan)}万元" if q.is_amount else f"{q.value}"
