"""The 三公 key figures (total, its parts, last year's total) from a disclosure's 三公 table, in 万元.

Templates print the 三公 table in several shapes, all read here by the column path:
- one row of figures under 合计 / 因公出国 / 公务接待 / 公务用车 (小计, 购置, 运行);
- a row per year ("2024年预算数", "2025年预算数") or a column group per year ("2026年预算数/合计",
  "本年/…", "上年/…"): the document's year is this year's figure, the year before is 上年预算;
- each part split by fund (一般公共预算 / 政府性基金 / 国有资本经营): a part is the sum of its fund
  columns, and the source says so;
- a wider table (三公 with 会议费 and 培训费): the 三公 subtotal, never the table's bare 合计.
A 车 subtotal printed blank beside its two parts is their sum, said as derived.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.key_figures import Found, _key, _three_public_prior_from_text, _total_row, _wan
from indexing.model import Document, Row, Table, TableType



_THREE_PUBLIC = {
    # the total: a 合计 column under the 三公 heading, or a column naming 三公 and no part of it
    # ("三公经费合计", "“三公”经费财政拨款预算总额")
    "三公经费合计": lambda p: re.search(r"合计|总计|小计", p[-1]) and (
        len(p) == 1 or ("三公" in p[-2] and not re.search(r"出国|接待|车", p[-2]))) or (
        "三公" in p[-1] and not re.search(r"出国|接待|车", p[-1])),
    "因公出国(境)费": lambda p: "出国" in p[-1],
    "公务接待费": lambda p: "接待" in p[-1],
    "公务用车购置及运行费": lambda p: ("购置及运" in p[-1]) or (any("购置及运" in x for x in p) and p[-1] in ("小计", "合计")),
    "公务用车购置费": lambda p: "购置" in p[-1] and "运行" not in p[-1],
    "公务用车运行维护费": lambda p: ("运行" in p[-1] and "购置" not in p[-1]) and "机关" not in p[-1],
}
_MEASURES = ("预算数", "决算数", "本年预算数", "上年预算数", "上年预算", "本年预算", "执行数")


_YEAR_GROUP_RE = re.compile(r"^(20\d{2}|本|上|当)年度?(预算数|预算|决算数|决算|执行数)?$")


def _parts(col: str, year: Optional[int] = None) -> tuple[list[str], Optional[str]]:
    """A column's path and its measure (预算数 / 决算数 / 上年预算数 …). A leading year group
    ("2026年预算数/合计" beside "2025年预算数/合计") is a measure too: the document's year is
    本年预算数, the year before 上年预算数."""
    parts = [_key(p).replace("“", "").replace("”", "") for p in col.split("#")[0].split("/")]
    measure = None
    year_group = _YEAR_GROUP_RE.match(parts[0]) if len(parts) > 1 else None
    if len(parts) > 1 and parts[-1] in _MEASURES:
        measure = parts.pop()
    elif len(parts) > 1 and parts[0].endswith(_MEASURES) and "三公" in parts[0]:
        measure = next(m for m in _MEASURES if parts[0].endswith(m))
    elif year_group and year is not None:
        parts.pop(0)
        y = {"本": year, "当": year, "上": year - 1}.get(year_group.group(1)) or int(year_group.group(1))
        measure = "本年预算数" if y == year else "上年预算数" if y == year - 1 else "其他年度"
    return parts, measure


def three_public(doc: Document) -> dict[str, Found]:
    out: dict[str, Found] = {k: None for k in _THREE_PUBLIC}
    out["三公经费上年预算"] = None
    want = "决算数" if doc.meta.kind == "决算" else None
    for t in sorted(doc.tables_of(TableType.three_public), key=lambda t: not t.complete):
        if not any(True for r in t.rows for _ in r.figures()):
            if t.rows and any(c.text for r in t.rows for c in r.cells if c.figure is None and not re.search(r"合计|小计", c.text)):
                continue  # rows with labels but no numbers: not an empty table, just unreadable
            for k in _THREE_PUBLIC:
                out[k] = (Decimal(0), f"table {t.id} printed empty (空表) = 0")
            break
        row = _total_row(t) or _current_year_row(t) or next(r for r in t.rows if any(True for _ in r.figures()))
        measures = {_parts(c, doc.meta.year)[1] for c in t.columns}
        current = want if want and want in measures else ("预算数" if "预算数" in measures else ("本年预算数" if "本年预算数" in measures else None))
        # A bare 合计 is the 三公 total only where no column heads the 三公 part of a wider table
        # ("…三公经费及会议费、培训费支出表": its 合计 includes the meetings).
        specific = any("三公" in "".join(_parts(c, doc.meta.year)[0]) and _THREE_PUBLIC["三公经费合计"](
            _parts(c, doc.meta.year)[0]) for c in t.columns)
        for col in t.columns:
            parts, measure = _parts(col, doc.meta.year)
            if specific and len(parts) == 1 and re.fullmatch(r"合计|总计|小计", parts[0]):
                continue
            if measure not in (current, None) and not (measure and "上年" in measure):
                continue
            for k, test in _THREE_PUBLIC.items():
                if not test(parts):
                    continue
                key = "三公经费上年预算" if measure and "上年" in measure else k
                if key == "三公经费上年预算" and k != "三公经费合计":
                    continue
                cell = row.cell(col)
                if out[key] is None and cell is not None and (cell.figure is not None or not cell.text):
                    v = cell.figure.value if cell.figure and cell.figure.value is not None else Decimal(0)
                    blank = "" if cell.figure is not None and cell.figure.value is not None else " (blank = 0)"
                    out[key] = (_wan(doc, t, v), f"table {t.id} row {row.index} column {col}{blank}")
        _sum_fund_columns(doc, t, row, out)
        prior = _prior_year_row(t)
        if prior is not None and out["三公经费上年预算"] is None:
            for col in t.columns:
                if _THREE_PUBLIC["三公经费合计"](_parts(col)[0]) and prior.value(col) is not None:
                    out["三公经费上年预算"] = (_wan(doc, t, prior.value(col)), f"table {t.id} row {prior.index} column {col}")
                    break
        break
    car, buy, run = out["公务用车购置及运行费"], out["公务用车购置费"], out["公务用车运行维护费"]
    if car is not None and car[0] == 0 and "blank" in car[1] and buy and run and buy[0] + run[0] != 0:
        # The 车 subtotal printed blank beside its two parts: it is their sum, and says so.
        out["公务用车购置及运行费"] = (buy[0] + run[0], f"derived: 购置 + 运行 ({buy[1]}; {run[1]})")
    if out["三公经费上年预算"] is None:
        out["三公经费上年预算"] = _three_public_prior_from_text(doc)
    return out


def _sum_fund_columns(doc: Document, t: Table, row: Row, out: dict[str, Found]) -> None:
    """Tables that split each 三公 part by fund (总计/一般公共预算, 总计/政府性基金预算 …) print no
    single cell for a part: its amount is the sum of its fund columns, with the sum shown."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for c in t.columns:
        parts = _parts(c, doc.meta.year)[0]
        if len(parts) >= 2 and re.search(r"一般公共预算|政府性基金|国有资本", parts[-1]) and row.value(c) is not None:
            groups.setdefault(tuple(parts[:-1]), []).append(c)
    for key, test in _THREE_PUBLIC.items():
        if out[key] is not None:
            continue
        cols = next((cols for group, cols in groups.items() if test(list(group)) and len(cols) >= 2), [])
        if cols:
            total = sum((row.value(c) for c in cols), Decimal(0))
            out[key] = (_wan(doc, t, total), f"derived: sum of table {t.id} row {row.index} columns {' + '.join(cols)}")


def _current_year_row(t: Table) -> Optional[Row]:
    """The budget year's row of a table that prints several years ("2024年预算数" above "2025年预算数"):
    the latest dated row wins; undated tables use 本年/当年 wording."""
    dated = []
    for r in t.rows:
        m = re.match(r"(20\d{2})年", r.name)
        if m and any(True for _ in r.figures()):
            dated.append((int(m.group(1)), r))
    if dated:
        return max(dated, key=lambda pair: pair[0])[1]
    for r in t.rows:
        if re.search(r"本年|当年|预算数$", r.name) and any(True for _ in r.figures()):
            return r
    return None


def _prior_year_row(t: Table) -> Optional[Row]:
    current = _current_year_row(t)
    for r in t.rows:
        if r is current:
            continue
        if re.search(r"上年|上一年", r.name) and any(True for _ in r.figures()):
            return r
        m = re.match(r"(20\d{2})年", r.name)
        cm = re.match(r"(20\d{2})年", current.name) if current else None
        if m and cm and int(m.group(1)) == int(cm.group(1)) - 1:
            return r
    return None
