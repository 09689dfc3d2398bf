"""Ruled tables on PDF pages → grids of cell texts, and tables continued over pages joined.

pdfplumber finds the ruling and gives each row a list of cell boxes, with None where a merged cell
covers the position. We rebuild the merged cells from the boxes themselves: a box covers every
column whose edges it contains and every row whose band it contains. In the header the spanning
text is repeated over the covered positions (so `tables.flatten_header` yields "基本支出/人员经费");
in the body it is written once, in the last covered column (a 合计 label spanning 类|款|项|名称 lands
in the name column, not in the code columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from indexing.numbers import parse_number

_TOL = 2.0  # points: ruling lines of one table are drawn at the same x within this
_TOTAL_LABEL_RE = re.compile(r"^(?:合计|总计|小计)$")


@dataclass
class SpanCell:
    r0: int  # first row covered
    r1: int  # last row covered (inclusive)
    c0: int
    c1: int
    text: str
    box: Optional[tuple[float, float, float, float]] = None


Box = tuple[float, float, float, float]


@dataclass
class PageTable:
    """One ruled table as found on one page, before joining over pages."""

    page: int
    bbox: tuple[float, float, float, float]
    edges: list[float]  # column edges, len = columns + 1
    row_bands: list[tuple[float, float]]  # (top, bottom) per row
    boxes: list[tuple[int, tuple[float, float, float, float], str]]  # (row index, cell box, text)
    title: str = ""
    context: str = ""
    context_lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    continued_marker: bool = False  # 续表 / （续） printed above it

    @property
    def n_cols(self) -> int:
        return len(self.edges) - 1


def cell_text(text: Optional[str]) -> str:
    """Cell text with its hard line breaks removed: CJK cells wrap anywhere ("事业单位\\n经营收入")."""
    if not text:
        return ""
    s = re.sub(r"(?<=[A-Za-z])\n(?=[A-Za-z])", " ", text.strip())
    return re.sub(r"\s*\n\s*", "", s).strip()


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def page_table(page_no: int, table) -> Optional[PageTable]:
    """A pdfplumber Table → PageTable; None for a one-column frame (a boxed table of contents)."""
    texts = table.extract()
    xs: list[float] = []
    boxes = []
    bands = []
    for r, (row, row_texts) in enumerate(zip(table.rows, texts)):
        bands.append((row.bbox[1], row.bbox[3]))
        for box, text in zip(row.cells, row_texts):
            if box is None:
                continue
            xs += [box[0], box[2]]
            boxes.append((r, tuple(box), cell_text(text)))
    edges = _cluster(xs)
    if len(edges) < 3:
        return None
    return PageTable(page=page_no, bbox=tuple(table.bbox), edges=edges, row_bands=bands, boxes=boxes)


def strip_leading_rows(pt: PageTable, is_title, is_context) -> tuple[str, list[str]]:
    """Some templates draw the title and the 编制单位/单位 line inside the table's ruling (P07's
    财政拨款收支总表). Leading rows that are empty, a title or context are taken off the table;
    returns (title, context lines)."""
    title, context = "", []
    while pt.row_bands:
        texts = [t for r, _, t in pt.boxes if r == 0 and t]
        if texts and not all(is_context(t) for t in texts) and not (len(texts) == 1 and is_title(texts[0])):
            break
        for t in texts:
            if is_context(t):
                context.append(t)
            elif not title:
                title = t
        pt.boxes = [(r - 1, b, t) for r, b, t in pt.boxes if r > 0]
        pt.row_bands = pt.row_bands[1:]
    if pt.row_bands:
        pt.bbox = (pt.bbox[0], pt.row_bands[0][0], pt.bbox[2], pt.bbox[3])
    return title, context


def _index(edges: list[float], x: float) -> Optional[int]:
    best = min(range(len(edges)), key=lambda i: abs(edges[i] - x))
    return best if abs(edges[best] - x) <= _TOL * 2 else None


def span_cells(pt: PageTable, edges: Optional[list[float]] = None) -> Optional[list[SpanCell]]:
    """Cells of a page table placed on a column grid (its own, or a previous page's when joining).
    None when a box does not line up with the grid (then it is not the same table)."""
    edges = edges or pt.edges
    out = []
    for r, box, text in pt.boxes:
        c0, c1 = _index(edges, box[0]), _index(edges, box[2])
        if c0 is None or c1 is None or c1 <= c0:
            return None
        r1 = r
        while r1 + 1 < len(pt.row_bands) and pt.row_bands[r1 + 1][1] <= box[3] + _TOL:
            r1 += 1
        out.append(SpanCell(r, r1, c0, c1 - 1, text, box))
    return out


def _is_number(text: str) -> bool:
    parsed = parse_number(text) if text and re.search(r"\d", text) else None
    return parsed is not None and parsed.value is not None


def _is_body_value(text: str) -> bool:
    """A number, or a mark that stands for no value in a data row ("无", "-")."""
    return _is_number(text) or text in {"无", "-", "—", "--", "——", "－"}


def header_row_count(cells: list[SpanCell], n_rows: int) -> int:
    """Header rows are the rows above the first row that holds a number or a code, is empty, or
    is a 合计 row whose label spans several columns and one row (a header 合计 spans rows)."""
    for r in range(n_rows):
        starting = [c for c in cells if c.r0 == r]
        if not any(c.text for c in starting):
            return r
        for c in starting:
            if _is_body_value(c.text):
                return r
            if _TOTAL_LABEL_RE.match(c.text) and c.c1 > c.c0 and c.r1 == c.r0 and c.c0 == 0:
                return r
    return n_rows


def to_grid(cells: list[SpanCell], n_rows: int, n_cols: int,
            n_header: int) -> tuple[list[list[str]], list[list[str]], list[list[Optional[Box]]]]:
    """(header rows, body rows, the page box of each body cell). Header spans are filled across and
    down; body spans written once, with their box."""
    grid = [[""] * n_cols for _ in range(n_rows)]
    box_grid: list[list[Optional[Box]]] = [[None] * n_cols for _ in range(n_rows)]
    for c in cells:
        if c.r0 < n_header:
            for r in range(c.r0, min(c.r1, n_header - 1) + 1):
                for col in range(c.c0, c.c1 + 1):
                    grid[r][col] = c.text
        else:
            grid[c.r0][c.c1] = c.text
            box_grid[c.r0][c.c1] = c.box
    header, body, boxes = grid[:n_header], grid[n_header:], box_grid[n_header:]
    # A 合计 row that also carries sub-headers (本年支出 › 合计/基本支出/项目支出, P05 决算表): the
    # words go to the header, the row keeps its label.
    if body and header and _TOTAL_LABEL_RE.match(next((t for t in body[0] if t), "")):
        first = next(i for i, t in enumerate(body[0]) if t)
        words = [t if i > first and re.search(r"[\u4e00-\u9fff]", t) else "" for i, t in enumerate(body[0])]
        if any(words) and not any(_is_number(t) for t in body[0]):
            header.append(words)
            body[0] = [t if not words[i] else "" for i, t in enumerate(body[0])]
    return header, body, boxes


def edges_compatible(prev: PageTable, nxt: PageTable) -> bool:
    """Every column edge of the next page's table on the previous grid, and the same width — or,
    when the first page drew an extra (empty) margin column the next page leaves out, at least
    four edges all on the grid."""
    on_grid = all(_index(prev.edges, x) is not None for x in nxt.edges)
    same_width = abs(prev.bbox[0] - nxt.bbox[0]) <= 3 * _TOL and abs(prev.bbox[2] - nxt.bbox[2]) <= 3 * _TOL
    return on_grid and (same_width or len(nxt.edges) >= 5)


@dataclass
class JoinedTable:
    parts: list[PageTable]
    header: list[list[str]]
    body: list[list[str]]
    row_pages: list[int]
    boxes: list[list[Optional[Box]]] = field(default_factory=list)  # per body cell, on its page


def join_tables(tables: list[PageTable], continues: list[bool]) -> list[JoinedTable]:
    """Group page tables into printed tables. `continues[i]` says table i may continue table i-1
    (the reader decided from the page: nothing but a 续表 mark above it, previous page)."""
    out: list[JoinedTable] = []
    for pt, cont in zip(tables, continues):
        prev = out[-1] if out else None
        if cont and prev is not None and pt.page == prev.parts[-1].page + 1 and edges_compatible(prev.parts[0], pt):
            cells = span_cells(pt, prev.parts[0].edges)
            if cells is not None:
                n_head = header_row_count(cells, len(pt.row_bands))
                header, body, boxes = to_grid(cells, len(pt.row_bands), prev.parts[0].n_cols, n_head)
                if header and _new_header(header, prev.header):
                    cells = None  # a table of its own, untitled, at the top of the page
                elif header and not _repeats(header, prev.header):
                    # not a repeated header: rows of the table (their boxes are the header's cells)
                    head_cells = to_grid(cells, len(pt.row_bands), prev.parts[0].n_cols, 0)[2][: len(header)]
                    body, boxes = header + body, head_cells + boxes
            if cells is not None:
                prev.parts.append(pt)
                kept = [i for i, r in enumerate(body) if any(r)]
                prev.body += [body[i] for i in kept]
                prev.boxes += [boxes[i] for i in kept]
                prev.row_pages += [pt.page] * len(kept)
                continue
        cells = span_cells(pt) or []
        n_head = header_row_count(cells, len(pt.row_bands))
        header, body, boxes = to_grid(cells, len(pt.row_bands), pt.n_cols, n_head)
        kept = [i for i, r in enumerate(body) if any(r)]
        out.append(JoinedTable([pt], header, [body[i] for i in kept], [pt.page] * len(kept), [boxes[i] for i in kept]))
    return out


# Words that name a column of the standard tables: a header made of them is a table's own header.
_COLUMN_WORD_RE = re.compile(r"^(?:(?:功能|经济|部门经济|政府经济)?(?:分类)?科目(?:编码|名称)?|项目(?:名称|编码)?|合计|小计|总计|"
                             r"人员经费|公用经费|基本支出|项目支出|预算数|决算数|金额|类|款|项|单位(?:名称|编码)|本年收入|本年支出)$")


def _new_header(header: list[list[str]], prev_header: list[list[str]]) -> bool:
    """Does a table that might continue the previous page's open with a header of its own? An
    untitled table at the top of a page (the 一般公共预算基本支出表 printed right after the 支出表,
    no title between) has the grid of the one before; its header rows name columns (科目编码,
    科目名称, 人员经费 …) in words the previous header does not print. Two such words at least:
    a continuation's first data rows, misread as header, are names and amounts, not column words."""
    prev_words = {t for row in prev_header for t in row if t}
    new = {"".join(t.split()) for row in header for t in row if t and t not in prev_words}
    return sum(1 for w in new if _COLUMN_WORD_RE.match(w)) >= 2


def _repeats(header: list[list[str]], prev_header: list[list[str]]) -> bool:
    """Is a continuation's header the previous page's header printed again?"""
    prev_words = {t for row in prev_header for t in row if t}
    words = {t for row in header for t in row if t}
    return bool(words) and words <= prev_words
