"""The default answerer: deterministic, no LLM. Composes the answer from structured figures, shown
Decimal arithmetic and verbatim quotes of the evidence, so every number in it is traceable.

The answer comes first: what the semantic layer (service/semantic/) computes from the cells of the
standard tables — the figure asked for in 万元, a share, a change, a sum or a ranking, with the
arithmetic shown — then the reasons quoted for why-questions, then the passages it stands on.
It never states a figure it did not read or compute: when neither the figures nor the retrieved
text hold what was asked, it says "文件未说明…" and quotes what the document does say nearby.
"""

import re
from typing import Callable, Optional

from indexing.numbers import find_numbers, parse_number
from service.analyse import Analysis
from service.draft import (  # noqa: F401 - the answer's vocabulary, imported from here by the chain and the LLM path
    CENT, NO_INFO, RANKING_SHOWN, Draft, UsedFigure, _amount, _Builder, declined, declines, window)
from service.evidence import Evidence, FigureFact
from service.passages import (_across, _compare, _compute, _distinct, _label_figure, _list, _metric_figures, _why,
                              _yes_no)

_PERSON_Q = re.compile(r"([\u4e00-\u9fff]{2})(?:人数|人员|在职人员)|多少人|几人")


def _unanswerable(a: Analysis, items: list[Evidence]) -> bool:
    """The question asks for something the retrieved text does not mention at all."""
    if not items:
        return True
    q = re.sub(r"\s+", "", a.question)
    m = _PERSON_Q.search(q)
    if m and not a.metrics:  # head-counts: the asked noun must stand next to a count of people
        nouns = [g for g in re.findall(r"([\u4e00-\u9fff]{2})(?:人数|人员|在职人员)", q) if g not in ("多少", "实有")] or ["人"]
        for it in items:
            if any(nn in it.text for nn in nouns) and any(n.unit in ("人", "名") for n in find_numbers(it.text)):
                return False
        return True
    return False


def _top_quotes(items: list[Evidence], n: int, need_number: bool = True) -> list[Evidence]:
    ok = [it for it in items if not it.suspicious and (not need_number or any(
        n.unit in ("万元", "元", "亿元", "%") or n.decimals > 0 for n in find_numbers(it.text)))]
    if not ok:
        return []
    best = ok[0].score
    return [it for it in ok if it.score >= best * 0.45][:n]


def answer_default(a: Analysis, items: list[Evidence], figures: Callable, filters: dict,
                   rows_lookup: Optional[Callable] = None) -> Draft:
    """`figures(labels, filters)` gives stated figures; `rows_lookup(doc_id, table_id)` (optional)
    gives every row of a table, for list questions. When `figures` is a provider's bound method
    (service/evidence.InMemoryEvidence.figures), the semantic layer answers on its documents."""
    from service.semantic.answering import semantic_answer
    from service.semantic.bridge import provider_of

    items = [it for it in items if not it.suspicious]
    provider = provider_of(figures)
    b = _Builder()
    sem = semantic_answer(a, provider, filters, b, figures) if provider is not None else None
    entity = _ENTITY.search(a.text or a.question)
    if entity and a.qtype != "across":  # who, which company, what contract: the templates never say
        near = b.draft().text
        out = declined(what=_clause(a.text or a.question, entity.start()), nearby=b.cited[:2] or items[:2],
                       terms=tuple(a.terms))
        if near:
            out.text = out.text.split("\n")[0] + "\n文件中与此相关的内容：\n" + near
            out.cited = b.cited
            out.figures, out.arithmetic = b.figures, b.arithmetic
        return out
    if a.qtype == "across":
        if sem is not None and sem.answered:
            return b.draft()
        return _across(a, figures) if provider is None else declined(what=_asked(a, sem))
    if sem is not None and not sem.answered and sem.missing and (sem.definite or (
            a.qtype in ("lookup", "compute", "compare") and not any(_metric_figures(m, figures, filters) for m in a.metrics))):
        return declined(what=_asked(a, sem), nearby=_top_quotes(items, 2, need_number=False), terms=tuple(a.terms))
    answered = sem is not None and sem.answered
    if not answered and a.qtype == "lookup" and not a.metrics and (sem is None or sem.missing) and not (
            a.subject and _subject_figure(a.subject, items)):
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    if not answered and _unanswerable(a, items):
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    if not answered:
        head = _heading(items)
        if head:
            b.lines.append(head)
    primary = {m: _distinct(_metric_figures(m, figures, filters)) for m in a.metrics}
    handler = {"why": _why, "compute": _compute, "compare": _compare, "list": _list, "yes_no": _yes_no}.get(a.qtype)
    if answered and handler in (_compute, _compare, _list, _yes_no):
        handler = None  # the semantic layer computed the share or the change from the cells
    if handler is _list:
        before = len(b.lines)
        _list(a, b, items, primary, figures, filters, rows_lookup)
        if len(b.lines) == before and not answered and not primary_facts(primary):
            return declined(what=_clause(a.text or a.question, 0), nearby=_top_quotes(items, 2, need_number=False),
                            terms=tuple(a.terms))
    elif handler:
        handler(a, b, items, primary, figures, filters)
    if a.qtype == "lookup" and a.subject and not answered:
        f = _subject_figure(a.subject, items)
        if f:
            b.lines.append(f"{b.figure(f)}。")
    facts = [f for fs in primary.values() for f in fs]
    if facts and not answered and a.qtype in ("lookup", "compare", "yes_no", "list", "why"):
        parts = []
        for fs in primary.values():
            for i, f in enumerate(fs):  # a second, different figure: say where it stands
                parts.append(b.figure(f) if i == 0 else
                             f"（{f.evidence.table or f.evidence.section or '文件另一处'}中为{_amount(f)}{b.cite(f.evidence)}）")
        b.lines.append("；".join(parts).replace("；（", "（") + "。")
    quotes = _top_quotes(items, 3 if a.qtype != "lookup" else 4)
    if not quotes and not facts and not answered and len(b.lines) <= 1:
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    # The sentences the figures were taken from come first: a reader sees each stated figure in its
    # own words (with what the sentence adds: "占6.51%"), then the best other passages.
    stated = list(b.cited) if answered else [ev for ev in b.cited if ev.kind == "sentence"]
    if answered:  # beyond the cited cells, only passages about what was asked
        words = [w for w in a.terms + [a.subject or ""] + [f.label for f in b.figures if len(f.label) >= 3] if w]
        quotes = [q for q in quotes if any(w in q.text for w in words)]
    quotes = stated + [q for q in quotes if q.id not in {ev.id for ev in stated}]
    if quotes:
        b.lines.append("依据（文件原文）：")
        for ev in quotes:
            b.quote(ev, tuple(a.terms))
    return b.draft()


# The asked slot is a person, a company or a contract: budget disclosures never name them.
_ENTITY = re.compile(r"谁|哪家|哪位|中标|承接|合同|供应商|委托给|哪些?(?:公司|企业|中介机构)")


def _clause(q: str, at: int) -> str:
    """The clause of the question around position `at`, without its question mark."""
    parts = re.split(r"[，,？?。；;]", q)
    pos = 0
    for part in parts:
        if pos <= at <= pos + len(part):
            return part
        pos += len(part) + 1
    return q.rstrip("？?")


def primary_facts(primary: dict) -> list:
    return [f for fs in primary.values() for f in fs]


def _asked(a: Analysis, sem) -> str:
    """What the question asks for, for "文件未说明…": the targets no document states, else the
    question's own first clause without its question words."""
    names = list(dict.fromkeys(sem.missing if sem is not None else []))
    if names:
        return "、".join(names)
    return re.sub(r"(?:是|有|为)?(?:多少钱?|几|哪些)?[吗呢]?$", "", _clause(a.text or a.question, 0))


def _subject_figure(subject: str, items: list[Evidence]) -> Optional[FigureFact]:
    """A project's budget: the 预算数 row of the table named after it, else 'subject…N万元' in text."""
    for it in items:
        if it.kind == "row" and subject in (it.table or "") and "预算数" in it.text:
            tail = it.text[it.text.find("预算数") + 3:]
            cell = next((parse_number(c) for c in tail.split("｜") if c and parse_number(c) is not None), None)
            if cell is not None and cell.value is not None:
                return FigureFact(label=f"{subject}预算数", value=cell.value, raw=cell.raw.strip(),
                                  decimals=cell.decimals, unit=it.unit, evidence=it)
    return _label_figure(subject, items)


def _heading(items: list[Evidence]) -> str:
    docs = {(it.department, it.year) for it in items[:5] if it.department}
    if len(docs) == 1:
        dept, year = next(iter(docs))
        return f"根据《{dept}{year or ''}年预算公开文件》：" if year else f"根据《{dept}》公开文件："
    return ""
