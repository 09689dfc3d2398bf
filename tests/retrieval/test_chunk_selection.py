"""The search's chunk selection by arrays (indexing/chunk_index.py, indexing/bm25.py) against the
plain reading of the catalogue it replaced, on generated disclosures indexed for real (jieba BM25,
m3e-small vectors in Chroma).

Speed is measured in bench/index_scale.py; these tests hold the selection to what the catalogue
says: the same chunks for every filter and question type, the same BM25 scores whichever way they
are computed, the same exact dense ranking from the cached vectors as from Chroma."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from indexing import catalog
from indexing.bm25 import BM25Index
from indexing.retrieve import Filters

QUESTIONS = ("三公经费预算是多少", "有哪些项目", "项目支出占全部支出的比重", "机关运行经费和公务接待费分别是多少",
             "2080505 机关事业单位基本养老保险缴费支出", "行政运行")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from eval.generate import generate_corpus

    out = tmp_path_factory.mktemp("retrieval_corpus")
    generate_corpus(str(out), 3, 5, formats=["text"], styles="all")
    return out


@pytest.fixture(scope="module")
def documents(corpus) -> list:
    from indexing.read import read_document

    return [read_document(p) for p in sorted((corpus / "docs").glob("*.txt"))]


@pytest.fixture(scope="module")
def index(documents, tmp_path_factory):
    from indexing.ingest import Index
    from indexing.settings import Settings

    old = os.environ.get("BUDGETQA_EMBED_CACHE")  # the suite's shared cache: each text embedded once
    os.environ["BUDGETQA_EMBED_CACHE"] = str(tmp_path_factory.getbasetemp().parent / "budgetqa_embed_cache.sqlite")
    try:
        idx = Index(Settings(data_dir=tmp_path_factory.mktemp("retrieval_index")))
    finally:
        os.environ.pop("BUDGETQA_EMBED_CACHE", None) if old is None else os.environ.__setitem__("BUDGETQA_EMBED_CACHE", old)
    for doc in documents[:2]:  # the third is ingested by the last test: the selection follows the catalogue
        idx.ingest(doc)
    yield idx
    idx.close()


def catalogue(index) -> dict[str, dict]:
    """chunk id → metadata of every chunk of a ready document, straight from SQLite."""
    ids = [r[0] for r in catalog.ready_chunks(index.conn)]
    return {cid: meta for cid, (_text, meta) in catalog.get_chunks(index.conn, ids).items()}


def test_filters_and_question_types_select_what_the_catalogue_says(index):
    chunks = index.retriever.chunk_index()
    meta = catalogue(index)
    assert len(chunks.ids) == len(meta) and len(chunks.doc_positions) == 2
    docs = sorted({m["doc_id"] for m in meta.values()})
    table_types = sorted({m.get("table_type") for m in meta.values() if m.get("table_type")})
    assert table_types, "generated disclosures have typed tables"
    for ready in ({docs[0]}, set(docs)):
        for table_type in (None, table_types[0], "没有这种表"):
            for kind in (None, "row", "table", "section"):
                got = {chunks.ids[i] for i in chunks.allowed(ready, table_type, kind)}
                want = {c for c, m in meta.items() if m["doc_id"] in ready
                        and (table_type is None or m.get("table_type") == table_type)
                        and (kind is None or m.get("chunk_kind") == kind)}
                assert got == want, (ready, table_type, kind)
    lists = {chunks.ids[i] for i in chunks.restrict(None, "list")}
    shares = {chunks.ids[i] for i in chunks.restrict(None, "share")}
    assert lists == {c for c, m in meta.items() if m.get("chunk_kind") == "table"} and lists
    assert shares == {c for c, m in meta.items() if m.get("has_share") or m.get("is_total")} and shares
    one = chunks.allowed({docs[0]})
    assert {chunks.ids[i] for i in chunks.restrict(one, "list")} == {c for c in lists if meta[c]["doc_id"] == docs[0]}


def test_bm25_scores_a_few_chunks_as_it_scores_all(index, monkeypatch):
    """Scoring the allowed rows (a document) and adding postings lists (all chunks) agree."""
    bm25: BM25Index = index.retriever.bm25()
    one_doc = next(iter(index.retriever.chunk_index().doc_positions.values()))
    for q in QUESTIONS:
        monkeypatch.setattr(bm25, "ROWS_SHARE", 0.0)  # postings lists, then the scores of the allowed
        every, every_scores = bm25.scores(q)
        assert np.array_equal(every, np.arange(len(bm25)))
        assert np.array_equal(bm25.scores(q, one_doc)[1], every_scores[one_doc])
        monkeypatch.setattr(bm25, "ROWS_SHARE", 1.0)  # the allowed rows alone
        where, scores = bm25.scores(q, one_doc)
        assert np.array_equal(where, one_doc)
        assert np.allclose(scores, every_scores[one_doc], rtol=1e-5, atol=1e-6), q
        assert scores.max() > 0, f"{q}: the document's own words score"
        # top k: positive scores, best first, ties by position
        top = bm25.top(where, scores, 10)
        ranked = sorted(((-float(s), int(p)) for p, s in zip(where, scores) if s > 0))[:10]
        assert [c for c, _ in top] == [bm25.ids[p] for _, p in ranked]


def test_hybrid_lists_keep_to_the_filter_and_the_question_type(index):
    chunks = index.retriever.chunk_index()
    meta = catalogue(index)
    doc = sorted(chunks.doc_positions)[0]
    for q in QUESTIONS:
        for filters in (Filters(), Filters(doc_id=doc), Filters(doc_id=doc, chunk_kind="row")):
            hits = index.retriever.search(q, k=12, filters=filters, intent={"list", "share"})
            assert hits, (q, filters)
            for h in hits:
                m = meta[h.chunk_id]
                assert filters.doc_id in (None, m["doc_id"]) and filters.chunk_kind in (None, m["chunk_kind"])
                if "intent_list" in h.ranks:
                    assert m["chunk_kind"] == "table"
                if "intent_share" in h.ranks:
                    assert m.get("has_share") or m.get("is_total")


def test_cached_document_vectors_rank_as_chroma_does(index):
    retriever = index.retriever
    chunks = retriever.chunk_index()
    doc = sorted(chunks.doc_positions)[0]
    ids = [chunks.ids[i] for i in chunks.doc_positions[doc]]
    for q in QUESTIONS[:3]:
        vector = index.vectors.embeddings.embed_query(q)
        want = index.vectors.search_among(vector, ids, 20)
        for _ in range(2):  # fetched from Chroma, then from the cache
            got = retriever._doc_vectors.search_among(vector, ids, 20, {doc: ids})
            assert [c for c, _ in got] == [c for c, _ in want] and want
            assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_a_new_document_is_searched_at_once(index, documents):
    later = documents[2]
    before = index.retriever.chunk_index()
    index.ingest(later)
    after = index.retriever.chunk_index()
    assert after is not before and len(after.doc_positions) == 3 and later.id in after.ready
    hits = index.search("三公经费", k=5, doc_id=later.id)
    assert hits and {h.doc_id for h in hits} == {later.id}
    assert later.id in {h.doc_id for h in index.search("三公经费", k=60)}
    index.delete(later.id)
    assert later.id not in index.retriever.chunk_index().ready
    assert later.id not in {h.doc_id for h in index.search("三公经费", k=60)}
