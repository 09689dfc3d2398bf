"""Tables flattened into space-separated tokens (one printed row over several lines).

What survives flattening: the order of tokens. What is lost: blank cells and cell boundaries. So a
row is rebuilt as label/code segments followed by its trailing number tokens; a row that has as many
numbers as the table has number columns is placed exactly, and the first number of a shorter row
goes to the leading 合计 column (a total is never blank when a part is printed). The other numbers
of a shorter row cannot be placed without guessing: they are kept as text in the column
`未定位数值` and the table is marked incomplete with the reason.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable, Optional, Sequence

from indexing.model import Table, TableType, normalise_label
from indexing.read.flat_placement import place_rows
from indexing.read.table_types import PROJECT_KIND_RE, classify_table
from indexing.read.tables import build_table
from indexing.read.text_flat_sides import AMBIGUOUS_REASON, CJK_EDGE, VALUE, side_by_side
from indexing.read.text_tables import is_note_line

UNPLACED = "未定位数值"
_CODE = re.compile(r"^\d{3,}$")
_CODE_PART = re.compile(r"^\d{2}$")
_THREE_PUBLIC_KEYS = [
    "“三公”经费合计",
    "因公出国（境）费",
    "公务用车购置及运行费/小计",
    "公务用车购置及运行费/公务用车购置费",
    "公务用车购置及运行费/公务用车运行费",
    "公务接待费",
]


def _split_values(tokens: list[str]) -> tuple[list[str], list[str]]:
    k = len(tokens)
    while k > 0 and VALUE.match(tokens[k - 1]):
        k -= 1
    return tokens[:k], tokens[k:]


def _segments(tokens: list[str]) -> list[tuple[str, str]]:
    """Text tokens of one line → [('C', code) | ('L', label)]; letter-spaced words are merged."""
    segs: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        at_start = not segs or segs[-1][0] == "L"
        if _CODE.match(t) and at_start and not (re.match(r"^20\d{2}$", t) and i + 1 < len(tokens) and tokens[i + 1][:1] in "年号"):
            parts = [t]
            while i + 1 < len(tokens) and _CODE_PART.match(tokens[i + 1]):
                i += 1
                parts.append(tokens[i])
            segs.append(("C", " ".join(parts)))
        elif segs and segs[-1][0] == "L":
            prev = segs[-1][1]
            boundary = (
                len(t) >= 2 and len(prev.split(" ")[-1]) >= 2
                and CJK_EDGE.match(t[0]) and CJK_EDGE.match(prev[-1])
            )
            if boundary:
                segs.append(("L", t))
            else:
                joiner = "" if (len(t) == 1 or len(prev.split(" ")[-1]) == 1) and CJK_EDGE.match(t[0]) and CJK_EDGE.match(prev[-1]) else " "
                segs[-1] = ("L", prev + joiner + t)
        else:
            segs.append(("L", t))
        i += 1
    return segs


def _header_text(lines: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(lines)).replace("“", "").replace("”", "")


def _is_data_line(line: str, perf: bool) -> bool:
    tokens = line.split()
    _, values = _split_values(tokens)
    any_value = any(VALUE.match(t) and not re.match(r"^[-—–－]", t) for t in tokens)
    return bool(values) or any_value or bool(_CODE.match(tokens[0])) if tokens else False


def parse_flat_table(
    table_id: str,
    title: str,
    context: list[str],
    lines: list[tuple[int, str]],
    j: int,
    is_end: Callable[[list[tuple[int, str]], int], bool],
    previous: Sequence[Table] = (),
) -> tuple[int, Table]:
    block: list[str] = []
    i = j
    while i < len(lines):
        s = lines[i][1].strip()
        if s and is_end(lines, i):
            break
        if s:
            block.append(s)
        i += 1
    # Notes: from the first note line to the end of the block.
    notes: list[str] = []
    for k, s in enumerate(block):
        if is_note_line(s):
            for s2 in block[k:]:
                if notes and not is_note_line(s2):
                    notes[-1] += s2
                else:
                    notes.append(s2)
            block = block[:k]
            break
    ttype = classify_table(title)
    perf = ttype in (TableType.performance_overall, TableType.performance_project) and "汇总" not in title
    h = 0
    if not perf:
        while h < len(block) and not _is_data_line(block[h], perf):
            h += 1
        if h == len(block) and h > 8:  # no data at all: not a header this long
            h = 0
        elif 0 < h < len(block) and re.sub(r"\s+", "", block[h - 1]) in ("合计", "总计") and not _split_values(block[h].split())[0]:
            h -= 1  # "合计" on its own line, its numbers on the next
    header_lines, body_lines = block[:h], block[h:]
    htext = _header_text(header_lines)
    if "收入" in htext and "支出" in htext and htext.count("项目") >= 2:
        table = side_by_side(table_id, title, context, header_lines, body_lines)
    else:
        known = _summary_totals(previous) if ttype in (TableType.income, TableType.expenditure) else {}
        ceilings = _department_spending(previous) if ttype in _FUND_TABLES else {}
        table = _regular(table_id, title, context, header_lines, body_lines, perf, known, ceilings)
    for note in notes:
        if re.search(r"空表|无数据|此表为空", note) and table.empty_note is None and not any(r.figures() for r in table.rows):
            table.empty_note = note
        else:
            table.notes.append(note)
    return i, table


# ---------------------------------------------------------------------------------------------


def _summary_totals(previous: Sequence[Table]) -> dict[str, Decimal]:
    """Amounts of the 收支总表 by row label. The 收入总表 and 支出总表 cover the same scope (the
    department's whole budget), so a column of theirs named like a 收支总表 row totals to that row's
    amount (identity C of the templates: 收支总表 ↔ 收入总表 ↔ 支出总表 totals); a row printed
    blank totals 0."""
    summary = next((t for t in previous if t.standard_type == TableType.income_expense_summary), None)
    out: dict[str, Decimal] = {}
    if summary is None:
        return out
    for row in summary.rows:
        for k, cell in enumerate(row.cells):
            if cell.figure is not None or not cell.text:
                continue
            nxt = row.cells[k + 1] if k + 1 < len(row.cells) else None
            if nxt is not None and (nxt.figure is not None or not nxt.text):
                value = nxt.figure.value if nxt.figure is not None and nxt.figure.value is not None else Decimal(0)
                out.setdefault(normalise_label(cell.text), value)
    return out


_FUND_TABLES = (TableType.general_budget_expenditure, TableType.gov_fund, TableType.state_capital)
_TOTAL_LABEL_RE = re.compile(r"^\s*(?:合\s*计|总\s*计)\s*$")


def _department_spending(previous: Sequence[Table]) -> dict[tuple[str, str], Decimal]:
    """(code, column name) → amount of the 支出总表, when it was read completely. It covers every
    fund, so a fund table's amount for the same code and column (基本支出, 项目支出) can be no
    larger; a blank cell of a complete table is 0."""
    total = next((t for t in previous if t.standard_type == TableType.expenditure), None)
    if total is None or not total.complete:
        return {}
    out: dict[tuple[str, str], Decimal] = {}
    for row in total.rows:
        key = row.code or ("合计" if _TOTAL_LABEL_RE.match(row.name or "") else None)
        if key is None:
            continue
        for cell in row.cells:
            leaf = normalise_label(cell.column.split("/")[-1])
            if cell.figure is not None and cell.figure.value is not None:
                out[(key, leaf)] = cell.figure.value
            elif not cell.text and leaf in ("基本支出", "项目支出"):
                out[(key, leaf)] = Decimal(0)
    return out


def _regular(table_id: str, title: str, context: list[str], header_lines: list[str], body_lines: list[str], perf: bool,
             known: Optional[dict[str, Decimal]] = None,
             ceilings: Optional[dict[tuple[str, str], Decimal]] = None) -> Table:
    rows: list[tuple[list[tuple[str, str]], list[str]]] = []
    pending: list[tuple[str, str]] = []
    prev_multi = False
    for s in body_lines:
        text, values = _split_values(s.split())
        segs = _segments(text)
        if segs:
            starts_new = segs[0][0] == "C" or PROJECT_KIND_RE.fullmatch(segs[0][1]) or prev_multi or not pending or pending[-1][0] == "C"
            if values and pending and len(segs) == 1 and segs[0][0] == "L" and not starts_new:
                starts_new = True  # the text on a numbers line is its own cell (项目单位)
            if not starts_new and segs[0][0] == "L" and pending[-1][0] == "L" and not PROJECT_KIND_RE.fullmatch(pending[-1][1]):
                pending[-1] = ("L", pending[-1][1] + segs[0][1])
                segs = segs[1:]
            pending.extend(segs)
            prev_multi = len(segs) >= 2
        if values or perf:
            rows.append((pending, values))
            pending, prev_multi = [], False
    if pending:
        rows.append((pending, []))

    htext = _header_text(header_lines)
    has_code = any(k == "C" for segs, _ in rows for k, _ in segs)
    project_like = htext.startswith("类型")
    n_labels = max([sum(1 for k, _ in segs if k == "L") for segs, _ in rows] + [1])
    n_codes = max([sum(1 for k, _ in segs if k == "C") for segs, _ in rows] + [0])
    if project_like:
        label_cols = ["类型", "项目名称", "项目单位"][: max(n_labels, 2)] + [f"名称{k}" for k in range(4, n_labels + 1)]
    else:
        label_cols = ["名称"] + [f"名称{k}" for k in range(2, n_labels + 1)]
    code_cols = ["编码"] + [f"编码{k}" for k in range(2, n_codes + 1)] if has_code else []
    text_cols: list[str] = []
    for k in range(max(len(code_cols), len(label_cols))):  # 编码 名称 编码2 名称2 …
        if k < len(code_cols):
            text_cols.append(code_cols[k])
        if k < len(label_cols):
            text_cols.append(label_cols[k])
    n_values = max([len(v) for _, v in rows] + [0])
    printed = _header_value_words(header_lines, len(text_cols))
    if n_values and len(printed) > n_values:
        n_values = len(printed)  # a column no row fills is still a column (its cells were blank)
    value_cols = _value_columns(header_lines, n_values, htext, len(text_cols))
    column_totals = {k - 1: known[normalise_label(c)] for k, c in enumerate(value_cols)
                     if k and known and normalise_label(c) in known}
    row_codes = [next((re.sub(r"\D", "", t) for k, t in segs if k == "C"), None) for segs, _ in rows]
    row_labels = [next((t for k, t in segs if k == "L"), "") for segs, _ in rows]
    row_bounds = {}
    for r, code in enumerate(row_codes):
        key = code or ("合计" if _TOTAL_LABEL_RE.match(row_labels[r]) else None)
        bound = {k - 1: ceilings[(key, normalise_label(c.split("/")[-1]))] for k, c in enumerate(value_cols)
                 if k and ceilings and (key, normalise_label(c.split("/")[-1])) in ceilings}
        if bound:
            row_bounds[r] = bound
    placed = place_rows([v for _, v in rows], n_values, row_codes, row_labels,
                        column_totals, row_bounds=row_bounds) if n_values >= 3 else {}
    ambiguous = 0
    body: list[list[Optional[str]]] = []
    for r, (segs, values) in enumerate(rows):
        cells: dict[str, str] = {}
        codes = [t for k, t in segs if k == "C"]
        labels = [t for k, t in segs if k == "L"]
        for col, t in zip(code_cols, codes):
            cells[col] = t
        lcols = list(label_cols)
        if project_like and labels and not PROJECT_KIND_RE.fullmatch(labels[0]):
            lcols = lcols[1:]
        for col, t in zip(lcols, labels):
            cells[col] = t
        if len(values) == n_values:
            cells.update(zip(value_cols, values))
        elif r in placed:
            cells.update((c, v) for c, v in zip(value_cols, placed[r]) if v is not None)
        elif values:
            cells[value_cols[0]] = values[0]
            if len(values) > 1:
                cells[UNPLACED] = " ".join(values[1:])
                ambiguous += 1
        body.append([cells.get(c) for c in text_cols + value_cols] + ([cells.get(UNPLACED)] if ambiguous else []))
    columns = text_cols + value_cols + ([UNPLACED] if ambiguous else [])
    body = [r + [None] * (len(columns) - len(r)) for r in body]
    table = build_table(
        table_id, title, [columns], body, context=" ".join(context) + " " + title,
        complete=not ambiguous, incomplete_reason=AMBIGUOUS_REASON.format(n=ambiguous) if ambiguous else None,
    )
    table.header_rows = [[line] for line in header_lines] or table.header_rows
    for row in table.rows:  # leftover numbers are text, never figures
        c = row.cell(UNPLACED)
        if c is not None:
            c.figure = None
    return table


def _header_value_words(header_lines: list[str], n_text: int) -> list[str]:
    """The value columns the last header line names, when it names one word per column
    (科目编码 科目名称 合计 一般公共预算拨款收入 …: the text columns first). Empty when it does not
    line up (letter-spaced or wrapped headers)."""
    if not header_lines:
        return []
    words = [t.replace(" ", "") for _, t in _segments(header_lines[-1].split())]
    if len(words) > n_text + 1 and re.fullmatch(r"合计|总计|小计", words[n_text]):
        return words[n_text:]
    return []


def _value_columns(header_lines: list[str], n: int, htext: str, n_text: int) -> list[str]:
    if n == 0:
        return []
    if n == 6 and all(w in htext for w in ("因公出国", "公务接待", "公务用车购置费", "公务用车运行")):
        return list(_THREE_PUBLIC_KEYS)
    if header_lines:
        last = _segments(header_lines[-1].split())
        words = [t.replace(" ", "") for _, t in last]
        if len(words) >= n and len(words) == n + n_text or (len(words) == n and len(words) >= 2):
            return words[-n:]
    first = "合计" if re.search(r"合计|总计", htext) else "金额"
    return [first] + [f"列{k}" for k in range(n_text + 2, n_text + n + 1)]


# ---------------------------------------------------------------------------------------------
