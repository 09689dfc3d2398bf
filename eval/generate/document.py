"""One generated disclosure before rendering: figures, tables, narrative, and what was injected."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.figures import Budget, make_budget
from eval.generate.narrative import Claim, NSection, Slot, build_narrative
from eval.generate.styles import STYLES, Style
from eval.generate.tables import GTable, build_tables


@dataclass
class GenDoc:
    name: str  # file stem, e.g. "gen_0001_henan"
    budget: Budget
    style: Style
    tables: list[GTable]
    narrative: dict[str, list[NSection]]
    injected: list[dict] = field(default_factory=list)
    table_issues: list[dict] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # id() of slots/cells already edited

    def table(self, key: str) -> Optional[GTable]:
        return next((t for t in self.tables if t.key == key), None)

    def sections(self):
        for secs in self.narrative.values():
            yield from secs

    def slots(self) -> list[Slot]:
        return [s for sec in self.sections() for s in sec.slots()]

    def claims(self) -> list[tuple[Slot, Claim]]:
        return [(s, c) for s in self.slots() if not s.removed for c in s.claims]

    def cited_cells(self) -> set[tuple[str, str, str]]:
        return {ref for _, c in self.claims() for ref in c.evidence}

    def section_of(self, slot: Slot) -> str:
        for sec in self.sections():
            if any(s is slot for s in sec.slots()):
                return sec.heading
        return ""


def build_doc(seed: int, style_id: str, name: str) -> GenDoc:
    style = STYLES[style_id]
    b = make_budget(seed, Decimal(style.granularity_yuan))
    return GenDoc(name, b, style, build_tables(b, style), build_narrative(b, style))
