"""One generation of the catalogue's ready chunks, held in memory for searching.

Built when the set of ready documents changes (the catalogue's generation counter), never per
search: the BM25 index, each chunk's document, table type and chunk kind as arrays over the BM25
positions, and the chunk sets a question type needs (indexing/retrieve.py INTENT_PATTERNS) as
boolean masks. A search then selects its chunks with array operations: a filter or a question type
costs the same at 1,000 documents as at 10, where walking every chunk id in Python cost ~15 ms per
pass at 100 documents and ten times that at 1,000 (bench/index_scale.py, hybrid over all documents).
"""

from __future__ import annotations

import sqlite3
from typing import Optional

import numpy as np

from indexing import catalog
from indexing.bm25 import BM25Index

NONE = np.zeros(0, dtype=np.int64)


class ChunkIndex:
    def __init__(self, conn: sqlite3.Connection, generation: int):
        self.generation = generation
        rows = catalog.ready_chunks(conn)  # (chunk id, doc id, table type, chunk kind, tokens), by document
        self.bm25 = BM25Index([r[0] for r in rows], [r[4] for r in rows])
        self.ready = frozenset(catalog.ready_doc_ids(conn))  # every ready document, for unfiltered searches
        by_doc: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by_doc.setdefault(r[1], []).append(i)
        self.doc_positions = {d: np.array(p, dtype=np.int64) for d, p in by_doc.items()}
        self._table_types, self.table_type = _codes([r[2] for r in rows])
        self._chunk_kinds, self.chunk_kind = _codes([r[3] for r in rows])
        flags = {cid: (bool(share), bool(total)) for cid, _t, _k, share, total in catalog_flags(conn)}
        # The chunks each question type adds a ranked list over (indexing/retrieve.py INTENT_WEIGHTS):
        #  list: whole tables; share: a sentence printing a share, or a table's total row.
        self.intent_masks = {
            "list": self.chunk_kind == self._chunk_kinds.get("table", -1),
            "share": np.array([any(flags.get(r[0], (False, False))) for r in rows], dtype=bool),
        }

    @property
    def ids(self) -> list[str]:
        return self.bm25.ids

    def allowed(self, ready: set[str] | frozenset[str], table_type: Optional[str] = None,
                chunk_kind: Optional[str] = None) -> np.ndarray:
        """Sorted positions of the chunks of `ready` documents, with the table type and chunk kind."""
        parts = [self.doc_positions[d] for d in ready if d in self.doc_positions]
        if not parts:
            return NONE
        if len(parts) == len(self.doc_positions):  # every document: no concatenation and sort
            pos = np.arange(len(self.ids), dtype=np.int64)
        else:
            pos = np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        if table_type:
            pos = pos[self.table_type[pos] == self._table_types.get(table_type, -2)]
        if chunk_kind:
            pos = pos[self.chunk_kind[pos] == self._chunk_kinds.get(chunk_kind, -2)]
        return pos

    def restrict(self, where: Optional[np.ndarray], intent: str) -> np.ndarray:
        """The positions among `where` (None: all) holding what a question type needs."""
        mask = self.intent_masks[intent]
        return np.flatnonzero(mask) if where is None else where[mask[where]]


def _codes(values: list[Optional[str]]) -> tuple[dict[str, int], np.ndarray]:
    """Strings as small integer codes (None → -1), so a filter is one array comparison."""
    table: dict[str, int] = {}
    codes = np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int32)
    return table, codes


def catalog_flags(conn: sqlite3.Connection):
    """(chunk id, table type, chunk kind, has_share, is_total) of every chunk of a ready document."""
    return conn.execute(
        "SELECT c.chunk_id, json_extract(c.metadata, '$.table_type'), json_extract(c.metadata, '$.chunk_kind'),"
        " coalesce(json_extract(c.metadata, '$.has_share'), 0), coalesce(json_extract(c.metadata, '$.is_total'), 0)"
        " FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status='ready'"
    ).fetchall()
