"""Structured citations at the service boundary: every citation of `/v1/ask`, the SSE stream and
the OpenAI-compatible endpoint, and every record of `/v1/figures`, gets its place on the page
(page and box in PDF points), the row's cells with their column headers, and the passage; the
footnoted text keeps reading as before.

The answering chain knows table, row, column and section; the boxes come from the document model
(`Location.box`, filled by the reader) or, for documents read before boxes existed, from the page's
characters (checking/reports/pdf_boxes.py).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Optional

from indexing.model import Document, Location
from service import pages


class Sources:
    """Documents and their uploaded PDFs, for locating what a citation points at."""

    def __init__(self, load: Callable[[str], Optional[Document]], pdf_path: Callable[[str], Optional[Path]]):
        self._load = load
        self._pdf_path = pdf_path
        self._docs: "OrderedDict[str, Document]" = OrderedDict()
        self._lock = threading.Lock()

    def document(self, doc_id: str) -> Optional[Document]:
        with self._lock:
            if doc_id in self._docs:
                self._docs.move_to_end(doc_id)
                return self._docs[doc_id]
        doc = self._load(doc_id)
        if doc is not None:
            with self._lock:
                self._docs[doc_id] = doc
                while len(self._docs) > 16:
                    self._docs.popitem(last=False)
        return doc

    def forget(self, doc_id: str) -> None:
        with self._lock:
            self._docs.pop(doc_id, None)

    def pdf(self, doc_id: str) -> Optional[Path]:
        return self._pdf_path(doc_id)

    # -- citations ----------------------------------------------------------------------------------

    def complete(self, citation: dict, values: Optional[list[str]] = None) -> dict:
        """Fill box, boxes, cells and quote_with_headers of one citation (a dict of chain.Citation).
        `values`: the figures the answer takes from this citation; a row citation then points at the
        cell that holds one of them (its column is filled), so the box is that cell's, not the row's."""
        doc = self.document(citation.get("doc_id") or "")
        if doc is None:
            return citation
        pdf = self.pdf(doc.id) if doc.format == "pdf" else None
        table_id, row, column = citation.get("table_id"), citation.get("row"), citation.get("column")
        boxes: list = []
        if table_id and row is not None and not column and values:
            column = citation["column"] = _cell_of(doc, table_id, row, values)
        if table_id and row is not None:
            view = pages.row_view(doc, table_id, row, column)
            if view:
                citation["cells"] = view["cells"]
                citation["quote_with_headers"] = f"《{view['table']}》" + pages.labelled_row(view)
            boxes = pages.row_boxes(doc, pdf, table_id, row, column)
        elif citation.get("section_id"):
            boxes = pages.sentence_boxes(doc, pdf, citation["section_id"], citation.get("quote") or "",
                                         citation.get("page"))
        if boxes:
            citation["boxes"] = [list(b) for b in boxes]
            citation["box"] = list(pages.union(boxes))
        return citation

    def complete_all(self, result: dict) -> dict:
        for c in result.get("citations") or []:
            try:
                self.complete(c)
            except Exception:  # noqa: BLE001 - a citation without a box still reads; never fail the answer
                continue
        return result

    # -- figures --------------------------------------------------------------------------------------

    def figure_place(self, record: dict) -> dict:
        """A /v1/figures record with its box (and the column headers of its cell)."""
        doc = self.document(record.get("doc_id") or "")
        if doc is None:
            return record
        pdf = self.pdf(doc.id) if doc.format == "pdf" else None
        box = None
        if record.get("origin") == "table" and record.get("table_id"):
            table = doc.table(record["table_id"])
            r = next((x for x in table.rows if x.index == record.get("row_index")), None) if table else None
            cell = r.cell(record.get("column")) if r and record.get("column") else None
            if cell is not None:
                record["header"] = pages.header_of(cell.column)
                loc = cell.figure.location if cell.figure else Location()
                if loc.page is None:
                    loc = loc.model_copy(update={"page": record.get("page")})
                box = pages.evidence_box(pdf, loc, record.get("raw"), row_label=r.name or None)
        elif record.get("section_id"):
            sec = doc.section(record["section_id"])
            fig = next((f for f in sec.figures if f.location.offset == record.get("offset")), None) if sec else None
            if fig is not None:
                loc = fig.location if fig.location.page else fig.location.model_copy(update={"page": record.get("page")})
                box = pages.evidence_box(pdf, loc, fig.raw, quote=record.get("context"))
        if box:
            record["box"] = [round(v, 2) for v in box]
        return record


def _cell_of(doc: Document, table_id: str, row: int, values: list[str]) -> Optional[str]:
    """The column of the row's cell that prints one of `values` (as printed or as the same number)."""
    from decimal import Decimal, InvalidOperation

    table = doc.table(table_id)
    r = next((x for x in table.rows if x.index == row), None) if table else None
    if r is None:
        return None
    wanted = set()
    for v in values:
        try:
            wanted.add(Decimal(str(v).replace(",", "")))
        except InvalidOperation:
            continue
    for c in r.cells:
        if c.figure is not None and c.figure.value is not None and c.figure.value in wanted:
            return c.column
    return None


_BEFORE_MARKER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:万元|亿元|元|%|个百分点)?\[(\d+)\]")


def values_before_markers(answer: str) -> dict[int, list[str]]:
    """The number printed right before each [n] in an answer ("表中为12,291,152.00元[2]" → {2: [...]})."""
    out: dict[int, list[str]] = {}
    for m in _BEFORE_MARKER.finditer(answer or ""):
        out.setdefault(int(m.group(2)), []).append(m.group(1))
    return out
