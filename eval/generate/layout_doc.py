"""One generated disclosure in one layout family, and its gold truth taken from the generator's data.

`build_layout_doc(family, index, seed)` gives a `LayoutDoc` (budget, narrative, tables as data and as
printed); `truth(doc)` gives what a reader must get back: every standard table with its type, unit, row
codes and cell values (Decimal, in the table's unit), the key figures (万元, exact), and the narrative
section headings. Nothing here reads the rendered output.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional

from eval.generate.figures import Budget, make_budget
from eval.generate.labels import key_figures as _label_key_figures
from eval.generate.layout_print import PTable, print_table
from eval.generate.layout_tables import LTable, build_layout_tables
from eval.generate.layouts import FAMILIES, Layout, core_heading
from eval.generate.narrative import NSection, build_narrative
from eval.generate.styles import STYLES, Style

# 万元 tables: budget on 100 元 (万元 cents); 元: 1 元; 亿元: built on whole 万元 then scaled ×100, so every
# amount is a whole number of 亿元 cents (1,000,000 元) and a province-sized budget.
_GRANULARITY = {"元": Decimal(1), "万元": Decimal(100), "亿元": Decimal(10000)}
_SCALE = {"元": 1, "万元": 1, "亿元": 100}


@dataclass
class LayoutDoc:
    name: str
    layout: Layout
    budget: Budget
    narrative: dict[str, list[NSection]]
    tables: list[LTable]
    printed: list[PTable] = field(default_factory=list)


def _scale(b: Budget, k: int) -> Budget:
    """Every amount of the budget times k (exact): a province-level department for 亿元 tables."""
    if k == 1:
        return b
    m = Decimal(k)
    for i in b.items:
        i.basic, i.project, i.carry = i.basic * m, i.project * m, i.carry * m
    for e in b.econ:
        e.personnel, e.public = e.personnel * m, e.public * m
    for p in b.projects:
        p.amount *= m
    for d in (b.three_public, b.three_public_prior, b.class_prior, b.procurement):
        for key in d:
            d[key] = d[key] * m
    b.basic_prior, b.operating_prior, b.granularity = b.basic_prior * m, b.operating_prior * m, b.granularity * m
    return b


def _words(layout: Layout) -> dict:
    base = {"元": "shanghai", "亿元": "henan"}.get(layout.unit, "hubei" if layout.depth == 3 else "henan")
    return STYLES[base].words


def build_layout_doc(family: str, index: int, seed: int) -> LayoutDoc:
    layout = FAMILIES[family]
    doc_seed = random.Random(f"layout:{seed}:{family}:{index}").randrange(2**31)
    b = _scale(make_budget(doc_seed, _GRANULARITY[layout.unit]), _SCALE[layout.unit])
    style = Style(id=family, table_unit="元" if layout.unit == "元" else "万元", code_layout="code_name",
                  total_first=layout.total_first, thousands=layout.thousands, numbering="", words=_words(layout))
    tables = build_layout_tables(b, layout)
    doc = LayoutDoc(f"lay_{family}_{index:04d}", layout, b, build_narrative(b, style), tables)
    doc.printed = [print_table(t, layout, b.department) for t in tables]
    return doc


# -- truth ------------------------------------------------------------------------------------------

def _label_of(row: list, j: int, two_sided: bool) -> Optional[str]:
    texts = [(i, c) for i, c in enumerate(row[:j]) if isinstance(c, str) and c and not c.isdigit()]
    if not texts:
        return None
    return texts[-1][1] if two_sided else texts[0][1]


def table_truth(t: LTable, unit_printed: bool = True) -> dict:
    """type, title, unit, row codes (coded tables) and (row label, column key, value) entries."""
    cells: list[tuple[str, str, Optional[Decimal], int]] = []  # label, column, value, place from the right
    codes: list[str] = []
    if t.coded:
        for r in t.crows:
            if r.code:
                codes.append(r.code)
            n = len(t.measures)
            cells += [(r.code or r.name, k, v, n - j) for j, (k, v) in enumerate(zip(t.measures, r.values))]
    else:
        keys = t.measures
        amount_cols = [j for j in range(len(keys)) if any(isinstance(r[j], Decimal) for r in t.rows)]
        for row in t.rows:
            for j in amount_cols:
                c = row[j]
                if c is None or isinstance(c, Decimal):
                    label = _label_of(row, j, t.key in ("summary", "fiscal"))
                    if label:
                        cells.append((label, keys[j], c, len(keys) - j))
    return {"key": t.key, "type": t.standard_type, "title": t.title, "unit": t.unit, "unit_printed": unit_printed,
            "coded": bool(t.coded),
            "codes": codes, "cells": [c[:3] for c in cells], "cells_at": cells, "names": {r.code: r.name for r in t.crows if r.code}}


def truth(doc: LayoutDoc) -> dict:
    sections = [core_heading(s.heading) for secs in doc.narrative.values() for s in secs]
    return {"name": doc.name, "family": doc.layout.name, "department": doc.budget.department,
            "year": doc.budget.year, "key_figures": _label_key_figures(SimpleNamespace(budget=doc.budget)),
            "tables": [table_truth(t, doc.layout.meta != "none") for t in doc.tables], "sections": sections}
