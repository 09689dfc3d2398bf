"""The semantic layer on an evidence provider (service/evidence.InMemoryEvidence): the documents a
question's filters leave in scope, one cached `Resolver` per document, and the evidence item (a
table row or a narrative sentence) that cites a resolved quantity.

A document's id is the hash of its bytes, so a resolver cached under that id stays right for as
long as the id exists; the cache is bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Optional

from service.semantic.quantity import Quantity
from service.semantic.resolve import Resolver

_CACHE: "OrderedDict[str, Resolver]" = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 4096


def resolver_for(doc) -> Resolver:
    with _LOCK:
        r = _CACHE.get(doc.id)
        if r is not None:
            _CACHE.move_to_end(doc.id)
            return r
    r = Resolver(doc)
    with _LOCK:
        _CACHE[doc.id] = r
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return r


def provider_of(figures) -> Optional[object]:
    """The provider behind a figures lookup: the chain is handed `provider.figures` (a bound method);
    a plain callable has no documents, and answering then works on evidence items alone."""
    owner = getattr(figures, "__self__", None)
    return owner if owner is not None and hasattr(owner, "doc_items") and hasattr(owner, "docs") else None


def documents_in_scope(provider, filters: dict) -> list:
    """The documents the filters allow (doc_ids, department as any part of the name either way, year)."""
    wanted = filters.get("doc_ids")
    dept, year = filters.get("department"), filters.get("year")
    out = []
    for doc in provider.docs:
        if wanted and doc.id not in wanted:
            continue
        d = doc.meta.department
        if dept and d and dept not in d and d not in dept:
            continue
        if year and doc.meta.year and doc.meta.year != year:
            continue
        out.append(doc)
    return out


def evidence_of(provider, q: Quantity):
    """The row item of a table quantity, the sentence item of a narrative one (None: nothing to cite)."""
    items = provider.doc_items(q.doc_id)
    if q.table_id is not None and q.row is not None:
        return next((it for it in items if it.kind == "row" and it.table_id == q.table_id and it.row == q.row), None)
    if q.table_id is not None:  # an empty table: its first row, or nothing
        return next((it for it in items if it.kind == "row" and it.table_id == q.table_id), None)
    if q.section_id is not None:
        cands = [it for it in items if it.kind == "sentence" and it.section_id == q.section_id]
        for it in cands:
            if q.sentence and (it.text in q.sentence or q.sentence in it.text) and (not q.raw or q.raw in it.text):
                return it
        return next((it for it in cands if q.raw and q.raw in it.text), None)
    return None


def stated_facts(figures, labels: list[str], doc_id: str) -> list:
    """`figures(labels, {"doc_ids": [doc_id]})`: the figures stated for any of `labels` in one document.
    On the in-memory provider's own lookup, the same facts read without trying every item: an item
    gives a fact for a label only where its table title, its row name or its text writes the label
    (service/evidence._fact_in), so the others are skipped before parsing (a ranking asks this of
    every document the key figures leave without the metric)."""
    from service.evidence import InMemoryEvidence, _fact_in

    owner = getattr(figures, "__self__", None)
    if not isinstance(owner, InMemoryEvidence) or getattr(figures, "__func__", None) is not InMemoryEvidence.figures:
        return figures(labels, {"doc_ids": [doc_id]})
    out = []
    for it in owner.doc_items(doc_id):
        if it.suspicious:
            continue
        where = (it.table or "", (it.row_name or "").replace(" ", ""), it.text)
        for label in labels:
            if any(label in w for w in where) and (fact := _fact_in(it, label)):
                out.append(fact)
                break
    seen = {(f.evidence.id, f.value) for f in out}
    return out + [f for f in owner.key_figure_facts(labels, {"doc_ids": [doc_id]}) if (f.evidence.id, f.value) not in seen]
