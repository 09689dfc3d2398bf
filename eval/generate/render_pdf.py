"""PDF rendering with reportlab: CJK font, ruled tables (GRID) with merged header cells (SPAN),
tables continued over pages with the header repeated, and page numbers. The shapes pdfplumber
has to cope with on real disclosures."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from eval.generate.document import GenDoc
from eval.generate.narrative import paragraph_text
from eval.generate.render_text import fmt_cell
from eval.generate.tables import GTable

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT = "CJK"


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    if not Path(FONT_PATH).exists():
        raise RuntimeError(f"CJK font not found at {FONT_PATH}")
    pdfmetrics.registerFont(TTFont(FONT, FONT_PATH, subfontIndex=0))
    base = dict(fontName=FONT, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontSize=18, leading=26, alignment=TA_CENTER, **base),
        "h1": ParagraphStyle("h1", fontSize=14, leading=20, spaceBefore=8, spaceAfter=6, **base),
        "h2": ParagraphStyle("h2", fontSize=11.5, leading=17, spaceBefore=6, spaceAfter=3, **base),
        "body": ParagraphStyle("body", fontSize=10, leading=16, firstLineIndent=20, **base),
        "ttitle": ParagraphStyle("ttitle", fontSize=12, leading=17, alignment=TA_CENTER, **base),
        "meta": ParagraphStyle("meta", fontSize=8.5, leading=12, **base),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, **base),
        "note": ParagraphStyle("note", fontSize=8.5, leading=12, **base),
    }


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {doc.page} —")
    canvas.restoreState()


def _col_widths(t: GTable, width: float) -> list[float]:
    # Name columns take what the narrow code/amount columns leave.
    weights = []
    for j, col in enumerate(t.columns):
        leaf = col.split("/")[-1]
        if leaf in ("类", "款", "项"):
            weights.append(0.5)
        elif leaf in ("科目编码", "功能科目编码"):
            weights.append(1.1)
        elif "名称" in leaf or leaf in ("项目", "采购类别") or j == 0 and t.key == "project":
            weights.append(2.6)
        else:
            weights.append(1.3)
    total = sum(weights)
    return [width * w / total for w in weights]


def table_flowables(doc: GenDoc, t: GTable, width: float) -> list:
    st = _styles()
    s = doc.style
    cell = st["cell"]
    data = [[Paragraph(h, cell) if h else "" for h in row] for row in t.header]
    for row in t.rows:
        data.append([Paragraph(c, cell) if isinstance(c, str) and len(c) > 8 else fmt_cell(c, s.thousands)
                     for c in row])
    tbl = Table(data, colWidths=_col_widths(t, width), repeatRows=len(t.header))
    cmds = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), FONT, 7.5),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, len(t.header) - 1), "CENTER"),
            ("BACKGROUND", (0, 0), (-1, len(t.header) - 1), colors.HexColor("#e8eef5"))]
    if s.id == "shanghai":  # taller rows, as in the printed Shanghai template: long tables continue
        cmds += [("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
    for r0, c0, r1, c1 in t.spans:  # reportlab addresses cells as (col, row)
        cmds.append(("SPAN", (c0, r0), (c1, r1)))
    amount_cols = [j for j in range(len(t.columns)) if any(hasattr(r[j], "quantize") for r in t.rows)]
    for j in amount_cols:
        cmds.append(("ALIGN", (j, len(t.header)), (j, -1), "RIGHT"))
    tbl.setStyle(TableStyle(cmds))
    head = [Paragraph(t.number, st["meta"]), Paragraph(t.title, st["ttitle"]),
            Paragraph(f"{'编制部门' if s.id == 'shanghai' else '部门名称'}：{doc.budget.department}"
                      f"&nbsp;&nbsp;&nbsp;&nbsp;单位：{t.unit}", st["meta"]), Spacer(1, 3)]
    out = head + [tbl]
    if t.note:
        out += [Spacer(1, 3), Paragraph(t.note, st["note"])]
    return out


def render_pdf(doc: GenDoc) -> bytes:
    st = _styles()
    b = doc.budget
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=20 * mm, title=f"{b.year}年{b.department}部门预算", author="budgetqa generator",
                            invariant=1)  # no timestamps or random ids: same seed, same bytes
    width = A4[0] - 36 * mm
    story = [Spacer(1, 60 * mm), Paragraph(f"{b.year}年{b.department}", st["title"]),
             Paragraph("部门预算公开", st["title"]), PageBreak()]
    for part, sections in doc.narrative.items():
        story.append(Paragraph(part, st["h1"]))
        for sec in sections:
            story.append(Paragraph(sec.heading, st["h2"]))
            for p in sec.paragraphs:
                text = paragraph_text(p)
                if text:
                    story.append(Paragraph(text, st["body"]))
    story += [PageBreak(), Paragraph("第四部分 部门预算表", st["h1"])]
    for k, t in enumerate(doc.tables):
        # Shanghai-style prints one table per page; the others let tables flow and split over pages
        # (continued tables with a repeated header are what pdfplumber must stitch back together).
        if k and doc.style.id == "shanghai":
            story.append(PageBreak())
        elif k:
            story.append(Spacer(1, 10))
        story += table_flowables(doc, t, width)
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()
