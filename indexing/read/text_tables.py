"""Tab-separated tables in converted text: header/body split, merged header cells, page breaks.

A page break in these conversions repeats the page header (unit name, 预算年度, 单位) and the table
header rows; the rows after it continue the same table. A row name cut by the break arrives as a
row holding only the rest of the name (`财政对城乡居` / `民基本医疗保险基金的补助`): it is joined to
the row above. Rows repeated by the break are dropped. Rows much wider than the table (a fragment
of another table that the converter misplaced) start a separate fragment table marked incomplete.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Table, TableType
from indexing.numbers import parse_number
from indexing.read.table_types import classify_table
from indexing.read.tables import build_table, find_unit

_CONTEXT_RE = re.compile(
    r"^(?:(?:部门|单位|预算单位|编制单位|编制部门)(?:名称)?(?:\s*[（(](?:部门|单位)[)）])?\s*[:：]"
    r"|(?:金额)?单位\s*[:：]"
    r"|预算年度\s*[:：]"
    r"|截[止至](?:时间|日期)\s*[:：]"
    r"|[（(]\s*20\d{2}\s*年度?\s*[)）]$"
    r"|(?!20\d{2}\s*年)\d{3,}\s+[\u4e00-\u9fff（）()]{2,40}$"
    r"|(?:万元|元)$)"
)
_NOTE_RE = re.compile(r"^(?:注|备注|说明|附注)\s*\d?\s*[:：]|故此表无数据|空表列示|此表为空|本表无数据")
_EMPTY_RE = re.compile(r"空表|无数据|此表为空|没有.*故此表")
_LANCI = {"栏次", "档次", "栏号"}
_CODE_CELL = re.compile(r"^\d{2,3}(?:\s+\d{1,2})?$|^\d{3,7}$")

FRAGMENT_REASON = (
    "表格残片：标题和表头缺失，转换时错位到其他表格之后 / "
    "fragment: rows without their title and header, misplaced after another table by the converter"
)


_PAGE_BREAK_RE = re.compile(r"^(?:[\f]*[-—–]*\d{1,4}[-—–]*|第\d{1,4}页(?:共\d+页)?|[（(]?续表?[)）]?|\f+)$")


def is_context_line(line: str) -> bool:
    """Unit/department/year lines printed between a title and its header. A converter may put
    them in one tab-separated line ("编制部门：…\t\t单位：元"): every cell must be context then."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    return bool(cells) and all(len(c) <= 80 and _CONTEXT_RE.match(c) for c in cells)


def is_note_line(line: str) -> bool:
    return bool(_NOTE_RE.search(line.strip()))


def _cells(line: str) -> list[str]:
    return [re.sub(r"\s+", " ", c).strip() for c in line.split("\t")]


def _trim(cells: list[str]) -> tuple[str, ...]:
    out = list(cells)
    while out and not out[-1]:
        out.pop()
    return tuple(re.sub(r"\s+", "", c) for c in out)


def fill_header(rows: list[list[str]]) -> list[list[Optional[str]]]:
    """Fill merged header cells: a blank cell above a column that has words further down takes
    the text of its left neighbour (the spanning cell's text was printed once, at its left)."""
    if not rows:
        return []
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    for r in range(len(grid) - 1):
        for c in range(1, width):
            if grid[r][c]:
                continue
            below = any(grid[k][c] for k in range(r + 1, len(grid)))
            if below and grid[r][c - 1]:
                grid[r][c] = grid[r][c - 1]
    return [[c or None for c in r] for r in grid]


class TabTableBuilder:
    """Consumes tab rows (and the context/note lines among them) into one table, or more when a
    misplaced fragment follows it."""

    def __init__(self, table_id: str, title: str, context: list[str], warnings: list[str], previous: list[Table]):
        self.next_id = int(table_id[1:])
        self.warnings = warnings
        self.previous = previous
        self.done: list[Table] = []
        self._start(title, context)

    def _start(self, title: str, context: list[str], *, fragment: bool = False, header: Optional[list[list[str]]] = None):
        self.title = title
        self.context = list(context)
        self.context_keys = {re.sub(r"\s+", "", c) for c in context}
        ttype = classify_table(title)
        self.perf = ttype in (TableType.performance_overall, TableType.performance_project) and "汇总" not in title
        # An untitled table (found by its unit line) has a header of its own, like a titled one.
        self.max_header = 4 if ttype is not TableType.other or not title else 1
        self.header: list[list[str]] = header or []
        self.header_keys = {_trim(h) for h in self.header}
        self.header_done = bool(header) or fragment
        self.body: list[list[str]] = []
        self.seen: set[tuple[str, ...]] = set()
        self.notes: list[str] = []
        self.after_break = False
        self.merge_next = False
        self.dropped = 0
        self.fragment = fragment

    # -- rows ---------------------------------------------------------------------------------

    def _width(self) -> int:
        return max([len(r) for r in self.header] + [len(r) for r in self.body[:5]] + [0])

    def _is_data(self, cells: list[str]) -> bool:
        first = next((c for c in cells if c), "")
        skip_first = bool(self.header) and re.sub(r"\s+", "", self.header[0][0] if self.header[0] else "") == "序号"
        for k, c in enumerate(cells):
            if skip_first and k == 0:
                continue
            p = parse_number(c)
            if p is not None and p.value is not None:
                return True
        return bool(_CODE_CELL.match(first)) and any(re.search(r"[\u4e00-\u9fff]", c) for c in cells)

    def _lone_text(self, cells: list[str]) -> Optional[int]:
        """Index of the only non-empty cell when the row is a bare piece of text (a cut-off name)."""
        filled = [k for k, c in enumerate(cells) if c]
        if len(filled) != 1:
            return None
        c = cells[filled[0]]
        if parse_number(c) is not None or _CODE_CELL.match(c) or not re.search(r"[\u4e00-\u9fff]", c):
            return None
        return filled[0]

    def add_row(self, cells: list[str]) -> None:
        key = _trim(cells)
        if not key:
            return
        if key[0] in _LANCI:
            self.header_keys.add(key)
            self.header_done = True
            return
        if not self.header_done:
            if self.perf or self._is_data(cells) or len(self.header) >= self.max_header:
                self.header_done = True
            else:
                self.header.append(cells)
                self.header_keys.add(key)
                return
        if self.after_break:
            if key in self.header_keys:
                return
            self.after_break = False
            self.merge_next = True
        if key in self.header_keys or key in self.seen:
            self.dropped += 1 if key in self.seen else 0
            self.merge_next = True
            return
        lone = self._lone_text(cells)
        if self.merge_next and lone is not None and self.body:
            prev = self.body[-1]
            prev.extend([""] * (lone + 1 - len(prev)))
            prev[lone] = prev[lone] + cells[lone]
            self.merge_next = False
            return
        self.merge_next = False
        self.seen.add(key)
        self.body.append(cells)

    def _is_fragment(self, cells: list[str]) -> bool:
        width = self._width()
        return (
            self.header_done
            and width > 0
            and len(cells) > width + 2
            and any(cells[width:])
            and bool(self.body or self.header)
        )

    # -- consuming lines ------------------------------------------------------------------------

    def consume(self, lines: list[tuple[int, str]], j: int) -> int:
        n = len(lines)
        i = j
        while i < n:
            s = lines[i][1]
            st = s.strip()
            if not st:
                i += 1
                continue
            if "\t" in s:
                cells = _cells(s)
                filled = [c for c in cells if c]
                if not filled:
                    i += 1
                    continue
                if len(filled) == 1 and is_context_line(filled[0]) and not self.body and not self.header:
                    self.context.append(filled[0])
                    i += 1
                    continue
                if self._is_fragment(cells):
                    self._finish()
                    header = next((t.header_rows for t in reversed(self.previous + self.done) if len(t.columns) == len(cells)), None)
                    self._start("（无标题表格残片）", [], fragment=True, header=[list(h) for h in header] if header else None)
                self.add_row(cells)
                i += 1
                continue
            if is_note_line(st):
                self.notes.append(st)
                i += 1
                continue
            if self.body and is_context_line(st) and not self._repeats_own_header(lines, i):
                # A unit line after this table's rows heads the next table (every table prints
                # one), unless the rows after it repeat this table's header (a page break).
                self._finish()
                self._start("", [st])
                i += 1
                continue
            if self._is_page_header(st):
                k = i
                while k < n and (not lines[k][1].strip() or ("\t" not in lines[k][1] and self._is_page_header(lines[k][1].strip()))):
                    k += 1
                if k < n and "\t" in lines[k][1] and (self.body or self.header):
                    self.after_break = True
                    i = k
                    continue
            break
        self._finish()
        return i

    def _repeats_own_header(self, lines: list[tuple[int, str]], i: int) -> bool:
        """Is the unit line a page break inside this table? Yes unless the next row is a header
        of another table: two or more words, no figure, not this table's header."""
        nxt = next((s for _, s in lines[i + 1 : i + 6] if "\t" in s and s.strip()), None)
        if nxt is None:
            return True
        cells = _cells(nxt)
        new_header = sum(1 for c in cells if c) >= 2 and not self._is_data(cells) and _trim(cells) not in self.header_keys
        return not new_header

    def _is_page_header(self, line: str) -> bool:
        """Lines a page break puts inside a table: the unit/department lines, the page number
        ("— 3 —", "第3页"), a form feed, a 续表 mark, or the table's own title printed again."""
        compact = re.sub(r"\s+", "", line)
        return (is_context_line(line) or compact in self.context_keys or bool(_PAGE_BREAK_RE.match(compact))
                or (bool(self.title) and compact == re.sub(r"\s+", "", self.title)))

    # -- building -----------------------------------------------------------------------------

    def _finish(self) -> None:
        if not (self.header or self.body or self.notes) and self.fragment:
            return
        table_id = f"t{self.next_id + len(self.done)}"
        context = " ".join(self.context)
        table = build_table(
            table_id,
            self.title,
            fill_header(self.header),
            self.body,
            context=context + " " + self.title,
            complete=not self.fragment,
            incomplete_reason=FRAGMENT_REASON if self.fragment else None,
        )
        if table.unit is None:
            table.unit = find_unit(" ".join(table.columns))
        if self.fragment:
            table.standard_type = TableType.other  # no title, no header: its type is not guessed
            self.warnings.append(f"{table_id}: {FRAGMENT_REASON}")
        # A per-project performance table titled "X绩效目标表" is a project table, not the overall one.
        if table.standard_type is TableType.performance_overall and "整体" not in self.title and any(
            c.text in ("项目名称", "项目编码") for r in table.rows[:3] for c in r.cells
        ):
            table.standard_type = TableType.performance_project
        for note in self.notes:
            if _EMPTY_RE.search(note) and not table.rows and table.empty_note is None:
                table.empty_note = note
            else:
                table.notes.append(note)
        if self.dropped:
            table.notes.append(f"已去除分页重复行 {self.dropped} 行 / {self.dropped} row(s) repeated by a page break removed")
        self.done.append(table)

    def tables(self) -> list[Table]:
        return self.done


# ---------------------------------------------------------------------------------------------
# A table whose detail rows fall short of its total row was cut short by the conversion.


def _value_column(table: Table) -> Optional[str]:
    keys = [k for k in table.columns if any(r.cell(k) and r.cell(k).figure and r.cell(k).figure.value is not None for r in table.rows)]
    for k in keys:
        if re.search(r"合计|总计|金额", k.split("/")[-1]):
            return k
    return keys[0] if keys else None


_TOTAL_TEXT = re.compile(r"^(?:合计|总计|小计)[:：]?$")


def mark_total_rows(table: Table) -> None:
    """A 合计 printed in the code column (合计 | | | 417.79) still names a total row."""
    for row in table.rows:
        if row.name or row.is_total:
            continue
        text = next((c.text for c in row.cells if c.text and c.figure is None), "")
        if _TOTAL_TEXT.match(re.sub(r"\s+", "", text)):
            row.name, row.is_total, row.code, row.code_raw = text, True, None, None


def check_truncation(table: Table) -> None:
    """Mark a table incomplete when its 项 (or 款) rows add up to less than its 合计 row and the
    shortfall lies at the table's end.

    A text cut short loses its last rows; a parent printed with other rows after its group was not
    cut, so a parent ≠ Σ children there is an arithmetic disagreement (the department's, for the
    checker), not a truncation. The leaves fall short of the total by (合计 − Σ top rows) plus,
    for every parent, (parent − Σ its children); what the parents followed by other rows account
    for is taken off, and only what is left — the total's own gap and the groups that run to the
    table's last coded row — is the part a cut could explain."""
    col = _value_column(table)
    if col is None:
        return
    total_row = next((r for r in table.rows if r.is_total and r.value(col) is not None), None)
    if total_row is None:
        return
    level = None
    for length in (7, 5):
        if sum(1 for r in table.rows if r.code and len(r.code) == length) >= 2:
            level = length
            break
    if level is None:
        return
    values = [r.value(col) for r in table.rows if r.code and len(r.code) == level and r.value(col) is not None]
    total = total_row.value(col)
    got = sum(values, Decimal(0))
    tolerance = Decimal("0.005") * (len(values) + 1)
    if got < total - tolerance and total - got - _inner_shortfall(table, col, level) > tolerance:
        reason = (
            f"表格不完整：明细行合计{got}，少于合计行{total}（相差{total - got}），文本可能被截断 / "
            f"table cut short: detail rows sum to {got}, less than the total row {total} "
            f"(gap {total - got}); the text was probably truncated"
        )
        table.complete = False
        table.incomplete_reason = f"{table.incomplete_reason}; {reason}" if table.incomplete_reason else reason


def _inner_shortfall(table: Table, col: str, level: int) -> Decimal:
    """Σ (parent − Σ its children) over the parents whose group is followed by other coded rows.
    Children are the group's next printed level; a row with nothing under it is no parent."""
    coded = [r for r in table.rows if r.code and len(r.code) in (3, 5, 7) and len(r.code) <= level]
    out = Decimal(0)
    for k, parent in enumerate(coded):
        value = parent.value(col)
        if len(parent.code) >= level or value is None:
            continue
        end = k + 1
        while end < len(coded) and coded[end].code.startswith(parent.code) and coded[end].code != parent.code:
            end += 1
        if end == len(coded):
            continue  # its group runs to the table's end: a cut there is a truncation
        group = coded[k + 1:end]
        if not group:
            continue  # nothing under it: a unit's own code (309 XX局), or a 款 whose 项 are not printed
        step = min((len(r.code) for r in group), default=0)  # 款 rows, or 项 rows where no 款 is printed
        kids = [r.value(col) for r in group if len(r.code) == step]
        out += value - sum((v for v in kids if v is not None), Decimal(0))
    return out
