"""The geometry of a table printed without ruling lines: words, columns and header from positions.

indexing/read/pdf_unruled.py finds where such a table stands on a page (its title or unit line,
its body rows); this module turns those lines into a `PageTable`:

- a **word** is a run of characters with gaps under 0.8 of the font size; cells are separated by
  wider gaps (padding);
- **columns** are the left edges of text words and the right edges of amounts (amounts are
  right-aligned, text left-aligned), clustered over the body rows; header words that stand over
  no body column (a column blank in every row) add their own;
- the **header** is the lines between the table's title / unit line and its first body row: a word
  over several columns is a group heading over them (left-aligned headers: up to the next group;
  centred ones: the columns under it); words over one column are stacked top to bottom into its
  name ("科目编" over "码" is 科目编码).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from indexing.read.pdf_tables import PageTable

_AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)$")
_WORD_GAP = 0.8  # share of the font size: a wider gap between characters separates two cells
_COL_TOL = 3.0  # points: edges of one column line up within this


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def amount(self) -> bool:
        return bool(_AMOUNT.match(self.text))


@dataclass
class Line:
    index: int  # position in the page's line list
    top: float
    bottom: float
    words: list[Word]

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def amounts(self) -> list[Word]:
        return [w for w in self.words if w.amount]


@dataclass
class Column:
    x0: float
    x1: float
    anchor: str  # "left" (text) or "right" (amounts) or "header" (blank in the body)
    words: list[Word] = field(default_factory=list)


def words_of(line, size: float) -> list[Word]:
    """A printed line (pdf_lines.PrintedLine) split into words at gaps wider than 0.8 em."""
    out: list[Word] = []
    cur: Optional[list] = None
    gap = _WORD_GAP * max(size, 4.0)
    for ch, box in zip(line.text, line.boxes):
        if box is None or not ch.strip():
            continue
        if cur is not None and box[0] - cur[2] <= gap:
            cur[2] = max(cur[2], box[2])
            cur[3] += ch
            cur[4], cur[5] = min(cur[4], box[1]), max(cur[5], box[3])
        else:
            if cur is not None:
                out.append(Word(cur[3], cur[0], cur[2], cur[4], cur[5]))
            cur = [box[0], box[1], box[2], ch, box[1], box[3]]
    if cur is not None:
        out.append(Word(cur[3], cur[0], cur[2], cur[4], cur[5]))
    return out



def _cluster(words: list[Word], key) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in sorted(words, key=key):
        if out and key(w) - key(out[-1][-1]) <= _COL_TOL:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _columns(body: list[list[Line]], leaf_words: list[Word]) -> Optional[list[Column]]:
    words = [w for g in body for l in g for w in l.words]
    cols = [Column(min(w.x0 for w in c), max(w.x1 for w in c), "right", c)
            for c in _cluster([w for w in words if w.amount], key=lambda w: w.x1)]
    cols += [Column(min(w.x0 for w in c), max(w.x1 for w in c), "left", c)
             for c in _cluster([w for w in words if not w.amount], key=lambda w: w.x0)]
    cols.sort(key=lambda c: c.x0)
    # Clusters that overlap are one column.
    merged: list[Column] = []
    for c in cols:
        if merged and c.x0 < merged[-1].x1 - _COL_TOL:
            if merged[-1].anchor != c.anchor:
                return None  # text and amounts interleaved: not a grid
            merged[-1].x1, merged[-1].words = max(merged[-1].x1, c.x1), merged[-1].words + c.words
        else:
            merged.append(c)
    # A column's name widens it (a flush-left name over right-aligned amounts starts the column);
    # a name over no body column is a column blank in every row.
    # Flush-left names over right-aligned amounts may stand wholly left of them: such a name
    # belongs to the nearest unnamed amount column on its right, when no other name is between.
    named: set[int] = set()
    loose: list[Word] = []
    for w in leaf_words:
        over = [c for c in merged if _overlaps(w, c)]
        if len(over) == 1:
            over[0].x0, over[0].x1 = min(over[0].x0, w.x0), max(over[0].x1, w.x1)
            named.add(id(over[0]))
        elif not over:
            loose.append(w)
    for w in loose:
        right = next((c for c in merged if c.x0 > w.x0 and c.x1 > w.x1), None)
        if (right is not None and right.anchor == "right" and id(right) not in named
                and not any(w.x1 <= v.x0 < right.x0 for v in leaf_words)):
            right.x0 = w.x0
            named.add(id(right))
        else:
            same = next((c for c in merged if c.anchor == "header" and _overlaps(w, c)), None)
            if same is not None:  # the second line of a blank column's name ("政府性基金预" / "算")
                same.x0, same.x1 = min(same.x0, w.x0), max(same.x1, w.x1)
                continue
            merged.append(Column(w.x0, w.x1, "header"))
            merged.sort(key=lambda c: c.x0)
    return merged


def _overlaps(w: Word, c: Column) -> bool:
    return w.x0 < c.x1 and c.x0 < w.x1


def _edges(columns: list[Column]) -> list[float]:
    edges = [columns[0].x0 - 2]
    for a, b in zip(columns, columns[1:]):
        edges.append((a.x1 + b.x0) / 2)
    edges.append(columns[-1].x1 + 2)
    return edges


def _header_levels(head: list[Line], pitch: float) -> tuple[list[list[Line]], list[Line]]:
    """(group-heading lines, one list per level from the top; the column-name lines). The line with
    the most words names the columns; lines within half a pitch of it are its wrapped parts."""
    leaf = max(reversed(head), key=lambda l: len(l.words))
    names = [l for l in head if abs(l.middle - leaf.middle) < 0.5 * pitch]
    above = [l for l in head if l.bottom <= leaf.top and l not in names]
    levels: list[list[Line]] = []
    for l in above:
        if levels and abs(l.middle - levels[-1][-1].middle) < 0.5 * pitch:
            levels[-1].append(l)
        else:
            levels.append([l])
    return levels, names


def page_table(page_no: int, head: list[Line], body: list[list[Line]], pitch: float) -> Optional[PageTable]:
    levels, names = _header_levels(head, pitch)
    leaf_words = [w for l in names for w in l.words]
    columns = _columns(body, leaf_words)
    if columns is None or len(columns) < 2:
        return None
    edges = _edges(columns)
    n = len(columns)
    left_aligned = _left_aligned(leaf_words, columns)

    def column_of(w: Word) -> Optional[int]:
        x = w.x1 - 1 if w.amount else (w.x0 + 1 if left_aligned else (w.x0 + w.x1) / 2)
        return next((i for i in range(n) if edges[i] <= x < edges[i + 1]), None)

    n_head = len(levels) + 1
    top, bottom = min(l.top for l in head), max(l.bottom for l in head)
    bands = [(min(l.top for l in lv), max(l.bottom for l in lv)) for lv in levels]
    bands.append((min(l.top for l in names), max(l.bottom for l in names)))
    boxes: list[tuple[int, tuple[float, float, float, float], str]] = []
    covered: dict[int, int] = {}  # column → the lowest level a group heading covers it at
    for lv, lines in enumerate(levels):
        line_words = sorted((w for l in lines for w in l.words), key=lambda w: w.x0)
        for k, w in enumerate(line_words):
            nxt = line_words[k + 1].x0 if k + 1 < len(line_words) else float("inf")
            span = _span(w, columns, edges, left_aligned, nxt)
            if span is None:
                return None
            if span[0] == span[1]:
                # over one column: the first line of that column's name set over two header rows
                # ("因公出国" over "（境）费"), not a heading of its own
                leaf_words.append(w)
                continue
            boxes.append((lv, (edges[span[0]], bands[lv][0], edges[span[1] + 1], bands[lv][1]), w.text))
            for c in range(span[0], span[1] + 1):
                covered[c] = lv
    leaf: dict[int, list[Word]] = {}
    for w in leaf_words:
        c = column_of(w)
        if c is None:
            return None
        leaf.setdefault(c, []).append(w)
    for c in range(n):
        words = sorted(leaf.get(c, []), key=lambda w: (w.top, w.x0))
        r0 = covered.get(c, -1) + 1  # a name with no heading above it spans the header rows above
        boxes.append((r0, (edges[c], bands[r0][0], edges[c + 1], bands[-1][1]), "".join(w.text for w in words)))
    # Body: each row's words into their columns, top to bottom.
    for r, group in enumerate(body):
        cells: dict[int, list[Word]] = {}
        for line in group:
            for w in line.words:
                c = column_of(w)
                if c is None:
                    return None
                cells.setdefault(c, []).append(w)
        g_top, g_bottom = min(l.top for l in group), max(l.bottom for l in group)
        bands.append((g_top, g_bottom))
        for c in range(n):
            ws = sorted(cells.get(c, []), key=lambda w: (w.top, w.x0))
            if ws:
                boxes.append((n_head + r, (edges[c], g_top, edges[c + 1], g_bottom), "".join(w.text for w in ws)))
    bbox = (edges[0], top, edges[-1], bands[-1][1])
    return PageTable(page=page_no, bbox=bbox, edges=edges, row_bands=bands, boxes=boxes)


def _left_aligned(words: list[Word], columns: list[Column]) -> bool:
    """Column names set flush left: most of them start where their column starts."""
    hits = sum(1 for w in words if any(abs(w.x0 - c.x0) <= _COL_TOL for c in columns))
    return hits * 2 > len(words)


def _span(w: Word, columns: list[Column], edges: list[float], left_aligned: bool,
          next_x0: float) -> Optional[tuple[int, int]]:
    """The columns a group heading stands over: flush left, from its column to the one before the
    next heading of its line; centred, the columns whose middles it covers."""
    n = len(columns)
    if left_aligned:
        c0 = next((i for i in range(n) if edges[i] - _COL_TOL <= w.x0 < edges[i + 1]), None)
        if c0 is None:
            return None
        c1 = max([i for i in range(c0, n) if columns[i].x0 < next_x0 - _COL_TOL] or [c0])
        return c0, c1
    inside = [i for i in range(n) if w.x0 - _COL_TOL <= (edges[i] + edges[i + 1]) / 2 <= w.x1 + _COL_TOL]
    if inside:
        return inside[0], inside[-1]
    middle = (w.x0 + w.x1) / 2
    c = next((i for i in range(n) if edges[i] <= middle < edges[i + 1]), None)
    return (c, c) if c is not None else None
