"""Align claims to table cells through a label dictionary built from the document's own tables.

Every table contributes entries: a row label → the first figure to its right (this reads both
plain tables and side-by-side 收支总表), a total row's column labels → its figures ("基本支出",
"人员经费"), a table's total row → the metric the table is about (机构运行经费表 合计 → 机关运行经费),
and a coded row → "code:2040601". Labels from the narrative and the tables meet in `canon`, which
applies the synonyms templates use for the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Figure, Location, Row, Table, TableType, normalise_label

from checking.claims import Claim

# (pattern, canonical key): the first pattern that matches the whole label wins.
_ALIASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), k)
    for p, k in [
        (r"^(?:行政\(事业\)单位)?机[关构]运行经费(?:支出)?(?:预算)?(?:合计)?(?:预算数)?$", "机关运行经费"),
        (r"^(?:部门)?收支总预算$|^收入总预算$|^收入总计$|^收入预算$|^部门收入预算$|^收入$|^收入支出总计$|^收支总计$|^预算收支$|^收支预算$", "收入总计"),
        (r"^纳入(?:预算)?绩效管理的?支出(?:总额)?$|^部门预算总额$", "绩效管理支出总额"),
        (r"^支出总计$|^支出总预算$|^支出预算$|^部门支出预算$", "支出总计"),
        (r"^本年收入合计$|^收入合计$|^收入预算合计$", "本年收入合计"),
        (r"^本年支出合计$|^支出合计$|^支出预算合计$", "本年支出合计"),
        (r"^(?:财政拨款|一般公共预算)?三公经费(?:支出)?(?:预算)?(?:合计)?(?:预算数)?$", "三公经费"),
        (r"^(?:政府性)?基金预算(?:拨款)?收入$", "政府性基金预算"),
        (r"^财政专户(?:核拨|管理资金)?(?:收入)?$", "财政专户管理资金"),
        (r"^上年结转(?:结余)?(?:收入)?$", "上年结转"),
        (r"^因公出国\(境\)费?(?:用)?$|^因公出国境费$", "因公出国(境)费"),
        (r"^公务用?车购置及运(?:行)?(?:维护|维)?费(?:小计)?$", "公务用车购置及运行费"),
        (r"^公务用车运(?:行)?(?:维护|维)?费$|^公务车用车运行费$", "公务用车运行费"),
        (r"^公务用车购置费$", "公务用车购置费"),
        (r"^公务接待费$", "公务接待费"),
        (r"^人员经费(?:支出)?(?:合计)?$", "人员经费"),
        (r"^公用经费(?:支出)?(?:合计)?$", "公用经费"),
        (r"^基本支出(?:合计|小计)?$", "基本支出"),
        (r"^项目支出(?:合计|小计)?$", "项目支出"),
        (r"^一般公共(?:财政)?预算(?:拨款)?(?:财政拨款)?(?:收入|收支预算|收支|拨款收入)?$|^一般公共预算收入$", "一般公共预算"),
        (r"^一般公共预算(?:财政)?(?:拨款)?支出$", "一般公共预算支出"),
        (r"^财政拨款(?:收入支出|收支)(?:总计|总预算|预算)$", "财政拨款收支总计"),
        (r"^政府性基金(?:预算)?(?:拨款)?(?:收入|收支预算|收支)?$", "政府性基金预算"),
        (r"^政府性基金(?:预算)?(?:拨款)?支出$", "政府性基金预算支出"),
        (r"^国有资本经营(?:预算)?(?:拨款)?(?:收入|收支预算|收支)?$", "国有资本经营预算"),
        (r"^国有资本经营(?:预算)?(?:拨款)?支出$", "国有资本经营预算支出"),
        (r"^财政拨款(?:收入)?$", "财政拨款收入"),
        (r"^政府采购(?:预算)?(?:合计|总额)?$", "政府采购"),
        (r"^(?:其他)?运转类(?:项目)?(?:支出)?$", "运转类"),
        (r"^特定目标类(?:项目)?(?:支出)?$", "特定目标类"),
        (r"^政府采购货物(?:预算)?$|^货物类?$", "政府采购货物"),
        (r"^政府采购工程(?:预算)?$|^工程类?$", "政府采购工程"),
        (r"^政府采购服务(?:预算)?$|^服务类?$", "政府采购服务"),
    ]
]
_KEEP_SUFFIX = {"基本支出", "项目支出", "一般公共预算支出", "政府性基金预算支出", "国有资本经营预算支出"}
# Labels too vague to align on their own.
_VAGUE = {"", "合计", "总计", "小计", "金额", "支出", "收入", "预算数", "经费", "费", "资金", "其他"}

# A table's total row stands for this metric.
_TABLE_TOTAL_KEY = {
    TableType.operating_cost: "机关运行经费",
    TableType.three_public: "三公经费",
    TableType.procurement: "政府采购",
    TableType.project_expenditure: "项目支出",
    TableType.general_basic_expenditure: "基本支出",
    TableType.general_budget_expenditure: "一般公共预算支出",
    TableType.gov_fund: "政府性基金预算支出",
    TableType.state_capital: "国有资本经营预算支出",
    TableType.expenditure: "本年支出合计",
    TableType.income: "本年收入合计",
}


_FUND_COLUMNS = {"一般公共预算": "一般公共预算支出", "政府性基金": "政府性基金预算支出", "政府性基金预算": "政府性基金预算支出",
                 "国有资本经营": "国有资本经营预算支出", "国有资本经营预算": "国有资本经营预算支出"}


def fund_expenditure_cells(table: Table) -> dict[str, CellRef]:
    """财政拨款收支总表 prints the year's spending per fund on its 本年支出 row (支出 | 合计 | 一般公共预算 |
    政府性基金 | 国有资本经营预算): "一般公共预算支出" is that row's 一般公共预算 cell (a blank one is nil)."""
    if table.standard_type is not TableType.fiscal_summary:
        return {}
    out: dict[str, CellRef] = {}
    for row in table.rows:
        label = next((c.text for c in row.cells if c.figure is None and c.text and c.column.startswith("支出")), "")
        if not re.fullmatch(r"(?:[一二三四五六七八九十]+、)?(?:本年支出(?:合计)?|支出合计)", re.sub(r"\s", "", label)):
            continue
        for c in row.cells:
            key = _FUND_COLUMNS.get(column_label(c.column)) if c.column.startswith("支出") else None
            if key and c.figure is not None and key not in out:
                out[key] = CellRef(table, row, c.figure, label)
        break
    return out


def table_total_key(table: Table) -> Optional[str]:
    """What a table's total row stands for: its standard type's total (`_TABLE_TOTAL_KEY`), unless
    the title narrows the table to one part of it — "一般公共预算项目支出情况表（按经济分类科目）"
    totals 项目支出 only, not 一般公共预算支出; a 三公 table that also lists 会议费 and 培训费
    ("“三公”经费及会议费、培训费支出预算表") totals more than the 三公经费, so its total row is
    no 三公 total."""
    key = _TABLE_TOTAL_KEY.get(table.standard_type)
    title = re.sub(r"\s", "", table.title or "")
    if key == "三公经费" and re.search(r"会议费|培训费", title):
        return None
    if key in ("一般公共预算支出", "本年支出合计", "政府性基金预算支出"):
        parts = [k for k in ("基本支出", "项目支出") if k in title]
        if len(parts) == 1:
            return parts[0]
    return key


_THREE = (TableType.three_public,)
_EMPTY_TABLE_KEYS = {
    "三公经费": _THREE, "因公出国(境)费": _THREE, "公务接待费": _THREE, "公务用车购置及运行费": _THREE,
    "公务用车购置费": _THREE, "公务用车运行费": _THREE,
    "政府性基金预算支出": (TableType.gov_fund,), "政府性基金预算": (TableType.gov_fund,),
    "国有资本经营预算支出": (TableType.state_capital,), "国有资本经营预算": (TableType.state_capital,),
    "机关运行经费": (TableType.operating_cost,), "政府采购": (TableType.procurement,),
}


@lru_cache(maxsize=8192)
def canon(label: str) -> str:
    s = normalise_label(label).replace("其它", "其他")
    s = re.sub(r"\d{4}年度?", "", s).replace("预算安排", "预算").replace("安排", "").replace("年初", "")
    s = re.sub(r"[（(]\d+[类款项][)）]|[（(][类款项][)）]", "", s)
    s = s.replace("（", "(").replace("）", ")").replace("：", "").replace(":", "")
    s = re.sub(r"\((?:万元|元|%)\)", "", s)
    s = re.sub(r"^(?:其中|[一二三四五六七八九十]+、|\(\S{1,3}\)|\d+[、.])", "", s)
    for pattern, key in _ALIASES:
        if pattern.match(s):
            return key
    if s not in _KEEP_SUFFIX and s.endswith("支出") and len(s) > 4:
        s = s[:-2]
    return s


@dataclass
class CellRef:
    table: Table
    row: Row
    figure: Figure
    label: str  # the label as printed that led here

    @property
    def usable(self) -> bool:
        """The reader is sure of the table (`TableConfidence.sure`; complete when none was set), and
        the cell is an amount: an amount never prints a leading zero ("06" is a code's 款 or 项 read
        as a figure)."""
        from checking.rules import table_sure

        return table_sure(self.table, self.row) and not re.match(r"0\d", (self.figure.raw or "").strip())


@lru_cache(maxsize=4096)
def column_label(column: str) -> str:
    parts = [p for p in column.split("/") if p]
    parts = [re.sub(r"#\d+$", "", p) for p in parts]
    while len(parts) > 1 and parts[-1] in ("小计", "合计", "金额", "预算数", "本年预算数"):
        parts.pop()
    return parts[-1] if parts else column


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
        if key in _VAGUE:
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
            fig = _first_figure(row)
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
            fig = cell.figure if cell is not None and cell.figure is not None and cell.figure.value is not None else _first_figure(row)
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
                fig = _first_figure(row)
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
                elif key in ("合计", "总计") or total_row and key in _VAGUE:
                    key = total_key or ""
                self._add(key, CellRef(table, row, fig, cell.text))
            year_row = _year_row(row, self.doc.meta.year)
            if year_row == "prior":
                continue
            if year_row == "current":
                self._add_prior(table, row)
            if total_row or single or year_row == "current":
                if True:
                    fig = _first_figure(row)
                    if total_key and fig is not None:
                        self._add(total_key, CellRef(table, row, fig, row.name or "合计"))
                for cell in row.cells:
                    if cell.figure is not None:
                        self._add(canon(column_label(cell.column)), CellRef(table, row, cell.figure, cell.column))

    def _add_prior(self, table: Table, row: Row) -> None:
        """A table printing the budget year and the year before as rows ("2024年预算数 | 2025年预算数",
        "上年预算数 | 本年预算数"): each current cell knows its prior-year cell in the same column."""
        prior_row = next((r for r in table.rows if _year_row(r, self.doc.meta.year) == "prior"), None)
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
        """Cells a claim may be about, and how sure the alignment is: 'code', 'exact' or 'suffix'."""
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
                fig = _first_figure(row)
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



_TOTAL_TEXT_RE = re.compile(r"^(?:合计|总计|本年收入合计|本年支出合计|收入合计|支出合计|收入总计|支出总计)[:：]?$")


@lru_cache(maxsize=4096)
def _is_total_text(text: str) -> bool:
    return bool(_TOTAL_TEXT_RE.match(re.sub(r"\s", "", text)))


def is_total_row(row: Row, table: Optional[Table] = None) -> bool:
    """Readers do not always mark 合计 rows: the label may sit in the code column, or be lost
    (a first row holding only figures, above the coded rows, is the total)."""
    if row.is_total:
        return True
    if any(_is_total_text(c.text) for c in row.cells if c.figure is None and c.text):
        return True
    if table is not None and row.index == 0 and not row.code and not any(c.text and c.figure is None for c in row.cells):
        return sum(1 for r in table.rows if any(True for _ in r.figures())) > 1
    return False


_YEAR_ROW_RE = re.compile(r"^(?:(\d{4})年度?|(本年|上年|当年))(?:年初)?(?:预算数?|预算安排数|决算数?|执行数)?(?:\(万元\)|\(元\))?$")


def _year_row(row: Row, year: Optional[int]) -> Optional[str]:
    """'current' for the row of the document's year ("2025年预算数", "本年预算数"), 'prior' for the
    year before ("2024年预算数", "上年预算数"), None for any other row."""
    if row.code:
        return None
    m = _YEAR_ROW_RE.match(re.sub(r"\s", "", (row.name or "").replace("（", "(").replace("）", ")")))
    if not m:
        return None
    if m.group(2):
        return "prior" if m.group(2) == "上年" else "current"
    if year is None:
        return None
    y = int(m.group(1))
    return "current" if y == year else "prior" if y == year - 1 else None


def _names_agree(metric: str, refs: list[CellRef]) -> bool:
    m = canon(metric)
    return any(m in canon(r.row.name) or canon(r.row.name) in m for r in refs) or len(m) <= 2


def _first_figure(row: Row) -> Optional[Figure]:
    return next((c.figure for c in row.cells if c.figure is not None and c.figure.value is not None), None)
