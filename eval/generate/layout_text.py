"""Text rendering of a layout family: converted text with tab-separated table rows, or (page_flat) the
page-text shape — each page as rows of whitespace-separated tokens with blank cells lost, narrative
lines broken at the page width mid-sentence, a page number and a form feed after every page.
Continued tables break the page inside the table, with or without "续表" and a repeated header."""

from __future__ import annotations

import re

from eval.generate.layout_doc import LayoutDoc
from eval.generate.layout_print import PTable
from eval.generate.layouts import core_heading
from eval.generate.narrative import paragraph_text

WRAP = 38  # characters per narrative line in page text
PAGE_LINES = 42
SPLIT_MIN = 8  # a continued family splits tables with at least this many body rows


def narrative_blocks(doc: LayoutDoc) -> list[tuple[str, str]]:
    """(kind, text): kind is part | heading | body; run-in headings come as one body line."""
    L, out = doc.layout, []
    for part, sections in doc.narrative.items():
        out.append(("part", part))
        for k, sec in enumerate(sections, 1):
            heading = L.heading_text(sec.heading, k)
            paras = [t for t in (paragraph_text(p) for p in sec.paragraphs) if t]
            if L.heading == "run_in" and core_heading(sec.heading) != sec.heading and paras:
                out.append(("body", f"{heading}：{paras[0]}"))
                paras = paras[1:]
            else:
                out.append(("heading", heading))
            out += [("body", p) for p in paras]
    return out


def _wrap(text: str, width: int = WRAP) -> list[str]:
    """Break at the width like a page does, never inside a number (a unit may fall to the next line)."""
    lines, rest = [], text
    while len(rest) > width:
        cut = width
        while cut < len(rest) and re.match(r"[\d.,%]", rest[cut]) and re.match(r"[\d.,]", rest[cut - 1]):
            cut += 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    return lines + ([rest] if rest else [])


def split_point(t: PTable, continued: str) -> int:
    """Where a continued family breaks the table over the page (0: not split)."""
    return len(t.body) // 2 if continued and len(t.body) >= SPLIT_MIN else 0


def head_lines(t: PTable, inline: bool) -> list[str]:
    """表号, title and unit/department lines above a table ("附表3 收支总体情况表" when inline)."""
    if t.number and inline:
        out = [f"{t.number} {t.title}" if t.title else t.number]
    else:
        out = [x for x in (t.number, t.title) if x]
    return out + list(t.meta)


class _Pages:
    def __init__(self):
        self.pages: list[list[str]] = [[]]

    def add(self, line: str) -> None:
        self.pages[-1].append(line)

    def new(self) -> None:
        if self.pages[-1]:
            self.pages.append([])

    def text(self, flat: bool) -> str:
        out = []
        for n, page in enumerate(self.pages, 1):
            out.append("\n".join(page + ([f"— {n} —"] if flat or len(self.pages) > 1 else [])))
        return "\n\f".join(out) + "\n"


def _row(cells: list[str], flat: bool) -> str:
    if flat:
        return " ".join(c.replace(" ", "") for c in cells if c)
    return "\t".join(cells)


def table_into(pages: _Pages, t: PTable, doc: LayoutDoc) -> None:
    L, flat = doc.layout, doc.layout.flat
    if L.one_per_page:
        pages.new()
    for line in head_lines(t, L.number_inline):
        pages.add(line)
    header = [_row(r, flat) for r in t.header]
    header = [h for h in header if h.strip()]
    for h in header:
        pages.add(h)
    cut = split_point(t, L.continued)
    for i, row in enumerate(t.body):
        if cut and i == cut:
            pages.new()
            if L.continued == "label_header":
                pages.add("续表")
            if L.continued in ("label_header", "header"):
                for h in header:
                    pages.add(h)
        pages.add(_row(row, flat))
    if t.note:
        pages.add(t.note)
    pages.add("")


def render_layout_text(doc: LayoutDoc) -> str:
    b, L = doc.budget, doc.layout
    pages = _Pages()
    for line in (f"{b.year}年{b.department}部门预算", "", "目录"):
        pages.add(line)
    for part in doc.narrative:
        pages.add(part)
    pages.add("第四部分 部门预算表")
    pages.new()
    for kind, text in narrative_blocks(doc):
        lines = _wrap(text) if L.flat and kind == "body" else [text]
        for line in lines:
            if L.flat and len(pages.pages[-1]) >= PAGE_LINES:
                pages.new()
            pages.add(line)
        if not L.flat:
            pages.add("")
    pages.new()
    pages.add("第四部分 部门预算表")
    if not L.one_per_page:
        pages.add("")
    for t in doc.printed:
        table_into(pages, t, doc)
    if not (L.flat or L.continued):  # plain converted text: one stream, no page marks
        return "\n".join(line for page in pages.pages for line in page) + "\n"
    return pages.text(L.flat)
