"""The inspector's desk, independent of HTTP: a document's findings with both sides placed on their
pages, decisions on them, the page view of any citation or finding side, and the annotated PDF.

Routes in service/api.py only translate HTTP to these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from checking.decisions import STATUS_ZH, Decision, keyed
from checking.findings import CATEGORY_ZH, SEVERITY_ORDER, SEVERITY_ZH, DocumentReport, Report
from checking.reports.pdf_boxes import fill_from_document
from checking.reports.where import side_where, value_text
from indexing.model import Location
from service import pages
from service.errors import ApiError
from service.review import ReviewError, ReviewStore


def review_store(pipeline) -> ReviewStore:
    store = getattr(pipeline, "_review_store", None)
    if store is None:
        store = ReviewStore(pipeline.settings.data_dir / "review.db")
        pipeline._review_store = store
    return store


def _report(pipeline, doc_id: str) -> DocumentReport:
    text, _ = pipeline.findings(doc_id, "json")
    report = Report.model_validate_json(text)
    return report.documents[0]


def decisions_for(pipeline, doc_ids: list[str]) -> dict[str, dict[str, Decision]]:
    store = review_store(pipeline)
    return {d: store.decisions(d) for d in doc_ids}


def _headings(doc) -> dict[str, str]:
    return {s.id: " › ".join(s.path or [s.heading]) for s in doc.sections} if doc else {}


def review(pipeline, doc_id: str) -> dict:
    """Every finding of a document with its identity, both sides (where, page, box, the row with its
    headers or the passage) and its decision."""
    report = _report(pipeline, doc_id)
    doc = pipeline.sources.document(doc_id)
    pdf = pipeline.pdf_path(doc_id) if doc is not None and doc.format == "pdf" else None
    fill_from_document(report, doc)  # the reader's boxes where the checker's evidence has none
    headings = _headings(doc)
    decided = review_store(pipeline).decisions(doc_id)
    items = []
    pairs = sorted(keyed(report.findings), key=lambda p: (SEVERITY_ORDER.get(p[1].severity, 9), p[1].category.value, p[1].code))
    for n, (key, f) in enumerate(pairs, 1):
        sides = []
        for e in f.evidence:
            loc = e.location
            box = pages.evidence_box(pdf, loc, e.raw, row_label=e.row_label, quote=e.quote) if pdf else None
            side = {"side": e.side, "side_zh": "文字" if e.side == "narrative" else "表格",
                    "quote": e.quote, "value": value_text(e.raw, e.unit),
                    "where": side_where(e, headings.get(loc.section_id or "")), "page": loc.page,
                    "box": [round(v, 2) for v in box] if box else None}
            if doc is not None and loc.table_id is not None and loc.row is not None:
                side["row"] = pages.row_view(doc, loc.table_id, loc.row, loc.column)
            elif doc is not None and loc.section_id:
                side["passage"] = pages.passage_view(doc, loc.section_id, e.quote, loc.offset)
            sides.append(side)
        d = decided.get(key)
        items.append({"id": key, "n": n, "code": f.code, "severity": f.severity.value,
                      "severity_zh": SEVERITY_ZH.get(f.severity, f.severity.value), "category_zh": CATEGORY_ZH.get(f.category, f.category.value),
                      "message": f.message, "arithmetic": f.arithmetic, "sides": sides,
                      "decision": _decision_json(d)})
    counts = {s: sum(1 for i in items if i["decision"]["status"] == s) for s in STATUS_ZH}
    return {"document": {"id": doc_id, "source": report.source, "department": report.department,
                         "year": report.year, "kind": report.kind, "format": doc.format if doc else report.format,
                         "page_count": doc.page_count if doc else None},
            "findings": items, "decided": counts}


def _decision_json(d: Optional[Decision]) -> dict:
    if d is None:
        return {"status": "open", "status_zh": STATUS_ZH["open"], "reason": None, "who": None, "at": None}
    return {"status": d.status, "status_zh": STATUS_ZH.get(d.status, d.status), "reason": d.reason, "who": d.who,
            "at": d.at}


def decide(pipeline, doc_id: str, finding_id: str, status: str, reason: Optional[str], who: Optional[str]) -> dict:
    report = _report(pipeline, doc_id)
    found = dict(keyed(report.findings))
    if finding_id not in found:
        raise ApiError(404, "finding_not_found", f"该文档没有编号为 {finding_id} 的发现（可能已在重新核查后消失）",
                       f"No finding {finding_id} in this document (it may have gone after a re-check)")
    try:
        d = review_store(pipeline).decide(doc_id, finding_id, status, reason, who, code=found[finding_id].code)
    except ReviewError as exc:
        raise ApiError(400, exc.code, exc.zh, exc.en) from None
    return {"id": finding_id, "decision": _decision_json(d)}


def view(pipeline, doc_id: str, *, page: Optional[int] = None, table_id: Optional[str] = None,
         row: Optional[int] = None, column: Optional[str] = None, section_id: Optional[str] = None,
         offset: Optional[int] = None, quote: Optional[str] = None, raw: Optional[str] = None) -> dict:
    """What a citation or a finding side shows: the page image with its boxes (PDF), and the row with
    its column headers or the passage around the quote."""
    doc = pipeline.sources.document(doc_id)
    if doc is None:
        raise ApiError(404, "not_found", f"找不到文档 {doc_id}", f"No document {doc_id}")
    pdf = pipeline.pdf_path(doc_id) if doc.format == "pdf" else None
    out: dict = {"doc_id": doc_id, "document": doc.source, "format": doc.format, "page": page, "boxes": []}
    if table_id is not None and row is not None:
        out["row"] = pages.row_view(doc, table_id, row, column)
        table = doc.table(table_id)
        r = next((x for x in table.rows if x.index == row), None) if table else None
        if r is not None and page is None:
            out["page"] = page = r.page or (table.pages[0] if table.pages else None)
        if raw and column:
            loc = Location(page=page, table_id=table_id, row=row, column=column)
            cell = r.cell(column) if r else None
            if cell is not None and cell.figure is not None:
                loc = cell.figure.location if cell.figure.location.page else cell.figure.location.model_copy(
                    update={"page": page})
            b = pages.evidence_box(pdf, loc, raw, row_label=r.name if r else None) if pdf else None
            out["boxes"] = [list(b)] if b else []
        else:
            out["boxes"] = [list(b) for b in pages.row_boxes(doc, pdf, table_id, row, column)]
    elif section_id:
        out["passage"] = pages.passage_view(doc, section_id, quote, offset)
        if pdf and raw:
            sec = doc.section(section_id)
            fig = next((f for f in sec.figures if f.location.offset == offset), None) if sec and offset is not None else None
            loc = fig.location if fig else Location(page=page, section_id=section_id, offset=offset)
            if loc.page is None:
                loc = loc.model_copy(update={"page": page})
            b = pages.evidence_box(pdf, loc, raw, quote=quote)
            out["boxes"] = [list(b)] if b else []
        elif quote:
            out["boxes"] = [list(b) for b in pages.sentence_boxes(doc, pdf, section_id, quote, page)]
    if pdf and out["page"]:
        size = pages.page_size(pdf, out["page"])
        if size:
            out["page_size"] = list(size)
            query = "&".join("box=" + ",".join(f"{v:.2f}" for v in b) for b in out["boxes"])
            out["image"] = f"/v1/documents/{doc_id}/pages/{out['page']}.png" + (f"?{query}" if query else "")
            out["scale"] = pages.SCALE
    return out


def page_png(pipeline, doc_id: str, page_no: int, boxes: list[str]) -> bytes:
    pdf = pipeline.pdf_path(doc_id)
    if pdf is None:
        raise ApiError(404, "no_page_image", "该文档不是 PDF（或原文件已删除），没有页面图像",
                       "This document is not a PDF (or its upload is gone): it has no page images")
    try:
        parsed = pages.parse_boxes(boxes)
    except ValueError:
        raise ApiError(400, "bad_box", "box 应为 x0,top,x1,bottom（PDF 点，x0≤x1，top≤bottom）",
                       "box must be x0,top,x1,bottom in PDF points") from None
    if len(parsed) > 50:
        raise ApiError(400, "too_many_boxes", "一次最多 50 个框", "At most 50 boxes")
    png = pages.render(pdf, page_no, pipeline.settings.data_dir / "pages" / doc_id)
    if png is None:
        raise ApiError(404, "no_such_page", f"该文档没有第 {page_no} 页", f"The document has no page {page_no}")
    return pages.boxed_png(png, parsed) if parsed else png.read_bytes()


def annotated_pdf(pipeline, doc_id: str) -> bytes:
    from checking.reports.annotated_pdf import annotate

    pdf = pipeline.pdf_path(doc_id)
    if pdf is None:
        raise ApiError(409, "not_a_pdf", "只有 PDF 文件可以导出批注版（文本文件请用 HTML 或 Excel 报告）",
                       "Only PDF documents have an annotated export (use the HTML or Excel report for text)")
    report = _report(pipeline, doc_id)
    return annotate(report, pdf, review_store(pipeline).decisions(doc_id), doc=pipeline.sources.document(doc_id))
