"""A `Document` → retrievable chunks, each one readable on its own.

Retrieval sees chunks without the document around them, so every chunk repeats who and when
(department, year) and where (heading path, or table title and unit). Three kinds:
- "section": narrative text under its heading path, split at sentence ends into ~300–500 chars;
- "row": one table row as a fact sentence: dept year title（单位）: code name / column = value; …;
- "table": a small table whole (also empty tables with their 空表说明), for "list" questions; and
  derived lists: every project with its amount, the 人员经费 / 公用经费 items of the basic expenditure table.
A table printed side by side (two groups of 编码 / 名称 / 金额 in one row) states each group's fact.
Chunk ids are `<doc id>:<position>`: deterministic, so re-ingesting overwrites, never duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from indexing.model import Document, Row, Section, Table, TableType
from indexing.read.sections import page_at

TARGET_CHARS = 400  # aim for chunks of 300–500 characters of body text
MAX_CHARS = 500
MIN_CHARS = 300
SMALL_TABLE_ROWS = 30  # whole-table chunk only for tables this small...
SMALL_TABLE_CHARS = 1500  # ...whose rendering stays this short (the model reads ~512 tokens)

_SHARE_RE = re.compile(r"占[^，。；,;]{0,20}?\d+(?:\.\d+)?\s*[%％]")
_SENTENCE_RE = re.compile(r"[^。！？；\n]*(?:[。！？；]+|\n|$)")


@dataclass
class Chunk:
    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.metadata["doc_id"]


def chunk_id(doc_id: str, position: int) -> str:
    return f"{doc_id}:{position:05d}"


def doc_label(doc: Document) -> str:
    """'三门峡市湖滨区医疗保障局 2025年部门预算' — the who/when prefix of every chunk."""
    m = doc.meta
    parts = [m.department or doc.source]
    if m.year:
        parts.append(f"{m.year}年{m.level or ''}{m.kind or ''}")
    return " ".join(parts)


def _base_meta(doc: Document) -> dict[str, Any]:
    m = doc.meta
    meta = {
        "doc_id": doc.id,
        "source": doc.source,
        "department": m.department,
        "region": m.region,
        "year": m.year,
        "kind": m.kind,
    }
    return {k: v for k, v in meta.items() if v is not None}


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.findall(text) if s.strip()]


def split_text(text: str, target: int = TARGET_CHARS, max_chars: int = MAX_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pieces at sentence ends; a piece closes once it passes `target` or the
    next sentence would push it past `max_chars`. A sentence longer than max is cut hard."""
    pieces: list[tuple[int, str]] = []
    start, buf, offset = 0, "", 0
    for sent in split_sentences(text):
        while len(sent) > max_chars:  # one giant "sentence" (a list without full stops)
            if buf:
                pieces.append((start, buf))
                buf = ""
            pieces.append((offset, sent[:max_chars]))
            offset += max_chars
            sent = sent[max_chars:]
        if buf and (len(buf) >= target or len(buf) + len(sent) > max_chars):
            pieces.append((start, buf))
            buf = ""
        if not buf:
            start = offset
        buf += sent
        offset += len(sent)
    if buf.strip():
        # A short tail joins the previous piece when that stays under max (no 20-char chunks).
        if pieces and len(buf) < MIN_CHARS // 3 and len(pieces[-1][1]) + len(buf) <= max_chars:
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + buf)
        else:
            pieces.append((start, buf))
    return [(o, p.strip()) for o, p in pieces if p.strip()]


def section_chunks(doc: Document, section: Section) -> list[tuple[str, dict[str, Any]]]:
    path = " > ".join(h for h in (section.path or [section.heading]) if h)
    head = f"{doc_label(doc)} | {path}" if path else doc_label(doc)
    out = []
    for offset, piece in split_text(section.text):
        meta = {"chunk_kind": "section", "section_id": section.id, "heading": path[:200], "offset": offset}
        if _SHARE_RE.search(piece):
            meta["has_share"] = True  # prints a part's share of a whole ("占62.89%")
        page = page_at(section, offset)
        if page is not None:
            meta["page"] = page
        out.append((f"{head}\n{piece}", meta))
    return out


# Other names a reader uses for a standard table's subject (the printed titles vary by province).
TYPE_SYNONYMS: dict[TableType, tuple[str, ...]] = {
    TableType.three_public: ("三公经费",),
    TableType.operating_cost: ("机关运行经费", "机构运行经费"),
    TableType.project_expenditure: ("项目支出",),
    TableType.procurement: ("政府采购",),
    TableType.general_basic_expenditure: ("基本支出", "人员经费", "公用经费"),
}
_GENERIC_COL = re.compile(r"^列\d+$")  # the reader's name for a column whose header it could not read


def _plain(text: str) -> str:
    return re.sub(r"[\s“”\"]", "", text or "")


def table_kind_label(table: Table) -> str:
    """'〔三公经费支出表；三公经费〕': the standard type and its synonyms the printed title lacks."""
    if table.standard_type == TableType.other:
        return ""
    title = _plain(table.title)
    words = [w for w in (table.standard_type.value, *TYPE_SYNONYMS.get(table.standard_type, ())) if _plain(w) not in title]
    return f"〔{'；'.join(words)}〕" if words else ""


def table_head(doc: Document, table: Table) -> str:
    unit = f"（单位：{table.unit}）" if table.unit else ""
    return f"{doc_label(doc)} {table.title}{unit}{table_kind_label(table)}"


def _code_cols(table: Table, row: Row) -> set[str]:
    """Columns whose text is the printed code (so it is not repeated as 'column = value')."""
    if not row.code_raw:
        return set()
    parts = set(row.code_raw.split(" | "))
    return {c.column for c in row.cells if c.text and c.text in parts and c.figure is None}


_GROUP = re.compile(r"#(\d+)$")  # the reader's mark of a header printed again: a second group of columns


def _side_by_side(row: Row) -> dict[int, list]:
    """A row's cells by column group: tables printed side by side (基本支出 决算表: 工资福利支出 on the
    left, 商品和服务支出 on the right, each with its own 编码 / 科目名称 / 决算数) repeat their headers,
    which the reader marks 科目名称#2. One group: a plain row."""
    groups: dict[int, list] = {}
    for cell in row.cells:
        m = _GROUP.search(cell.column.split("/")[-1])
        groups.setdefault(int(m.group(1)) if m else 1, []).append(cell)
    return groups


def _group_fact(cells: list) -> Optional[str]:
    """'302 商品和服务支出 / 决算数 = 10.23': a group's text cells name it, its numbers are its facts
    (under the header without its #n)."""
    names, facts = [], []
    for cell in cells:
        if not cell.text or cell.column.split("/")[-1].split("#")[0] in ("序号", "栏次", "行次"):
            continue
        if cell.figure is not None and cell.figure.value is not None and not _is_code(cell):
            facts.append(f"{_GROUP.sub('', cell.column)} = {cell.text}")
        else:
            names.append(cell.text)
    if not facts and not names:
        return None
    label = " ".join(names)
    return f"{label} / " + "；".join(facts) if facts else label


def _is_code(cell) -> bool:
    """A classification code printed as a number (30201) under a 编码 / 代码 header."""
    return any(w in cell.column for w in ("编码", "代码"))


def row_fact(doc: Document, table: Table, row: Row) -> Optional[str]:
    """'dept year title（单位：元）: 204 06 01 行政运行 / 基本支出 = 14,348,853.34；项目支出 = …'.
    A row of a table printed side by side states each group's fact in turn."""
    groups = _side_by_side(row)
    if len(groups) > 1:
        first = row_fact(doc, table, row.model_copy(update={"cells": groups.pop(1)}))
        rest = [f for f in (_group_fact(cells) for _, cells in sorted(groups.items())) if f]
        first_body = first.split(": ", 1)[1] if first else ""
        body = "；".join(x for x in [first_body.strip(" /")] + rest if x)
        return f"{table_head(doc, table)}: {body}" if body else None
    skip = _code_cols(table, row)
    label = " ".join(x for x in (row.code_raw.replace(" | ", " ") if row.code_raw else "", row.name) if x)
    facts = []
    pending_label: Optional[str] = None  # a text cell under a generic column, waiting for its number
    for cell in row.cells:
        if not cell.text or cell.column in skip or cell.text == row.name:
            continue
        if cell.column.split("/")[-1] in ("序号", "栏次"):
            continue
        if _GENERIC_COL.match(cell.column):
            is_number = cell.figure is not None and cell.figure.value is not None
            if is_number and pending_label is not None:
                facts[-1] = f"{pending_label} = {cell.text}"
                pending_label = None
            else:
                facts.append(cell.text)
                pending_label = None if is_number else cell.text
            continue
        pending_label = None
        facts.append(f"{cell.column} = {cell.text}")
    if not facts and not label:
        return None
    body = f"{label} / " + "；".join(facts) if facts else label
    return f"{table_head(doc, table)}: {body}"


def _used_columns(table: Table) -> list[int]:
    width = max([len(table.columns)] + [len(r.cells) for r in table.rows])
    used = [i for i in range(width) if any(i < len(r.cells) and r.cells[i].text for r in table.rows)]
    return used or list(range(width))


def render_table(doc: Document, table: Table) -> str:
    lines = [table_head(doc, table)]
    used = _used_columns(table) if table.rows else list(range(len(table.columns)))
    if table.columns:
        lines.append(" | ".join(table.columns[i] for i in used if i < len(table.columns)))
    for row in table.rows:
        texts = [row.cells[i].text if i < len(row.cells) else "" for i in used]
        if any(texts):
            lines.append(" | ".join(texts))
    if table.empty_note:
        lines.append(f"空表说明：{table.empty_note}")
    lines.extend(table.notes)
    if not table.complete and table.incomplete_reason:
        lines.append(f"（表格不完整：{table.incomplete_reason}）")
    return "\n".join(lines)


def _table_meta(table: Table) -> dict[str, Any]:
    meta: dict[str, Any] = {"table_id": table.id, "table_type": table.standard_type.value, "table_title": table.title[:200]}
    if table.unit:
        meta["unit"] = table.unit
    if table.pages:
        meta["page"] = table.pages[0]
    return meta


def table_chunks(doc: Document, table: Table) -> list[tuple[str, dict[str, Any]]]:
    out = []
    whole = render_table(doc, table)
    if (len(table.rows) <= SMALL_TABLE_ROWS and len(whole) <= SMALL_TABLE_CHARS) or not table.rows:
        out.append((whole, {**_table_meta(table), "chunk_kind": "table"}))
    for row in table.rows:
        text = row_fact(doc, table, row)
        if text is None:
            continue
        meta = {**_table_meta(table), "chunk_kind": "row", "row": row.index, "row_name": row.name[:200]}
        if row.is_total:
            meta["is_total"] = True
        if row.code:
            meta["code"] = row.code
        if row.page is not None:
            meta["page"] = row.page
        out.append((text, meta))
    return out


_PROJECT_NAME_LABELS = ("项目名称",)
_PROJECT_AMOUNT_LABELS = ("预算数", "资金总额", "年度资金总额", "项目金额", "预算金额", "合计", "金额")
_TITLE_NOISE = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[、.．]|(?:项目)?(?:支出)?绩效目标(?:申报)?表$")


def _project_of_performance_table(table: Table) -> Optional[tuple[str, str]]:
    """(project name, printed budget amount) of a one-project performance table, read from its
    label cells ('项目名称' → next text cell, '预算数' → next number); None when it lists several."""
    name = amount = None
    for row in table.rows:
        cells = [c for c in row.cells if c.text]
        for i, c in enumerate(cells):
            label = _plain(c.text).removeprefix("其中：")
            if name is None and label in _PROJECT_NAME_LABELS:
                nxt = next((x for x in cells[i + 1:] if x.figure is None or x.figure.value is None), None)
                if nxt is not None:
                    name = nxt.text
            if amount is None and label in _PROJECT_AMOUNT_LABELS:
                nxt = next((x for x in cells[i + 1:] if x.figure is not None and x.figure.value is not None), None)
                if nxt is not None:
                    amount = nxt.text
    if name is None:
        name = _TITLE_NOISE.sub("", _TITLE_NOISE.sub("", table.title.strip())).strip() or None
    return (name, amount) if name and amount else None


def project_list_chunk(doc: Document, covered: bool) -> Optional[tuple[str, dict[str, Any]]]:
    """One chunk listing every project with its amount, when the document spreads its projects over
    one performance table each (or its project table was too long to keep whole). It answers
    "有哪些项目" the way a reader would after paging through all the project tables."""
    if covered:
        return None
    perf = [t for t in doc.tables if t.standard_type == TableType.performance_project]
    items = [p for p in (_project_of_performance_table(t) for t in perf) if p]
    unit = next((t.unit for t in perf if t.unit), None)
    source = perf
    if len(items) < 2:
        proj = [t for t in doc.tables if t.standard_type == TableType.project_expenditure and t.rows]
        items, source = [], proj
        for t in proj:
            unit = unit or t.unit
            for r in t.rows:
                fig = next((c for c in r.cells if c.figure is not None and c.figure.value is not None), None)
                if r.name and fig is not None and not r.is_total:
                    items.append((r.name, fig.text))
    if len(items) < 2:
        return None
    unit_text = f"（单位：{unit}）" if unit else ""
    lines = [f"{doc_label(doc)} 项目清单{unit_text}〔项目支出表；项目绩效目标表〕：共{len(items)}个项目"]
    lines += [f"{name} = {amount}" for name, amount in items]
    text = "\n".join(lines)[: SMALL_TABLE_CHARS]
    meta = {"chunk_kind": "table", "table_type": TableType.project_expenditure.value, "table_id": source[0].id,
            "table_title": "项目清单", "derived": "project_list",
            "source_tables": ",".join(t.id for t in source)[:200]}
    if unit:
        meta["unit"] = unit
    if source[0].pages:
        meta["page"] = source[0].pages[0]
    return text, meta


# Basic expenditure by economic classification (政府支出经济分类): 人员经费 is classes 301 工资福利支出 and
# 303 对个人和家庭的补助, 公用经费 is 302 商品和服务支出 and 310 资本性支出 (the 基本支出 tables' own split).
ECONOMIC_GROUPS = {"人员经费": ("301", "303"), "公用经费": ("302", "310")}
_CODE = re.compile(r"^\d{3,7}$")


def _coded_items(row: Row) -> list[tuple[str, str, str]]:
    """(economic code, name, first printed amount) of each column group of a row."""
    def is_code(text: str) -> bool:  # printed whole (30201) or in parts (302 01)
        return bool(_CODE.match(re.sub(r"[\s|]", "", text or "")))

    out = []
    for i, cells in sorted(_side_by_side(row).items()):
        if i == 1 and row.code and _CODE.match(row.code):  # the reader joined the code's parts already
            code, name = row.code, row.name
        else:
            code = next((re.sub(r"[\s|]", "", c.text) for c in cells if c.text and is_code(c.text)), None)
            name = next((c.text for c in cells if c.text and (c.figure is None or c.figure.value is None)
                         and not is_code(c.text) and not _is_code(c)), "")
        amount = next((c for c in cells if c.figure is not None and c.figure.value is not None
                       and not is_code(c.text) and not _is_code(c)), None)
        if code and amount is not None:
            out.append((code, name, amount))
    return out


def economic_group_chunks(doc: Document, table: Table) -> list[tuple[str, dict[str, Any]]]:
    """One chunk per group of the basic expenditure table (人员经费, 公用经费) listing its items that
    spend something: "公用经费主要花在哪里" reads the 302 items, which a long table (or one printed side
    by side) otherwise spreads over many row chunks, none of which names the group."""
    if table.standard_type != TableType.general_basic_expenditure:
        return []
    items = [it for row in table.rows for it in _coded_items(row)]
    out = []
    for group, classes in ECONOMIC_GROUPS.items():
        mine = [(code, name, cell) for code, name, cell in items if code[:3] in classes and cell.figure.value != 0]
        if len(mine) < 2:
            continue
        unit = f"（单位：{table.unit}）" if table.unit else ""
        lines = [f"{doc_label(doc)} {table.title}{unit}〔{group}明细〕："]
        lines += [f"{code} {name} = {cell.text}" for code, name, cell in mine]
        meta = {**_table_meta(table), "chunk_kind": "table", "derived": "economic_group", "group": group}
        out.append(("\n".join(lines)[:SMALL_TABLE_CHARS], meta))
    return out


def chunk_document(doc: Document) -> list[Chunk]:
    """All chunks in reading order: sections first, then tables row by row, then derived lists."""
    base = _base_meta(doc)
    raw: list[tuple[str, dict[str, Any]]] = []
    for section in doc.sections:
        raw.extend(section_chunks(doc, section))
    for table in doc.tables:
        raw.extend(table_chunks(doc, table))
        raw.extend(economic_group_chunks(doc, table))
    covered = any(m.get("chunk_kind") == "table" and m.get("table_type") == TableType.project_expenditure.value
                  and m.get("table_id") for _, m in raw if doc.table(m.get("table_id", "")) is not None
                  and doc.table(m["table_id"]).rows)
    extra = project_list_chunk(doc, covered)
    if extra is not None:
        raw.append(extra)
    chunks = []
    for position, (text, meta) in enumerate(raw):
        full = {**base, **meta, "position": position}
        chunks.append(Chunk(chunk_id(doc.id, position), text, {k: v for k, v in full.items() if v is not None}))
    return chunks
