"""Completeness (identities A): the 8 standard tables of 财预〔2016〕143号, empty tables
explained, the 三公 split with its change and reason, and the narrative parts every disclosure
owes (机关运行经费, 政府采购 货物/工程/服务, 国有资产, 绩效目标, 名词解释). A table the document's
own table of contents lists but does not contain (its title printed nowhere but in the contents) is
M-TABLE-LISTED; one whose title is printed but that the reader did not find is an extraction note."""

from __future__ import annotations

import re
from typing import Optional

from indexing.model import REQUIRED_TABLE_TYPES, Location, TableType
from indexing.read.sections import page_at

from checking.findings import Category, Evidence, Finding, LedgerStatus, Severity
from checking.rules import CheckContext

# How a table type is named in a table of contents (any of the words, in order).
_TOC_WORDS = {
    TableType.income_expense_summary: r"收支总(?:体情况)?表|财务收支预算总表|收入支出决算总表",
    TableType.income: r"收入(?:总体情况|预算总|决算)表",
    TableType.expenditure: r"支出(?:总体情况|预算总|决算)表",
    TableType.fiscal_summary: r"财政拨款收(?:入)?支(?:出)?(?:总体情况|预算总|决算总)表",
    TableType.general_budget_expenditure: r"一般公共预算(?:财政拨款)?支出(?:情况|功能分类预算|决算)?表",
    TableType.general_basic_expenditure: r"一般公共预算(?:财政拨款)?基本支出",
    TableType.three_public: r"三公",
    TableType.gov_fund: r"政府性基金",
}
_PARTS = [
    ("机关运行经费", r"机[关构]运行经费"),
    ("政府采购", r"政府采购"),
    ("国有资产占用", r"国有资产|资产占用|车辆|固定资产"),
    ("绩效目标", r"绩效"),
    ("名词解释", r"名词解释|是指|指[^。]{0,6}(?:单位|部门)"),
]


_TOC_LINE_RE = re.compile(r"^\s*(.+?)\s*(?:\.{3,}|…{2,}|·{3,}|-{4,})\s*\d+\s*$")


def toc_entries(doc) -> list[str]:
    """The document's own table of contents: lines "title ..... page" (dot leaders and a page)."""
    out = []
    for sec in doc.sections:
        for line in [sec.heading or ""] + sec.text.split("\n"):
            m = _TOC_LINE_RE.match(line)
            if m:
                out.append(m.group(1).strip())
    return out


def _core_title(title: str) -> str:
    """"1、2025年部门预算收支总表" → "部门预算收支总表": numbering, years and spaces dropped."""
    t = re.sub(r"\s", "", title)
    t = re.sub(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|表[一二三四五六七八九十\d]+|附表\d*[:：]?)", "", t)
    return re.sub(r"\d{4}年度?", "", t)


def _listed_table(ctx: CheckContext, tt: TableType, toc: list[str]) -> Optional[str]:
    pattern = _TOC_WORDS.get(tt)
    if pattern is None:
        from indexing.read.table_types import classify_table

        return next((e for e in toc if "表" in e and classify_table(e) is tt), None)
    return next((e for e in toc if re.search(pattern, e)), None)


def _missing_table(ctx: CheckContext, tt: TableType, toc: list[str], required: bool) -> Optional[Finding]:
    """A standard table the reader did not find.

    - listed in the document's own table of contents and its title printed nowhere else (no table,
      no heading): the document does not contain a table it announces — M-TABLE-LISTED (a warning);
    - listed and its title printed elsewhere, or its title printed on a line of its own
      (`_title_line`): the reader may have lost it — X-TABLE-NOT-READ, an extraction note;
    - a required table (财预〔2016〕143号) not found and its title printed nowhere: M-TABLE (a
      warning) — an empty one too (a nil 政府性基金 budget): the template publishes an empty table
      with its 空表说明, so "本表为空表" in a sentence does not stand for the table."""
    doc = ctx.doc
    entry = _listed_table(ctx, tt, toc)
    if entry is not None:
        core = _core_title(entry)
        text = re.sub(r"\s", "", _with_headings(doc))
        elsewhere = text.count(core) > sum(1 for e in toc if core in re.sub(r"\s", "", e))
        titled = any(core and (core in _core_title(t.title) or _core_title(t.title) in core) and len(_core_title(t.title)) >= 4
                     for t in doc.tables)
        if not elsewhere and not titled:
            return Finding(code="M-TABLE-LISTED", severity=Severity.warning, category=Category.completeness,
                           message=f"目录列有《{entry}》（{tt.value}），文件中未见该表",
                           evidence=[_toc_quote(ctx, entry)])
        return Finding(code="X-TABLE-NOT-READ", severity=Severity.extraction, category=Category.extraction,
                       message=f"未能读到{tt.value}（目录列有《{entry}》，文中也印有其标题），请核对原件",
                       evidence=[_toc_quote(ctx, entry)])
    if not required:
        return None
    printed = _title_line(_TOC_WORDS[tt], _with_headings(doc))
    if printed:
        # its name is printed (a heading, a "详见…表"): the reader may have lost the table itself
        return Finding(code="X-TABLE-NOT-READ", severity=Severity.extraction, category=Category.extraction,
                       message=f"未能读到{tt.value}（文中提到该表，可能未被读取），请核对原件",
                       evidence=[_toc_quote(ctx, printed.group(0))])
    return Finding(code="M-TABLE", severity=Severity.warning, category=Category.completeness,
                   message=f"未见{tt.value}（财预〔2016〕143号要求公开的8张表之一）")


def _title_line(words: str, text: str) -> Optional[re.Match]:
    """The table's name printed as a title is, not inside a sentence ("…政府性基金预算支出表为空表。",
    "详见附表8"): no sentence punctuation within 20 characters of it on its line (a title line, or a
    page flattened into one line of cells). A name only referred to in sentences is no sign of a
    table the reader lost."""
    for m in re.finditer(f"(?:{words})(?<=表)|(?:{words})[^。，；\n]{{0,12}}表", text):
        start = max(text.rfind("\n", 0, m.start()) + 1, m.start() - 20)
        end = text.find("\n", m.end())
        end = min(end if end >= 0 else len(text), m.end() + 20)
        if not re.search(r"[。，；]", text[start:end]):
            return m
    return None


_FULL: dict[int, tuple[object, str]] = {}


def _with_headings(doc) -> str:
    """Headings and text of every section (computed once per document)."""
    hit = _FULL.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    full = "\n".join((sec.heading or "") + "\n" + sec.text for sec in doc.sections)
    _FULL.clear()
    _FULL[id(doc)] = (doc, full)
    return full


def _toc_quote(ctx: CheckContext, entry: str) -> Evidence:
    i = ctx.doc.narrative.find(entry)
    return _quote(ctx, i, i + len(entry)) if i >= 0 else Evidence(side="narrative", quote=entry)


def run(ctx: CheckContext) -> list[Finding]:
    doc = ctx.doc
    text = doc.narrative
    out: list[Finding] = []
    toc = toc_entries(doc)
    have = {t.standard_type for t in doc.tables}
    optional = [tt for tt in TableType if tt not in REQUIRED_TABLE_TYPES and tt is not TableType.other]
    for tt in list(REQUIRED_TABLE_TYPES) + optional:
        required = tt in REQUIRED_TABLE_TYPES
        if tt in have:
            ctx.record("M-TABLE", tt.value, LedgerStatus.passed)
            continue
        f = _missing_table(ctx, tt, toc, required)
        if f is None:
            ctx.record("M-TABLE", tt.value, LedgerStatus.passed if required else LedgerStatus.not_applicable)
            continue
        ctx.record("M-TABLE", tt.value, LedgerStatus.doubt if f.severity is Severity.extraction else LedgerStatus.failed, f.code)
        out.append(f)
    for t in doc.tables:
        has_numbers = any(f.value for r in t.rows for f in r.figures())
        notes = " ".join(t.notes + ([t.empty_note] if t.empty_note else []))
        if not has_numbers and t.standard_type in REQUIRED_TABLE_TYPES and t.complete:
            near = re.search(r"空表|无[^。]{0,20}(?:经费|收支|支出|预算|安排)|没有", notes)
            if not near:
                out.append(Finding(code="M-EMPTY-NOTE", severity=Severity.hint, category=Category.completeness,
                                   message=f"《{t.title}》为空表，未见空表说明（若原件有说明，可能未被读取）",
                                   evidence=[Evidence(side="table", table_title=t.title, location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
        if has_numbers and re.search(r"本表为空表|故本表为空", notes):
            out.append(Finding(code="E-EMPTY-NOTE-WITH-DATA", severity=Severity.warning, category=Category.editorial,
                               message=f"《{t.title}》填有数据，表注却称本表为空表（模板注释未删除）",
                               evidence=[Evidence(side="table", quote=notes[:80], table_title=t.title, location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
    out += _three_public(ctx, text)
    full = _with_headings(doc)  # a part is there when its heading is, even before its text
    for name, pattern in _PARTS:
        there = bool(re.search(pattern, full))
        ctx.record("M-PART", name, LedgerStatus.passed if there else LedgerStatus.failed, None if there else "M-PART")
        if not there:
            out.append(Finding(code="M-PART", severity=Severity.warning, category=Category.completeness,
                               message=f"情况说明未见“{name}”部分"))
    if re.search(r"政府采购", text) and not all(w in text for w in ("货物", "工程", "服务")):
        m = re.search(r"政府采购", text)
        out.append(Finding(code="M-PROCUREMENT-SPLIT", severity=Severity.hint, category=Category.completeness,
                           message="政府采购情况未按货物、工程、服务分列", evidence=[_quote(ctx, m.start(), m.end())]))
    return out


def _three_public(ctx: CheckContext, text: str) -> list[Finding]:
    # the 三公 paragraph with figures, not the glossary entry that defines it
    m = re.search(r"三公[^。]{0,80}?\d+(?:\.\d+)?\s*万元", text) or re.search(r"三公", text)
    if not m:
        return [Finding(code="M-THREE-PUBLIC", severity=Severity.warning, category=Category.completeness,
                        message="情况说明未见“三公”经费部分")]
    window = _section_window(ctx, m.start(), 1500)
    missing = [w for w, p in (("因公出国（境）费", r"出国"), ("公务接待费", r"接待"), ("公务用车购置及运行费", r"公务用?车"))
               if not re.search(p, window)]
    out = []
    if re.search(r"无[^。]{0,8}三公|三公[^。]{0,20}(?:为|预算为|支出为)?0(?:\.00)?万元", text):
        missing = []  # nothing spent: nothing to split
    if missing:
        out.append(Finding(code="M-THREE-PUBLIC-SPLIT", severity=Severity.warning, category=Category.completeness,
                           message=f"“三公”经费说明未分列：{'、'.join(missing)}", evidence=[_quote(ctx, m.start(), m.end())]))
    if not re.search(r"增加|减少|持平|下降|上升|增长|一致|相同|无变化|不变", window):
        out.append(Finding(code="M-THREE-PUBLIC-CHANGE", severity=Severity.warning, category=Category.completeness,
                           message="“三公”经费说明未写与上年相比的增减", evidence=[_quote(ctx, m.start(), m.end())]))
    elif not re.search(r"原因|由于|因为", window) and not _three_public_unchanged(window):
        # a change needs its reason; "与上年持平" (or a stated change of 0) does not
        out.append(Finding(code="M-THREE-PUBLIC-REASON", severity=Severity.warning, category=Category.completeness,
                           message="“三公”经费说明未写增减原因", evidence=[_quote(ctx, m.start(), m.end())]))
    return out


_CHANGE_RE = re.compile(r"(增加|减少|持平|下降|上升|增长|降低|一致|相同|无变化|不变)(?:了)?\s*(\d+(?:\.\d+)?)?\s*(?:万元|元|%)?")


def _three_public_unchanged(window: str) -> bool:
    """The first change the 三公 paragraph states is none: 持平 / 一致 / 无变化, or 增加0万元."""
    m = _CHANGE_RE.search(window)
    if not m:
        return False
    if m.group(1) in ("持平", "一致", "相同", "无变化", "不变"):
        return True
    return m.group(2) is not None and not re.search(r"[1-9]", m.group(2))


def _section_window(ctx: CheckContext, start: int, limit: int) -> str:
    """From `start` to the end of its section and the sub-sections under it ("（一）因公出国…"),
    at most `limit` characters: the next top-level part ("九、政府性基金…") is another subject."""
    text = ctx.doc.narrative
    pos = 0
    sections = ctx.doc.sections
    for i, s in enumerate(sections):
        end = pos + len(s.text)
        if pos <= start <= end:
            j = i + 1
            while j < len(sections) and (sections[j].level > s.level or re.match(r"\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])", sections[j].heading or "")):
                end += 1 + len(sections[j].text)
                j += 1
            return text[start : min(end, start + limit)]
        pos = end + 1
    return text[start : start + limit]


def _quote(ctx: CheckContext, start: int, end: int) -> Evidence:
    """Evidence for a span of `doc.narrative` (sections joined with newlines)."""
    pos = 0
    for s in ctx.doc.sections:
        if pos <= start <= pos + len(s.text):
            off = start - pos
            return Evidence(side="narrative", quote=s.text[max(0, off - 10) : off + 30],
                            location=Location(section_id=s.id, offset=off, page=page_at(s, off)))
        pos += len(s.text) + 1
    return Evidence(side="narrative")
