"""The service's embedding worker: chunking, jieba and the model run in a process of their own.

The request loop and the ingest thread only wait on a future: an upload being embedded costs the
service no GIL and no model in its own process, and the index's lock is held only for the short
write (`Index.commit`). One long-lived process (a child of the fork server of service/bounded.py):
the model is loaded once, when the service starts, not per upload. Its ONNX Runtime threads are
the cores less one (BUDGETQA_EMBED_THREADS), so a core stays free for requests. A worker that dies
(killed, out of memory) is replaced and the job is tried once more; then it fails with its reason.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Optional

log = logging.getLogger("budgetqa.service")


def _load(model: str, backend: Optional[str], threads: int) -> None:
    os.environ.setdefault("BUDGETQA_EMBED_THREADS", str(threads))
    from indexing.embeddings import get_embeddings

    get_embeddings(model, backend=backend)


def _prepare(doc_json: str, model: str, backend: Optional[str], cache_path: Optional[str]):
    from pathlib import Path

    from indexing.embed_cache import open_cache
    from indexing.embeddings import get_embeddings
    from indexing.ingest import prepare
    from indexing.model import Document

    cache = open_cache(Path(cache_path)) if cache_path else None
    return prepare(Document.from_json(doc_json), get_embeddings(model, backend=backend), cache)


class EmbedWorker:
    """`prepare(doc)` for an index whose embeddings are a local model; in this process otherwise
    (a model object handed in by a test or an embedding API has nothing to load elsewhere)."""

    def __init__(self, index):
        self.index = index
        emb = index.embeddings
        self.model = str(getattr(emb, "model_path", "") or "")
        self.backend = getattr(emb, "backend", None)
        cache = index.vectors.cache
        self.cache_path = str(cache.path) if cache is not None else None
        self.threads = int(os.environ.get("BUDGETQA_EMBED_THREADS") or max(1, (os.cpu_count() or 2) - 1))
        self._pool: Optional[ProcessPoolExecutor] = None
        self._lock = threading.Lock()

    @property
    def remote(self) -> bool:
        return bool(self.model)

    def _executor(self) -> ProcessPoolExecutor:
        from service.bounded import _context

        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_load,
                                                 initargs=(self.model, self.backend, self.threads))
            return self._pool

    def start(self) -> None:
        if self.remote:
            self._executor().submit(os.getpid).result(timeout=300)  # the model is loaded now

    def prepare(self, doc):
        from indexing.ingest import prepare

        if not self.remote:
            return prepare(doc, self.index.embeddings, self.index.vectors.cache)
        for attempt in (1, 2):
            try:
                return self._executor().submit(_prepare, doc.to_json(), self.model, self.backend,
                                               self.cache_path).result()
            except BrokenProcessPool:
                log.warning("embedding worker died (attempt %d) on %s: starting another", attempt, doc.source)
                with self._lock:
                    self._pool = None
        raise RuntimeError(f"the embedding worker died twice on {doc.source}")

    def stop(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
