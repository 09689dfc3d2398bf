"""What the HTTP service does, independent of HTTP: upload → read → check → index, and answering.

One `Pipeline` per process. Uploads are read at once in a bounded worker process, off the request
loop (a bad file is refused at once with its reason), then checked (a worker process) and
embedded (the embedding worker process, service/embed_worker.py) by a background thread, so no
request waits on that work. The index (SQLite + Chroma) is shared between that thread and the
request threads under one lock, held only for the short write of a prepared document.

This module holds the service's lifecycle and ingestion; answering is service/pipeline_answers.py
(AnswerDesk) and the documents and their findings service/pipeline_documents.py (DocumentDesk).
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path
from typing import Optional

from indexing.model import Document
from indexing.read import document_id
from indexing.read.errors import ReadError
from service.bounded import CheckTimeout, Limits, check_bounded, read_bounded
from service.config import ServerSettings, get_config
from service.errors import ApiError
from service import upload_parts
from service.jobs import Job, JobStore, atomic_write
from service.pipeline_answers import AnswerDesk, warm_answerer, with_footnotes  # noqa: F401 - with_footnotes: importable here
from service.pipeline_documents import DocumentDesk

log = logging.getLogger("budgetqa.service")

# How a reading error maps to HTTP: the file is too big, of the wrong kind, or unreadable.
_READ_STATUS = {"too_large": 413, "unsupported_type": 415, "empty_file": 400, "document_too_big": 413,
                "too_many_pages": 413, "too_many_parts": 413}


def _api_error(exc: ReadError) -> ApiError:
    return ApiError(_READ_STATUS.get(exc.code, 422), exc.code, exc.zh, exc.en)


class Pipeline(AnswerDesk, DocumentDesk):
    def __init__(self, settings: ServerSettings, index=None):
        self.settings = settings
        self.jobs = JobStore(settings.data_dir)
        self._index = index
        self._lock = threading.RLock()
        self._queue: "queue.Queue[Optional[str]]" = queue.Queue()
        self._parsed: dict[str, Document] = {}  # job id → document read at upload, so the worker need not re-read
        self._worker: Optional[threading.Thread] = None
        self._qa = None  # the answering chain over the index: built on first question, then kept in step
        self.limits = Limits.of(settings)  # what one document may cost (service/bounded.py)
        self._sources = None  # documents and PDFs for the page view and structured citations
        self._embedder = None  # the embedding worker process (service/embed_worker.py), started with the service

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def index(self):
        with self._lock:
            if self._index is None:
                from indexing.ingest import Index

                self._index = Index.open(self.settings.data_dir)  # the data folder's one index
            return self._index

    def start(self) -> None:
        if self._worker is not None:
            return
        self.index  # load the model and recover a crashed ingestion before serving
        from service.bounded import preload

        preload()  # the worker processes' fork server, started before the first upload
        self.embedder.start()  # the model loaded in its own process before the first upload
        for job in self.jobs.unfinished():  # interrupted by a restart: do it again (idempotent)
            self._queue.put(job.id)
        self._worker = threading.Thread(target=self._run, name="budgetqa-ingest", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=30)
            self._worker = None
        if self._embedder is not None:
            self._embedder.stop()

    @property
    def embedder(self):
        if self._embedder is None:
            from service.embed_worker import EmbedWorker

            self._embedder = EmbedWorker(self.index)
        return self._embedder

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

    def health(self) -> dict:
        counts = self.index.counts()
        return {"status": "ok", "documents": counts.get("documents", 0), "chunks": counts.get("chunks", 0),
                "queued_jobs": self._queue.qsize(), "llm": get_config().llm_enabled}

    # -- ingestion ----------------------------------------------------------------------------------

    def submit(self, name: str, data: bytes) -> Job:
        """Read now, in a worker process killed past BUDGETQA_PARSE_TIMEOUT (errors go straight back
        to the caller); check and index in the background. The same disclosure uploaded before
        (department, year, kind, level) is named in the job: replaced once this one is indexed, or
        kept beside it as a version (BUDGETQA_DUPLICATES)."""
        try:
            doc = read_bounded(data, name, self.limits)
        except ReadError as exc:
            raise _api_error(exc) from None
        return self._enqueue(doc, name, ".pdf" if doc.format == "pdf" else ".txt", data)

    def submit_parts(self, parts: list[tuple[str, bytes]]) -> Job:
        """Several files that are one disclosure (情况说明 + 报表): read and joined now, stored as one
        container with their pages as one PDF (service/upload_parts.py), then checked and indexed
        as one document, as `budgetqa parse A.pdf B.pdf` reads them."""
        if len(parts) == 1:
            return self.submit(*parts[0])
        try:
            doc, container, pdf = upload_parts.prepare(parts, self.limits)
        except ReadError as exc:
            raise _api_error(exc) from None
        if pdf is not None:  # written before the job: a restart finds the pages with the parts
            atomic_write(self.jobs.upload_path(doc.id, ".pdf"), pdf)
        return self._enqueue(doc, doc.source, upload_parts.PARTS_SUFFIX, container)

    def _enqueue(self, doc: Document, source: str, suffix: str, data: bytes) -> Job:
        job = self.jobs.add(doc.id, source, suffix, data, note=self._duplicate_note(doc))
        self._parsed[job.id] = doc
        self._queue.put(job.id)
        return job

    @staticmethod
    def disclosure_key(meta) -> Optional[tuple]:
        """What makes two files the same disclosure; None when the reader could not tell."""
        if not meta.department or not meta.year:
            return None
        return (meta.department, meta.year, meta.kind, meta.level)

    def _duplicate_note(self, doc: Document) -> Optional[dict]:
        key = self.disclosure_key(doc.meta)
        if key is None:
            return None
        with self._lock:
            candidates = [r for r in self.index.documents() if r.doc_id != doc.id
                          and (r.department, r.year, r.kind) == key[:3]]
            same = [r for r in candidates if (d := self.index.document(r.doc_id)) is not None
                    and self.disclosure_key(d.meta) == key]
        if not same:
            return None
        dept, year, kind, level = key
        what = f"{dept}{year}年{level or ''}{kind or ''}"
        olds = "、".join(r.source for r in same)
        if self.settings.duplicates == "replace":
            zh = f"已有同一公开文件（{what}）：{olds}；本文件索引完成后将替换旧文件（设置 BUDGETQA_DUPLICATES=keep 可保留为多个版本）"
            en = (f"The same disclosure ({dept}, {year}, {kind or '?'}, {level or '?'}) is already loaded as {olds}; "
                  "this upload replaces it once indexed (BUDGETQA_DUPLICATES=keep keeps both as versions)")
            action = "replaces"
        else:
            zh = f"已有同一公开文件（{what}）：{olds}；两份均保留为不同版本（文档列表的 versions 中列出）"
            en = (f"The same disclosure ({dept}, {year}, {kind or '?'}, {level or '?'}) is already loaded as {olds}; "
                  "both are kept as versions (listed under versions in the document list)")
            action = "kept_as_version"
        return {"duplicate": {"action": action, "of": [r.doc_id for r in same], "sources": [r.source for r in same],
                              "message_zh": zh, "message_en": en}}

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
        document) with the documents' key figures (warm_answerer) and the BM25 index (rebuilt after
        documents change: ~6 s at 1,000 documents)."""
        try:
            warm_answerer(self._answerer())
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
                doc = upload_parts.read_stored(path.read_bytes(), job.suffix, job.source, self.limits)
            self.jobs.update(job_id, "running", "check")
            self._check(doc)
            self.jobs.update(job_id, "running", "index")
            prepared = None if self.index.is_ready(doc.id) else self.embedder.prepare(doc)  # no lock held
            with self._lock:
                if prepared is not None:
                    self.index.commit(prepared)
                if self._qa is not None:
                    self._qa.add(doc)
            self._replace_older(job)
            self.jobs.update(job_id, "done", "done")
        except ReadError as exc:
            self.jobs.update(job_id, "failed", "read", exc.to_dict())
        except CheckTimeout as exc:
            self.jobs.update(job_id, "failed", "check", exc.to_dict())
        except Exception as exc:  # noqa: BLE001 - a job must end, never hang in "running"
            log.exception("job %s failed", job_id)
            self.jobs.update(job_id, "failed", "internal", {
                "code": "internal_error",
                "message_zh": f"处理失败：{type(exc).__name__}（已记录日志，原有数据未受影响）",
                "message_en": f"Processing failed: {type(exc).__name__} (logged; stored data is unaffected)",
            })
        return self.jobs.get(job_id)

    def _replace_older(self, job: Job) -> None:
        dup = (job.note or {}).get("duplicate")
        if not dup or dup.get("action") != "replaces":
            return
        for old in dup.get("of", []):
            if old != job.doc_id and self.delete(old):
                log.info("%s replaced %s (same disclosure)", job.doc_id[:12], old[:12])

    def _check(self, doc: Document) -> None:
        """Checked in a worker process, killed past BUDGETQA_CHECK_TIMEOUT (service/bounded.py)."""
        self.jobs.save_findings(doc.id, check_bounded(doc, self.limits))
        self.__dict__.get("_errors_cache", {}).pop(doc.id, None)

    def load_paths(self, paths: list[Path]) -> int:
        """Ingest files and folders synchronously (the main job's sample corpus). Returns how many
        documents are ready (new or already indexed); unreadable files are reported and skipped."""
        from tqdm import tqdm

        from indexing.ingest import expand

        ready = 0
        with self._lock:
            indexed = {r.doc_id for r in self.index.documents()}
        for path in tqdm(list(expand(paths)), desc="导入 / ingest", unit="doc"):
            data = Path(path).read_bytes()
            doc_id = document_id(data)
            if doc_id in indexed and self.jobs.findings_json(doc_id) is not None:
                ready += 1  # loaded at an earlier start: neither read, checked nor given a job again
                continue
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
