"""Tables printed without ruling lines, rebuilt from where their words stand.

Some sheets are exported with no borders, so pdfplumber's `find_tables` sees nothing. The
template still fixes their geometry, and these rules rebuild them:

- a **body row** is a printed line with at least two amounts (a figure with a thousands separator
  or decimals standing alone as a word — "2,468,438.00", never "3,386.08 万元" inside a sentence);
  a line without amounts sits on the row grid (its own row, "四、事业收入") when it is a row pitch
  away from its neighbours, and is a wrapped part of the nearest row when it is closer than half a
  pitch (a name over two lines, set around the row's middle line);
- the **header** is the lines between the title / unit line and the first body row;
- an **empty table** is its title, unit line and header, a 合计 row without figures and the note
  that says it is empty (空表).

A table is taken only with a title or unit line above it and two body rows or more, so a list of
figures in the narrative is never a table. Words, columns and the header's names are read by
indexing/read/pdf_unruled_grid.py; the result is a `PageTable` like a ruled one, so the rest of
the reader (merged headers, pages joined, typing, confidence) is the same.
"""

from __future__ import annotations

import re
from statistics import median
from typing import Callable

from indexing.read.pdf_tables import PageTable
from indexing.read.pdf_unruled_grid import Line, page_table, words_of

_LOOSE_AMOUNT = re.compile(r"(?:^|\s)[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?:\s|$)")


def _is_row_line(line: Line) -> bool:
    """Amounts standing alone as words, none followed by a unit (that is a sentence): two or more,
    or one set off from a label before it (a one-column table, one side of a 收支总表), or one alone
    on its line (its label wraps around it)."""
    amounts = line.amounts
    if not amounts or (len(amounts) == 1 and len(line.words) > 1
                       and not any(w.x1 < amounts[0].x0 and not w.amount for w in line.words)):
        return False
    for w in amounts:
        nxt = next((v for v in line.words if v.x0 > w.x1), None)
        if nxt is not None and re.match(r"^[万元亿%％，,。]", nxt.text):
            return False
    return True


def _is_prose(line: Line, width: float) -> bool:
    text = "".join(w.text for w in line.words)
    return "。" in text or any(w.x1 - w.x0 > 0.6 * width for w in line.words)


def find_unruled_tables(page_no: int, lines: list, is_title: Callable[[str], bool],
                        is_context: Callable[[str], bool]) -> tuple[list[PageTable], set[int]]:
    """Unruled tables among a page's lines (those outside its ruled tables), and the indexes of the
    lines they took (the header and body; the title and unit lines stay for `_attach_text`)."""
    # Cheap gate first: a page with no figure standing apart from other text, and no 空表 note,
    # holds no unruled table (most pages: narrative, or tables that were ruled).
    if not any(_LOOSE_AMOUNT.search(l.text) for l in lines) and not any("空表" in l.text for l in lines):
        return [], set()
    parsed = [Line(i, l.top, l.bottom, words_of(l, l.size or 9.0)) for i, l in enumerate(lines)]
    tables: list[PageTable] = []
    used: set[int] = set()
    k = 0
    while k < len(parsed):
        found = _empty_table_at(page_no, parsed, k, is_title, is_context) if is_title(_text(parsed[k])) else None
        if found is None and not _is_row_line(parsed[k]):
            k += 1
            continue
        found = found or _table_at(page_no, parsed, k, is_title, is_context)
        if found is None:
            k += 1
            continue
        table, taken, end = found
        tables.append(table)
        used |= taken
        k = end
    return tables, used


def _table_at(page_no, parsed: list[Line], first: int, is_title, is_context):
    # The header: lines above the first row, up to the title or unit line (required).
    head: list[Line] = []
    j = first - 1
    while j >= 0 and len(head) < 6:
        text = "".join(w.text for w in parsed[j].words)
        if is_context(text) or is_title(text):
            break
        head.insert(0, parsed[j])
        j -= 1
    else:
        return None
    if j < 0 or not head:
        return None
    # The body: row lines and the lines between them, until a gap of three pitches, prose, a title
    # or a note.
    rows = [parsed[first]]
    between: list[Line] = []
    last = first
    pitches: list[float] = []
    for m in range(first + 1, len(parsed)):
        line = parsed[m]
        text = "".join(w.text for w in line.words)
        pitch = median(pitches) if pitches else (rows[0].bottom - rows[0].top) * 2.5
        if line.top - parsed[last].bottom > 3 * pitch or is_title(text) or is_context(text) or re.match(r"^(?:注|说明)", text):
            break
        if _is_row_line(line):
            pitches.append(line.middle - rows[-1].middle)
            rows.append(line)
            last = m
        elif line.amounts or not _is_prose(line, _width(rows)):
            between.append(line)
            last = m
        else:
            break
    if len(rows) < 2:
        return None
    between = [l for l in between if l.top < rows[-1].bottom + 3 * (median(pitches) if pitches else 10)]
    pitch = median(pitches) if pitches else rows[0].bottom - rows[0].top
    # The first row's name may wrap above it: a header line nearer the first row than the header
    # line above it, within half a pitch of the row, is part of the row.
    while len(head) > 1 and abs(head[-1].middle - rows[0].middle) < 0.5 * pitch and \
            abs(head[-1].middle - rows[0].middle) < abs(head[-1].middle - head[-2].middle):
        between.insert(0, head.pop())
    body = _body_rows(rows, between, pitch)
    table = page_table(page_no, head, body, pitch)
    if table is None:
        return None
    taken = {l.index for l in head} | {l.index for r in body for l in r}
    return table, taken, max(taken) + 1


def _text(line: Line) -> str:
    return "".join(w.text for w in line.words)


def _empty_table_at(page_no, parsed: list[Line], title: int, is_title, is_context):
    """A table printed empty: its title, unit line and header, a 合计 row without figures, and the
    note that says it is empty (空表) — all within a few lines, with no amount among them."""
    k = title + 1
    while k < len(parsed) and is_context(_text(parsed[k])):
        k += 1
    block: list[Line] = []
    while k < len(parsed) and len(block) < 8:
        text = _text(parsed[k])
        if re.match(r"^(?:注|说明)", text):
            break
        if parsed[k].amounts or is_title(text):
            return None
        block.append(parsed[k])
        k += 1
    else:
        return None
    if k == title + 1 or not re.search(r"空表|无数据|本表无|没有", _text(parsed[k])):
        return None
    first_row = next((i for i, l in enumerate(block) if re.fullmatch(r"合计|总计", l.words[0].text if l.words else "")), None)
    if not first_row:
        return None
    head, body = block[:first_row], [[l] for l in block[first_row:]]
    table = page_table(page_no, head, body, pitch=2.5 * (head[-1].bottom - head[-1].top))
    if table is None:
        return None
    taken = {l.index for l in block}
    return table, taken, max(taken) + 1


def _width(rows: list[Line]) -> float:
    xs = [w.x0 for r in rows for w in r.words] + [w.x1 for r in rows for w in r.words]
    return max(xs) - min(xs) if xs else 1.0


def _body_rows(rows: list[Line], between: list[Line], pitch: float) -> list[list[Line]]:
    """Row lines with their wrapped lines; a line on the row grid is a row of its own."""
    groups: dict[int, list[Line]] = {id(r): [r] for r in rows}
    own: list[list[Line]] = []
    for line in between:
        nearest = min(rows, key=lambda r: abs(r.middle - line.middle))
        if abs(nearest.middle - line.middle) < 0.5 * pitch:
            groups[id(nearest)].append(line)
        else:
            own.append([line])
    out = list(groups.values()) + own
    for g in out:
        g.sort(key=lambda l: l.top)
    return sorted(out, key=lambda g: g[0].top)


