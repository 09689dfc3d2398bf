"""Text rendering: the shapes converted disclosures arrive in (tab-separated tables; markdown-ish
headings for one style), so the text reader sees more than one template."""

from __future__ import annotations

from decimal import Decimal

from eval.generate.document import GenDoc
from eval.generate.narrative import paragraph_text
from eval.generate.tables import GTable


def fmt_cell(v, thousands: bool) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:,.2f}" if thousands else f"{v:.2f}"
    return str(v)


def table_lines(doc: GenDoc, t: GTable) -> list[str]:
    s, b = doc.style, doc.budget
    if s.id == "shanghai":
        head = [t.number, t.title, f"编制部门：{b.department}\t\t单位：{t.unit}"]
    elif s.id == "hubei":
        head = [f"## {t.number} {t.title}", f"部门名称：{b.department}", f"单位：{t.unit}"]
    else:
        head = [f"# {t.title}", f"单位名称：{b.department}", f"预算年度：{b.year}", f"单位：{t.unit}"]
    lines = head + [""] + ["\t".join(r) for r in t.header]
    lines += ["\t".join(fmt_cell(c, s.thousands) for c in row) for row in t.rows]
    if t.note:
        lines.append(t.note)
    return lines + [""]


def narrative_lines(doc: GenDoc) -> list[str]:
    md = doc.style.id == "hubei"
    lines = []
    for part, sections in doc.narrative.items():
        lines += [("# " if md else "") + part, ""]
        for sec in sections:
            lines += [("## " if md else "") + sec.heading, ""]
            for p in sec.paragraphs:
                text = paragraph_text(p)
                if text:
                    lines += [text, ""]
    return lines


def render_text(doc: GenDoc) -> str:
    b = doc.budget
    lines = [f"{b.year}年{b.department}部门预算公开", "", "目录", ""]
    lines += [part for part in doc.narrative] + ["第四部分 部门预算表"]
    lines += [f"{t.number} {t.title}" for t in doc.tables] + [""]
    lines += narrative_lines(doc)
    lines += [("# " if doc.style.id == "hubei" else "") + "第四部分 部门预算表", ""]
    for t in doc.tables:
        lines += table_lines(doc, t)
    return "\n".join(lines)
