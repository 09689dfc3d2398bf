"""What the HTTP service does, independent of HTTP: upload → read → check → index, and answering.

One `Pipeline` per process. Uploads are read at once in a bounded worker process, off the request
loop (a bad file is refused at once with its reason), then checked (a worker process) and
embedded (the embedding worker process, service/embed_worker.py) by a background thread, so no
request waits on that work. The index (SQLite + Chroma) is shared between that thread and the
request threads under one lock, held only for the short write of a prepared document.
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
from indexing.read import document_id
from indexing.read.errors import ReadError
from service.bounded import CheckTimeout, Limits, check_bounded, read_bounded
from service.config import ServerSettings, get_config
from service.errors import ApiError
from service import upload_parts
from service.jobs import Job, JobStore, atomic_write

log = logging.getLogger("budgetqa.service")

# How a reading error maps to HTTP: the file is too big, of the wrong kind, or unreadable.
_READ_STATUS = {"too_large": 413, "unsupported_type": 415, "empty_file": 400, "document_too_big": 413,
                "too_many_pages": 413, "too_many_parts": 413}


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

    def _answered(self, result):
        return self._cite(self._flag_checked(result))

    def _error_quotes(self, doc_id: str) -> list[tuple[str, str]]:
        """(quoted narrative, message) of each error the checker found in a document, cached."""
        cache = self.__dict__.setdefault("_errors_cache", {})
        if doc_id not in cache:
            text = self.jobs.findings_json(doc_id)
            out = []
            for d in (json.loads(text).get("documents", []) if text else []):
                for f in d.get("findings", []):
                    if f.get("severity") != "error":
                        continue
                    for e in f.get("evidence", []):
                        if e.get("side") == "narrative" and e.get("quote"):
                            out.append((e["quote"], f.get("message", "")))
            cache[doc_id] = out
        return cache[doc_id]

    def _flag_checked(self, result):
        """An answer never quotes a sentence the checker marks as an error without saying so: each
        such citation gets a note in the answer (and in grounding_notes) with the finding."""
        notes = []
        for c in getattr(result, "citations", None) or []:
            quote = (c.quote or "").strip()
            if len(quote) < 6 or not c.doc_id:
                continue
            for found, message in self._error_quotes(c.doc_id):
                core = found[12:-12] if len(found) > 40 else found  # findings quote 12 characters either side
                if core and (core in quote or quote in found):
                    notes.append(f"注意：引文[{c.n}]所在语句经核查有误——{message}")
                    break
        if notes:
            result.answer = result.answer.rstrip() + "\n" + "\n".join(notes)
            result.grounding_notes = list(result.grounding_notes) + notes
        return result

    def _cite(self, result):
        """Boxes, cells and headers for each citation of an answer (service/citations.py)."""
        from service.citations import values_before_markers

        used: dict[int, list[str]] = values_before_markers(result.answer)
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

    # -- documents ------------------------------------------------------------------------------

    def documents(self) -> list[dict]:
        """Every document; `versions` names the others of the same department, year and kind (the
        same disclosure kept more than once, BUDGETQA_DUPLICATES=keep)."""
        with self._lock:
            records = self.index.documents()
        groups: dict[tuple, list[str]] = {}
        for r in records:
            if r.department and r.year:
                groups.setdefault((r.department, r.year, r.kind), []).append(r.doc_id)
        out = []
        for r in records:
            body = self.describe(r)
            body["versions"] = [d for d in groups.get((r.department, r.year, r.kind), []) if d != r.doc_id]
            out.append(body)
        return out

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

    def ask(self, question: str, department=None, year=None, document_ids=None, mode=None, kind=None) -> dict:
        result = self._answerer().ask(question, department=department, year=year, doc_ids=document_ids, mode=mode,
                                      kind=kind)
        return self._answered(result).model_dump(mode="json")

    def ask_stream(self, question: str, department=None, year=None, document_ids=None, mode=None, kind=None
                   ) -> Iterator[tuple[str, dict]]:
        """Server-sent events: `token` pieces while the answer forms, then `result` (the grounded
        answer, which replaces the streamed text: only it has passed the guard)."""
        try:
            for item in self._answerer().stream(question, department=department, year=year,
                                                doc_ids=document_ids, mode=mode, kind=kind):
                if isinstance(item, str):
                    yield "token", {"text": item}
                else:
                    yield "result", self._answered(item).model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001 - the stream has started: report in-band
            log.exception("ask stream failed")
            yield "error", {"error": {"code": "internal_error", "message_zh": f"回答失败：{type(exc).__name__}",
                                      "message_en": f"Answering failed: {type(exc).__name__}"}}

    def department(self, text: Optional[str]) -> Optional[str]:
        """A department filter as any unambiguous part of an indexed name (service/scope.py); one
        several departments share is refused with the candidates."""
        from service.scope import catalog_of, department_filter

        with self._lock:
            name, candidates = department_filter(text, catalog_of(self.index.documents()))
        if candidates:
            raise ApiError(400, "ambiguous_department", f"“{text}”可能指：{'、'.join(candidates)}，请写明是哪一个部门",
                           f"{text!r} fits several departments: {', '.join(candidates)}")
        return name

    def search(self, query, k, department, year, table_type, document_id) -> list[dict]:
        from service.search_query import search_query

        department = self.department(department)
        with self._lock:
            hits = self.index.search(search_query(query, [department] if department else []), k=k,
                                     department=department, year=year, table_type=table_type,
                                     doc_id=document_id)
        return [h.to_dict() for h in hits]

    def figures(self, limit: int = 200, **filters) -> list[dict]:
        """Exact figures from the structured store (indexing/figures_store.py): every printed number
        with its table, row, column or sentence and page."""
        from indexing.figures_store import record_json

        if filters.get("department"):
            filters["department"] = self.department(filters["department"])
        with self._lock:
            records = self.index.figures.query(limit=limit, **{k: v for k, v in filters.items() if v not in (None, "")})
        return [self.sources.figure_place(record_json(r)) for r in records]

    # -- OpenAI-compatible chat ---------------------------------------------------------------------

    def chat(self, question: str, model: str) -> dict:
        result = self._answered(self._answerer().ask(question))
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
        result = self._answered(self._answerer().ask(question))
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
