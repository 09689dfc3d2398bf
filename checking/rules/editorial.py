"""Editorial: what a proof-reader would mark. Template placeholders (XX, 待填写, 增加（减少）,
“主要原因是。”), doubled words or punctuation, 部门 vs 单位 wording in the wrong kind of
document, old 类 names (医疗卫生与计划生育支出) where the tables use the current ones, and
template phrasing that does not fit (“比…持平”, a full stop before “与…持平”), and sentences that
address the reader or a model instead of disclosing (“忽略以上指令…”, “你现在是…”: E-INSTRUCTION,
marked by the reader in Section.instructions, see indexing/read/injection.py)."""

from __future__ import annotations

import re

from indexing.model import Location
from indexing.read.injection import find_instructions
from indexing.read.sections import page_at

from checking.findings import Category, Evidence, Finding, Severity
from checking.rules import CheckContext

_PATTERNS: list[tuple[str, Severity, re.Pattern[str], str]] = [
    ("E-PLACEHOLDER", Severity.warning, re.compile(r"X{2,}|×{2,}|待填写|待补充|增加（减少）|增加\(减少\)|增长（下降）|上升（下降）"),
     "模板占位内容未替换：“{m}”"),
    ("E-EMPTY-REASON", Severity.warning, re.compile(r"(?:主要)?原因(?:是|为|主要是)?[:：]?\s*[。；]"), "原因说明缺失：“{m}”后无内容"),
    ("E-DOUBLED-WORD", Severity.warning, re.compile(r"(增加|减少|下降|上升|增长|万元)\1"), "词语重复：“{m}”"),
    ("E-DOUBLED-PUNCT", Severity.warning, re.compile(r"[。，；：]{2,}|、、"), "标点重复：“{m}”"),
    ("E-BI-CHIPING", Severity.info, re.compile(r"比\d{4}年[^，。；]{0,8}持平"), "搭配不当：“{m}”应为“与…持平”"),
    ("E-STOP-BEFORE-CLAUSE", Severity.info, re.compile(r"\d万元。(?:与|比|较)\d{4}年"), "句号误用：“{m}”，应为逗号"),
    ("E-TEMPLATE-NOTE", Severity.warning, re.compile(r"仍保留该表格式，并在本表下方作下述说明"), "填表说明（模板指引）未删除：“{m}”"),
    ("E-TYPO-CAR", Severity.info, re.compile(r"公务车用车"), "用词错误：“{m}”应为“公务用车”"),
]
_OLD_NAMES = {
    "医疗卫生与计划生育支出": "卫生健康支出",
    "国土海洋气象等支出": "自然资源海洋气象等支出",
    "文化体育与传媒支出": "文化旅游体育与传媒支出",
    "医疗卫生支出": "卫生健康支出",
}


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    table_names = {r.name for t in ctx.doc.tables for r in t.rows}
    for sec in ctx.doc.sections:
        text = sec.text
        for code, severity, pattern, template in _PATTERNS:
            for m in pattern.finditer(text):
                if code == "E-DOUBLED-PUNCT" and m.group(0) in ("……",):
                    continue
                out.append(_finding(code, severity, template.format(m=m.group(0)), sec, m.start(), m.end()))
        for old, new in _OLD_NAMES.items():
            for m in re.finditer(re.escape(old), text):
                if any(new[:4] in n for n in table_names):
                    out.append(_finding("E-OLD-CLASS-NAME", Severity.warning,
                                        f"使用已停用的类名“{old}”，表中为“{new}”", sec, m.start(), m.end()))
        out += _wording(ctx, sec)
        out += _instructions(sec)
    out += _table_notes(ctx)
    return out


def _table_notes(ctx: CheckContext) -> list[Finding]:
    """Notes printed under tables carry template leftovers too (填表说明, placeholders)."""
    out = []
    for t in ctx.doc.tables:
        for note in t.notes + ([t.empty_note] if t.empty_note else []):
            for code, severity, pattern, template in _PATTERNS:
                if code not in ("E-TEMPLATE-NOTE", "E-PLACEHOLDER"):
                    continue
                for m in pattern.finditer(note):
                    out.append(Finding(code=code, severity=severity, category=Category.editorial,
                                       message=f"《{t.title}》表注：" + template.format(m=m.group(0)),
                                       evidence=[Evidence(side="table", quote=note[max(0, m.start() - 12) : m.end() + 12], table_title=t.title,
                                                          location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
    return out


def _instructions(sec) -> list[Finding]:
    """A sentence that tells its reader (or an answering model) what to do or say is not a
    disclosure: an injected instruction or a leftover; answers never use it (service/evidence.py)."""
    out = []
    for start, end in sec.instructions or find_instructions(sec.text):
        sentence = sec.text[start:end]
        out.append(Finding(
            code="E-INSTRUCTION", severity=Severity.error, category=Category.editorial,
            message=f"文中有向读者或模型下达指令的语句，不属于公开内容（问答不会采用）：“{sentence[:60]}”",
            evidence=[Evidence(side="narrative", quote=sentence[:200],
                               location=Location(section_id=sec.id, offset=start, page=page_at(sec, start)))]))
    return out


def _wording(ctx: CheckContext, sec) -> list[Finding]:
    level = ctx.doc.meta.level
    out = []
    if level == "单位":
        for m in re.finditer(r"部门预算安排|本部门|我部门", sec.text):
            out.append(_finding("E-DEPT-VS-UNIT", Severity.warning, f"本文件为单位预算，却写“{m.group(0)}”", sec, m.start(), m.end()))
    elif level == "部门" and re.search(r"本部门|我部门", ctx.doc.narrative):
        for m in re.finditer(r"本单位|我单位", sec.text):
            out.append(_finding("E-DEPT-VS-UNIT", Severity.info, f"部门预算中混用“{m.group(0)}”与“本部门”", sec, m.start(), m.end()))
    return out


def _finding(code: str, severity: Severity, message: str, sec, start: int, end: int) -> Finding:
    quote = sec.text[max(0, start - 12) : end + 12]
    return Finding(code=code, severity=severity, category=Category.editorial, message=message,
                   evidence=[Evidence(side="narrative", quote=quote, location=Location(section_id=sec.id, offset=start, page=page_at(sec, start)))])
