"""What the index is asked for a question: the question in the templates' words, without the words
that only name the scope it is already confined to.

Two rules of the language, applied before the index (BM25 and the dense model) sees a question:
  1. Colloquial words are read as the templates write them (service/analyse.normalise_question:
     公车 is 公务用车, 买车 its 购置, 开支/花销 are 支出 …), so "有几辆公车" finds "共有车辆7辆" the way
     the answerer already reads it.
  2. In a search confined to one department, the words naming that department (区政府办公室, 财政局,
     万里街道, 医保局 — found by the scope's own rules, service/scope.py) select nothing: every chunk in
     scope is that department's and repeats its name in its head. Left in, they score the chunks
     whose body repeats the name (主要职能, 机构设置, a project's description "区政府重点工作") and
     the shortest chunks, whose head is most of their text, above the sentence that answers.
A search over several departments keeps the names: there they choose between documents.
"""

from __future__ import annotations

from typing import Iterable, Optional

from service.analyse import normalise_question


def search_query(question: str, departments: Iterable[str] = ()) -> str:
    """The question as the index is asked it; `departments`: the scope's departments (one: its
    mentions are removed; none or several: kept). Never empty: a question that is only a name
    stays as written."""
    from service.scope import names_of

    q = normalise_question(question or "")
    scope = [d for d in dict.fromkeys(departments) if d]
    if len(scope) == 1:
        for m in sorted(names_of(scope).mentions(q), key=lambda m: -m.start):
            q = q[: m.start] + q[m.end:]
    return q.strip("，,、 ") or (question or "").strip()


def scope_departments(department: Optional[str], doc_ids: Optional[Iterable[str]], department_of) -> list[str]:
    """The departments a search is confined to: the department filter, else those of its documents
    (`department_of(doc_id)`); [] when it is not confined."""
    if department:
        return [department]
    if doc_ids:
        return list(dict.fromkeys(d for d in (department_of(i) for i in doc_ids) if d))
    return []
