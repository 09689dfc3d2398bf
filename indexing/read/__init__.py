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
    from indexing.read.injection import mark_instructions
    from indexing.read.meta import check_department, fill_year

    if data.lstrip()[:5] == b"%PDF-":
        from indexing.read.pdf import read_pdf
        from indexing.read.pdf_safety import check_pdf

        check_pdf(data, name)  # JavaScript, launch actions, embedded files: refused (pdf_safety.py)
        doc = read_pdf(data, name, max_pages=max_pages)
        mark_instructions(doc)
        return assess(check_department(fill_year(doc)))
    decoded = decode_text_counted(data)
    if decoded is None:
        raise errors.unsupported_type(name)
    text, encoding, replaced = decoded
    from indexing.read.text import read_text

    doc = read_text(text, name, doc_id=document_id(data))
    if replaced:
        doc.warnings.append(
            f"文本（{encoding}）中有 {replaced} 处无法解码的字节，已替换为“\ufffd” / "
            f"{replaced} undecodable byte sequence(s) in the {encoding} text replaced by U+FFFD")
    mark_instructions(doc)
    return assess(check_department(fill_year(doc)))


_BOMS = (  # longest first: the UTF-32 LE BOM begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
MAX_REPLACED_SHARE = 0.02  # more undecodable bytes than this (of the characters): not text


def decode_text(data: bytes) -> Optional[str]:
    """The text of `data` (see decode_text_counted); None when it is not text at all."""
    decoded = decode_text_counted(data)
    return decoded[0] if decoded else None


def decode_text_counted(data: bytes) -> Optional[tuple[str, str, int]]:
    """(text, encoding, undecodable byte sequences replaced by U+FFFD), or None for binary data.

    A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32); otherwise strict UTF-8, then strict
    GB18030 (a superset of GBK and GB2312), then whichever of the two needs fewer replacements. A
    few invalid bytes (a file cut or concatenated badly) are replaced and counted, never a refusal;
    NUL bytes without a UTF-16/32 mark, many replacements or many control characters mean binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            return _accept(text, encoding, _replaced(text, data, encoding))
    if b"\x00" in data[:4096]:
        return None
    try:
        return _accept(data.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few bad bytes stays UTF-8: GB18030 would "decode" it strictly into nonsense.
    text8 = data.decode("utf-8", errors="replace")
    n8 = _replaced(text8, data, "utf-8")
    if n8 <= max(8, len(text8) // 1000):
        return _accept(text8, "utf-8", n8)
    try:
        return _accept(data.decode("gb18030"), "gb18030", 0)
    except UnicodeDecodeError:
        pass
    text_gb = data.decode("gb18030", errors="replace")
    n_gb = _replaced(text_gb, data, "gb18030")
    return _accept(text8, "utf-8", n8) if n8 <= n_gb else _accept(text_gb, "gb18030", n_gb)


def _replaced(text: str, data: bytes, encoding: str) -> int:
    already = data.count("\ufffd".encode(encoding)) if encoding.startswith("utf") else 0
    return max(0, text.count("\ufffd") - already)


def _accept(text: str, encoding: str, replaced: int) -> Optional[tuple[str, str, int]]:
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > len(sample) * 0.01 or replaced > max(1, len(text)) * MAX_REPLACED_SHARE:
        return None
    return text, encoding, replaced


__all__ = ["read_document", "read_bytes", "decode_text", "decode_text_counted", "ReadError", "document_id",
           "MAX_BYTES", "MAX_PAGES"]
