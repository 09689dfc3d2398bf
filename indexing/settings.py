"""Index settings: where the data lives, which embedding model, which Chroma.

Everything comes from the environment so that a deployment changes models or moves Chroma to a
server without code changes:
  BUDGETQA_DATA_DIR          data folder (default ./data)
  BUDGETQA_EMBEDDING_MODEL   a model folder or one of the packaged names (default m3e-small)
  BUDGETQA_CHROMA_URL        http://host:port of a Chroma server (default: embedded, on disk)
  BUDGETQA_CHROMA_HOST / BUDGETQA_CHROMA_PORT   the same, split
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

DEFAULT_MODEL = "m3e-small"
COLLECTION = "budgetqa_chunks"


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

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def sqlite_path(self) -> Path:
        return Path(self.data_dir) / "index.sqlite"

    @property
    def chroma_path(self) -> Path:
        return Path(self.data_dir) / "chroma"
