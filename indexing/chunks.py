"""A `Document` → retrievable chunks, each one readable on its own.

Retrieval sees chunks without the document around them, so every chunk repeats who and when
(department, year) and where (heading path, or table title and unit). Three kinds:
- "section": narrative text under its heading path, split at sentence ends into ~300–500 chars;
- "row": one table row as a fact sentence: dept year title（单位）: code name / column = value; …;
- "table": a small table whole (also empty tables with their 空表说明), for "list" questions.
Chunk ids are `<doc id>:<position>`: deterministic, so re-ingesting overwrites, never duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from indexing.model import Document, Row, Section, Table
from indexing.read.sections import page_at

TARGET_CHARS = 400  # aim for chunks of 300–500 characters of body text
MAX_CHARS = 500
MIN_CHARS = 300
SMALL_TABLE_ROWS = 30  # whole-table chunk only for tables this small...
SMALL_TABLE_CHARS = 1500  # ...whose rendering stays this short (the model reads ~512 tokens)

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
        page = page_at(section, offset)
        if page is not None:
            meta["page"] = page
        out.append((f"{head}\n{piece}", meta))
    return out


def table_head(doc: Document, table: Table) -> str:
    unit = f"（单位：{table.unit}）" if table.unit else ""
    return f"{doc_label(doc)} {table.title}{unit}"


def _code_cols(table: Table, row: Row) -> set[str]:
    """Columns whose text is the printed code (so it is not repeated as 'column = value')."""
    if not row.code_raw:
        return set()
    parts = set(row.code_raw.split(" | "))
    return {c.column for c in row.cells if c.text and c.text in parts and c.figure is None}


def row_fact(doc: Document, table: Table, row: Row) -> Optional[str]:
    """'dept year title（单位：元）: 204 06 01 行政运行 / 基本支出 = 14,348,853.34；项目支出 = …'."""
    skip = _code_cols(table, row)
    label = " ".join(x for x in (row.code_raw.replace(" | ", " ") if row.code_raw else "", row.name) if x)
    facts = []
    for cell in row.cells:
        if not cell.text or cell.column in skip or cell.text == row.name:
            continue
        if cell.column.split("/")[-1] in ("序号", "栏次"):
            continue
        facts.append(f"{cell.column} = {cell.text}")
    if not facts and not label:
        return None
    body = f"{label} / " + "；".join(facts) if facts else label
    return f"{table_head(doc, table)}: {body}"


def render_table(doc: Document, table: Table) -> str:
    lines = [table_head(doc, table)]
    if table.columns:
        lines.append(" | ".join(table.columns))
    for row in table.rows:
        texts = [c.text for c in row.cells]
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
        if row.code:
            meta["code"] = row.code
        if row.page is not None:
            meta["page"] = row.page
        out.append((text, meta))
    return out


def chunk_document(doc: Document) -> list[Chunk]:
    """All chunks in reading order: sections first, then tables row by row."""
    base = _base_meta(doc)
    raw: list[tuple[str, dict[str, Any]]] = []
    for section in doc.sections:
        raw.extend(section_chunks(doc, section))
    for table in doc.tables:
        raw.extend(table_chunks(doc, table))
    chunks = []
    for position, (text, meta) in enumerate(raw):
        full = {**base, **meta, "position": position}
        chunks.append(Chunk(chunk_id(doc.id, position), text, {k: v for k, v in full.items() if v is not None}))
    return chunks
