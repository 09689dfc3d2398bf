"""Active content in a PDF: JavaScript, launch actions, embedded files, forms that submit.

A budget disclosure is text and tables; it has no reason to run code, start a program or carry a
file. The service reads only text, so such content is never executed here, but a PDF that carries
it is refused (the upload is also stored and served back): `check_pdf` raises a ReadError naming
what it found. Every object is looked at, those packed in compressed object streams too (pdfminer
resolves them, and decodes names written with #xx escapes such as /J#53). The raw bytes are not
searched: compressed page streams hold "/JS" by chance (a real disclosure did).
"""

from __future__ import annotations

import io
import re
import time
from typing import Iterable

from indexing.read.errors import ReadError

# Keys and action types that make a PDF active, with the words a user reads.
_KEYS = {
    "JavaScript": ("JavaScript 脚本", "JavaScript"),
    "JS": ("JavaScript 脚本", "JavaScript"),
    "Launch": ("启动外部程序的动作", "a launch action"),
    "EmbeddedFile": ("嵌入的文件", "an embedded file"),
    "EmbeddedFiles": ("嵌入的文件", "an embedded file"),
    "RichMedia": ("富媒体（Flash 等）", "rich media"),
    "ImportData": ("导入数据的动作", "an import-data action"),
    "SubmitForm": ("提交表单的动作", "a submit-form action"),
    "XFA": ("XFA 动态表单", "an XFA form"),
}
MAX_OBJECTS = 200_000
MAX_SECONDS = 20.0


def _object_names(data: bytes) -> set[str]:
    """Names used as keys or action types in any object, including objects inside object streams."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSLiteral

    found: set[str] = set()
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
    except Exception:  # noqa: BLE001 - unreadable structure: the reader reports it
        return found
    t0, seen = time.monotonic(), 0

    def names_in(obj, depth: int = 0) -> Iterable[str]:
        """Keys and name values of an object and of the dictionaries and arrays written inside it
        (references are not followed: each indirect object is visited on its own)."""
        if depth > 32:
            return
        if isinstance(obj, PDFStream):
            obj = obj.attrs
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k if isinstance(k, str) else getattr(k, "name", "")
                yield from names_in(v, depth + 1)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                yield from names_in(v, depth + 1)
        elif isinstance(obj, PSLiteral):  # /S /JavaScript, /Type /EmbeddedFile
            yield obj.name if isinstance(obj.name, str) else obj.name.decode("latin-1", "replace")

    for xref in doc.xrefs:
        try:
            ids = list(xref.get_objids())
        except Exception:  # noqa: BLE001
            continue
        for objid in ids:
            seen += 1
            if seen > MAX_OBJECTS or time.monotonic() - t0 > MAX_SECONDS:
                return found
            try:
                obj = doc.getobj(objid)
            except Exception:  # noqa: BLE001 - a broken object is the reader's business
                continue
            found |= {n for n in names_in(obj) if n in _KEYS}
    return found


_HINTS = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|ImportData|SubmitForm|XFA|ObjStm)\b"
                    rb"|/[A-Za-z]*#[0-9A-Fa-f]{2}")


def active_content(data: bytes) -> list[str]:
    """The kinds of active content in a PDF (keys of _KEYS), sorted; [] for a plain document.

    A file whose bytes name none of them, has no object streams (which compress dictionaries) and
    no #-escaped names is plain without walking its objects (most disclosures: milliseconds)."""
    if not _HINTS.search(data):
        return []
    return sorted(_object_names(data))


def check_pdf(data: bytes, name: str) -> None:
    found = active_content(data)
    if not found:
        return
    zh = "、".join(dict.fromkeys(_KEYS[k][0] for k in found))
    en = ", ".join(dict.fromkeys(_KEYS[k][1] for k in found))
    raise ReadError(
        "unsafe_pdf",
        f"PDF 含有可执行或嵌入内容（{zh}），出于安全考虑拒绝处理：{name}。请上传不含脚本和附件的 PDF（如“打印为 PDF”另存）",
        f"The PDF carries active or embedded content ({en}) and is refused for safety: {name}. "
        "Please upload a PDF without scripts or attachments (e.g. re-save it with 'print to PDF')",
    )
