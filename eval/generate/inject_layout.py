"""Labelled error injection into a document of a layout family (eval/generate/layouts.py), so the checker
is scored on every way real templates print a budget, not only on the three generator styles.

`build_injected_layout(family, index, seed, errors)` builds the family's document (layout_doc), wraps it as
a `GenDoc` (`LayoutGen`) so the narrative injectors of `inject.py` apply unchanged, and injects with two
table injectors of its own: the layout's tables are data by code (`LTable.crows`), not printed rows.
The label's table evidence comes from the generator's standard tables of the same budget (`gtables`):
injectors never edit a cell a claim cites, so those values are the printed ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.inject import INJECTORS as BASE_INJECTORS, MISSABLE, _record, inject as base_inject
from eval.generate.inject import missing_table as base_missing_table
from eval.generate.document import GenDoc
from eval.generate.layout_doc import LayoutDoc, _words, build_layout_doc
from eval.generate.layout_print import print_table
from eval.generate.layout_tables import LTable
from eval.generate.styles import STYLES, Style
from eval.generate.tables import GTable, build_tables

# the table-unit step of one printed cell (亿元 tables print 亿元 cents)
_STEP = {"元": Decimal(1), "万元": Decimal("0.01"), "亿元": Decimal("0.01")}
_LEAF = {"func": 7, "econ": 5}
_PARENT = {7: 5, 5: 3, 3: 0}


@dataclass
class LayoutGen(GenDoc):
    """A layout document seen as a GenDoc: `tables` are the layout's LTables (what is printed), `gtables`
    the standard tables of the same budget (where the label reads claim evidence)."""
    layout_doc: Optional[LayoutDoc] = None
    gtables: list[GTable] = field(default_factory=list)

    def table(self, key: str):
        if not any(t.key == key for t in self.tables):
            return None  # removed by missing_table
        return next((t for t in self.gtables if t.key == key), None)

    def ltable(self, key: str) -> Optional[LTable]:
        return next((t for t in self.tables if t.key == key), None)

    def printed(self):
        d = self.layout_doc
        return [print_table(t, d.layout, d.budget.department) for t in self.tables]


def title_of(t: LTable) -> str:
    """An untitled table is cited by its standard type (what the checker can name)."""
    return t.title or t.standard_type


def wrap(doc: LayoutDoc) -> LayoutGen:
    L = doc.layout
    style = Style(id=L.name, table_unit="元" if L.unit == "元" else "万元", code_layout="code_name",
                  total_first=L.total_first, thousands=L.thousands, numbering="",
                  titles=STYLES["henan"].titles, words=_words(L))
    return LayoutGen(doc.name, doc.budget, style, list(doc.tables), doc.narrative, layout_doc=doc,
                     gtables=build_tables(doc.budget, style))


def _cited_codes(doc: LayoutGen, key: str) -> set[str]:
    return {ref[1].split(" ")[0] for ref in doc.cited_cells() if ref[0] == key}


def _issue(doc: LayoutGen, t: LTable, kind: str, old, new, row: str, col: str, severity: str, description: str,
           locations: list[str], values: list[Decimal], detect: str) -> dict:
    """The table inconsistency an edited cell makes ('genuine'), and its injected record."""
    issue = {"description": description, "locations": locations, "values": values,
             "difference": abs(values[0] - values[1]), "likely_cause": "genuine", "severity": severity, "unit": t.unit}
    doc.table_issues.append(issue)
    return _record(doc, kind, None, f"{old}", f"{new}", detect, issues=[issue],
                   location={"table": title_of(t), "row": row, "column": col})


def table_sum_break(doc: LayoutGen, rng: random.Random):
    """One leaf row's amount of a coded table changed: its parent row (and the table's 合计) no longer
    equals the sum of the rows under it."""
    opts = []
    for key in ("expenditure", "general", "income", "basic"):
        t = doc.ltable(key)
        if t is None or id(t) in doc.touched or not t.coded:
            continue
        cited = _cited_codes(doc, key)
        for i, r in enumerate(t.crows):
            if r.code and len(r.code) == _LEAF[t.coded] and r.code not in cited:
                opts += [(t, i, j) for j, v in enumerate(r.values) if isinstance(v, Decimal) and v > 0]
    if not opts:
        return None
    t, i, j = rng.choice(opts)
    row, col = t.crows[i], t.measures[j]
    old, step = row.values[j], _STEP[t.unit]
    # beyond the rounding of the sum it breaks (half a printed step per part): 亿元 tables print
    # small numbers, where 1–15 % of a cell can be a single step
    delta = max(step * (len(t.crows) // 2 + 2), (old * Decimal(rng.randint(1, 15)) / 100).quantize(step))
    new = old + delta if rng.random() < 0.6 else max(old - delta, step)
    row.values[j] = new
    doc.touched.add(id(t))
    plen = _PARENT[len(row.code)]
    parent = next(r for r in t.crows if r.code == row.code[:plen])
    kids = [r for r in t.crows if r.code and len(r.code) == len(row.code) and r.code.startswith(parent.code)]
    total = sum((r.values[j] or Decimal(0) for r in kids), Decimal(0))
    printed = parent.values[j] or Decimal(0)
    title, label, plabel = title_of(t), f"{row.code} {row.name}", f"{parent.code} {parent.name}"
    return _issue(doc, t, "table_sum_break", old, new, label, col, "medium",
                  f"{title}：{label}的“{col}”改为{new}后，{plabel}的{col} {printed} 不等于下级行之和 {total}",
                  [f"{title}/{label}/{col}", f"{title}/{plabel}/{col}"], [printed, total],
                  "a parent row or total no longer equals the sum of its rows")


def project_table_mismatch(doc: LayoutGen, rng: random.Random):
    """One project's amount raised: the projects no longer sum to the table's 合计 (项目支出)."""
    t = doc.ltable("project")
    if t is None or id(t) in doc.touched:
        return None
    quoted = {c.metric for _, c in doc.claims() if c.evidence and c.evidence[0][0] == "project"}
    rows = [r for r in t.rows if r[0] not in quoted and r[0] != "合计" and isinstance(r[3], Decimal)]
    if not rows:
        return None
    r = rng.choice(rows)
    old, step = r[3], _STEP[t.unit]
    new = old + max(step * 100, (old * Decimal(rng.randint(5, 40)) / 100).quantize(step))
    r[3] = r[4 if r[4] is not None else 5] = new
    doc.touched.add(id(t))
    tot = next(x for x in t.rows if x[0] == "合计")[3]
    rows_sum = sum((x[3] for x in t.rows if x[0] != "合计"), Decimal(0))
    title = title_of(t)
    return _issue(doc, t, "project_table_mismatch", old, new, r[0], "预算金额/合计", "high",
                  f"{title}：{r[0]}金额改为{new}后，各项目之和{rows_sum}不等于项目支出合计{tot}",
                  [f"{title}/{r[0]}/预算金额/合计", f"{title}/合计/预算金额/合计"], [rows_sum, tot],
                  "project table rows do not sum to 项目支出")


def missing_table(doc: LayoutGen, rng: random.Random):
    """A required table left out; only a titled one (an untitled table missing leaves nothing to name)."""
    opts = [t for t in doc.tables if t.key in MISSABLE and t.title and id(t) not in doc.touched]
    return base_missing_table(doc, rng, opts)


INJECTORS = {**BASE_INJECTORS, "table_sum_break": table_sum_break,
             "project_table_mismatch": project_table_mismatch, "missing_table": missing_table}


def inject(doc: LayoutGen, rng: random.Random, n: int, kinds: Optional[list[str]] = None) -> list[dict]:
    """As `eval.generate.inject.inject` (distinct kinds, table-first, missing_table last), with this module's table
    injectors."""
    return base_inject(doc, rng, n, kinds, injectors=INJECTORS)


def build_injected_layout(family: str, index: int, seed: int, errors: int = 2,
                          kinds: Optional[list[str]] = None) -> LayoutGen:
    doc = wrap(build_layout_doc(family, index, seed))
    if errors:
        inject(doc, random.Random(f"inject:{seed}:{family}:{index}"), errors, kinds)
    doc.layout_doc.tables = doc.tables
    doc.layout_doc.printed = doc.printed()
    return doc


def render(doc: LayoutGen, fmt: str) -> bytes:
    if fmt == "text":
        from eval.generate.layout_text import render_layout_text

        return render_layout_text(doc.layout_doc).encode("utf-8")
    from eval.generate.layout_pdf import render_layout_pdf

    return render_layout_pdf(doc.layout_doc)
