"""The stored vectors of recently searched documents, kept in memory for exact dense search.

A search scoped to a few documents ranks their chunks exactly from the stored vectors
(indexing/retrieve.py EXACT_DENSE_MAX) instead of a filtered HNSW walk. Fetching them from Chroma
costs a few milliseconds a search (more on a Chroma server), and portals ask about the same
documents again and again, so each document's vectors are fetched once and kept, least recently
used first out. A document's vectors never change while its id stays (the id is its content hash
and one index has one model), but the cache is dropped with its generation anyway (ChunkIndex).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

from indexing.stores import VectorStore

MAX_DOCUMENTS = 512  # ~30–100 vectors of 512 floats each: at most ~100 MB


class DocVectors:
    def __init__(self, vectors: VectorStore, max_documents: int = MAX_DOCUMENTS):
        self.vectors = vectors
        self.max_documents = max_documents
        self._docs: "OrderedDict[str, tuple[dict[str, int], np.ndarray]]" = OrderedDict()
        self._lock = threading.Lock()

    def search_among(self, vector: Sequence[float], ids: Sequence[str], k: int,
                     doc_chunks: dict[str, list[str]]) -> list[tuple[str, float]]:
        """Exact cosine ranking of `ids` (chunks of the documents in `doc_chunks`: doc id → every
        chunk id of that document), as VectorStore.search_among ranks them: ties by chunk id."""
        if k <= 0 or not ids:
            return []
        rows, names, mats = [], [], []
        wanted = set(ids)
        for doc_id, chunk_ids in doc_chunks.items():
            pos, matrix = self._document(doc_id, chunk_ids)
            picked = [(cid, i) for cid, i in pos.items() if cid in wanted]
            if picked:
                names += [cid for cid, _ in picked]
                rows.append(np.fromiter((i for _, i in picked), dtype=np.int64, count=len(picked)))
                mats.append(matrix)
        if not names:
            return []
        matrix = np.concatenate([m[r] for m, r in zip(mats, rows)]) if len(mats) > 1 else mats[0][rows[0]]
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
        scores = matrix @ query / np.where(norms > 0, norms, 1.0)
        order = np.lexsort((np.array(names), -scores))[:k]
        return [(names[i], float(scores[i])) for i in order]

    def _document(self, doc_id: str, chunk_ids: list[str]) -> tuple[dict[str, int], np.ndarray]:
        with self._lock:
            if doc_id in self._docs:
                self._docs.move_to_end(doc_id)
                return self._docs[doc_id]
        got = self.vectors.collection.get(ids=list(chunk_ids), include=["embeddings"])
        found = got["ids"] or []
        matrix = np.asarray(got["embeddings"], dtype=np.float32) if found else np.zeros((0, 0), dtype=np.float32)
        entry = ({cid: i for i, cid in enumerate(found)}, matrix)
        with self._lock:
            self._docs[doc_id] = entry
            while len(self._docs) > self.max_documents:
                self._docs.popitem(last=False)
        return entry
