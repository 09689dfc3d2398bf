"""Compare a read `Document` with a layout document's truth (layout_doc.truth).

Four aspects, each with one line per failure so a reader developer can act on it:
- `tables`: every standard table found (by type, else by its content: then "typed X") and typed;
- `key_figures`: indexing.key_figures equal to the generator's exact 万元 values;
- `model`: for every typed table, the unit, the row codes in order and every cell value (Decimal, blank = 0);
- `sections`: every narrative section heading recognised as a section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Table, normalise_label

UNPLACED = "未定位数值"  # indexing.read.text_flat keeps unplaced numbers there
ASPECTS = ("tables", "key_figures", "model", "sections")


@dataclass
class Comparison:
    tables_total: int = 0
    tables_found: int = 0
    tables_typed: int = 0
    kf_total: int = 0
    kf_right: int = 0
    tables_equal: int = 0  # typed tables whose unit, codes and cells all equal the truth
    sections_total: int = 0
    sections_found: int = 0
    failures: dict[str, list[str]] = field(default_factory=lambda: {a: [] for a in ASPECTS})

    @property
    def model_equal(self) -> bool:
        return self.tables_typed == self.tables_total and self.tables_equal == self.tables_total

    def ok(self, aspect: str) -> bool:
        return not self.failures[aspect]


def _nk(key: str) -> list[str]:
    return [normalise_label(p) for p in key.split("#")[0].split("/") if normalise_label(p)]


def match_column(columns: list[str], key: str) -> Optional[str]:
    """The read column for a truth column key: same path, a path ending in it, else a unique suffix."""
    want = _nk(key)
    normed = [(c, _nk(c)) for c in columns]
    exact = [c for c, p in normed if p == want]
    if exact:
        return exact[0]
    for n in range(len(want), 0, -1):
        hits = [c for c, p in normed if p[-n:] == want[-n:]]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None if n < len(want) else hits[0]
    return None


def _labels(t: Table) -> set[str]:
    out = {normalise_label(r.name) for r in t.rows} | {r.code for r in t.rows if r.code}
    for r in t.rows:
        out |= {normalise_label(c.text) for c in r.cells if c.text and c.figure is None}
    return out


def _first_labels(tt: dict) -> set[str]:
    labels = [lab for lab, _, _ in tt["cells"] if lab != "合计"]
    return {normalise_label(x) for x in labels[:4]}


def _row_for(t: Table, tt: dict, label: str):
    if tt["coded"]:
        if label == "合计":
            return next((r for r in t.rows if r.is_total or normalise_label(r.name) == "合计"), None)
        return next((r for r in t.rows if r.code == label), None)
    rows = t.find_rows(label)
    return rows[0] if rows else None


def _value(row, column: Optional[str], label: str) -> Optional[Decimal]:
    cell = row.cell(column) if column else None
    if cell is None or cell.figure is None:
        return None
    return cell.figure.value


def compare_table(t: Table, tt: dict) -> list[str]:
    """Failures of one typed table against its truth (empty when the model equals the source's)."""
    out, where = [], f"{tt['type']} {t.id}"
    if t.unit != tt["unit"] and (tt["unit_printed"] or t.unit is not None):
        out.append(f"{where}: unit read as {t.unit!r}, printed {tt['unit']!r}")
    if tt["coded"]:
        got = [r.code for r in t.rows if r.code and not r.is_total]
        if got != tt["codes"]:
            k = next((i for i, (a, b) in enumerate(zip(got, tt["codes"])) if a != b), min(len(got), len(tt["codes"])))
            a = got[k] if k < len(got) else "(none)"
            b = tt["codes"][k] if k < len(tt["codes"]) else "(none)"
            out.append(f"{where}: codes differ at coded row {k}: read {a} for {b} {tt['names'].get(b, '')} "
                       f"({len(got)} coded rows read, {len(tt['codes'])} printed)")
    bad, missing_rows, missing_cols, by_place = [], set(), set(), set()
    blank_rows = {lab for lab, _, _ in tt["cells"]} - {lab for lab, _, v in tt["cells"] if v}
    columns = [c for c in t.columns if c != UNPLACED]
    for label, key, want, from_end in tt["cells_at"]:
        row = _row_for(t, tt, label)
        if row is None:
            if label not in blank_rows:  # a row printed all blank may be dropped: blank = 0 either way
                missing_rows.add(label)
            continue
        col = match_column(t.columns, key)
        if col is None and len(columns) >= from_end:
            col = columns[-from_end]  # named differently: the same place from the right
            by_place.add(key)
        if col is None:
            missing_cols.add(key)
            continue
        got = _value(row, col, label)
        if (got or Decimal(0)) != (want or Decimal(0)):
            bad.append(f"{label}|{key}: read {got}, printed {want}")
    if missing_rows:
        out.append(f"{where}: rows not found: {', '.join(sorted(missing_rows)[:4])}"
                   f"{' …' if len(missing_rows) > 4 else ''} ({len(missing_rows)})")
    if missing_cols:
        out.append(f"{where}: columns not found: {', '.join(sorted(missing_cols))} (read {t.columns})")
    if bad:
        placed = f" (columns {sorted(by_place)} not named as printed, matched by place in {columns})" if by_place else ""
        out.append(f"{where}: {len(bad)} cell(s) differ, e.g. {'; '.join(bad[:2])}{placed}")
    return out


def compare(doc: Document, truth: dict) -> Comparison:
    from indexing.key_figures import key_figures

    c = Comparison()
    used: set[str] = set()
    pairs = []
    for tt in truth["tables"]:
        c.tables_total += 1
        t = next((x for x in doc.tables if x.standard_type.value == tt["type"] and x.id not in used), None)
        if t is not None:
            used.add(t.id)
            c.tables_found += 1
            c.tables_typed += 1
            pairs.append((t, tt))
            continue
        want = _first_labels(tt)
        found = next((x for x in doc.tables if x.id not in used and want and want <= _labels(x)), None)
        title = f"title {tt['title']!r}" if tt["title"] else "no title"
        if found is not None:
            used.add(found.id)
            c.tables_found += 1
            c.failures["tables"].append(f"{tt['type']} ({title}): found as {found.id} but typed "
                                        f"{found.standard_type.value} (read title {found.title!r})")
        else:
            c.failures["tables"].append(f"{tt['type']} ({title}): not found")
    for x in doc.tables:
        if x.id not in used and x.standard_type.value != "其他":
            c.failures["tables"].append(f"extra table {x.id} typed {x.standard_type.value} "
                                        f"(title {x.title!r}, {len(x.rows)} rows): a continuation read as a table?")
    for t, tt in pairs:
        fails = compare_table(t, tt)
        c.tables_equal += not fails
        c.failures["model"] += fails
    got, wrong = key_figures(doc), []
    for key, want in truth["key_figures"].items():
        c.kf_total += 1
        value = got.get(key)
        if value is not None and Decimal(value) == Decimal(want):
            c.kf_right += 1
        else:
            wrong.append(f"{key} read {value} (truth {want})")
    if wrong:
        c.failures["key_figures"].append(f"{len(wrong)} of {c.kf_total} key figures wrong: {'; '.join(wrong)}")
    heads = [normalise_label(s.heading) for s in doc.sections]
    missing = []
    for h in truth["sections"]:
        c.sections_total += 1
        if any(normalise_label(h) in x for x in heads):
            c.sections_found += 1
        else:
            missing.append(h)
    if missing:
        c.failures["sections"].append(f"{len(missing)} of {c.sections_total} sections not recognised: "
                                      f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    return c
