"""Lines ruled into a table's frame that name no column: its title, its period, its unit line and
the field that names the issuing unit.

Some templates print these in the top rows of the table itself rather than above it (北京's 报表:
"预算11表 财政拨款政府购买服务明细表" in a cell spanning the table, then "金额单位：万元"; the
部门整体支出绩效目标表 opens with "（2026年度）" and "部门名称 | 首都绿化委员会办公室"). Read as
header rows they would become prefixes of every column name, and the table would lose its title,
year and issuer, so a 报表 published without a cover would name no department and no year.

A leading header row is furniture when, after merged cells are collapsed, it holds
- one text that is a table title (a 表号 such as 预算11表, or what `looks_like_title` calls one);
- one text that is a period: "（2026年度）", "2026年";
- one text that is a unit line ("金额单位：万元");
- a field label (部门名称, 单位名称, 预算单位, 编制单位 …) and one value that is an organ's name.
Lifting stops at the first row that is none of these, and always leaves one header row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from indexing.read.meta import valid_department
from indexing.read.table_types import looks_like_title, table_number

_PERIOD_RE = re.compile(r"^[（(]?(20\d{2})\s*年度?[)）]?$")
_FIELD_LABEL_RE = re.compile(r"^(?:部门|单位|预算单位|编制单位|主管部门)(?:[（(](?:部门|单位)[)）])?(?:名称)?[:：]?$")
# the unit line alone in its row (tables.find_unit reads one anywhere in a context)
_UNIT_LINE_RE = re.compile(r"^(?:金额)?单位[:：](?:亿元|万元|元)$")


@dataclass
class Furniture:
    title: str = ""
    lines: list[str] = field(default_factory=list)  # unit, field and title lines, as context
    periods: list[str] = field(default_factory=list)  # "（2026年度）"


def _distinct(row: Sequence[Optional[str]]) -> list[str]:
    out: list[str] = []
    for cell in row:
        text = "".join((cell or "").split())
        if text and text not in out:
            out.append(text)
    return out


def _is_title(text: str) -> bool:
    return bool(table_number(text)) or looks_like_title(text)


def lift_furniture(header_rows: list[list[Optional[str]]]) -> tuple[list[list[Optional[str]]], Furniture]:
    """The header rows without their leading furniture rows, and what those rows said."""
    found = Furniture()
    rows = list(header_rows)
    while len(rows) > 1:
        texts = _distinct(rows[0])
        if len(texts) == 1 and _PERIOD_RE.match(texts[0]):
            found.periods.append(texts[0])
        elif len(texts) == 1 and _UNIT_LINE_RE.match(texts[0]):
            found.lines.append(texts[0])
        elif len(texts) == 1 and _is_title(texts[0]) and not found.title:
            found.title = texts[0]
            found.lines.append(texts[0])
        elif len(texts) == 2 and _FIELD_LABEL_RE.match(texts[0]) and valid_department(texts[1]):
            found.lines.append(f"{texts[0].rstrip(':：')}：{texts[1]}")
        else:
            break
        rows.pop(0)
    return rows, found

