"""Hybrid retrieval: BM25 (jieba) + dense (Chroma) fused by reciprocal-rank fusion.

Filters: department (substring), year, kind, document id(s) are resolved to a set of *ready*
document ids in SQLite first, so a half-indexed document can never appear; table type and chunk
kind filter chunks. Each retriever ranks `depth` candidates; RRF adds 1/(60 + rank) per list
(Cormack et al. 2009), which needs no score calibration between BM25 and cosine.
Modes "dense" and "bm25" return one retriever's ranking alone, for comparison.
"""

from __future__ import annotations

import re
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


class Retriever:
    def __init__(self, conn: sqlite3.Connection, vectors: VectorStore):
        self.conn = conn
        self.vectors = vectors
        self._lock = threading.Lock()
        self._bm25: Optional[BM25Index] = None
        self._bm25_gen = -1
        self._doc_chunks: dict[str, list[str]] = {}
        self._chunk_type: dict[str, tuple[Optional[str], Optional[str]]] = {}  # (table type, chunk kind)
        self._chunk_flags: dict[str, tuple] = {}  # (table type, chunk kind, has_share, is_total)

    # BM25 is rebuilt from SQLite whenever the set of ready documents changed (generation counter).
    def stale(self) -> bool:
        """Would the next search rebuild BM25 first (seconds at a thousand documents)?"""
        with self._lock:
            return self._bm25 is None or catalog.generation(self.conn) != self._bm25_gen

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
                self._chunk_flags = {cid: (t, kind, share, total)
                                     for cid, t, kind, share, total in catalog_flags(self.conn)}
                self._bm25_gen = gen
            return self._bm25

    def search(self, query: str, k: int = 5, filters: Optional[Filters] = None, mode: Mode = "hybrid",
               depth: Optional[int] = None, intent: Intent | str | set = "auto") -> list[Hit]:
        """`intent`: "auto" (detected from the question), "none", or a question type ("list",
        "share") from a caller that knows better. Only the hybrid mode uses it; "dense" and "bm25"
        stay single-retriever baselines."""
        filters = filters or Filters()
        depth = depth or max(50, k * 5)
        ready = set(catalog.ready_doc_ids(
            self.conn, doc_id=filters.doc_id, department=filters.department, year=filters.year, kind=filters.kind
        ))
        if not ready:
            return []
        allowed = self._allowed_chunks(filters, ready)
        ranked: dict[str, list[tuple[str, float]]] = {}
        if mode in ("hybrid", "bm25"):
            ranked["bm25"] = self.bm25().search(query, depth, allowed)
        if mode in ("hybrid", "dense"):
            ranked["dense"] = self._dense_search(query, depth, filters, ready, allowed)
        if mode == "hybrid":
            intents = detect_intents(query) if intent == "auto" else (
                set() if intent in (None, "none") else ({intent} if isinstance(intent, str) else set(intent)))
            for name in sorted(intents & set(INTENT_WEIGHTS)):
                ranked[f"intent_{name}"] = self._intent_search(name, query, depth, allowed)
            for i, part in enumerate(sub_queries(query)):
                ranked[f"part_{i}"] = self.bm25().search(part, depth, allowed)
        return self._fuse(ranked, k)

    def _allowed_chunks(self, filters: Filters, ready: set[str]) -> Optional[list[str]]:
        """The chunk ids a search may return (ready documents, table-type and chunk-kind filters), or
        None when that is every chunk of the index. Computed once per search, for every retriever."""
        self.bm25()  # loads the chunk lists of the current generation
        if not (filters.has_document_filter or filters.table_type or filters.chunk_kind
                or len(ready) < len(self._doc_chunks)):
            return None
        return [
            cid for d in ready for cid in self._doc_chunks.get(d, ())
            if (not filters.table_type or self._chunk_type[cid][0] == filters.table_type)
            and (not filters.chunk_kind or self._chunk_type[cid][1] == filters.chunk_kind)
        ]

    def _intent_search(self, intent: str, query: str, depth: int,
                       allowed: Optional[list[str]]) -> list[tuple[str, float]]:
        """BM25 restricted to the chunks a question type needs, among the allowed ones."""
        index = self.bm25()
        keep = {
            "list": lambda m: m[1] == "table",
            "share": lambda m: m[2] or m[3],  # has_share sentence or a total row
        }[intent]
        chosen = [cid for cid in (index.ids if allowed is None else allowed)
                  if keep(self._chunk_flags.get(cid, (None, None, False, False)))]
        return index.search(query, depth, chosen) if chosen else []

    def _dense_search(self, query: str, depth: int, filters: Filters, ready: set[str],
                      allowed: Optional[list[str]]) -> list[tuple[str, float]]:
        vector = self.vectors.embeddings.embed_query(normalise_query(query))
        if allowed is not None and len(allowed) <= EXACT_DENSE_MAX:
            return self.vectors.search_among(vector, allowed, depth)
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


def catalog_flags(conn: sqlite3.Connection):
    """(chunk id, table type, chunk kind, has_share, is_total) of every chunk of a ready document."""
    return conn.execute(
        "SELECT c.chunk_id, json_extract(c.metadata, '$.table_type'), json_extract(c.metadata, '$.chunk_kind'),"
        " coalesce(json_extract(c.metadata, '$.has_share'), 0), coalesce(json_extract(c.metadata, '$.is_total'), 0)"
        " FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status='ready'"
    ).fetchall()


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
