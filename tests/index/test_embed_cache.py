"""The on-disk embedding cache: re-ingesting does not re-embed, and a changed model never gets old vectors."""

import sqlite3

import pytest
from conftest import FakeEmbeddings

from indexing.embed_cache import EmbeddingCache, model_fingerprint, text_key
from indexing.ingest import Index
from indexing.settings import Settings


class CountingEmbeddings(FakeEmbeddings):
    """Fake vectors, a fingerprint (so the cache applies) and a count of texts really embedded."""

    def __init__(self, fingerprint="fake-model:v1", salt=""):
        self.fingerprint, self.salt, self.embedded = fingerprint, salt, 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return [self._vec(self.salt + t) for t in texts]


def test_reingest_elsewhere_uses_cache(tmp_path, doc, monkeypatch):
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(tmp_path / "cache.sqlite"))
    first = CountingEmbeddings()
    with Index(Settings(data_dir=tmp_path / "a"), embeddings=first) as a:
        a.ingest(doc)
        n = a.counts()["embedded"]  # table rows get no vector (indexing/stores.py `embedded`)
        vec_a = a.vectors.collection.get(ids=[f"{doc.id}:00000"], include=["embeddings"])["embeddings"][0]
    assert first.embedded == n  # each distinct text once
    second = CountingEmbeddings()
    with Index(Settings(data_dir=tmp_path / "b"), embeddings=second) as b:
        b.ingest(doc)
        vec_b = b.vectors.collection.get(ids=[f"{doc.id}:00000"], include=["embeddings"])["embeddings"][0]
        assert b.vectors.cache.hits >= n
    assert second.embedded == 0
    assert list(vec_a) == pytest.approx(list(vec_b), abs=1e-6)


def test_other_model_is_not_served_old_vectors(tmp_path, doc, monkeypatch):
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(tmp_path / "cache.sqlite"))
    with Index(Settings(data_dir=tmp_path / "a"), embeddings=CountingEmbeddings("fake-model:v1")) as a:
        a.ingest(doc)
    changed = CountingEmbeddings("fake-model:v2", salt="x")  # same name, other weights → other fingerprint
    with Index(Settings(data_dir=tmp_path / "b"), embeddings=changed) as b:
        b.ingest(doc)
        n = b.counts()["embedded"]
    assert changed.embedded == n > 0


def test_default_location_and_off_switch(tmp_path, doc, monkeypatch):
    monkeypatch.delenv("BUDGETQA_EMBED_CACHE", raising=False)
    with Index(Settings(data_dir=tmp_path / "d"), embeddings=CountingEmbeddings()) as idx:
        idx.ingest(doc)
    assert (tmp_path / "d" / "embed_cache.sqlite").exists()
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", "off")
    with Index(Settings(data_dir=tmp_path / "e"), embeddings=CountingEmbeddings()) as idx:
        assert idx.vectors.cache is None
        idx.ingest(doc)
    with Index(Settings(data_dir=tmp_path / "f"), embeddings=FakeEmbeddings()) as idx:  # no fingerprint
        assert idx.vectors.cache is None


def test_fingerprint_follows_model_files(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden": 8}')
    (folder / "weights.bin").write_bytes(b"\0" * (9 << 20))  # large: sampled, not read whole
    a = model_fingerprint(folder)
    assert a == model_fingerprint(folder)
    with open(folder / "weights.bin", "r+b") as f:  # a weight changes in the sampled head
        f.seek(10)
        f.write(b"\1")
    assert model_fingerprint(folder) != a
    (folder / "config.json").write_text('{"hidden": 16}')
    assert len({a, model_fingerprint(folder)}) == 2


def test_text_key_and_torn_rows(tmp_path):
    assert text_key("“三公”经费") == text_key('"三公"经费')  # what the model sees is what is hashed
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    calls = []
    vecs = cache.embed("m", ["a", "b", "a"], lambda ts: calls.append(list(ts)) or [[1.0, 0.0], [0.0, 1.0]])
    assert calls == [["a", "b"]] and vecs[0] == vecs[2] == [1.0, 0.0]
    # A row whose blob does not match its dimension is a miss, never a wrong vector.
    conn = sqlite3.connect(tmp_path / "c.sqlite")
    conn.execute("UPDATE vectors SET dim = 3 WHERE text_sha = ?", (text_key("a"),))
    conn.commit()
    conn.close()
    assert cache.get_many("m", [text_key("a"), text_key("b")]).keys() == {text_key("b")}


@pytest.mark.slow
def test_seed_reingest_from_cache_embeds_nothing(seed_index, seeds_dir, embed_cache_path, tmp_path, monkeypatch):
    """The real-model seed index of this session, rebuilt in a second folder: every vector is a cache hit."""
    index, doc_ids = seed_index
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(embed_cache_path))
    real = index.embeddings
    calls = []
    original = real.embed_documents
    monkeypatch.setattr(real, "embed_documents", lambda texts: calls.append(len(texts)) or original(texts))
    with Index(Settings(data_dir=tmp_path / "again"), embeddings=real) as again:
        again.ingest_many([seeds_dir], progress=False)
        assert again.counts()["vectors"] == index.counts()["vectors"]
        some = list(doc_ids.values())[0]
        ids = [f"{some}:00000", f"{some}:00010"]
        old = index.vectors.collection.get(ids=ids, include=["embeddings"])
        new = again.vectors.collection.get(ids=ids, include=["embeddings"])
        for a, b in zip(old["embeddings"], new["embeddings"]):
            assert list(a) == pytest.approx(list(b), abs=1e-6)
    assert sum(calls) == 0
