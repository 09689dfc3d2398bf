"""Table chunks: a table row as a fact sentence, a small table whole, and a big table's notes.

Every chunk repeats the document (`doc_label`), the table's printed title, its unit and its standard
type's other names (`table_kind_label`), because retrieval reads it without the table around it:
- "row": 'dept year title（单位）: code name / column = value；…' (a table printed side by side
  states each group's fact in turn);
- "table": the whole table, header and rows, with its notes and its 空表说明 (empty tables too), when
  it stays short enough for the model (SMALL_TABLE_ROWS, SMALL_TABLE_CHARS);
- "note": the notes printed under a table too big to keep whole ("注：本表反映…", "备注：涉密项目按要求
  不予公开。"), which no row holds: without it a big table's notes are in no chunk at all.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from indexing.chunk_sections import doc_label, split_text
from indexing.model import Document, Row, Table, TableType

SMALL_TABLE_ROWS = 30  # whole-table chunk only for tables this small...
SMALL_TABLE_CHARS = 1500  # ...whose rendering stays this short (the model reads ~512 tokens)


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
            facts.append(_fact(_GROUP.sub('', cell.column), cell.text))
        else:
            names.append(cell.text)
    if not facts and not names:
        return None
    label = " ".join(names)
    return f"{label} / " + "；".join(facts) if facts else label


def header_words(column: str) -> str:
    """A column's header as chunks write it. 项目 alone as a header, or as a part of one (项目/功能分类
    科目名称, 本年支出/项目), heads the column of row labels: it means "item", as in every 收支总表, 三公
    and 功能分类 table, not "project". Written into every such table's chunks it would answer each
    question about 项目 (有哪些项目) with every table; the row labels it heads are written anyway."""
    return "/".join(p for p in column.split("/") if p.strip() != "项目")


def _fact(column: str, text: str) -> str:
    header = header_words(column)
    return f"{header} = {text}" if header else text


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
        facts.append(_fact(cell.column, cell.text))
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
        lines.append(" | ".join(header_words(table.columns[i]) for i in used if i < len(table.columns)))
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
    else:
        out.extend(note_chunks(doc, table))
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


def note_chunks(doc: Document, table: Table) -> list[tuple[str, dict[str, Any]]]:
    """The notes printed under a table that is not kept whole, under the table's head: a row chunk
    holds one row and no note, so without this a big table's "注：…" is in no chunk. Notes that say
    nothing ("注：无。") are left out. Split like narrative text when they run long."""
    notes = [n.strip() for n in table.notes if _NOTE_LABEL.sub("", n or "") not in ("", "无", "略")]
    if not notes:
        return []
    meta = {**_table_meta(table), "chunk_kind": "note"}
    head = f"{table_head(doc, table)}〔表注〕"
    return [(f"{head}\n{piece}", {**meta, "offset": offset}) for offset, piece in split_text("\n".join(notes))]


# a note's label and end punctuation: what is left says something, or is empty, 无 or 略
_NOTE_LABEL = re.compile(r"^[\s（(]*(?:备注|附注|注|说明)?\s*\d*[：:.、）)]?\s*|[。.；;\s]+$")
