"""科目 and projects as the tables print them: a 科目 by its functional code or printed name (in the 支出
tables, or as a 类 of a side-by-side summary table), a 科目's column, the 项 under it, and every project with
its amount (the 项目支出表's rows, else one 项目绩效目标表 per project). Mixed into
service/semantic/resolve.Resolver, whose `cell`/`doc` it uses."""

from __future__ import annotations

import re
from typing import Optional

from indexing.model import Row, Table, TableType, is_line_number_column, normalise_label

from service.semantic.quantity import Quantity


class SubjectsMixin:
    SUBJECT_TABLES = (TableType.expenditure, TableType.general_budget_expenditure, TableType.income,
                      TableType.gov_fund)

    def subject(self, code: Optional[str] = None, name: Optional[str] = None,
                column: Optional[str] = None) -> Optional[Quantity]:
        """A 科目 by its functional code (3/5/7 digits) or its printed name: the row's total column
        in the first 支出 table that prints it (or its `column`: 基本支出, 项目支出 …)."""
        key = normalise_label(name) if name else None
        if column:
            return self._subject_cell(code, key, column)
        if key and not code:
            found = self._summary_label(key)
            if found is not None:
                return found
        for tt in self.SUBJECT_TABLES:
            for t in self.doc.tables_of(tt):
                for row in t.rows:
                    if code and row.code != code:
                        continue
                    if key and not code and _subject_key(row.name) != _subject_key(key):
                        continue
                    col = _amount_column(t, row)
                    if col is not None:  # named as printed (a code printed "221 02 01" is no figure to show)
                        return self.cell(_subject_key(row.name) or row.name, t, row, col)
        return None

    def subject_names(self) -> list[str]:
        if getattr(self, "_subject_names", None) is None:
            self._subject_names = self._names()
        return self._subject_names

    def _subject_cell(self, code: Optional[str], key: Optional[str], column: str) -> Optional[Quantity]:
        for tt in self.SUBJECT_TABLES:
            for t in self.doc.tables_of(tt):
                cols = [c for c in t.columns if c.split("#")[0].split("/")[-1] == column
                        or c.split("#")[0].split("/")[0] == column]
                for row in t.rows:
                    if (code and row.code == code) or (key and not code and _subject_key(row.name) == _subject_key(key)):
                        for c in cols:
                            if row.cell(c) is not None:
                                return self.cell(f"{_subject_key(row.name)}的{column}", t, row, c)
        return None

    def children(self, name: str) -> list[Quantity]:
        """The rows under a 科目 (codes that extend its code): its 项 (two levels down) where the table
        prints them, else its 款, in the 支出 table that prints it."""
        for tt in self.SUBJECT_TABLES[:2]:
            for t in self.doc.tables_of(tt):
                parent = next((r for r in t.rows if r.code and _subject_key(r.name) == _subject_key(name)), None)
                if parent is None:
                    continue
                for extra in (4, 2):  # the 项 under a 类 (its leaves) where the table prints them
                    kids = [r for r in t.rows if r.code and r.code.startswith(parent.code)
                            and len(r.code) == len(parent.code) + extra]
                    if 2 <= len(kids) <= 20:
                        return [q for q in (self.cell(_subject_key(r.name), t, r, _amount_column(t, r)) for r in kids)
                                if q is not None]
        return []

    SUMMARY_TABLES = (TableType.fiscal_summary, TableType.income_expense_summary)

    def _summary_cells(self):
        """(table, row, label cell index) of the 类 names (…支出) printed in the summary tables, whose
        amount stands to their right (side-by-side 收支总表)."""
        for tt in self.SUMMARY_TABLES:
            for t in self.doc.tables_of(tt):
                for row in t.rows:
                    for i, c in enumerate(row.cells):
                        if c.figure is None and c.text and _subject_key(c.text).endswith("支出") and len(c.text) >= 4:
                            yield t, row, i

    def _summary_label(self, key: str) -> Optional[Quantity]:
        for t, row, i in self._summary_cells():
            if _subject_key(row.cells[i].text) != _subject_key(key):
                continue
            for right in row.cells[i + 1:]:
                if is_line_number_column(right.column):
                    continue
                if right.figure is not None:
                    return self.cell(_subject_key(row.cells[i].text), t, row, right.column)
                if right.text:
                    break
        return None

    def _names(self) -> list[str]:
        names = [_subject_key(row.cells[i].text) for t, row, i in self._summary_cells()]
        for tt in self.SUBJECT_TABLES:
            for t in self.doc.tables_of(tt):
                names += [_subject_key(r.name) for r in t.rows if r.name and not r.is_total]
        return [n for n in dict.fromkeys(names) if len(n) >= 4]

    def projects(self) -> list[Quantity]:
        """Every project with its amount: the 项目支出表's project rows, else (templates that print no
        project table) one 项目绩效目标表 per project, named by its title, amount in its 预算数 row."""
        if getattr(self, "_projects", None) is None:
            self._projects = self._project_rows() or self._performance_projects()
        return self._projects

    def _project_rows(self) -> list[Quantity]:
        out = []
        for t in self.doc.tables_of(TableType.project_expenditure):
            for row in t.rows:
                if row.is_total or not row.name or (row.code and len(row.code) <= 7 and not _has_kind(row)):
                    continue
                if re.fullmatch(r"\d{3,7}", row.name) or re.search(r"(?:局|委|办|中心)(?:本级)?$", row.name):
                    continue
                col = _amount_column(t, row)
                if col is not None:
                    out.append(self.cell(row.name, t, row, col))
        return out

    _PERF_TITLE = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[、.．]\s*|(?:项目)?(?:支出)?绩效目标(?:申报)?表$")

    def _performance_projects(self) -> list[Quantity]:
        out = []
        for t in self.doc.tables_of(TableType.performance_project):
            name = self._PERF_TITLE.sub("", t.title or "").strip()
            if not name or "汇总" in t.title:
                continue
            for row in t.rows:
                at = next((i for i, c in enumerate(row.cells) if normalise_label(c.text) in ("预算数", "年度预算数", "资金总额")),
                          None)
                right = next((c for c in row.cells[at + 1:] if c.figure is not None and c.figure.value is not None),
                             None) if at is not None else None
                if right is not None:
                    out.append(self.cell(name, t, row, right.column))
                    break
        return out

    def project(self, name: str) -> Optional[Quantity]:
        key = normalise_label(name)
        rows = self.projects()
        exact = [q for q in rows if normalise_label(q.label) == key]
        near = [q for q in rows if len(key) >= 4 and key in normalise_label(q.label)]
        found = exact or (near if len(near) == 1 else [])  # a part of a name: only when it names one
        return found[0] if found else None


def _own_mentions(text: str, name: str):
    """Mentions of a 科目's name that are not the end of a longer name (事业单位医疗 in 行政事业单位医疗)."""
    for m in re.finditer(re.escape(name), text):
        before = text[m.start() - 1] if m.start() else ""
        if not ("\u4e00" <= before <= "\u9fff"):
            yield m


def _subject_key(name: str) -> str:
    """A 科目's name without the level marks the sentences add: 行政运行（项） → 行政运行."""
    return re.sub(r"[（(](?:类|款|项)[)）]", "", normalise_label(name or ""))


def _has_kind(row: Row) -> bool:
    from indexing.read.table_types import PROJECT_KIND_RE

    return any(PROJECT_KIND_RE.search(c.text or "") for c in row.cells)


_TOTAL_COL = re.compile(r"(?:^|/)(?:合计|小计|总计|金额|预算数|预算金额|本年预算|决算数|支出合计|项目金额)$")


def _amount_column(t: Table, row: Row) -> Optional[str]:
    """The row's total: the 合计/金额 column when the table has one, else the first amount right of
    the row's name (line numbers and codes skipped)."""
    figs = [c for c in row.cells if c.figure is not None and not is_line_number_column(c.column)]
    for c in figs:
        if _TOTAL_COL.search(c.column.split("#")[0]):
            return c.column
    for c in figs:
        if c.figure.value is not None and not (c.figure.decimals == 0 and len(c.figure.raw) >= 7):
            return c.column
    return None
