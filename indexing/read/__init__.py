"""Read a disclosure file (PDF or converted text) into a `Document`.

`read_document` is the one entry point: it checks size and type, picks the reader by content
(not by file name), and turns every failure into a `ReadError` with Chinese and English messages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from indexing.model import Document
from indexing.read import errors
from indexing.read.errors import ReadError

MAX_BYTES = 50 * 1024 * 1024  # 50 MB: the largest real disclosures are ~10 MB
MAX_PAGES = 300


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
    name: Optional[str] = None,
) -> Document:
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError("not_found", f"找不到文件：{name}", f"File not found: {name}") from exc
    if size > max_bytes:
        raise errors.too_large(name, size, max_bytes)
    return read_bytes(path.read_bytes(), name, max_bytes=max_bytes, max_pages=max_pages)


def read_bytes(data: bytes, name: str, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Document:
    if not data or not data.strip():
        raise errors.empty_file(name)
    if len(data) > max_bytes:
        raise errors.too_large(name, len(data), max_bytes)
    from indexing.read.confidence import assess

    if data.lstrip()[:5] == b"%PDF-":
        from indexing.read.pdf import read_pdf

        return assess(read_pdf(data, name, max_pages=max_pages))
    text = decode_text(data)
    if text is None:
        raise errors.unsupported_type(name)
    from indexing.read.text import read_text

    return assess(read_text(text, name, doc_id=document_id(data)))


def decode_text(data: bytes) -> Optional[str]:
    """UTF-8 (with or without BOM) or GB18030; None for binary data."""
    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Reject decodings that are mostly control characters (binary that happened to decode).
        sample = text[:4000]
        bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
        if bad <= len(sample) * 0.01:
            return text
    return None


__all__ = ["read_document", "read_bytes", "ReadError", "document_id", "MAX_BYTES", "MAX_PAGES"]
