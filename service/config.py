"""All settings of the service in one place, from environment variables prefixed BUDGETQA_.

Read once per process (`get_config()` is cached); tests that change the environment call
`get_config.cache_clear()`. Nothing else in the service reads os.environ for these values.
The index's own settings (data folder, embedding model, Chroma server) are in indexing/settings.py,
so that indexing does not depend on the service.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Optional

PREFIX = "BUDGETQA_"


@dataclass(frozen=True)
class Config:
    llm_base_url: Optional[str]  # OpenAI-compatible endpoint: vLLM, Ollama, DeepSeek, Qwen, llama_cpp.server
    llm_api_key: str
    llm_model: str
    llm_temperature: Decimal  # Decimal here; converted only at the HTTP client boundary
    llm_timeout: int  # seconds
    llm_max_tokens: int
    answer_mode: str  # "default" (deterministic) or "llm"
    top_k: int  # evidence items handed to the answerer
    check_llm: bool  # LLM-assisted claim extraction in the checker (off by default; needs llm_base_url)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


def _get(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default).strip()


@lru_cache(maxsize=1)
def get_config() -> Config:
    base = _get("LLM_BASE_URL") or None
    return Config(
        llm_base_url=base,
        # Local servers accept any key; the client library insists on a non-empty one.
        llm_api_key=_get("LLM_API_KEY", "not-needed") or "not-needed",
        llm_model=_get("LLM_MODEL", "local-model"),
        llm_temperature=Decimal(_get("LLM_TEMPERATURE", "0")),
        llm_timeout=int(_get("LLM_TIMEOUT", "60")),
        llm_max_tokens=int(_get("LLM_MAX_TOKENS", "256")),
        answer_mode=_get("ANSWER_MODE", "llm" if base else "default"),
        top_k=int(_get("TOP_K", "8")),
        check_llm=_get("CHECK_LLM").lower() in ("1", "true", "yes", "on"),
    )


@dataclass(frozen=True)
class ServerSettings:
    """The HTTP service's settings (BUDGETQA_ prefix): data folder, API keys, limits, CORS.

    BUDGETQA_API_KEYS      name:key:role entries, comma-separated; role read|write. Empty: open access.
                           A key may be given pre-hashed as name:sha256=<hex>:role.
    BUDGETQA_RATE_LIMIT    requests per minute per key (default 120)
    BUDGETQA_CORS_ORIGINS  comma-separated origins allowed to call the API from a browser
    BUDGETQA_MAX_UPLOAD_MB / BUDGETQA_MAX_PAGES   upload limits (default 50 MB, 300 pages)
    """

    data_dir: Path
    api_keys: str = ""
    rate_limit_per_minute: int = 120
    cors_origins: tuple[str, ...] = ()
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300

    @classmethod
    def from_env(cls, **overrides) -> "ServerSettings":
        base = cls(
            data_dir=Path(_get("DATA_DIR", "data")).resolve(),
            api_keys=_get("API_KEYS"),
            rate_limit_per_minute=int(_get("RATE_LIMIT", "120")),
            cors_origins=tuple(o.strip() for o in _get("CORS_ORIGINS").split(",") if o.strip()),
            max_upload_bytes=int(Decimal(_get("MAX_UPLOAD_MB", "50")) * 1024 * 1024),
            max_pages=int(_get("MAX_PAGES", "300")),
        )
        overrides = {k: (Path(v).resolve() if k == "data_dir" else v) for k, v in overrides.items() if v is not None}
        return replace(base, **overrides)
