"""The vector store: Chroma through langchain-chroma, embedded on disk or a Chroma server.

Embedded (`PersistentClient` under data/chroma) is the default; a server (`chroma run`) is the
scale path and is selected by settings (BUDGETQA_CHROMA_URL / _HOST / _PORT). The embedding
function is always ours: Chroma's default one downloads an ONNX model and fails offline.
The collection uses cosine distance (our vectors are unit length).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from indexing.chunks import Chunk
from indexing.settings import Settings

_SCALARS = (str, int, float, bool)
# Chunk kinds that get a vector. A table row ("row") is one line of a table with its headers: its
# words are the table's header words and its row name, which BM25 matches exactly, and its figures
# are served exactly by the figures store; the whole-table chunk ("table") carries the same words
# for the dense model. Rows are ~2/3 of a disclosure's chunks (bench/embed_backends.py), so not
# embedding them cuts the model's work by that much; the retrieval evaluation
# (bench/embed_subset.py) shows R@5 holds. BM25 and the catalogue still hold every chunk.
NOT_EMBEDDED = frozenset({"row"})


def embedded(chunk: Chunk) -> bool:
    """Whether dense retrieval indexes this chunk (the others are found by BM25 and the fusion)."""
    return chunk.metadata.get("chunk_kind") not in NOT_EMBEDDED


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def chroma_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma takes only scalar, non-None metadata values."""
    return {k: v for k, v in meta.items() if v is not None and isinstance(v, _SCALARS)}


def where_clause(filters: dict[str, Any]) -> Optional[dict[str, Any]]:
    """{'department': 'X', 'year': 2025, 'doc_id': [a, b]} → a Chroma `where` ($and / $in)."""
    parts = []
    for key, value in filters.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            values = list(value)
            parts.append({key: {"$in": values}} if len(values) != 1 else {key: values[0]})
        else:
            parts.append({key: value})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def embed_texts(embeddings: Embeddings, cache, texts: list[str]) -> list[list[float]]:
    """Vectors of `texts`, through the on-disk cache when there is one (indexing/embed_cache.py)."""
    if cache is None or not getattr(embeddings, "fingerprint", None):
        return embeddings.embed_documents(texts) if texts else []
    return cache.embed(embeddings.fingerprint, texts, embeddings.embed_documents)


class VectorStore:
    def __init__(self, client, embeddings: Embeddings, collection: str, cache_path: Optional[Path] = None):
        from langchain_chroma import Chroma

        self.client = client
        self.embeddings = embeddings
        # Vectors of texts seen before (any index, same model files) come from the on-disk cache.
        self.cache = None
        if cache_path is not None and getattr(embeddings, "fingerprint", None):
            from indexing.embed_cache import open_cache

            self.cache = open_cache(cache_path)
        self.chroma = Chroma(
            client=client,
            collection_name=collection,
            embedding_function=embeddings,
            # A wide search beam: the filtered HNSW search stays (near-)exact and repeatable.
            collection_metadata={"hnsw:space": "cosine", "hnsw:search_ef": 200, "hnsw:construction_ef": 200},
        )
        try:
            self.max_batch = int(client.get_max_batch_size())
        except Exception:  # older servers: a safe default
            self.max_batch = 1000

    @classmethod
    def open(cls, settings: Settings, embeddings: Embeddings) -> "VectorStore":
        from indexing.embed_cache import cache_path_for

        return cls(make_client(settings), embeddings, settings.collection, cache_path_for(settings.data_dir))

    @property
    def collection(self):
        return self.chroma._collection

    def add(self, chunks: Sequence[Chunk], vectors: Optional[Sequence[Sequence[float]]] = None) -> int:
        """Upsert the embedded chunks among `chunks` (ids are deterministic: re-adding overwrites,
        never duplicates). `vectors`: computed elsewhere (a batch worker), one per embedded chunk in
        order; else they are computed here. Returns how many vectors were written."""
        chosen = [c for c in chunks if embedded(c)]
        if vectors is None:
            vectors = self.embed([c.text for c in chosen])
        if len(vectors) != len(chosen):
            raise ValueError(f"{len(vectors)} vectors for {len(chosen)} embedded chunks")
        step = max(1, min(self.max_batch, 256))
        for i in range(0, len(chosen), step):
            part = chosen[i : i + step]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=[list(map(float, v)) for v in vectors[i : i + step]],
                metadatas=[chroma_metadata(c.metadata) for c in part],
                documents=[c.text for c in part],
            )
        return len(chosen)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return embed_texts(self.embeddings, self.cache, texts)

    def delete_ids(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        step = max(1, min(self.max_batch, 1000))
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i : i + step])

    def delete_document(self, doc_id: str) -> None:
        """Also catches vectors whose ids the catalogue no longer knows (belt and braces)."""
        self.collection.delete(where={"doc_id": doc_id})

    def count(self, doc_id: Optional[str] = None) -> int:
        if doc_id is None:
            return self.collection.count()
        return len(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def search(self, vector: list[float], k: int, filters: Optional[dict[str, Any]] = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first, from the HNSW index.

        The collection is queried directly for distances only: LangChain's wrapper also fetches every
        hit's text and metadata, which the retriever reads from SQLite anyway (5× slower at 1,000
        documents, bench/index_scale.py)."""
        if k <= 0:
            return []
        result = self.collection.query(query_embeddings=[vector], n_results=k, where=where_clause(filters or {}),
                                       include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def search_among(self, vector: list[float], ids: Sequence[str], k: int) -> list[tuple[str, float]]:
        """Exact cosine ranking of the given chunks (their stored vectors against `vector`).

        For a small allowed set (one document's ~150 chunks) this is both faster than a filtered HNSW
        search and exact: a very selective `where` makes HNSW walk most of the graph, and a query far
        from the allowed chunks can come back short."""
        if k <= 0 or not ids:
            return []
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        if not got["ids"]:
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
        scores = matrix @ query / np.where(norms > 0, norms, 1.0)
        order = np.lexsort((np.array(got["ids"]), -scores))[:k]  # ties by id: reproducible
        return [(got["ids"][i], float(scores[i])) for i in order]
