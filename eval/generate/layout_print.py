"""An `LTable` as printed by a layout: the code columns laid out (one column, "201 01 01", 类/款/项
columns on every row or only on a group's first row, two economic classifications side by side), the
header assembled to its depth with merged cells, amounts formatted. Both renderers print a `PTable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.layout_tables import LTable
from eval.generate.layouts import Layout


@dataclass
class PTable:
    key: str
    title: Optional[str]
    number: Optional[str]
    meta: list[str]
    header: list[list[str]]
    spans: list[tuple[int, int, int, int]]
    body: list[list[str]]
    amount_cols: list[int] = field(default_factory=list)
    name_cols: list[int] = field(default_factory=list)
    note: Optional[str] = None


def fmt_amount(v, thousands: bool) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:,.2f}" if thousands else f"{v:.2f}"
    return str(v)


def _parts(code: str, kind: str) -> list[str]:
    """'2080505' -> ['208', '05', '05']; econ '30101' -> ['301', '01']."""
    return [code[:3], code[3:5], code[5:7]][: 3 if kind == "func" else 2]


class _CodePrinter:
    """Prints one classification's code cells in a layout; remembers the previous row (first-row-only)."""

    def __init__(self, layout: Layout, kind: str):
        self.L, self.kind = layout, kind
        self.prev: list[str] = []

    @property
    def three(self) -> bool:
        return self.L.code in ("three", "three_first")

    def heads(self) -> list[str]:
        if self.three:
            return (["类", "款", "项"] if self.kind == "func" else ["类", "款"]) + ["科目名称"]
        return ["科目名称"] if self.L.code == "joined" else ["科目编码", "科目名称"]

    def cells(self, code: Optional[str], name: str) -> list[str]:
        if code is None:  # 合计 row
            self.prev = []
            return [""] * (len(self.heads()) - 1) + [name]
        parts = _parts(code, self.kind)
        if self.L.code == "joined":  # "302 28 工会经费": code and name in one cell
            return [" ".join(p for p in parts if p) + " " + name]
        if not self.three:
            printed = " ".join(p for p in parts if p) if self.L.code == "spaced" else code
            return [printed, name]
        shown = list(parts)
        if self.L.code == "three_first":  # a part is printed only where its group starts
            for j, p in enumerate(parts):
                same_group = len(self.prev) > j and self.prev[: j + 1] == parts[: j + 1]
                if same_group:
                    shown[j] = ""
        self.prev = parts
        return shown + [name]


def _assemble(code_heads: list[list[str]], groups: list[str], measure: list[list[str]], mspans):
    """Header rows: each classification's group label over its code heads, then the measure header."""
    depth = max(len(measure), 2 if groups[0] else 1)
    measure = [[""] * len(measure[0])] * (depth - len(measure)) + measure if len(measure) < depth else measure
    rows = [[] for _ in range(depth)]
    spans, col = [], 0
    for heads, group in zip(code_heads, groups):
        w = len(heads)
        if depth == 1:
            rows[0] += heads
        else:
            rows[0] += [group] + [""] * (w - 1)
            for r in range(1, depth - 1):
                rows[r] += [""] * w
            rows[depth - 1] += heads
            spans.append((0, col, depth - 2, col + w - 1))
        col += w
    shift = depth - len(measure)
    for r in range(depth):
        rows[r] += measure[r - shift] if r >= shift else [""] * len(measure[0])
    for r0, c0, r1, c1 in mspans:
        spans.append((r0 + shift, c0 + col, r1 + shift, c1 + col))
    return rows, [s for s in spans if s[0] != s[2] or s[1] != s[3]], col


def print_table(t: LTable, layout: Layout, department: str) -> PTable:
    meta = layout.meta_lines(department, t.unit)
    th = layout.thousands
    if not t.coded:
        body = [[fmt_amount(c, th) for c in row] for row in t.rows]
        amount_cols = [j for j in range(len(t.header[0])) if any(isinstance(r[j], Decimal) for r in t.rows)]
        names = [j for j in range(len(t.header[0])) if j not in amount_cols]
        return PTable(t.key, t.title, t.number, meta, t.header, t.spans, body, amount_cols, names, t.note)
    dual = layout.dual_econ and t.key == "basic"
    printers = [_CodePrinter(layout, t.coded)] + ([_CodePrinter(layout, "econ")] if dual else [])
    groups = [t.group] + (["政府经济分类"] if dual else [])
    if layout.depth == 1:
        groups = [""] * len(groups)
    header, spans, ncode = _assemble([p.heads() for p in printers], groups, t.header, t.spans)
    body = []
    for row in t.crows:
        cells = printers[0].cells(row.code, row.name)
        if dual:
            cells += printers[1].cells(row.gcode, row.gname) if row.code else [""] * len(printers[1].heads())
        body.append(cells + [fmt_amount(v, th) for v in row.values])
    amount_cols = list(range(ncode, len(header[0])))
    name_cols, c = [], 0
    for p in printers:
        c += len(p.heads())
        name_cols.append(c - 1)
    return PTable(t.key, t.title, t.number, meta, header, spans, body, amount_cols, name_cols, t.note)
