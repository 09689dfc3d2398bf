"""The annotated PDF: a document's findings drawn on its own pages.

A summary page first (every finding numbered, with its severity, message, the pages of both sides
and the inspector's decision), then the original pages unchanged except for one red rectangle
annotation per finding side, at the cell's or figure's box, its number printed beside it. Each
annotation's text says which finding and which side ("[3] 文字：…"); a PDF viewer lists them in its
comments panel, and pdfplumber reads them back (`page.annots`).

Boxes come from the document model (`Location.box`) or, failing that, from the page's characters
(checking/reports/pdf_boxes.py). Sides with no place on a page (a table that is missing) are listed
on the summary page only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from checking.decisions import Decision, keyed
from checking.findings import CATEGORY_ZH, SEVERITY_ORDER, SEVERITY_ZH, DocumentReport, Evidence, Finding, Severity
from checking.reports.pdf_boxes import Box, evidence_box, fill_from_document
from checking.reports.where import side_where, value_text

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "BudgetqaCJK"
_RED = (0.86, 0.08, 0.12)


@dataclass
class Mark:
    number: int  # the finding's number on the summary page
    side: str  # narrative | table
    page: int  # 1-based page of the original document
    box: Box
    text: str


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    if FONT_PATH.exists():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
        return FONT
    return "Helvetica"  # no CJK font: numbers still print, Chinese does not


def ordered(report: DocumentReport, with_info: bool = False) -> list[tuple[str, Finding]]:
    """Findings in the report's order (severity, category, code), each with its identity; "info"
    findings (a figure that agrees) only when asked for."""
    pairs = [p for p in keyed(report.findings) if with_info or p[1].severity is not Severity.info]
    return sorted(pairs, key=lambda p: (SEVERITY_ORDER.get(p[1].severity, 9), p[1].category.value, p[1].code))


def marks(report: DocumentReport, pdf_path: Path, with_info: bool = False) -> list[Mark]:
    out = []
    for n, (_, f) in enumerate(ordered(report, with_info), 1):
        for e in f.evidence:
            if not e.location.page:
                continue
            box = evidence_box(pdf_path, e.location, e.raw, row_label=e.row_label, quote=e.quote)
            if box is None:
                continue
            side = "文字" if e.side == "narrative" else "表格"
            out.append(Mark(n, e.side, e.location.page, box, f"[{n}] {side}：{value_text(e.raw, e.unit)} {f.message}"))
    return out


def _summary(report: DocumentReport, decisions: dict[str, Decision], placed: dict[int, list[int]],
             with_info: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11)
    head = [Paragraph(x, body) for x in ("序号", "级别", "类别", "说明", "文字依据", "表格依据", "原文页码", "复核")]
    rows = [head]
    for n, (key, f) in enumerate(ordered(report, with_info), 1):
        sides = {"narrative": [], "table": []}
        for e in f.evidence:
            sides["narrative" if e.side == "narrative" else "table"].append(_side_text(e))
        d = decisions.get(key)
        pages = "、".join(str(p) for p in placed.get(n, [])) or "—"
        rows.append([Paragraph(str(n), body), Paragraph(SEVERITY_ZH.get(f.severity, f.severity.value), body),
                     Paragraph(CATEGORY_ZH.get(f.category, f.category.value), body), Paragraph(escape(f.message), body),
                     Paragraph(escape("；".join(sides["narrative"]) or "—"), body),
                     Paragraph(escape("；".join(sides["table"]) or "—"), body), Paragraph(pages, body),
                     Paragraph(escape(d.label if d else "待复核"), body)])
    counts = "，".join(f"{SEVERITY_ZH[s]} {report.count(s)} 条" for s in SEVERITY_ZH)
    if not with_info:
        counts += "（“提示”级别为一致的数字，未在此标出）"
    story = [Paragraph(escape(f"核查结果批注：{report.source}"), title),
             Paragraph(escape(f"{report.department or ''} {report.year or ''}年{report.kind or ''} · {counts}。"
                              "后续各页为原文，红框为每条发现的两侧依据，框旁数字即下表序号。"), body),
             Spacer(1, 8)]
    if len(rows) > 1:
        # splitInRow: a finding with a long quote may be taller than a page; its row then
        # continues on the next page instead of failing the whole report
        t = Table(rows, colWidths=[24, 28, 44, 130, 95, 95, 34, 73], repeatRows=1, splitInRow=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        story.append(t)
    else:
        story.append(Paragraph("未发现问题。", body))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=28, rightMargin=28, topMargin=36, bottomMargin=36,
                      title=f"核查结果批注 {report.source}").build(story)
    return buf.getvalue()


def _side_text(e: Evidence) -> str:
    parts = [x for x in (e.quote if e.side == "narrative" else None, value_text(e.raw, e.unit)) if x]
    where = side_where(e)
    return " ".join(parts) + (f"（{where}）" if where else "")


def _labels(width: float, height: float, page_marks: list[Mark]) -> bytes:
    """A transparent page with each mark's number beside its box, to lay over the original page."""
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height))
    c.setFillColorRGB(*_RED)
    c.setFont("Helvetica-Bold", 8)
    for m in page_marks:
        x0, top, x1, bottom = m.box
        label = f"{m.number}{'a' if m.side == 'narrative' else 'b'}"
        x = x1 + 2 if x1 + 20 < width else max(x0 - 16, 0)
        c.drawString(x, height - top - 7, label)
    c.showPage()
    c.save()
    return buf.getvalue()


def annotate(report: DocumentReport, pdf_path: str | Path, decisions: Optional[dict[str, Decision]] = None,
             with_info: bool = False, doc=None) -> bytes:
    """The annotated PDF's bytes: summary page(s), then the original pages with the findings marked.
    With the document model (`doc`), each side is drawn at the reader's box of its cell or figure."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Rectangle
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject, TextStringObject

    pdf_path = Path(pdf_path)
    decisions = decisions or {}
    if doc is not None:
        report = report.model_copy(deep=True)
        fill_from_document(report, doc)
    found = marks(report, pdf_path, with_info)
    placed: dict[int, list[int]] = {}
    for m in found:
        placed.setdefault(m.number, [])
        if m.page not in placed[m.number]:
            placed[m.number].append(m.page)
    summary = PdfReader(io.BytesIO(_summary(report, decisions, placed, with_info)))
    writer = PdfWriter(clone_from=PdfReader(str(pdf_path)))
    originals = len(writer.pages)
    for i, page in enumerate(summary.pages):
        writer.insert_page(page, index=i)
    shift = len(summary.pages)
    by_page: dict[int, list[Mark]] = {}
    for m in found:
        if 1 <= m.page <= originals:
            by_page.setdefault(m.page, []).append(m)
    for page_no, page_marks in by_page.items():
        page = writer.pages[shift + page_no - 1]
        box = page.cropbox  # what a viewer shows; boxes are points from its top-left corner
        # a box may be written upside down ([0 595 842 0]): its corners, not its order, count
        left, top_y = min(float(box.left), float(box.right)), max(float(box.top), float(box.bottom))
        width, height = abs(float(box.width)), abs(float(box.height))
        overlay = PdfReader(io.BytesIO(_labels(width, height, page_marks))).pages[0]
        page.merge_translated_page(overlay, left, top_y - height)
        for m in page_marks:
            x0, top, x1, bottom = m.box
            rect = (left + x0 - 1, top_y - bottom - 1, left + x1 + 1, top_y - top + 1)
            annot = Rectangle(rect=rect)
            annot[NameObject("/C")] = ArrayObject([FloatObject(v) for v in _RED])
            annot[NameObject("/Contents")] = TextStringObject(m.text)
            annot[NameObject("/T")] = TextStringObject(f"budgetqa 发现 {m.number}")
            annot[NameObject("/NM")] = TextStringObject(f"finding-{m.number}-{m.side}-{page_no}")
            annot[NameObject("/BS")] = _border()
            annot[NameObject("/F")] = NumberObject(4)  # print
            writer.add_annotation(page_number=shift + page_no - 1, annotation=annot)
    writer.add_metadata({"/Title": f"核查结果批注 {report.source}", "/Producer": "budgetqa"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _border():
    from pypdf.generic import DictionaryObject, FloatObject, NameObject

    return DictionaryObject({NameObject("/W"): FloatObject(1.5), NameObject("/S"): NameObject("/S")})


def write_annotated(report: DocumentReport, pdf_path: str | Path, out: str | Path,
                    decisions: Optional[dict[str, Decision]] = None, with_info: bool = False, doc=None) -> int:
    """Write the annotated PDF; returns the number of boxes drawn."""
    data = annotate(report, pdf_path, decisions, with_info, doc)
    Path(out).write_bytes(data)
    return len(marks(report, Path(pdf_path), with_info))
