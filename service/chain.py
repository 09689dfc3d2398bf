"""The answering chain (LCEL): analyse → retrieve (chunks ∥ structured figures) → answer (default or
LLM) → ground → cite.

Retrieval is injected: `retriever(question, filters) -> list[Evidence]` and
`figures(labels, filters) -> list[FigureFact]`; `filters` holds doc_ids / department / year and the
hints k (how many items) and terms (metric words to boost), which a retriever may ignore.
`InMemoryEvidence` (service/evidence.py) provides both until the hybrid index exists.
"""

from __future__ import annotations


import re
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough
from pydantic import BaseModel, Field

from service import grounding
from service.analyse import Analysis, analyse
from service.answer import NO_INFO, Draft, answer_default, declines
from service.evidence import Evidence, FigureFact, InMemoryEvidence, load_documents
from service.scope import CatalogEntry, Scope, catalog_of, resolve_scope


class Citation(BaseModel):
    n: int  # the [n] marker in the answer text
    document: str  # file name
    doc_id: str
    department: Optional[str] = None
    year: Optional[int] = None
    page: Optional[int] = None
    section: Optional[str] = None
    table: Optional[str] = None
    row: Optional[int] = None
    row_name: Optional[str] = None
    column: Optional[str] = None
    quote: str
    # Where it stands, for the page view (service/citations.py fills these at the service boundary):
    table_id: Optional[str] = None
    section_id: Optional[str] = None
    box: Optional[tuple[float, float, float, float]] = None  # PDF points, page top-left (x0, top, x1, bottom)
    boxes: list[tuple[float, float, float, float]] = Field(default_factory=list)  # a sentence: one per line
    cells: list[dict] = Field(default_factory=list)  # a row: {column, header, text, cited}
    quote_with_headers: Optional[str] = None  # a row quoted with its column headers


class FigureUsed(BaseModel):
    label: str
    value: str  # Decimal as printed
    unit: Optional[str] = None
    citation: Optional[int] = None  # n of the Citation it comes from


class AnswerResult(BaseModel):
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    figures: list[FigureUsed] = Field(default_factory=list)
    arithmetic: list[str] = Field(default_factory=list)
    answerable: bool = True
    mode: str = "default"  # default | llm | llm→default (the LLM answer failed the guard)
    grounded: bool = True  # every number in `answer` was traced (after any removal/fallback)
    fallback: bool = False  # the guard replaced or cut the answer
    grounding_notes: list[str] = Field(default_factory=list)  # Chinese, for the user
    removed_figures: list[str] = Field(default_factory=list)  # numbers the guard took out
    analysis: dict = Field(default_factory=dict)
    scope: dict = Field(default_factory=dict)  # which departments / documents were answered for (service/scope.py)


def _scope(inp: dict, a: Analysis, catalog: Sequence[CatalogEntry]) -> Scope:
    """The documents the question is about (service/scope.py): the caller's filters narrow the
    catalogue, the question's department, year and kind narrow it further."""
    return resolve_scope(inp["question"], catalog, department=inp.get("department"), doc_ids=inp.get("doc_ids"),
                         year=inp.get("year"), kind=inp.get("kind"), across=a.qtype == "across")


def _filters(inp: dict, a: Analysis, scope: Optional[Scope] = None) -> dict:
    if scope is not None:
        return scope.filters()
    f = {"doc_ids": inp.get("doc_ids"), "year": inp.get("year"), "department": inp.get("department") or a.department}
    return {k: v for k, v in f.items() if v}


def build_chain(*args, **kwargs) -> Runnable:
    """The whole chain as one runnable: input {"question", optional doc_ids/department/year} → AnswerResult."""
    prepare, finish = build_chain_parts(*args, **kwargs)
    return (prepare | finish).with_config(run_name="budgetqa-answer")


def build_chain_parts(
    retriever: Callable[[str, dict], list[Evidence]],
    figures: Callable[[list[str], dict], list[FigureFact]],
    *,
    rows_lookup: Optional[Callable] = None,
    llm=None,  # an LLMAnswerer; None = the default answerer only
    departments: Iterable[str] = (),
    catalog: Optional[Callable[[], Sequence[CatalogEntry]]] = None,
    k: int = 12,
) -> tuple[Runnable, Runnable]:
    """(prepare, finish): analyse → scope → retrieve, then answer → ground → cite. Streaming runs
    prepare once, streams the model on its evidence, and hands the streamed text to finish.

    `catalog()` gives the indexed documents (service/scope.CatalogEntry; keep it cached): the scope
    of each question is read against it. A question whose department is ambiguous, or absent while
    several departments are loaded, is answered with the candidates and no figure; a question naming
    several departments is answered for each separately, never from a mix."""
    depts = list(departments)

    def do_analyse(inp: dict) -> dict:
        a = analyse(inp["question"], depts)
        if catalog is None:  # no catalogue (a caller of its own): the caller's filters alone
            return {**inp, "analysis": a, "scope": None, "filters": _filters(inp, a)}
        scope = _scope(inp, a, catalog())
        if scope.definite and a.qtype != "across":
            a.department = scope.department
            a.year = scope.year or a.year
        return {**inp, "analysis": a, "scope": scope, "filters": _filters(inp, a, scope)}

    def do_retrieve(x: dict) -> list[Evidence]:
        a: Analysis = x["analysis"]
        if a.qtype == "across" or not _answers_as_is(x):  # a ranking stands on every document's figure
            return []
        hints = {**x["filters"], "k": k, "terms": a.terms + _hint_terms(a)}
        return retriever(a.question, hints)

    def do_figures(x: dict) -> list[FigureFact]:
        """The asked metrics' figures, for the model's evidence. A ranking never goes to the model and
        looks up every document's figure itself: looking them all up here too would double its time."""
        a: Analysis = x["analysis"]
        if a.qtype == "across" or not _answers_as_is(x):
            return []
        labels = [s for m in a.metrics for s in _syn(m)]
        return figures(labels, x["filters"]) if labels else []

    def do_answer(x: dict) -> dict:
        a: Analysis = x["analysis"]
        default = lambda: answer_default(a, x["evidence"], figures, x["filters"], rows_lookup)  # noqa: E731
        if llm is None or a.qtype == "across":  # rankings need every document's figure: deterministic
            return {**x, "draft": default(), "default": default}
        items = _for_llm(x["evidence"], x["figures"], llm.config.top_k)
        try:
            if "llm_text" in x:  # streamed already (QAService.stream): ground what was shown
                draft = llm.draft_from_stream(x["llm_text"], items)
            else:
                draft = llm.answer(a, items)
        except Exception as exc:  # endpoint down or timed out: answer without the model, and say so
            return {**x, "draft": default(), "default": default,
                    "notes": [f"模型服务不可用（{type(exc).__name__}），已改用默认回答。"]}
        if not draft.text.strip() or _echoes_prompt(draft.text):  # a base model often just continues the prompt
            return {**x, "draft": default(), "default": default, "notes": ["模型没有给出有效回答，已改用默认回答。"]}
        return {**x, "draft": draft, "default": default}

    prepare = (
        RunnableLambda(do_analyse)
        | RunnablePassthrough.assign(evidence=RunnableLambda(do_retrieve), figures=RunnableLambda(do_figures))
    )
    answer = RunnableLambda(do_answer) | RunnableLambda(ground) | RunnableLambda(cite)

    def do_finish(x: dict) -> "AnswerResult":
        scope: Optional[Scope] = x["scope"]
        if scope is None:
            return answer.invoke(x)
        if _answers_as_is(x):
            return _with_scope(answer.invoke(x), scope)
        if scope.status in ("named", "selected") and len(scope.departments) > 1:
            parts = [(d, (prepare | answer).invoke({**_caller(x), "department": d, "doc_ids": list(scope.doc_ids)}))
                     for d in scope.departments]
            return _with_scope(merge_per_department(x["analysis"], parts), scope)
        return _with_scope(declined(x["analysis"], scope.clarification() or NO_INFO), scope)

    finish = RunnableLambda(do_finish)
    return prepare, finish


def _answers_as_is(x: dict) -> bool:
    """One department in scope (or a ranking across them): answer the question as asked."""
    return x["scope"] is None or x["scope"].definite or x["analysis"].qtype == "across"


def _caller(x: dict) -> dict:
    return {k: x[k] for k in ("question", "year", "kind") if x.get(k)}


def _with_scope(result: "AnswerResult", scope: Scope) -> "AnswerResult":
    result.scope = {"status": scope.status, "departments": list(scope.departments),
                    "candidates": list(scope.candidates), "year": scope.year, "kind": scope.kind,
                    "documents": list(scope.doc_ids)}
    if scope.notes:
        result.answer = result.answer.rstrip() + "\n" + "\n".join(scope.notes)
        result.grounding_notes = list(result.grounding_notes) + list(scope.notes)
    return result


def declined(a: Analysis, text: str) -> "AnswerResult":
    """An answer that names no figure: which departments the question could mean, or why none."""
    return AnswerResult(question=a.question, answer=text, answerable=False, analysis=a.model_dump())


def merge_per_department(a: Analysis, parts: list[tuple[str, "AnswerResult"]]) -> "AnswerResult":
    """One answer per department, one after the other under its name, citations renumbered."""
    texts, cits, figs, arithmetic, notes, removed = [], [], [], [], [], []
    for dept, r in parts:
        shift = len(cits)
        texts.append(f"【{dept}】" + re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + shift}]", r.answer))
        cits += [c.model_copy(update={"n": c.n + shift}) for c in r.citations]
        figs += [f.model_copy(update={"citation": None if f.citation is None else f.citation + shift})
                 for f in r.figures]
        arithmetic += r.arithmetic
        notes += r.grounding_notes
        removed += r.removed_figures
    return AnswerResult(
        question=a.question, answer="\n\n".join(texts), citations=cits, figures=figs, arithmetic=arithmetic,
        answerable=any(r.answerable for _, r in parts), mode=parts[0][1].mode if parts else "default",
        grounded=all(r.grounded for _, r in parts), fallback=any(r.fallback for _, r in parts),
        grounding_notes=notes, removed_figures=removed, analysis=a.model_dump())


def _echoes_prompt(text: str) -> bool:
    from service.llm import DATA_BEGIN, DATA_END

    return any(marker in text for marker in (DATA_BEGIN, DATA_END, "问题分析：", "<<<", ">>>"))


def _hint_terms(a: Analysis) -> list[str]:
    """Words that mark the wanted evidence: reasons for why, comparisons for compare, and for a
    lookup of something that is no metric (a project), its name and the 预算数 row of its table."""
    from service.analyse import RELATED

    extra = {"why": ["原因", "主要为"], "compare": ["相比", "较", "原因"], "list": ["项目"]}.get(a.qtype, [])
    if a.qtype in ("why", "compare"):
        extra += [r for m in a.metrics for r in RELATED.get(m, [])]
    if a.qtype == "lookup" and a.subject:
        extra += [a.subject, "预算数"]
    return extra


def _syn(metric: str) -> list[str]:
    from service.analyse import synonyms

    return synonyms(metric)


def _for_llm(evidence: list[Evidence], facts: list[FigureFact], n: int) -> list[Evidence]:
    """The structured figures' own items first (they hold the asked figure), then retrieved text."""
    out: list[Evidence] = []
    for ev in [f.evidence for f in facts[:2]] + list(evidence):
        if all(ev.id != o.id for o in out):
            out.append(ev)
    return out[:n]


def ground(x: dict) -> dict:
    """Every number of the answer must trace to the cited evidence (service/grounding.py)."""
    draft: Draft = x["draft"]
    a: Analysis = x["analysis"]
    notes = list(x.get("notes", []))
    report = grounding.check(draft.text, draft.cited, a.question)
    removed = [n.raw for n in report.ungrounded]
    fallback = False
    if not report.grounded:
        fallback = True
        if draft.mode == "llm":
            notes.append(grounding.NOTE_FALLBACK)
            draft = x["default"]()
            draft.mode = "llm→default"
            report = grounding.check(draft.text, draft.cited, a.question)
        if not report.grounded:  # the default answer must never need this; if it does, cut, don't show
            notes.append(grounding.NOTE_REMOVED)
            removed += [n.raw for n in report.ungrounded]
            text = grounding.strip_ungrounded(draft.text, report)
            draft = draft.model_copy(update={"text": text or NO_INFO})
            report = grounding.check(draft.text, draft.cited, a.question)
    if draft.mode == "llm" and declines(draft.text):
        draft.answerable = False
    draft.arithmetic = list(dict.fromkeys(draft.arithmetic + report.arithmetic))
    return {**x, "draft": draft, "grounded": report.grounded, "fallback": fallback, "notes": notes, "removed": removed}


def cite(x: dict) -> AnswerResult:
    draft: Draft = x["draft"]
    a: Analysis = x["analysis"]
    cits = [
        Citation(n=i, document=ev.source, doc_id=ev.doc_id, department=ev.department, year=ev.year, page=ev.page,
                 section=ev.section, table=ev.table, row=ev.row, row_name=ev.row_name, column=ev.column, quote=ev.text,
                 table_id=ev.table_id, section_id=ev.section_id)
        for i, ev in enumerate(draft.cited, 1)
    ]
    index = {ev.id: i for i, ev in enumerate(draft.cited, 1)}
    figs = [FigureUsed(label=f.label, value=f.value, unit=f.unit, citation=index.get(f.evidence_id)) for f in draft.figures]
    return AnswerResult(
        question=a.question, answer=draft.text, citations=cits, figures=figs, arithmetic=draft.arithmetic,
        answerable=draft.answerable, mode=draft.mode, grounded=x["grounded"], fallback=x["fallback"],
        grounding_notes=x["notes"], removed_figures=list(dict.fromkeys(x["removed"])), analysis=a.model_dump(),
    )


class QAService:
    """Documents in memory + the chain: what the CLI (and tests) use without an index."""

    def __init__(self, docs_or_paths: Iterable[Union[str, object]], llm=None, k: int = 12):
        items = list(docs_or_paths)
        docs = [d for d in items if not isinstance(d, (str, bytes)) and hasattr(d, "sections")]
        paths = [p for p in items if p not in docs]
        self.docs = docs + (load_documents(paths) if paths else [])
        self.provider = InMemoryEvidence(self.docs)
        self.llm = llm
        entries = catalog_of(self.docs)
        self.prepare, self.finish = build_chain_parts(
            self.provider, self.provider.figures, rows_lookup=self.provider.rows, llm=llm,
            departments=self.provider.departments(), catalog=lambda: entries, k=k)
        self.chain = (self.prepare | self.finish).with_config(run_name="budgetqa-answer")

    def ask(self, question: str, **filters) -> AnswerResult:
        return self.chain.invoke({"question": question, **filters})

    def stream(self, question: str, **filters) -> Iterator[Union[str, AnswerResult]]:
        """Yields the model's raw tokens (LLM mode), then the grounded AnswerResult built from that same
        streamed text. UIs must replace the streamed text by the result's `answer`: only that one has
        passed the guard."""
        x = self.prepare.invoke({"question": question, **filters})
        if self.llm is not None and x["analysis"].qtype != "across" and _answers_as_is(x):
            items = _for_llm(x["evidence"], x["figures"], self.llm.config.top_k)
            parts: list[str] = []
            try:
                for tok in self.llm.stream(x["analysis"], items):
                    parts.append(tok)
                    yield tok
            except Exception:  # endpoint failure mid-stream: do_answer falls back and says so
                pass
            else:
                x = {**x, "llm_text": "".join(parts)}
        yield self.finish.invoke(x)
