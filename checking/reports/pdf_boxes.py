"""Where a cited figure or quote stands on its PDF page: a box in PDF points from the page's top-left
(x0, top, x1, bottom), as pdfplumber measures it.

The reader records `Location.box` for table cells and narrative figures; that box is always used
when present. Documents read before boxes existed (or a quote the reader has no box for: a whole
sentence, a whole row) are located here from the page's characters: every occurrence of the printed
text on the page, and among several the one on the row label's line and under the column's header
(a table cell) or inside the quoted sentence (a narrative figure). The page view, the structured
citations and the annotated PDF all ask this one module.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

Box = tuple[float, float, float, float]

_SPACE = re.compile(r"\s+")


@dataclass
class PageText:
    """The page's characters in content order, spaces dropped, each with its box."""

    text: str
    boxes: list[Box]
    width: float
    height: float

    def find(self, needle: str) -> list[list[Box]]:
        """Every occurrence of `needle` (spaces ignored), as its characters' boxes."""
        key = _SPACE.sub("", needle or "")
        if not key:
            return []
        out, start = [], 0
        while True:
            i = self.text.find(key, start)
            if i < 0:
                return out
            out.append(self.boxes[i:i + len(key)])
            start = i + 1


def union(boxes: Iterable[Box]) -> Optional[Box]:
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def lines(char_boxes: list[Box]) -> list[Box]:
    """Characters grouped into one box per printed line (a sentence over three lines: three boxes)."""
    out: list[list[Box]] = []
    for b in char_boxes:
        if out and abs(out[-1][-1][1] - b[1]) < 2 and b[0] >= out[-1][-1][0] - 1:
            out[-1].append(b)
        else:
            out.append([b])
    return [union(group) for group in out]


_CACHE: "OrderedDict[tuple[str, int], PageText]" = OrderedDict()
_CACHE_LOCK = threading.Lock()


def page_text(pdf_path: str | Path, page_no: int) -> Optional[PageText]:
    """The characters of page `page_no` (1-based); None when the page does not exist. Cached."""
    key = (str(pdf_path), page_no)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    import pdfplumber

    with pdfplumber.open(str(pdf_path)) as pdf:
        if not 1 <= page_no <= len(pdf.pages):
            return None
        page = pdf.pages[page_no - 1]
        from indexing.read.pdf_page import page_view_corner

        dx, dy = page_view_corner(page)  # the reader's page-view coordinates (MediaBox off the origin)
        text, boxes = [], []
        for ch in page.chars:
            for c in _SPACE.sub("", ch.get("text") or ""):
                text.append(c)
                boxes.append((float(ch["x0"]) - dx, float(ch["top"]) - dy, float(ch["x1"]) - dx, float(ch["bottom"]) - dy))
        found = PageText("".join(text), boxes, float(page.width), float(page.height))
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > 64:
            _CACHE.popitem(last=False)
    return found


def tight(char_boxes: list[Box]) -> Optional[Box]:
    """A printed figure's box: its first line when a line break cuts it ("55.39万" | "元")."""
    found = lines(char_boxes)
    return found[0] if found else None


def _centre(b: Box) -> tuple[float, float]:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def locate_cell(pdf_path, page_no: int, raw: str, row_label: Optional[str] = None,
                column: Optional[str] = None) -> Optional[Box]:
    """A table cell's box from its printed text, on the row label's line and under its column header."""
    pt = page_text(pdf_path, page_no) if page_no else None
    if pt is None or not raw:
        return None
    hits = [tight(h) for h in pt.find(raw)]
    if not hits:
        return None
    if len(hits) == 1:
        return hits[0]
    label_y = None
    if row_label:
        labels = pt.find(row_label)
        if labels:
            label_y = [_centre(union(h))[1] for h in labels]
    head_x = None
    if column:
        last = column.split("/")[-1]
        heads = pt.find(last) if last else []
        if heads:
            head_x = [_centre(union(h))[0] for h in heads]

    def cost(b: Box) -> float:
        cx, cy = _centre(b)
        c = 0.0
        if label_y:
            c += min(abs(cy - y) for y in label_y) * 3
        if head_x:
            # a header printed above the cell, so only headers higher up the page count
            c += min(abs(cx - x) for x in head_x)
        return c

    return min(hits, key=cost)


def locate_text(pdf_path, page_no: int, quote: str, near: Optional[str] = None) -> list[Box]:
    """A quote's boxes, one per printed line. With `near` (the sentence around a figure), the
    occurrence of `quote` inside that sentence."""
    pt = page_text(pdf_path, page_no) if page_no else None
    if pt is None or not quote:
        return []
    hits = pt.find(quote)
    if not hits:
        # a long sentence cut by a page break or a footnote: its first 20 characters still point to it
        hits = pt.find(_SPACE.sub("", quote)[:20]) if len(_SPACE.sub("", quote)) > 24 else []
    if not hits:
        return []
    if near and len(hits) > 1:
        around = [union(h) for h in pt.find(near)]
        if around:
            def inside(h):
                b = union(h)
                return min(abs(_centre(b)[1] - _centre(a)[1]) + abs(_centre(b)[0] - _centre(a)[0]) / 10 for a in around)

            hits.sort(key=inside)
    return lines(hits[0])


def evidence_box(pdf_path, location, raw: Optional[str], *, row_label: Optional[str] = None,
                 quote: Optional[str] = None) -> Optional[Box]:
    """The box of one finding side or cited figure: the reader's box when it has one, else located."""
    if location is None:
        return None
    if location.box:
        return tuple(float(v) for v in location.box)
    if not location.page or pdf_path is None:
        return None
    if location.table_id is not None or location.column:
        return locate_cell(pdf_path, location.page, raw or "", row_label, location.column)
    boxes = []
    if raw:
        pt = page_text(pdf_path, location.page)
        if pt is not None:
            hits = pt.find(raw)
            if len(hits) == 1:
                boxes = [tight(hits[0])]
            elif hits and quote:
                around = locate_text(pdf_path, location.page, quote)
                if around:
                    a = union(around)
                    inside = [tight(h) for h in hits if a[1] - 2 <= _centre(tight(h))[1] <= a[3] + 2]
                    boxes = inside[:1] or [tight(hits[0])]
                else:
                    boxes = [tight(hits[0])]
            elif hits:
                boxes = [tight(hits[0])]
    if not boxes and quote:
        boxes = locate_text(pdf_path, location.page, quote)
    return union(boxes)


def fill_from_document(report, doc) -> int:
    """Give each finding side the reader's box of the cell or narrative figure it cites, where the
    checker's evidence left it out (the narrative side is built from the claim, not the figure).
    Returns how many boxes were filled. `report` is a DocumentReport of `doc`."""
    if doc is None or doc.format != "pdf":
        return 0
    # A figure cut by a line break ("55.39万" | "元") has a box over both lines; such a box is left
    # out and the figure located on its first line instead.
    heights = sorted(f.location.box[3] - f.location.box[1] for s in doc.sections for f in s.figures if f.location.box)
    line = heights[len(heights) // 2] if heights else None
    n = 0
    for f in report.findings:
        for e in f.evidence:
            loc = e.location
            if loc.box:
                continue
            box = None
            if loc.section_id and loc.offset is not None:
                sec = doc.section(loc.section_id)
                fig = next((x for x in sec.figures if x.location.offset == loc.offset), None) if sec else None
                box = fig.location.box if fig else None
                if box and line and box[3] - box[1] > 1.6 * line:
                    box = None
            elif loc.table_id and loc.row is not None and loc.column:
                table = doc.table(loc.table_id)
                row = next((r for r in table.rows if r.index == loc.row), None) if table else None
                cell = row.cell(loc.column) if row else None
                box = cell.figure.location.box if cell and cell.figure else None
            elif loc.table_id and loc.row is None and loc.page:
                # a finding on a whole table (a doubted reading): the table's cells on that page
                table = doc.table(loc.table_id)
                box = union([c.figure.location.box for r in table.rows for c in r.cells
                             if c.figure and c.figure.location.box and (c.figure.location.page or r.page) == loc.page]
                            ) if table else None
            if box:
                e.location = loc.model_copy(update={"box": tuple(box)})
                n += 1
    return n
