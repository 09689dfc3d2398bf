"""Metric → cells: where a document states a metric, as a `Quantity` with its unit and place.

The headline metrics come from indexing/key_figures.py (each with its source: a table cell, a
blank cell read as 0, an empty table, a narrative sentence, or a sum of parts); a 科目 is found by
its functional code or its printed name in the 支出 tables; a project by its name in the 项目支出
table; last year's figure from the 上年 cell of the 三公 table or from the narrative's own
comparison sentence ("比2024年预算1,234.56万元减少…", or the change alone: prior = current ∓ change).
Nothing is resolved that no cell or sentence states.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Row, Table, TableType, is_line_number_column, normalise_label
from indexing.numbers import find_numbers

from service.semantic.quantity import Quantity

# metric (service/analyse.py canonical name) -> key of indexing/key_figures.py
KEY_OF = {
    "三公经费": "三公经费合计", "因公出国(境)费": "因公出国(境)费", "公务接待费": "公务接待费",
    "公务用车购置及运行费": "公务用车购置及运行费", "公务用车购置费": "公务用车购置费",
    "公务用车运行维护费": "公务用车运行维护费", "人员经费": "人员经费", "公用经费": "公用经费",
    "基本支出": "基本支出", "项目支出": "项目支出", "收入总计": "收入总计", "支出总计": "支出总计",
    "收支总计": "支出总计", "上年结转": "上年结转", "机关运行经费": "机关运行经费", "政府采购": "政府采购预算",
    "一般公共预算": "一般公共预算收入", "政府性基金预算": "政府性基金预算收入",
    "国有资本经营预算": "国有资本经营预算收入", "本年收入合计": "本年收入合计", "财政拨款收入": "财政拨款收入",
    "项目个数": "项目个数",
}
# How the narrative names a metric in its comparison sentences (the template's words).
NARRATIVE_NAMES = {
    "支出总计": ("收支总计", "收支预算总额", "预算总额", "支出总计", "支出预算", "收入总计", "收支总预算"),
    "收入总计": ("收支总计", "收支预算总额", "预算总额", "收入总计", "收入预算", "收支总预算"),
    "收支总计": ("收支总计", "收支预算总额", "预算总额", "收支总预算"),
    "三公经费": ("三公”经费", "三公\"经费", "三公经费"),
    "机关运行经费": ("机关运行经费", "机构运行经费"),
    "基本支出": ("基本支出",), "项目支出": ("项目支出",), "人员经费": ("人员经费",), "公用经费": ("公用经费",),
    "政府采购": ("政府采购预算", "政府采购"),
}
_TABLE_SRC = re.compile(r"^table (?P<t>t\d+) row (?P<r>\d+)(?: 「[^」]*」)?(?: \(total\))? column (?P<c>.+?)(?: \(blank = 0\))?$")
_BLANK_SRC = re.compile(r"^table (?P<t>t\d+) row (?P<r>\d+)(?: 「[^」]*」)? \(blank = 0\)$")
_EMPTY_SRC = re.compile(r"^table (?P<t>t\d+) printed empty")
_NARR_SRC = re.compile(r"^narrative (?P<s>s\d+)@(?P<o>\d+)")
_SUM_SRC = re.compile(r"^derived: sum of table (?P<t>t\d+) row (?P<r>\d+) columns (?P<cols>.+)$")
_SENT_END = re.compile(r"[。；;！？\n]")


class Resolver:
    """Resolves metrics on one document; key figures are computed once per document."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._sources: Optional[dict] = None

    @property
    def sources(self) -> dict:
        if self._sources is None:
            from indexing.key_figures import key_figure_sources

            self._sources = key_figure_sources(self.doc)
        return self._sources

    # -- building quantities ------------------------------------------------------------------
    def _base(self) -> dict:
        m = self.doc.meta
        return dict(doc_id=self.doc.id, department=m.department, year=m.year)

    def cell(self, label: str, table: Table, row: Row, column: Optional[str]) -> Optional[Quantity]:
        c = row.cell(column) if column else None
        unit = table.unit or self.doc.meta.table_unit or "万元"
        if c is None or c.figure is None or c.figure.value is None:
            value, raw = Decimal(0), ""
        else:
            value, raw = c.figure.value, c.figure.raw
        return Quantity(label=label, value=value, unit=unit, raw=raw, table_id=table.id, table=table.title,
                        row=row.index, column=column, page=row.page or (table.pages[0] if table.pages else None),
                        note="" if raw else "空白（按0计）", **self._base())

    def sentence(self, label: str, section_id: str, offset: int, unit: str = "万元") -> Optional[Quantity]:
        sec = self.doc.section(section_id)
        if sec is None:
            return None
        nums = [n for n in find_numbers(sec.text[offset:]) if n.unit in ("万元", "元", "亿元", None)]
        n = next((n for n in nums if n.unit in ("万元", "元", "亿元")), None)
        if n is None or n.value is None:
            return None
        at = offset + n.start
        start = max((m.end() for m in _SENT_END.finditer(sec.text, 0, at)), default=0)
        end_m = _SENT_END.search(sec.text, at)
        text = sec.text[start: end_m.end() if end_m else len(sec.text)].strip()
        page = sec.page
        for off, p in sec.page_offsets:
            if off <= at:
                page = p
        return Quantity(label=label, value=n.value, unit=n.unit or unit, raw=n.raw.rstrip("万元亿"),
                        section_id=sec.id, sentence=text, page=page, **self._base())

    # -- metrics --------------------------------------------------------------------------------
    def metric(self, metric: str) -> Optional[Quantity]:
        key = KEY_OF.get(metric)
        found = self.sources.get(key) if key else None
        if not found:
            return None
        return self._from_source(metric, found)

    def _from_source(self, label: str, found: tuple) -> Optional[Quantity]:
        value, src = found
        doc = self.doc
        if isinstance(value, int) and not isinstance(value, bool) and ":" in src:  # a count (项目个数)
            m = re.match(r"table (t\d+)", src)
            t = doc.table(m.group(1)) if m else None
            return Quantity(label=label, value=Decimal(value), unit="个", raw=str(value),
                            table_id=t.id if t else None, table=t.title if t else None,
                            page=t.pages[0] if t and t.pages else None, **self._base())
        for pattern in (_TABLE_SRC, _BLANK_SRC):
            m = pattern.match(src)
            if m:
                t = doc.table(m["t"])
                row = next((r for r in t.rows if r.index == int(m["r"])), None) if t else None
                if row is None:
                    return None
                return self.cell(label, t, row, m.groupdict().get("c"))
        m = _EMPTY_SRC.match(src)
        if m:
            t = doc.table(m["t"])
            return Quantity(label=label, value=Decimal(0), unit=t.unit or "万元" if t else "万元", raw="",
                            table_id=t.id if t else None, table=t.title if t else None,
                            page=t.pages[0] if t and t.pages else None, note="空表（按0计）", **self._base())
        m = _NARR_SRC.match(src)
        if m and "current − change" not in src:
            return self.sentence(label, m["s"], int(m["o"]), doc.meta.unit or "万元")
        m = _SUM_SRC.match(src)
        if m:
            t = doc.table(m["t"])
            row = next((r for r in t.rows if r.index == int(m["r"])), None) if t else None
            parts = [self.cell(f"{label}（{c.split('/')[-1]}）", t, row, c) for c in m["cols"].split(" + ")] if row else []
            return _sum(label, [p for p in parts if p is not None])
        if src.startswith("derived: 购置 + 运行"):
            parts = [self.metric("公务用车购置费"), self.metric("公务用车运行维护费")]
            return _sum(label, [p for p in parts if p is not None]) if all(parts) else None
        return None

    def parts_of_three_public(self) -> list[Quantity]:
        return [q for q in (self.metric(m) for m in ("因公出国(境)费", "公务用车购置及运行费", "公务接待费")) if q]

    # -- last year --------------------------------------------------------------------------------
    def prior(self, metric: str, current: Optional[Quantity]) -> Optional[Quantity]:
        """Last year's figure: a table cell (三公 table's 上年 row/column), else the narrative's
        comparison sentence: the prior stated ("比2024年预算2829.94万元减少…"), or derived from
        the change it states (prior = current − increase, or + decrease; shown arithmetic)."""
        if metric == "三公经费":
            found = self.sources.get("三公经费上年预算")
            if found and found[1].startswith("table"):
                q = self._from_source("三公经费上年预算", found)
                if q is not None:
                    return q
        names = NARRATIVE_NAMES.get(metric, (metric,))
        for sec in self.doc.sections:
            for name in names:
                for mm in re.finditer(re.escape(name), sec.text):
                    q = self._prior_in(metric, sec, mm.end())
                    if q is not None:
                        return q
        return None

    _CMP = re.compile(r"^[^。；;]{0,40}?(?P<cmp>比|较|与)\s*(?:上年|(20\d\d)\s*年)(?:度)?(?:年初)?(?:预算|决算|预算数|决算数)?(?:数)?"
                      r"(?:的)?(?:相比|相较|对比)?[，,]?\s*(?:(?P<prior>\d[\d,]*(?:\.\d+)?)\s*万元)?[^。；;\d]{0,8}?"
                      r"(?:(?P<dir>增加|减少|上升|下降|增长|降低)\s*(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元|(?P<same>持平|保持一致|无变化))")

    def _prior_in(self, metric: str, sec, at: int) -> Optional[Quantity]:
        m = self._CMP.match(sec.text[at:])
        if not m:
            return None
        label = f"{metric}上年数"
        if m["prior"]:
            return self.sentence(label, sec.id, at + m.start("prior"))
        head = sec.text[at: at + m.start("cmp")]
        if not any(n.unit == "万元" for n in find_numbers(head)):
            return None  # the sentence states no current figure before comparing
        cur = self.sentence(metric, sec.id, at)
        if cur is None:
            return None
        if m["same"]:
            return Quantity(label=label, value=cur.value, unit=cur.unit, raw=cur.raw, section_id=sec.id,
                            sentence=cur.sentence, page=cur.page, note="与上年持平", **self._base())
        delta = self.sentence(f"{metric}变动额", sec.id, at + m.start("delta"))
        if delta is None:
            return None
        sign = -1 if m["dir"] in ("增加", "上升", "增长") else 1
        return Quantity(label=label, value=cur.wan + sign * delta.wan, unit="万元", raw="", section_id=sec.id,
                        sentence=cur.sentence, page=cur.page, derived_from=(cur, "−" if sign < 0 else "+", delta),
                        **self._base())

    # -- 科目 and projects ---------------------------------------------------------------------------
    SUBJECT_TABLES = (TableType.expenditure, TableType.general_budget_expenditure, TableType.income,
                      TableType.gov_fund)

    def subject(self, code: Optional[str] = None, name: Optional[str] = None) -> Optional[Quantity]:
        """A 科目 by its functional code (3/5/7 digits) or its printed name: the row's total column
        in the first 支出 table that prints it."""
        key = normalise_label(name) if name else None
        for tt in self.SUBJECT_TABLES:
            for t in self.doc.tables_of(tt):
                for row in t.rows:
                    if code and row.code != code:
                        continue
                    if key and not code and _subject_key(row.name) != _subject_key(key):
                        continue
                    col = _amount_column(t, row)
                    if col is not None:
                        label = f"{row.code + ' ' if row.code else ''}{row.name}".strip()
                        return self.cell(label, t, row, col)
        return None

    def subject_names(self) -> list[str]:
        if getattr(self, "_subject_names", None) is None:
            self._subject_names = self._names()
        return self._subject_names

    def _names(self) -> list[str]:
        names = []
        for tt in self.SUBJECT_TABLES:
            for t in self.doc.tables_of(tt):
                names += [_subject_key(r.name) for r in t.rows if r.name and not r.is_total]
        return [n for n in dict.fromkeys(names) if len(n) >= 4]

    def project_rows(self) -> list[tuple[Table, Row]]:
        if getattr(self, "_projects", None) is None:
            self._projects = self._project_rows()
        return self._projects

    def _project_rows(self) -> list[tuple[Table, Row]]:
        out = []
        for t in self.doc.tables_of(TableType.project_expenditure):
            for row in t.rows:
                if row.is_total or not row.name or (row.code and len(row.code) <= 7 and not _has_kind(row)):
                    continue
                if re.fullmatch(r"\d{3,7}", row.name) or re.search(r"(?:局|委|办|中心)(?:本级)?$", row.name):
                    continue
                if _amount_column(t, row) is not None:
                    out.append((t, row))
        return out

    def project(self, name: str) -> Optional[Quantity]:
        key = normalise_label(name)
        rows = self.project_rows()
        exact = [(t, row) for t, row in rows if normalise_label(row.name) == key]
        near = [(t, row) for t, row in rows if len(key) >= 4 and key in normalise_label(row.name)]
        for t, row in exact or (near if len(near) == 1 else []):  # a part of a name: only when it names one
            return self.cell(row.name, t, row, _amount_column(t, row))
        return None


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


def _sum(label: str, parts: list[Quantity]) -> Optional[Quantity]:
    if not parts:
        return None
    total = sum((p.wan for p in parts), Decimal(0))
    first = parts[0]
    return Quantity(label=label, value=total, unit="万元", raw="", doc_id=first.doc_id, department=first.department,
                    year=first.year, table_id=first.table_id, table=first.table, row=first.row, page=first.page,
                    derived_from=tuple(parts))
