"""Idempotency, delete, replace, crash safety — against embedded Chroma and a Chroma server."""

import subprocess
import sys
import textwrap

import pytest

from indexing import catalog
from indexing.chunks import chunk_document
from indexing.ingest import Index, IndexMismatch
from indexing.stores import VectorStore, embedded


def test_ingest_idempotent(settings, doc, fake_embeddings):
    with Index(settings, embeddings=fake_embeddings) as index:
        first = index.ingest(doc)
        assert first.status == "added" and first.chunks == len(chunk_document(doc)) and first.figures > 0
        before = index.counts()
        assert before["documents"] == 1 and first.chunks == before["chunks"]
        # Table rows get no vector (indexing/stores.py `embedded`): BM25 and the figures store serve them.
        assert before["vectors"] == before["embedded"] == sum(map(embedded, chunk_document(doc))) < first.chunks
        again = index.ingest(doc.model_copy(deep=True))
        assert again.status == "unchanged" and index.counts() == before
    with Index(settings, embeddings=fake_embeddings) as index:  # and after reopening
        assert index.ingest(doc).status == "unchanged" and index.counts() == before
        assert [d.doc_id for d in index.documents()] == [doc.id]
        assert index.document(doc.id) == doc


def test_delete_removes_every_chunk_and_figure(settings, doc, doc2, fake_embeddings):
    with Index(settings, embeddings=fake_embeddings) as index:
        index.ingest(doc)
        index.ingest(doc2)
        n2 = sum(map(embedded, chunk_document(doc2)))
        assert index.delete(doc.id) is True
        assert index.vectors.count(doc.id) == 0 and index.vectors.count() == n2
        assert index.figures.count(doc.id) == 0
        assert index.conn.execute("SELECT COUNT(*) FROM figures WHERE doc_id=?", (doc.id,)).fetchone()[0] == 0
        assert catalog.chunk_ids_of(index.conn, doc.id) == []
        assert all(h.doc_id == doc2.id for h in index.search("行政运行 基本支出", k=10))
        assert index.delete(doc.id) is False
        assert index.counts()["documents"] == 1


def test_replace(settings, doc, doc2, fake_embeddings):
    with Index(settings, embeddings=fake_embeddings) as index:
        index.ingest(doc)
        result = index.replace(doc.id, doc2)
        assert result.doc_id == doc2.id
        assert [d.doc_id for d in index.documents()] == [doc2.id]
        assert index.vectors.count(doc.id) == 0


def test_failure_mid_ingest_leaves_nothing(embedded_settings, doc, fake_embeddings, monkeypatch):
    real_add = VectorStore.add

    def half_then_fail(self, chunks, vectors=None):
        real_add(self, chunks[: len(chunks) // 2])
        raise RuntimeError("chroma went away")

    monkeypatch.setattr(VectorStore, "add", half_then_fail)
    with Index(embedded_settings, embeddings=fake_embeddings) as index:
        with pytest.raises(RuntimeError):
            index.ingest(doc)
        assert index.counts() == {"documents": 0, "chunks": 0, "figures": 0, "not_ready": 0, "vectors": 0, "embedded": 0}
        monkeypatch.setattr(VectorStore, "add", real_add)
        assert index.ingest(doc).status == "added"


CRASH = textwrap.dedent("""
    import os, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import FakeEmbeddings, make_document
    from indexing.ingest import Index
    from indexing.settings import Settings
    from indexing.stores import VectorStore
    real_add = VectorStore.add
    def crash(self, chunks, vectors=None):
        real_add(self, chunks[: len(chunks) // 2])  # half the vectors are in Chroma...
        os._exit(3)  # ...and the process dies: no except, no finally, no clean-up
    VectorStore.add = crash
    index = Index(Settings(data_dir={data!r}), embeddings=FakeEmbeddings())
    index.ingest(make_document())
""")


def test_crash_mid_ingest_invisible_then_cleaned(embedded_settings, doc, fake_embeddings):
    from pathlib import Path

    tests = Path(__file__).parent
    script = CRASH.format(root=str(tests.parents[1]), tests=str(tests), data=str(embedded_settings.data_dir))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    # A reader that does not clean up sees nothing of the half-written document.
    with Index(embedded_settings, embeddings=fake_embeddings, recover=False) as reader:
        c = reader.counts()
        assert c["documents"] == 0 and c["chunks"] == 0 and c["figures"] == 0 and c["not_ready"] == 1
        assert c["vectors"] > 0  # the orphans really are in Chroma...
        assert reader.search("行政运行", k=10) == []  # ...and still invisible
        assert reader.search("行政运行", k=10, mode="dense") == []
        assert reader.figures.by_metric("行政运行") == []
        assert reader.documents() == []
    with Index(embedded_settings, embeddings=fake_embeddings) as index:  # open cleans up
        assert index.counts() == {"documents": 0, "chunks": 0, "figures": 0, "not_ready": 0, "vectors": 0, "embedded": 0}
        assert index.conn.execute("SELECT COUNT(*) FROM figures").fetchone()[0] == 0
        assert index.ingest(doc).status == "added"


def test_model_mismatch_refused(embedded_settings, doc, fake_embeddings):
    Index(embedded_settings, embeddings=fake_embeddings).close()

    class Other(type(fake_embeddings)):
        name = "another-model"

    with pytest.raises(IndexMismatch):
        Index(embedded_settings, embeddings=Other())
