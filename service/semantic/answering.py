"""The semantic layer inside the default answerer: a question's plan answered on the documents in
scope, written at the top of the answer (the answer first, evidence after).

`semantic_answer` returns None when the question names nothing the layer resolves (no metric, 科目 or
project: the answerer then works on the retrieved passages alone), else the `Outcome`.
"""

from __future__ import annotations

import re
from typing import Optional

from service.analyse import Analysis
from service.semantic.bridge import documents_in_scope, evidence_of, resolver_for, stated_facts
from service.semantic.plan import plan, targets_of
from service.semantic.counts import answer_count, count_asked
from service.semantic.respond import MAX_DOCS, Outcome, respond

NAME_SCAN_DOCS = MAX_DOCS  # 科目 and project names are looked up in this many documents of the scope


def semantic_answer(a: Analysis, provider, filters: dict, b, figures=None) -> Optional[Outcome]:
    docs = documents_in_scope(provider, filters)
    if not docs:
        return None
    q = _without_departments(a.text or "".join(a.question.split()), docs)
    subjects: list[str] = []
    projects: list[str] = []
    if a.qtype != "across":
        for doc in docs[:NAME_SCAN_DOCS]:
            r = resolver_for(doc)
            subjects += [n for n in r.subject_names() if n in q] + _named_by_tail(q, r.subject_names())
            projects += [name for name in (_core_name(p.label) for p in r.projects()) if name in q]
    years = {d.meta.year for d in docs if d.meta.year}
    prior_year = False
    if a.year and years and a.qtype != "across":
        if a.year in years:
            docs = [d for d in docs if d.meta.year == a.year or not d.meta.year]
        elif a.year + 1 in years:
            prior_year = True  # "2023年的X" asked of a 2024 disclosure: last year's figure
        else:
            out = Outcome()
            out.definite = True
            out.missing.append(f"{a.year}年的情况（文件是{'、'.join(str(y) for y in sorted(years))}年的）")
            return out
    count = count_asked(q)
    counted = answer_count(q, count, docs, provider, b, cite_q_of(provider, b)) if count is not None else None
    p = plan(a, targets_of(q, list(dict.fromkeys(subjects)), list(dict.fromkeys(projects))))
    if counted is not None and p is not None:  # the count's own clause is answered: drop its targets
        span = _clause_span(q, q.find(count))
        p.targets = [t for t in p.targets if not span[0] <= t.at < span[1]]
    if counted is not None and (not counted.answered or p is None or not p.targets):
        return counted
    if p is None:
        return None
    if prior_year and p.operation == "value":
        p.operation = "prior_value"

    cite_q = cite_q_of(provider, b)

    def stated_elsewhere(metric: str, doc_id: str) -> list:
        if figures is None:
            return []
        from service.analyse import synonyms

        return [f for f in figures(synonyms(metric), {"doc_ids": [doc_id]}) if f.evidence.kind == "sentence"]

    by_id = {d.id: d for d in docs}
    out = respond(p, docs, lambda doc_id: WithStatedRows(resolver_for(by_id[doc_id]), figures), b, cite_q,
                  stated_elsewhere)
    if counted is not None:  # a count and an amount in one question ("有几辆车？还要买车吗？")
        out.answered = True
    return out


def _clause_span(q: str, at: int) -> tuple[int, int]:
    """(start, end) of the clause of `q` holding position `at` (clauses end at ，？。；)."""
    start = max((m.end() for m in re.finditer(r"[，,？?。；;]", q[:at])), default=0)
    m = re.search(r"[，,？?。；;]", q[at:])
    return start, at + m.start() if m else len(q)


def cite_q_of(provider, b):
    """`cite_q(quantity)`: the citation marker of a quantity's row or sentence (and the figure used)."""
    def cite_q(quantity) -> str:
        ev = evidence_of(provider, quantity)
        if ev is None:
            return ""
        marker = b.cite(ev)
        from service.draft import UsedFigure

        if quantity.raw:
            b.figures.append(UsedFigure(label=quantity.label, value=quantity.raw.replace(",", ""),
                                        unit=quantity.unit, evidence_id=ev.id))
        return marker

    return cite_q


def _without_departments(q: str, docs: list) -> str:
    """The question with the departments' names blanked out (same length, so positions hold): a
    科目 or project name inside a department's name (农业农村 in 农业农村局) is no target."""
    from service.scope import names_of

    depts = list(dict.fromkeys(d.meta.department for d in docs if d.meta.department))
    for m in names_of(depts).mentions(q) if depts else []:
        q = q[:m.start] + "　" * (m.end - m.start) + q[m.end:]
    for d in depts:
        q = q.replace(d, "　" * len(d))
    return q


def _core_name(name: str) -> str:
    """A project's name as people say it: without the year the table prints in front (2025年…)."""
    import re

    core = re.sub(r"^20\d\d\s*年度?", "", name or "")
    return core if len(core) >= 4 else name


MIN_TAIL = 6  # characters of a 科目's name a question must write when it names it by its end


def _named_by_tail(q: str, names: list[str]) -> list[tuple[str, str]]:
    """科目 the question names by the end of their name ("职业年金缴费支出" for 机关事业单位职业年金缴费支出),
    where that end belongs to one name only."""
    out = []
    for n in names:
        if n in q:
            continue
        for k in range(len(n) - 1, MIN_TAIL - 1, -1):
            tail = n[-k:]
            if tail in q and sum(1 for o in names if o.endswith(tail)) == 1:
                out.append((n, tail))
                break
    return out


class WithStatedRows:
    """A document's resolver, and where the standard tables give no key figure for a metric (a 三公
    table the key figures do not read), the row the figures lookup finds named after it — a table
    row before a sentence — as the metric's quantity."""

    def __init__(self, resolver, figures):
        self._r, self._figures = resolver, figures

    def __getattr__(self, name):
        return getattr(self._r, name)

    def metric(self, metric: str):
        q = self._r.metric(metric)
        if q is not None or self._figures is None:
            return q
        from service.analyse import synonyms
        from service.semantic.quantity import Quantity

        facts = [f for f in stated_facts(self._figures, synonyms(metric), self._r.doc.id) if f.unit in ("万元", "元", "亿元")]
        facts.sort(key=lambda f: f.evidence.kind != "row")
        if not facts:
            return None
        f, ev = facts[0], facts[0].evidence
        m = self._r.doc.meta
        return Quantity(label=metric, value=f.value, unit=f.unit, raw=f.raw.strip().rstrip("万元亿"), doc_id=ev.doc_id,
                        department=m.department, year=m.year, table_id=ev.table_id, table=ev.table, row=ev.row,
                        column=f.column, section_id=ev.section_id if ev.kind == "sentence" else None,
                        sentence=ev.text if ev.kind == "sentence" else None, page=ev.page)
