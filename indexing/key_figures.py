"""The headline figures of a disclosure, in 万元, taken from its tables.

Every value comes from a standard table, found by table type and row/column label, and is converted
to 万元 exactly (86,959,408.34 元 → 8695.940834; never rounded). A row that is printed but whose
cell is blank counts as 0 (blank = nothing budgeted), and a standard table printed empty (空表)
makes its figures 0; a figure whose table is absent is None.

Four keys may fall back to the narrative, and only when no table holds them:
- 三公经费上年预算: most templates print last year's 三公 only in the text ("较2024年减少4万元");
  prior = current − change, so it is derived from the sentence.
- 机关运行经费: many templates print no 机构运行经费表; the text states the amount.
- 政府采购预算: many templates print no 政府采购预算表; the text states the amount.
- 项目个数: Shanghai templates print no 项目支出表 and no per-project tables; the text says
  "…项目N个".
And when a document holds no table at all (a 情况说明 published apart from its 报表, as 北京
does), the five headline figures come from the narrative's template sentences ("2026年收入预算
14894.79万元", "基本支出预算12408.16万元", "“三公”经费预算44.00万元"): 收入总计, 支出总计,
基本支出, 项目支出, 三公经费合计.
`key_figure_sources(doc)` says where each value came from ("table t3 …" or "narrative s8@120").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, Optional

from indexing.model import Document, Row, Table, TableType, is_line_number_column, normalise_label
from indexing.numbers import to_unit
from indexing.read.table_types import PROJECT_KIND_RE

KEYS = (
    "收入总计", "支出总计", "本年收入合计", "一般公共预算收入", "政府性基金预算收入", "上年结转",
    "基本支出", "项目支出", "人员经费", "公用经费", "三公经费合计", "因公出国(境)费", "公务接待费",
    "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费", "三公经费上年预算", "机关运行经费",
    "政府采购预算", "项目个数", "财政拨款收入", "国有资本经营预算收入", "本年支出合计",
)
NARRATIVE_KEYS = ("三公经费上年预算", "机关运行经费", "政府采购预算", "项目个数",
                  "收入总计", "支出总计", "基本支出", "项目支出", "三公经费合计")
_AMOUNT = r"(?:为|是|共|总额)?([\d,]+(?:\.\d+)?)万元"
# The template sentences that state the headline figures (used only for a document without tables).
_HEADLINE_SENTENCES = {
    "收入总计": re.compile(r"(?:收入总计|收入合计|收入(?:预算|决算)(?:总额)?)" + _AMOUNT),
    "支出总计": re.compile(r"(?:支出总计|支出合计|支出(?:预算|决算)(?:总额)?)" + _AMOUNT),
    "基本支出": re.compile(r"基本支出(?:预算|决算)?" + _AMOUNT),
    "项目支出": re.compile(r"项目支出(?:预算|决算)?" + _AMOUNT),
    "三公经费合计": re.compile(r"三公[”\"]?经费(?:财政拨款)?(?:预算|决算|支出)(?:数)?" + _AMOUNT),
}

Value = Optional[Decimal]
Found = Optional[tuple[Decimal, str]]


def key_figures(doc: Document) -> dict[str, Decimal | int | None]:
    return {k: (v[0] if v else None) for k, v in key_figure_sources(doc).items()}


def key_figure_sources(doc: Document) -> dict[str, Optional[tuple[Decimal | int, str]]]:
    out: dict[str, Optional[tuple[Decimal | int, str]]] = {k: None for k in KEYS}
    summary = doc.tables_of(TableType.income_expense_summary) + doc.tables_of(TableType.fiscal_summary)
    only_summary = doc.tables_of(TableType.income_expense_summary)
    out["收入总计"] = _label(doc, summary, ["收入总计", "收入合计"]) or _label(doc, summary, ["总计"], side="收入")
    out["支出总计"] = _label(doc, summary, ["支出总计", "支出合计"]) or _label(doc, summary, ["总计"], side="支出")
    out["本年收入合计"] = _label(doc, summary, ["本年收入合计", "本年收入小计", "本年收入"])
    out["一般公共预算收入"] = _label(
        doc, summary, ["一般公共预算拨款收入", "一般公共预算财政拨款收入", "一般公共预算收入", "一般公共预算", "一般公共预算拨款",
         "一般公共预算财政拨款", "一般公共预算资金"]
    )
    out["财政拨款收入"] = _label(doc, only_summary, ["其中：财政拨款", "财政拨款收入", "财政拨款"])
    out["政府性基金预算收入"] = _label(
        doc, summary, ["政府性基金预算拨款收入", "政府性基金预算财政拨款收入", "政府性基金预算收入", "政府性基金预算拨款",
         "政府性基金预算", "政府性基金收入", "政府性基金"]
    )
    out["国有资本经营预算收入"] = _label(
        doc, summary, ["国有资本经营预算拨款收入", "国有资本经营预算财政拨款收入", "国有资本经营预算收入", "国有资本经营预算拨款",
         "国有资本经营预算"]
    )
    out["上年结转"] = _label(
        doc, summary, ["上年结转结余", "上年结转", "上年结转和结余", "年初结转和结余", "年初财政拨款结转和结余", "上年结余结转"]
    )

    spend = doc.tables_of(TableType.expenditure) + doc.tables_of(TableType.general_budget_expenditure)
    basic = doc.tables_of(TableType.general_basic_expenditure)
    out["基本支出"] = _total_column(doc, spend, "基本支出") or _total_column(doc, basic, "合计") or _total_column(
        doc, basic, "总计")
    # 陕西 templates name 项目支出 "专项业务经费(支出)" beside 人员经费 and 公用经费.
    out["项目支出"] = (_total_column(doc, spend, "项目支出") or _total_column(doc, spend, "专项业务经费支出")
                   or _total_column(doc, spend, "专项业务经费") or _project_total(doc))
    out["本年支出合计"] = _spend_total(doc, out["基本支出"]) or _spend_total(doc, out["项目支出"])
    out["人员经费"] = _total_column(doc, basic, "人员经费") or _label(doc, basic, ["人员经费合计", "人员经费"])
    out["公用经费"] = _total_column(doc, basic, "公用经费") or _label(doc, basic, ["公用经费合计", "公用经费"])
    if out["本年收入合计"] is None and out["收入总计"] is not None:
        # No 本年收入合计 row (Shanghai templates): this year's income is the total less 上年结转.
        carried = out["上年结转"][0] if out["上年结转"] else Decimal(0)
        out["本年收入合计"] = (out["收入总计"][0] - carried, f"derived: 收入总计 − 上年结转 ({out['收入总计'][1]})")

    from indexing.three_public_figures import three_public

    out.update(three_public(doc))
    out["机关运行经费"] = _operating_cost(doc)
    out["政府采购预算"] = _procurement(doc)
    n = _project_count(doc)
    out["项目个数"] = n
    if not doc.tables:
        for key, found in _headline_from_text(doc).items():
            out[key] = out[key] or found
    return out


def _headline_from_text(doc: Document) -> dict[str, Found]:
    """The first template sentence stating each headline figure (documents without tables)."""
    out: dict[str, Found] = {}
    for key, pattern in _HEADLINE_SENTENCES.items():
        for sec in doc.sections:
            m = pattern.search(sec.text)
            if m:
                out[key] = (Decimal(m.group(1).replace(",", "")), f"narrative {sec.id}@{m.start()}")
                break
    return out


# ---------------------------------------------------------------------------------------------
# Finding cells


def _key(text: str) -> str:
    s = normalise_label(text)
    s = re.sub(r"^其中[:：]", "", s)
    return s.rstrip(":：")


def _wan(doc: Document, table: Table, value: Decimal) -> Decimal:
    unit = table.unit or doc.meta.table_unit or "万元"
    return to_unit(value, unit, "万元")


def _label(doc: Document, tables: Iterable[Table], labels: list[str], side: Optional[str] = None) -> Found:
    """The amount right of a label cell; a printed label with a blank amount is 0."""
    tables = sorted(tables, key=lambda t: not t.complete)
    for label in labels:
        want = _key(label)
        if label.startswith("其中"):
            want_raw = normalise_label(label)
        else:
            want_raw = None
        for t in tables:
            for row in t.rows:
                for i, c in enumerate(row.cells):
                    if c.figure is not None or not c.text or (side and side not in c.column.split("/")[0]):
                        continue
                    k = normalise_label(c.text).rstrip(":：")
                    if not (k == want or (want_raw and k == want_raw)) or (not want_raw and k.startswith("其中")):
                        continue
                    for right in row.cells[i + 1 :]:
                        if is_line_number_column(right.column):
                            continue
                        if right.figure is not None:
                            v = right.figure.value if right.figure.value is not None else Decimal(0)
                            return _wan(doc, t, v), f"table {t.id} row {row.index} 「{c.text}」 column {right.column}"
                        if right.text:
                            break
                    return Decimal(0), f"table {t.id} row {row.index} 「{c.text}」 (blank = 0)"
    return None


def _total_row(table: Table, column: Optional[str] = None) -> Optional[Row]:
    for row in table.rows:
        if row.is_total and (column is None or row.cell(column) is not None):
            return row
    return None


def _columns(table: Table, want: str) -> list[str]:
    """Columns for `want`: exact key, a path ending in it, or its 小计/合计 sub-column."""
    exact, sub = [], []
    for col in table.columns:
        parts = [_key(p) for p in col.split("#")[0].split("/")]
        if parts[-1] == want:
            exact.append(col)
        elif parts[0] == want and parts[-1] in ("小计", "合计"):
            sub.append(col)
    return exact + sub


def _total_column(doc: Document, tables: list[Table], want: str) -> Found:
    for t in sorted(tables, key=lambda t: not t.complete):
        for col in _columns(t, want):
            row = _total_row(t, col)
            if row is None:
                continue
            cell = row.cell(col)
            v = cell.figure.value if cell and cell.figure and cell.figure.value is not None else Decimal(0)
            return _wan(doc, t, v), f"table {t.id} row {row.index} 「{row.name}」 column {col}"
    return None


def _spend_total(doc: Document, basic: Found) -> Found:
    """This year's spending total (合计 / 支出总计 / 本年支出合计 column of the total row) of the
    table that gave 基本支出 (or 项目支出, when 基本支出 came from the 基本支出 table), so that
    基本支出 + 项目支出 = 本年支出合计 is read on the tables the parts came from."""
    m = re.match(r"table (t\d+) ", basic[1]) if basic else None
    table = doc.table(m.group(1)) if m else None
    if table is None or table.standard_type is TableType.general_basic_expenditure:
        return None
    for want in ("合计", "支出总计", "本年支出合计", "总计"):
        found = _total_column(doc, [table], want)
        if found:
            return found
    return None


def _project_total(doc: Document) -> Found:
    for t in doc.tables_of(TableType.project_expenditure):
        cols = _columns(t, "合计") or [c for c in t.columns if c not in ("编码", "类型", "项目名称", "项目单位")][:1]
        for row in t.rows:
            if row.is_total or (not row.name and not row.code):
                for col in cols:
                    v = row.value(col)
                    if v is not None:
                        return _wan(doc, t, v), f"table {t.id} row {row.index} (total) column {col}"
    return None


# ---------------------------------------------------------------------------------------------
# Narrative fall-backs (only when no table holds the figure)

_NUM = r"(\d+(?:\.\d+)?)\s*万元"


def _three_public_prior_from_text(doc: Document) -> Found:
    for sec in doc.sections:
        text = sec.text
        for m in re.finditer(r"三公”?\"?经费(?:支出)?(?:预算|预算数|预算安排)[^。；，,\d]{0,8}?" + _NUM, text):
            current = Decimal(m.group(1))
            tail = text[m.end() : m.end() + 220]
            c = re.search(r"(?:较|比|与)\s*20\d{2}\s*年[^。\d]{0,14}?(增加|减少|上升|下降|增长|降低)\s*" + _NUM, tail)
            same = re.search(r"(?:较|比|与)\s*20\d{2}\s*年[^。\d]{0,14}?(?:持平|保持一致|一致|无变化|相同)", tail)
            if c and (not same or c.start() < same.start()):
                change = Decimal(c.group(2))
                sign = -1 if c.group(1) in ("减少", "下降", "降低") else 1
                return current - sign * change, f"narrative {sec.id}@{m.start()} (current − change)"
            if same:
                return current, f"narrative {sec.id}@{m.start()} (unchanged)"
    return None


def _operating_cost(doc: Document) -> Found:
    for t in doc.tables_of(TableType.operating_cost):
        cols = _columns(t, "合计") or _columns(t, "机构运行经费支出") or [c for c in t.columns if any(r.value(c) is not None for r in t.rows)][:1]
        rows = [r for r in t.rows if r.is_total] + [r for r in t.rows if not r.code and not r.is_total]
        for row in rows:
            for col in cols:
                v = row.value(col)
                if v is not None:
                    return _wan(doc, t, v), f"table {t.id} row {row.index} column {col}"
        if t.empty_note:
            return Decimal(0), f"table {t.id} printed empty (空表) = 0"
    for t in doc.tables_of(TableType.three_public):  # "三公经费和机关运行经费预算表"
        for col in t.columns:
            if re.search(r"(?:机关|机构)运[行转]经费", col) and not re.search(r"上年", col):
                for row in t.rows:
                    if row.value(col) is not None:
                        return _wan(doc, t, row.value(col)), f"table {t.id} row {row.index} column {col}"
    for sec in doc.sections:
        m = re.search(r"(?:机关|机构)运[行转]经费[^。；\d]{0,24}?" + _NUM, sec.text)
        if m:
            return _wan_text(m), f"narrative {sec.id}@{m.start(1)}"
    return None


def _procurement(doc: Document) -> Found:
    for t in doc.tables_of(TableType.procurement):
        for col in _columns(t, "合计") + [c for c in t.columns if re.search(r"金额|采购预算|预算数", c)]:
            row = _total_row(t, col)
            if row is not None and row.value(col) is not None:
                return _wan(doc, t, row.value(col)), f"table {t.id} row {row.index} column {col}"
        if t.empty_note or not any(True for r in t.rows for _ in r.figures()):
            return Decimal(0), f"table {t.id} printed empty (空表) = 0"
    for sec in doc.sections:
        m = re.search(r"政府采购预算(?:总额|金额|安排|共计|合计)?(?:为|共)?\s*" + _NUM, sec.text)
        if m:
            return _wan_text(m), f"narrative {sec.id}@{m.start(1)}"
    return None


def _wan_text(m: re.Match[str]) -> Decimal:
    return Decimal(m.group(1))


# ---------------------------------------------------------------------------------------------
# 项目个数


def _project_count(doc: Document) -> Optional[tuple[int, str]]:
    for t in doc.tables_of(TableType.project_expenditure):
        kind_cols = [c for c in t.columns if c.split("/")[-1] in ("类型", "项目类型", "项目类别")]
        if kind_cols:
            n = sum(1 for r in t.rows if any(PROJECT_KIND_RE.search((r.cell(c).text if r.cell(c) else "")) for c in kind_cols))
            if n:
                return n, f"table {t.id}: rows with a project type"
        names = [
            r for r in t.rows
            if not r.is_total and r.name and any(True for _ in r.figures())
            and not re.fullmatch(r"\d{3,6}", r.name) and not (r.code and len(r.code) <= 7)
            and not re.search(r"(?:局|委|办|中心|院|所|处|站|队|会)(?:本级)?$", r.name)
        ]
        if names:
            return len(names), f"table {t.id}: project rows"
    names = []
    for t in doc.tables_of(TableType.performance_project):
        if "汇总" in t.title:
            continue
        for r in t.rows:
            for i, c in enumerate(r.cells):
                if normalise_label(c.text) == "项目名称":
                    name = next((x.text for x in r.cells[i + 1 :] if x.text), "")
                    if name and name not in names:
                        names.append(name)
    if names:
        return len(names), "performance tables: one per project"
    for sec in doc.sections:  # narrative fall-back: "…项目N个", "N个项目"
        m = re.search(r"项目(?:共|数)?\s*(\d+)\s*个|(\d+)\s*个(?:预算)?项目", sec.text)
        if m:
            return int(m.group(1) or m.group(2)), f"narrative {sec.id}@{m.start()}"
    return None
