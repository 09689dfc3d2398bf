"""Turning a grid of cell texts into a typed `Table` — the part both readers share.

A reader (PDF or text) produces, per table: a title, header rows (merged cells already filled),
body rows of cell texts, and the page of each row. This module flattens the header into column
keys, finds the code and name columns, joins 类/款/项 codes printed over three columns, parses
every number cell into a located `Figure`, and marks 合计/小计 rows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Sequence

from indexing.model import Cell, Figure, Location, Row, Table, TableConfidence, is_line_number_column
from indexing.numbers import Agreement, compare_printed, parse_number, sum_interval
from indexing.read.meta import issuer_of
from indexing.read.codes import fill_down
from indexing.read.table_furniture import lift_furniture
from indexing.read.table_types import decide_type, table_number

_UNIT_RE = re.compile(r"(?:单位|金额单位)\s*[:：]\s*(亿元|万元|元)")
_TOTAL_RE = re.compile(r"^(?:合\s*计|总\s*计|小\s*计|本年收入合计|本年支出合计|收入总计|支出总计|收\s*入\s*总\s*计|支\s*出\s*总\s*计)$")
_CODE_IN_NAME_RE = re.compile(r"^(\d{3}(?:\s*\d{2}){0,2})(?:\s*[-－—_:：、.．]\s*|\s+)([^\d\s].*)$")
_CODE_HEADER_RE = re.compile(r"科目编码|功能分类科目编码|项目编码|^编码$|^类$|^款$|^项$|科目代码")
_UNIT_CODE_RE = re.compile(r"单位(?:编码|代码)")  # a budget unit's code: not an amount, nor part of a 科目 code
_NAME_HEADER_RE = re.compile(r"科目名称|项目名称|^项目$|^名称$|支出功能分类科目|^科目$|单位名称")
# A name column that lists projects: "项目名称", or a bare "项目"/"名称" beside a project's own
# attributes (项目类别, 项目单位 …). Its names are the projects', not the 科目's.
_PROJECT_NAME_RE = re.compile(r"项目(?:名称|全称)")
_PROJECT_ATTRIBUTE_RE = re.compile(r"项目(?:类别|类型|单位|属性|性质|期限)")


# A unit line of its own whose label lost characters ("金位：元" for 金额单位：元, a clipped cell).
_SHORT_UNIT_LINE_RE = re.compile(r"^[\u4e00-\u9fff]{1,4}[:：](亿元|万元|元)$")


def find_unit(text: str) -> Optional[str]:
    """The money unit a "单位：万元" / "金额单位：元" names; a line that is nothing but a short
    label, a colon and a money unit names it too."""
    compact = re.sub(r"\s+", "", text or "")
    m = _UNIT_RE.search(compact) or _SHORT_UNIT_LINE_RE.match(compact)
    return m.group(1) if m else None


def flatten_header(header_rows: Sequence[Sequence[Optional[str]]]) -> list[str]:
    """Multi-row header → one key per column: "基本支出/人员经费". Merged cells must already be
    filled (the reader repeats a spanning cell's text across the columns it covers); repeated
    words down a column ("合计" over "合计") collapse to one."""
    if not header_rows:
        return []
    width = max(len(r) for r in header_rows)
    keys: list[str] = []
    for col in range(width):
        parts: list[str] = []
        for row in header_rows:
            text = _clean(row[col] if col < len(row) else None)
            if text and re.fullmatch(r"\*+", text):
                continue  # "**" under a column's name marks it as not numbered; not part of the name
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        # one character per header row ("序" over "号" in a narrow column) is one word set vertically
        joiner = "" if len(parts) > 1 and all(len(p) == 1 for p in parts) else "/"
        keys.append(joiner.join(parts) if parts else f"列{col + 1}")
    # Duplicate keys (two "金额" columns in a side-by-side 收支总表) get the left neighbour's label.
    seen: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            seen[k] += 1
            keys[i] = f"{k}#{seen[k]}"
        else:
            seen[k] = 1
    return keys


def _clean(text: Optional[str]) -> str:
    return "".join((text or "").split())


def name_column(columns: Sequence[str]) -> Optional[int]:
    """The column a row's name is read from: the first whose header names 科目 or 项目."""
    return next((i for i, c in enumerate(columns) if _NAME_HEADER_RE.search(c.split("/")[-1])), None)


def names_projects(columns: Sequence[str], column: Optional[str]) -> bool:
    """Does `column` hold project names rather than 科目 names? A project table (项目支出表, a
    procurement or performance list) prints each project by name with the 功能分类 code it is
    charged to: the name is the project's ("会计人员继续教育" under 2010602), so it can never be
    compared with the 科目's name. Yes when the header says 项目名称, or when it is a bare
    项目 / 名称 in a table that also prints a project's attributes (项目类别, 项目单位 …)."""
    if not column:
        return False
    head = re.sub(r"#\d+$", "", column).split("/")[-1]
    if _PROJECT_NAME_RE.search(head):
        return True
    return head in ("项目", "名称") and any(_PROJECT_ATTRIBUTE_RE.search(c) for c in columns)


def normalise_code(raw: str) -> Optional[str]:
    """'208 | 05 | 05' / '2080505' / '21 0' (garbled) → digits; None when no code."""
    digits = re.sub(r"[^\d]", "", raw or "")
    if not digits or len(digits) > 12:
        return None
    return digits


def build_table(
    table_id: str,
    title: str,
    header_rows: list[list[Optional[str]]],
    body: list[list[Optional[str]]],
    *,
    row_pages: Optional[list[Optional[int]]] = None,
    unit: Optional[str] = None,
    pages: Optional[list[int]] = None,
    context: str = "",
    complete: bool = True,
    incomplete_reason: Optional[str] = None,
    cell_boxes: Optional[list[list[Optional[tuple[float, float, float, float]]]]] = None,
) -> Table:
    """Assemble a typed table. `context` is text printed around the title (unit line, 表号)."""
    # title, period, unit and issuer lines ruled into the table's top rows are not column names
    header_rows, furniture = lift_furniture(header_rows)
    title = title.strip() or furniture.title
    context = "\n".join([context, *furniture.lines]) if furniture.lines else context
    columns = flatten_header(header_rows)
    width = max([len(columns)] + [len(r) for r in body]) if body or columns else 0
    columns += [f"列{i + 1}" for i in range(len(columns), width)]
    # ("编码" across the path too: a header word wrapped over two header rows reads "…科目编/码")
    code_cols = [i for i, c in enumerate(columns) if _CODE_HEADER_RE.search(c.split("/")[-1]) or "编码" in c.replace("/", "")]
    name_col = name_column(columns)
    table = Table(
        id=table_id,
        title=title.strip(),
        number=table_number(context) or table_number(title),
        unit=unit or find_unit(context),
        header_rows=[[_clean(c) for c in r] for r in header_rows],
        columns=columns,
        pages=sorted(set(pages or [p for p in (row_pages or []) if p is not None])),
        complete=complete,
        incomplete_reason=incomplete_reason,
        issuer=issuer_of(context),
        notes=furniture.periods,
    )
    numbering = {i for i, texts in enumerate(body) if is_column_numbering(texts)}
    if numbering:  # 栏次 rows are part of the header's furniture, not data
        keep = [i for i in range(len(body)) if i not in numbering]
        body = [body[i] for i in keep]
        row_pages = [row_pages[i] for i in keep if i < len(row_pages)] if row_pages else row_pages
        cell_boxes = [cell_boxes[i] for i in keep if i < len(cell_boxes)] if cell_boxes else cell_boxes
    for r_index, texts in enumerate(body):
        page = row_pages[r_index] if row_pages and r_index < len(row_pages) else None
        boxes = cell_boxes[r_index] if cell_boxes and r_index < len(cell_boxes) else None
        table.rows.append(build_row(table, len(table.rows), texts, page, code_cols, name_col, boxes))
    _fill_split_codes(table, code_cols)
    _mark_unit_total(table)
    _uncode_nested_rows(table)
    retype(table)
    return table


_NUMBERING_MARK = re.compile(r"^(?:\*+|栏次|行次|列次|[-—–]+)$")


def is_column_numbering(texts: Sequence[Optional[str]]) -> bool:
    """A row that numbers the columns ("** ** 1 2 3 …", "栏次 1 2 3"): its cells are marks or the
    integers 1, 2, 3 … in order (three at least), never amounts of a data row."""
    cells = [re.sub(r"\s+", "", t) for t in texts if t and t.strip()]
    numbers = [c for c in cells if not _NUMBERING_MARK.match(c)]
    if len(numbers) < 3 or not all(re.fullmatch(r"\d{1,2}", c) for c in numbers):
        return False
    ints = [int(c) for c in numbers]
    return ints == list(range(ints[0], ints[0] + len(ints))) and ints[0] <= 1


def _mark_unit_total(table: Table) -> None:
    """Templates that list spending by unit print the unit's name, not 合计, on the line that
    totals the coded rows under it ("XX局（本级）  384,598.56 …" above 205 教育支出 …). One such
    line above the first coded row, in a table with no other total, is the table's total; with
    several units, the department's own line comes first, above its units', and totals them all."""
    from indexing.read.meta import valid_department

    if any(r.is_total for r in table.rows) or not table.rows:
        return
    first_coded = next((i for i, r in enumerate(table.rows) if r.code), None)
    if not first_coded:
        return
    unit_rows = [r for r in table.rows if not r.code and valid_department(re.sub(r"[（(]本级[)）]$", "", r.name))]
    head = table.rows[first_coded - 1]
    if len(unit_rows) == 1 and unit_rows[0] is head and any(True for _ in head.figures()):
        head.is_total = True
    elif len(unit_rows) >= 2 and unit_rows[0] is table.rows[0] and any(True for _ in table.rows[0].figures()):
        table.rows[0].is_total = True


def figures_close(total: Figure, parts: Sequence[Optional[Figure]]) -> bool:
    """Do the parts add up to the printed total within rounding (`indexing.numbers`)?"""
    known = [(p.value, p.decimals) for p in parts if p is not None and p.value is not None]
    return bool(known) and compare_printed(total.value, total.decimals, sum_interval(known)) is not Agreement.outside


def _uncode_nested_rows(table: Table) -> None:
    """One code on consecutive rows either splits the 科目 (北京 prints one row per economic item,
    the rows add up to it) or nests under it (西安's procurement list: the 科目's subtotal, then its
    unit's, then the unit's items, all under the same code). When the 合计 row is closed, in every
    column it prints, by the first row of each run and not by all of them, the rows after the first
    detail it: they keep their printed code (`code_raw`) but are no 科目 rows of their own
    (`code` None), so no sum counts them twice."""
    total = next((r for r in table.rows if r.is_total and not r.code), None)
    coded = [r for r in table.rows if r.code]
    if total is None or len(coded) < 3:
        return
    top = min(len(r.code) for r in coded)
    tops = [r for r in coded if len(r.code) == top]
    heads = [r for k, r in enumerate(tops) if k == 0 or tops[k - 1].code != r.code]
    if len(heads) == len(tops):
        return
    verdicts = []
    for cell in total.cells:
        f = cell.figure
        if f is None or f.value is None:
            continue
        parts = [r.cell(cell.column).figure if r.cell(cell.column) else None for r in tops]
        head_parts = [r.cell(cell.column).figure if r.cell(cell.column) else None for r in heads]
        if any(p is not None and p.value is not None for p in parts):
            verdicts.append((figures_close(f, parts), figures_close(f, head_parts)))
    if not verdicts or not all(by_heads and not by_all for by_all, by_heads in verdicts):
        return
    first = {id(r) for r in heads}
    for r in tops:
        if id(r) not in first:
            r.code = None


def _fill_split_codes(table: Table, code_cols: list[int]) -> None:
    """类 | 款 | 项 printed over columns with a group's 类 (and 款) on its first row only: each
    row gets its full code (`codes.fill_down`); the printed text stays in `code_raw`."""
    first_run = subject_code_run(table.columns, code_cols)
    if len(first_run) < 2:
        return
    parts = [[r.cells[i].text if i < len(r.cells) else "" for i in first_run] for r in table.rows]
    if not any(p[0] == "" and any(p[1:]) for p in parts):
        return  # every code printed whole: nothing to fill
    for row, code in zip(table.rows, fill_down(parts)):
        if code is not None:
            row.code = code


def subject_code_run(columns: Sequence[str], code_cols: Sequence[int]) -> list[int]:
    """The columns a row's 科目 code is read from: the first run of adjacent code columns (类 | 款 |
    项), a budget unit's code column (单位编码, printed beside the 科目 code in unit-level lists)
    left out: it is a code of another kind, not more digits of the 科目's. Where the unit's code
    is the only code printed, it is the row's code."""
    cols = [i for i in code_cols if not _UNIT_CODE_RE.search(columns[i])] or list(code_cols)
    return [i for k, i in enumerate(cols) if i - k == cols[0]] if cols else []


def retype(table: Table) -> Table:
    """Decide the standard type from the title and the content read (header words, row labels,
    codes), and record how (`Table.confidence.type_source`)."""
    labels = [c.text for r in table.rows for c in r.cells if c.text and c.figure is None][:400]
    codes = [r.code for r in table.rows if r.code]
    ttype, source, note = decide_type(table.title, table.columns, labels, codes, _header_words(table))
    table.standard_type = ttype
    table.confidence = TableConfidence(type_source=source, type_note=note)
    return table


def _header_words(table: Table) -> list[str]:
    return [w for r in table.header_rows for w in r if w]


@lru_cache(maxsize=512)
def _amount_columns(columns: tuple[str, ...], code_cols: tuple[int, ...], name_col: Optional[int]) -> tuple[bool, ...]:
    """Which columns hold amounts: not a code, the name or a line-number column. The same for every
    row of a table, so decided once per table shape."""
    return tuple(
        not (col in code_cols or (col == 0 and _CODE_HEADER_RE.search(key) is not None))
        and col != name_col and not is_line_number_column(key)
        for col, key in enumerate(columns)
    )


def build_row(
    table: Table,
    index: int,
    texts: Sequence[Optional[str]],
    page: Optional[int],
    code_cols: list[int],
    name_col: Optional[int],
    boxes: Optional[Sequence[Optional[tuple[float, float, float, float]]]] = None,
) -> Row:
    cells: list[Cell] = []
    amounts = _amount_columns(tuple(table.columns), tuple(code_cols), name_col)
    for col, key in enumerate(table.columns):
        text = " ".join(((texts[col] if col < len(texts) else None) or "").split())
        figure = None
        if amounts[col]:
            parsed = parse_number(text)
            if parsed is not None:
                figure = Figure(
                    value=parsed.value,
                    raw=parsed.raw,
                    decimals=parsed.decimals,
                    unit=parsed.unit or table.unit,
                    location=Location(page=page, table_id=table.id, row=index, column=key,
                                       box=boxes[col] if boxes and col < len(boxes) else None),
                )
        cells.append(Cell(column=key, text=text, figure=figure))
    # Only the first run of adjacent code columns is the row's code: a side-by-side table
    # (301 … | 302 …) has a second code column that belongs to the right half.
    first_run = subject_code_run(table.columns, code_cols)
    code_raw = " | ".join(c.text for i, c in enumerate(cells) if i in first_run and c.text) or None
    name = cells[name_col].text if name_col is not None and name_col < len(cells) else ""
    if not name:  # first text cell that is not a number, a code or a serial number
        # (in the left half only, when the table is printed side by side)
        limit = next((i for i in code_cols if i not in first_run and not _UNIT_CODE_RE.search(table.columns[i])),
                     len(cells))
        name = next(
            (
                c.text
                for i, c in enumerate(cells[:limit])
                if c.text and c.figure is None and i not in code_cols and not c.text.isdigit()
            ),
            "",
        )
    # Codes printed inside the name column ("2080505 机关事业单位基本养老保险缴费支出",
    # "2013601-行政运行", "30101：基本工资"): digits of a 3/5/7-digit code, a separator, the name.
    if code_raw is None:
        m = _CODE_IN_NAME_RE.match(name)
        if m:
            code_raw, name = m.group(1), m.group(2)
    return Row(
        index=index,
        cells=cells,
        code_raw=code_raw,
        code=normalise_code(code_raw) if code_raw else None,
        name=name,
        page=page,
        is_total=bool(_TOTAL_RE.match(_clean(name))),
    )
