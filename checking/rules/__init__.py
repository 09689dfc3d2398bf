"""Rule families. Each module exposes `run(ctx) -> list[Finding]`; `CheckContext` holds what
they share (the document, its claims, the label index) and the one way to compare an amount."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Figure, Location, Table
from indexing.numbers import Agreement, Interval, compare_printed, to_unit

from checking.align import CellRef, LabelIndex
from checking.claims import Claim
from checking.findings import Evidence, cell_evidence


@dataclass
class CheckContext:
    doc: Document
    claims: list[Claim]
    index: LabelIndex
    by_id: dict[str, Claim] = field(default_factory=dict)
    aligned: set[str] = field(default_factory=set)  # claim ids aligned to at least one cell
    table_value: dict[str, Decimal] = field(default_factory=dict)  # claim id → the cell value it contradicts
    checked: set[tuple[str, Decimal]] = field(default_factory=set)  # (table id, value) of cells a rule compared
    claim_refs: dict[str, list[CellRef]] = field(default_factory=dict)  # amount claim id → its aligned cells

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.claims}

    def claim(self, cid: Optional[str]) -> Optional[Claim]:
        return self.by_id.get(cid) if cid else None

    def cell_unit(self, fig: Figure, table: Optional[Table]) -> Optional[str]:
        return fig.unit or (table.unit if table else None) or self.doc.meta.table_unit or self.doc.meta.unit or "万元"


def claim_evidence(claim: Claim) -> Evidence:
    return Evidence(side="narrative", quote=claim.quote, value=claim.value, raw=claim.raw, unit=claim.unit, location=claim.location)


def ref_evidence(ref: CellRef) -> Evidence:
    return cell_evidence(ref.figure, ref.table.title, ref.row.name or ref.label)


def cell_interval(fig: Figure, from_unit: Optional[str], to: Optional[str]) -> Interval:
    """The printed cell as an interval, converted exactly into the claim's unit."""
    iv = Interval.printed(fig.value if fig.value is not None else Decimal(0), fig.decimals)
    return Interval(to_unit(iv.low, from_unit, to), to_unit(iv.high, from_unit, to))


def compare_amount(ctx: CheckContext, claim: Claim, ref: CellRef) -> tuple[Agreement, Decimal]:
    """Narrative amount vs a cell, in the narrative's unit. Returns the agreement and the cell
    value in the claim's unit (exact conversion, not rounded)."""
    unit = ctx.cell_unit(ref.figure, ref.table)
    if ref.figure.value is None:  # a blank cell is nil
        return (Agreement.exact if claim.value == 0 else Agreement.outside), Decimal(0)
    expected = to_unit(ref.figure.value, unit, claim.unit)
    if expected == claim.value:
        return Agreement.exact, expected
    # A narrative that rounds (5569万元 for 5,569.00) is judged at its own precision.
    return compare_printed(claim.value, claim.decimals, cell_interval(ref.figure, unit, claim.unit)), expected


def loc(claim: Claim) -> Location:
    return claim.location
