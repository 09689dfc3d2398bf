"""What the HTTP service does, independent of HTTP: upload → read → check → index, and answering.

One `Pipeline` per process. Uploads are read synchronously (a bad file is refused at once with
its reason), then checked and indexed by a single background worker, so a slow embedding never
blocks a request. The index (SQLite + Chroma) is shared between the worker and request threads
under one lock; reads are fast, and only ingestion holds it for long.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator, Optional

from indexing.model import Document
from indexing.read import read_bytes
from indexing.read.errors import ReadError
from service.config import ServerSettings, get_config
from service.errors import ApiError
from service.jobs import Job, JobStore

log = logging.getLogger("budgetqa.service")

# How a reading error maps to HTTP: the file is too big, of the wrong kind, or unreadable.
_READ_STATUS = {"too_large": 413, "unsupported_type": 415, "empty_file": 400}


def _api_error(exc: ReadError) -> ApiError:
    return ApiError(_READ_STATUS.get(exc.code, 422), exc.code, exc.zh, exc.en)


class Pipeline:
    def __init__(self, settings: ServerSettings, index=None):
        self.settings = settings
        self.jobs = JobStore(settings.data_dir)
        self._index = index
        self._lock = threading.RLock()
        self._queue: "queue.Queue[Optional[str]]" = queue.Queue()
        self._parsed: dict[str, Document] = {}  # job id → document read at upload, so the worker need not re-read
        self._worker: Optional[threading.Thread] = None
        self._qa = None  # the answering chain over the index: built on first question, then kept in step
        self._sources = None  # documents and PDFs for the page view and structured citations

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def index(self):
        with self._lock:
            if self._index is None:
                from indexing.ingest import Index
                from indexing.settings import Settings

                self._index = Index.open(settings=Settings.from_env(data_dir=self.settings.data_dir / "index"))
            return self._index

    def start(self) -> None:
        if self._worker is not None:
            return
        self.index  # load the model and recover a crashed ingestion before serving
        for job in self.jobs.unfinished():  # interrupted by a restart: do it again (idempotent)
            self._queue.put(job.id)
        self._worker = threading.Thread(target=self._run, name="budgetqa-ingest", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=30)
            self._worker = None

    @property
    def sources(self):
        if self._sources is None:
            from service.citations import Sources

            self._sources = Sources(self.document, self.pdf_path)
        return self._sources

    def pdf_path(self, doc_id: str) -> Optional[Path]:
        """The uploaded PDF of a document; None for converted text or a document without its upload."""
        path = self.jobs.upload_path(doc_id, ".pdf")
        return path if path.exists() else None

    def _cite(self, result):
        """Boxes, cells and headers for each citation of an answer (service/citations.py)."""
        used: dict[int, list[str]] = {}
        for f in getattr(result, "figures", None) or []:
            if f.citation is not None:
                used.setdefault(f.citation, []).append(f.value)
        for c in result.citations:
            try:
                done = self.sources.complete(c.model_dump(mode="json"), used.get(c.n))
            except Exception:  # noqa: BLE001 - a citation without a box still reads
                log.exception("citation %s not located", c.n)
                continue
            for key in ("column", "box", "boxes", "cells", "quote_with_headers"):
                setattr(c, key, done.get(key, getattr(c, key)))
        return result

    def health(self) -> dict:
        counts = self.index.counts()
        return {"status": "ok", "documents": counts.get("documents", 0), "chunks": counts.get("chunks", 0),
                "queued_jobs": self._queue.qsize(), "llm": get_config().llm_enabled}

    # -- ingestion ----------------------------------------------------------------------------------

    def submit(self, name: str, data: bytes) -> Job:
        """Read now (errors go straight back to the caller), check and index in the background."""
        try:
            doc = read_bytes(data, name, max_bytes=self.settings.max_upload_bytes, max_pages=self.settings.max_pages)
        except ReadError as exc:
            raise _api_error(exc) from None
        suffix = ".pdf" if doc.format == "pdf" else ".txt"
        job = self.jobs.add(doc.id, name, suffix, data)
        self._parsed[job.id] = doc
        self._queue.put(job.id)
        return job

    def _run(self) -> None:
        self._warm()
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            self.process(job_id)
            if self._queue.empty():  # idle: one rebuild after a burst of uploads, not one per upload
                self._warm()

    def _warm(self) -> None:
        """Build what the next question would otherwise wait for: the answerer (it reads every
        document) and the BM25 index (rebuilt after documents change: ~6 s at 1,000 documents)."""
        try:
            self._answerer()
            with self._lock:
                self.index.warm()
        except Exception:  # noqa: BLE001 - the next question will try again and report
            log.exception("warm-up failed")

    def process(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        try:
            doc = self._parsed.pop(job_id, None)
            if doc is None:  # resumed after a restart: read the stored upload again
                self.jobs.update(job_id, "running", "read")
                path = self.jobs.upload_path(job.doc_id, job.suffix)
                doc = read_bytes(path.read_bytes(), job.source, max_pages=self.settings.max_pages)
            self.jobs.update(job_id, "running", "check")
            self._check(doc)
            self.jobs.update(job_id, "running", "index")
            with self._lock:
                self.index.ingest(doc)
                if self._qa is not None:
                    self._qa.add(doc)
            self.jobs.update(job_id, "done", "done")
        except ReadError as exc:
            self.jobs.update(job_id, "failed", "read", exc.to_dict())
        except Exception as exc:  # noqa: BLE001 - a job must end, never hang in "running"
            log.exception("job %s failed", job_id)
            self.jobs.update(job_id, "failed", "internal", {
                "code": "internal_error",
                "message_zh": f"处理失败：{type(exc).__name__}（已记录日志，原有数据未受影响）",
                "message_en": f"Processing failed: {type(exc).__name__} (logged; stored data is unaffected)",
            })
        return self.jobs.get(job_id)

    def _check(self, doc: Document) -> None:
        from checking.check import check_document
        from checking.findings import Report
        from checking.reports.json import to_json

        self.jobs.save_findings(doc.id, to_json(Report(documents=[check_document(doc)])))

    def load_paths(self, paths: list[Path]) -> int:
        """Ingest files and folders synchronously (the main job's sample corpus). Returns how many
        documents are ready (new or already indexed); unreadable files are reported and skipped."""
        from tqdm import tqdm

        from indexing.ingest import expand

        ready = 0
        for path in tqdm(list(expand(paths)), desc="导入 / ingest", unit="doc"):
            data = Path(path).read_bytes()
            try:
                job = self.submit(Path(path).name, data)
            except ApiError as exc:
                log.warning("skipped %s: %s", path, exc.en)
                continue
            self._queue_remove(job.id)
            done = self.process(job.id)
            ready += done.status == "done"
        return ready

    def _queue_remove(self, job_id: str) -> None:
        # load_paths runs jobs itself; take them back out of the worker's queue.
        with self._queue.mutex:
            try:
                self._queue.queue.remove(job_id)
            except ValueError:
                pass

    # -- documents ------------------------------------------------------------------------------

    def documents(self) -> list[dict]:
        with self._lock:
            records = self.index.documents()
        return [self.describe(r) for r in records]

    def describe(self, record) -> dict:
        counts = {"error": 0, "warning": 0, "info": 0}
        report = self.jobs.findings_json(record.doc_id)
        if report:
            for d in json.loads(report).get("documents", []):
                for f in d.get("findings", []):
                    counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return {"id": record.doc_id, "source": record.source, "department": record.department,
                "region": record.region, "year": record.year, "kind": record.kind,
                "chunks": record.n_chunks, "figures": record.n_figures, "findings": counts}

    def record(self, doc_id: str):
        with self._lock:
            return next((r for r in self.index.documents() if r.doc_id == doc_id), None)

    def document(self, doc_id: str) -> Optional[Document]:
        with self._lock:
            return self.index.document(doc_id)

    def delete(self, doc_id: str) -> bool:
        with self._lock:
            gone = self.index.delete(doc_id)
            if self._qa is not None:
                self._qa.remove(doc_id)
        if gone:
            self.jobs.forget(doc_id)
            self.sources.forget(doc_id)
        return gone

    def findings(self, doc_id: str, fmt: str) -> tuple[bytes, str]:
        from checking.findings import Report

        text = self.jobs.findings_json(doc_id)
        if text is None:  # indexed before checking existed, or findings lost: check again
            doc = self.document(doc_id)
            self._check(doc)
            text = self.jobs.findings_json(doc_id)
        report = Report.model_validate_json(text)
        if fmt == "json":
            return text.encode("utf-8"), "application/json"
        from service import desk

        if fmt == "pdf":
            return desk.annotated_pdf(self, doc_id), "application/pdf"
        decisions = desk.decisions_for(self, [doc_id])  # the inspectors' decisions (service/review.py)
        if fmt == "html":
            from checking.reports.html import to_html

            return to_html(report, decisions=decisions, review_base=f"/review/{doc_id}").encode("utf-8"), \
                "text/html; charset=utf-8"
        import tempfile

        from checking.reports.xlsx import write_xlsx

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "findings.xlsx"
            write_xlsx(report, out, decisions)
            return out.read_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    # -- answering ------------------------------------------------------------------------------

    def _answerer(self):
        with self._lock:
            if self._qa is None:
                from service.index_evidence import IndexQA

                self._qa = IndexQA(self.index, self._lock)
            return self._qa

    def ask(self, question: str, department=None, year=None, document_ids=None, mode=None) -> dict:
        result = self._answerer().ask(question, department=department, year=year, doc_ids=document_ids, mode=mode)
        return self._cite(result).model_dump(mode="json")

    def ask_stream(self, question: str, department=None, year=None, document_ids=None, mode=None
                   ) -> Iterator[tuple[str, dict]]:
        """Server-sent events: `token` pieces while the answer forms, then `result` (the grounded
        answer, which replaces the streamed text: only it has passed the guard)."""
        try:
            for item in self._answerer().stream(question, department=department, year=year,
                                                doc_ids=document_ids, mode=mode):
                if isinstance(item, str):
                    yield "token", {"text": item}
                else:
                    yield "result", self._cite(item).model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001 - the stream has started: report in-band
            log.exception("ask stream failed")
            yield "error", {"error": {"code": "internal_error", "message_zh": f"回答失败：{type(exc).__name__}",
                                      "message_en": f"Answering failed: {type(exc).__name__}"}}

    def search(self, query, k, department, year, table_type, document_id) -> list[dict]:
        with self._lock:
            hits = self.index.search(query, k=k, department=department, year=year, table_type=table_type,
                                     doc_id=document_id)
        return [h.to_dict() for h in hits]

    def figures(self, limit: int = 200, **filters) -> list[dict]:
        """Exact figures from the structured store (indexing/figures_store.py): every printed number
        with its table, row, column or sentence and page."""
        from indexing.figures_store import record_json

        with self._lock:
            records = self.index.figures.query(limit=limit, **{k: v for k, v in filters.items() if v not in (None, "")})
        return [self.sources.figure_place(record_json(r)) for r in records]

    # -- OpenAI-compatible chat ---------------------------------------------------------------------

    def chat(self, question: str, model: str) -> dict:
        result = self._cite(self._answerer().ask(question))
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": with_footnotes(result)}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": [c.model_dump(mode="json") for c in result.citations],
            "budgetqa": result.model_dump(mode="json"),
        }

    def chat_stream(self, question: str, model: str) -> Iterator[str]:
        """OpenAI streaming chunks. The grounded answer is sent as the content (the model's raw
        tokens are never sent here: an OpenAI client cannot take back a streamed number)."""
        result = self._cite(self._answerer().ask(question))
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

        def chunk(delta: dict, finish: Optional[str] = None, extra: Optional[dict] = None) -> str:
            body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(extra or {})}
            return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        text = with_footnotes(result)
        for start in range(0, len(text), 24):
            yield chunk({"content": text[start:start + 24]})
        yield chunk({}, "stop", {"citations": [c.model_dump(mode="json") for c in result.citations]})
        yield "data: [DONE]\n\n"


def with_footnotes(result) -> str:
    """The answer followed by its sources as numbered footnotes, for chat front-ends that only
    show text."""
    lines = [result.answer]
    if result.citations:
        lines.append("")
        lines.append("来源：")
        for c in result.citations:
            where = "，".join(x for x in (
                f"第{c.page}页" if c.page else "", c.table or "", f"行“{c.row_name}”" if c.row_name else "",
                f"列“{c.column}”" if c.column else "", c.section or "") if x)
            quote = getattr(c, "quote_with_headers", None) or c.quote
            lines.append(f"[{c.n}] {c.document}{('，' + where) if where else ''}：“{quote[:120]}”")
    return "\n".join(lines)
