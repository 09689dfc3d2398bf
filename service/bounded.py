"""Bounded work: reading and checking one document run in a worker process, killed past a time
limit, and a document may not produce more characters, tables or chunks than configured.

One upload must not hold a core for minutes (a 5 MB text that looks like a disclosure became
35,088 chunks in a 139 s job). `read_bounded` and `check_bounded` run the work in a child of a
fork server started once (its children start in milliseconds, without the service's threads,
index or model), wait at most the configured seconds, and kill the child past them. Every refusal
is a `ReadError` (or `CheckTimeout`) with a Chinese and an English message that names the setting.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from indexing.model import Document
from indexing.read.errors import ReadError

_PRELOAD = ["indexing.read", "indexing.read.pdf", "indexing.read.text", "indexing.read.pdf_safety",
            "indexing.read.confidence", "indexing.chunks", "checking.check", "checking.reports.json"]
_ctx_lock = threading.Lock()
_ctx = None


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    max_chars: int = 500_000
    max_tables: int = 400
    max_chunks: int = 10_000
    parse_seconds: float = 120.0
    check_seconds: float = 120.0
    worker_memory_mb: int = 4096  # address-space limit of a worker (0: none)

    @classmethod
    def of(cls, settings) -> "Limits":
        return cls(**{k: getattr(settings, k) for k in cls.__dataclass_fields__ if hasattr(settings, k)})


class CheckTimeout(Exception):
    def __init__(self, zh: str, en: str, code: str = "check_timeout"):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en

    def to_dict(self) -> dict:
        return {"code": self.code, "message_zh": self.zh, "message_en": self.en}


def _context():
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _ctx = ctx
        return _ctx


# -- what a worker does --------------------------------------------------------------------------

def document_size(doc: Document) -> tuple[int, int, int]:
    """(characters, tables, chunks) a document produces."""
    from indexing.chunks import chunk_document

    chars = sum(len(s.text) for s in doc.sections) + sum(
        len(c.text) for t in doc.tables for r in t.rows for c in r.cells)
    return chars, len(doc.tables), len(chunk_document(doc))


def too_big(name: str, what_zh: str, what_en: str, n: int, limit: int, setting: str) -> ReadError:
    return ReadError(
        "document_too_big",
        f"文件内容超出上限：{name} 有 {n:,} 个{what_zh}，上限 {limit:,}（设置 BUDGETQA_{setting}）",
        f"The document exceeds a limit: {name} has {n:,} {what_en}, the limit is {limit:,} (setting BUDGETQA_{setting})",
    )


MAX_FIGURE_DIGITS = 20  # 10^20 元 is beyond any budget; Decimal's 28 digits stay enough for every sum


def implausible_figure(doc: Document) -> Optional[str]:
    """The raw text of the first figure with more than MAX_FIGURE_DIGITS digits, if any."""
    figures = [f for s in doc.sections for f in s.figures]
    figures += [c.figure for t in doc.tables for r in t.rows for c in r.cells if c.figure is not None]
    for f in figures:
        if f.value is not None and len(f.value.as_tuple().digits) > MAX_FIGURE_DIGITS:
            return f.raw or str(f.value)
    return None


def read_limited(data: bytes, name: str, limits: Limits) -> Document:
    """Read and enforce the size limits (a text's characters are counted before it is parsed)."""
    from indexing.read import decode_text, read_bytes

    if data.lstrip()[:5] != b"%PDF-":
        text = decode_text(data)
        if text is not None and len(text) > limits.max_chars:
            raise too_big(name, "字符", "characters", len(text), limits.max_chars, "MAX_CHARS")
    doc = read_bytes(data, name, max_bytes=limits.max_bytes, max_pages=limits.max_pages)
    if len(doc.tables) > limits.max_tables:
        raise too_big(name, "表格", "tables", len(doc.tables), limits.max_tables, "MAX_TABLES")
    figure = implausible_figure(doc)
    if figure is not None:
        raise ReadError(
            "implausible_figure",
            f"文件中有位数异常的数字“{figure[:40]}{'…' if len(figure) > 40 else ''}”（超过 {MAX_FIGURE_DIGITS} 位），"
            f"不像预算公开文件中的金额，已拒绝：{name}",
            f"The document holds a number of implausible length ('{figure[:40]}', over {MAX_FIGURE_DIGITS} digits), "
            f"not an amount a budget disclosure prints; refused: {name}")
    chars, _, chunks = document_size(doc)
    if chars > limits.max_chars:
        raise too_big(name, "字符", "characters", chars, limits.max_chars, "MAX_CHARS")
    if chunks > limits.max_chunks:
        raise too_big(name, "索引片段", "index chunks", chunks, limits.max_chunks, "MAX_CHUNKS")
    return doc


def _read_task(data: bytes, name: str, limits: Limits) -> str:
    return read_limited(data, name, limits).to_json()


def _check_task(doc_json: str) -> str:
    from checking.check import check_document
    from checking.findings import Report
    from checking.reports.json import to_json

    return to_json(Report(documents=[check_document(Document.from_json(doc_json))]))


def _child(conn, fn: Callable, args: tuple, memory_mb: int) -> None:
    try:
        if memory_mb:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        conn.send(("ok", fn(*args)))
    except ReadError as exc:
        conn.send(("read_error", exc.to_dict()))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent by name, never a traceback to users
        import traceback

        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
        logging.getLogger("budgetqa.service").error("worker failed", exc_info=exc)
        conn.send(("crash", f"{type(exc).__name__}{where}"))
    finally:
        conn.close()


def run_in_worker(fn: Callable, args: tuple, seconds: float, memory_mb: int = 0) -> tuple[str, Any]:
    """(status, value): status "ok", "read_error", "memory", "crash", "timeout" or "died"."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(seconds):
            try:
                return parent.recv()
            except EOFError:
                return "died", proc.exitcode
        return "timeout", None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


# A parser's exception name is no message for a user ("无法解析：x.pdf（PSEOF）"): said in words.
_DETAILS = {
    "PSEOF": ("文件在中途结束，可能下载或复制不完整", "the file ends too early; it may be truncated"),
    "PSSyntaxError": ("PDF 内部语法错误", "a syntax error inside the PDF"),
    "PDFSyntaxError": ("PDF 内部语法错误", "a syntax error inside the PDF"),
    "PDFNoValidXRef": ("PDF 的对象目录缺失或损坏", "the PDF's cross-reference table is missing or broken"),
    "PSTypeError": ("PDF 内部对象类型错误", "a wrong object type inside the PDF"),
}
_DETAIL_ZH = re.compile(r"（([A-Za-z_][A-Za-z0-9_.]*)）$")
_DETAIL_EN = re.compile(r" \(([A-Za-z_][A-Za-z0-9_.]*)\)$")


def plain_error(code: str, zh: str, en: str) -> ReadError:
    """The same error with a library's exception name (at the end of a corrupt_file message)
    replaced by words."""
    if code != "corrupt_file":
        return ReadError(code, zh, en)
    def words(m, lang: int) -> str:
        said = _DETAILS.get(m.group(1), ("PDF 内部结构无法解析", "its internal structure cannot be parsed"))[lang]
        return f"（{said}）" if lang == 0 else f" ({said})"

    return ReadError(code, _DETAIL_ZH.sub(lambda m: words(m, 0), zh), _DETAIL_EN.sub(lambda m: words(m, 1), en))


def read_bounded(data: bytes, name: str, limits: Limits) -> Document:
    status, value = run_in_worker(_read_task, (data, name, limits), limits.parse_seconds, limits.worker_memory_mb)
    if status == "ok":
        return Document.from_json(value)
    if status == "read_error":
        raise plain_error(value["code"], value["message_zh"], value["message_en"])
    if status == "timeout":
        raise ReadError(
            "parse_timeout",
            f"读取超时：{name} 超过 {limits.parse_seconds:g} 秒仍未读完，已停止（设置 BUDGETQA_PARSE_TIMEOUT）",
            f"Reading timed out: {name} was not read within {limits.parse_seconds:g} s and was stopped "
            "(setting BUDGETQA_PARSE_TIMEOUT)")
    if status == "memory":
        raise ReadError(
            "parse_memory",
            f"读取所需内存超出上限 {limits.worker_memory_mb} MB：{name}（设置 BUDGETQA_WORKER_MEMORY_MB）",
            f"Reading {name} needs more memory than the {limits.worker_memory_mb} MB limit "
            "(setting BUDGETQA_WORKER_MEMORY_MB)")
    raise ReadError(
        "corrupt_file",
        f"文件已损坏或格式不正确，无法解析：{name}（读取进程异常结束）",
        f"The file is corrupt or malformed and cannot be parsed: {name} (the reading process failed)")


def check_bounded(doc: Document, limits: Limits) -> str:
    """The checker's JSON report for `doc`, computed in a worker killed past the limit."""
    status, value = run_in_worker(_check_task, (doc.to_json(),), limits.check_seconds, limits.worker_memory_mb)
    if status == "ok":
        return value
    if status == "timeout":
        raise CheckTimeout(
            f"核查超时：{doc.source} 超过 {limits.check_seconds:g} 秒仍未完成，已停止（设置 BUDGETQA_CHECK_TIMEOUT）",
            f"Checking timed out: {doc.source} was not checked within {limits.check_seconds:g} s and was stopped "
            "(setting BUDGETQA_CHECK_TIMEOUT)")
    raise CheckTimeout(f"核查失败：{doc.source}（核查进程异常结束：{value}）",
                       f"Checking failed: {doc.source} (the checking process failed: {value})", code="check_failed")


def preload() -> None:
    """Start the fork server now (its imports take a second or two), not on the first upload."""
    run_in_worker(os.getpid, (), 120)


def check_path_bounded(path, limits: Limits, use_llm: Optional[bool] = None):
    """`checking.check.check_path` with the service's bounds (for `budgetqa check`): the file is read
    and checked in workers killed past their limits; any refusal becomes the report's `error`.
    Returns (document or None, DocumentReport)."""
    return check_paths_bounded([path], limits, use_llm)


def check_paths_bounded(paths, limits: Limits, use_llm: Optional[bool] = None):
    """One disclosure published as one file or as several (情况说明 + 报表, grouped by
    indexing/read/multi.py `group_parts`): the parts are read, joined and checked as one document."""
    from checking.check import check_path

    paths = [Path(p) for p in paths]
    if len(paths) == 1 and (paths[0].suffix.lower() == ".json" or use_llm):  # a stored model, or the LLM hook
        return check_path(paths[0], use_llm=use_llm)
    parts = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > limits.max_bytes:
                from indexing.read import errors

                exc = errors.too_large(path.name, size, limits.max_bytes)
                return None, _failed(path.name, exc.zh, exc.en)
            parts.append((path.name, path.read_bytes()))
        except OSError:
            return None, _failed(path.name, f"找不到或无法打开文件：{path.name}", f"File not found or unreadable: {path.name}")
    return check_parts_bounded(parts, limits)


def _failed(source: str, zh: str, en: str, doc: Optional[Document] = None):
    from checking.findings import DocumentReport

    return DocumentReport(doc_id=doc.id if doc else "", source=source, format=doc.format if doc else "?",
                          error=f"{zh} / {en}")


def check_parts_bounded(parts, limits: Limits):
    """(document or None, DocumentReport) of a disclosure given as [(file name, bytes)]: each part read
    in a bounded worker, several parts joined (indexing/read/multi.py), the whole checked bounded."""
    from checking.findings import Report
    from indexing.read.multi import merge_documents

    source = " + ".join(name for name, _ in parts)
    docs = []
    try:
        for name, data in parts:
            docs.append(read_bounded(data, name, limits))
    except ReadError as exc:
        return None, _failed(source, exc.zh, exc.en)
    doc = docs[0] if len(docs) == 1 else merge_documents(docs)
    try:
        report = Report.model_validate_json(check_bounded(doc, limits)).documents[0]
    except CheckTimeout as exc:
        return doc, _failed(source, exc.zh, exc.en, doc)
    return doc, report
