"""Align claims to table cells through a label dictionary built from the document's own tables.

Every table contributes entries: a row label → the first figure to its right (this reads both
plain tables and side-by-side 收支总表), a total row's column labels → its figures ("基本支出",
"人员经费"), a table's total row → the metric the table is about (机构运行经费表 合计 → 机关运行经费),
and a coded row → "code:2040601". Labels from the narrative and the tables meet in `canon`, which
applies the synonyms templates use for the same thing.

Label keys live in label_keys.py, what a row or cell of a table stands for in table_cells.py.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Figure, Location, Row, Table, TableType, normalise_label

from checking.claims import Claim
from checking.label_keys import VAGUE_LABELS, canon, column_label
from checking.table_cells import CellRef, first_figure, fund_expenditure_cells, is_total_row, table_total_key, year_of_row

_THREE = (TableType.three_public,)
_EMPTY_TABLE_KEYS = {
    "三公经费": _THREE, "因公出国(境)费": _THREE, "公务接待费": _THREE, "公务用车购置及运行费": _THREE,
    "公务用车购置费": _THREE, "公务用车运行费": _THREE,
    "政府性基金预算支出": (TableType.gov_fund,), "政府性基金预算": (TableType.gov_fund,),
    "国有资本经营预算支出": (TableType.state_capital,), "国有资本经营预算": (TableType.state_capital,),
    "机关运行经费": (TableType.operating_cost,), "政府采购": (TableType.procurement,),
}


class LabelIndex:
    """label key → cells, for one document."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.entries: dict[str, list[CellRef]] = {}
        self._seen: set[tuple[str, int]] = set()
        self.prior: dict[int, CellRef] = {}  # id(figure) of a current-year cell → the same column's prior-year cell
        self.code_names: dict[str, set[str]] = {}  # code → canonical names printed for it
        for table in doc.tables:
            self._add_table(table)

    def resolve_path(self, names: list[str]) -> Optional[str]:
        """['住房保障支出', '住房改革支出', '住房公积金'] → '2210201' through the tables' own names."""
        prefixes = [""]
        for depth, name in enumerate(names):
            want = canon(name)
            size = 3 + 2 * depth
            nxt = [c for c, ns in self.code_names.items() if len(c) == size and want in ns and any(c.startswith(p) for p in prefixes)]
            if not nxt:
                return None
            prefixes = nxt
        return prefixes[0] if len(prefixes) == 1 else None

    def _add(self, key: str, ref: CellRef) -> None:
        if key in VAGUE_LABELS:
            return
        seen = (key, id(ref.figure))  # one entry per cell and key (a set: tables give thousands)
        if seen not in self._seen:
            self._seen.add(seen)
            self.entries.setdefault(key, []).append(ref)

    def _add_type_sums(self, table: Table) -> None:
        """项目支出表 lists each project's type (运转类 / 特定目标类): the narrative states their sums."""
        groups: dict[str, list[Figure]] = {}
        for row in table.rows:
            kind = next((c.text for c in row.cells if re.fullmatch(r"\S*运转类|特定目标类", c.text or "")), None)
            fig = first_figure(row)
            if kind and fig is not None:
                groups.setdefault("运转类" if "运转" in kind else "特定目标类", []).append(fig)
        for key, figs in groups.items():
            total = sum((f.value for f in figs), Decimal(0))
            raw = " + ".join(f.raw for f in figs)  # the arithmetic the figure comes from
            fig = Figure(value=total, raw=raw if len(figs) > 1 else figs[0].raw, decimals=max(f.decimals for f in figs),
                         unit=figs[0].unit, location=Location(table_id=table.id, page=figs[0].location.page))
            self._add(key, CellRef(table, Row(index=-1, name=f"{key}项目合计"), fig, f"{key}项目合计"))

    def _add_projects(self, table: Table) -> None:
        """项目支出表: a project's name → its amount (the 合计 column), even when a code or a project
        type (运转类) stands between the name and the figures."""
        col = next((c for c in table.columns if re.fullmatch(r"(?:预算金额|项目金额|金额|本年预算数?)?/?(?:合计|小计)?", c.split("#")[0]) and c), None)
        for row in table.rows:
            if not row.name or is_total_row(row, table) or (row.code and not row.name):
                continue
            cell = row.cell(col) if col else None
            fig = cell.figure if cell is not None and cell.figure is not None and cell.figure.value is not None else first_figure(row)
            if fig is not None and len(canon(row.name)) >= 4:
                self._add(canon(row.name), CellRef(table, row, fig, row.name))

    def _add_table(self, table: Table) -> None:
        if table.standard_type is TableType.project_expenditure:
            self._add_type_sums(table)
            self._add_projects(table)
        for key, ref in fund_expenditure_cells(table).items():
            self._add(key, ref)
        numeric_rows = [r for r in table.rows if any(True for _ in r.figures())]
        single = len(numeric_rows) == 1
        total_key = table_total_key(table)  # once per table: it reads the title
        for row in table.rows:
            total_row = is_total_row(row, table)
            if row.code and len(row.code) in (3, 5, 7):
                fig = first_figure(row)
                if fig is not None:
                    self._add(f"code:{row.code}", CellRef(table, row, fig, row.name))
                self.code_names.setdefault(row.code, set()).add(canon(row.name))
            for i, cell in enumerate(row.cells):
                if cell.figure is not None or not cell.text:
                    continue
                right = []
                for c in row.cells[i + 1 :]:
                    if c.text and c.figure is None:
                        break  # another label: what follows belongs to it
                    if c.figure is not None:
                        right.append(c.figure)
                # the first printed number to the right; a blank (nil) only when all are blank
                fig = next((f for f in right if f.value is not None), right[0] if right else None)
                if fig is None:
                    continue
                key = canon(cell.text)
                side = cell.column.split("/")[0]
                if key in ("合计", "总计") and table.standard_type in (TableType.income_expense_summary, TableType.fiscal_summary) and side in ("收入", "支出"):
                    key = ("财政拨款收支总计" if table.standard_type is TableType.fiscal_summary else f"{side}总计")
                elif key in ("合计", "总计") or total_row and key in VAGUE_LABELS:
                    key = total_key or ""
                self._add(key, CellRef(table, row, fig, cell.text))
            year_row = year_of_row(row, self.doc.meta.year)
            if year_row == "prior":
                continue
            if year_row == "current":
                self._add_prior(table, row)
            if total_row or single or year_row == "current":
                fig = first_figure(row)
                if total_key and fig is not None:
                    self._add(total_key, CellRef(table, row, fig, row.name or "合计"))
                for cell in row.cells:
                    if cell.figure is not None:
                        self._add(canon(column_label(cell.column)), CellRef(table, row, cell.figure, cell.column))

    def _add_prior(self, table: Table, row: Row) -> None:
        """A table printing the budget year and the year before as rows ("2024年预算数 | 2025年预算数",
        "上年预算数 | 本年预算数"): each current cell knows its prior-year cell in the same column."""
        prior_row = next((r for r in table.rows if year_of_row(r, self.doc.meta.year) == "prior"), None)
        if prior_row is None:
            return
        for cell in row.cells:
            if cell.figure is None:
                continue
            other = prior_row.cell(cell.column)
            if other is not None and other.figure is not None:
                self.prior[id(cell.figure)] = CellRef(table, prior_row, other.figure, cell.column)

    def prior_of(self, ref: CellRef) -> Optional[CellRef]:
        return self.prior.get(id(ref.figure))

    def lookup(self, key: str) -> list[CellRef]:
        return self.entries.get(key, [])

    def candidates(self, claim: Claim) -> tuple[list[CellRef], str]:
        """Cells a claim may be about, and how sure the alignment is: 'code', 'exact', 'empty' (a
        nil against a table printed empty), 'suffix' (a key ending the metric), 'fuzzy' (a project
        named loosely) or 'none'."""
        code = claim.codes[-1] if claim.codes else (self.resolve_path(claim.item_path) if claim.item_path else None)
        if code:
            refs = self.lookup(f"code:{code}")
            if refs and (not claim.metric or _names_agree(claim.metric, refs)):
                return refs, "code"
        keys = [canon(claim.metric)]
        if keys[0].endswith("收入") and len(keys[0]) > 3:
            keys.append(canon(keys[0][:-2]))  # "单位资金收入" ↔ "五、单位资金"
        if keys[0] == "机关运行经费":
            # 机关运行经费 is not 公用经费 (财预〔2016〕143号 defines it as the 公用经费 of 行政单位 and
            # 参公事业单位 only, plus 办公设备购置 etc.), nor a project of that name: compared only with
            # its own table (or a 三公 table's 机关运行经费 column)
            own = [r for r in self.entries.get("机关运行经费", [])
                   if r.table.standard_type in (TableType.operating_cost, TableType.three_public)]
            return (own, "exact") if own else (self._empty_table_refs("机关运行经费"), "empty")
        if keys[0].endswith("支出") and len(keys[0]) > 4:
            stem = canon(keys[0][:-2])
            # "一般公共预算支出" without 支出 is the fund's name, which keys its income line: never that
            if stem not in ("一般公共预算", "政府性基金预算", "国有资本经营预算"):
                keys.append(stem)
        raw = normalise_label(claim.metric)
        for key in keys:
            if key and key in self.entries:
                return self.entries[key], "exact"
        for key in keys:
            refs = self._empty_table_refs(key)
            if refs:
                return refs, "empty"
        # longest dictionary key that ends the metric ("一般公共预算基本支出" → "基本支出")
        best = ""
        for k in self.entries:
            if k.startswith("code:") or len(k) < 3 or len(k) <= len(best):
                continue
            if any(x.endswith(k) for x in keys + [raw]):
                best = k
        if best and not (re.search(r"结转|结余|上年", raw) and not re.search(r"结转|结余|上年", best)):
            return self.entries[best], "suffix"
        if re.search(r"项目|资金|经费", raw) and len(raw) >= 4:
            refs = self._projects_like(raw)
            if refs:
                return refs, "fuzzy"
        return [], "none"

    def _projects_like(self, name: str) -> list[CellRef]:
        """Project rows whose name shares a long piece with the narrative's name for it
        ("城乡医疗救助项目" ~ "…中央财政医疗救助补助资金（城乡医疗救助部分）")."""
        from checking.claims import _common

        core = re.sub(r"(?:项目|资金|经费)$", "", name)
        out = []
        for t in self.doc.tables_of(TableType.project_expenditure):
            for row in t.rows:
                fig = first_figure(row)
                if fig is not None and row.name and _common(core, row.name) >= min(6, len(core)) >= 4:
                    out.append(CellRef(t, row, fig, row.name))
        return out

    def _empty_table_refs(self, key: str) -> list[CellRef]:
        """A standard table printed empty says its figures are nil: a 0 in the narrative agrees."""
        types = _EMPTY_TABLE_KEYS.get(key)
        if not types:
            return []
        out = []
        for t in self.doc.tables:
            if t.standard_type in types and not any(True for r in t.rows for _ in r.figures()):
                row = Row(index=0, name="（空表）")
                out.append(CellRef(t, row, Figure(value=Decimal(0), raw="（空表）", decimals=2, unit=t.unit,
                                                  location=Location(table_id=t.id, page=t.pages[0] if t.pages else None)), "（空表）"))
        return out


def _names_agree(metric: str, refs: list[CellRef]) -> bool:
    m = canon(metric)
    return any(m in canon(r.row.name) or canon(r.row.name) in m for r in refs) or len(m) <= 2
