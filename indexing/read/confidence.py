"""A reading confidence for every table, decided from the table alone.

A published table closes its own sums, so a reader can test itself: every 合计 / 小计 it read is
recomputed from what it closes, with the rounding rule of `indexing.numbers` (a printed value with k
decimals stands for v ± ½·10⁻ᵏ; truncation is accepted too). What a total closes follows from the
structure the templates share:
- **rows by code**: a 类 (3 digits) closes its 款 (5), a 款 its 项 (7); economic 类 301 closes
  its 款 30101; the code-less 合计 row closes the top-level coded rows;
- **columns by header path**: "基本支出/小计" closes "基本支出/人员经费" and "基本支出/公用经费";
  a top-level "合计" column closes the other top-level groups (each read through its own 小计),
  except "其中" columns, which are parts of a neighbour, not addends.

A few failing totals are what the checker is for (a department's mistakes); many failing totals,
an incomplete table or figures that could not be placed mean the reading itself is in doubt, and
the table is marked not `sure`: the checker raises no error on it, only an `extraction` note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional

from indexing.model import Document, Figure, Row, Table, TableConfidence, TableType, is_line_number_column
from indexing.numbers import Agreement, compare_printed, sum_interval
from indexing.read.codes import known_name, name_agrees
from indexing.read.tables import name_column, names_projects

# A reading is in doubt when at least this many totals fail and they are this share of the checked.
DOUBT_MIN_FAILURES = 3
DOUBT_SHARE = Decimal("0.34")
_TOTAL_WORDS = ("合计", "总计", "小计")
_ROOT_TOTAL_ENDS = ("合计", "总计", "总额")  # "“三公”经费合计", "“三公”经费财政拨款预算总额"
# Columns that cut across the others rather than add to them: "其中…" parts of a neighbour, and
# the 政府采购 amounts printed beside a 支出总表 (procurement is a view of the same spending).
_CROSS_CUTS = ("其中", "含", "包括")
_MAX_LISTED = 12


@dataclass
class CodedRow:
    """A row with a classification code; a side-by-side table (经济分类 人员 | 公用, or 部门 | 政府
    经济分类) gives two per printed row, one per half (`half` is the column suffix, "" or "#2")."""

    code: str
    name: str
    figs: dict[str, Figure]
    row: Row
    half: str = ""
    name_column: Optional[str] = None  # the column the name was read from, when a header names it


def column_halves(t: Table) -> dict[str, list[str]]:
    """Columns grouped by their duplicate suffix ("金额" and "金额#2" are two halves)."""
    groups: dict[str, list[str]] = {}
    for c in t.columns:
        m = re.search(r"#(\d+)$", c)
        groups.setdefault(m.group(1) if m else "", []).append(c)
    return groups


def coded_rows(t: Table) -> list[CodedRow]:
    """Every (row, half) that carries a 3–7 digit code, with its figures keyed by column (the
    half's suffix removed, so both halves compare on the same keys)."""
    groups = column_halves(t)
    out: list[CodedRow] = []
    named = name_column(t.columns)
    for row in t.rows:
        if len(groups) == 1:
            if row.code and 3 <= len(row.code) <= 7:
                figs = {c.column: c.figure for c in row.cells if c.figure is not None and c.figure.value is not None}
                out.append(CodedRow(row.code, row.name, figs, row, name_column=t.columns[named] if named is not None else None))
            continue
        for suffix, cols in groups.items():
            # A half's code may be printed over 类 | 款 columns: the first run of code columns.
            code_cols = [c for c in cols if "编码" in c.replace("/", "") or "代码" in c.replace("/", "")]
            first = [c for k, c in enumerate(code_cols) if t.columns.index(c) - k == t.columns.index(code_cols[0])] if code_cols else []
            name_col = next((c for c in cols if "名称" in c), None)
            code = "".join(re.sub(r"\D", "", row.cell(c).text or "") for c in first if row.cell(c))
            if not code or not 3 <= len(code) <= 7:
                continue
            figs = {re.sub(r"#\d+$", "", c): row.cell(c).figure for c in cols
                    if row.cell(c) and row.cell(c).figure is not None and row.cell(c).figure.value is not None}
            name = row.cell(name_col).text if name_col and row.cell(name_col) else ""
            out.append(CodedRow(code, name, figs, row, half=suffix, name_column=name_col))
    return out


def is_child(parent: str, code: str) -> bool:
    """A code one level below `parent` (款 under 类, 项 under 款); '3012' printed for '30102'
    (a one-digit 款) still counts."""
    return code != parent and code.startswith(parent) and len(code) in (len(parent) + 2, len(parent) + 1)


def children_in_print_order(rows: list[CodedRow], i: int) -> list[CodedRow]:
    """The rows a parent closes: the rows printed after it while their codes extend its code, one
    level down. Tables print the hierarchy in order, and one code may head two groups (a dual
    economic table lists 301 under 501 机关工资福利 and again under 505 对事业单位补助), so a
    parent closes its own run of rows, not every row that shares its prefix."""
    parent = rows[i]
    kids = []
    for r in rows[i + 1:]:
        if not r.code.startswith(parent.code) or r.code == parent.code:
            break
        if is_child(parent.code, r.code):
            kids.append(r)
    return kids


# ---------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    checked: int = 0
    reconciled: int = 0
    family: str = "rows"  # rows (by code) or columns (by header path): a shift breaks one of them

    def __post_init__(self):
        self.failures: list[str] = []
        self.by_family: dict[str, list[int]] = {}  # family -> [checked, failed]

    def test(self, where: str, total: Optional[Figure], parts: list[Optional[Figure]]) -> None:
        if total is None or total.value is None or not parts:
            return
        known = [(p.value, p.decimals) for p in parts if p is not None and p.value is not None]
        if not known:
            return
        self.checked += 1
        counts = self.by_family.setdefault(self.family, [0, 0])
        counts[0] += 1
        computed = sum((v for v, _ in known), Decimal(0))
        if compare_printed(total.value, total.decimals, sum_interval(known)) is not Agreement.outside:
            self.reconciled += 1
        else:
            counts[1] += 1
            self.failures.append(f"{where}: 印 {total.raw}，分项之和 {computed}")

    def shifted(self) -> Optional[str]:
        """The family whose totals fail too often for a department's slips."""
        for family, (checked, failed) in self.by_family.items():
            if failed >= DOUBT_MIN_FAILURES and Decimal(failed) >= DOUBT_SHARE * checked:
                return f"{checked}个{'按编码的行' if family == 'rows' else '按表头的列'}合计中{failed}个不平"
        return None


def table_confidence(t: Table, type_source: str = "none", type_note: Optional[str] = None) -> TableConfidence:
    tally = _Tally()
    _rows_by_code(t, tally)
    tally.family = "columns"
    _columns_by_header(t, tally)
    unplaced = list(_unplaced(t))
    mismatches, known = _code_names(t)
    conf = TableConfidence(
        type_source=type_source,
        type_note=type_note,
        totals_checked=tally.checked,
        totals_reconciled=tally.reconciled,
        unreconciled=tally.failures[:_MAX_LISTED],
        unplaced=unplaced[:_MAX_LISTED],
        code_mismatches=mismatches[:_MAX_LISTED],
    )
    shifted = tally.shifted()
    if not t.complete:
        conf.sure, conf.doubt = False, f"未完整读取：{t.incomplete_reason or '原因未记录'}"
    elif unplaced:
        conf.sure, conf.doubt = False, f"{len(unplaced)}处单元格无法定位（如 {unplaced[0]}）"
    elif len(mismatches) >= DOUBT_MIN_FAILURES and Decimal(len(mismatches)) >= DOUBT_SHARE * known:
        conf.sure, conf.doubt = False, f"{known}个可核对的科目中{len(mismatches)}个编码与名称不符，疑编码错读"
    elif shifted:
        conf.sure, conf.doubt = False, f"{shifted}，更像读错（错位）而非部门差错"
    return conf


def assess(doc: Document) -> Document:
    """Give every table of a read document its confidence (keeping a type source already set)."""
    for t in doc.tables:
        prior = t.confidence
        t.confidence = table_confidence(t, prior.type_source if prior else "none", prior.type_note if prior else None)
    return doc


def _rows_by_code(t: Table, tally: _Tally) -> None:
    rows = _deduplicated(coded_rows(t))
    if len(rows) < 2:
        return
    for half in {r.half for r in rows}:
        mine = [r for r in rows if r.half == half]
        cols = list(dict.fromkeys(k for r in mine for k in r.figs))
        for i, parent in enumerate(mine):
            if len(parent.code) not in (3, 5):
                continue
            kids = children_in_print_order(mine, i)
            if not kids:
                continue
            for col in cols:
                if col in parent.figs:
                    tally.test(f"第{parent.row.index + 1}行 {parent.code} {column_name(col)}", parent.figs[col],
                               [k.figs.get(col) for k in kids] or [None])
    if len(column_halves(t)) > 1:
        return  # a side-by-side table's total row closes both halves together: not a plain sum
    top = min(len(r.code) for r in rows)
    tops = [r for r in rows if len(r.code) == top]
    total = next((r for r in t.rows if r.is_total and not r.code), None)
    if total is None or len(tops) < 1:
        return
    for cell in total.cells:
        f = cell.figure
        if f is not None and f.value is not None:
            parts = [r.figs.get(cell.column) for r in tops]
            if any(p is not None for p in parts):
                tally.test(f"合计行 {column_name(cell.column)}", f, parts)


def _deduplicated(rows: list[CodedRow]) -> list[CodedRow]:
    """A row printed twice (repeated at a page break) is read once."""
    seen, out = set(), []
    for r in rows:
        # the whole printed row: in a detail table two lines share a code and differ elsewhere
        key = (r.half, tuple(c.text for c in r.row.cells))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def column_name(column: str) -> str:
    return re.sub(r"#\d+$", "", column)


def _columns_by_header(t: Table, tally: _Tally) -> None:
    for total_col, parts in column_sums(t):
        for row in t.rows:
            total = _fig(row, total_col)
            figs = [_fig(row, p) for p in parts]
            if total is not None and any(f is not None for f in figs):
                tally.test(f"第{row.index + 1}行「{row.name or ''}」 {column_name(total_col)}", total, figs)


def column_sums(t: Table) -> list[tuple[str, list[str]]]:
    """(total column, the columns it closes) from the header paths; see the module docstring."""
    numeric = [c for c in t.columns if _is_numeric_column(t, c)]
    if len(numeric) < 3 or len(column_halves(t)) > 1:
        return []
    paths = {c: [p for p in column_name(c).split("/")] for c in numeric}
    # Every group split again by a measure (…/合计/预算数, …/合计/决算数): sums hold per measure.
    last = [p[-1] for p in paths.values()]
    measures = set(last)
    if all(len(p) >= 2 for p in paths.values()) and 2 <= len(measures) <= 3 and all(
            last.count(m) >= 2 for m in measures) and not measures & set(_TOTAL_WORDS):
        return [pair for m in sorted(measures)
                for pair in _sums_of({c: p[:-1] for c, p in paths.items() if p[-1] == m})]
    return _sums_of(paths)


def _sums_of(paths: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []

    def subtotal(prefix: list[str]) -> Optional[str]:
        return next((c for c, p in paths.items() if p[: len(prefix)] == prefix and len(p) == len(prefix) + 1
                     and p[-1] in _TOTAL_WORDS), None)

    def children(prefix: list[str]) -> list[str]:
        """Direct children under `prefix`: a leaf column, or a group read through its 小计."""
        seen: dict[str, str] = {}
        for c, p in paths.items():
            if p[: len(prefix)] != prefix or len(p) <= len(prefix):
                continue
            head = p[len(prefix)]
            if head in _TOTAL_WORDS or head.startswith(_CROSS_CUTS) or "采购" in head or (
                    not prefix and head.endswith(_ROOT_TOTAL_ENDS)):
                continue
            if len(p) == len(prefix) + 1:
                seen.setdefault(head, c)
            else:
                sub = subtotal(prefix + [head])
                if sub is None:
                    return []  # a group without its own 小计: its sum is not printed, do not guess
                seen.setdefault(head, sub)
        return list(seen.values())

    prefixes = {tuple(p[:k]) for p in paths.values() for k in range(0, len(p))}
    for prefix in sorted(prefixes, key=len):
        total = subtotal(list(prefix)) if prefix else next(
            (c for c, p in paths.items() if len(p) == 1 and (p[0] in _TOTAL_WORDS or p[0].endswith(_ROOT_TOTAL_ENDS))), None)
        if total is None:
            continue
        kids = children(list(prefix))
        if len(kids) >= 2:
            out.append((total, kids))
    return out


def _is_numeric_column(t: Table, column: str) -> bool:
    filled = [r.cell(column) for r in t.rows]
    filled = [c for c in filled if c is not None and c.text]
    return bool(filled) and sum(c.figure is not None for c in filled) * 2 >= len(filled) and not any(
        w in column.replace("/", "") for w in ("编码", "代码")) and not is_line_number_column(column)


def _fig(row: Row, column: str) -> Optional[Figure]:
    c = row.cell(column)
    return c.figure if c is not None and c.figure is not None and c.figure.value is not None else None


def _code_names(t: Table) -> tuple[list[str], int]:
    """Codes whose printed name is not the classification's name for that code, and how many
    coded rows the classification could check at all. Rows named by project (a 项目名称 column,
    `tables.names_projects`) carry the 科目 their project is charged to, not the 科目's name:
    nothing to compare."""
    mismatches, known = [], 0
    for r in coded_rows(t):
        if names_projects(t.columns, r.name_column):
            continue
        agrees = name_agrees(r.code, r.name)
        if agrees is None:
            continue
        known += 1
        if not agrees:
            mismatches.append(f"第{r.row.index + 1}行 {r.code}「{r.name}」应为「{known_name(r.code)}」")
    return mismatches, known


def _unplaced(t: Table) -> Iterable[str]:
    """Rows with figures but no label, code or total mark; text that is not a number in a column
    of numbers (a number split or glued by the reader)."""
    # Performance tables mix targets ("≥90%", "10分") with amounts: text there is expected.
    numeric = set() if t.standard_type in (TableType.performance_overall, TableType.performance_project) else {
        c for c in t.columns if _is_numeric_column(t, c)}
    halves = list(column_halves(t).values())
    for row in t.rows:
        for cols in halves:
            cells = [row.cell(c) for c in cols]
            has_figures = any(c is not None and c.figure is not None and c.figure.value is not None for c in cells)
            labelled = any(c is not None and c.text and c.figure is None for c in cells) or (
                len(halves) == 1 and (row.name or row.code or row.is_total))
            # (the first or last row with no label is the 合计 whose label the template left out)
            if has_figures and not labelled and 0 < row.index < len(t.rows) - 1:
                yield f"第{row.index + 1}行有数字而无科目或名称"
                break
        for cell in row.cells:
            if cell.column in numeric and cell.text and cell.figure is None and re.search(r"\d", cell.text):
                yield f"第{row.index + 1}行「{column_name(cell.column)}」“{cell.text[:20]}”不是一个数"
