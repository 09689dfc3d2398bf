"""On-disk cache of chunk vectors, keyed by (model fingerprint, sha256 of the text as embedded).

Embedding is the slow part of ingest (m3e-small: ~25–70 chunks/s on 2 cores). Re-ingesting a
document, rebuilding an index in another folder, the evaluation and the benchmark all embed the
same texts again; this cache makes that free. Correctness rules:
- the key is the *model fingerprint*, not its display name: a sha256 over the model folder's files
  (config, tokenizer, and the weights: size + first and last 4 MB + a strided sample), so a model
  swapped under the same name or path never returns the old vectors;
- the text hashed is the text after `normalise_for_embedding` (what the model really sees);
- vectors are stored as float32 bytes with their dimension and checked on read;
- embeddings without a `fingerprint` (fakes in tests, foreign LangChain embeddings) are not cached.
SQLite, one table, WAL: several processes may share one cache file.
Location: BUDGETQA_EMBED_CACHE (a file path; "off" disables it), else <data dir>/embed_cache.sqlite.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

SAMPLE = 4 << 20  # bytes hashed at each end of a large file
STRIDE_SAMPLES = 16  # plus this many 64 KB blocks spread through it
_FP_CACHE: dict[tuple[str, tuple], str] = {}


def model_fingerprint(folder: Path) -> str:
    """sha256 over every file of the model folder (name, size, content or a dense sample of it).
    Cached per process by (path, sizes, mtimes)."""
    folder = Path(folder).resolve()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    stamp = tuple((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    key = (str(folder), stamp)
    if key in _FP_CACHE:
        return _FP_CACHE[key]
    h = hashlib.sha256()
    for p in files:
        size = p.stat().st_size
        h.update(f"{p.relative_to(folder)}\0{size}\0".encode())
        with open(p, "rb") as f:
            if size <= 2 * SAMPLE:
                h.update(f.read())
            else:
                h.update(f.read(SAMPLE))
                for i in range(1, STRIDE_SAMPLES + 1):
                    f.seek(size * i // (STRIDE_SAMPLES + 2))
                    h.update(f.read(1 << 16))
                f.seek(size - SAMPLE)
                h.update(f.read(SAMPLE))
    fp = h.hexdigest()
    _FP_CACHE[key] = fp
    return fp


def text_key(text: str) -> str:
    from indexing.embeddings import normalise_for_embedding

    return hashlib.sha256(normalise_for_embedding(text).encode("utf-8")).hexdigest()


def cache_path_for(data_dir: Path) -> Optional[Path]:
    env = os.environ.get("BUDGETQA_EMBED_CACHE")
    if env is not None and env.strip().lower() in ("", "off", "0", "none"):
        return None
    return Path(env) if env else Path(data_dir) / "embed_cache.sqlite"


class EmbeddingCache:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_sha TEXT NOT NULL, dim INTEGER NOT NULL,"
            " vec BLOB NOT NULL, PRIMARY KEY (model, text_sha)) WITHOUT ROWID"
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        uniq = list(dict.fromkeys(keys))
        with self._lock:
            for i in range(0, len(uniq), 500):
                part = uniq[i : i + 500]
                q = ",".join("?" * len(part))
                for sha, dim, blob in self.conn.execute(
                    f"SELECT text_sha, dim, vec FROM vectors WHERE model=? AND text_sha IN ({q})", [model, *part]
                ):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == dim:  # a torn or foreign row is a miss, not a wrong vector
                        out[sha] = vec.astype(np.float64).tolist()
        return out

    def put_many(self, model: str, items: Sequence[tuple[str, Sequence[float]]]) -> None:
        rows = [(model, sha, len(v), np.asarray(v, dtype=np.float32).tobytes()) for sha, v in items]
        with self._lock:
            self.conn.execute("BEGIN")
            try:
                self.conn.executemany("INSERT OR REPLACE INTO vectors(model, text_sha, dim, vec) VALUES (?,?,?,?)", rows)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def count(self, model: Optional[str] = None) -> int:
        if model is None:
            return self.conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM vectors WHERE model=?", (model,)).fetchone()[0]

    def embed(self, model: str, texts: Sequence[str], compute: Callable[[list[str]], list[list[float]]]) -> list[list[float]]:
        """Vectors for `texts`: cached ones read, the others computed (each distinct text once) and stored."""
        keys = [text_key(t) for t in texts]
        found = self.get_many(model, keys)
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts):
            if k not in found and k not in todo:
                todo[k] = t
        self.hits += sum(1 for k in keys if k in found)
        self.misses += len(todo)
        if todo:
            vectors = compute(list(todo.values()))
            new = list(zip(todo.keys(), vectors))
            self.put_many(model, new)
            found.update(new)
        return [found[k] for k in keys]

    def close(self) -> None:
        self.conn.close()


_OPEN: dict[str, EmbeddingCache] = {}
_OPEN_LOCK = threading.Lock()


def open_cache(path: Path) -> EmbeddingCache:
    """One connection per cache file per process."""
    key = str(Path(path).resolve())
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = EmbeddingCache(Path(path))
        return _OPEN[key]
