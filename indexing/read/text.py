"""Reader for PDF-to-text conversions (tab-separated, markdown/HTML remnants, flattened tables).

The converters seen in practice produce three shapes, often mixed in one file:
- tab-separated rows, with 序号/栏次 columns and the page header (unit name, 预算年度, 单位, header
  rows) repeated after every page break;
- markdown / HTML remnants (`#`, `**`, `<b>`, `$\\geq 95\\%$`) around the same content;
- tables flattened into space-separated tokens (see `text_flat`).
Lines are split into narrative (→ `sections.build_sections`) and tables (→ `tables.build_table`).
"""

from __future__ import annotations

import html
import re
from typing import Optional

from indexing.model import Document, Table
from indexing.read import errors
from indexing.read.meta import find_department, infer_meta, region_of, valid_department
from indexing.read.sections import Line, build_sections
from indexing.read.table_types import classify_table, looks_like_title
from indexing.read.text_flat import parse_flat_table
from indexing.read.sections import heading_level
from indexing.read.text_tables import TabTableBuilder, check_truncation, is_context_line, mark_total_rows

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TOC_DOTS = re.compile(r"\.{3,}|…{2,}|·{3,}")
_NUMBER_LINE = re.compile(r"^(?:预算|决算)\s*\d+\s*(?:-\d+)?\s*表$")
_DISCLOSURE_WORDS = re.compile(r"预算|决算|收入|支出|经费")

# ---------------------------------------------------------------------------------------------
# Cleaning


def _latex(m: re.Match[str]) -> str:
    s = m.group(1)
    for a, b in (("\\geqslant", "≥"), ("\\leqslant", "≤"), ("\\geq", "≥"), ("\\leq", "≤"), ("\\ge", "≥"),
                 ("\\le", "≤"), ("\\%", "%"), ("\\times", "×"), ("\\sim", "~"), ("\\neq", "≠")):
        s = s.replace(a, b)
    s = re.sub(r"\\[a-zA-Z]+|[{}\\]", "", s)
    return re.sub(r"\s+", "", s)


_LATEX_RE = re.compile(r"\$([^$]{1,80})\$")
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_TAG_RE = re.compile(r"</?(?:b|p|strong|em|i|u|span|div|font|sup|sub|td|tr|th|table|tbody|thead)(?:\s[^<>]*)?>", re.I)
_HEADING_MARK_RE = re.compile(r"^\s*#{1,6}\s*")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+(?=\S)")
_TAB_HEADING_MARK_RE = re.compile(r"^#{1,6}\s*")


def clean_markup(line: str) -> str:
    """Remove markdown/HTML remnants but keep the characters that matter (≥95%, <, >).

    Each pattern runs only when the character it starts with is in the line: most lines of a
    disclosure carry no markup at all, and a text document has thousands of lines."""
    s = line.replace("\u00a0", " ").replace("\u3000", " ").replace("\r", "")
    if "$" in s:
        s = _LATEX_RE.sub(_latex, s)
    if "<" in s:
        s = _TAG_RE.sub("", _BR_RE.sub(" ", s))
    if "&" in s:
        s = html.unescape(s)
    s = s.replace("**", "").replace("__", "")
    if "\t" not in s:
        if "#" in s:
            s = _HEADING_MARK_RE.sub("", s)
        if "-" in s or "*" in s or "+" in s:
            s = _BULLET_RE.sub("", s)
    elif "#" in s:
        s = _TAB_HEADING_MARK_RE.sub("", s)
    return s.rstrip(" \n")


# ---------------------------------------------------------------------------------------------
# Line classes


def is_tab_row(line: str) -> bool:
    if "\t" not in line:
        return False
    return sum(1 for c in line.split("\t") if c.strip()) >= 1


def _compact(s: str) -> str:
    return "".join(s.split())


def _toc_entry(line: str) -> Optional[str]:
    """'部门预算收支总表 .....\t1' → '部门预算收支总表'."""
    m = re.match(r"^(.*?)\s*(?:\.{3,}|…{2,}|·{3,})\s*\d*\s*$", line.replace("\t", " "))
    return _compact(m.group(1)) if m and m.group(1).strip() else None


def _skip_toc(lines: list[tuple[int, str]]) -> set[int]:
    """Indices of the table of contents (目录): it lists headings and tables, not content."""
    skip: set[int] = set()
    start = next((i for i, (_, s) in enumerate(lines[:80]) if "目录" in s and len(_compact(s)) <= 30), None)
    if start is None:
        return skip
    entries: list[str] = []
    skip.add(start)
    for i in range(start + 1, len(lines)):
        s = lines[i][1].strip()
        c = _compact(s)
        if not c:
            continue
        entry = _toc_entry(s)
        key = entry or _compact(re.sub(r"\t.*$", "", s))
        if entries and any(e == key or (e.startswith(key) and len(key) >= 4) for e in entries):
            break  # the body begins: a heading the TOC listed
        if len(c) > 60 or c.endswith("。") or (is_tab_row(s) and entry is None):
            break
        entries.append(key)
        skip.add(i)
    return skip if len(entries) >= 3 else set()


def _is_title(lines: list[tuple[int, str]], i: int) -> bool:
    """A table title: looks like one and is followed by table material within a few lines."""
    s = lines[i][1].strip()
    if not s or is_tab_row(s) or not looks_like_title(s):
        return False
    seen = 0
    for j in range(i + 1, min(len(lines), i + 12)):
        t = lines[j][1].strip()
        if not t:
            continue
        if is_tab_row(t) or is_context_line(t) or _NUMBER_LINE.match(_compact(t)):
            return True
        seen += 1
        if seen >= 2:
            break
    return False


def _is_tab_title(lines: list[tuple[int, str]], i: int) -> bool:
    """A short heading line directly above tab rows (部门机构设置情况, 部门政府采购预算)."""
    s = lines[i][1].strip()
    limit = 160 if _compact(s).endswith("表") else 60
    if not s or is_tab_row(s) or len(_compact(s)) > limit or s.endswith(("。", "；")) or is_context_line(s):
        return False
    for j in range(i + 1, min(len(lines), i + 14)):
        t = lines[j][1].strip()
        if not t:
            continue
        if is_tab_row(t):
            return True
        if not is_context_line(t):
            return False
    return False


# ---------------------------------------------------------------------------------------------
# The reader


def read_text(text: str, name: str, *, doc_id: str) -> Document:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [(n + 1, clean_markup(s)) for n, s in enumerate(raw_lines)]
    cjk = len(_CJK.findall(text[:200_000]))
    if cjk < 20 or not _DISCLOSURE_WORDS.search(text):
        raise errors.not_a_disclosure(name)

    skip = _skip_toc(lines)
    doc = Document(id=doc_id, source=name, format="text")
    narrative: list[Line] = []
    tables: list[Table] = []
    warnings: list[str] = []
    pending_context: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        line_no, s = lines[i]
        if i in skip:
            i += 1
            continue
        st = s.strip()
        if not st:
            i += 1
            continue
        if _NUMBER_LINE.match(_compact(st)):
            pending_context.append(st)
            i += 1
            continue
        title_here = _is_title(lines, i)
        if title_here or (is_tab_row(st) and not _toc_entry(st)) or _is_tab_title(lines, i):
            title = st if not is_tab_row(st) else ""
            start = i + 1 if title else i
            # Context lines between the title and the first row (unit name, 单位：万元, 年度).
            j = start
            context = list(pending_context)
            while j < n and (not lines[j][1].strip() or is_context_line(lines[j][1])):
                if lines[j][1].strip():
                    context.append(lines[j][1].strip())
                j += 1
            pending_context = []
            if j < n and is_tab_row(lines[j][1]):
                builder = TabTableBuilder(f"t{len(tables) + 1}", title, context, warnings, tables)
                i = builder.consume(lines, j)
                tables.extend(builder.tables())
            elif title_here:
                i, table = parse_flat_table(f"t{len(tables) + 1}", title, context, lines, j, _table_end,
                                            previous=tables)
                tables.append(table)
            else:
                narrative.append(Line(st, None, line_no))
                i += 1
            continue
        # A markdown "# " title (not "##") is a top-level heading even without 第X部分.
        top = raw_lines[line_no - 1].startswith("# ") and len(st) <= 60 and not st.endswith("。")
        narrative.append(Line(st, None, line_no, heading=1) if top else Line(st, None, line_no))
        i += 1

    for t in tables:
        mark_total_rows(t)
        check_truncation(t)
    doc.tables = tables
    doc.sections = build_sections(_unwrap(narrative))
    doc.warnings = warnings
    head = "\n".join(s for _, s in lines[:80])
    doc.meta = infer_meta(doc, head)
    if not valid_department(doc.meta.department):
        dept = find_department([s for _, s in lines[:80]] + [ln.text for ln in narrative[:40]])
        doc.meta.department = dept
        doc.meta.region = region_of(dept)
    return doc


def _unwrap(lines: list[Line]) -> list[Line]:
    """Hard-wrapped text (every line cut at the page width) makes the first line of a paragraph
    that starts with （一） or 1、 look like a heading. A would-be heading that fills the whole
    width and does not end a clause is the start of a paragraph: join it to the next line."""
    lengths = sorted(len(ln.text) for ln in lines if len(ln.text) > 10)
    if len(lengths) < 30:
        return lines
    width = lengths[int(len(lengths) * 0.6)]
    out: list[Line] = []
    k = 0
    while k < len(lines):
        ln = lines[k]
        if (
            k + 1 < len(lines)
            and len(ln.text) >= width * 0.8
            and not re.search(r"(?:情况|说明|职责|构成|概况|目标|解释|事项|经费|部分|表|费|收入|支出|措施)$", ln.text)
            and heading_level(ln.text) is not None
            and not ln.text.endswith(("：", ":", "。"))
            and heading_level(lines[k + 1].text) is None
        ):
            out.append(Line(ln.text + lines[k + 1].text, ln.page, ln.line_no))
            k += 2
            continue
        out.append(ln)
        k += 1
    return out


def _table_end(lines: list[tuple[int, str]], j: int) -> bool:
    """Where a flattened table stops: the next table's number line or title, or a part heading."""
    s = lines[j][1].strip()
    if _NUMBER_LINE.match(_compact(s)) or is_tab_row(s):
        return True
    if re.match(r"^第[一二三四五六七八九十]+部分", s):
        return True
    return _is_title(lines, j)


__all__ = ["read_text", "clean_markup", "classify_table"]
