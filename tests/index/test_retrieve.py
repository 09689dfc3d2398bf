"""Retrieval plumbing (fake embedding), on embedded Chroma and a Chroma server."""

import pytest

from indexing.ingest import Index
from indexing.model import TableType


@pytest.fixture
def index(settings, doc, doc2, fake_embeddings):
    with Index(settings, embeddings=fake_embeddings) as idx:
        idx.ingest(doc)
        idx.ingest(doc2)
        yield idx


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_modes_return_typed_hits(index, mode):
    hits = index.search("公务接待费", k=5, mode=mode)
    assert 0 < len(hits) <= 5
    for h in hits:
        assert h.text and h.metadata["doc_id"] in (index.documents()[0].doc_id, index.documents()[1].doc_id)
        assert set(h.scores) == ({"bm25", "dense"} & set(h.scores)) and h.scores
        assert h.fused > 0
        if mode != "hybrid":
            assert set(h.ranks) == {mode}
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)


def test_hybrid_finds_exact_term(index):
    hits = index.search("机关运行经费预算", k=3, department="司法局")
    assert any("机关运行经费预算为88.30万元" in h.text for h in hits)
    assert {"bm25", "dense"} & set(hits[0].scores)


def test_filters(index, doc, doc2):
    assert {h.doc_id for h in index.search("行政运行", k=20, department="财政局")} == {doc2.id}
    assert {h.doc_id for h in index.search("行政运行", k=20, year=2026)} == {doc.id}
    assert {h.doc_id for h in index.search("行政运行", k=20, doc_id=doc.id, mode="dense")} == {doc.id}
    typed = index.search("经费", k=20, table_type=TableType.three_public.value)
    assert typed and all(h.metadata["table_type"] == TableType.three_public.value for h in typed)
    assert index.search("行政运行", k=5, department="不存在的部门") == []


def test_row_hit_carries_code(index, doc):
    hits = index.search("2040601 行政运行 基本支出", k=3, doc_id=doc.id, mode="bm25")
    assert hits[0].metadata.get("code") == "2040601" and "14,348,853.34" in hits[0].text


def test_document_scoped_dense_search_is_exact(index, doc, fake_embeddings, monkeypatch):
    """A document filter ranks that document's chunks exactly from their stored vectors: the same
    order as the HNSW search, no chunk missed even for a query far from all of them, and the
    filtered HNSW walk is not taken at all."""
    from indexing import catalog

    ids = catalog.chunk_ids_of(index.conn, doc.id)
    for query in ("公务接待费", "行政运行 基本支出", "法治宣传教育"):
        vector = fake_embeddings.embed_query(query)
        exact = index.vectors.search_among(vector, ids, 10)
        hnsw = index.vectors.search(vector, 10, {"doc_id": doc.id})
        assert [round(s, 5) for _, s in exact] == [round(s, 5) for _, s in hnsw]
        assert exact[0][1] >= exact[-1][1] and {c for c, _ in exact} <= set(ids)
    far = [1.0] + [0.0] * (fake_embeddings.dim - 1)
    with_vectors = set(index.vectors.collection.get(where={"doc_id": doc.id}, include=[])["ids"])  # rows have none
    assert with_vectors and {c for c, _ in index.vectors.search_among(far, ids, len(ids) + 5)} == with_vectors

    hnsw_calls = []
    monkeypatch.setattr(index.vectors, "search", lambda *a, **kw: hnsw_calls.append(a) or [])
    hits = index.search("公务接待费", k=5, doc_id=doc.id, mode="dense")
    assert hits and {h.doc_id for h in hits} == {doc.id} and not hnsw_calls
