"""Two-sided tables flattened into tokens: the 收支总表 and 财政拨款收支总表, income label and amount
on the left, expenditure label and amounts on the right, one printed row per line.

A line is split into label groups each followed by its numbers; the first group is the income
side, the second the expenditure side. The expenditure side's short rows (a blank cell lost) are
placed by the side's own identity (its total is the sum of the classes 一、二、… above it) and its
amount columns take the names its header prints. What cannot be placed stays unplaced and the table
is marked incomplete (indexing/read/text_flat.py states the common rule).
"""

from __future__ import annotations

import re
from typing import Optional

from indexing.model import Table
from indexing.read.flat_placement import place_rows
from indexing.read.tables import build_table

VALUE = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|0)$|^[-—–－]{1,2}$")
CJK_EDGE = re.compile(r"[\u4e00-\u9fff（）()、“”：]")  # characters a label joined across tokens ends or starts with
_ORDINAL = re.compile(r"^[（(]?([一二三四五六七八九十]+)[)）、]")
AMBIGUOUS_REASON = (
    "扁平文本丢失了空白单元格：{n} 行的数值个数少于数值列数，除合计列外无法确定所在列（原文保留在“未定位数值”列） / "
    "blank cells were lost when the table was flattened: {n} row(s) have fewer numbers than number columns, "
    "so their numbers other than the total cannot be placed (raw text kept in column 未定位数值)"
)


def _new_label(prev: str, t: str) -> bool:
    """Does token `t` start a new label rather than continue `prev` (letter-spaced 本 年 收 入)?"""
    if _ORDINAL.match(t) or t.startswith("其中"):
        return True
    last = prev.split(" ")[-1]
    return len(t) >= 2 and len(last) >= 2 and bool(CJK_EDGE.match(t[0])) and bool(CJK_EDGE.match(last[-1]))


_ORDINAL_ITEM = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_SIDE_TOTAL = re.compile(r"^(?:本年支出合计|支出总计|支出合计)$")


def _right_value_names(header_lines: list[str], n_right: int) -> list[str]:
    """The expenditure side's amount columns as printed: the header words after its own label
    column (the last 项目 / 支出项目 word of the header), when there are exactly as many."""
    words = " ".join(header_lines).split()
    last = max((k for k, w in enumerate(words) if w in ("项目", "支出项目", "项 目")), default=None)
    if last is None or n_right < 2:
        return []
    names = words[last + 1:]
    return names if len(names) == n_right else []


def _place_expenditure_side(rows: list, n_right: int) -> dict[int, list[Optional[str]]]:
    """The expenditure side's short rows placed by the side's own identity: its total row
    (本年支出合计, or 支出总计 when there is no 本年支出合计) is, column by column, the sum of the
    classes listed above it (一、二、… items), and each row's 合计 is the sum of its parts
    (indexing/read/flat_placement.py: placed only where every reading agrees)."""
    if n_right < 3:
        return {}
    right = [(k, r[1]) for k, r in enumerate(rows) if r[1] is not None and r[1][1]]
    labels = [re.sub(r"\s+", "", g[0]) for _, g in right]
    totals = [i for i, l in enumerate(labels) if _SIDE_TOTAL.match(l)]
    total = next((i for i in totals if labels[i] == "本年支出合计"), totals[-1] if totals else None)
    if total is None:
        return {}
    parts = [i for i in range(total) if _ORDINAL_ITEM.match(labels[i])]
    if not parts:
        return {}
    placed = place_rows([g[1] for _, g in right], n_right, [None] * len(right), labels,
                        extra_groups=[(total, parts)])
    return {right[i][0]: cells for i, cells in placed.items()}


def side_by_side(table_id: str, title: str, context: list[str], header_lines: list[str], body_lines: list[str]) -> Table:
    """收支总表 / 财政拨款收支总表: income label + amount on the left, expenditure label + amounts on the right."""
    rows: list[list[tuple[str, list[str]]]] = []  # per row: [left group, right group]
    for s in body_lines:
        groups: list[tuple[str, list[str]]] = []
        for t in s.split():
            if VALUE.match(t) and groups:
                groups[-1][1].append(t)
            elif groups and not groups[-1][1] and not _new_label(groups[-1][0], t):
                prev = groups[-1][0]
                joiner = "" if (len(t) == 1 or len(prev.split(" ")[-1]) == 1) else " "
                groups[-1] = (prev + joiner + t, [])
            else:
                groups.append((t, []))
        if len(groups) == 1 and not groups[0][1] and len(groups[0][0]) <= 2 and rows:
            # the tail of a label broken over a line ("款", "出")
            last = rows[-1]
            side = 1 if last[1] is not None else 0
            label, vals = last[side]
            last[side] = (label + groups[0][0], vals)
            continue
        if len(groups) >= 2:
            rows.append([groups[0], groups[1]])
        elif groups:
            label = groups[0][0]
            left = re.search(r"收入|上年结转|拨款|预算拨", label) and not re.search(r"支出", label)
            if not left and rows and rows[-1][1] is None and rows[-1][0] is not None:
                rows[-1][1] = groups[0]  # the right half of a row whose left label filled a line
            else:
                rows.append([groups[0], None] if left else [None, groups[0]])
    n_left = max([len(r[0][1]) for r in rows if r[0]] + [1])
    n_right = max([len(r[1][1]) for r in rows if r[1]] + [1])
    left_cols = ["收入/项目", "收入/金额"] + [f"收入/金额#{k}" for k in range(2, n_left + 1)]
    right_cols = ["支出/项目"] + (["支出/金额"] if n_right == 1 else ["支出/合计"] + [f"支出/列{k}" for k in range(2, n_right + 1)])
    named = _right_value_names(header_lines, n_right)
    if named:
        right_cols = ["支出/项目"] + [f"支出/{w}" for w in named]
    placed_right = _place_expenditure_side(rows, n_right)
    ambiguous = 0
    body: list[list[Optional[str]]] = []
    for r, (left, right) in enumerate(rows):
        cells: list[Optional[str]] = []
        for side, (group, n) in enumerate(((left, n_left), (right, n_right))):
            if group is None:
                cells += [None] * (n + 1)
                continue
            label, vals = group
            placed = [label] + [None] * n
            if len(vals) == n:
                placed[1:] = vals
            elif side == 1 and r in placed_right:
                placed[1:] = placed_right[r]
            elif vals:
                placed[1] = vals[0]
                if len(vals) > 1:
                    ambiguous += 1
            cells += placed
        body.append(cells)
    columns = left_cols + right_cols
    header = [[c.split("/")[0] for c in columns], [c.split("/")[1] for c in columns]]
    table = build_table(
        table_id, title, header, body, context=" ".join(context) + " " + title,
        complete=not ambiguous, incomplete_reason=AMBIGUOUS_REASON.format(n=ambiguous) if ambiguous else None,
    )
    return table
