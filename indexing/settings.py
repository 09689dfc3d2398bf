"""Index settings: where the data lives, which embedding model, which Chroma.

Everything comes from the environment so that a deployment changes models or moves Chroma to a
server without code changes:
  BUDGETQA_DATA_DIR          data folder (default ./data)
  BUDGETQA_EMBEDDING_MODEL   a model folder or one of the packaged names (default m3e-small)
  BUDGETQA_CHROMA_URL        http://host:port of a Chroma server (default: embedded, on disk)
  BUDGETQA_CHROMA_HOST / BUDGETQA_CHROMA_PORT   the same, split

One index per data folder: `<data>/index/` holds the catalogue (index.sqlite) and the embedded
Chroma (chroma/); the rest of the data folder holds uploads, findings, page images and reviews.
Every entry point (`budgetqa ingest`, `ask`, `search`, `figures`, `serve`, `eval`) opens it the same
way: `Index.open(data_dir)` (indexing/ingest.py), or `Settings.of_data_folder(data_dir)` where only
the SQLite catalogue is read. An index written by an earlier version straight into the data folder
(`<data>/index.sqlite`, `<data>/chroma/`) is still found there, as long as `<data>/index/` holds none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

DEFAULT_MODEL = "m3e-small"
COLLECTION = "budgetqa_chunks"
INDEX_FOLDER = "index"  # under the data folder


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    embedding_model: str = DEFAULT_MODEL
    chroma_host: Optional[str] = None  # None: embedded PersistentClient under data_dir/chroma
    chroma_port: int = 8000
    collection: str = COLLECTION
    embed_batch_size: int = 32

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        host, port = env.get("BUDGETQA_CHROMA_HOST") or None, int(env.get("BUDGETQA_CHROMA_PORT", "8000"))
        url = env.get("BUDGETQA_CHROMA_URL")
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            host, port = parsed.hostname, parsed.port or 8000
        base = cls(
            data_dir=Path(env.get("BUDGETQA_DATA_DIR", "data")),
            embedding_model=env.get("BUDGETQA_EMBEDDING_MODEL", DEFAULT_MODEL),
            chroma_host=host,
            chroma_port=port,
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def of_data_folder(cls, data_dir: str | Path | None = None, **overrides) -> "Settings":
        """The settings of the index of a data folder (default: $BUDGETQA_DATA_DIR or ./data)."""
        return cls.from_env(data_dir=Path(data_dir) if data_dir else None, **overrides)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def index_dir(self) -> Path:
        new = Path(self.data_dir) / INDEX_FOLDER
        earlier = Path(self.data_dir) / "index.sqlite"
        return Path(self.data_dir) if earlier.exists() and not (new / "index.sqlite").exists() else new

    @property
    def sqlite_path(self) -> Path:
        return self.index_dir / "index.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"
