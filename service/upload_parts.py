"""An upload of several files that are one disclosure (北京 publishes a 情况说明 and a 报表).

The parts are read one by one in bounded workers and joined by indexing/read/multi.py, exactly as
`budgetqa parse A.pdf B.pdf` joins them, so the service and the CLI give the same document.

What is stored, so that a restart loses nothing and the page view still works:
- `uploads/<doc id>.parts.zip`: every part under its own name, in reading order, with a manifest;
  one file written atomically, so a crash leaves either the whole upload or none of it;
- `uploads/<doc id>.pdf` when every part is a PDF: the parts' pages joined in the same order, so
  page N of the joined document is page N of this file (the page images, highlights and the
  annotated PDF need no other mapping). Mixed PDF + text uploads have no page images.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import PurePosixPath
from typing import Optional, Sequence

from indexing.model import Document
from indexing.read.errors import ReadError

log = logging.getLogger("budgetqa.service")

PARTS_SUFFIX = ".parts.zip"
MAX_PARTS = 8  # a disclosure has two or three parts; more in one upload is a mistake, refused
_MANIFEST = "manifest.json"


class PartsError(ReadError):
    """An upload of parts the service refuses (too many, or a container it did not write)."""


def too_many_parts(n: int) -> PartsError:
    return PartsError("too_many_parts", f"一次上传最多 {MAX_PARTS} 个文件（同一公开文件的各部分），收到 {n} 个",
                      f"At most {MAX_PARTS} files per upload (the parts of one disclosure); got {n}")


def order_parts(parts: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The narrative first when the names mark their parts (X_情况说明.pdf, X_报表.pdf), as
    indexing/read/multi.group_parts orders files on disk; otherwise the order they were sent."""
    from pathlib import Path

    from indexing.read.multi import group_parts

    names = [name for name, _ in parts]
    groups = group_parts(Path(n) for n in names)
    if len(groups) != 1:  # the names do not say which part is which: keep the sender's order
        return list(parts)
    by_name = dict(parts)
    return [(p.name, by_name[p.name]) for p in groups[0]]


def pack(parts: Sequence[tuple[str, bytes]]) -> bytes:
    """One container holding every part and their order."""
    buf = io.BytesIO()
    names = []
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for i, (name, data) in enumerate(parts):
            entry = f"{i:02d}_{PurePosixPath(name).name or 'part'}"
            names.append({"entry": entry, "name": name})
            z.writestr(entry, data)
        z.writestr(_MANIFEST, json.dumps(names, ensure_ascii=False))
    return buf.getvalue()


def unpack(data: bytes) -> list[tuple[str, bytes]]:
    """The parts stored by `pack`, in order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = json.loads(z.read(_MANIFEST))
            return [(m["name"], z.read(m["entry"])) for m in manifest[:MAX_PARTS]]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PartsError("bad_parts", "已存储的分部分上传无法读取", f"The stored multi-part upload cannot be read ({exc})") from None


def joined_pdf(parts: Sequence[tuple[str, bytes]]) -> Optional[bytes]:
    """The parts' pages in one PDF, when every part is a PDF; None otherwise."""
    if not all(data[:5] == b"%PDF-" for _, data in parts):
        return None
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    try:
        for _, data in parts:
            src = pdfium.PdfDocument(data)
            try:
                out.import_pages(src)
            finally:
                src.close()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()


def read_parts_bounded(parts: Sequence[tuple[str, bytes]], limits) -> Document:
    """Each part read in a bounded worker (service/bounded.py), the parts joined into one document."""
    from indexing.read.multi import merge_documents
    from service.bounded import read_bounded

    docs = [read_bounded(data, name, limits) for name, data in parts]
    return docs[0] if len(docs) == 1 else merge_documents(docs)


def prepare(parts: Sequence[tuple[str, bytes]], limits) -> tuple[Document, bytes, Optional[bytes]]:
    """(joined document, the container to store, the joined PDF or None) of an upload of parts.
    Raises ReadError (with both languages) for too many parts or a part that cannot be read."""
    if len(parts) > MAX_PARTS:
        raise too_many_parts(len(parts))
    parts = order_parts(parts)
    doc = read_parts_bounded(parts, limits)
    try:
        pdf = joined_pdf(parts)
    except Exception:  # noqa: BLE001 - pdfplumber read it but pdfium cannot join it: no page images
        log.warning("the parts of %s could not be joined into one PDF; no page images", doc.source)
        pdf = None
    return doc, pack(parts), pdf


def read_stored(data: bytes, suffix: str, source: str, limits) -> Document:
    """A stored upload read again (after a restart): one file, or the container of parts."""
    from service.bounded import read_bounded

    if suffix == PARTS_SUFFIX:
        return read_parts_bounded(unpack(data), limits)
    return read_bounded(data, source, limits)
