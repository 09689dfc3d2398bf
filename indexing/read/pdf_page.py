"""Page geometry for the PDF reader: the visible page, the page-view coordinates boxes are
recorded in, characters printed over themselves, the padding of double-ruled tables, and a
table's first row printed above its ruling.

pdfplumber measures from its own page box; a renderer (pypdfium2, service/pages.py) draws the
visible page with its top-left corner at pixel 0, 0. The two differ for a MediaBox off the origin
or upside down, so the reader moves every box of such a page by the visible page's corner.
"""

from __future__ import annotations

from indexing.numbers import parse_number
from indexing.read.pdf_tables import _TOL, PageTable

_PADDING_MAX = 8.0  # points: the widest gap between a cell's ruling and its inner frame


def page_view_corner(page) -> tuple[float, float]:
    """The visible page's top-left corner in pdfplumber's coordinates of `page`: subtract it from a
    pdfplumber box to get the box the reader records (`Location.box`, see `to_page_view`)."""
    x0, top, _, _ = visible_box(page)
    return x0, top


def visible_box(page) -> tuple[float, float, float, float]:
    """The page's visible area in the coordinates its objects carry. A MediaBox written upside down
    or off the origin ([0 595 842 0]) is flipped by pdfplumber about its height, not its raw edge
    (pdfplumber issue #1332), so every object of such a page sits one offset away from `page.bbox`.
    When no character lies on the page box and nearly all lie on it moved by that offset, the moved
    box is the visible page; clipped text on ordinary pages is still dropped as before."""
    x0, top, x1, bottom = page.bbox
    chars = page.chars
    if not chars:
        return x0, top, x1, bottom

    def share_inside(dy: float) -> float:
        inside = sum(1 for c in chars if c["top"] >= top + dy - 1 and c["bottom"] <= bottom + dy + 1)
        return inside / len(chars)

    if share_inside(0.0) > 0.05:
        return x0, top, x1, bottom
    raw = page.page_obj.attrs.get("MediaBox") or []
    try:
        offsets = {float(v) for v in raw} | {bottom - top}
    except (TypeError, ValueError):
        offsets = {bottom - top}
    # The page's height first (the flip of #1332 moves by it); a portrait page's other edge would
    # also hold every character of a short page, so the best share wins and ties go to the height.
    height = bottom - top
    candidates = [height, -height] + sorted(offsets | {-v for v in offsets} - {0.0, height, -height})
    shares = [(share_inside(dy), -k, dy) for k, dy in enumerate(candidates)]
    share, _, dy = max(shares)
    if share >= 0.95:
        return x0, top + dy, x1, bottom + dy
    return x0, top, x1, bottom


def overprints(chars: list[dict]) -> set[int]:
    """Characters printed again on themselves (a bold title faked by drawing it five times,
    xian_13's "表表表表表88888"): the same character at the same place, to the point, is one
    character; the copies are dropped. Two different printed characters never share a place."""
    seen: set[tuple] = set()
    out: set[int] = set()
    for c in chars:
        key = (c.get("text"), round(c["x0"]), round(c["top"]))
        if key in seen:
            out.add(id(c))
        else:
            seen.add(key)
    return out


def to_page_view(tables: list[PageTable], lines: list, dx: float, dy: float) -> None:
    """Boxes in the coordinates a renderer draws the page in: points from the visible page's
    top-left corner (pypdfium2 puts that corner at pixel 0, 0). pdfplumber measures from its own
    page box, which for a MediaBox off the origin ([-12 12 830 607], beijing_13) or upside down
    (xian_21) is not the visible page (`visible_box`), so every box is moved by that corner;
    ordinary pages (corner at 0, 0) are not touched. Positions only ever compare within a page,
    so moving a whole page changes no reading."""

    def move(b):
        return None if b is None else (b[0] - dx, b[1] - dy, b[2] - dx, b[3] - dy)

    for pt in tables:
        pt.bbox = move(pt.bbox)
        pt.edges = [e - dx for e in pt.edges]
        pt.row_bands = [(a - dy, b - dy) for a, b in pt.row_bands]
        pt.boxes = [(r, move(b), t) for r, b, t in pt.boxes]
    for line in lines:
        line.top, line.bottom = line.top - dy, line.bottom - dy
        line.boxes = [move(b) for b in line.boxes] if line.boxes else line.boxes


def drop_padding(pt: PageTable) -> None:
    """Tables drawn with double rules (西安's 政府采购预算表: every header cell framed again a few
    points inside its ruling) give pdfplumber a grid with thin padding columns and rows: the header's
    words stand in the inner frames, the body's cells span the outer ones, so a body figure landed
    one column right of its header (a 款 code "06" under no header, read as an amount) and an empty
    padding row ended the header early. The table's columns are those of its data rows: an edge no
    data-row cell uses, every data row's cells cross and that lies a few points from its neighbour
    is padding — dropped, and every cell is widened to the columns that remain (a header word
    lands on the body column it stands over). In such a table the rows in which no cell starts, and
    the header rows whose cells are all empty, are padding too. A table whose header edges are all body edges (every ordinary table) is left
    as it is."""
    data: dict[int, list] = {}
    for r, b, _ in pt.boxes:
        data.setdefault(r, []).append(b)
    figured = {r for r, _, t in pt.boxes if _is_figure_text(t)}
    data = {r: bs for r, bs in data.items() if r in figured}
    if len(data) < 2:
        return

    def padding(e: float) -> bool:
        used = any(abs(b[0] - e) <= _TOL or abs(b[2] - e) <= _TOL for bs in data.values() for b in bs)
        return not used and all(any(b[0] < e - _TOL and b[2] > e + _TOL for b in bs) for bs in data.values())

    # padding is thin: the edge sits a few points from a neighbour (5.4 pt in 西安's frames); a real
    # column that every figure row happens to merge across (a 绩效 form's 指标值) is wider
    edges_in = pt.edges
    thin = {e for i, e in enumerate(edges_in[1:-1], 1)
            if min(e - edges_in[i - 1], edges_in[i + 1] - e) <= _PADDING_MAX}
    drop = {e for e in edges_in[1:-1] if e in thin and padding(e)}
    if not drop:
        return
    edges = [e for e in pt.edges if e not in drop]
    merged: dict[tuple, list] = {}
    for r, b, t in pt.boxes:
        x0 = max((e for e in edges if e <= b[0] + _TOL), default=edges[0])
        x1 = min((e for e in edges if e >= b[2] - _TOL), default=edges[-1])
        old = merged.setdefault((r, x0, x1), [r, (x0, b[1], x1, b[3]), ""])
        old[1] = (x0, min(old[1][1], b[1]), x1, max(old[1][3], b[3]))
        old[2] = " ".join(x for x in (old[2], t) if x)
    # an empty padding frame inside a worded cell of its row must not blank the word out
    worded = [v for v in merged.values() if v[2]]
    merged = {k: v for k, v in merged.items() if v[2] or not any(
        w[0] == v[0] and w[1][0] <= v[1][0] and v[1][2] <= w[1][2] for w in worded)}
    first_data = min(data)
    texts: dict[int, str] = {}
    for r, _, t in merged.values():
        texts[r] = texts.get(r, "") + t
    keep = [r for r in range(len(pt.row_bands)) if r in texts and (texts[r] or r >= first_data)]
    renumber = {r: k for k, r in enumerate(keep)}
    pt.row_bands = [pt.row_bands[r] for r in keep]
    pt.boxes = [(renumber[r], b, t) for r, b, t in merged.values() if r in renumber]
    pt.edges = edges


def _is_figure_text(text: str) -> bool:
    parsed = parse_number(text) if text and any(ch.isdigit() for ch in text) else None
    return parsed is not None and parsed.value is not None


def take_unruled_top_row(pt: PageTable, lines: list) -> list:
    """A table continued on a new page whose first row is printed above the page's first rule
    (xian_11 p30: "24 30201 办公费 50201 办公经费 802200.00 …" over the ruling): the line directly
    above the table whose characters all fall inside its columns and split there into figures,
    codes and names — two figures with decimals at least — is that row, put back at the table's
    top. Titles, unit lines and sentences never split so."""
    if not pt.row_bands or not lines:
        return lines
    height = max(b - a for a, b in pt.row_bands[:3])
    above = [k for k, l in enumerate(lines) if l.bottom <= pt.bbox[1] + 1 and pt.bbox[1] - l.bottom <= height]
    if not above:
        return lines
    k = max(above, key=lambda i: lines[i].bottom)
    line = lines[k]
    cells = _split_by_columns(line, pt.edges)
    if cells is None:
        return lines
    decimals = sum(1 for t in cells if _is_figure_text(t) and "." in t)
    plain = all(not t or _is_figure_text(t) or t.isdigit() or not any(ch.isdigit() for ch in t) for t in cells)
    if decimals < 2 or not plain:
        return lines
    top = line.top
    pt.boxes = [(0, (pt.edges[c], top, pt.edges[c + 1], pt.bbox[1]), t) for c, t in enumerate(cells)] + [
        (r + 1, b, t) for r, b, t in pt.boxes]
    pt.row_bands = [(top, pt.bbox[1])] + pt.row_bands
    pt.bbox = (pt.bbox[0], top, pt.bbox[2], pt.bbox[3])
    return [l for i, l in enumerate(lines) if i != k]


def _split_by_columns(line, edges: list[float]):
    """The line's text per column (by each character's centre); None when a character falls
    outside the columns or the line has no character boxes."""
    if not line.boxes:
        return None
    cells = [""] * (len(edges) - 1)
    for ch, box in zip(line.text, line.boxes):
        if box is None or not ch.strip():
            continue
        cx = (box[0] + box[2]) / 2
        col = next((c for c in range(len(edges) - 1) if edges[c] <= cx <= edges[c + 1]), None)
        if col is None:
            return None
        cells[col] += ch
    return cells
