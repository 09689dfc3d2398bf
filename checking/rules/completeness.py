"""Completeness (identities A): the 8 standard tables of 财预〔2016〕143号, empty tables
explained, the 三公 split with its change and reason, and the narrative parts every disclosure
owes (机关运行经费, 政府采购 货物/工程/服务, 国有资产, 绩效目标, 名词解释). A table the table of
contents lists but the reader did not find is an extraction finding, not a missing table."""

from __future__ import annotations

import re

from indexing.model import REQUIRED_TABLE_TYPES, Location, TableType
from indexing.read.sections import page_at

from checking.findings import Category, Evidence, Finding, Severity
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


def run(ctx: CheckContext) -> list[Finding]:
    doc = ctx.doc
    text = doc.narrative
    out: list[Finding] = []
    for tt in REQUIRED_TABLE_TYPES:
        if doc.tables_of(tt):
            continue
        pattern = _TOC_WORDS[tt]
        listed = re.search(pattern, text)
        if listed or doc.format == "text":
            # converted text loses tables: the department may well have published it
            ev = [_quote(ctx, listed.start(), listed.end())] if listed else []
            out.append(Finding(code="X-TABLE-NOT-READ", severity=Severity.warning, category=Category.extraction,
                               message=f"未能读到{tt.value}（{'文中提到该表，' if listed else ''}转换文本可能丢失了该表），请核对原件",
                               evidence=ev))
        elif not (tt is TableType.gov_fund and re.search(r"政府性基金[^。]{0,30}(?:0万元|为0|无)", text)):
            out.append(Finding(code="M-TABLE", severity=Severity.warning, category=Category.completeness,
                               message=f"未见{tt.value}（财预〔2016〕143号要求公开的8张表之一）"))
    for t in doc.tables:
        if not t.complete:
            out.append(Finding(code="X-TABLE-INCOMPLETE", severity=Severity.info, category=Category.extraction,
                               message=f"《{t.title}》未能完整读取：{(t.incomplete_reason or '').split(' / ')[0][:80]}；该表相关核对结果仅供参考",
                               evidence=[Evidence(side="table", table_title=t.title, location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
        has_numbers = any(f.value for r in t.rows for f in r.figures())
        notes = " ".join(t.notes + ([t.empty_note] if t.empty_note else []))
        if not has_numbers and t.standard_type in REQUIRED_TABLE_TYPES and t.complete:
            near = re.search(r"空表|无[^。]{0,20}(?:经费|收支|支出|预算|安排)|没有", notes)
            if not near:
                out.append(Finding(code="M-EMPTY-NOTE", severity=Severity.info, category=Category.completeness,
                                   message=f"《{t.title}》为空表，未见空表说明（若原件有说明，可能未被读取）",
                                   evidence=[Evidence(side="table", table_title=t.title, location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
        if has_numbers and re.search(r"本表为空表|故本表为空", notes):
            out.append(Finding(code="E-EMPTY-NOTE-WITH-DATA", severity=Severity.warning, category=Category.editorial,
                               message=f"《{t.title}》填有数据，表注却称本表为空表（模板注释未删除）",
                               evidence=[Evidence(side="table", quote=notes[:80], table_title=t.title, location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
    out += _three_public(ctx, text)
    for name, pattern in _PARTS:
        if not re.search(pattern, text):
            out.append(Finding(code="M-PART", severity=Severity.warning, category=Category.completeness,
                               message=f"情况说明未见“{name}”部分"))
    if re.search(r"政府采购", text) and not all(w in text for w in ("货物", "工程", "服务")):
        m = re.search(r"政府采购", text)
        out.append(Finding(code="M-PROCUREMENT-SPLIT", severity=Severity.info, category=Category.completeness,
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
