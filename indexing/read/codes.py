"""Classification codes read by their structure, and checked against the national classification.

Codes are hierarchical: a 功能分类 code is 类 (3 digits) › 款 (+2) › 项 (+2), "2080505"; an
economic code is 类 (3) › 款 (+2), 部门经济分类 301–399 and 政府经济分类 501–599. Templates print
them as one column (2010101, "201 01 01"), or over three 类/款/项 columns in which a 类 (and a 款)
is printed only on the first row of its group: a row that shows only "05 | 01" extends the 类
printed above it, and a row that shows only its 项 extends the 款 above it. `fill_down` rebuilds
full codes that way.

`indexing/data/classification.json` holds the 类 and the common 款/项 of the national
classification (its source is named in the file); `known_name` and `name_agrees` use it to tell a
code read right from a code read wrong (a 项 row read with its 类 code names the wrong thing).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

_DATA = Path(__file__).resolve().parents[1] / "data" / "classification.json"


@lru_cache(maxsize=1)
def classification() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def code_kind(code: str) -> Optional[str]:
    """functional / department_economic / government_economic from the first digit and length."""
    if not code or not code.isdigit():
        return None
    if code[0] == "2" and len(code) in (3, 5, 7):
        return "functional"
    if code[0] == "3" and len(code) in (3, 5):
        return "department_economic"
    if code[0] == "5" and len(code) in (3, 5):
        return "government_economic"
    return None


def known_name(code: str) -> Optional[str]:
    """The classification's name of a code, when the shipped table has it (a 项 ending in 01 / 02 /
    03 / 50 is 行政运行 / 一般行政管理事务 / 机关服务 / 事业运行 under an administrative 款, one
    whose name ends in 事务)."""
    kind = code_kind(code)
    if kind is None:
        return None
    table = classification()[kind]
    if code in table:
        return table[code]
    if kind == "functional" and len(code) == 7 and table.get(code[:5], "").endswith("事务"):
        # only under an administrative 款 (…事务): 2050202 is 小学教育, not 一般行政管理事务
        return classification()["functional_item_suffixes"].get(code[5:])
    return None


def _core(name: str) -> str:
    s = re.sub(r"[\s（）()“”\"、·]", "", name or "")
    return re.sub(r"(?:支出|费用|费)$", "", s)


def name_agrees(code: str, name: str) -> Optional[bool]:
    """Does a printed name fit its code? None when the classification does not know the code or
    no name is printed; names are compared without brackets and a trailing 支出/费, and one may
    abbreviate the other ("政府办公厅（室）及相关机构事务" / "政府办公厅及相关机构事务")."""
    expected = known_name(code)
    if not expected or not name:
        return None
    a, b = _core(expected), _core(name)
    if not a or not b:
        return None
    if a in b or b in a:
        return True
    shared = sum(1 for ch in set(a) if ch in b)
    return shared >= 0.6 * len(set(a))


def fill_down(parts_by_row: Sequence[Sequence[str]]) -> list[Optional[str]]:
    """Full codes from rows of 类 | 款 | 项 cells in which a group's 类 / 款 is printed on its first
    row only. A row with no digits at all (a 合计 row, a name continued) has no code and does not
    change the group."""
    out: list[Optional[str]] = []
    last: list[str] = ["", "", ""]
    for parts in parts_by_row:
        digits = [re.sub(r"\D", "", p or "") for p in list(parts)[:3]] + [""] * (3 - len(parts))
        if not any(digits):
            out.append(None)
            continue
        if digits[0]:
            last = [digits[0], "", ""]
        elif last[0]:
            digits[0] = last[0]
        if digits[1]:
            last[1] = digits[1]
        elif digits[2] and last[1]:
            digits[1] = last[1]
        code = "".join(d for d in digits if d)
        out.append(code or None)
    return out
