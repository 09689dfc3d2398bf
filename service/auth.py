"""API keys, roles, and rate limits per key or per client.

Keys come from configuration as `name:key:role` entries (role `read` for public portals: ask,
search, list and read findings; `write` also uploads and deletes). Only SHA-256 hashes are kept
in memory and on disk; a presented key is hashed and compared in constant time. With no keys
configured the service runs open (a local single-user setup) and says so at start-up.

Without keys the limits are per client: the address the connection comes from, or, when that
address is a trusted proxy (BUDGETQA_TRUSTED_PROXIES, loopback by default), the client the proxy
names in X-Forwarded-For (the right-most address that is not itself a trusted proxy) or X-Real-IP.
Thirty people behind one reverse proxy are thirty clients, not one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass
from typing import Optional

ROLES = ("read", "write")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyEntry:
    name: str
    key_hash: str
    role: str


def parse_keys(spec: str) -> list[KeyEntry]:
    """'portal:s3cret:read,admin:t0p:write' → hashed entries. Entries already hashed are written
    'name:sha256=<hex>:role' (what `budgetqa keys` stores), so plaintext need never be on disk."""
    entries = []
    for item in filter(None, (s.strip() for s in (spec or "").split(","))):
        parts = item.split(":")
        if len(parts) != 3 or parts[2] not in ROLES or not parts[1]:
            raise ValueError(f"API key entry must be name:key:role with role read|write, got {parts[0]!r}:…")
        name, key, role = parts
        key_hash = key[len("sha256="):] if key.startswith("sha256=") else hash_key(key)
        entries.append(KeyEntry(name, key_hash, role))
    return entries


class KeyRing:
    def __init__(self, entries: list[KeyEntry]):
        self.entries = entries

    @property
    def open(self) -> bool:
        return not self.entries

    def identify(self, presented: Optional[str]) -> Optional[KeyEntry]:
        if not presented:
            return None
        h = hash_key(presented)
        found = None
        for e in self.entries:  # no early exit: timing does not tell which entry matched
            if hmac.compare_digest(e.key_hash, h):
                found = e
        return found


def client_address(peer: Optional[str], headers, trusted: tuple[str, ...]) -> str:
    """Who a request without a key comes from (see the module's docstring)."""
    peer = peer or "anon"
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in (headers.get("x-forwarded-for") or "").split(",") if a.strip()]
    for addr in reversed(forwarded):
        if addr not in trusted:
            return addr[:64]
    real = (headers.get("x-real-ip") or "").strip()
    return real[:64] if real and real not in trusted else peer


def retry_after(wait: float) -> int:
    """Whole seconds to wait, at least 1: "retry in 0 s" is never said."""
    return max(1, math.ceil(wait))


class RateLimiter:
    """Token bucket per key: `per_minute` requests, refilled continuously. Buckets of clients idle
    for a full refill are dropped, so a flood of client names cannot grow memory without end."""

    def __init__(self, per_minute: int):
        self.capacity = max(1, per_minute)
        self.rate = self.capacity / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, who: str) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed)."""
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 100_000:
                full = self.capacity / self.rate
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}
            tokens, last = self._buckets.get(who, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[who] = (tokens - 1, now)
                return True, 0.0
            self._buckets[who] = (tokens, now)
            return False, (1 - tokens) / self.rate
