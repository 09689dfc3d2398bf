"""How a finding side reads in a report: the figure with its unit printed once, and its place in
words a reader can follow (page, table, row, column), never an internal locator ("章节s19@18")."""

from __future__ import annotations

from typing import Optional

from checking.findings import Evidence


def value_text(raw: Optional[str], unit: Optional[str]) -> str:
    """'21.42' + '万元' → '21.42万元'; '21.42万元' + '万元' → '21.42万元' (the unit once)."""
    raw = (raw or "").strip()
    unit = (unit or "").strip()
    if not raw:
        return ""
    if not unit or raw.endswith(unit) or unit in ("", "-"):
        return raw
    return raw + unit


def header_path(column: str) -> str:
    return " › ".join(p for p in column.split("/") if p)


def side_where(e: Evidence, heading: Optional[str] = None) -> str:
    """'第3页 《一般公共预算支出表》 行“行政运行” 列“基本支出 › 人员经费”'; a narrative side: its page and,
    when known, its section heading or source line."""
    loc = e.location
    parts = []
    if loc.page is not None:
        parts.append(f"第{loc.page}页")
    if e.table_title:
        parts.append(f"《{e.table_title}》")
    if e.row_label:
        parts.append(f"行“{e.row_label}”")
    if loc.column:
        parts.append(f"列“{header_path(loc.column)}”")
    if e.side == "narrative" or (loc.section_id and not e.table_title):
        if heading:
            parts.append(f"“{heading}”一节")
        elif loc.line:
            parts.append(f"第{loc.line}行")
        elif loc.page is None:
            parts.append("文字说明")
    return " ".join(parts)
