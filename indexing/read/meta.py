"""Document metadata (department, region, year, kind, level, units) from the title and tables."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from indexing.model import Document, DocumentMeta

_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_DEPT_FIELD_RE = re.compile(r"(?:部门|单位|预算单位|编制单位)(?:名称)?[:：]\s*(?:\d+\s+)?([\u4e00-\u9fff（）()]{3,40})")
_TITLE_DEPT_RE = re.compile(r"^(?:(20\d{2})\s*年(?:度)?)?\s*([\u4e00-\u9fff（）()]{3,40}?)\s*(?:（汇总）)?\s*(?:20\d{2}\s*年(?:度)?)?\s*(?:部门|单位)?(?:预算|决算)")
_REGION_RE = re.compile(r"^((?:[\u4e00-\u9fff]{2,6}?[省市])?(?:[\u4e00-\u9fff]{1,6}?[市州盟])?(?:[\u4e00-\u9fff]{1,6}?[区县旗]))")


def infer_meta(doc: Document, head_text: str) -> DocumentMeta:
    """`head_text` is the first page or first ~60 lines: where the cover title stands."""
    head = re.sub(r"[ \t\u3000]+", "", head_text)
    meta = DocumentMeta()
    years = Counter(int(y) for y in _YEAR_RE.findall(head[:2000]))
    if years:
        meta.year = years.most_common(1)[0][0]
    meta.kind = "决算" if re.search(r"决算", head[:600]) and not re.search(r"预算公开", head[:200]) else "预算"
    meta.level = "单位" if re.search(r"单位(?:预算|决算)", head[:600]) and not re.search(r"部门(?:预算|决算)", head[:600]) else "部门"
    meta.department = _department(head, doc)
    if meta.department:
        m = _REGION_RE.match(meta.department)
        meta.region = m.group(1) if m else None
    narrative = doc.narrative
    meta.unit = "万元" if narrative.count("万元") >= narrative.count("元") - narrative.count("万元") else "元"
    units = Counter(t.unit for t in doc.tables if t.unit)
    meta.table_unit = units.most_common(1)[0][0] if units else None
    return meta


def _department(head: str, doc: Document) -> Optional[str]:
    for line in head.splitlines()[:40]:
        line = line.strip("#* ")
        m = _TITLE_DEPT_RE.match(line)
        if m and not re.search(r"目录|部分|说明", m.group(2)):
            return _clean_dept(m.group(2))
    m = _DEPT_FIELD_RE.search(head)
    if m:
        return _clean_dept(m.group(1))
    return None


def _clean_dept(name: str) -> str:
    name = re.sub(r"（汇总）|\(汇总\)", "", name)
    return re.sub(r"(?:20\d{2}年度?)$", "", name).strip()
