"""The page view: a PDF page as a PNG with the cited cells boxed, and the source of a citation or a
finding side (the page and its boxes for a PDF; the passage, or the table row with its column
headers, for converted text and as a caption for PDFs).

Pages are rendered once with pypdfium2 and kept under `<data>/pages/<doc id>/<page>@<scale>.png`;
boxes are drawn on a copy per request (cheap), so one cached render serves every citation.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Optional

from checking.reports.pdf_boxes import Box, evidence_box, locate_text, union
from indexing.model import Document, Location

SCALE = 2.0  # pixels per PDF point in the image: 144 dpi, sharp enough for 9-point table text
BOX_RGB = (220, 20, 30)  # the box colour; the browser test looks for these pixels
BOX_WIDTH = 3  # pixels, drawn outside the box so that the figure itself stays readable
_RENDER_LOCK = threading.Lock()  # pdfium is not thread-safe


def page_size(pdf_path: Path, page_no: int) -> Optional[tuple[float, float]]:
    import pypdfium2 as pdfium

    with _RENDER_LOCK:
        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= page_no <= len(pdf):
                return None
            w, h = pdf[page_no - 1].get_size()
            return float(w), float(h)
        finally:
            pdf.close()


def render(pdf_path: Path, page_no: int, cache_dir: Path, scale: float = SCALE) -> Optional[Path]:
    """The page as a PNG (cached on disk); None when the page does not exist."""
    out = cache_dir / f"{page_no}@{scale:g}.png"
    if out.exists():
        return out
    import pypdfium2 as pdfium

    with _RENDER_LOCK:
        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= page_no <= len(pdf):
                return None
            image = pdf[page_no - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{threading.get_ident()}.tmp")
    image.save(tmp, format="PNG")
    tmp.replace(out)
    return out


def boxed_png(png: Path, boxes: list[Box], scale: float = SCALE, numbers: Optional[list[str]] = None) -> bytes:
    """The rendered page with each box outlined in red (and numbered when `numbers` is given)."""
    from PIL import Image, ImageDraw

    image = Image.open(png).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i, b in enumerate(boxes):
        x0, y0, x1, y1 = (round(v * scale) for v in b)
        draw.rectangle((x0 - BOX_WIDTH, y0 - BOX_WIDTH, x1 + BOX_WIDTH - 1, y1 + BOX_WIDTH - 1), outline=BOX_RGB,
                       width=BOX_WIDTH)
        if numbers and i < len(numbers) and numbers[i]:
            draw.text((x1 + BOX_WIDTH + 2, y0 - BOX_WIDTH), numbers[i], fill=BOX_RGB)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def parse_boxes(values: list[str]) -> list[Box]:
    """`x0,top,x1,bottom` strings from a query string; anything else is refused by the caller."""
    out = []
    for v in values:
        parts = [float(p) for p in v.split(",")]
        if len(parts) != 4 or parts[2] < parts[0] or parts[3] < parts[1]:
            raise ValueError(v)
        out.append(tuple(parts))
    return out


def row_view(doc: Document, table_id: str, row: int, column: Optional[str] = None) -> Optional[dict]:
    """A table row with its column headers: what a row citation shows beside (or instead of) the page."""
    table = doc.table(table_id)
    if table is None:
        return None
    r = next((x for x in table.rows if x.index == row), None)
    if r is None:
        return None
    cells = [{"column": c.column, "header": header_of(c.column), "text": c.text,
              "cited": bool(column) and c.column == column} for c in r.cells if c.text]
    return {"table": table.title, "number": table.number, "unit": table.unit, "row_name": r.name, "cells": cells}


def header_of(column: str) -> str:
    """A flattened column key as a reader reads it: '支出预算/基本支出' → '支出预算 › 基本支出'."""
    return " › ".join(p for p in (column or "").split("/") if p)


def labelled_row(view: dict) -> str:
    """A row quoted with its headers: '科目名称 行政运行｜合计 0.95｜基本支出 0.95'."""
    return "｜".join(f"{c['header']} {c['text']}" if c["header"] and c["header"] != c["text"] else c["text"]
                    for c in view["cells"])


def passage_view(doc: Document, section_id: str, quote: Optional[str] = None, offset: Optional[int] = None,
                 size: int = 400) -> Optional[dict]:
    """The passage around a quote (or an offset) in its section, with where the quote starts and ends."""
    sec = doc.section(section_id)
    if sec is None:
        return None
    text = sec.text
    start = text.find(quote) if quote else -1
    end = start + len(quote) if start >= 0 else -1
    if start < 0 and offset is not None:
        start, end = offset, offset
    lo = max(0, (start if start >= 0 else 0) - size // 2)
    hi = min(len(text), max(end, lo) + size // 2)
    return {"heading": " › ".join(sec.path or [sec.heading]), "text": text[lo:hi],
            "start": (start - lo) if start >= 0 else None, "end": (end - lo) if end >= 0 else None}


def sentence_boxes(doc: Document, pdf_path: Optional[Path], section_id: str, quote: str, page: Optional[int]) -> list[Box]:
    """A quoted sentence's boxes: the reader's boxes of the figures it holds when it has them, else
    the sentence found on its page, one box per line."""
    sec = doc.section(section_id)
    if sec is None:
        return []
    start = sec.text.find(quote)
    if start >= 0:
        own = [tuple(f.location.box) for f in sec.figures if f.location.box and f.location.offset is not None
               and start <= f.location.offset < start + len(quote)]
        if own:
            return own
    if pdf_path is None or not page:
        return []
    return locate_text(pdf_path, page, quote)


def row_boxes(doc: Document, pdf_path: Optional[Path], table_id: str, row: int, column: Optional[str]) -> list[Box]:
    """The cited cell's box, or the whole row's (its cells' union) when no column is cited."""
    table = doc.table(table_id)
    r = next((x for x in table.rows if x.index == row), None) if table else None
    if r is None:
        return []
    page = r.page or (table.pages[0] if table.pages else None)
    found = []
    for c in r.cells:
        if column and c.column != column:
            continue
        loc = c.figure.location if c.figure else Location(page=page, table_id=table_id, row=row, column=c.column)
        if loc.page is None:
            loc = loc.model_copy(update={"page": page})
        if not c.text:
            continue
        b = evidence_box(pdf_path, loc, c.figure.raw if c.figure else c.text, row_label=r.name or None)
        if b:
            found.append(b)
    if column:
        return found
    u = union(found)
    return [u] if u else []
