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
    BUDGETQA_RATE_LIMIT    questions (ask, chat, search, figures) per minute per client (default 120)
    BUDGETQA_UPLOAD_RATE_LIMIT  uploads and deletions per minute per client (default 20)
    BUDGETQA_READ_RATE_LIMIT    other reads (lists, jobs, findings) per minute per client (default 600)
    BUDGETQA_TRUSTED_PROXIES    addresses whose X-Forwarded-For names the client (default loopback)
    BUDGETQA_CORS_ORIGINS  comma-separated origins allowed to call the API from a browser
    BUDGETQA_MAX_UPLOAD_MB / BUDGETQA_MAX_PAGES   upload limits (default 50 MB, 300 pages)
    BUDGETQA_MAX_QUESTION_CHARS / MAX_MESSAGE_CHARS / MAX_MESSAGES / MAX_FILTER_CHARS / MAX_BODY_KB
                           the texts one request may carry
    BUDGETQA_MAX_CHARS / MAX_TABLES / MAX_CHUNKS   what one document may produce
    BUDGETQA_PARSE_TIMEOUT / CHECK_TIMEOUT / WORKER_MEMORY_MB   one read or check, in a worker process
    BUDGETQA_DUPLICATES    replace (default) | keep: the same disclosure (department, year, kind,
                           level) uploaded again replaces the older one, or both are kept as versions
    """

    data_dir: Path
    api_keys: str = ""
    rate_limit_per_minute: int = 120
    upload_rate_per_minute: int = 20
    read_rate_per_minute: int = 600
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    cors_origins: tuple[str, ...] = ()
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    max_question_chars: int = 500
    max_message_chars: int = 8000
    max_messages: int = 50
    max_filter_chars: int = 100
    max_body_bytes: int = 256 * 1024
    max_chars: int = 500_000
    max_tables: int = 400
    max_chunks: int = 10_000
    parse_timeout: float = 120.0
    check_timeout: float = 120.0
    worker_memory_mb: int = 4096
    duplicates: str = "replace"

    @property
    def max_bytes(self) -> int:  # the name indexing/read and service/bounded.Limits use
        return self.max_upload_bytes

    @property
    def parse_seconds(self) -> float:
        return self.parse_timeout

    @property
    def check_seconds(self) -> float:
        return self.check_timeout

    @classmethod
    def from_env(cls, **overrides) -> "ServerSettings":
        duplicates = _get("DUPLICATES", "replace").lower()
        if duplicates not in ("replace", "keep"):
            raise ValueError(f"BUDGETQA_DUPLICATES must be replace or keep, got {duplicates!r}")
        proxies = _get("TRUSTED_PROXIES", "127.0.0.1,::1")
        base = cls(
            data_dir=Path(_get("DATA_DIR", "data")).resolve(),
            api_keys=_get("API_KEYS"),
            rate_limit_per_minute=int(_get("RATE_LIMIT", "120")),
            upload_rate_per_minute=int(_get("UPLOAD_RATE_LIMIT", "20")),
            read_rate_per_minute=int(_get("READ_RATE_LIMIT", "600")),
            trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
            cors_origins=tuple(o.strip() for o in _get("CORS_ORIGINS").split(",") if o.strip()),
            max_upload_bytes=int(Decimal(_get("MAX_UPLOAD_MB", "50")) * 1024 * 1024),
            max_pages=int(_get("MAX_PAGES", "300")),
            max_question_chars=int(_get("MAX_QUESTION_CHARS", "500")),
            max_message_chars=int(_get("MAX_MESSAGE_CHARS", "8000")),
            max_messages=int(_get("MAX_MESSAGES", "50")),
            max_filter_chars=int(_get("MAX_FILTER_CHARS", "100")),
            max_body_bytes=int(Decimal(_get("MAX_BODY_KB", "256")) * 1024),
            max_chars=int(_get("MAX_CHARS", "500000")),
            max_tables=int(_get("MAX_TABLES", "400")),
            max_chunks=int(_get("MAX_CHUNKS", "10000")),
            parse_timeout=float(Decimal(_get("PARSE_TIMEOUT", "120"))),
            check_timeout=float(Decimal(_get("CHECK_TIMEOUT", "120"))),
            worker_memory_mb=int(_get("WORKER_MEMORY_MB", "4096")),
            duplicates=duplicates,
        )
        overrides = {k: (Path(v).resolve() if k == "data_dir" else v) for k, v in overrides.items() if v is not None}
        return replace(base, **overrides)
