"""PDF rendering of a layout family with reportlab (CJK font, as render_pdf.py): ruled tables with the
layout's merged header cells, titles/表号/unit lines as the family prints them (or none), tables
broken over pages where the family continues them (续表 + repeated header, or bare), one table per
page or flowing, and — for page_flat — tables printed without ruling lines."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from eval.generate.layout_doc import LayoutDoc
from eval.generate.layout_print import PTable
from eval.generate.layout_text import head_lines, narrative_blocks, split_point
from eval.generate.render_pdf import FONT, _page_number, _styles


def _disp(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _widths(t: PTable, width: float) -> list[float]:
    """Columns as wide as their widest cell (amounts never wrap or spill; long names wrap)."""
    weights = []
    for j in range(len(t.header[-1])):
        cells = [r[j] for r in t.body] + [t.header[-1][j]]
        w = max([6] + [_disp(c) for c in cells])
        weights.append(w + 3 if j in t.amount_cols else min(w, 24))
    total = sum(weights)
    return [width * w / total for w in weights]


def _grid(t: PTable, data: list, header_rows: int, ruled: bool, widths: list[float]) -> Table:
    tbl = Table(data, colWidths=widths, repeatRows=header_rows)
    cmds = [("FONT", (0, 0), (-1, -1), FONT, 7.5), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if ruled:
        cmds.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    if header_rows:
        cmds += [("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER")]
        cmds += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in t.spans]
    for j in t.amount_cols:
        cmds.append(("ALIGN", (j, header_rows), (j, -1), "RIGHT"))
    tbl.setStyle(TableStyle(cmds))
    return tbl


def table_flowables(doc: LayoutDoc, t: PTable, width: float) -> list:
    st, L = _styles(), doc.layout
    cell = st["cell"]
    head = [[Paragraph(h, cell) if h else "" for h in row] for row in t.header]
    body = [[Paragraph(c, cell) if len(c) > 8 and j not in t.amount_cols else c for j, c in enumerate(row)]
            for row in t.body]
    widths = _widths(t, width)
    lines = head_lines(t, L.number_inline)
    out = [CondPageBreak(60 * mm)]  # a title is not left alone at the foot of a page
    for line in lines:
        is_title = line == t.title or (t.title and line.endswith(t.title))
        style = st["ttitle"] if is_title else st["meta"]
        out.append(Paragraph(line.replace("      ", "&nbsp;" * 12), style))
    out.append(Spacer(1, 3))
    cut = split_point(t, L.continued)
    ruled = not L.flat
    if not cut:
        out.append(_grid(t, head + body, len(head), ruled, widths))
    else:
        out += [_grid(t, head + body[:cut], len(head), ruled, widths), PageBreak()]
        if L.continued in ("label_header", "header"):
            out += [Paragraph("续表", st["meta"])] if L.continued == "label_header" else []
            out.append(_grid(t, head + body[cut:], len(head), ruled, widths))
        else:
            out.append(_grid(t, body[cut:], 0, ruled, widths))
    if t.note:
        out += [Spacer(1, 3), Paragraph(t.note, st["note"])]
    return out


def render_layout_pdf(doc: LayoutDoc) -> bytes:
    st, b, L = _styles(), doc.budget, doc.layout
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=20 * mm, title=f"{b.year}年{b.department}部门预算",
                            author="budgetqa generator", invariant=1)
    width = A4[0] - 36 * mm
    story = [Spacer(1, 60 * mm), Paragraph(f"{b.year}年{b.department}", st["title"]),
             Paragraph("部门预算公开", st["title"]), PageBreak()]
    style_of = {"part": st["h1"], "heading": st["h2"], "body": st["body"]}
    for kind, text in narrative_blocks(doc):
        story.append(Paragraph(text, style_of[kind]))
    story += [PageBreak(), Paragraph("第四部分 部门预算表", st["h1"])]
    for k, t in enumerate(doc.printed):
        if k and L.one_per_page:
            story.append(PageBreak())
        elif k:
            story.append(Spacer(1, 10))
        story += table_flowables(doc, t, width)
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()
