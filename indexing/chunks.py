"""A `Document` → retrievable chunks, each one readable on its own.

Retrieval sees chunks without the document around them, so every chunk repeats who and when
(department, year) and where (heading path, or table title and unit). The kinds, by module:
- "section" (indexing/chunk_sections.py): narrative text under its heading path, split at sentence
  ends into ~300–500 chars;
- "row", "table", "note" (indexing/chunk_tables.py): one table row as a fact sentence; a small table
  whole (also empty tables with their 空表说明), for "list" questions; the notes under a table too big
  to keep whole;
- derived "table" lists (indexing/chunk_lists.py): every project with its amount, the 人员经费 /
  公用经费 items of the basic expenditure table.
Chunk ids are `<doc id>:<position>`: deterministic, so re-ingesting overwrites, never duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexing.chunk_lists import economic_group_chunks, project_list_chunk
from indexing.chunk_sections import doc_label, section_chunks, split_sentences, split_text  # noqa: F401 (API)
from indexing.chunk_tables import render_table, row_fact, table_chunks  # noqa: F401 (API)
from indexing.model import Document, TableType

__all__ = ["Chunk", "chunk_document", "chunk_id", "doc_label", "render_table", "row_fact", "split_sentences",
           "split_text"]


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
