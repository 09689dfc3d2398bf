"""Metric → cells: where a document states a metric, as a `Quantity` with its unit and place.

The headline metrics come from indexing/key_figures.py (each with its source: a table cell, a
blank cell read as 0, an empty table, a narrative sentence, or a sum of parts); 科目 and projects
as the tables print them (service/semantic/subjects.py); last year's figure from the 上年 cell of the 三公 table or from the narrative's own
comparison sentence ("比2024年预算1,234.56万元减少…", or the change alone: prior = current ∓ change).
Nothing is resolved that no cell or sentence states.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Row, Table, TableType
from indexing.numbers import find_numbers

from service.semantic.quantity import Quantity
from service.semantic.subjects import SubjectsMixin, _amount_column, _own_mentions

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
    "支出总计": ("收支总计", "收入支出总计", "收支预算总额", "预算总额", "支出总计", "支出预算", "收入总计", "收支总预算", "预算收支安排",
             "收支预算", "预算收支"),
    "收入总计": ("收支总计", "收入支出总计", "收支预算总额", "预算总额", "收入总计", "收入预算", "收支总预算", "预算收支安排", "收支预算"),
    "收支总计": ("收支总计", "收入支出总计", "收支预算总额", "预算总额", "收支总预算", "预算收支安排", "收支预算", "预算收支"),
    "财政拨款收入": ("财政拨款收入", "财政拨款"),
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
# a blank cell and an empty table mean zero (the templates' rule); the guard exempts the 0 before them
BLANK_NOTE, EMPTY_NOTE = "表中空白，即为零", "空表，即为零"


class Resolver(SubjectsMixin):
    """Resolves metrics on one document; key figures are computed once per document."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._sources: Optional[dict] = None
        self._rows: Optional[dict] = None

    def _table_row(self, table_id: str, row_index: int) -> tuple[Optional[Table], Optional[Row]]:
        """A table by id and its row by index, from a lookup built once per document (a ranking
        resolves a metric in every indexed document: no scan of the tables per cell). The first
        table of an id and the first row of an index, as a scan in order finds them."""
        if self._rows is None:
            rows: dict = {}
            for t in self.doc.tables:
                if t.id not in rows:
                    by_index: dict = {}
                    for r in t.rows:
                        by_index.setdefault(r.index, r)
                    rows[t.id] = (t, by_index)
            self._rows = rows
        t, by_index = self._rows.get(table_id, (None, {}))
        return t, by_index.get(row_index)

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
                        note="" if raw else BLANK_NOTE, **self._base())

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
        if metric == "一般公共预算支出":
            return self._table_total(TableType.general_budget_expenditure, metric)
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
                t, row = self._table_row(m["t"], int(m["r"]))
                if row is None:
                    return None
                return self.cell(label, t, row, m.groupdict().get("c"))
        m = _EMPTY_SRC.match(src)
        if m:
            t = doc.table(m["t"])
            return Quantity(label=label, value=Decimal(0), unit=t.unit or "万元" if t else "万元", raw="",
                            table_id=t.id if t else None, table=t.title if t else None,
                            page=t.pages[0] if t and t.pages else None, note=EMPTY_NOTE, **self._base())
        m = _NARR_SRC.match(src)
        if m and "current − change" not in src:
            return self.sentence(label, m["s"], int(m["o"]), doc.meta.unit or "万元")
        m = _SUM_SRC.match(src)
        if m:
            t, row = self._table_row(m["t"], int(m["r"]))
            parts = [self.cell(f"{label}（{c.split('/')[-1]}）", t, row, c) for c in m["cols"].split(" + ")] if row else []
            return _sum(label, [p for p in parts if p is not None])
        if src.startswith("derived: 购置 + 运行"):
            parts = [self.metric("公务用车购置费"), self.metric("公务用车运行维护费")]
            return _sum(label, [p for p in parts if p is not None]) if all(parts) else None
        return None

    def _table_total(self, table_type: TableType, label: str) -> Optional[Quantity]:
        """The total row's total column of the first table of a type (一般公共预算支出表 → 合计)."""
        for t in self.doc.tables_of(table_type):
            row = next((r for r in t.rows if r.is_total), None)
            col = _amount_column(t, row) if row is not None else None
            if col is not None:
                return self.cell(label, t, row, col)
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
        for sec in self.doc.sections:
            for name in names:
                m = re.search(r"(?:与|和|同|较)\s*(?:上年|20\d\d\s*年)度?(?:相比|比较)?[，,]\s*" + re.escape(name) +
                              r"(?P<dir>增加|减少|上升|下降|增长|降低)\s*(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元", sec.text)
                if m and current is not None:  # "与2023年度相比，收入支出总计增加307.82万元"
                    delta = self.sentence(f"{metric}变动额", sec.id, m.start("delta"))
                    if delta is not None:
                        sign = -1 if m["dir"] in ("增加", "上升", "增长") else 1
                        return Quantity(label=f"{metric}上年数", value=current.wan + sign * delta.wan, unit="万元", raw="",
                                        section_id=sec.id, sentence=delta.sentence, page=delta.page,
                                        derived_from=(current, "−" if sign < 0 else "+", delta), **self._base())
        return self.in_paragraph(metric)[1]

    _YEAR_AMOUNT = re.compile(r"(20\d\d)\s*年(?:度)?(?:当年|全年)?(?:预算执行数|执行数|决算数|预算数|预算安排|预算|安排)"
                              r"(?:为|是)?\s*(\d[\d,]*(?:\.\d+)?)\s*万元")

    _BUDGET_FINAL = re.compile(r"(?:年初预算|全年预算|调整预算|预算数)(?:数)?(?:为|是)?\s*(?P<b>\d[\d,]*(?:\.\d+)?)\s*万元[，,]?\s*"
                               r"(?:支出)?决算(?:数)?(?:为|是)?\s*(?P<f>\d[\d,]*(?:\.\d+)?)\s*万元")

    def budget_and_final(self, name: str) -> tuple[Optional[Quantity], Optional[Quantity]]:
        """A final account's (budget, final) for a 科目 as its paragraph states them ("全年预算为2.29万元，
        支出决算为0.49万元"); (None, None) where it states no such pair."""
        for sec in self.doc.sections:
            for mm in _own_mentions(sec.text, name):
                end = sec.text.find("\n", mm.end())
                para = sec.text[mm.end(): end if end >= 0 else len(sec.text)]
                m = self._BUDGET_FINAL.search(para)
                if m:
                    at = mm.end()
                    return (self.sentence(f"{name}全年预算", sec.id, at + m.start("b")),
                            self.sentence(f"{name}决算", sec.id, at + m.start("f")))
        return None, None

    _PARTS_AFTER = re.compile(r"([\u4e00-\u9fff（）()]{2,16}?)(?:预算|支出|为)?\s*(\d[\d,]*(?:\.\d+)?)\s*万元")

    def sentence_parts(self, metric: str) -> list[Quantity]:
        """The parts a narrative sentence lists for a metric after its 其中 ("政府采购预算1484.2万元，其中：
        货物预算1.44万元、工程预算36.44万元、服务预算1446.32万元")."""
        for sec in self.doc.sections:
            for name in NARRATIVE_NAMES.get(metric, (metric,)):
                for mm in re.finditer(re.escape(name), sec.text):
                    end = _SENT_END.search(sec.text, mm.end())
                    sent = sec.text[mm.end(): end.start() if end else len(sec.text)]
                    k = sent.find("其中")
                    if k < 0:
                        continue
                    out = []
                    for m in self._PARTS_AFTER.finditer(sent, k + 2):
                        q = self.sentence(m.group(1).lstrip("：:，,、"), sec.id, mm.end() + m.start(2))
                        if q is not None:
                            out.append(q)
                    if len(out) >= 2:
                        return out
        return []

    def in_paragraph(self, name: str) -> tuple[Optional[Quantity], Optional[Quantity]]:
        """(this year's, last year's) figure stated in the narrative paragraph that names `name`
        (templates that explain each 科目 in its own numbered paragraph: "2023年当年预算执行数为1822.46万元，
        2024年预算安排922.02万元"); None where the paragraph states none."""
        year = self.doc.meta.year
        if not year:
            return None, None
        for sec in self.doc.sections:
            for mm in _own_mentions(sec.text, name):
                end = sec.text.find("\n", mm.end())
                para = sec.text[mm.end(): end if end >= 0 else len(sec.text)]
                found = {int(m.group(1)): m for m in self._YEAR_AMOUNT.finditer(para)}
                if year in found or year - 1 in found:
                    get = lambda y, label: self.sentence(label, sec.id, mm.end() + found[y].start(2)) if y in found else None  # noqa: E731
                    return get(year, name), get(year - 1, f"{name}上年数")
        return None, None

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


def _sum(label: str, parts: list[Quantity]) -> Optional[Quantity]:
    if not parts:
        return None
    total = sum((p.wan for p in parts), Decimal(0))
    first = parts[0]
    return Quantity(label=label, value=total, unit="万元", raw="", doc_id=first.doc_id, department=first.department,
                    year=first.year, table_id=first.table_id, table=first.table, row=first.row, page=first.page,
                    derived_from=tuple(parts))
