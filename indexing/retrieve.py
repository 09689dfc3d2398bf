"""Hybrid retrieval: BM25 (jieba) + dense (Chroma) fused by reciprocal-rank fusion.

Filters: department (substring), year, kind, document id(s) are resolved to a set of *ready*
document ids in SQLite first, so a half-indexed document can never appear; table type and chunk
kind filter chunks. Each retriever ranks `depth` candidates; RRF adds 1/(60 + rank) per list
(Cormack et al. 2009), which needs no score calibration between BM25 and cosine.
Modes "dense" and "bm25" return one retriever's ranking alone, for comparison.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from indexing import catalog
from indexing.bm25 import BM25Index
from indexing.stores import VectorStore

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60
# Per-retriever RRF weights. BM25 counts double: m3e-small is modest on this domain (the stack notes'
# probe and the acceptance run both show dense-only well below BM25-only), but it still rescues
# paraphrased questions that share no words with the text.
WEIGHTS = {"bm25": 1.0, "dense": 0.5}
MAX_ROWS_PER_TABLE = 2  # a 40-row table whose header repeats the query words must not fill the top k


@dataclass
class Filters:
    department: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None
    doc_id: Optional[str | list[str]] = None
    table_type: Optional[str] = None
    chunk_kind: Optional[str] = None  # section | row | table

    @property
    def has_document_filter(self) -> bool:
        return any(v is not None for v in (self.department, self.year, self.kind, self.doc_id))


@dataclass
class Hit:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    scores: dict[str, float] = field(default_factory=dict)  # raw score per retriever (bm25, cosine)
    ranks: dict[str, int] = field(default_factory=dict)  # 1-based rank per retriever
    fused: float = 0.0

    @property
    def doc_id(self) -> str:
        return self.metadata.get("doc_id", "")

    def to_dict(self) -> dict[str, Any]:
        return {"chunk_id": self.chunk_id, "text": self.text, "metadata": self.metadata,
                "scores": self.scores, "ranks": self.ranks, "fused": self.fused}


class Retriever:
    def __init__(self, conn: sqlite3.Connection, vectors: VectorStore):
        self.conn = conn
        self.vectors = vectors
        self._lock = threading.Lock()
        self._bm25: Optional[BM25Index] = None
        self._bm25_gen = -1
        self._doc_chunks: dict[str, list[str]] = {}
        self._chunk_type: dict[str, tuple[Optional[str], Optional[str]]] = {}  # (table type, chunk kind)

    # BM25 is rebuilt from SQLite whenever the set of ready documents changed (generation counter).
    def bm25(self) -> BM25Index:
        with self._lock:
            gen = catalog.generation(self.conn)
            if self._bm25 is None or gen != self._bm25_gen:
                rows = catalog.ready_chunks(self.conn)
                self._bm25 = BM25Index([r[0] for r in rows], [r[4] for r in rows])
                self._doc_chunks = {}
                for r in rows:
                    self._doc_chunks.setdefault(r[1], []).append(r[0])
                self._chunk_type = {r[0]: (r[2], r[3]) for r in rows}
                self._bm25_gen = gen
            return self._bm25

    def search(self, query: str, k: int = 5, filters: Optional[Filters] = None, mode: Mode = "hybrid",
               depth: Optional[int] = None) -> list[Hit]:
        filters = filters or Filters()
        depth = depth or max(50, k * 5)
        ready = set(catalog.ready_doc_ids(
            self.conn, doc_id=filters.doc_id, department=filters.department, year=filters.year, kind=filters.kind
        ))
        if not ready:
            return []
        ranked: dict[str, list[tuple[str, float]]] = {}
        if mode in ("hybrid", "bm25"):
            ranked["bm25"] = self._bm25_search(query, depth, filters, ready)
        if mode in ("hybrid", "dense"):
            ranked["dense"] = self._dense_search(query, depth, filters, ready)
        return self._fuse(ranked, k)

    def _bm25_search(self, query: str, depth: int, filters: Filters, ready: set[str]) -> list[tuple[str, float]]:
        index = self.bm25()
        allowed = None
        if filters.has_document_filter or filters.table_type or filters.chunk_kind or len(ready) < len(self._doc_chunks):
            allowed = [
                cid for d in ready for cid in self._doc_chunks.get(d, ())
                if (not filters.table_type or self._chunk_type[cid][0] == filters.table_type)
                and (not filters.chunk_kind or self._chunk_type[cid][1] == filters.chunk_kind)
            ]
        return index.search(query, depth, allowed)

    def _dense_search(self, query: str, depth: int, filters: Filters, ready: set[str]) -> list[tuple[str, float]]:
        where: dict[str, Any] = {"table_type": filters.table_type, "chunk_kind": filters.chunk_kind}
        if filters.has_document_filter:
            where["doc_id"] = sorted(ready)
        vector = self.vectors.embeddings.embed_query(query)
        # Without a document filter, over-fetch and drop chunks of documents that are not ready.
        fetch = depth if filters.has_document_filter else depth * 2
        hits = self.vectors.search(vector, fetch, where)
        return [(cid, s) for cid, s in hits if cid.split(":")[0] in ready][:depth]

    def _fuse(self, ranked: dict[str, list[tuple[str, float]]], k: int) -> list[Hit]:
        fused: dict[str, Hit] = {}
        for name, results in ranked.items():
            for rank, (cid, score) in enumerate(results, start=1):
                hit = fused.setdefault(cid, Hit(cid, "", {}))
                hit.scores[name] = round(score, 6)
                hit.ranks[name] = rank
                hit.fused += WEIGHTS.get(name, 1.0) / (RRF_K + rank)
        # Ties (same fused score) break by chunk id so results are reproducible.
        ordered = sorted(fused.values(), key=lambda h: (-h.fused, h.chunk_id))
        stored = catalog.get_chunks(self.conn, [h.chunk_id for h in ordered[: k * 6]])
        top = diversify(ordered, stored, k)
        out = []
        for h in top:
            if h.chunk_id not in stored:  # deleted between ranking and loading
                continue
            h.text, h.metadata = stored[h.chunk_id]
            h.fused = round(h.fused, 6)
            out.append(h)
        return out


def diversify(ordered: list[Hit], stored: dict[str, tuple[str, dict[str, Any]]], k: int) -> list[Hit]:
    """Keep the ranking but allow at most MAX_ROWS_PER_TABLE row chunks of one table in the top k
    (every row repeats the table's header words, so one table otherwise crowds out the narrative
    sentence and the whole-table chunk); the rows passed over fill up the list if it runs short."""
    chosen, overflow, per_table = [], [], {}
    for h in ordered:
        meta = stored.get(h.chunk_id, ("", {}))[1]
        if meta.get("chunk_kind") == "row":
            key = (meta.get("doc_id"), meta.get("table_id"))
            per_table[key] = per_table.get(key, 0) + 1
            if per_table[key] > MAX_ROWS_PER_TABLE:
                overflow.append(h)
                continue
        chosen.append(h)
        if len(chosen) == k:
            return chosen
    return (chosen + overflow)[:k]
