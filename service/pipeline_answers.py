"""The answering half of the service (service/pipeline.Pipeline): questions, search, figures and
the OpenAI-compatible chat, each answer completed the same way before it leaves, with the
checker's findings flagged on the sentences it quotes and each citation located (boxes, cells,
headers).

A mixin: Pipeline provides `index`, `jobs`, `sources`, `_lock` and `_qa` (the answering chain over
the index, built on first question and kept in step with each document indexed or deleted).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Iterator, Optional

from service.errors import ApiError

log = logging.getLogger("budgetqa.service")


class AnswerDesk:
    # -- completing an answer -------------------------------------------------------------------

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

    def _chat_answer(self, question: str, history: Optional[list[str]]):
        """The answer to the conversation's last question, read with what it keeps from the earlier
        ones (service/conversation.py): (result, the text a chat client shows)."""
        from service.conversation import carried
        from service.scope import catalog_of

        with self._lock:
            catalog = catalog_of(self.index.documents())
        kept = carried(history or [], question, catalog)
        result = self._answered(self._answerer().ask(question, **kept.filters()))
        if kept.note:
            result.scope = {**result.scope, "carried": kept.filters(), "carried_note": kept.note}
        return result, (f"（{kept.note}）\n" if kept.note else "") + with_footnotes(result)

    def chat(self, question: str, model: str, history: Optional[list[str]] = None) -> dict:
        result, text = self._chat_answer(question, history)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": [c.model_dump(mode="json") for c in result.citations],
            "budgetqa": result.model_dump(mode="json"),
        }

    def chat_stream(self, question: str, model: str, history: Optional[list[str]] = None) -> Iterator[str]:
        """OpenAI streaming chunks. The grounded answer is sent as the content (the model's raw
        tokens are never sent here: an OpenAI client cannot take back a streamed number)."""
        result, text = self._chat_answer(question, history)
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

        def chunk(delta: dict, finish: Optional[str] = None, extra: Optional[dict] = None) -> str:
            body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(extra or {})}
            return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        for start in range(0, len(text), 24):
            yield chunk({"content": text[start:start + 24]})
        yield chunk({}, "stop", {"citations": [c.model_dump(mode="json") for c in result.citations]})
        yield "data: [DONE]\n\n"


def warm_answerer(qa) -> None:
    """Compute now what the first ranking across departments would otherwise compute while a user
    waits: every document's key figures with their sources (service/evidence.py keeps them per
    document; 0.7 s at 1,000 documents, bench/answer_latency.py). Any metric with a key figure does:
    the sources of all key figures of a document are read at once."""
    from service.evidence import KEY_FIGURE_OF

    qa.memory.key_figure_facts([next(iter(KEY_FIGURE_OF))])


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
