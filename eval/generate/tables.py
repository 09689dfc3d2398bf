"""The standard tables as plain data (header rows with spans, rows of str / Decimal / None), built from
a `Budget` in one style. Renderers turn them into text or PDF; injection edits cells; labels cite them.

Cells hold amounts already in the table's unit (元 or 万元) with 2 decimals; None is a blank cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.figures import CLASS_NAMES, ECON_CLASS, WAN, Budget
from eval.generate.styles import TABLE_KEYS, Style, cn_index

Cell = object  # str | Decimal | None


@dataclass
class GTable:
    key: str
    title: str
    number: str
    unit: str
    header: list[list[str]]
    spans: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1) inside the header
    columns: list[str]  # flattened column keys, one per column
    rows: list[list] = field(default_factory=list)
    total_rows: set[int] = field(default_factory=set)
    note: Optional[str] = None  # 空表说明 or other remark

    def find(self, label: str) -> Optional[int]:
        """Index of the first row holding `label` as a text cell (or 'code name' of a coded row)."""
        for i, row in enumerate(self.rows):
            if label in row or label == self.row_label(i):
                return i
        return None

    def row_label(self, i: int) -> str:
        """How labels cite a row: 'code name' for coded rows, else the first text cell."""
        texts = [c for c in self.rows[i] if isinstance(c, str) and c]
        codes = [t for t in texts if t.isdigit()]
        names = [t for t in texts if not t.isdigit()]
        if codes:
            return "".join(codes) + " " + (names[0] if names else "")
        return names[0] if names else ""

    def col(self, column: str) -> int:
        return self.columns.index(column)

    def get(self, label: str, column: str) -> Optional[Decimal]:
        i = self.find(label)
        return None if i is None else self.rows[i][self.col(column)]

    def set(self, label: str, column: str, value: Optional[Decimal]) -> None:
        self.rows[self.find(label)][self.col(column)] = value


def _flatten(header: list[list[str]]) -> list[str]:
    cols = []
    for j in range(len(header[0])):
        parts: list[str] = []
        for row in header:
            if row[j] and (not parts or parts[-1] != row[j]):
                parts.append(row[j])
        cols.append("/".join(parts))
    return cols


def _span_fill(header: list[list[str]], spans) -> list[list[str]]:
    """Spanned continuation cells are blank in the data; flattening needs them filled."""
    filled = [list(r) for r in header]
    for r0, c0, r1, c1 in spans:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                filled[r][c] = header[r0][c0]
    return filled


class _Builder:
    def __init__(self, b: Budget, style: Style):
        self.b, self.s = b, style
        self.div = WAN if style.table_unit == "万元" else Decimal(1)

    def v(self, yuan: Decimal, blank_zero: bool = True) -> Optional[Decimal]:
        if blank_zero and yuan == 0:
            return None
        return (yuan / self.div).quantize(Decimal("0.01"))

    def make(self, key: str, header, spans, rows, totals, note=None) -> GTable:
        i = TABLE_KEYS.index(key) + 1
        title = self.s.titles[key].format(y=self.b.year)
        return GTable(key, title, self.s.number(i), self.s.table_unit, header, spans,
                      _flatten(_span_fill(header, spans)), rows, totals, note)

    # -- code columns --------------------------------------------------------------------------
    def code_header(self, top: str) -> tuple[list[list[str]], list, int]:
        if self.s.code_layout == "three":
            return [[top, "", "", ""], ["类", "款", "项", "科目名称"]], [(0, 0, 0, 3)], 4
        return [[top, ""], ["科目编码", "科目名称"]], [(0, 0, 0, 1)], 2

    def code_cells(self, code: str, name: str) -> list[str]:
        if self.s.code_layout == "three":
            return [code[:3], code[3:5] if len(code) > 3 else "", code[5:] if len(code) > 5 else "", name]
        return [code, name]

    def total_cells(self, label: str = "合计") -> list[str]:
        return ([""] * 3 + [label]) if self.s.code_layout == "three" else ["", label]

    def functional(self, key: str, group: str, measures: list[str], values, fund: Optional[str]) -> GTable:
        """A 功能分类 table: one row per 类/款/项 with `values(prefix)` giving the measure amounts."""
        b = self.b
        head, spans, nc = self.code_header("功能分类科目")
        head = [head[0] + [group] + [""] * (len(measures) - 1), head[1] + measures]
        spans = spans + [(0, nc, 0, nc + len(measures) - 1)] if len(measures) > 1 else spans + [(0, nc, 1, nc)]
        if len(measures) == 1:
            head[1][nc] = ""
        items = [i for i in b.items if fund in (None, i.fund)]
        rows: list[list] = []
        for cls in sorted({i.code[:3] for i in items}):
            rows.append(self.code_cells(cls, CLASS_NAMES[cls]) + values(cls))
            for sec in sorted({i.code[:5] for i in items if i.code[:3] == cls}):
                rows.append(self.code_cells(sec, b.name_of(sec)) + values(sec))
                for it in (i for i in items if i.code[:5] == sec):
                    rows.append(self.code_cells(it.code, it.name) + values(it.code))
        total = self.total_cells() + values("")
        note = None
        if not items:
            total = self.total_cells() + [None] * len(measures)
            note = f"注：本部门{b.year}年无政府性基金预算财政拨款安排的支出，本表为空表。"
        rows = [total] + rows if self.s.total_first else rows + [total]
        return self.make(key, head, spans, rows, {0 if self.s.total_first else len(rows) - 1}, note)

    def sums(self, attrs: list[str], fund: Optional[str]):
        return lambda prefix: [self.v(self.b.sum_of(prefix, a, fund)) for a in attrs]

    # -- the tables ----------------------------------------------------------------------------
    def summary(self) -> GTable:
        b = self.b
        head = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
        income = [("一、一般公共预算拨款收入", b.general_income), ("二、政府性基金预算拨款收入", b.gov_fund),
                  ("三、国有资本经营预算拨款收入", Decimal(0)), ("四、事业收入", Decimal(0)), ("五、其他收入", Decimal(0))]
        spend = [(f"{cn_index(k + 1)}、{CLASS_NAMES[c]}", b.class_total(c)) for k, c in enumerate(b.classes())]
        rows = []
        for k in range(max(len(income), len(spend))):
            left = [income[k][0], self.v(income[k][1])] if k < len(income) else ["", None]
            right = [spend[k][0], self.v(spend[k][1])] if k < len(spend) else ["", None]
            rows.append(left + right)
        rows.append(["本年收入合计", self.v(b.income_this_year), "本年支出合计", self.v(b.total)])
        rows.append(["上年结转", self.v(b.carry), "年终结转结余", None])
        rows.append(["收入总计", self.v(b.total), "支出总计", self.v(b.total)])
        n = len(rows)
        return self.make("summary", head, [(0, 0, 0, 1), (0, 2, 0, 3)], rows, {n - 3, n - 1})

    def income(self) -> GTable:
        b = self.b

        def values(prefix: str):
            general = b.sum_of(prefix, fund="general") - b.sum_of(prefix, "carry")
            return [self.v(b.sum_of(prefix)), self.v(general), self.v(b.sum_of(prefix, fund="gov_fund")),
                    self.v(b.sum_of(prefix, "carry"))]

        t = self.functional("income", "本年收入", ["合计", "一般公共预算拨款收入", "政府性基金预算拨款收入", "上年结转"],
                            values, None)
        return t

    def expenditure(self) -> GTable:
        return self.functional("expenditure", "支出预算", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], None), None)

    def general(self) -> GTable:
        return self.functional("general", "一般公共预算支出", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], "general"), "general")

    def gov_fund(self) -> GTable:
        return self.functional("gov_fund", "政府性基金预算支出", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], "gov_fund"), "gov_fund")

    def fiscal(self) -> GTable:
        b = self.b
        head = [["收入", "", "支出", "", "", ""], ["项目", "金额", "项目", "合计", "一般公共预算", "政府性基金预算"]]
        income = [("一、本年收入", b.income_this_year), ("（一）一般公共预算拨款", b.general_income),
                  ("（二）政府性基金预算拨款", b.gov_fund), ("二、上年结转", b.carry), ("（一）一般公共预算拨款结转", b.carry)]
        spend = [(f"{cn_index(k + 1)}、{CLASS_NAMES[c]}", c) for k, c in enumerate(b.classes())]
        rows = []
        for k in range(max(len(income), len(spend))):
            left = [income[k][0], self.v(income[k][1])] if k < len(income) else ["", None]
            if k < len(spend):
                c = spend[k][1]
                right = [spend[k][0], self.v(b.class_total(c)), self.v(b.sum_of(c, fund="general")),
                         self.v(b.sum_of(c, fund="gov_fund"))]
            else:
                right = ["", None, None, None]
            rows.append(left + right)
        rows.append(["收入总计", self.v(b.total), "支出总计", self.v(b.total), self.v(b.general), self.v(b.gov_fund)])
        return self.make("fiscal", head, [(0, 0, 0, 1), (0, 2, 0, 5)], rows, {len(rows) - 1})

    def basic(self) -> GTable:
        b = self.b
        if self.s.code_layout == "three":
            head = [["经济分类科目", "", "", "一般公共预算基本支出", "", ""], ["类", "款", "科目名称", "合计", "人员经费", "公用经费"]]
            spans = [(0, 0, 0, 2), (0, 3, 0, 5)]
            cells = lambda code, name: [code[:3], code[3:], name]  # noqa: E731
            total = ["", "", "合计"]
        else:
            head = [["经济分类科目", "", "一般公共预算基本支出", "", ""], ["科目编码", "科目名称", "合计", "人员经费", "公用经费"]]
            spans = [(0, 0, 0, 1), (0, 2, 0, 4)]
            cells = lambda code, name: [code, name]  # noqa: E731
            total = ["", "合计"]
        rows = []
        for cls in sorted({e.code[:3] for e in b.econ}):
            part = [e for e in b.econ if e.code[:3] == cls]
            p = sum((e.personnel for e in part), Decimal(0))
            q = sum((e.public for e in part), Decimal(0))
            rows.append(cells(cls, ECON_CLASS[cls]) + [self.v(p + q), self.v(p), self.v(q)])
            rows.extend(cells(e.code, e.name) + [self.v(e.total), self.v(e.personnel), self.v(e.public)] for e in part)
        tot = total + [self.v(b.basic), self.v(b.personnel), self.v(b.public)]
        rows = [tot] + rows if self.s.total_first else rows + [tot]
        return self.make("basic", head, spans, rows, {0 if self.s.total_first else len(rows) - 1})

    def three_public(self) -> GTable:
        b = self.b
        head = [["项目", "合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
                ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", ""]]
        spans = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 5), (0, 6, 1, 6)]

        def line(label: str, tp: dict) -> list:
            car = tp["公务用车购置费"] + tp["公务用车运行维护费"]
            vals = [sum(tp.values(), Decimal(0)), tp["因公出国(境)费"], car, tp["公务用车购置费"],
                    tp["公务用车运行维护费"], tp["公务接待费"]]
            return [label] + [self.v(x, blank_zero=False) for x in vals]

        rows = [line(f"{b.year - 1}年预算数", b.three_public_prior), line(f"{b.year}年预算数", b.three_public)]
        return self.make("three_public", head, spans, rows, set())

    def project(self) -> GTable:
        b = self.b
        head = [["项目名称", "功能科目编码", "项目类别", "预算金额", "", ""], ["", "", "", "合计", "一般公共预算", "政府性基金预算"]]
        spans = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 5)]
        rows = [[p.name, p.func_code, p.category, self.v(p.amount),
                 self.v(p.amount if p.fund == "general" else Decimal(0)),
                 self.v(p.amount if p.fund == "gov_fund" else Decimal(0))] for p in b.projects]
        tot = ["合计", "", "", self.v(b.project), self.v(b.project - b.gov_fund), self.v(b.gov_fund)]
        rows = [tot] + rows if self.s.total_first else rows + [tot]
        return self.make("project", head, spans, rows, {0 if self.s.total_first else len(rows) - 1})

    def operating(self) -> GTable:
        b = self.b
        head = [["经济分类科目", "", "金额"], ["科目编码", "科目名称", ""]]
        spans = [(0, 0, 0, 1), (0, 2, 1, 2)]
        rows = [[e.code, e.name, self.v(e.public)] for e in b.econ if e.public > 0]
        rows.append(["", "合计", self.v(b.operating, blank_zero=False)])
        return self.make("operating", head, spans, rows, {len(rows) - 1})

    def procurement(self) -> GTable:
        b = self.b
        head = [["采购类别", "预算金额"]]
        rows = [[k, self.v(v, blank_zero=False)] for k, v in b.procurement.items()]
        rows.append(["合计", self.v(sum(b.procurement.values(), Decimal(0)), blank_zero=False)])
        return self.make("procurement", head, [], rows, {len(rows) - 1})


def build_tables(b: Budget, style: Style) -> list[GTable]:
    builder = _Builder(b, style)
    return [getattr(builder, key)() for key in TABLE_KEYS]
