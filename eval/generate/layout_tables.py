"""The standard tables of one budget in one layout, as data: coded tables keep each row's code, name
and measure values (so the code can be printed in any layout and the truth read from the data), the
two-sided and plain tables keep their cells. Values are Decimal, in the table's unit (元/万元/亿元).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.figures import CLASS_NAMES, ECON_CLASS, PERSONNEL_FUNC, Budget
from eval.generate.layouts import Layout
from eval.generate.styles import STYLES, TABLE_KEYS, Style
from eval.generate.tables import _Builder, _flatten, _span_fill

# 部门经济分类 -> 政府经济分类 (财政部 政府收支分类科目, 支出经济分类), the pairs the dual layout prints.
GOV_ECON_CLASS = {"301": ("501", "机关工资福利支出"), "302": ("502", "机关商品和服务支出"),
                  "303": ("509", "对个人和家庭的补助"), "310": ("503", "机关资本性支出（一）")}
GOV_ECON = {
    "30101": ("50101", "工资奖金津补贴"), "30102": ("50101", "工资奖金津补贴"), "30103": ("50101", "工资奖金津补贴"),
    "30107": ("50101", "工资奖金津补贴"), "30108": ("50102", "社会保障缴费"), "30109": ("50102", "社会保障缴费"),
    "30110": ("50102", "社会保障缴费"), "30113": ("50103", "住房公积金"), "30199": ("50199", "其他工资福利支出"),
    "30201": ("50201", "办公经费"), "30202": ("50201", "办公经费"), "30207": ("50201", "办公经费"),
    "30211": ("50201", "办公经费"), "30228": ("50201", "办公经费"), "30229": ("50201", "办公经费"),
    "30212": ("50207", "因公出国（境）费用"), "30213": ("50209", "维修（护）费"), "30215": ("50202", "会议费"),
    "30216": ("50203", "培训费"), "30217": ("50206", "公务接待费"), "30231": ("50208", "公务用车运行维护费"),
    "30239": ("50299", "其他商品和服务支出"), "30299": ("50299", "其他商品和服务支出"),
    "30302": ("50905", "离退休费"), "31002": ("50306", "设备购置"), "31013": ("50303", "公务用车购置"),
}
UNIT_DIV = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100_000_000)}
TYPE_OF = {"summary": "收支总表", "income": "收入总表", "expenditure": "支出总表", "fiscal": "财政拨款收支总表",
           "general": "一般公共预算支出表", "basic": "一般公共预算基本支出表", "three_public": "三公经费支出表",
           "gov_fund": "政府性基金预算支出表", "project": "项目支出表", "operating": "机构运行经费表",
           "procurement": "政府采购预算表"}


@dataclass
class CRow:
    code: Optional[str]  # None on the 合计 row
    name: str
    values: list[Optional[Decimal]]
    gcode: Optional[str] = None  # 政府经济分类 (dual layout)
    gname: str = ""


@dataclass
class LTable:
    key: str
    title: Optional[str]
    number: Optional[str]
    unit: str
    # Coded tables: the code columns are printed by the layout; `header`/`spans` cover the measures only.
    coded: str = ""  # "" | func | econ
    group: str = ""  # 功能分类科目 / 经济分类科目
    crows: list[CRow] = field(default_factory=list)
    # Header (measures only for coded tables, the whole header otherwise) and flattened keys.
    header: list[list[str]] = field(default_factory=list)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)  # plain tables: str / Decimal / None cells
    note: Optional[str] = None

    @property
    def measures(self) -> list[str]:
        return _flatten(_span_fill(self.header, self.spans)) if self.header else []

    @property
    def standard_type(self) -> str:
        return TYPE_OF[self.key]


def _measure_header(depth: int, group: str, measures: list[str], basic_split: bool):
    """Header rows for the measure columns at 1-3 rows deep, with their spans (relative columns)."""
    n = len(measures)
    if depth == 1:
        return [list(measures)], []
    if depth == 3 and basic_split:  # 合计 | 基本支出 (小计 人员经费 公用经费) | 项目支出
        return ([[group] + [""] * 4, ["合计", "基本支出", "", "", "项目支出"], ["", "小计", "人员经费", "公用经费", ""]],
                [(0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 1, 3), (1, 4, 2, 4)])
    if depth == 3 and measures[0] == "合计" and n == 4:  # 收入: 合计 | 本年收入 (a, b) | 上年结转
        return ([[group, "", "", ""], ["合计", "本年收入", "", "上年结转"], ["", measures[1], measures[2], ""]],
                [(0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 1, 2), (1, 3, 2, 3)])
    if n == 1:
        return [[group], [""]], [(0, 0, 1, 0)]
    return [[group] + [""] * (n - 1), list(measures)], [(0, 0, 0, n - 1)]


class LayoutBuilder:
    def __init__(self, b: Budget, layout: Layout):
        self.b, self.L = b, layout
        style = Style(id=layout.name, table_unit="元" if layout.unit == "元" else "万元", code_layout="code_name",
                      total_first=layout.total_first, thousands=layout.thousands, numbering="",
                      titles=STYLES["henan"].titles)
        self.plain = _Builder(b, style)
        self.plain.div = UNIT_DIV[layout.unit]
        self.div = UNIT_DIV[layout.unit]
        personnel_codes = {c for c, _ in PERSONNEL_FUNC.values()}
        # All 公用经费 sits in the one 行政运行 item (figures.make_budget); the rest of the basic is personnel.
        self.run_code = next((i.code for i in b.items if i.basic > 0 and i.code not in personnel_codes), None)

    def v(self, yuan: Decimal, blank_zero: bool = True) -> Optional[Decimal]:
        return self.plain.v(yuan, blank_zero)

    def table(self, key: str, **kw) -> LTable:
        return LTable(key, self.L.title_of(key, self.b.year, self.b.department), self.L.number_of(key),
                      self.L.unit, **kw)

    def _order(self, rows: list, total) -> list:
        return [total] + rows if self.L.total_first else rows + [total]

    # -- coded tables ----------------------------------------------------------------------------
    def functional(self, key: str, group: str, measures: list[str], values, fund: Optional[str]) -> LTable:
        b = self.b
        split = self.L.depth == 3 and measures[1:] == ["基本支出", "项目支出"]
        if split:
            base = values
            values = lambda p: self._split(p, fund, base(p))  # noqa: E731
        header, spans = _measure_header(self.L.depth, group, measures, split)
        items = [i for i in b.items if fund in (None, i.fund)]
        rows = []
        for cls in sorted({i.code[:3] for i in items}):
            rows.append(CRow(cls, CLASS_NAMES[cls], values(cls)))
            for sec in sorted({i.code[:5] for i in items if i.code[:3] == cls}):
                rows.append(CRow(sec, b.name_of(sec), values(sec)))
                rows += [CRow(it.code, it.name, values(it.code)) for it in items if it.code[:5] == sec]
        width = len(_flatten(_span_fill(header, spans)))
        note = None
        if items:
            total = CRow(None, "合计", values(""))
        else:
            total = CRow(None, "合计", [None] * width)
            note = f"注：本部门{b.year}年无政府性基金预算财政拨款安排的支出，本表为空表。"
        return self.table(key, coded="func", group="功能分类科目", crows=self._order(rows, total), header=header,
                          spans=spans, note=note)

    def _split(self, prefix: str, fund: Optional[str], tbp: list) -> list:
        """合计, 基本支出 小计/人员经费/公用经费, 项目支出 for one 功能分类 prefix."""
        public = sum((self.b.public for i in self.b.items_of(prefix) if i.code == self.run_code
                      and fund in (None, i.fund)), Decimal(0))
        basic = self.b.sum_of(prefix, "basic", fund)
        return [tbp[0], tbp[1], self.v(basic - public), self.v(public), tbp[2]]

    def sums(self, attrs: list[str], fund: Optional[str]):
        return lambda prefix: [self.v(self.b.sum_of(prefix, a, fund)) for a in attrs]

    def income(self) -> LTable:
        b = self.b

        def values(prefix: str):
            general = b.sum_of(prefix, fund="general") - b.sum_of(prefix, "carry")
            return [self.v(b.sum_of(prefix)), self.v(general), self.v(b.sum_of(prefix, fund="gov_fund")),
                    self.v(b.sum_of(prefix, "carry"))]

        return self.functional("income", "收入预算" if self.L.depth == 3 else "本年收入",
                               ["合计", "一般公共预算拨款收入", "政府性基金预算拨款收入", "上年结转"], values, None)

    def expenditure(self) -> LTable:
        return self.functional("expenditure", "支出预算", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], None), None)

    def general(self) -> LTable:
        return self.functional("general", "一般公共预算支出", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], "general"), "general")

    def gov_fund(self) -> LTable:
        return self.functional("gov_fund", "政府性基金预算支出", ["合计", "基本支出", "项目支出"],
                               self.sums(["total", "basic", "project"], "gov_fund"), "gov_fund")

    def basic(self) -> LTable:
        b = self.b
        header, spans = _measure_header(min(self.L.depth, 2), "一般公共预算基本支出", ["合计", "人员经费", "公用经费"], False)
        rows = []
        for cls in sorted({e.code[:3] for e in b.econ}):
            part = [e for e in b.econ if e.code[:3] == cls]
            p = sum((e.personnel for e in part), Decimal(0))
            q = sum((e.public for e in part), Decimal(0))
            g = GOV_ECON_CLASS[cls]
            rows.append(CRow(cls, ECON_CLASS[cls], [self.v(p + q), self.v(p), self.v(q)], g[0], g[1]))
            rows += [CRow(e.code, e.name, [self.v(e.total), self.v(e.personnel), self.v(e.public)], *GOV_ECON[e.code])
                     for e in part]
        total = CRow(None, "合计", [self.v(b.basic), self.v(b.personnel), self.v(b.public)])
        return self.table("basic", coded="econ", group="部门经济分类" if self.L.dual_econ else "经济分类科目",
                          crows=self._order(rows, total), header=header, spans=spans)

    def operating(self) -> LTable:
        b = self.b
        rows = [CRow(e.code, e.name, [self.v(e.public)], *GOV_ECON[e.code]) for e in b.econ if e.public > 0]
        rows.append(CRow(None, "合计", [self.v(b.operating, blank_zero=False)]))
        header, spans = ([["金额"]], []) if self.L.depth == 1 else ([["金额"], [""]], [(0, 0, 1, 0)])
        return self.table("operating", coded="econ", group="经济分类科目", crows=rows, header=header, spans=spans)

    # -- plain tables (cells as the original generator builds them) ------------------------------
    def _plain(self, key: str) -> LTable:
        g = getattr(self.plain, key)()
        return self.table(key, header=g.header, spans=g.spans, rows=g.rows, note=g.note)


def build_layout_tables(b: Budget, layout: Layout) -> list[LTable]:
    lb = LayoutBuilder(b, layout)
    coded = {"income", "expenditure", "general", "gov_fund", "basic", "operating"}
    return [getattr(lb, k)() if k in coded else lb._plain(k) for k in TABLE_KEYS]
