"""Document metadata (department, region, year, kind, level, units) from the title and tables."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from indexing.model import Document, DocumentMeta

# "2026年", and a bare year that opens the kind of the disclosure ("2026 部门预算情况的说明").
_YEAR_RE = re.compile(r"(20\d{2})\s*(?:年|(?=(?:部门|单位)(?:综合)?(?:预算|决算)))")
# "部门：…", "编制单位：…", "部门(单位)：…", "部门名称：…" (with the unit's code before the name).
_DEPT_FIELD_RE = re.compile(
    r"(?:部门|单位|预算单位|编制单位|编制部门)(?:名称)?(?:[（(](?:部门|单位)[)）])?[:：]\s*(?:\d+\s*)?([\u4e00-\u9fff（）()]{3,40}?)(?=单位[:：]|金额单位|$|\s)")
_TITLE_DEPT_RE = re.compile(r"^(?:(20\d{2})\s*年(?:度)?)?\s*([\u4e00-\u9fff（）()]{3,40}?)\s*(?:（汇总）)?\s*(?:20\d{2}\s*(?:年(?:度)?)?)?\s*(?:部门|单位)?(?:综合)?(?:预算|决算)")
_REGION_RE = re.compile(
    r"^(?:中共|中国共产党)?((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}?(?:市|自治州|州|盟))?"
    r"(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?)")


def region_of(department: Optional[str]) -> Optional[str]:
    """The administrative region a department's name starts with: province, city and district
    parts, any of them ("西安市统计局" → 西安市, "中共上海市普陀区委社会工作部" → 上海市普陀区)."""
    m = _REGION_RE.match(department or "")
    region = m.group(1) if m else ""
    return region if region and region != department else None


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
    meta.region = region_of(meta.department) or cover_region(head)
    narrative = doc.narrative
    meta.unit = "万元" if narrative.count("万元") >= narrative.count("元") - narrative.count("万元") else "元"
    units = Counter(t.unit for t in doc.tables if t.unit)
    meta.table_unit = units.most_common(1)[0][0] if units else None
    return meta


# "上海市2026年市级单位预算": a cover title that opens with the region, then the year.
_COVER_REGION_RE = re.compile(r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}?(?:市|自治州|州|盟))?(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?(?=20\d{2}年)")


def cover_region(head: str) -> Optional[str]:
    """The region a cover title names before the year, for a unit whose name does not start with
    it ("上海市2026年市级单位预算" over "预算单位：上海科技大学附属学校" → 上海市)."""
    for line in head.splitlines()[:6]:
        m = _COVER_REGION_RE.match(line.strip())
        if m and m.group(0):
            return m.group(0)
    return None


def fill_year(doc: Document) -> Document:
    """With no year on the cover (a 报表 published without one), the year the tables state: a
    period line ruled into a table ("（2026年度）", kept in its notes) or a title that prints one
    ("2026年部门收支总表"); the most frequent wins. Nothing is filled when no table states one."""
    if doc.meta.year is not None:
        return doc
    years = Counter(int(y) for t in doc.tables for text in [t.title, *t.notes[:2]]
                    for y in _YEAR_RE.findall(re.sub(r"\s+", "", text or "")))
    if years:
        doc.meta.year = years.most_common(1)[0][0]
    return doc


_DEPT_END = re.compile(
    r"(?:局|委员会|委|办公室|办|院|所|中心|站|队|会|处|室|部|厅|馆|校|学|社|政府|办事处|街道|镇|乡|园|台|组|团|司|署|机关|协会|联合会|场|厂|库|总队|支队)$"
)


def valid_department(name: Optional[str]) -> bool:
    """A department's name ends in the noun of an organ (局, 委员会, 中心, 街道办事处 …) and is not a
    template word: "度部门" (read from "2024 年度部门决算") or "部门预算" is not a department."""
    core = re.sub(r"[（(][^（）()]*[)）]$", "", name or "")  # "…研究院（…中心）": the organ before the bracket
    return bool(core) and not re.search(r"表|目录|部分|说明|公开|^部门|^单位|^度|预算|决算", core) and bool(
        _DEPT_END.search(core))


def find_department(candidates: list[str]) -> Optional[str]:
    """The unit name from a cover or part title, also when the title is set over two or three
    lines ("上海市普陀区规划和自然资源局" / "2024 年度部门决算") and with any spacing."""
    texts = [re.sub(r"[\s\u3000]+", "", c.replace("\t", " ")).strip("#*") for c in candidates if c.strip()]
    probes = []
    for k, t in enumerate(texts):
        probes.append(t)
        if len(t) <= 40:
            probes += [t + "".join(texts[k + 1 : k + n]) for n in (2, 3) if k + n - 1 < len(texts)]
    for t in probes:
        t = re.sub(r"^(?:第[一二三四五六七八九十]+部分|附件\d*[:：]?)", "", t)
        m = _TITLE_DEPT_RE.match(t)
        if m and valid_department(_clean_dept(m.group(2))):
            return _clean_dept(m.group(2))
    for t in texts:
        m = _DEPT_FIELD_RE.search(t)
        if m and valid_department(_clean_dept(m.group(1))):
            return _clean_dept(m.group(1))
    return None


def _department(head: str, doc: Document) -> Optional[str]:
    return find_department(head.splitlines()[:40])


def _clean_dept(name: str) -> str:
    name = re.sub(r"（汇总）|\(汇总\)|（本级）|\(本级\)", "", name)
    name = re.sub(r"(?:20\d{2}年度?)$", "", name).strip()
    # "北京市教育委员会部门 / 2026年度部门预算": the cover names the organ, then says it is a 部门.
    stripped = re.sub(r"(?:部门|单位)$", "", name)
    return stripped if stripped != name and valid_department(stripped) else name


def issuer_of(context: str) -> Optional[str]:
    """The unit a table's 编制单位 / 部门(单位) / 部门名称 line names ("编制单位：XX局"), if it names one."""
    compact = re.sub(r"[ \t\u3000]+", " ", context or "")
    for m in _DEPT_FIELD_RE.finditer(compact):
        name = _clean_dept(m.group(1))
        if valid_department(name):
            return name
    return None


def _same_unit(a: str, b: str) -> bool:
    """One name is the other with or without its region in front ("市财政局" / "西安市财政局")."""
    a, b = re.sub(r"[（(][^（）()]*[)）]", "", a), re.sub(r"[（(][^（）()]*[)）]", "", b)
    return a == b or a.endswith(b) or b.endswith(a)


def check_department(doc: Document) -> Document:
    """The department from the cover checked against the units the tables name. With no department
    on the cover, the unit most tables name is the department. When the cover names one and most
    tables another (a 单位 disclosure filed under its 部门's cover, or a misread cover), the
    document says so: both names stand in a warning, and nothing is silently replaced."""
    named = Counter(t.issuer for t in doc.tables if t.issuer)
    if not named:
        if doc.meta.department is None:
            doc.warnings.append("封面和表格都没有写明部门名称，按部门提问时找不到本文件 / no department is named on a "
                                "cover or on the tables: questions scoped to a department will not find this file")
        return doc
    top, count = named.most_common(1)[0]
    if doc.meta.department is None:
        doc.meta.department = top
        doc.meta.region = doc.meta.region or region_of(top)
        return doc
    if count * 2 > sum(named.values()) and not any(_same_unit(doc.meta.department, n) for n in named):
        doc.warnings.append(
            f"封面所写部门“{doc.meta.department}”与表格的编制单位“{top}”（{count} 张表）不一致 / the cover names "
            f"“{doc.meta.department}” but {count} table(s) name “{top}” as the issuing unit")
    return doc
