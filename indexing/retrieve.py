"""Hybrid retrieval: BM25 (jieba) + dense (Chroma) fused by reciprocal-rank fusion.

Filters: department (substring), year, kind, document id(s) are resolved to a set of *ready*
document ids in SQLite first, so a half-indexed document can never appear; table type and chunk
kind filter chunks. Each retriever ranks `depth` candidates; RRF adds 1/(60 + rank) per list
(Cormack et al. 2009), which needs no score calibration between BM25 and cosine.
Modes "dense" and "bm25" return one retriever's ranking alone, for comparison.

What a search costs does not grow with a Python walk over the index: the chunks it may return and
the chunks a question type adds a list over are selected by array operations over one generation's
chunk index (indexing/chunk_index.py), the query is scored by BM25 once and the intent lists slice
those scores, and a search scoped to a few documents scores only their rows (indexing/bm25.py) and
ranks their cached vectors exactly (indexing/doc_vectors.py).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

import numpy as np

from indexing import catalog
from indexing.bm25 import BM25Index
from indexing.chunk_index import ChunkIndex
from indexing.doc_vectors import DocVectors
from indexing.stores import VectorStore

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60
# Per-retriever RRF weights. BM25 counts double: m3e-small is modest on this domain (the stack notes'
# probe and the acceptance run both show dense-only well below BM25-only), but it still rescues
# paraphrased questions that share no words with the text.
WEIGHTS = {"bm25": 1.0, "dense": 0.5}
# Up to this many allowed chunks (a few documents), dense search ranks them exactly from their stored
# vectors instead of a filtered HNSW walk: faster at this size, and never short (stores.search_among).
EXACT_DENSE_MAX = 600
MAX_ROWS_PER_TABLE = 2  # a 40-row table whose header repeats the query words must not fill the top k
# Question types that change *what kind of chunk* holds the answer. Each adds one more ranked list to
# the fusion: the same retrievers, restricted to the chunks that type needs (weights below).
#  list  ("有哪些项目", "各多少", "分别"): a whole table (project tables, the derived project list);
#  share ("占…比例/比重"): a narrative sentence printing "占 x%", or a table's total row next to the part.
INTENT_PATTERNS = {
    "list": re.compile(r"哪些|哪几|列出|列举|清单|明细"),
    "share": re.compile(r"占.{0,12}(?:比例|比重|多少|百分|几成)|比例|比重|百分之|占比"),
}
INTENT_WEIGHTS = {"list": 1.0, "share": 0.75}
# A question about two things needs both figures: "A占B的比重" (the part and the whole), "A和B分别…".
# Each part becomes a sub-query with a BM25 list of its own in the fusion.
_SHARE_PARTS = re.compile(r"^(?P<part>.+?)(?:在|的)?占(?P<whole>.+?)的?(?:比例|比重|百分比|多少|几成|百分之)")
_BOTH_PARTS = re.compile(r"^(?P<a>.+?)(?:和|与|及|以及)(?P<b>.+?)(?:分别|各)")
SUB_QUERY_WEIGHT = 0.5
Intent = Literal["auto", "none", "list", "share"]
# Asking words carry no content for the dense model; BM25 drops them as stop words already.
_ASKING = re.compile(r"^(?:请问|请|想问一下|想知道|问一下)|(?:是多少|有多少|多少钱|是什么|吗|呢|么)?[？?。！!\s]*$")


def detect_intents(query: str) -> set[str]:
    return {name for name, rx in INTENT_PATTERNS.items() if rx.search(query or "")}


def _weight(ranking: str) -> float:
    return SUB_QUERY_WEIGHT if ranking.startswith("part_") else WEIGHTS.get(ranking, 1.0)


def sub_queries(query: str) -> list[str]:
    """The two things a question compares or lists together; [] for a question about one thing."""
    q = normalise_query(query)
    for rx in (_SHARE_PARTS, _BOTH_PARTS):
        m = rx.search(q)
        if m:
            parts = [p.strip("，,、 ") for p in m.groups()]
            return [p for p in parts if len(p) >= 2]
    return []


def normalise_query(query: str) -> str:
    """'请问…是多少？' → '…' (for the dense model); never returns an empty string."""
    q = (query or "").strip()
    out = _ASKING.sub("", _ASKING.sub("", q)).strip()
    return out or q


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


class Stages:
    """Wall-clock milliseconds between marks: where a search spends its time."""

    def __init__(self):
        self.ms: dict[str, float] = {}
        self._t = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.ms[name] = round((now - self._t) * 1000, 3)
        self._t = now


class Retriever:
    def __init__(self, conn: sqlite3.Connection, vectors: VectorStore):
        self.conn = conn
        self.vectors = vectors
        self._lock = threading.Lock()
        self._chunks: Optional[ChunkIndex] = None
        self._doc_vectors = DocVectors(vectors)
        self._last = threading.local()

    # The chunk index (BM25 and the chunks' arrays) is rebuilt from SQLite whenever the set of ready
    # documents changed (generation counter).
    def stale(self) -> bool:
        """Would the next search rebuild BM25 first (seconds at a thousand documents)?"""
        with self._lock:
            return self._chunks is None or catalog.generation(self.conn) != self._chunks.generation

    def chunk_index(self) -> ChunkIndex:
        with self._lock:
            gen = catalog.generation(self.conn)
            if self._chunks is None or gen != self._chunks.generation:
                self._chunks = ChunkIndex(self.conn, gen)
                self._doc_vectors = DocVectors(self.vectors)
            return self._chunks

    def bm25(self) -> BM25Index:
        return self.chunk_index().bm25

    def search(self, query: str, k: int = 5, filters: Optional[Filters] = None, mode: Mode = "hybrid",
               depth: Optional[int] = None, intent: Intent | str | set = "auto") -> list[Hit]:
        """`intent`: "auto" (detected from the question), "none", or a question type ("list",
        "share") from a caller that knows better. Only the hybrid mode uses it; "dense" and "bm25"
        stay single-retriever baselines."""
        filters = filters or Filters()
        depth = depth or max(50, k * 5)
        clock = Stages()
        chunks = self.chunk_index()
        ready = set(catalog.ready_doc_ids(
            self.conn, doc_id=filters.doc_id, department=filters.department, year=filters.year, kind=filters.kind
        )) if filters.has_document_filter else chunks.ready
        if not ready:
            return []
        allowed = self._allowed_chunks(chunks, filters, ready)
        clock.mark("select")
        ranked: dict[str, list[tuple[str, float]]] = {}
        bm25 = chunks.bm25
        if mode in ("hybrid", "bm25"):
            scored = bm25.scores(query, allowed)  # scored once: the intent lists slice it
            ranked["bm25"] = bm25.top(*scored, depth)
            clock.mark("bm25")
        if mode in ("hybrid", "dense"):
            vector = self.vectors.embeddings.embed_query(normalise_query(query))
            clock.mark("embed")
            ranked["dense"] = self._dense_search(vector, depth, filters, ready, chunks, allowed)
            clock.mark("dense")
        if mode == "hybrid":
            intents = detect_intents(query) if intent == "auto" else (
                set() if intent in (None, "none") else ({intent} if isinstance(intent, str) else set(intent)))
            for name in sorted(intents & set(INTENT_WEIGHTS)):
                where, values = scored
                keep = chunks.intent_masks[name][where]
                ranked[f"intent_{name}"] = bm25.top(where[keep], values[keep], depth)
            for i, part in enumerate(sub_queries(query)):
                ranked[f"part_{i}"] = bm25.top(*bm25.scores(part, allowed), depth)
            clock.mark("intents_parts")
        hits = self._fuse(ranked, k)
        clock.mark("fuse")
        self._last.stages = clock.ms
        return hits

    @property
    def last_stages(self) -> dict[str, float]:
        """Milliseconds per stage of this thread's last search (bench/index_scale.py prints them)."""
        return dict(getattr(self._last, "stages", {}))

    def drop_cached_vectors(self) -> None:
        """Forget the documents' vectors kept for exact dense search (a benchmark's cold start)."""
        self._doc_vectors = DocVectors(self.vectors)

    @staticmethod
    def _allowed_chunks(chunks: ChunkIndex, filters: Filters, ready: set[str] | frozenset[str]
                        ) -> Optional[np.ndarray]:
        """The positions of the chunks a search may return (ready documents, table-type and
        chunk-kind filters), or None when that is every chunk of the index. Computed once per
        search, for every retriever, with array operations (ChunkIndex)."""
        if not (filters.has_document_filter or filters.table_type or filters.chunk_kind
                or len(ready) < len(chunks.doc_positions)):
            return None
        return chunks.allowed(ready, filters.table_type, filters.chunk_kind)

    def _dense_search(self, vector: list[float], depth: int, filters: Filters, ready: set[str] | frozenset[str],
                      chunks: ChunkIndex, allowed: Optional[np.ndarray]) -> list[tuple[str, float]]:
        if allowed is not None and len(allowed) <= EXACT_DENSE_MAX:
            ids = [chunks.ids[i] for i in allowed]
            docs = {cid.split(":")[0] for cid in ids}
            return self._doc_vectors.search_among(
                vector, ids, depth, {d: [chunks.ids[i] for i in chunks.doc_positions[d]] for d in docs})
        where: dict[str, Any] = {"table_type": filters.table_type, "chunk_kind": filters.chunk_kind}
        if filters.has_document_filter:
            where["doc_id"] = sorted(ready)
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
                hit.fused += _weight(name) / (RRF_K + rank)
        # Ties (same fused score) break by chunk id so results are reproducible.
        ordered = sorted(fused.values(), key=lambda h: (-h.fused, h.chunk_id))
        stored = catalog.get_chunks(self.conn, [h.chunk_id for h in ordered[: k * 8]])
        ordered = dedupe(ordered[: k * 8], stored) + ordered[k * 8:]
        top = diversify(ordered, stored, k)
        out = []
        for h in top:
            if h.chunk_id not in stored:  # deleted between ranking and loading
                continue
            h.text, h.metadata = stored[h.chunk_id]
            h.fused = round(h.fused, 6)
            out.append(h)
        return out


_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _body(text: str) -> str:
    """A chunk's content without its who/when/where head (first line, or text before ': ')."""
    head, sep, rest = text.partition("\n") if "\n" in text.split(": ", 1)[0] else text.partition(": ")
    return _NOISE.sub("", rest if sep else text)


def dedupe(ordered: list[Hit], stored: dict[str, tuple[str, dict[str, Any]]]) -> list[Hit]:
    """Drop a hit whose content repeats a better-ranked hit of the same document (rows printed twice
    across a page break, a header row repeated on every page)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for h in ordered:
        text, meta = stored.get(h.chunk_id, ("", {}))
        key = (meta.get("doc_id", ""), meta.get("table_type") or meta.get("chunk_kind", ""), _body(text))
        if text and key[2] and key in seen:
            continue
        seen.add(key)
        out.append(h)
    return out


_FIGURE = re.compile(r"\d[\d,]*\.\d+|\d[\d,]{3,}")


def _restated_total(text: str, meta: dict[str, Any], shown: dict[str, set]) -> bool:
    """A total row whose figures better-ranked total rows of the same document already show: the
    same whole restated in 收支总表, 财政拨款收支总表 and the function table ("合计 = 4981.72" three
    times) says nothing new, and five of them filled the top k of a share question, leaving out the
    part. Zeros are no figures here (an empty table's total). Records the figures of those it keeps."""
    if not meta.get("is_total"):
        return False
    figures = {f.replace(",", "") for f in _FIGURE.findall(text.partition(": ")[2])}
    figures = {f for f in figures if float(f) != 0}
    seen = shown.setdefault(meta.get("doc_id", ""), set())
    if figures and figures <= seen:
        return True
    seen |= figures
    return False


def diversify(ordered: list[Hit], stored: dict[str, tuple[str, dict[str, Any]]], k: int) -> list[Hit]:
    """Keep the ranking but allow at most MAX_ROWS_PER_TABLE row chunks of one table in the top k
    (every row repeats the table's header words, so one table otherwise crowds out the narrative
    sentence and the whole-table chunk), and no total row restating totals already chosen
    (`_restated_total`); the rows passed over fill up the list if it runs short."""
    chosen, overflow, per_table, totals = [], [], {}, {}
    for h in ordered:
        text, meta = stored.get(h.chunk_id, ("", {}))
        if meta.get("chunk_kind") == "row":
            key = (meta.get("doc_id"), meta.get("table_id"))
            per_table[key] = per_table.get(key, 0) + 1
            if per_table[key] > MAX_ROWS_PER_TABLE or _restated_total(text, meta, totals):
                overflow.append(h)
                continue
        chosen.append(h)
        if len(chosen) == k:
            return chosen
    return (chosen + overflow)[:k]
