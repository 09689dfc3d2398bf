"""Answering over the persistent index: the service's evidence provider.

The answering chain works on sentence- and row-level evidence (service/evidence.py); the index
retrieves chunks (a few sentences under a heading, a table row, a whole small table, a big table's
notes). This module bridges the two: hybrid retrieval (BM25 + dense, indexing/retrieve.py) ranks
the chunks, and each chunk is expanded into the sentences, rows or table notes it holds, in rank
order, and that ranking is fused with the lexical in-memory ranking, so a question whose words the
index ranks low still finds its sentence. The index is asked the question as service/search_query.py
words it (colloquial words read as the templates', the in-scope department's name left out). Figures
and whole tables come from the documents themselves, so every number keeps its cell.
"""

from __future__ import annotations

import threading
from typing import Iterator, Optional, Union

from indexing.retrieve import RRF_K
from service.chain import AnswerResult, build_chain
from service.evidence import Evidence, InMemoryEvidence
from service.search_query import scope_departments, search_query


class IndexQA:
    def __init__(self, index, lock: Optional[threading.RLock] = None):
        self.index = index
        self.lock = lock or threading.RLock()
        with self.lock:
            docs = [index.document(r.doc_id) for r in index.documents()]
        self.memory = InMemoryEvidence()
        self._by_section: dict[tuple[str, str], list[Evidence]] = {}
        self._by_row: dict[tuple[str, str, int], Evidence] = {}
        self._notes: dict[tuple[str, str], list[Evidence]] = {}
        for doc in docs:
            if doc is not None:
                self.add(doc)
        self.llm = _llm()
        self._chains = {}

    # The service keeps one IndexQA and tells it about each document indexed or deleted: rebuilding
    # it reads every document again (seconds at a thousand documents).
    def add(self, doc) -> None:
        if doc.id in self.memory:
            return
        self.memory.add(doc)
        for it in self.memory.doc_items(doc.id):
            if it.kind == "sentence" and it.table_id:  # a table's note (service/evidence.items_of)
                self._notes.setdefault((it.doc_id, it.table_id), []).append(it)
            elif it.kind == "sentence":
                self._by_section.setdefault((it.doc_id, it.section_id), []).append(it)
            else:
                self._by_row[(it.doc_id, it.table_id, it.row)] = it
        self._chains = {}  # they hold the list of departments

    def remove(self, doc_id: str) -> None:
        if not self.memory.remove(doc_id):
            return
        self._by_section = {k: v for k, v in self._by_section.items() if k[0] != doc_id}
        self._by_row = {k: v for k, v in self._by_row.items() if k[0] != doc_id}
        self._notes = {k: v for k, v in self._notes.items() if k[0] != doc_id}
        self._chains = {}

    def chain(self, mode: Optional[str]):
        use_llm = self.llm is not None and mode != "default"
        if use_llm not in self._chains:
            self._chains[use_llm] = build_chain(
                self.retrieve, self.memory.figures, rows_lookup=self.memory.rows,
                llm=self.llm if use_llm else None, departments=self.memory.departments(),
                catalog=self.catalog,
            )
        return self._chains[use_llm]

    def catalog(self) -> list:
        """The indexed documents (service/scope.py reads each question against them), kept until a
        document is added or removed (the chains are rebuilt then too)."""
        if self._chains.get("catalog") is None:
            from service.scope import catalog_of

            with self.lock:
                self._chains["catalog"] = catalog_of(self.index.documents())
        return self._chains["catalog"]

    def retrieve(self, question: str, hints: dict) -> list[Evidence]:
        k = int(hints.get("k") or 12)
        doc_ids = hints.get("doc_ids")
        # the words naming the one department in scope select nothing inside it (service/search_query.py)
        question = search_query(question, scope_departments(hints.get("department"), doc_ids,
                                                            self.memory.department_of))
        with self.lock:
            hits = self.index.search(question, k=k, department=hints.get("department"), year=hints.get("year"),
                                     doc_id=list(doc_ids) if doc_ids else None)
        # Reciprocal-rank fusion of the index's ranking (expanded to sentences and rows) with the
        # lexical in-memory ranking: each catches what the other ranks low.
        ranked_index: list[Evidence] = [it for hit in hits for it in self._expand(hit)]
        ranked_memory = self.memory(question, hints)
        fused: dict[str, float] = {}
        items: dict[str, Evidence] = {}
        for ranking in (ranked_index, ranked_memory):
            seen: set[str] = set()
            for rank, it in enumerate(ranking):
                if it.id in seen:
                    continue
                seen.add(it.id)
                items[it.id] = it
                fused[it.id] = fused.get(it.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        order = sorted(fused, key=lambda i: -fused[i])
        return [items[i] for i in order[: max(k * 2, k + 8)]]

    def _expand(self, hit) -> list[Evidence]:
        meta, doc_id = hit.metadata, hit.doc_id
        kind = meta.get("chunk_kind")
        if kind == "section":
            piece = hit.text.split("\n", 1)[-1]
            return [it for it in self._by_section.get((doc_id, meta.get("section_id")), []) if it.text in piece]
        if kind == "row":
            row = self._by_row.get((doc_id, meta.get("table_id"), meta.get("row")))
            return [row] if row else []
        notes = self._notes.get((doc_id, meta.get("table_id")), [])
        if kind == "table":  # its rows, then its notes (an empty table: its 空表说明 alone)
            return self.memory.rows(doc_id, meta.get("table_id")) + notes
        if kind == "note":
            return [it for it in notes if it.text in hit.text]
        return []

    def ask(self, question: str, *, department=None, year=None, doc_ids=None, mode=None, kind=None) -> AnswerResult:
        inp = {"question": question, "department": department, "year": year, "doc_ids": doc_ids, "kind": kind}
        return self.chain(mode).invoke({k: v for k, v in inp.items() if v})

    def stream(self, question: str, *, department=None, year=None, doc_ids=None, mode=None, kind=None
               ) -> Iterator[Union[str, AnswerResult]]:
        """The model's raw tokens (LLM mode) while it writes, then the grounded result, which the
        client must show instead: only the result has passed the grounding guard."""
        if self.llm is not None and mode != "default":
            from service.analyse import analyse

            a = analyse(question, self.memory.departments())
            if a.qtype != "across":  # a ranking is always the deterministic answer: nothing to stream
                hints = {"k": self.llm.config.top_k, "terms": a.terms, "department": department or a.department,
                         "year": year, "doc_ids": doc_ids}
                yield from self.llm.stream(a, self.retrieve(question, hints))
        yield self.ask(question, department=department, year=year, doc_ids=doc_ids, mode=mode, kind=kind)


def _llm():
    """An LLM answerer when an endpoint is configured; None means the deterministic answerer."""
    from service.config import get_config

    cfg = get_config()
    if not cfg.llm_enabled:
        return None
    from service.llm import LLMAnswerer

    return LLMAnswerer(config=cfg)
