"""Read a PDF disclosure with pdfplumber: ruled tables into `Table`s, everything else into sections.

Per page: characters outside the visible page are dropped (some templates leave clipped text in the
text layer, e.g. a paragraph drawn above the page top: it would otherwise be read twice); the
ruled tables are found once with `find_tables`; the lines outside the tables are read once. Lines
just above a table are its title and context (单位：元, 编制部门, 表号), lines just below are its notes
(注/说明, the 空表说明). A table at the top of a page with no title of its own, on the same column
grid as the previous page's last table, continues it. All numbers come from the text layer.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from indexing.model import Document, Table
from indexing.read import errors
from indexing.read.errors import ReadError
from indexing.read.meta import find_department, infer_meta, region_of
from indexing.read.pdf_lines import group_lines
from indexing.read.pdf_page import drop_padding, overprints, take_unruled_top_row, to_page_view, visible_box
from indexing.read.pdf_tables import PageTable, join_tables, page_table, strip_leading_rows
from indexing.read.pdf_unruled import find_unruled_tables
from indexing.read.sections import Line, build_sections, heading_level
from indexing.read.table_types import looks_like_title
from indexing.read.tables import build_table, find_unit

_CONTEXT_RE = re.compile(r"^(?:编制(?:部门|单位)|(?:部门|单位|预算单位)(?:名称)?(?:[（(](?:部门|单位)[)）])?\s*[:：]|单位\s*[:：]|金额单位|(?:预算|决算|公开|部门|单位)\s*\d+\s*(?:-\d+)?\s*表$|附?表\s*[一二三四五六七八九十\d]+$)")
_CONTINUED_RE = re.compile(r"^[（(]?续表?[)）]?$|[（(]续[)）]$|续表$")
_NOTE_START_RE = re.compile(r"^(?:注|说明|备注)\s*[:：\d]")
_EMPTY_NOTE_RE = re.compile(r"空表|无数据|本表无|故本表")


@dataclass
class _TextLine:
    text: str
    top: float
    bottom: float
    size: float = 0.0  # the font size most of the line's characters have
    heading: Optional[int] = None  # see sections.Line.heading
    boxes: Optional[list] = None  # the page box of each character of `text` (pdf_lines)


@dataclass
class _Page:
    number: int
    lines: list[_TextLine]
    tables: list[PageTable]
    continues_first: bool = False  # the first table may continue the previous page's last table
    narrative: list[_TextLine] = field(default_factory=list)
    hidden_chars: int = 0


def read_pdf(data: bytes, name: str, *, max_pages: int) -> Document:
    from indexing.read import document_id  # late: indexing.read imports this module lazily too

    pages, page_count = _parse(data, name, max_pages)
    if not any(p.lines or p.tables for p in pages):
        raise errors.needs_ocr(name)
    _drop_running_headers(pages)
    for p in pages:
        _attach_text(p)

    page_tables = [pt for p in pages for pt in p.tables]
    continues = []
    previous_title = None
    for p in pages:
        for i, pt in enumerate(p.tables):
            # A table continues the previous page's last table when nothing of its own stands above
            # it, or when the template prints the same title again on every page.
            same_title = bool(pt.title) and _compact(pt.title) == previous_title
            continues.append(i == 0 and (p.continues_first or same_title))
        if p.tables:
            previous_title = _compact(p.tables[-1].title) or previous_title
    joined = join_tables(page_tables, continues)
    tables = [_build(f"t{i + 1}", jt) for i, jt in enumerate(joined)]

    _mark_headings(pages)
    lines = [Line(l.text, p.number, heading=l.heading, boxes=l.boxes) for p in pages for l in p.narrative]
    doc = Document(
        id=document_id(data),
        source=name,
        format="pdf",
        page_count=page_count,
        sections=build_sections(lines),
        tables=tables,
    )
    doc.warnings += [
        f"第{p.number}页有{p.hidden_chars}个字符位于页面可见区域之外，已忽略 / page {p.number}: "
        f"{p.hidden_chars} characters outside the visible page were ignored"
        for p in pages
        if p.hidden_chars
    ]
    first = pages[0] if pages else None
    cover = [l.text for l in first.lines] if first else []
    doc.meta = infer_meta(doc, "\n".join(cover))
    if doc.meta.department is None:
        # No cover (a 情况说明 that starts with its first part): the title lines elsewhere name the
        # department ("附件：XX局 2026 年度部门预算报表", a part heading "XX局2026年部门预算").
        doc.meta.department = find_department([l.text for p in pages[1:] for l in p.lines if len(l.text) <= 60])
        doc.meta.region = region_of(doc.meta.department)
    return doc


# ---------------------------------------------------------------------------------------------
# pdfplumber: every library call is inside this function, so that no traceback reaches a user.


def _parse(data: bytes, name: str, max_pages: int) -> tuple[list[_Page], int]:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise errors.too_many_pages(name, count, max_pages)
            return [_read_page(page, i + 1) for i, page in enumerate(pdf.pages)], count
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError ...)
        if _is_encryption_error(exc):
            raise errors.encrypted(name) from exc
        raise errors.corrupt(name, type(_cause(exc)).__name__) from exc


def _cause(exc: BaseException) -> BaseException:
    # pdfplumber wraps pdfminer's exception as PdfminerException(original)
    if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def _is_encryption_error(exc: BaseException) -> bool:
    cause = _cause(exc)
    return type(cause).__name__ in {"PDFPasswordIncorrect", "PDFEncryptionError"} or "password" in str(cause).lower()


def _read_page(page, number: int) -> _Page:
    x0, top, x1, bottom = visible_box(page)

    def inside(obj) -> bool:
        return obj["x0"] >= x0 - 1 and obj["x1"] <= x1 + 1 and obj["top"] >= top - 1 and obj["bottom"] <= bottom + 1

    chars = page.chars
    if not chars:
        return _Page(number, [], [])
    printed_over = overprints(chars)

    def visible(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        return inside(obj) and id(obj) not in printed_over

    shown = page.filter(visible)
    hidden = sum(1 for c in chars if not inside(c))
    tables = []
    for found in shown.find_tables():
        pt = page_table(number, found)
        if pt is not None:
            pt.title, pt.context_lines = strip_leading_rows(pt, looks_like_title, _is_context)
            drop_padding(pt)
            if pt.row_bands:
                tables.append(pt)
    boxes = [pt.bbox for pt in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    text_page = shown.filter(outside) if boxes else shown
    lines = [_TextLine(l.text, l.top, l.bottom, l.size, boxes=l.boxes) for l in group_lines(text_page.chars)]
    for pt in tables:
        lines = take_unruled_top_row(pt, lines)
    unruled, taken = find_unruled_tables(number, lines, looks_like_title, _is_context)
    if unruled:
        tables = sorted(tables + unruled, key=lambda pt: pt.bbox[1])
        lines = [l for k, l in enumerate(lines) if k not in taken]
    if x0 or top:
        to_page_view(tables, lines, x0, top)
    return _Page(number, lines, tables, hidden_chars=hidden)


def _drop_running_headers(pages: list[_Page]) -> None:
    """A running header — the same line at the top of at least three pages and of a third of them
    ("XX局2026年度部门预算公开") — is page furniture: dropped, so that a table continued on the next
    page has nothing of its own above it and joins its first part."""
    tops = Counter(_compact(p.lines[0].text) for p in pages if p.lines)
    furniture = {t for t, n in tops.items() if 8 <= len(t) <= 60 and n >= 3 and n * 3 >= len(pages)}
    if not furniture:
        return
    for p in pages[1:]:  # the cover keeps its title
        if p.lines and _compact(p.lines[0].text) in furniture:
            p.lines = p.lines[1:]


# ---------------------------------------------------------------------------------------------
# Text around tables


def _attach_text(page: _Page) -> None:
    """Give each table its title, context and notes; the remaining lines are narrative."""
    used: set[int] = set()
    lines = page.lines
    for i, pt in enumerate(page.tables):
        lo = page.tables[i - 1].bbox[3] if i else float("-inf")
        above = [k for k, l in enumerate(lines) if l.top >= lo - 1 and l.bottom <= pt.bbox[1] + 1]
        if i:
            _take_notes(page.tables[i - 1], lines, above, used)
        above = [k for k in above if k not in used]
        _take_title(pt, lines, above, used)
        if i == 0:
            # Nothing of its own above it (or only a 续表 mark / the same title): may continue.
            page.continues_first = all(k in used for k in above) and (not pt.title or pt.continued_marker)
    if page.tables:
        last = page.tables[-1]
        below = [k for k, l in enumerate(lines) if l.top >= last.bbox[3] - 1]
        _take_notes(last, lines, below, used)
    page.narrative = [l for k, l in enumerate(lines) if k not in used]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _is_context(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return bool(_CONTEXT_RE.match(compact) or find_unit(compact))


def _take_title(pt: PageTable, lines: list[_TextLine], above: list[int], used: set[int]) -> None:
    context: list[str] = list(pt.context_lines)
    if pt.title:  # printed inside the ruling
        pt.context = " ".join([pt.title] + context)
        return
    for k in reversed(above):
        text = lines[k].text.strip()
        compact = re.sub(r"\s+", "", text)
        if _CONTINUED_RE.search(compact):
            pt.continued_marker = True
            title = _CONTINUED_RE.sub("", compact)
            used.add(k)
            if title and looks_like_title(title):
                pt.title = title
                break
            continue
        if _CONTEXT_RE.match(compact) or find_unit(compact):
            context.insert(0, text)
            used.add(k)
            continue
        if looks_like_title(text):
            pt.title = compact
            used.add(k)
        else:
            wrapped = _wrapped_title(lines, above, k)
            if wrapped:
                pt.title = wrapped[0]
                used.update(wrapped[1])
        break
    pt.context = " ".join([pt.title] + context)


def _wrapped_title(lines: list[_TextLine], above: list[int], k: int) -> Optional[tuple[str, list[int]]]:
    """A long title wrapped over two or three lines ("2022年部门综合预算一般公共预算拨款“三公”经费、"
    over "会议费、培训费表（不含上年结转）"): the last line alone names no table, the lines
    joined do. Only lines set in the same size, each a line's height or less below the one above."""
    at = above.index(k)
    for n in (2, 3):
        if at - n + 1 < 0:
            return None
        ks = above[at - n + 1: at + 1]
        group = [lines[i] for i in ks]
        if any(abs(a.size - group[-1].size) > 0.5 or b.top - a.bottom > max(a.bottom - a.top, 1.0)
               for a, b in zip(group, group[1:])):
            return None
        joined = _compact("".join(l.text for l in group))
        if looks_like_title(joined):
            return joined, ks
    return None


def _take_notes(pt: PageTable, lines: list[_TextLine], below: list[int], used: set[int]) -> None:
    """注/说明 lines directly under a table, with the lines that wrap from them."""
    prev: Optional[_TextLine] = None
    for k in below:
        if k in used:
            continue
        line = lines[k]
        text = line.text.strip()
        if prev is None:
            if not _NOTE_START_RE.match(text):
                return
        else:
            height = max(prev.bottom - prev.top, 1.0)
            if not _NOTE_START_RE.match(text) and (line.top - prev.bottom > height or heading_level(text) or looks_like_title(text)):
                return
        if prev is not None and pt.notes and not _NOTE_START_RE.match(text) and not pt.notes[-1].endswith(("。", "：", ":")):
            pt.notes[-1] += text  # a wrapped note line
        else:
            pt.notes.append(text)
        used.add(k)
        prev = line


def _mark_headings(pages: list[_Page]) -> None:
    """Headings the text alone does not show: a page's first line set clearly larger than the body
    text ("2025年部门预算编制说明") is a level-1 heading; the table of contents is body text (its
    entries would otherwise open empty sections that shadow the real ones)."""
    sizes = Counter()
    for p in pages:
        for l in p.narrative:
            sizes[round(l.size, 1)] += len(l.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    for p in pages[1:]:  # the cover is not a heading
        if p.narrative:
            l = p.narrative[0]
            text = re.sub(r"\s+", "", l.text)
            if body and l.size >= body * 1.2 and len(text) <= 40 and "。" not in text and heading_level(text) is None:
                l.heading = 1
    all_lines = [l for p in pages[:6] for l in p.narrative]
    start = next((i for i, l in enumerate(all_lines) if re.sub(r"\s+", "", l.text) == "目录"), None)
    if start is None:
        return
    toc_page = next(p for p in pages if any(l is all_lines[start] for l in p.narrative))
    entry = _toc_entry(all_lines[start + 1].text) if start + 1 < len(all_lines) else ""
    end = next((i for i in range(start + 2, len(all_lines)) if entry and _toc_entry(all_lines[i].text) == entry), None)
    toc = all_lines[start:end] if end is not None else [l for l in toc_page.narrative if l.top >= all_lines[start].top]
    for l in toc:
        l.heading = 0


def _toc_entry(text: str) -> str:
    return re.sub(r"[\s.…·]+\d*$", "", re.sub(r"\s+", "", text))


def _build(table_id: str, jt) -> Table:
    first: PageTable = jt.parts[0]
    notes = [n for pt in jt.parts for n in pt.notes]
    table = build_table(
        table_id,
        first.title,
        jt.header,
        jt.body,
        row_pages=jt.row_pages,
        cell_boxes=jt.boxes,
        pages=[pt.page for pt in jt.parts],
        context=first.context,
    )
    has_values = any(f.value for r in table.rows for f in r.figures())
    empty = next((n for n in reversed(notes) if _EMPTY_NOTE_RE.search(n)), None)
    if empty and not has_values:
        table.empty_note = empty
        notes = [n for n in notes if n != empty]
    table.notes = [*table.notes, *notes]  # a period line lifted from the header stays first
    return table
