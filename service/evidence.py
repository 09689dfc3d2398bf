"""Evidence for the answering stage: located text items and figures drawn from parsed Documents.

The chain only needs two callables, so retrieval is injected:
  retriever(question, filters) -> list[Evidence]      (hybrid retrieval once indexing/retrieve.py exists)
  figures(metric_labels, filters) -> list[FigureFact]  (the SQLite figures store once it exists)
`InMemoryEvidence` implements both over Documents in memory (narrative sentences + table rows),
scored with BM25 over character bigrams: no index, no model. It is the test provider and the
no-index fallback.

Text that reads like an instruction to a model ("忽略以上指令…", marked by the reader in
Section.instructions) is never a budget figure: such items are flagged `suspicious`, never quoted
by the default answerer and never used to ground a number.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Optional

from pydantic import BaseModel

from indexing.model import Document
from indexing.numbers import find_numbers, normalise_text
from indexing.read.injection import in_instruction, looks_like_instruction as _looks_like_instruction
from service.analyse import synonyms


class Evidence(BaseModel):
    id: str  # stable within one provider: "<doc8>:s3:2" / "<doc8>:t4:r7"
    text: str
    kind: str  # "sentence" | "row"
    doc_id: str
    source: str  # file name
    department: Optional[str] = None
    year: Optional[int] = None
    page: Optional[int] = None
    section_id: Optional[str] = None
    section: Optional[str] = None  # heading
    table_id: Optional[str] = None
    table: Optional[str] = None  # table title
    row: Optional[int] = None
    row_name: Optional[str] = None
    column: Optional[str] = None
    unit: Optional[str] = None  # unit of bare numbers in the text (table unit / narrative unit)
    total: bool = False  # a 合计/总计 row
    suspicious: bool = False  # reads like an instruction, not like a disclosure
    score: float = 0.0  # retrieval score: ranking only, never shown as a figure


class FigureFact(BaseModel):
    """A figure the documents state for a metric, with the item it stands in."""

    label: str  # the metric or row label as matched
    value: Decimal
    raw: str
    decimals: int
    unit: Optional[str] = None
    evidence: Evidence
    column: Optional[str] = None
    headline: bool = False  # the metric's cell in the document's standard table (key_figure_facts)


Retriever = Callable[[str, dict], list[Evidence]]
FiguresLookup = Callable[[list[str], dict], list[FigureFact]]

_SENT_SPLIT_RE = re.compile(r"(?<=[。！？!?])|\n")


def looks_like_instruction(text: str) -> bool:
    """One definition for reader, checker and answerer: indexing/read/injection.py."""
    return _looks_like_instruction(text)


def bigrams(text: str) -> list[str]:
    s = re.sub(r"[\s\d.,%，。：:；;、（）()“”\"|\-]+", "", normalise_text(text))
    return [s[i : i + 2] for i in range(len(s) - 1)] or ([s] if s else [])


# ---------------------------------------------------------------------------------------------
# Documents → evidence items


def items_of(doc: Document) -> list[Evidence]:
    meta = doc.meta
    base = dict(doc_id=doc.id, source=doc.source, department=meta.department, year=meta.year)
    tag = doc.id[:8]
    out: list[Evidence] = []
    for sec in doc.sections:
        pos = 0
        for n, sent in enumerate(_SENT_SPLIT_RE.split(sec.text)):
            start = sec.text.find(sent, pos) if sent else pos
            pos = max(pos, start + len(sent))
            if len(sent.strip()) < 4:
                continue
            page = sec.page
            for off, p in sec.page_offsets:
                if off <= start:
                    page = p
            out.append(Evidence(id=f"{tag}:{sec.id}:{n}", text=sent.strip(), kind="sentence", section_id=sec.id,
                                section=sec.heading, page=page, unit=meta.unit or "万元",
                                suspicious=looks_like_instruction(sent) or in_instruction(sec, start, start + len(sent)),
                                **base))
    for table in doc.tables:
        unit = table.unit or meta.table_unit or "万元"
        # The notes under a table and an empty table's 空表说明 are sentences of the document ("本部门
        # 无政府性基金预算…故本表为空表"): what the table says when its rows say nothing.
        notes = [n for n in [*table.notes, table.empty_note] if n and len(n.strip()) >= 4]
        for i, note in enumerate(notes):
            out.append(Evidence(id=f"{tag}:{table.id}:n{i}", text=note.strip(), kind="sentence", table_id=table.id,
                                table=table.title, section=table.title, unit=unit,
                                page=table.pages[-1] if table.pages else None,
                                suspicious=looks_like_instruction(note), **base))
        for row in table.rows:
            cells = [c.text for c in row.cells if c.text]
            if not cells:
                continue
            text = f"{table.title}｜" + "｜".join(cells)
            page = row.page or (table.pages[0] if table.pages else None)
            # a table with no unit line is in 万元, as the templates imply (indexing/key_figures.py reads it so)
            out.append(Evidence(id=f"{tag}:{table.id}:r{row.index}", text=text, kind="row", table_id=table.id,
                                table=table.title, row=row.index, row_name=row.name, page=page, total=row.is_total,
                                unit=table.unit or meta.table_unit or "万元", suspicious=looks_like_instruction(text), **base))
    return out


def _locked(method):
    """Run an InMemoryEvidence method under the store's lock."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class InMemoryEvidence:
    """Retriever + figures lookup over Documents held in memory.

    Items are kept per document, so a question about one document reads only that document's
    items, and documents can be added and removed without rebuilding the rest (the service adds
    each upload as it is indexed). BM25 statistics are recomputed lazily after a change. One lock
    keeps a question from reading a document half added or removed (the work is CPU-bound under
    the GIL either way, so it costs no parallelism)."""

    def __init__(self, docs: Iterable[Document] = ()):
        self._docs: dict[str, Document] = {}
        self._items: dict[str, list[Evidence]] = {}
        self._grams: dict[str, list[Counter]] = {}
        self._df: Counter = Counter()  # bigram -> number of items holding it
        self._lengths = 0  # bigrams over all items
        self._by_id: dict[str, Evidence] = {}
        self._key_sources: dict[str, dict] = {}  # doc id -> key_figure_sources(doc), computed on first use
        self._idf: Optional[dict[str, float]] = None  # None: stale after a change
        self._flat: Optional[list[Evidence]] = None
        self._lock = threading.RLock()
        for doc in docs:
            self.add(doc)

    def add(self, doc: Document) -> None:
        if doc.id in self._docs:
            return
        items = items_of(doc)
        grams = [Counter(bigrams(it.text)) for it in items]
        with self._lock:
            self._add(doc, items, grams)

    def _add(self, doc: Document, items: list[Evidence], grams: list[Counter]) -> None:
        self._docs[doc.id], self._items[doc.id], self._grams[doc.id] = doc, items, grams
        for g in grams:
            self._df.update(g.keys())
            self._lengths += sum(g.values())
        self._by_id.update((it.id, it) for it in items)
        self._idf = self._flat = None

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            return self._remove(doc_id)

    def _remove(self, doc_id: str) -> bool:
        if doc_id not in self._docs:
            return False
        del self._docs[doc_id]
        for it in self._items.pop(doc_id):
            self._by_id.pop(it.id, None)
        for g in self._grams.pop(doc_id):
            self._df.subtract(g.keys())
            self._lengths -= sum(g.values())
        self._df = +self._df  # drop the bigrams no item holds any more
        self._key_sources.pop(doc_id, None)
        self._idf = self._flat = None
        return True

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._docs

    def department_of(self, doc_id: str) -> Optional[str]:
        doc = self._docs.get(doc_id)
        return doc.meta.department if doc is not None else None

    def doc_items(self, doc_id: str) -> list[Evidence]:
        return self._items.get(doc_id, [])

    @property
    def docs(self) -> list[Document]:
        return list(self._docs.values())

    @property
    @_locked
    def items(self) -> list[Evidence]:
        if self._flat is None:
            self._flat = [it for items in self._items.values() for it in items]
        return self._flat

    def _stats(self) -> tuple[dict[str, float], float]:
        n = max(sum(len(v) for v in self._items.values()), 1)
        if self._idf is None:
            self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in self._df.items()}
        return self._idf, (self._lengths / n if self._items else 1.0)

    def _doc_ids(self, filters: dict) -> list[str]:
        """The documents a question may read: its doc_ids filter, else all."""
        wanted = filters.get("doc_ids")
        return [d for d in wanted if d in self._docs] if wanted else list(self._docs)

    # -- filters ----------------------------------------------------------------------------
    def _allowed(self, it: Evidence, filters: dict) -> bool:
        if filters.get("doc_ids") and it.doc_id not in filters["doc_ids"]:
            return False
        dept = filters.get("department")
        if dept and it.department and dept not in it.department and it.department not in dept:
            return False
        if filters.get("year") and it.year and it.year != filters["year"]:
            return False
        return True

    @_locked
    def departments(self) -> list[str]:
        return [d.meta.department for d in self._docs.values() if d.meta.department]

    # -- retrieval --------------------------------------------------------------------------
    @_locked
    def __call__(self, question: str, filters: Optional[dict] = None) -> list[Evidence]:
        """`filters`: doc_ids / department / year; hints k (default 8) and terms (words to boost)."""
        from service.search_query import scope_departments, search_query

        filters = filters or {}
        k = int(filters.get("k") or 8)
        # as the index is asked: the in-scope department's name selects nothing here either
        question = search_query(question, scope_departments(filters.get("department"), filters.get("doc_ids"),
                                                            self.department_of))
        q = Counter(bigrams(question))
        boosts = [b for b in filters.get("terms") or () if b]
        idf, avg = self._stats()
        scored = []
        for doc_id in self._doc_ids(filters):
            for it, g in zip(self._items[doc_id], self._grams[doc_id]):
                if not self._allowed(it, filters):
                    continue
                length = sum(g.values()) or 1
                s = 0.0
                for t, qc in q.items():
                    tf = g.get(t, 0)
                    if tf:
                        s += idf.get(t, 0) * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))
                s += sum(3.0 for b in boosts if b in it.text)
                if s > 0:
                    scored.append((s, it))
        scored.sort(key=lambda x: -x[0])
        return [it.model_copy(update={"score": round(s, 4)}) for s, it in scored[:k]]

    @_locked
    def rows(self, doc_id: str, table_id: str) -> list[Evidence]:
        """Every row of one table, in order, with the rows of tables of the same title that follow
        (a table continued over a page break); list questions show a whole table."""
        items = self._items.get(doc_id, [])
        title = next((it.table for it in items if it.table_id == table_id), None)
        return [it for it in items if it.kind == "row" and (it.table_id == table_id or (title and it.table == title))]

    # -- figures ----------------------------------------------------------------------------
    @_locked
    def figures(self, labels: list[str], filters: Optional[dict] = None) -> list[FigureFact]:
        """Figures stated for any of `labels`: table rows named so, "label…N万元" in sentences, and
        the headline figure of the metric in each document's standard table (`key_figure_facts`),
        which the row names alone miss in some layouts (a 三公 table with one row per year)."""
        filters = filters or {}
        out: list[FigureFact] = []
        for doc_id in self._doc_ids(filters):
            for it in self._items[doc_id]:
                if it.suspicious or not self._allowed(it, filters):
                    continue
                for label in labels:
                    fact = _fact_in(it, label)
                    if fact:
                        out.append(fact)
                        break
        seen = {(f.evidence.id, f.value) for f in out}
        for fact in self.key_figure_facts(labels, filters):
            if (fact.evidence.id, fact.value) not in seen:
                out.append(fact)
        return out

    @_locked
    def key_figure_facts(self, labels: list[str], filters: Optional[dict] = None) -> list[FigureFact]:
        """The metric's value in each document's standard table (indexing/key_figures.py), as the
        printed cell in its row: one fact per document, only where a table cell holds it."""
        key = next((k for metric, k in KEY_FIGURE_OF.items() if labels and labels[0] in synonyms(metric)), None)
        if key is None:
            return []
        filters = filters or {}
        out = []
        for doc_id in self._doc_ids(filters):
            fact = self._key_fact(self._docs[doc_id], key, labels[0])
            if fact is not None and self._allowed(fact.evidence, filters):
                out.append(fact)
        return out

    def _key_fact(self, doc: Document, key: str, label: str) -> Optional["FigureFact"]:
        from indexing.key_figures import key_figure_sources

        if doc.id not in self._key_sources:
            self._key_sources[doc.id] = key_figure_sources(doc)
        found = self._key_sources[doc.id].get(key)
        m = _TABLE_SOURCE.match(found[1]) if found else None
        if m is None:  # narrative, a blank cell or an empty table: no printed cell to cite
            return None
        table = next((t for t in doc.tables if t.id == m["table"]), None)
        row = next((r for r in table.rows if r.index == int(m["row"])), None) if table else None
        cell = row.cell(m["column"]) if row else None
        item = self._by_id.get(f"{doc.id[:8]}:{m['table']}:r{m['row']}")
        if cell is None or cell.figure is None or cell.figure.value is None or item is None or item.suspicious:
            return None
        return FigureFact(label=label, value=cell.figure.value, raw=cell.figure.raw, decimals=cell.figure.decimals,
                          unit=table.unit or doc.meta.table_unit or "万元", evidence=item, column=cell.column,
                          headline=True)


_CLAUSE_END = "。；;，,："
# Metric (service/analyse.py) -> its headline figure in indexing/key_figures.py.
KEY_FIGURE_OF = {
    "三公经费": "三公经费合计", "因公出国(境)费": "因公出国(境)费", "公务接待费": "公务接待费",
    "公务用车购置及运行费": "公务用车购置及运行费", "公务用车购置费": "公务用车购置费",
    "公务用车运行维护费": "公务用车运行维护费", "人员经费": "人员经费", "公用经费": "公用经费",
    "基本支出": "基本支出", "项目支出": "项目支出", "收入总计": "收入总计", "支出总计": "支出总计",
    "上年结转": "上年结转", "机关运行经费": "机关运行经费", "政府采购": "政府采购预算",
}
_TABLE_SOURCE = re.compile(r"^table (?P<table>\S+) row (?P<row>\d+)(?: 「[^」]*」)? column (?P<column>.+)$")


def _own_mention(text: str, label: str) -> int:
    """Where `label` is mentioned as itself: '支出预算' in '项目支出预算' or '机关运行经费支出预算' belongs
    to the metric named right before it (a mention that overlaps or ends where the label starts)."""
    from service.analyse import find_metrics

    if label not in text:
        return -1
    spans = [(pos, pos + len(surface)) for pos, _, surface in find_metrics(text)]
    start = 0
    while (i := text.find(label, start)) >= 0:
        if not any(a < i <= b for a, b in spans):
            return i
        start = i + 1
    return -1


def _fact_in(it: Evidence, label: str) -> Optional[FigureFact]:
    text = it.text
    if it.kind == "row":
        name = (it.row_name or "").replace(" ", "")
        # the 合计 line of a table named after the metric (readers may drop its label: unnamed row)
        if _own_mention(it.table or "", label) >= 0 and (it.total or not name or re.fullmatch(r"合计|总计", name)):
            name = label
        if name and (name == label or re.sub(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）", "", name) == label):
            at = text.find(it.row_name or "", len(it.table or "")) if it.row_name else -1
            start = at + len(it.row_name) if at >= 0 else len(it.table or "")
            for n in find_numbers(text[start:]):  # numbers right of the row's name: not 序号/codes
                if n.value is not None and not (n.decimals == 0 and len(n.raw) >= 7):  # skip codes
                    return FigureFact(label=label, value=n.value, raw=n.raw, decimals=n.decimals,
                                      unit=n.unit or it.unit, evidence=it)
        return None
    i = _own_mention(text, label)
    if i < 0:
        return None
    tail = text[i + len(label) : i + len(label) + 24]
    for n in find_numbers(tail):
        between = tail[: n.start]
        if any(ch in between for ch in _CLAUSE_END) or re.search(r"20\d\d年|增|减|上升|下降|较|比", between):
            return None
        if n.unit in ("万元", "元", "亿元"):
            return FigureFact(label=label, value=n.value, raw=n.raw, decimals=n.decimals, unit=n.unit, evidence=it)
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Reading documents


def load_documents(paths: Iterable[str | Path]) -> list[Document]:
    from indexing.read import read_document

    return [read_document(Path(p)) for p in paths]
